package code

import (
	"net/netip"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// urlHost returns the scheme and host of an absolute http(s)/ws(s) URL in
// s, or ok=false. complete says the literal stands alone: a literal that
// a concatenation continues must end its host itself (with '/', ':' or
// '?'), or the host may be only a prefix ("https://api." + domain).
func urlHost(s string, complete bool) (scheme, host string, ok bool) {
	i := strings.Index(s, "://")
	if i <= 0 || i > 5 {
		return "", "", false
	}
	scheme = strings.ToLower(s[:i])
	switch scheme {
	case "http", "https", "ws", "wss":
	default:
		return "", "", false
	}
	rest := s[i+3:]
	end := strings.IndexAny(rest, "/?#")
	terminated := end >= 0
	if end < 0 {
		end = len(rest)
	}
	auth := rest[:end]
	if at := strings.LastIndexByte(auth, '@'); at >= 0 {
		auth = auth[at+1:]
	}
	h := auth
	if strings.HasPrefix(h, "[") { // [v6]:port
		if j := strings.IndexByte(h, ']'); j > 0 {
			h = h[1:j]
			terminated = true
		}
	} else if j := strings.LastIndexByte(h, ':'); j >= 0 {
		h = h[:j]
		terminated = true
	}
	if !complete && !terminated {
		return "", "", false
	}
	h, ok = normHost(h)
	return scheme, h, ok
}

// normHost lower-cases a host name and checks it is a DNS name (at least
// two labels, an alphabetic top-level label) or an IP address.
func normHost(h string) (string, bool) {
	h = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
	if h == "" || len(h) > 253 {
		return "", false
	}
	if h == "localhost" {
		return h, true
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return h, true
	}
	labels := strings.Split(h, ".")
	if len(labels) < 2 {
		return "", false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "", false
		}
		for _, c := range l {
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' && c != '_' {
				return "", false
			}
		}
	}
	tld := labels[len(labels)-1]
	if !strings.HasPrefix(tld, "xn--") {
		if len(tld) < 2 {
			return "", false
		}
		for _, c := range tld {
			if c < 'a' || c > 'z' {
				return "", false
			}
		}
	}
	return h, true
}

// bareHost returns the host of a value that is a host name with an
// optional port ("metrics.example.com:8443"), used where a setting's name
// says it holds a host.
func bareHost(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, "/ @{}$<>%") {
		return "", false
	}
	if j := strings.LastIndexByte(s, ':'); j > 0 && !strings.Contains(s[:j], ":") {
		s = s[:j]
	}
	h, ok := normHost(s)
	if !ok {
		return "", false
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return h, true
	}
	// A version string or a file name is not a host.
	if isDigit(h[0]) && strings.Count(h, ".") >= 1 && strings.Trim(h, "0123456789.") == "" {
		return "", false
	}
	if !knownTLD(h) {
		// "ecr.api", "graphql.uri", "_t.UriType": dotted words, not names.
		return "", false
	}
	switch last := h[strings.LastIndexByte(h, '.')+1:]; last {
	case "py", "js", "ts", "go", "json", "yaml", "yml", "toml", "txt", "md", "html", "css", "png", "jpg", "svg", "sh", "log", "pem", "key", "crt", "conf", "ini", "env", "lock", "tmp", "db", "sql":
		return "", false
	}
	return h, true
}

// publicHost says whether a host is worth a public DNS audit: not an IP
// literal, not loopback, not a reserved or private-use name.
func publicHost(h string) (bool, string) {
	if _, err := netip.ParseAddr(h); err == nil {
		return false, "an IP address"
	}
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return false, "loopback"
	}
	for _, suf := range []string{".example", ".invalid", ".local", ".internal", ".lan", ".home.arpa", ".localdomain", ".corp", ".intranet"} {
		if strings.HasSuffix(h, suf) {
			return false, "a private-use name (" + strings.TrimPrefix(suf, ".") + ")"
		}
	}
	if !knownTLD(h) {
		return false, "not under a public top-level domain (an internal or cluster name)"
	}
	for _, d := range []string{"example.com", "example.org", "example.net"} {
		if h == d || strings.HasSuffix(h, "."+d) {
			return false, "a documentation name (RFC 2606)"
		}
	}
	return true, ""
}

// loopbackHost says a host is the machine itself or a private address,
// where plain HTTP carries no credential over a network anyone shares.
func loopbackHost(h string) bool {
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && (a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast())
}

// ignoredHost lists names that appear in code as identifiers, not as
// places the application calls: XML namespaces, schemas, licences.
func ignoredHost(h string) bool {
	switch h {
	case "www.w3.org", "w3.org", "json-schema.org", "schemas.xmlsoap.org", "schemas.microsoft.com", "purl.org", "xmlns.com",
		"www.apache.org", "opensource.org", "spdx.org", "creativecommons.org", "schema.org", "ns.adobe.com":
		return true
	}
	return false
}

// reservedTLDs are the top-level names set aside for testing, documentation
// and private networks (RFC 2606, RFC 6761, RFC 6762, ICANN's .internal):
// real configuration uses them, so a name under one is still a host.
var reservedTLDs = map[string]bool{"test": true, "example": true, "invalid": true, "localhost": true, "local": true, "internal": true,
	"lan": true, "corp": true, "home": true, "intranet": true, "localdomain": true, "onion": true}

// knownTLD says h ends in a top-level domain that exists in the public DNS
// (the public suffix list's ICANN section) or in a reserved one. A dotted
// pair of words under no such domain ("iot.data", "sagemaker.runtime") is a
// key or a label, and a cluster-internal name ("metrics.monitoring") cannot
// be looked up, let alone claimed, in the public DNS.
func knownTLD(h string) bool {
	tld := h[strings.LastIndexByte(h, '.')+1:]
	if reservedTLDs[tld] || strings.HasPrefix(tld, "xn--") {
		return true
	}
	_, icann := publicsuffix.PublicSuffix(tld)
	return icann
}
