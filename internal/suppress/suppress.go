// Package suppress loads plumb's config file (.plumb.yaml) and applies its
// ignore entries to findings: matched findings are marked suppressed, with
// the entry's reason and expiry, never deleted; expired entries stop
// suppressing and, like entries that matched nothing, are reported.
package suppress

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/yamlerr"
)

// DefaultFiles are the config files looked for in the working directory, in order.
var DefaultFiles = []string{".plumb.yaml", "plumb.yaml"}

// MaxBytes caps the config file size.
const MaxBytes = 4 << 20

// Config is a parsed config file.
type Config struct {
	Path   string  // as given, for messages
	Ignore []Entry // in file order
}

// Entry is one ignore entry. It matches by Fingerprint, or by Check plus
// whichever location fields are set.
type Entry struct {
	Fingerprint string `yaml:"fingerprint,omitempty"`
	Check       string `yaml:"check,omitempty"`
	Host        string `yaml:"host,omitempty"`
	Method      string `yaml:"method,omitempty"`
	Path        string `yaml:"path,omitempty"`
	Param       string `yaml:"param,omitempty"`
	Reason      string `yaml:"reason"`
	// Expires is the last day (UTC) the entry applies, YYYY-MM-DD.
	Expires string `yaml:"expires,omitempty"`

	line    int
	expires time.Time // first instant the entry no longer applies
}

// Line is the entry's line in the config file.
func (e Entry) Line() int { return e.line }

type file struct {
	Version int     `yaml:"version"`
	Ignore  []Entry `yaml:"ignore"`
}

var fingerprintRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

// Parse parses a config document; path is used in messages.
func Parse(path string, data []byte) (*Config, error) {
	if len(data) > MaxBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, MaxBytes)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlerr.Explain(path, nil, err)
	}
	var f file
	if err := yamlerr.DecodeStrict(path, data, &f); err != nil {
		return nil, err
	}
	if f.Version != 0 && f.Version != 1 {
		return nil, fmt.Errorf("%s: version %d is not supported (want 1)", path, f.Version)
	}
	lines := entryLines(&root)
	c := &Config{Path: path}
	for i, e := range f.Ignore {
		if i < len(lines) {
			e.line = lines[i]
		}
		if err := e.validate(); err != nil {
			return nil, fmt.Errorf("%s:%d: ignore entry %d: %w", path, e.line, i+1, err)
		}
		c.Ignore = append(c.Ignore, e)
	}
	return c, nil
}

// entryLines returns the line of each item of the top-level ignore list.
func entryLines(root *yaml.Node) []int {
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return nil
	}
	m := root.Content[0]
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == "ignore" && m.Content[i+1].Kind == yaml.SequenceNode {
			var out []int
			for _, it := range m.Content[i+1].Content {
				out = append(out, it.Line)
			}
			return out
		}
	}
	return nil
}

func (e *Entry) validate() error {
	e.Fingerprint = strings.ToLower(strings.TrimSpace(e.Fingerprint))
	e.Check = strings.TrimSpace(e.Check)
	switch {
	case e.Fingerprint == "" && e.Check == "":
		return errors.New("set fingerprint, or check (with optional host, method, path, param)")
	case e.Fingerprint != "" && (e.Check != "" || e.Host != "" || e.Method != "" || e.Path != "" || e.Param != ""):
		return errors.New("fingerprint already names one finding; drop check/host/method/path/param")
	case e.Fingerprint != "" && !fingerprintRE.MatchString(e.Fingerprint):
		return fmt.Errorf("fingerprint %q: want the 32 hex digits from the report", e.Fingerprint)
	case strings.TrimSpace(e.Reason) == "":
		return errors.New("reason is required: say why this finding is accepted")
	}
	if e.Expires != "" {
		d, err := time.Parse(time.DateOnly, e.Expires)
		if err != nil {
			return fmt.Errorf("expires %q: want a date, YYYY-MM-DD", e.Expires)
		}
		e.expires = d.AddDate(0, 0, 1)
	}
	return nil
}

// Load reads and parses a config file.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return Parse(path, data)
}

// Find returns the default config file in dir, or "" when there is none.
// Having both names is an error: one of them would be silently ignored.
func Find(dir string) (string, error) {
	var found []string
	for _, n := range DefaultFiles {
		p := filepath.Join(dir, n)
		if _, err := os.Stat(p); err == nil {
			found = append(found, p)
		}
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("both %s and %s exist; keep one (or pass --config)", found[0], found[1])
}

// Matches reports whether the entry names the finding. Entries written
// before a rule was renamed still match: a check entry by the old id, a
// fingerprint entry by the fingerprint the old id gave.
func (e Entry) Matches(f finding.Finding) bool {
	if e.Fingerprint != "" {
		return e.Fingerprint == f.Fingerprint || slices.Contains(finding.FormerFingerprints(f.ID, f.Location), e.Fingerprint)
	}
	l := f.Location
	return finding.CurrentID(e.Check) == finding.CurrentID(f.ID) &&
		(e.Host == "" || strings.EqualFold(e.Host, l.Host)) &&
		(e.Method == "" || strings.EqualFold(e.Method, l.Method)) &&
		(e.Path == "" || e.Path == l.Path) &&
		(e.Param == "" || e.Param == l.Param)
}

// Expired reports whether the entry no longer applies at now.
func (e Entry) Expired(now time.Time) bool {
	return !e.expires.IsZero() && !now.Before(e.expires)
}

// describe names an entry in summaries.
func (e Entry) describe() string {
	if e.Fingerprint != "" {
		return "fingerprint " + e.Fingerprint
	}
	parts := []string{"check " + e.Check}
	for _, kv := range [][2]string{{"host", e.Host}, {"method", e.Method}, {"path", e.Path}, {"param", e.Param}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+" "+kv[1])
		}
	}
	return strings.Join(parts, ", ")
}
