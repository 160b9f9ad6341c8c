package lab

import (
	"strings"

	"github.com/miekg/dns"
)

// AuthMode is how the lab's misbehaving authority (127.0.0.5) answers for
// one zone delegated to it. Each mode has its own zone, AuthModeZone(mode),
// so every row of the "what counts as lame" table in docs/dns.md is a
// real exchange.
type AuthMode string

// The authority's reply modes for a zone delegated to it.
const (
	AuthServe    AuthMode = "ok"       // serves the zone (the healthy twin)
	AuthRefused  AuthMode = "refused"  // REFUSED
	AuthNotAuth  AuthMode = "notauth"  // NOTAUTH
	AuthNXDomain AuthMode = "nxdomain" // NXDOMAIN for the zone's own apex
	AuthNoAA     AuthMode = "noaa"     // the zone's data, but without the AA bit (a cache, not an authority)
	AuthNoSOA    AuthMode = "nosoa"    // AA, NOERROR, but no SOA at the apex
	AuthUpward   AuthMode = "upward"   // a referral to the root (classic lame answer)
	AuthServfail AuthMode = "servfail" // SERVFAIL
	AuthSilent   AuthMode = "silent"   // never answers (a timeout)
	AuthFormErr  AuthMode = "formerr"  // FORMERR to a plain question
)

// AuthModes lists every mode, the healthy one first.
var AuthModes = []AuthMode{AuthServe, AuthRefused, AuthNotAuth, AuthNXDomain, AuthNoAA, AuthNoSOA, AuthUpward, AuthServfail, AuthSilent, AuthFormErr}

// AuthModeZone is the zone (without the trailing dot) whose only
// nameserver answers in mode m; "api." under it is an address record.
func AuthModeZone(m AuthMode) string { return "auth-" + string(m) + ".test" }

// oddAuth answers each zone delegated to it in that zone's mode.
type oddAuth struct {
	zones map[string]*Zone // by origin, one per mode
	modes map[string]AuthMode
}

func newOddAuth() (*oddAuth, error) {
	o := &oddAuth{zones: map[string]*Zone{}, modes: map[string]AuthMode{}}
	for _, m := range AuthModes {
		z, err := authModeZone(m)
		if err != nil {
			return nil, err
		}
		z.reindex()
		o.zones[z.Origin], o.modes[z.Origin] = &z, m
	}
	return o, nil
}

func authModeZone(m AuthMode) (Zone, error) {
	origin := AuthModeZone(m) + "."
	return ParseZone(origin, soaLine(origin), "@ NS ns."+origin, "ns A "+oddIP, "api A 127.0.0.1", "www CNAME api")
}

func (o *oddAuth) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	m, q, ok := startReply(w, req)
	if !ok {
		return
	}
	name := dns.Fqdn(strings.ToLower(q.Name))
	var z *Zone
	for origin, zz := range o.zones {
		if dns.IsSubDomain(origin, name) {
			z = zz
		}
	}
	if z == nil {
		m.Rcode = dns.RcodeRefused
		_ = w.WriteMsg(m)
		return
	}
	switch o.modes[z.Origin] {
	case AuthSilent:
		return
	case AuthRefused:
		m.Rcode = dns.RcodeRefused
	case AuthNotAuth:
		m.Rcode = dns.RcodeNotAuth
	case AuthServfail:
		m.Rcode = dns.RcodeServerFailure
	case AuthFormErr:
		m.Rcode = dns.RcodeFormatError
	case AuthNXDomain:
		m.Authoritative, m.Rcode = true, dns.RcodeNameError
	case AuthNoSOA:
		m.Authoritative = true
	case AuthUpward:
		rr, _ := dns.NewRR(". 518400 IN NS a.root.test.")
		m.Ns = []dns.RR{rr}
	default: // AuthServe, AuthNoAA
		res := z.lookup(name, q.Qtype)
		m.Answer = res.records
		if res.kind == lookupNXDomain {
			m.Rcode = dns.RcodeNameError
		}
		if res.kind == lookupNXDomain || res.kind == lookupNoData {
			m.Ns = []dns.RR{dns.Copy(z.soa())}
		}
		m.Authoritative = o.modes[z.Origin] == AuthServe
	}
	_ = w.WriteMsg(m)
}
