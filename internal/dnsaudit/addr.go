package dnsaudit

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"strings"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
)

var (
	cgnat     = netip.MustParsePrefix("100.64.0.0/10")
	metadata4 = netip.MustParseAddr("169.254.169.254")
	metadata6 = netip.MustParseAddr("fd00:ec2::254")
)

// InternalKind names why addr should not appear in public DNS, or "".
func InternalKind(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case ip == metadata4 || ip == metadata6:
		return "cloud metadata"
	case ip.IsLoopback():
		return "loopback"
	case ip.IsPrivate():
		return "private"
	case ip.IsLinkLocalUnicast():
		return "link-local"
	case cgnat.Contains(ip):
		return "CGNAT"
	case ip.IsUnspecified():
		return "unspecified"
	}
	return ""
}

// checkAddrs reports internal addresses in public DNS and, in inventory
// mode, addresses outside the networks the user owns.
func (rn *run) checkAddrs() {
	var internal, unowned []string
	for _, ip := range rn.res.Addrs {
		if k := InternalKind(ip); k != "" {
			internal = append(internal, fmt.Sprintf("%s (%s)", ip, k))
			continue
		}
		if len(rn.a.opts.OwnedNets) > 0 && !owned(ip, rn.a.opts.OwnedNets) {
			unowned = append(unowned, ip.String())
		}
	}
	if len(internal) > 0 && !rn.a.opts.IgnoreInternal {
		rn.add(verdict(IDInternalAddress, finding.Low, finding.Firm, rn.res.Name,
			fmt.Sprintf("%s resolves to internal addresses: %s", rn.res.Name, strings.Join(internal, ", ")),
			"An internal address in public DNS leaks network layout and can steer clients to whatever answers there.", nil), false)
	}
	if len(unowned) > 0 {
		rn.add(verdict(IDUnownedAddress, finding.Low, finding.Tentative, rn.res.Name,
			fmt.Sprintf("%s resolves to %s, outside the networks you own", rn.res.Name, strings.Join(unowned, ", ")),
			"Possibly a released cloud address now owned by someone else; DNS alone cannot tell (a dead address is not a released one).", nil), false)
	}
}

func owned(ip netip.Addr, nets []netip.Prefix) bool {
	for _, p := range nets {
		if p.Contains(ip.Unmap()) {
			return true
		}
	}
	return false
}

// genericTokens are error texts every web server emits; a fingerprint made
// only of them would call any healthy API's 404 a takeover.
var genericTokens = []string{
	"404 not found", "page not found", "not found", "this page could not be found.",
	"the requested url was not found on this server.", "404 page not found", "{\"message\":\"not found\"}",
}

func generic(fp HTTPFingerprint) bool {
	for _, b := range fp.Body {
		if len(b) >= 16 && !isGeneric(b) {
			return false
		}
	}
	return true
}

func isGeneric(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, g := range genericTokens {
		if s == g {
			return true
		}
	}
	return false
}

func (fp HTTPFingerprint) matches(resp *netx.Response) bool {
	if resp != nil && fp.Match != nil {
		ok, _ := fp.Match(resp.StatusCode, resp.Header, resp.Body)
		return ok
	}
	if resp == nil || generic(fp) || (fp.Status != 0 && resp.StatusCode != fp.Status) {
		return false
	}
	for _, b := range fp.Body {
		if !strings.Contains(string(resp.Body), b) {
			return false
		}
	}
	return true
}

// httpFingerprint asks the victim name (as Host) over https then http,
// without following redirects, and matches the "unclaimed" page of the
// service the DNS chain identified, and only that service.
func (rn *run) httpFingerprint(ctx context.Context, c *chain) {
	if rn.a.opts.HTTP == nil {
		return
	}
	var svcs []ServiceInfo
	for _, n := range c.names[1:] {
		for _, s := range rn.a.fp.IdentifyCNAME(n) {
			if len(s.HTTP) > 0 {
				svcs = append(svcs, s)
			}
		}
	}
	if len(svcs) == 0 {
		return
	}
	var (
		seen     []finding.HTTPExchange
		answered bool
	)
	defer func() {
		if !answered && ctx.Err() == nil {
			// Failures stay failures: the page that tells a claimed
			// resource from an unclaimed one was never seen.
			f := lookupFailed(rn.res.Name+" HTTP", fmt.Sprintf("the %s fingerprint of %s could not be checked: neither https nor http answered",
				svcs[0].Name, rn.res.Name), "", nil)
			f.Evidence.HTTP = seen
			rn.notAssessed(f)
		}
	}()
	for _, scheme := range []string{"https", "http"} {
		req := &netx.Request{Method: http.MethodGet, URL: scheme + "://" + rn.res.Name + "/"}
		resp, err := rn.a.opts.HTTP.Do(ctx, req)
		seen = append(seen, rn.a.opts.HTTP.Evidence(req, resp, err))
		if err != nil {
			continue
		}
		answered = true
		for _, s := range svcs {
			for _, fp := range s.HTTP {
				if !fp.matches(resp) {
					continue
				}
				var dnsEv []finding.DNSAnswer
				for _, a := range c.answers {
					dnsEv = append(dnsEv, a.Evidence())
				}
				f := verdict(IDUnclaimedService, finding.High, finding.Firm, rn.res.Name,
					fmt.Sprintf("%s points at an unclaimed %s resource", rn.res.Name, s.Name),
					fmt.Sprintf("The CNAME chain %s identifies %s, and %s shows its \"nothing here\" page.", joinNames(c.names), s.Name, req.URL),
					dnsEv)
				f.Evidence.HTTP = seen
				rn.add(f, s.Claim == ClaimClaimable && s.Vulnerable)
				return
			}
		}
	}
}
