package errintel

import "regexp"

// tagRE strips HTML tags from an evidence line.
var tagRE = regexp.MustCompile(`<[^<>]{0,200}>`)
