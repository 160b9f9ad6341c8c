// Package fingerprints is plumb's embedded, validated database of takeover
// fingerprints: which DNS targets belong to which hosting service, what an
// unclaimed resource on that service looks like, and whether anyone can claim
// it. The data lives in data/services.yaml (schema in README.md); Load parses
// and compiles it once, rejecting any entry that would be ambiguous or
// false-positive-prone.
package fingerprints

import (
	"net/netip"
	"regexp"
)

// Status is a service's takeover status as reported by its sources.
type Status string

// Statuses. Only StatusVulnerable can ever yield a "vulnerable" verdict.
const (
	StatusVulnerable    Status = "vulnerable"     // anyone can claim a dangling name
	StatusNotVulnerable Status = "not-vulnerable" // the provider prevents claims (verification, random names …)
	StatusEdgeCase      Status = "edge-case"      // claimable only under conditions (see Claim.Notes)
	StatusUnknown       Status = "unknown"        // no source states a status
)

// Categories of service. Entries must use one of these.
var Categories = []string{
	"api-hosting", "api-gateway", "serverless", "load-balancer", "cdn", "storage",
	"static-site", "saas", "email", "dns-provider",
}

// Domain-verification states of Claim.DomainVerification.
const (
	VerificationNone     = "none"     // the provider binds any custom name to whoever asks
	VerificationOptional = "optional" // owners may verify their domain; unverified ones stay claimable
	VerificationEnforced = "enforced" // a TXT/ownership proof is always required
	VerificationUnknown  = "unknown"
)

// Service is one hosting service or DNS provider. Exported fields are decoded
// from the data file; unexported ones are compiled from them by Load. A
// *Service returned by the DB is shared and must be treated as read-only.
type Service struct {
	ID         string `yaml:"id"`       // stable key, [a-z0-9-]
	Name       string `yaml:"name"`     // human name
	Vendor     string `yaml:"vendor"`   // company
	Category   string `yaml:"category"` // one of Categories
	Status     Status `yaml:"status"`
	StatusDate string `yaml:"status_date"` // YYYY-MM-DD of the source that set Status
	StatusNote string `yaml:"status_note"` // why, when the sources disagree or conditions apply

	// Identification. A name belongs to the service when any rule matches.
	CNAMESuffixes []string  `yaml:"cname_suffixes"` // label-boundary suffixes of any CNAME hop
	CNAMEPatterns []Pattern `yaml:"cname_patterns"` // anchored regexes, only tried under their suffix
	NSSuffixes    []string  `yaml:"ns_suffixes"`    // nameserver host suffixes (dns-provider entries)
	NSPatterns    []Pattern `yaml:"ns_patterns"`
	IPRanges      []string  `yaml:"ip_ranges"` // CIDRs or single addresses

	// Dangling conditions.
	NXDomainDangling bool          `yaml:"nxdomain_dangling"` // an NXDOMAIN CNAME target means the resource is gone
	RandomIDNames    bool          `yaml:"random_id_names"`   // the platform picks unguessable names: never claimable
	HTTP             []HTTPMatcher `yaml:"http"`              // "unclaimed resource" pages, any-of

	Claim      Claim    `yaml:"claim"`
	References []string `yaml:"references"` // discussion / documentation URLs
	Provenance []Source `yaml:"provenance"`
	Tests      Vectors  `yaml:"tests"`

	cnamePatterns []compiledPattern
	nsPatterns    []compiledPattern
	prefixes      []netip.Prefix
	claimableRE   *regexp.Regexp
	unclaimableRE *regexp.Regexp
}

// Pattern is an anchored RE2 regex that is only evaluated for names ending in
// Suffix (on a label boundary), which keeps lookups index-driven.
type Pattern struct {
	Suffix string `yaml:"suffix"`
	Regex  string `yaml:"regex"`
}

type compiledPattern struct {
	suffix string
	re     *regexp.Regexp
}

// Claim describes what an attacker needs to claim a dangling name.
type Claim struct {
	RequiresAccount    bool   `yaml:"requires_account"`
	RequiresPayment    bool   `yaml:"requires_payment"`
	DomainVerification string `yaml:"domain_verification"` // Verification* constants
	RegionQualified    bool   `yaml:"region_qualified"`    // the target name embeds a region the claim must use
	// ClaimableRegex, when set, is the shape a target must have to be
	// claimable (e.g. region-qualified Elastic Beanstalk names).
	ClaimableRegex string `yaml:"claimable_regex"`
	// UnclaimableRegex marks targets nobody else can recreate (e.g. Azure
	// unique default hostnames); it wins over ClaimableRegex.
	UnclaimableRegex string `yaml:"unclaimable_regex"`
	Notes            string `yaml:"notes"`
}

// HTTPMatcher recognises a service's "unclaimed" page. All of its non-empty
// conditions must hold. Body tokens are matched case-sensitively as literal
// bytes; header values case-insensitively.
type HTTPMatcher struct {
	ID         string        `yaml:"id"`
	Status     []int         `yaml:"status"`     // any of; empty = any status
	Body       []string      `yaml:"body"`       // all must occur
	BodyAny    []string      `yaml:"body_any"`   // at least one must occur
	BodyRegex  string        `yaml:"body_regex"` // RE2; never counts as a specific token
	Headers    []HeaderMatch `yaml:"headers"`    // all must match
	NotBody    []string      `yaml:"not_body"`   // none may occur
	Confidence string        `yaml:"confidence"` // high | medium | low

	body    [][]byte
	bodyAny [][]byte
	notBody [][]byte
	re      *regexp.Regexp
}

// HeaderMatch holds when header Name is present and, if Contains is
// non-empty, one of its values contains one of the strings (case-insensitive).
type HeaderMatch struct {
	Name     string   `yaml:"name"`
	Contains []string `yaml:"contains"`
}

// Source is the provenance of an entry's facts.
type Source struct {
	Source  string   `yaml:"source"`  // key into the data file's sources table
	Ref     string   `yaml:"ref"`     // entry name / file in that source
	URL     string   `yaml:"url"`     // discussion or documentation, when known
	Date    string   `yaml:"date"`    // date of the source version the facts come from
	Facts   []string `yaml:"facts"`   // which facts: status, cname, fingerprint, ns, ip, claim …
	License string   `yaml:"license"` // filled from the sources table by Load
}

// SourceInfo describes one upstream source of facts.
type SourceInfo struct {
	Name    string `yaml:"name"`
	URL     string `yaml:"url"`
	Version string `yaml:"version"`
	License string `yaml:"license"` // SPDX id, or "facts-only (…)" when nothing is copied
}

// Vectors are test samples that travel with the data; the package tests run
// them against the compiled entry.
type Vectors struct {
	CNAME        NameVectors `yaml:"cname"`
	NS           NameVectors `yaml:"ns"`
	IP           NameVectors `yaml:"ip"`
	Claimable    []string    `yaml:"claimable"`     // targets ClaimableTarget must accept
	NotClaimable []string    `yaml:"not_claimable"` // targets it must reject
	HTTP         HTTPVectors `yaml:"http"`
}

// NameVectors are names (or addresses) that must and must not identify the service.
type NameVectors struct {
	Match   []string `yaml:"match"`
	NoMatch []string `yaml:"no_match"`
}

// HTTPVectors are responses the service's matchers must and must not match.
type HTTPVectors struct {
	Match   []HTTPSample `yaml:"match"`
	NoMatch []HTTPSample `yaml:"no_match"`
}

// HTTPSample is a response: status, headers and body.
type HTTPSample struct {
	Status  int               `yaml:"status"`
	Headers map[string]string `yaml:"headers"`
	Body    string            `yaml:"body"`
}
