package fingerprints

import (
	_ "embed"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/plumbsec/plumb/internal/yamlerr"
)

//go:embed data/services.yaml
var servicesYAML []byte

// SchemaVersion is the only data schema this package reads.
const SchemaVersion = "plumb-fingerprints/v1"

type dataFile struct {
	Schema   string                `yaml:"schema"`
	Updated  string                `yaml:"updated"`
	Sources  map[string]SourceInfo `yaml:"sources"`
	Services []*Service            `yaml:"services"`
}

var loadOnce = sync.OnceValues(func() (*DB, error) { return parse(servicesYAML) })

// Load returns the embedded database, parsed and compiled on first use. The
// returned DB is immutable and safe for concurrent use; every call returns
// the same one. An error names the offending entry.
func Load() (*DB, error) { return loadOnce() }

var (
	idRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*[a-z0-9]$`)
	nameRE = regexp.MustCompile(`^[a-z0-9_]([a-z0-9_-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$`)
)

// parse decodes, validates and compiles a data file.
func parse(data []byte) (*DB, error) {
	var f dataFile
	if err := yamlerr.DecodeStrict("fingerprints: services.yaml", data, &f); err != nil {
		return nil, err
	}
	if f.Schema != SchemaVersion {
		return nil, fmt.Errorf("fingerprints: schema %q, want %q", f.Schema, SchemaVersion)
	}
	if _, err := time.Parse(time.DateOnly, f.Updated); err != nil {
		return nil, fmt.Errorf("fingerprints: updated %q: want YYYY-MM-DD", f.Updated)
	}
	for k, s := range f.Sources {
		if s.Name == "" || s.License == "" {
			return nil, fmt.Errorf("fingerprints: source %q: name and license are required", k)
		}
	}
	db := &DB{schema: f.Schema, updated: f.Updated, sources: f.Sources, byID: map[string]*Service{}}
	for i, s := range f.Services {
		if s == nil {
			return nil, fmt.Errorf("fingerprints: services[%d]: empty entry", i)
		}
		if err := s.compile(f.Sources); err != nil {
			return nil, fmt.Errorf("fingerprints: service %q (services[%d]): %w", s.ID, i, err)
		}
		if db.byID[s.ID] != nil {
			return nil, fmt.Errorf("fingerprints: service %q (services[%d]): duplicate id", s.ID, i)
		}
		db.byID[s.ID] = s
		db.services = append(db.services, s)
	}
	db.buildIndex()
	return db, nil
}

// compile validates s and fills its private, compiled fields.
func (s *Service) compile(sources map[string]SourceInfo) error {
	if !idRE.MatchString(s.ID) {
		return errors.New("id must match [a-z0-9-]+")
	}
	if s.Name == "" {
		return errors.New("name is required")
	}
	if !slices.Contains(Categories, s.Category) {
		return fmt.Errorf("category %q is not one of %v", s.Category, Categories)
	}
	switch s.Status {
	case StatusVulnerable, StatusNotVulnerable, StatusEdgeCase, StatusUnknown:
	default:
		return fmt.Errorf("status %q is not vulnerable|not-vulnerable|edge-case|unknown", s.Status)
	}
	if !validDate(s.StatusDate) {
		return fmt.Errorf("status_date %q: want YYYY, YYYY-MM or YYYY-MM-DD", s.StatusDate)
	}
	if s.RandomIDNames && s.Status == StatusVulnerable {
		return errors.New("random_id_names contradicts status vulnerable")
	}
	if err := s.compileIdentity(); err != nil {
		return err
	}
	if err := s.compileHTTP(); err != nil {
		return err
	}
	if err := s.compileClaim(); err != nil {
		return err
	}
	return s.checkProvenance(sources)
}

// validDate accepts a full date or, when a source is only known to the
// month or year, a partial one: precision we do not have is not invented.
func validDate(d string) bool {
	for _, layout := range []string{time.DateOnly, "2006-01", "2006"} {
		if _, err := time.Parse(layout, d); err == nil {
			return true
		}
	}
	return false
}

func (s *Service) compileIdentity() error {
	for _, list := range [][]string{s.CNAMESuffixes, s.NSSuffixes} {
		for _, suf := range list {
			if err := checkSuffix(suf, 2); err != nil {
				return err
			}
		}
	}
	var err error
	if s.cnamePatterns, err = compilePatterns("cname_patterns", s.CNAMEPatterns); err != nil {
		return err
	}
	if s.nsPatterns, err = compilePatterns("ns_patterns", s.NSPatterns); err != nil {
		return err
	}
	for _, r := range s.IPRanges {
		p, err := parsePrefix(r)
		if err != nil {
			return fmt.Errorf("ip_ranges: %w", err)
		}
		s.prefixes = append(s.prefixes, p)
	}
	hasNS := len(s.NSSuffixes)+len(s.NSPatterns) > 0
	hasOther := len(s.CNAMESuffixes)+len(s.CNAMEPatterns)+len(s.IPRanges) > 0
	switch {
	case !hasNS && !hasOther:
		return errors.New("no identification rule (cname_suffixes, cname_patterns, ns_suffixes, ns_patterns, ip_ranges)")
	case s.Category == "dns-provider" && (!hasNS || hasOther):
		return errors.New("a dns-provider entry is identified by ns_suffixes/ns_patterns only")
	case s.Category != "dns-provider" && hasNS:
		return errors.New("ns rules belong to dns-provider entries")
	}
	return nil
}

// checkSuffix requires a normalized DNS name with at least minLabels labels.
func checkSuffix(suf string, minLabels int) error {
	if !nameRE.MatchString(suf) {
		return fmt.Errorf("suffix %q: want a lowercase DNS name without leading or trailing dot", suf)
	}
	if strings.Count(suf, ".")+1 < minLabels {
		return fmt.Errorf("suffix %q: needs at least %d labels", suf, minLabels)
	}
	return nil
}

func compilePatterns(field string, ps []Pattern) ([]compiledPattern, error) {
	out := make([]compiledPattern, 0, len(ps))
	for i, p := range ps {
		if err := checkSuffix(p.Suffix, 1); err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", field, i, err)
		}
		re, err := compileAnchored(p.Regex)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", field, i, err)
		}
		out = append(out, compiledPattern{suffix: p.Suffix, re: re})
	}
	return out, nil
}

// compileAnchored compiles an RE2 regex that must be anchored at both ends,
// so a pattern cannot silently match a substring of a longer name.
func compileAnchored(expr string) (*regexp.Regexp, error) {
	if !strings.HasPrefix(expr, "^") || !strings.HasSuffix(expr, "$") {
		return nil, fmt.Errorf("regex %q must be anchored with ^ and $", expr)
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("regex %q: %w", expr, err)
	}
	return re, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		if p != p.Masked() {
			return netip.Prefix{}, fmt.Errorf("%s has host bits set", s)
		}
		return p, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func (s *Service) compileHTTP() error {
	seen := map[string]bool{}
	for i := range s.HTTP {
		m := &s.HTTP[i]
		if m.ID == "" || seen[m.ID] {
			return fmt.Errorf("http[%d]: id %q missing or duplicate", i, m.ID)
		}
		seen[m.ID] = true
		if err := m.compile(); err != nil {
			return fmt.Errorf("http %q: %w", m.ID, err)
		}
	}
	return nil
}

func (m *HTTPMatcher) compile() error {
	switch m.Confidence {
	case "high", "medium", "low":
	default:
		return fmt.Errorf("confidence %q is not high|medium|low", m.Confidence)
	}
	for _, st := range m.Status {
		if st < 100 || st > 599 {
			return fmt.Errorf("status %d out of range", st)
		}
	}
	for _, h := range m.Headers {
		if h.Name == "" {
			return errors.New("header condition without a name")
		}
	}
	for _, list := range [][]string{m.Body, m.BodyAny, m.NotBody} {
		for _, t := range list {
			if strings.TrimSpace(t) == "" {
				return errors.New("empty body token")
			}
		}
	}
	if !matcherSpecific(m) {
		return errors.New("no specific token: every body/header token is generic error-page text")
	}
	if m.BodyRegex != "" {
		re, err := regexp.Compile(m.BodyRegex)
		if err != nil {
			return fmt.Errorf("body_regex %q: %w", m.BodyRegex, err)
		}
		m.re = re
	}
	m.body, m.bodyAny, m.notBody = toBytes(m.Body), toBytes(m.BodyAny), toBytes(m.NotBody)
	return nil
}

func toBytes(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func (s *Service) compileClaim() error {
	c := &s.Claim
	switch c.DomainVerification {
	case "":
		c.DomainVerification = VerificationUnknown
	case VerificationNone, VerificationOptional, VerificationEnforced, VerificationUnknown:
	default:
		return fmt.Errorf("claim.domain_verification %q is not none|optional|enforced|unknown", c.DomainVerification)
	}
	var err error
	if c.ClaimableRegex != "" {
		if s.claimableRE, err = compileAnchored(c.ClaimableRegex); err != nil {
			return fmt.Errorf("claim.claimable_regex: %w", err)
		}
	}
	if c.UnclaimableRegex != "" {
		if s.unclaimableRE, err = compileAnchored(c.UnclaimableRegex); err != nil {
			return fmt.Errorf("claim.unclaimable_regex: %w", err)
		}
	}
	return nil
}

func (s *Service) checkProvenance(sources map[string]SourceInfo) error {
	if len(s.Provenance) == 0 {
		return errors.New("no provenance")
	}
	for i := range s.Provenance {
		p := &s.Provenance[i]
		info, ok := sources[p.Source]
		if !ok {
			return fmt.Errorf("provenance[%d]: unknown source %q", i, p.Source)
		}
		if len(p.Facts) == 0 {
			return fmt.Errorf("provenance[%d]: facts is empty", i)
		}
		if p.License != "" && p.License != info.License {
			return fmt.Errorf("provenance[%d]: license %q disagrees with source %q (%s)", i, p.License, p.Source, info.License)
		}
		p.License = info.License
	}
	return nil
}
