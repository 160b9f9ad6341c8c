package llm

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/plumbsec/plumb/internal/finding"
)

// paidUpstreamHeaders mark a proxy to a paid model provider: anonymous use
// spends real money.
var paidUpstreamHeaders = []string{"Openai-Organization", "Openai-Processing-Ms", "Anthropic-Ratelimit-Requests-Limit", "X-Litellm-Response-Cost", "X-Litellm-Model-Api-Base"}

// probeAuth: inference with no credential, then with a made-up key.
func (r *runner) probeAuth(ctx context.Context, e *Endpoint) error {
	st := r.state(e)
	if !r.in.HasCredentials {
		// Every request of this scan went without a credential.
		st.unauth = true
		r.report("llm.auth.unauthenticated", e, r.unauthSeverity(st.confirmX), finding.Confirmed,
			"the scan sent no credential and the endpoint generated an answer.", st.confirmX)
		return nil
	}
	task, joined := joinTask()
	t := Turn{User: "Please reply with only " + task + "."}
	x, err := r.send(ctx, e, t, false, nil)
	if err != nil {
		return err
	}
	if r.generated(e, x, joined, t.User) {
		st.unauth = true
		r.report("llm.auth.unauthenticated", e, r.unauthSeverity(x), finding.Confirmed,
			fmt.Sprintf("a request with no credential got HTTP %d and a generated reply: %q.", x.resp.StatusCode, r.excerpt(x.reply)), x)
		return nil
	}
	task, joined = joinTask()
	t = Turn{User: "Please reply with only " + task + "."}
	fake := http.Header{"Authorization": {"Bearer sk-plumb-invalid-" + nonce()}}
	y, err := r.send(ctx, e, t, false, fake)
	if err != nil {
		return err
	}
	if r.generated(e, y, joined, t.User) {
		r.report("llm.auth.any-key", e, finding.High, finding.Confirmed,
			fmt.Sprintf("a made-up bearer token got HTTP %d and a generated reply: %q.", y.resp.StatusCode, r.excerpt(y.reply)), y)
	}
	return nil
}

func (r *runner) unauthSeverity(x *exchange) finding.Severity {
	if x != nil && x.resp != nil {
		for _, h := range paidUpstreamHeaders {
			if x.resp.Header.Get(h) != "" {
				return finding.Critical
			}
		}
	}
	return finding.High
}

// announcesLimit reports whether a response enforces (429) or announces
// a rate limit.
func announcesLimit(h http.Header, status int) bool {
	if status == http.StatusTooManyRequests || h.Get("Retry-After") != "" {
		return true
	}
	for k := range h {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-ratelimit") || strings.HasPrefix(lk, "ratelimit") || strings.Contains(lk, "-ratelimit-") {
			return true
		}
	}
	return false
}

// burst is how many minimal requests the rate-limit probe sends.
var burst = map[string]int{TierQuick: 5, TierStandard: 10, TierDeep: 20}

// probeCost: rate limit, max_tokens bound, n and model pass-through.
func (r *runner) probeCost(ctx context.Context, e *Endpoint) error {
	st := r.state(e)
	if r.runs("llm.cost.no-rate-limit") && !announcesLimit(st.confirmX.resp.Header, st.confirmX.resp.StatusCode) {
		var last *exchange
		limited := false
		for range burst[r.tier] {
			x, err := r.send(ctx, e, Turn{User: "Reply with only OK.", MaxTokens: 1}, true, nil)
			if err != nil {
				return err
			}
			last = x
			if x.resp != nil && announcesLimit(x.resp.Header, x.resp.StatusCode) {
				limited = true
				break
			}
		}
		if !limited && last != nil && last.resp != nil {
			sev := finding.Low
			if st.unauth {
				sev = finding.Medium
			}
			r.report("llm.cost.no-rate-limit", e, sev, finding.Firm, fmt.Sprintf(
				"%d back-to-back minimal requests saw no 429, Retry-After or rate-limit header.", burst[r.tier]+1), last)
		}
	}
	if r.runs("llm.cost.max-tokens") && (e.Raw() || e.MaxTokensField != "") {
		x, err := r.send(ctx, e, Turn{User: "Reply with only OK.", MaxTokens: 1000000}, true, nil)
		if err != nil {
			return err
		}
		if x.ok() {
			r.report("llm.cost.max-tokens", e, finding.Low, finding.Firm, fmt.Sprintf(
				"max_tokens 1000000 was accepted (HTTP %d) instead of rejected with a validation error.", x.resp.StatusCode), x)
		}
	}
	if e.Raw() {
		return nil
	}
	if r.runs("llm.cost.n-amplification") {
		x, err := r.send(ctx, e, Turn{User: "Reply with only OK.", MaxTokens: 1, Extra: map[string]any{"n": 8}}, true, nil)
		if err != nil {
			return err
		}
		var body struct {
			Choices []json.RawMessage `json:"choices"`
		}
		if x.ok() && json.Unmarshal(x.resp.Body, &body) == nil && len(body.Choices) == 8 {
			r.report("llm.cost.n-amplification", e, finding.Low, finding.Confirmed,
				"the request carried n: 8 and the response held 8 choices: one call buys eight completions.", x)
		}
	}
	if r.runs("llm.cost.model-override") {
		want := "plumb-override-" + nonce()
		x, err := r.send(ctx, e, Turn{User: "Reply with only OK.", MaxTokens: 1, Extra: map[string]any{"model": want}}, true, nil)
		if err != nil {
			return err
		}
		var body struct {
			Model string `json:"model"`
		}
		if x.ok() && json.Unmarshal(x.resp.Body, &body) == nil && body.Model == want {
			r.report("llm.cost.model-override", e, finding.Medium, finding.Confirmed,
				fmt.Sprintf("the request named model %q and the response reports that model.", want), x)
		}
	}
	return nil
}
