// Package ssrfprobe proves that a value an API fetches server-side reaches
// places it should not, for any input that carries a URL: the caller
// supplies a Sender that puts a URL into the input (a query parameter, a
// JSON body field, …) and sends the request. InBand needs no outside
// service: it points the input at addresses only the target can reach and
// reads the answers. OutOfBand points it at an oob.Sink (plumb's own
// listener or an external one) and reports what arrived there, and
// whether it carried the scan's credential.
package ssrfprobe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/url"
	"strconv"
	"strings"

	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/rules"
)

// Sender sends the request with value in the URL-carrying input.
type Sender func(ctx context.Context, value string) (*netx.Request, *netx.Response, error)

// Exchange is one value sent and what came back.
type Exchange struct {
	Label string // what the value points at
	Value string
	Req   *netx.Request
	Resp  *netx.Response // nil when the request failed
}

// Kind of in-band evidence, strongest first.
type Kind string

// The kinds of in-band evidence.
const (
	Metadata         Kind = "metadata"          // the cloud metadata service's content came back
	LoopbackContent  Kind = "loopback-content"  // content served on the target's loopback came back
	OwnContent       Kind = "own-content"       // the API's own page, fetched by the API, came back
	PortDifferential Kind = "port-differential" // connection errors differ by internal port
)

// Result is in-band evidence of a server-side fetch.
type Result struct {
	Kind     Kind
	Detail   string     // what was seen, for the summary (not redacted)
	Evidence []Exchange // the exchanges that prove it, control first
}

// Targets are what the probes point at beyond fixed internal addresses.
type Targets struct {
	Own     string // a URL on the API's own origin
	OwnBody []byte // its content, fetched directly
	Port    int    // the port the API most likely listens on locally (the target's)
}

// Fixed probe values. The control never resolves (.invalid is reserved);
// the two closed ports are rarely used and hard to confuse with other
// numbers in an error message.
const (
	controlURL  = "http://plumb-ssrf-control.invalid/"
	metadataURL = "http://169.254.169.254/latest/meta-data/"
	closedA     = 65533
	closedB     = 65534
)

// MaxRequests is how many requests InBand sends at most.
const MaxRequests = 6

// evidencePack recognises metadata content and connection errors.
const evidencePack = "ssrf-evidence"

// InBand sends the control, the metadata address, the API's own URL, its
// loopback port and two closed loopback ports, and returns the strongest
// evidence that the input is fetched server-side (nil when there is none).
func InBand(ctx context.Context, send Sender, t Targets) (*Result, error) {
	pack, err := rules.Load(evidencePack)
	if err != nil {
		return nil, err
	}
	loop := fmt.Sprintf("http://127.0.0.1:%d/", t.Port)
	probes := []struct{ label, value string }{
		{"an unresolvable name (control)", controlURL},
		{"the cloud metadata address", metadataURL},
		{"the API's own origin", t.Own},
		{"the API's port on loopback", loop},
		{"a closed loopback port", fmt.Sprintf("http://127.0.0.1:%d/", closedA)},
		{"another closed loopback port", fmt.Sprintf("http://127.0.0.1:%d/", closedB)},
	}
	ex := make([]Exchange, len(probes))
	for i, p := range probes {
		if p.value == "" {
			continue
		}
		req, resp, err := send(ctx, p.value)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, netx.ErrBudgetExhausted) {
				return nil, err
			}
		}
		ex[i] = Exchange{Label: p.label, Value: p.value, Req: req, Resp: resp}
	}
	control, meta, own, lb, a, b := ex[0], ex[1], ex[2], ex[3], ex[4], ex[5]
	if control.Resp == nil {
		return nil, nil // nothing to compare against
	}
	ctext := readable(control.Resp.Body)
	if m, ok := firstTagged(pack, meta, "metadata"); ok && !has(pack, ctext, m.Rule().ID) {
		return &Result{Kind: Metadata, Detail: fmt.Sprintf("the response carries %s content (%s)", m.Rule().Meta["cloud"],
			m.Rule().Title), Evidence: []Exchange{control, meta}}, nil
	}
	markers := distinctive(t.OwnBody, ctext, t.Own)
	if found(lb, markers) {
		return &Result{Kind: LoopbackContent, Detail: "the response carries the content the API serves at its own origin, " +
			"fetched from " + loop, Evidence: []Exchange{control, lb}}, nil
	}
	if found(own, markers) {
		return &Result{Kind: OwnContent, Detail: "the response carries the content of " + t.Own + " fetched by the API",
			Evidence: []Exchange{control, own}}, nil
	}
	if a.Resp == nil || b.Resp == nil {
		return nil, nil
	}
	na, nb := normal(a), normal(b)
	if na != nb {
		return nil, nil // the answer changes by itself: no port can be told from another
	}
	refused, isRefused := firstTagged(pack, a, "refused")
	switch {
	case lb.Resp != nil && normal(lb) != na && normal(control) != na:
		return &Result{Kind: PortDifferential, Detail: fmt.Sprintf("closed loopback ports %d and %d answer alike, the API's "+
			"own port %d and an unresolvable name each differently: the API connects to internal addresses and its "+
			"answer tells which ports are open", closedA, closedB, t.Port), Evidence: []Exchange{control, lb, a, b}}, nil
	case isRefused && !has(pack, ctext, refused.Rule().ID):
		return &Result{Kind: PortDifferential, Detail: fmt.Sprintf("closed loopback ports answer with a connection error "+
			"(%s) that an unresolvable name does not give: the API connects to internal addresses", refused.Rule().Title),
			Evidence: []Exchange{control, a, b}}, nil
	}
	return nil, nil
}

// readable is a body as a person would read it: HTML entities decoded,
// and for JSON every string value, so content a preview embeds in a JSON
// string can be found.
func readable(body []byte) string {
	s := string(body[:min(len(body), 256<<10)])
	var b strings.Builder
	b.WriteString(s)
	if strings.Contains(s, "&") {
		b.WriteString("\n")
		b.WriteString(html.UnescapeString(s))
	}
	var v any
	if t := bytes.TrimSpace(body); len(t) > 0 && (t[0] == '{' || t[0] == '[') && json.Unmarshal(t, &v) == nil {
		n := 0
		var walk func(any)
		walk = func(v any) {
			if n > 2000 {
				return
			}
			switch x := v.(type) {
			case map[string]any:
				for _, c := range x {
					walk(c)
				}
			case []any:
				for _, c := range x {
					walk(c)
				}
			case string:
				n++
				b.WriteString("\n")
				b.WriteString(x)
			}
		}
		walk(v)
	}
	return b.String()
}

func firstTagged(p *rules.Pack, e Exchange, tag string) (rules.Match, bool) {
	if e.Resp == nil {
		return rules.Match{}, false
	}
	text := rules.NewText(readable(e.Resp.Body))
	for _, r := range p.Rules {
		if !r.HasTag(tag) {
			continue
		}
		if m, ok := r.Find(text); ok {
			return m, true
		}
	}
	return rules.Match{}, false
}

func has(p *rules.Pack, text, ruleID string) bool {
	r := p.Rule(ruleID)
	if r == nil {
		return false
	}
	_, ok := r.Find(rules.NewText(text))
	return ok
}

// window is the length of a content marker.
const window = 24

// distinctive returns windows of own content that identify it: enough
// letters to be specific, absent from the control answer and from the URL
// that was sent (an echo of the value proves nothing).
func distinctive(own []byte, control, sent string) []string {
	head := readable(own)
	head = head[:min(len(head), 2048)]
	var out []string
	for i := 0; i+window <= len(head) && len(out) < 8; i += window {
		w := head[i : i+window]
		letters := 0
		for _, c := range w {
			if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') {
				letters++
			}
		}
		if letters < 12 || strings.Contains(control, w) || strings.Contains(sent, w) {
			continue
		}
		out = append(out, w)
	}
	return out
}

func found(e Exchange, markers []string) bool {
	if e.Resp == nil || len(markers) == 0 {
		return false
	}
	text := readable(e.Resp.Body)
	for _, m := range markers {
		if strings.Contains(text, m) {
			return true
		}
	}
	return false
}

// normal is an answer with the value that was sent (in any encoding, and
// its host:port and port) blanked out, so two probes compare on what the
// API did rather than on what it echoed.
func normal(e Exchange) string {
	if e.Resp == nil {
		return "error"
	}
	s := string(e.Resp.Body[:min(len(e.Resp.Body), 64<<10)])
	repl := []string{e.Value, url.QueryEscape(e.Value), strings.TrimSuffix(e.Value, "/")}
	if u, err := url.Parse(e.Value); err == nil {
		repl = append(repl, u.Host, u.Hostname())
		if p := u.Port(); p != "" {
			repl = append(repl, p)
		}
	}
	if q, err := json.Marshal(e.Value); err == nil {
		repl = append(repl, string(q[1:len(q)-1]))
	}
	for _, r := range repl {
		if r != "" {
			s = strings.ReplaceAll(s, r, "\x00")
		}
	}
	return strconv.Itoa(e.Resp.StatusCode) + "\x01" + s
}
