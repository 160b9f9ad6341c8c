package report

import "github.com/plumbsec/plumb/internal/catalog"

// testRules is the rule lookup the CLI gives renderers: the catalog's.
var testRules = catalog.Default().Rule
