package discovery

import (
	"github.com/plumbsec/plumb/internal/errintel"
)

// errorPack is the internal/rules pack that extracts an upstream host (or
// URL) from a client error string or stack trace: each rule captures host
// or url, names the client or runtime in meta.stack, and carries the
// samples the rules tests run. internal/errintel runs it with the packs
// that read the rest of an error page.
const errorPack = errintel.PackUpstreams

// maxScan bounds how much of one body the extractors read.
const maxScan = 256 << 10
