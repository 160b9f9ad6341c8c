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
	rootIP     = "127.0.0.2" // the root zone
	tldIP      = "127.0.0.3" // test., com., net.
	providerIP = "127.0.0.4" // a DNS host (DigitalOcean-, Route 53-like) that lost the customers' zones
)

// Delegation scenarios served by the lab internet. Names resolve through the
// main lab resolver as a real recursive resolver would: a fully lame zone
// answers SERVFAIL.
const (
	LameZone        = "lamecorp.test"    // delegated only to a provider that lost the zone (anyone can re-create it there)
	PartialLameZone = "partial.test"     // one nameserver serves it, one does not
	R53LameZone     = "r53lame.test"     // lame at a provider that blocks re-creation
	OrphanNSZone    = "orphanns.test"    // delegated to a nameserver under an unregistered domain
	UnregisteredDom = "gone-vendor.test" // never registered; vulnshop.test CNAMEs into it
	MailRotZone     = "mailrot.test"     // its MX is under UnregisteredDom
)

// internetZones are the zones of the root and TLD servers and of the
// provider; delegations of the main lab zones are added from zoneData.
func internetZones(mainZones []string) (root, tld, provider []Zone, err error) {
	rootLines := []string{"@ 300 IN SOA a.root.test. hostmaster.root.test. 2024010101 3600 600 86400 60", "@ NS a.root.test.", "a.root.test. A " + rootIP}
	for _, t := range []string{"test.", "com.", "net."} {
		rootLines = append(rootLines, t+" NS a.nic.test.")
	}
	rootLines = append(rootLines, "a.nic.test. A "+tldIP)
	tldLines := map[string][]string{"test.": {}, "com.": {}, "net.": {}}
	deleg := func(tld, zone string, ns ...string) {
		for _, n := range ns {
			name, glue, _ := strings.Cut(n, "=")
			tldLines[tld] = append(tldLines[tld], zone+" NS "+name)
			if glue != "" {
				tldLines[tld] = append(tldLines[tld], name+" A "+glue)
			}
		}
	}
	for _, z := range mainZones {
		if t := z[strings.Index(z, ".")+1:]; tldLines[t] != nil && strings.Count(z, ".") == 2 {
			deleg(t, z, "ns1."+z+"=127.0.0.1")
		}
	}
	deleg("com.", "digitalocean.com.", "ns1.digitalocean.com.="+providerIP, "ns2.digitalocean.com.="+providerIP)
	deleg("com.", "awsdns-01.com.", "ns-1.awsdns-01.com.="+providerIP)
	deleg("test.", LameZone+".", "ns1.digitalocean.com.", "ns2.digitalocean.com.")
	deleg("test.", PartialLameZone+".", "ns1."+PartialLameZone+".=127.0.0.1", "ns2.digitalocean.com.")
	deleg("test.", R53LameZone+".", "ns-1.awsdns-01.com.")
	deleg("test.", OrphanNSZone+".", "ns1.expired-dns.test.")
	r, err := ParseZone(".", rootLines...)
	if err != nil {
		return nil, nil, nil, err
	}
	root = []Zone{r}
	for _, t := range []string{"test.", "com.", "net."} {
		z, err := ParseZone(t, append([]string{soaLine(t)}, tldLines[t]...)...)
		if err != nil {
			return nil, nil, nil, err
		}
		tld = append(tld, z)
	}
	for _, p := range []struct{ origin, ns string }{{"digitalocean.com.", "ns1"}, {"awsdns-01.com.", "ns-1"}} {
		z, err := ParseZone(p.origin, soaLine(p.origin), "@ NS "+p.ns+"."+p.origin, p.ns+" A "+providerIP, "ns2 A "+providerIP)
		if err != nil {
			return nil, nil, nil, err
		}
		provider = append(provider, z)
	}
	return root, tld, provider, nil
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

func (s *authServer) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	if len(req.Question) != 1 {
		m.Rcode = dns.RcodeFormatError
		_ = w.WriteMsg(m)
		return
	}
	q := req.Question[0]
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
func (w *World) startInternet() error {
	_, port, err := net.SplitHostPort(w.DNSAddr)
	if err != nil {
		return err
	}
	mailrot, err := ParseZone(MailRotZone+".", soaLine(MailRotZone+"."), "@ NS ns1", "ns1 A 127.0.0.1", "www A 127.0.0.1",
		"@ MX 10 mx."+UnregisteredDom+".")
	if err != nil {
		return err
	}
	w.DNS.AddZone(mailrot) // before the TLD zones are built, so "test." delegates it
	root, tld, provider, err := internetZones(w.DNS.Zones())
	if err != nil {
		return err
	}
	in := &internet{}
	for _, r := range []struct {
		ip    string
		zones []Zone
	}{{rootIP, root}, {tldIP, tld}, {providerIP, provider}} {
		h := newAuthServer(r.zones)
		for _, netw := range []string{"udp", "tcp"} {
			srv := &dns.Server{Addr: net.JoinHostPort(r.ip, port), Net: netw, Handler: h}
			started := make(chan struct{})
			errc := make(chan error, 1)
			srv.NotifyStartedFunc = func() { close(started) }
			go func() { errc <- srv.ListenAndServe() }()
			select {
			case <-started:
			case err := <-errc:
				in.close()
				return fmt.Errorf("lab internet %s %s: %w", netw, srv.Addr, err)
			}
			in.servers = append(in.servers, srv)
		}
	}
	w.internet = in
	w.RootAddr = net.JoinHostPort(rootIP, port)
	w.AuthorityPort = port
	return w.addInternetRecords(provider)
}

// addInternetRecords teaches the main (recursive) lab server what the
// lab internet implies for names a client looks up.
func (w *World) addInternetRecords(provider []Zone) error {
	for _, z := range provider {
		w.DNS.AddZone(z)
	}
	extra := []string{
		soaLine("test."),
		"ns1." + PartialLameZone + ". A 127.0.0.1",
	}
	tz, err := ParseZone("test.", extra[0])
	if err != nil {
		return err
	}
	w.DNS.AddZone(tz) // "test." answers NXDOMAIN for unregistered names
	pz, err := ParseZone(PartialLameZone+".", soaLine(PartialLameZone+"."), "@ NS ns1", "@ NS ns2.digitalocean.com.", "ns1 A 127.0.0.1", "api A 127.0.0.1")
	if err != nil {
		return err
	}
	w.DNS.AddZone(pz)
	for _, rec := range append([]string{
		"billing.vulnshop.test. CNAME api.gone-vendor.test.",
		"nsdead.vulnshop.test. CNAME www." + OrphanNSZone + ".",
		"*.tenants.vulnshop.test. CNAME vulnshop-tenants.azurewebsites.net.", // a dangling wildcard
	}, takeoverRecords...) {
		if err := w.DNS.AddRecord(rec); err != nil {
			return err
		}
	}
	for _, n := range []string{LameZone, "api." + LameZone, "www." + LameZone, R53LameZone, "api." + R53LameZone,
		OrphanNSZone, "www." + OrphanNSZone} {
		w.DNS.SetBehaviour(n, BehaviourServfail) // what a real resolver says for a lame zone
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

// internetMainZones is how many zones addInternetRecords adds to the main
// server (two providers, "test.", the partially lame zone, mailrot.test).
const internetMainZones = 5
