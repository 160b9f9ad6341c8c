package cli

import (
	"github.com/spf13/pflag"

	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/scope"
)

// scopeFlags say which operations a scan may send (--include, --exclude).
type scopeFlags struct{ include, exclude []string }

func (f *scopeFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.include, "include", nil, "send only the operations matching `'METHOD PATH'` (or PATH; * matches anything, e.g. 'GET /api/*'); repeatable")
	fs.StringArrayVar(&f.exclude, "exclude", nil, "never send anything to the operations matching `'METHOD PATH'` (or PATH, any method; globs as --include), e.g. 'GET /admin/reset*'; repeatable")
}

// apply parses the patterns into o; a malformed one is a usage error.
func (f *scopeFlags) apply(o *engine.Options) error {
	for _, list := range []struct {
		flag string
		in   []string
		out  *[]scope.Pattern
	}{{"--include", f.include, &o.Include}, {"--exclude", f.exclude, &o.Exclude}} {
		ps, err := scope.ParsePatterns(list.in)
		if err != nil {
			return usagef("%s: %v", list.flag, err)
		}
		*list.out = append(*list.out, ps...)
	}
	return nil
}
