package llm

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"strings"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
)

// Probe-independent endpoint state, kept next to the Endpoint.
type epState struct {
	general  bool      // an application that obeyed the plain baseline
	unauth   bool      // answered with no credential
	normal   string    // the reply to a plain greeting
	confirmX *exchange // the confirmation exchange
	secrets  map[string]bool
}

const greeting = "Hello! What can you help me with?"

// confirm decides whether e is generative. A join probe the model obeys
// confirms it and teaches where the reply is. An answer in a known model
// wire shape (chat completions and its kin) is a model's whatever it
// says: further phrasings of the join may confirm it, and it is kept
// (tentative) when none does. Otherwise two prompts must both get a prose
// answer, at the same place, that is not an echo of the request
// (tentative: a restricted assistant that declines the join). A candidate
// not kept comes with why.
func (r *runner) confirm(ctx context.Context, e *Endpoint) (bool, string, error) {
	st := r.state(e)
	task, joined := joinTask()
	t := Turn{User: "Please reply with only " + task + "."}
	x, err := r.send(ctx, e, t, true, nil)
	if err != nil || !x.ok() {
		return false, failedProbe(x), ignoreStop(err)
	}
	ct := x.resp.Header.Get("Content-Type")
	e.HTML = isHTML(ct)
	st.confirmX = x
	if p, ok := LearnReply(x.resp.Body, ct, func(s string) bool { return JoinedNonce(s, joined, "") }); ok {
		e.Reply, e.Confirmed = p, true
		st.general = !e.Raw()
		return true, "", nil
	}
	if shape, p, ok := wireShape(x.resp.Body, ct); ok {
		e.Reply, e.Shape = p, shape
		return true, "", r.rephrase(ctx, e)
	}
	first := map[string]string{}
	for _, l := range candidates(x.resp.Body, ct) {
		if prose(l.text, t.User) {
			first[strings.Join(l.path, ".")] = l.text
		}
	}
	if len(first) == 0 {
		return false, "no prose anywhere in its answer to a join-two-strings task, and no known model wire shape (an echo or a plain API)", nil
	}
	y, err := r.send(ctx, e, Turn{User: greeting}, true, nil)
	if err != nil || !y.ok() {
		return false, failedProbe(y), ignoreStop(err)
	}
	best := ""
	for _, l := range candidates(y.resp.Body, y.resp.Header.Get("Content-Type")) {
		k := strings.Join(l.path, ".")
		if a, ok := first[k]; ok && prose(l.text, greeting) && Normalize(a) != Normalize(l.text) && len(l.text) > len(best) {
			best, e.Reply = l.text, pathOf(l)
		}
	}
	if best == "" {
		return false, "its answers to a join task and a greeting were not prose at one same place", nil
	}
	st.normal = best
	return true, "", nil
}

// rephrase asks an endpoint that answers in a model wire shape for the
// join in other words; one it follows confirms the endpoint.
func (r *runner) rephrase(ctx context.Context, e *Endpoint) error {
	st := r.state(e)
	for _, phrase := range joinPhrasings {
		a, b := nonce(), nonce()
		y, err := r.send(ctx, e, Turn{User: phrase(a, b)}, true, nil)
		if err != nil {
			return ignoreStop(err)
		}
		if y.ok() && JoinedNonce(y.reply, a, b) {
			e.Confirmed, st.confirmX = true, y
			st.general = !e.Raw()
			return nil
		}
		if y.ok() && st.normal == "" {
			st.normal = y.reply
		}
	}
	return nil
}

// failedProbe says what became of a confirmation probe that got no 2xx.
func failedProbe(x *exchange) string {
	if x == nil || x.resp == nil {
		return "the confirmation probe got no answer"
	}
	return fmt.Sprintf("the confirmation probe was answered HTTP %d", x.resp.StatusCode)
}

// prose reports whether s reads as a generated answer to prompt: a few
// words, and not an echo of the prompt.
func prose(s, prompt string) bool {
	n := Normalize(s)
	if wordCount(n) < 3 {
		return false
	}
	p := Normalize(prompt)
	if strings.Contains(n, p) {
		return false
	}
	// Echoing a good part of the prompt (e.g. "No books match <query>").
	return CommonRun(n, p) == "" || wordCount(CommonRun(n, p)) < 4
}

func isHTML(ct string) bool {
	mt, _, _ := mime.ParseMediaType(ct)
	return mt == "text/html"
}

func ignoreStop(err error) error {
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// state returns the probe state of e.
func (r *runner) state(e *Endpoint) *epState {
	if r.states == nil {
		r.states = map[*Endpoint]*epState{}
	}
	st := r.states[e]
	if st == nil {
		st = &epState{secrets: map[string]bool{}}
		r.states[e] = st
	}
	return st
}

// generated reports whether x got a generated answer: the joined nonce on
// a confirmed endpoint, a prose reply on a tentative one.
func (r *runner) generated(e *Endpoint, x *exchange, joined, prompt string) bool {
	if !x.ok() {
		return false
	}
	if e.Confirmed {
		return JoinedNonce(x.reply, joined, "")
	}
	return prose(x.reply, prompt)
}

// identityB is the second identity's client for the cross-session probe;
// nil (probe skipped) without --header-b/--bearer-env-b/--login-b.
func (r *runner) identityB() *netx.Client { return r.in.HTTPB }

// probeEndpoint runs every family the tier allows against e, then
// reports the endpoint itself with what it cost.
func (r *runner) probeEndpoint(ctx context.Context, e *Endpoint) error {
	for _, fam := range []func(context.Context, *Endpoint) error{
		r.probeAuth, r.probeCost, r.probeInjection, r.probeLeak, r.probeOutput, r.probeAgency,
		func(ctx context.Context, e *Endpoint) error { return r.crossSession(ctx, e, r.identityB()) },
	} {
		if err := fam(ctx, e); err != nil {
			if errors.Is(err, errStop) {
				break
			}
			return err
		}
	}
	how := "tentative: it deflects a plain join-two-strings task but answers in prose"
	if e.Shape != "" {
		how = fmt.Sprintf("tentative: it answers in the %s wire shape but wrote the joined strings for none of %d phrasings", e.Shape, 1+len(joinPhrasings))
	}
	if st := r.state(e); st.confirmX != nil && IsRefusal(Extract(st.confirmX.resp.Body, st.confirmX.resp.Header.Get("Content-Type"), e.Reply)) {
		how = "tentative: it refuses a plain join-two-strings task but answers in prose"
	}
	if e.Confirmed {
		how = "confirmed: it wrote two random strings joined together"
	}
	r.report("llm.endpoint", e, finding.Info, finding.Confirmed, fmt.Sprintf(
		"%s endpoint (%s); replies read from %s; tier %s spent %d of %d requests on it.",
		e.Dialect, how, e.Reply, r.tier, e.Spent, budget[r.tier]), r.state(e).confirmX)
	return nil
}
