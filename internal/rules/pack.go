package rules

import (
	"regexp"

	"github.com/plumbsec/plumb/internal/finding"
)

// Schema is the only pack schema this package reads.
const Schema = "plumb-rules/v1"

// Kind says what the rules of a pack match. A pack has one kind.
type Kind string

// The kinds of rule.
const (
	// KindPattern rules are a regular expression over text (response
	// values, error pages, model output, source lines), with keywords as
	// a prefilter, named validators and named captures.
	KindPattern Kind = "pattern"
	// KindKey rules match property or field names, normalized
	// (api_key, apiKey and API-Key are one name), and optionally a value.
	KindKey Kind = "key"
	// KindPath rules name a path to request and the content that proves
	// the response is really that resource (not a catch-all page).
	KindPath Kind = "path"
	// KindOperation rules read an API operation's names (path segments,
	// operationId, tags, summary) and say what it does, e.g. that a GET
	// changes state.
	KindOperation Kind = "operation"
)

// Pack is a compiled rule pack. It is immutable once parsed and safe for
// concurrent use.
type Pack struct {
	Name        string
	Kind        Kind
	Description string
	Rules       []*Rule

	byID     map[string]*Rule
	keywords *keywordIndex // nil when no rule has keywords
}

// Rule returns the rule with id, or nil.
func (p *Pack) Rule(id string) *Rule { return p.byID[id] }

// Rule is one entry of a pack. The exported fields are the YAML schema;
// Parse compiles them into the private fields once. Which matcher fields
// a rule may set depends on its pack's kind (see README.md).
type Rule struct {
	ID       string            `yaml:"id"`
	Title    string            `yaml:"title"`
	Severity string            `yaml:"severity,omitempty"`
	Tags     []string          `yaml:"tags,omitempty"`
	Meta     map[string]string `yaml:"meta,omitempty"`

	// KindPattern.
	Pattern  string            `yaml:"pattern,omitempty"`
	Keywords []string          `yaml:"keywords,omitempty"` // a match contains one of these
	Validate []string          `yaml:"validate,omitempty"` // validator names, all must accept a match
	Captures map[string]string `yaml:"captures,omitempty"` // named group → what it holds

	// KindKey (Words and Exclude also KindOperation).
	Keys          []string `yaml:"keys,omitempty"`    // whole names, compared without case and separators
	Words         []string `yaml:"words,omitempty"`   // any word of the name (snake, camel, kebab)
	Exclude       []string `yaml:"exclude,omitempty"` // words that make a name benign
	Value         string   `yaml:"value,omitempty"`   // the value must match this pattern
	ValuePositive []string `yaml:"value_positive,omitempty"`
	ValueNegative []string `yaml:"value_negative,omitempty"`

	// KindPath.
	Path    string   `yaml:"path,omitempty"`
	Content []string `yaml:"content,omitempty"`  // every pattern must match the body
	NotHTML bool     `yaml:"not_html,omitempty"` // the real resource is never an HTML page
	// ContentPack names an embedded pattern pack one of whose rules must
	// also match the body: what the resource is, recognised by shape (a
	// configuration dump in any format) rather than by one pattern.
	ContentPack string `yaml:"content_pack,omitempty"`

	// KindOperation.
	Prefixes []string `yaml:"prefixes,omitempty"` // a path segment or operationId that starts with one (resetdb)

	// Samples: inputs the rule must (positive) and must not (negative)
	// match. For pattern rules a positive may also say what the first
	// match captures.
	Positive []Sample `yaml:"positive"`
	Negative []Sample `yaml:"negative"`

	pack       string
	owner      *Pack
	index      int // in owner.Rules
	kind       Kind
	level      finding.Severity
	re         *regexp.Regexp
	fold       bool // keywords compared ignoring ASCII case ((?i) patterns)
	validators []validator
	keys       map[string]bool
	words      map[string]bool
	exclude    map[string]bool
	prefixes   []string
	value      *regexp.Regexp
	content    []*regexp.Regexp
}

// Pack returns the name of the rule's pack.
func (r *Rule) Pack() string { return r.pack }

// Level is the parsed Severity (Info when the rule sets none).
func (r *Rule) Level() finding.Severity { return r.level }

// HasTag reports whether the rule carries tag.
func (r *Rule) HasTag(tag string) bool {
	for _, t := range r.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// Sample is one sample input: a YAML string, or a mapping with text and
// expect (capture name → the value the rule's first match captures).
type Sample struct {
	Text   string
	Expect map[string]string
}
