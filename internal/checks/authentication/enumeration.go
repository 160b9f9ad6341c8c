package authentication

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/plumbsec/plumb/internal/accounts"
	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/spec"
)

// IDEnumeration is the rule AccountEnumeration emits.
const IDEnumeration = "authentication.account-enumeration"

// Timing parameters: pairs of samples per round, the smallest median
// difference worth reporting, and how many times the spread it must
// exceed.
const (
	timingPairs  = 7
	confirmPairs = 5
	minTimingGap = 50 * time.Millisecond
	spreadFactor = 3
)

// AccountEnumeration compares the login and password-reset answers for an
// account that exists (a throw-away one plumb registers) and one that does
// not: their status and body, then, for the login, their timing.
type AccountEnumeration struct{}

// Meta describes the check.
func (AccountEnumeration) Meta() check.Meta {
	return check.Meta{
		ID: IDEnumeration, Title: "Answers tell which accounts exist", Category: finding.CatAuthentication,
		OWASP: "API2:2023", CWE: "CWE-204", Severity: finding.Medium,
		Needs: check.NeedSpec | check.NeedWrites, Phase: check.PhaseWrites,
		Description: "With --allow-writes only (logins and resets are POSTs). Registers a throw-away account and compares, for " +
			"it and for a name that does not exist, the answers of the login operation (a wrong password) and of the " +
			"password-reset operation: status and body (the names masked), each sent twice to rule out noise; then, when " +
			"the login answers match, their timing over 7 interleaved pairs, reported when the median gap is at least 50 ms " +
			"and three times the samples' spread (median absolute deviation) and a second round of 5 pairs agrees. Never " +
			"aims a wrong password at a real account: without a registration operation only the reset is compared, with " +
			"identity A's address (and the report lists the reset e-mail as sent). Registration answers are not compared: " +
			"an API must refuse a taken name.",
		Remediation: enumRemediation,
	}
}

// Run compares the answers.
func (c AccountEnumeration) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	ops := accounts.Find(in.API)
	if ops.Login == nil && ops.Reset == nil {
		return nil, nil
	}
	t, err := accounts.RegisterIfAble(ctx, in, IDEnumeration, nil)
	if err != nil {
		return nil, reqgen.FatalOnly(ctx, err)
	}
	if t != nil {
		defer t.Close(ctx, in)
	}
	var fs []finding.Finding
	if ops.Login != nil {
		if t == nil {
			in.Coverage.Skip(*ops.Login, "account enumeration aims wrong passwords only at a throw-away account: no registration operation")
		} else if f, err := c.login(ctx, in, ops, t); err != nil {
			return fs, err
		} else if f != nil {
			fs = append(fs, *f)
		}
	}
	if ops.Reset != nil {
		f, err := c.reset(ctx, in, ops, t)
		if err != nil {
			return fs, err
		}
		if f != nil {
			fs = append(fs, *f)
		}
	}
	return fs, nil
}

// answer is one request and its answer, normalized for comparison.
type answer struct {
	req  *netx.Request
	resp *netx.Response
	norm string
}

// send sends op with fields as the anonymous client and normalizes the
// answer: status and body, with the names replaced.
func send(ctx context.Context, in *check.Input, op spec.Operation, fields map[string]any, names ...string) (answer, error) {
	u, ok := in.OperationURL(op)
	if !ok {
		return answer{}, errors.New("required header or cookie parameter")
	}
	req, err := reqgen.BodyRequest(op, op.Method, u, fields, false)
	if err != nil {
		return answer{}, err
	}
	resp, err := in.HTTP.Do(ctx, req)
	if err != nil {
		return answer{}, err
	}
	in.Coverage.Requested(op, resp.StatusCode)
	body := string(resp.Body)
	for _, n := range names {
		if n != "" {
			body = strings.ReplaceAll(body, n, "{account}")
		}
	}
	return answer{req, resp, fmt.Sprintf("%d %s", resp.StatusCode, strings.Join(strings.Fields(body), " "))}, nil
}

// differ sends the existing and the unknown variant twice each,
// interleaved, and reports whether the answers are stable within each
// and differ between them.
func differ(ctx context.Context, in *check.Input, op spec.Operation, existing, unknown map[string]any, names ...string) (bool, answer, answer, error) {
	var e, u [2]answer
	for i := range 2 {
		var err error
		if e[i], err = send(ctx, in, op, existing, names...); err != nil {
			return false, e[0], u[0], err
		}
		if u[i], err = send(ctx, in, op, unknown, names...); err != nil {
			return false, e[0], u[0], err
		}
	}
	return e[0].norm == e[1].norm && u[0].norm == u[1].norm && e[0].norm != u[0].norm, e[0], u[0], nil
}

// login compares a wrong password for the throw-away account with one for
// a name that does not exist.
func (c AccountEnumeration) login(ctx context.Context, in *check.Input, ops accounts.Ops, t *accounts.Account) (*finding.Finding, error) {
	op := *ops.Login
	wrong := accounts.NewPassword(in)
	ghost := "plumb-" + accounts.Nonce(4) + "-nobody"
	if strings.Contains(t.LoginName(), "@") {
		ghost += "@example.com"
	}
	existing, unknown := reqgen.BodyFields(op), reqgen.BodyFields(op)
	accounts.Fill(existing, op, t.LoginName(), t.LoginName(), wrong)
	accounts.Fill(unknown, op, ghost, ghost, wrong)
	diff, e, u, err := differ(ctx, in, op, existing, unknown, t.LoginName(), ghost)
	if err != nil {
		return nil, reqgen.FatalOnly(ctx, err)
	}
	if diff {
		return c.report(in, op, "the login operation answers differently for an existing account", fmt.Sprintf(
			"A wrong password for plumb's throw-away account %s and for the unknown name %s, each sent twice: the answers "+
				"are stable and differ (%s vs %s), so the login tells who has an account.", t.Username, ghost, short(e.norm), short(u.norm)),
			finding.Confirmed, e, u), nil
	}
	gap, ok, err := timingGap(ctx, in, op, existing, unknown, timingPairs)
	if err != nil || !ok {
		return nil, reqgen.FatalOnly(ctx, err)
	}
	gap2, ok, err := timingGap(ctx, in, op, existing, unknown, confirmPairs)
	if err != nil || !ok {
		return nil, reqgen.FatalOnly(ctx, err)
	}
	return c.report(in, op, "the login operation takes longer for an existing account", fmt.Sprintf(
		"The answers match, but a wrong password for plumb's throw-away account %s takes longer than one for the unknown name "+
			"%s: the median gap was %s over %d interleaved pairs and %s over %d more, each more than %d times the samples' "+
			"spread. The password is checked only when the account exists, so the timing tells who has one.",
		t.Username, ghost, gap.Round(time.Millisecond), timingPairs, gap2.Round(time.Millisecond), confirmPairs, spreadFactor),
		finding.Firm, e, u), nil
}

// timingGap sends n interleaved pairs and returns the median gap when it
// is at least minTimingGap and spreadFactor times the spread.
func timingGap(ctx context.Context, in *check.Input, op spec.Operation, existing, unknown map[string]any, n int) (time.Duration, bool, error) {
	var te, tu []time.Duration
	for range n {
		e, err := send(ctx, in, op, existing)
		if err != nil {
			return 0, false, err
		}
		u, err := send(ctx, in, op, unknown)
		if err != nil {
			return 0, false, err
		}
		if e.resp.StatusCode == http.StatusTooManyRequests || u.resp.StatusCode == http.StatusTooManyRequests {
			return 0, false, nil // limited: the timing says nothing
		}
		te, tu = append(te, e.resp.Duration), append(tu, u.resp.Duration)
	}
	me, mu := median(te), median(tu)
	gap, spread := me-mu, mad(te, me)+mad(tu, mu)
	return gap, gap >= minTimingGap && gap >= spreadFactor*spread, nil
}

// reset compares the reset answers for an existing address (the
// throw-away account's, else identity A's) and an unknown one.
func (c AccountEnumeration) reset(ctx context.Context, in *check.Input, ops accounts.Ops, t *accounts.Account) (*finding.Finding, error) {
	op := *ops.Reset
	cp, err := in.Corpus(ctx)
	if err != nil {
		return nil, err
	}
	addr, whose := "", ""
	if t != nil {
		addr, whose = t.Email, "plumb's throw-away account "+t.Username
	} else if in.HasCredentials {
		addr, whose = selfEmail(cp), "identity A"
	}
	if addr == "" {
		in.Coverage.Skip(op, "no existing account's address to compare")
		return nil, nil
	}
	ghost := "plumb-" + accounts.Nonce(4) + "-nobody@example.com"
	existing, unknown := reqgen.BodyFields(op), reqgen.BodyFields(op)
	accounts.Fill(existing, op, addr, addr, "")
	accounts.Fill(unknown, op, ghost, ghost, "")
	if t == nil {
		in.Changes.Made(resetChange(op, addr)).Failed("a reset e-mail cannot be unsent; identity A may have received two")
	}
	diff, e, u, err := differ(ctx, in, op, existing, unknown, addr, ghost)
	if err != nil || !diff {
		return nil, reqgen.FatalOnly(ctx, err)
	}
	return c.report(in, op, "the password reset answers differently for an existing account", fmt.Sprintf(
		"A reset for the address of %s and for the unknown address %s, each sent twice: the answers are stable and differ "+
			"(%s vs %s), so the reset tells which addresses have an account.", whose, ghost, short(e.norm), short(u.norm)),
		finding.Confirmed, e, u), nil
}

func (c AccountEnumeration) report(in *check.Input, op spec.Operation, what, summary string, conf finding.Confidence, e, u answer) *finding.Finding {
	f := check.New(c.Meta(), fmt.Sprintf("%s %s: %s", op.Method, op.Path, what), finding.Location{Host: in.Target.Host, Method: op.Method, Path: op.Path})
	f.Confidence = conf
	f.Evidence = finding.Evidence{Summary: summary, HTTP: []finding.HTTPExchange{in.HTTP.Evidence(e.req, e.resp, nil), in.HTTP.Evidence(u.req, u.resp, nil)}}
	f.Remediation = enumRemediation
	return &f
}

// selfEmail is identity A's e-mail address from its corpus records.
func selfEmail(cp *reqgen.Corpus) string {
	for _, m := range cp.A.Markers {
		if strings.Contains(m, "@") {
			return m
		}
	}
	return ""
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// mad is the median absolute deviation from m.
func mad(ds []time.Duration, m time.Duration) time.Duration {
	dev := make([]time.Duration, len(ds))
	for i, d := range ds {
		dev[i] = max(d-m, m-d)
	}
	return median(dev)
}

func short(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}
