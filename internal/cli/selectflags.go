package cli

import (
	"github.com/spf13/pflag"

	"github.com/plumbsec/plumb/internal/catalog"
	"github.com/plumbsec/plumb/internal/engine"
)

// selectFlags narrow a scan to some rules (--only, --skip).
type selectFlags struct{ only, skip []string }

func (f *selectFlags) register(fs *pflag.FlagSet) {
	fs.StringSliceVar(&f.only, "only", nil, "run only the rules matching `PATTERN`: a rule id, check id or category, globs allowed (repeatable, comma-separated; see plumb checks)")
	fs.StringSliceVar(&f.skip, "skip", nil, "skip the rules matching `PATTERN` (like --only; applied after it)")
}

// build returns the selection (nil without --only
// or --skip). A pattern that matches nothing is a usage error.
func (f *selectFlags) build() (engine.Selector, error) {
	if len(f.only) == 0 && len(f.skip) == 0 {
		return nil, nil
	}
	s, err := catalog.Default().Select(f.only, f.skip)
	if err != nil {
		return nil, usageError{err}
	}
	return s, nil
}
