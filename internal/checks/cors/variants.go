package cors

import (
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// variant is an Origin that a correct allow-list refuses and a naive one
// (prefix, suffix or substring match, an unescaped dot in a regular
// expression, any scheme, any subdomain) accepts.
type variant struct {
	origin string
	id     string // the rule a reflection of it proves
	trick  string // how the allow-list is fooled, for the evidence
}

// maxSeenHosts bounds the allowed origins the variants are derived from
// besides the target itself.
const maxSeenHosts = 2

// variants derives the probe origins from the target's host and the
// allowed origins seen in responses. Every attacker-side name is one no
// one can own: under the reserved .test TLD (RFC 6761), or a label with an
// underscore, which registries refuse (RFC 952/1123 host names) but naive
// allow-lists accept as readily as the registrable look-alike.
func variants(target string, seen []string, nonce string) []variant {
	var out []variant
	add := func(v variant) {
		if !slices.ContainsFunc(out, func(x variant) bool { return x.origin == v.origin }) {
			out = append(out, v)
		}
	}
	hosts := append([]string{strings.ToLower(target)}, seen[:min(len(seen), maxSeenHosts)]...)
	for i, h := range hosts {
		reg, err := publicsuffix.EffectiveTLDPlusOne(h)
		if err != nil {
			reg = h
		}
		add(variant{"https://" + h + probeSuffix, IDBypass,
			"prefix match: " + h + " followed by an attacker's domain (" + h + probeSuffix + ")"})
		add(variant{"https://evil_" + reg, IDBypass,
			"suffix match: any name ending in " + reg + " (an attacker registers e.g. evil" + reg + "; plumb sends the " +
				"unregistrable evil_" + reg + ", which the same check accepts)"})
		for _, d := range dotVariants(h) {
			add(variant{"https://" + d, IDBypass,
				"unescaped dot in a regular expression: " + d + " matches " + h + " with any character for a dot " +
					"(an attacker registers the same name with a letter there)"})
		}
		add(variant{"http://" + h, IDInsecureOrigin, "any scheme: the plain-http origin http://" + h + " is trusted"})
		if i == 0 {
			add(variant{"https://plumb-" + nonce + "." + reg, IDAnySubdomain,
				"any subdomain: plumb-" + nonce + "." + reg + " (a name that does not exist) is trusted"})
		}
	}
	return append(out, variant{"null", IDNullOrigin, "the null origin"})
}

// dotVariants replaces the first dot of h with an underscore when h has
// a dot after it (api.example.com → api_example.com; the registrable
// domain's own dot stays, so the result is one label under the same
// suffix): the classic unescaped dot of "api.example.com" in a regular
// expression.
func dotVariants(h string) []string {
	i := strings.IndexByte(h, '.')
	if i < 0 || i == strings.LastIndexByte(h, '.') {
		return nil
	}
	return []string{h[:i] + "_" + h[i+1:]}
}

// staticHost returns the host of an allowed origin worth deriving
// variants from: https or http, not a probe origin, not the target.
func staticHost(acao, target string) string {
	u, err := url.Parse(acao)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" {
		return ""
	}
	h := strings.ToLower(u.Hostname())
	if strings.HasSuffix(h, probeSuffix) || h == strings.ToLower(target) {
		return ""
	}
	return h
}

// Variants lists the probe origins derived from a target host and allowed
// origins seen (exported for the test that proves no one can own them).
func Variants(target string, seen []string, nonce string) []string {
	var out []string
	for _, v := range variants(target, seen, nonce) {
		out = append(out, v.origin)
	}
	return out
}
