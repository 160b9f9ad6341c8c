package dnsaudit

import (
	"context"
	"fmt"
	"strings"

	"github.com/miekg/dns"

	"github.com/plumbsec/plumb/internal/finding"
)

// Finding ids of record targets: the name a record points at does not
// exist, or lies in a domain nobody registered.
const (
	IDDanglingMX    = "dns.dangling-mx"
	IDDanglingNS    = "dns.dangling-ns"
	IDDanglingSRV   = "dns.dangling-srv"
	IDDanglingSPF   = "dns.dangling-spf"
	IDDanglingDMARC = "dns.dangling-dmarc"
	IDDanglingCAA   = "dns.dangling-caa"
)

// targetKind is what a record type's target does and what it costs when
// someone else answers for it.
type targetKind struct {
	id       string
	sev      finding.Severity // when someone can claim it; one less when it only dangles
	claimGot string           // what whoever registers the domain gets
	claim    bool             // registering the domain is a takeover
}

func kindOf(kind string) targetKind {
	switch {
	case kind == "MX":
		return targetKind{IDDanglingMX, finding.High, "receives the mail sent to %s (password resets included)", true}
	case kind == "NS":
		return targetKind{IDDanglingNS, finding.High, "answers DNS queries for %s", true}
	case kind == "SRV":
		return targetKind{IDDanglingSRV, finding.Medium, "receives the clients of the service %s announces", true}
	case strings.HasPrefix(kind, "SPF"):
		return targetKind{IDDanglingSPF, finding.Medium, "can authorize any server to send mail as %s (SPF passes)", true}
	case strings.HasPrefix(kind, "DMARC"):
		return targetKind{IDDanglingDMARC, finding.Medium, "receives the DMARC reports about mail sent as %s", true}
	}
	return targetKind{IDDanglingCAA, finding.Low, "is named as a certificate authority for %s (no trusted CA uses the name)", false}
}

type targetState int

const (
	targetOK targetState = iota
	targetUnregistered
	targetNX
	targetFailed // the check could not be done: never cached, never a verdict
)

// targetVerdict is what a target host is, cached per host and type for the run.
type targetVerdict struct {
	state targetState
	reg   string
	ev    []finding.DNSAnswer
	svc   *ServiceInfo // the service namespace of an NXDOMAIN target, when known
	why   string
	fail  finding.Finding // targetFailed: what could not be checked
}

// auditTarget reports a record target that does not exist or whose
// registrable domain nobody registered.
func (rn *run) auditTarget(ctx context.Context, t target) {
	owner := rn.res.Name
	v := rn.targetVerdict(ctx, t.host, t.qtype, registrable(owner))
	k := kindOf(t.kind)
	if v.state == targetFailed {
		f := v.fail
		f.Title = fmt.Sprintf("%s target %s of %s: %s", t.kind, t.host, owner, f.Title)
		f.Location.Param = t.kind + " " + t.host
		f.Evidence.DNS = append([]finding.DNSAnswer{t.ev}, f.Evidence.DNS...)
		rn.notAssessed(f)
		return
	}
	if v.state == targetOK || rn.has(k.id, t.host) {
		return
	}
	got := fmt.Sprintf(k.claimGot, owner)
	f := verdict(k.id, k.sev, finding.Firm, t.host, "", "", append([]finding.DNSAnswer{t.ev}, v.ev...))
	claimable := false
	switch {
	case v.state == targetUnregistered:
		claimable = k.claim
		f.Title = fmt.Sprintf("%s of %s points at %s, under %s, which is not registered: whoever buys it %s", t.kind, owner, t.host, v.reg, got)
		f.Evidence.Summary = v.why
	case v.svc != nil && v.svc.Claim == ClaimClaimable && v.svc.Vulnerable:
		claimable = k.claim
		f.Title = fmt.Sprintf("%s of %s points at %s, which does not exist and anyone can claim on %s: whoever does %s", t.kind, owner, t.host, v.svc.Name, got)
		f.Evidence.Summary = v.svc.Name + ": " + v.svc.Note + "."
	default:
		f.Severity--
		f.Title = fmt.Sprintf("%s of %s points at %s, which does not exist", t.kind, owner, t.host)
		f.Evidence.Summary = "Whoever can create that name " + got + "; its domain is registered, so that is its owner (or its DNS host)."
	}
	if !k.claim {
		f.Evidence.Summary += " A CAA issuer names a CA; registering the domain does not make anyone a trusted CA, so this is dangling, not a takeover."
	}
	rn.add(f, claimable)
}

// targetVerdict audits host once per run: is its registrable domain
// registered (when it differs from the owner's), and does host exist
// (asked with qtype; 0 skips that question)?
func (rn *run) targetVerdict(ctx context.Context, host string, qtype uint16, ownerReg string) *targetVerdict {
	key := fmt.Sprintf("t:%s/%d", host, qtype)
	if v, ok := rn.a.cache.target(key); ok {
		return v
	}
	v := &targetVerdict{reg: registrable(host)}
	if v.reg != "" && v.reg != ownerReg {
		f, fail := rn.unregistered(ctx, host)
		if f != nil {
			v.state, v.ev, v.why = targetUnregistered, f.Evidence.DNS, f.Evidence.Summary
			rn.a.cache.putTarget(key, v)
			return v
		}
		if fail != nil {
			// A failure is no verdict, and is not cached (the failed zone is).
			return &targetVerdict{state: targetFailed, fail: *fail}
		}
	}
	if qtype != 0 {
		ans, err := rn.recursive(ctx, host, qtype)
		switch {
		case ans == nil || (ans.Rcode != dns.RcodeSuccess && ans.Rcode != dns.RcodeNameError):
			return &targetVerdict{state: targetFailed, fail: lookupFailed(host,
				fmt.Sprintf("whether it exists could not be checked: %s %s failed (%s)", host, dns.TypeToString[qtype], failureText(ans, err)),
				"", answerEvidence(ans, err))}
		case ans.Rcode == dns.RcodeNameError:
			v.state, v.ev = targetNX, []finding.DNSAnswer{ans.Evidence()}
			if svcs := rn.a.fp.IdentifyCNAME(host); len(svcs) > 0 {
				v.svc = &svcs[0]
			}
		}
	}
	rn.a.cache.putTarget(key, v)
	return v
}
