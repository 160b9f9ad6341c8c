package hosts

import (
	"net/netip"
	"net/url"
	"strings"
)

// reservedSuffixes are names that can never be claimed (RFC 2606/6761,
// mDNS): auditing them only adds noise. ".test" is reserved too but is the
// lab's TLD, and a name under it in a real scan still deserves a look.
var reservedSuffixes = []string{".example", ".invalid", ".localhost", ".local", ".arpa"}

var reservedNames = map[string]bool{"localhost": true, "example.com": true, "example.net": true, "example.org": true}

// Valid normalises a host name taken from untrusted text and says
// whether it belongs in the graph: a syntactically valid DNS name with at
// least two labels (single-label names cannot be audited in public DNS),
// not reserved, or a public IP literal. Private, loopback and link-local
// addresses are dropped: they are internal details, not claimable names.
func Valid(raw string) (string, bool) {
	h := Normalize(raw)
	if h == "" || len(h) > 253 {
		return "", false
	}
	if a, err := netip.ParseAddr(h); err == nil {
		a = a.Unmap()
		if !a.IsGlobalUnicast() || a.IsPrivate() || a.Zone() != "" {
			return "", false
		}
		return a.String(), true
	}
	if reservedNames[h] {
		return "", false
	}
	for _, s := range reservedSuffixes {
		if strings.HasSuffix(h, s) {
			return "", false
		}
	}
	labels := strings.Split(h, ".")
	if len(labels) < 2 {
		return "", false
	}
	for _, l := range labels {
		if !validLabel(l) {
			return "", false
		}
	}
	// The last label of a name is never all digits (that would be an IP
	// fragment such as "10.0.0" leaking out of a larger string).
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return "", false
	}
	return h, true
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// OfURL returns the valid host of an absolute http(s)/ws(s) URL.
func OfURL(raw string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "ws", "wss":
	default:
		return "", false
	}
	return Valid(u.Hostname())
}
