package dnsaudit

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"unicode"

	"github.com/miekg/dns"
	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
	"golang.org/x/text/unicode/norm"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
)

// IDAmbiguousName is a host name that may not mean what it seems.
const IDAmbiguousName = "dns.ambiguous-name"

// Ambiguity kinds.
const (
	AmbSingleLabel  = "single-label"  // completed by each client's search domains, LLMNR or mDNS
	AmbSearchDomain = "search-domain" // does not exist; resolves only with a search domain appended
	AmbLookAlike    = "look-alike"    // an IDN that looks like the target's domain
	AmbOtherTLD     = "other-tld"     // the target's domain name under another TLD
)

// Ambiguity is why a host name may reach someone other than its reader
// expects, and what makes it so.
type Ambiguity struct {
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

// Ambiguities returns what is ambiguous about name by itself and next to
// the scanned target's host name (targetHost may be empty). It needs no
// DNS; names that resolve only through a search domain are found by the
// audit (Options.SearchDomains).
func Ambiguities(name, targetHost string) []Ambiguity {
	name, targetHost = normName(name), normName(targetHost)
	if _, err := netip.ParseAddr(name); err == nil || name == "" {
		return nil
	}
	if !strings.Contains(name, ".") {
		return []Ambiguity{{AmbSingleLabel, fmt.Sprintf("%q is a single label: each client completes it with its own search "+
			"domains (or asks the local network by LLMNR/mDNS), so who answers depends on where the client runs", name)}}
	}
	if targetHost == "" || name == targetHost {
		return nil
	}
	reg, treg := registrableAny(name), registrableAny(targetHost)
	if reg == "" || treg == "" || reg == treg {
		return nil
	}
	var out []Ambiguity
	uname, _ := idna.Lookup.ToUnicode(reg)
	utarget, _ := idna.Lookup.ToUnicode(treg)
	same := skeleton(label(uname)) == skeleton(label(utarget))
	if (uname != reg || strings.Contains(reg, "xn--")) && same && label(uname) != label(utarget) {
		out = append(out, Ambiguity{AmbLookAlike, fmt.Sprintf("%s is %q, which looks like the target's domain %s but is a "+
			"different name (internationalized characters): whoever registered it receives what is sent there", reg, uname, treg)})
	}
	if same && suffix(reg) != suffix(treg) {
		out = append(out, Ambiguity{AmbOtherTLD, fmt.Sprintf("%s is the target's domain name (%s) under another TLD: it may "+
			"belong to someone else", reg, treg)})
	}
	return out
}

// registrableAny is the eTLD+1 of name, private suffixes included.
func registrableAny(name string) string {
	reg, err := publicsuffix.EffectiveTLDPlusOne(name)
	if err != nil {
		return ""
	}
	return reg
}

func label(reg string) string  { l, _, _ := strings.Cut(reg, "."); return l }
func suffix(reg string) string { _, s, _ := strings.Cut(reg, "."); return s }

// confusables maps letters that render like a Latin letter to it: the
// common Cyrillic and Greek homoglyphs of IDN spoofing (a small subset of
// Unicode's confusables, enough for domain look-alikes).
var confusables = map[rune]rune{
	'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x', 'і': 'i', 'ј': 'j', 'ѕ': 's',
	'ԁ': 'd', 'һ': 'h', 'ԛ': 'q', 'ԝ': 'w', 'ո': 'n', 'ⅼ': 'l', 'ı': 'i', 'ɡ': 'g',
	'α': 'a', 'ο': 'o', 'ν': 'v', 'ρ': 'p', 'τ': 't', 'ι': 'i', 'κ': 'k', 'υ': 'u', 'ε': 'e',
}

// skeleton folds a name to what it looks like: compatibility forms
// (full-width letters), accents dropped, homoglyphs mapped, digits that
// pass for letters (0→o, 1→l).
func skeleton(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(strings.ToLower(s)) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if c, ok := confusables[r]; ok {
			r = c
		}
		switch r {
		case '0':
			r = 'o'
		case '1':
			r = 'l'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// searchCandidate is whether name is worth completing with search
// domains: a single label, or a name under no public suffix (".internal",
// ".corp", ".lan"): stub resolvers try the search list when the name as
// given does not exist.
func searchCandidate(name string) bool {
	if !strings.Contains(name, ".") {
		return true
	}
	_, icann := publicsuffix.PublicSuffix(name)
	return !icann
}

// expand returns the first completion of name with a search domain that
// resolves to an address, with its answer (nil when none does).
func (rn *run) expand(ctx context.Context, name string) (full, sd string, ans *netx.Answer, addr netip.Addr) {
	for _, sd := range rn.a.opts.SearchDomains {
		full := name + "." + normName(sd)
		ans, _ := rn.recursive(ctx, full, dns.TypeA)
		if ans == nil || ans.Rcode != dns.RcodeSuccess {
			continue
		}
		if _, addrs := follow(full, ans.Msg, func(string, string) bool { return true }); len(addrs) > 0 {
			return full, normName(sd), ans, addrs[0]
		}
	}
	return "", "", nil, netip.Addr{}
}

// searchExpansion reports a name that does not exist as written but
// resolves once a search domain is appended: clients with that search
// domain reach a name the reader never saw.
func (rn *run) searchExpansion(ctx context.Context) {
	name := rn.res.Name
	if len(rn.a.opts.SearchDomains) == 0 || !searchCandidate(name) {
		return
	}
	full, sd, ans, addr := rn.expand(ctx, name)
	if ans == nil {
		return
	}
	rn.add(verdict(IDAmbiguousName, finding.Low, finding.Firm, name,
		fmt.Sprintf("%s does not exist as written, but resolves as %s (%s) through the search domain %s", name, full, addr, sd),
		fmt.Sprintf("%s: clients whose resolver configuration searches %s reach %s; others reach whatever %s means on their "+
			"network. Write the full name.", AmbSearchDomain, sd, full, name),
		[]finding.DNSAnswer{ans.Evidence()}), false)
}

// singleLabel audits a single-label name: it is not a public DNS name (no
// dotless domains exist), so the verdict is the ambiguity itself, and what
// the search domains make of it.
func (rn *run) singleLabel(ctx context.Context) {
	name := rn.res.Name
	rn.res.Status = finding.DNSUnresolved
	f := verdict(IDAmbiguousName, finding.Low, finding.Confirmed, name,
		fmt.Sprintf("%s is a single-label name: what it reaches depends on each client's search domains", name),
		Ambiguities(name, "")[0].Detail, nil)
	f.Evidence.Summary = AmbSingleLabel + ": " + f.Evidence.Summary
	if full, sd, ans, addr := rn.expand(ctx, name); ans != nil {
		f.Title += fmt.Sprintf("; with the search domain %s it reaches %s (%s)", sd, full, addr)
		f.Evidence.DNS = []finding.DNSAnswer{ans.Evidence()}
		rn.res.Chain = append(rn.res.Chain, Link{Name: full, Type: "A", Value: addr.String(), Rcode: "NOERROR", Server: ans.Server})
	}
	rn.add(f, false)
}
