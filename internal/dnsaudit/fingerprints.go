package dnsaudit

import (
	"strings"
)

// Claimability says whether someone else can re-create a missing name.
type Claimability string

// Claimability values. Unknown is the honest default for unlisted names.
const (
	ClaimUnknown      Claimability = "unknown"
	ClaimClaimable    Claimability = "claimable"     // anyone can register the name in the service's namespace
	ClaimNotClaimable Claimability = "not-claimable" // random-id or reserved names nobody else can re-create
)

// HTTPFingerprint is one "this service has nothing here" response. Every
// string in Body must appear; Status 0 means any status. The matcher only
// runs when the DNS chain already identified the service.
type HTTPFingerprint struct {
	Status int
	Body   []string
	// Match, when set, replaces Status and Body (a fingerprint database's
	// compiled matcher).
	Match matchFunc
}

// ServiceInfo is what a fingerprint database knows about the service a
// name belongs to, already decided for that name (a not-claimable pattern
// wins over the namespace's general claimability).
type ServiceInfo struct {
	ID         string
	Name       string
	Claim      Claimability
	Vulnerable bool // the database's status is "vulnerable" (edge cases and not-vulnerable never are)
	Note       string
	HTTP       []HTTPFingerprint
}

// Fingerprints is what dnsaudit needs from a takeover fingerprint database
// (DBFingerprints adapts internal/fingerprints). Names are lower-case without the trailing dot.
type Fingerprints interface {
	// IdentifyCNAME returns the services a CNAME target belongs to.
	IdentifyCNAME(target string) []ServiceInfo
	// IdentifyNS returns the DNS hosting providers a nameserver belongs to;
	// Claim says whether anyone can create a missing zone there.
	IdentifyNS(ns string) []ServiceInfo
}

// HasSuffixLabel reports whether name equals suffix or ends with "."+suffix:
// a match on label boundaries, so "evilazurewebsites.net" is not under
// "azurewebsites.net".
func HasSuffixLabel(name, suffix string) bool {
	name, suffix = normName(name), normName(suffix)
	if suffix == "" {
		return false
	}
	return name == suffix || strings.HasSuffix(name, "."+suffix)
}

func normName(s string) string { return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".") }
