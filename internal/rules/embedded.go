package rules

import (
	"embed"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"
)

//go:embed packs/*.yaml
var packFiles embed.FS

type loaded struct {
	pack *Pack
	err  error
}

// embedded parses every embedded pack once; a pack's file is named after
// it (packs/<name>.yaml).
var embedded = sync.OnceValue(func() map[string]loaded {
	out := map[string]loaded{}
	files, err := packFiles.ReadDir("packs")
	if err != nil {
		return out
	}
	for _, f := range files {
		name := strings.TrimSuffix(f.Name(), ".yaml")
		data, err := packFiles.ReadFile(path.Join("packs", f.Name()))
		if err != nil {
			out[name] = loaded{err: &Error{Pack: name, Err: err}}
			continue
		}
		p, err := Parse(f.Name(), data)
		if err == nil && p.Name != name {
			p, err = nil, &Error{Pack: f.Name(), Field: "pack", Err: fmt.Errorf("%q: the file must be named after the pack", p.Name)}
		}
		out[name] = loaded{pack: p, err: err}
	}
	return out
})

// Load returns the embedded pack name, compiled on first use. The same
// *Pack is returned to every caller.
func Load(name string) (*Pack, error) {
	l, ok := embedded()[name]
	if !ok {
		return nil, &Error{Pack: name, Err: fmt.Errorf("no embedded pack (have %s)", strings.Join(Names(), ", "))}
	}
	return l.pack, l.err
}

// Names lists the embedded packs, sorted.
func Names() []string {
	var out []string
	for n := range embedded() {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
