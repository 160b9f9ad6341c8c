package dnsaudit

import (
	"fmt"
	"strings"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
)

// Failures stay failures: a step that decides a verdict (the address
// chain, a record lookup, the delegation walk to a zone's parent, a
// zone's lame check, a registration check, a record target's existence)
// and could not be done is a dns.lookup-failed finding naming the step and
// what the servers said. finish turns a result that carries one and would
// otherwise read ok or unresolved into error: what was not assessed is
// never reported as fine. Dangling and vulnerable verdicts stand (they
// rest on answers that were given); the failure is listed next to them.

// lookupFailed is the finding of a step that could not be done: subject
// is the name, zone or "name TYPE" it was about.
func lookupFailed(subject, title, detail string, ev []finding.DNSAnswer) finding.Finding {
	return verdict(IDLookupFailed, finding.Info, finding.Confirmed, subject, title, detail, ev)
}

// notAssessed records a step that could not be done (once per subject).
func (rn *run) notAssessed(f finding.Finding) {
	if !rn.has(f.ID, f.Location.Param) {
		rn.add(f, false)
	}
}

// notAssessedReason is why a result whose steps failed is error: the
// failed steps, in the order they failed.
func (rn *run) notAssessedReason() string {
	var why []string
	for _, f := range rn.res.Findings {
		if f.ID == IDLookupFailed {
			why = append(why, f.Title)
		}
	}
	if len(why) == 0 {
		return ""
	}
	return fmt.Sprintf("not fully assessed: %s", strings.Join(why, "; "))
}

// zoneFailure is the finding of a zone whose parent's servers failed when
// asked about it: its delegation (and whatever rests on it) is unknown.
func zoneFailure(zone, what string, e *zoneEntry) finding.Finding {
	by := "its parent zone's servers"
	if e != nil && e.fromZone != "" {
		by = fmt.Sprintf("the servers of %s", zoneLabel(e.fromZone))
	}
	why := "no answer"
	var ev []finding.DNSAnswer
	if e != nil {
		if e.why != "" {
			why = e.why
		}
		if e.ev.Name != "" {
			ev = []finding.DNSAnswer{e.ev}
		}
	}
	return lookupFailed(zone, fmt.Sprintf("%s could not be checked: %s failed (%s)", what, by, why),
		"A failure (timeout, SERVFAIL, no usable answer) is no verdict: this step was not done, so the result is not ok.", ev)
}

// zoneLabel names a zone for people: "the root" for ".".
func zoneLabel(z string) string {
	if z == "." || z == "" {
		return "the root"
	}
	return z
}

// answerEvidence is the evidence of a failed query: its reply, or the
// error's record of what was asked of whom.
func answerEvidence(ans *netx.Answer, err error) []finding.DNSAnswer {
	if ans != nil {
		return []finding.DNSAnswer{ans.Evidence()}
	}
	if de, ok := asDNSError(err); ok {
		return []finding.DNSAnswer{de.Evidence()}
	}
	return nil
}
