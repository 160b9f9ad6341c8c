package lab

import (
	"fmt"
	"net"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// The lab's miniature internet: root, TLD and DNS-provider servers on
// further loopback addresses, all on the main DNS server's port, so a
// delegation walk from the lab root exchanges real referrals. Auditors reach
// them with their authority-port testing knob (dnsaudit.Options.AuthorityPort).
const (
	rootIP = "127.0.0.2"  // the root zone
	tldIP  = "127.0.0.3"  // test., com., net.
	doIP   = "127.0.0.4"  // a DNS host where anyone can create a zone (DigitalOcean-like) that lost some
	oddIP  = "127.0.0.5"  // an authority that misbehaves in one way per zone (oddauth.go)
	r53IP  = "127.0.0.6"  // a DNS host that blocks re-creating a zone (Route 53-like) that lost some
	deadIP = "127.0.0.10" // nothing listens here
)

// Delegation scenarios served by the lab internet. Names resolve through the
// main lab resolver as a real recursive resolver would: a fully lame zone
// answers SERVFAIL, a partially lame one answers from its healthy server.
const (
	LameZone        = "lamecorp.test"    // delegated only to a provider that lost the zone (anyone can re-create it there)
	PartialLameZone = "partial.test"     // one nameserver serves it, one does not
	R53LameZone     = "r53lame.test"     // lame at a provider that blocks re-creation
	OrphanNSZone    = "orphanns.test"    // delegated to a nameserver under an unregistered domain
	UnregisteredDom = "gone-vendor.test" // never registered; vulnshop.test CNAMEs into it
	MailRotZone     = "mailrot.test"     // an apex without an address whose MX is under UnregisteredDom
	MailOKZone      = "mailok.test"      // its healthy twin: MX to a registered domain
	NSRotZone       = "nsrot.test"       // its own NS set names a nameserver under UnregisteredDom

	// DeadNSZone has a nameserver nobody listens on and one that serves it.
	DeadNSZone = "halfdead.test"
	// LoopZone is delegated to a nameserver under LoopZone2 and back, with
	// no glue: nobody can find an address to ask.
	LoopZone, LoopZone2 = "loopa.test", "loopb.test"

	// Two providers each: one of them REFUSED for the zone, or neither.
	TwoProviderZone    = "twoprov.test"     // Route 53-like serves it, DigitalOcean-like refuses (anyone can re-create it there)
	TwoProviderR53Lame = "twoprov-r53.test" // DigitalOcean-like serves it, Route 53-like refuses (re-creation blocked)
	TwoProviderTwin    = "twoprov-ok.test"  // both serve it
)

// provider is a lab DNS host: its own zone (where its nameservers live)
// and the customer zones it still serves.
type provider struct {
	ip, origin string
	ns         []string // nameserver labels under origin
	serves     []string // customer zones it has
}

var providers = []provider{
	{doIP, "digitalocean.com.", []string{"ns1", "ns2"}, []string{TwoProviderR53Lame, TwoProviderTwin, DeadNSZone}},
	{r53IP, "awsdns-01.com.", []string{"ns-1"}, []string{TwoProviderZone, TwoProviderTwin}},
}

// delegations are the TLD referrals of the scenario zones: "name" for a
// nameserver without glue, "name=ip" with glue.
func delegations() map[string][]string {
	d := map[string][]string{
		LameZone:           {"ns1.digitalocean.com.", "ns2.digitalocean.com."},
		PartialLameZone:    {"ns1." + PartialLameZone + ".=127.0.0.1", "ns2.digitalocean.com."},
		R53LameZone:        {"ns-1.awsdns-01.com."},
		OrphanNSZone:       {"ns1.expired-dns.test."},
		TwoProviderZone:    {"ns-1.awsdns-01.com.", "ns1.digitalocean.com."},
		TwoProviderR53Lame: {"ns1.digitalocean.com.", "ns-1.awsdns-01.com."},
		TwoProviderTwin:    {"ns1.digitalocean.com.", "ns-1.awsdns-01.com."},
		DeadNSZone:         {"ns1." + DeadNSZone + ".=" + deadIP, "ns2.digitalocean.com."},
		LoopZone:           {"ns." + LoopZone2 + "."},
		LoopZone2:          {"ns." + LoopZone + "."},
	}
	for _, m := range AuthModes {
		z := AuthModeZone(m)
		d[z] = []string{"ns." + z + ".=" + oddIP}
	}
	return d
}

// customerZone is a zone a provider serves (the same data the main
// resolver answers from).
func customerZone(origin string) (Zone, error) {
	o := dns.Fqdn(origin)
	var ns []string
	for _, n := range delegations()[origin] {
		ns = append(ns, "@ NS "+n)
	}
	return ParseZone(o, append([]string{soaLine(o), "api A 127.0.0.1", "www CNAME api"}, ns...)...)
}

// internetZones are the zones of the root and TLD servers; delegations of
// the main lab zones (two-label ones) are derived from mainZones.
func internetZones(mainZones []string, extra map[string][]string) (root, tld []Zone, err error) {
	delegs := delegations()
	for z, ns := range extra {
		delegs[z] = ns
	}
	rootLines := []string{"@ 300 IN SOA a.root.test. hostmaster.root.test. 2024010101 3600 600 86400 60", "@ NS a.root.test.", "a.root.test. A " + rootIP}
	for _, t := range []string{"test.", "com.", "net."} {
		rootLines = append(rootLines, t+" NS a.nic.test.")
	}
	rootLines = append(rootLines, "a.nic.test. A "+tldIP)
	tldLines := map[string][]string{"test.": {}, "com.": {}, "net.": {}}
	deleg := func(zone string, ns ...string) {
		t := zone[strings.Index(zone, ".")+1:]
		for _, n := range ns {
			name, glue, _ := strings.Cut(n, "=")
			tldLines[t] = append(tldLines[t], zone+" NS "+name)
			if glue != "" {
				tldLines[t] = append(tldLines[t], name+" A "+glue)
			}
		}
	}
	for _, z := range mainZones {
		if t := z[strings.Index(z, ".")+1:]; tldLines[t] != nil && strings.Count(z, ".") == 2 && delegs[strings.TrimSuffix(z, ".")] == nil {
			deleg(z, "ns1."+z+"=127.0.0.1")
		}
	}
	for _, p := range providers {
		var ns []string
		for _, n := range p.ns {
			ns = append(ns, n+"."+p.origin+"="+p.ip)
		}
		deleg(p.origin, ns...)
	}
	for zone, ns := range delegs {
		deleg(zone+".", ns...)
	}
	r, err := ParseZone(".", rootLines...)
	if err != nil {
		return nil, nil, err
	}
	root = []Zone{r}
	for _, t := range []string{"test.", "com.", "net."} {
		z, err := ParseZone(t, append([]string{soaLine(t)}, tldLines[t]...)...)
		if err != nil {
			return nil, nil, err
		}
		tld = append(tld, z)
	}
	return root, tld, nil
}

// providerZones are what provider p serves: its own zone and its customers'.
func providerZones(p provider) ([]Zone, error) {
	lines := []string{soaLine(p.origin)}
	for _, n := range p.ns {
		lines = append(lines, "@ NS "+n+"."+p.origin, n+" A "+p.ip)
	}
	own, err := ParseZone(p.origin, lines...)
	if err != nil {
		return nil, err
	}
	zones := []Zone{own}
	for _, c := range p.serves {
		z, err := customerZone(c)
		if err != nil {
			return nil, err
		}
		zones = append(zones, z)
	}
	return zones, nil
}

// authServer is a purely authoritative server: referrals at zone cuts,
// AA answers from its zones, REFUSED for anything else (what a DNS host
// answers for a zone it does not have).
type authServer struct {
	mu    sync.RWMutex
	zones map[string]*Zone
}

func newAuthServer(zones []Zone) *authServer {
	s := &authServer{zones: map[string]*Zone{}}
	for i := range zones {
		z := zones[i]
		z.reindex()
		s.zones[z.Origin] = &z
	}
	return s
}

// startReply starts the answer to req. A request without exactly one
// question is answered FORMERR here, and ok is false.
func startReply(w dns.ResponseWriter, req *dns.Msg) (m *dns.Msg, q dns.Question, ok bool) {
	m = new(dns.Msg)
	m.SetReply(req)
	if len(req.Question) != 1 {
		m.Rcode = dns.RcodeFormatError
		_ = w.WriteMsg(m)
		return m, q, false
	}
	return m, req.Question[0], true
}

func (s *authServer) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	m, q, ok := startReply(w, req)
	if !ok {
		return
	}
	name := dns.Fqdn(strings.ToLower(q.Name))
	s.mu.RLock()
	defer s.mu.RUnlock()
	z := s.closest(name)
	if z == nil {
		m.Rcode = dns.RcodeRefused
		_ = w.WriteMsg(m)
		return
	}
	if cut, ns := z.cut(name); cut != "" && (q.Qtype != dns.TypeDS || cut != name) {
		m.Ns = ns
		for _, rr := range ns {
			glue, _ := z.at(strings.ToLower(rr.(*dns.NS).Ns))
			for _, g := range glue {
				if a, ok := g.(*dns.A); ok {
					m.Extra = append(m.Extra, dns.Copy(a))
				}
			}
		}
		_ = w.WriteMsg(m)
		return
	}
	m.Authoritative = true
	res := z.lookup(name, q.Qtype)
	m.Answer = res.records
	switch res.kind {
	case lookupNXDomain:
		m.Rcode = dns.RcodeNameError
		m.Ns = []dns.RR{dns.Copy(z.soa())}
	case lookupNoData:
		m.Ns = []dns.RR{dns.Copy(z.soa())}
	}
	_ = w.WriteMsg(m)
}

func (s *authServer) closest(name string) *Zone {
	for off, end := 0, false; !end; off, end = dns.NextLabel(name, off) {
		if z, ok := s.zones[name[off:]]; ok {
			return z
		}
	}
	return s.zones["."]
}

// cut returns the delegation point at or above name inside z (below its
// apex) and its NS records, or "".
func (z *Zone) cut(name string) (string, []dns.RR) {
	for off, end := 0, false; !end; off, end = dns.NextLabel(name, off) {
		owner := name[off:]
		if strings.EqualFold(owner, z.Origin) {
			return "", nil
		}
		var ns []dns.RR
		owned, _ := z.at(strings.ToLower(owner))
		for _, rr := range owned {
			if rr.Header().Rrtype == dns.TypeNS {
				ns = append(ns, dns.Copy(rr))
			}
		}
		if len(ns) > 0 {
			return owner, ns
		}
	}
	return "", nil
}

// internet is the running root/TLD/provider servers.
type internet struct {
	servers []*dns.Server
}

// startInternet serves the lab internet next to the main DNS server (same
// port on further loopback addresses) and adds the names a recursive
// resolver needs to the main server.
func (w *World) startInternet(extra map[string][]string) error {
	_, port, err := net.SplitHostPort(w.DNSAddr)
	if err != nil {
		return err
	}
	scen, err := scenarioZones()
	if err != nil {
		return err
	}
	for _, z := range scen {
		w.DNS.AddZone(z) // before the TLD zones are built, so "test." delegates them
	}
	root, tld, err := internetZones(w.DNS.Zones(), extra)
	if err != nil {
		return err
	}
	odd, err := newOddAuth()
	if err != nil {
		return err
	}
	handlers := []struct {
		ip string
		h  dns.Handler
	}{{rootIP, newAuthServer(root)}, {tldIP, newAuthServer(tld)}, {oddIP, odd}}
	var served []Zone
	for _, p := range providers {
		zones, err := providerZones(p)
		if err != nil {
			return err
		}
		served = append(served, zones...)
		handlers = append(handlers, struct {
			ip string
			h  dns.Handler
		}{p.ip, newAuthServer(zones)})
	}
	in := &internet{}
	w.internet = in
	for _, r := range handlers {
		if err := in.serve(net.JoinHostPort(r.ip, port), r.h); err != nil {
			return err
		}
	}
	w.RootAddr = net.JoinHostPort(rootIP, port)
	w.AuthorityPort = port
	return w.addInternetRecords(served)
}

func (in *internet) serve(addr string, h dns.Handler) error {
	for _, netw := range []string{"udp", "tcp"} {
		srv := &dns.Server{Addr: addr, Net: netw, Handler: h}
		started := make(chan struct{})
		errc := make(chan error, 1)
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { errc <- srv.ListenAndServe() }()
		select {
		case <-started:
		case err := <-errc:
			return fmt.Errorf("lab internet %s %s: %w", netw, addr, err)
		}
		in.servers = append(in.servers, srv)
	}
	return nil
}

// addInternetRecords teaches the main (recursive) lab server what the
// lab internet implies for names a client looks up.
func (w *World) addInternetRecords(served []Zone) error {
	for _, z := range served {
		w.DNS.AddZone(z)
	}
	for _, origin := range []string{"test.", "com.", "net.", "internal."} {
		z, err := ParseZone(origin, soaLine(origin))
		if err != nil {
			return err
		}
		w.DNS.AddZone(z) // unregistered names under them answer NXDOMAIN
	}
	pz, err := ParseZone(PartialLameZone+".", soaLine(PartialLameZone+"."), "@ NS ns1", "@ NS ns2.digitalocean.com.", "ns1 A 127.0.0.1", "api A 127.0.0.1")
	if err != nil {
		return err
	}
	w.DNS.AddZone(pz)
	okz, err := authModeZone(AuthServe)
	if err != nil {
		return err
	}
	w.DNS.AddZone(okz)
	for _, rec := range append(append([]string{
		"billing.vulnshop.test. CNAME api.gone-vendor.test.",
		"nsdead.vulnshop.test. CNAME www." + OrphanNSZone + ".",
		"*.tenants.vulnshop.test. CNAME vulnshop-tenants.azurewebsites.net.", // a dangling wildcard
	}, takeoverRecords...), targetRecords...) {
		if err := w.DNS.AddRecord(rec); err != nil {
			return err
		}
	}
	lame := []string{LameZone, R53LameZone, OrphanNSZone, LoopZone, LoopZone2, "ns." + LoopZone, "ns." + LoopZone2}
	for _, m := range AuthModes[1:] {
		lame = append(lame, AuthModeZone(m))
	}
	for _, z := range lame {
		for _, n := range []string{z, "api." + z, "www." + z} {
			w.DNS.SetBehaviour(n, BehaviourServfail) // what a real resolver says for a lame or failing zone
		}
	}
	return nil
}

func (in *internet) close() {
	if in == nil {
		return
	}
	for _, s := range in.servers {
		_ = s.Shutdown()
	}
}

// internetMainZones is how many zones the lab internet adds to the main
// server: the scenario zones, the providers' zones (their own and their
// four customers'), "test.", "com.", "net." and "internal.", the partially lame
// zone and the healthy authority-mode zone.
const internetMainZones = 3 + 6 + 4 + 2
