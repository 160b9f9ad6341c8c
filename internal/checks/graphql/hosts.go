package graphql

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/hosts"
)

// hostAdder puts the hosts of URLs in schema descriptions and answers into
// the host graph (so the DNS audit covers them), at most maxHosts per scan.
type hostAdder struct {
	mu    sync.Mutex
	added map[string]bool
}

var urlRE = regexp.MustCompile(`(?i)\b(?:https?|wss?)://[^\s"'<>()\[\]{}\\]+`)

// limits on the JSON walked per answer
const (
	maxStrings = 5000
	maxDepth   = 64
)

func (a *hostAdder) add(in *check.Input, raw string, role hosts.Role, where string) {
	u, err := url.Parse(strings.TrimRight(raw, ".,;:!?"))
	if err != nil {
		return
	}
	h, ok := hosts.Valid(u.Hostname())
	if !ok || strings.EqualFold(h, in.Target.Hostname()) {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.added == nil {
		a.added = map[string]bool{}
	}
	if !a.added[h] {
		if len(a.added) >= maxHosts {
			return
		}
		a.added[h] = true
	}
	in.Hosts.Add(h, role, in.HTTP.Redactor().String(where), false)
}

// fromText adds every URL in text (a schema description).
func (a *hostAdder) fromText(in *check.Input, text string, role hosts.Role, where string) {
	for _, u := range urlRE.FindAllString(text, 32) {
		a.add(in, u, role, where)
	}
}

// fromAnswer adds every URL in the string values of a JSON answer.
func (a *hostAdder) fromAnswer(in *check.Input, body []byte, where string) {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return
	}
	budget := maxStrings
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > maxDepth || budget <= 0 {
			return
		}
		switch t := v.(type) {
		case map[string]any:
			for _, c := range t {
				walk(c, depth+1)
			}
		case []any:
			for _, c := range t {
				walk(c, depth+1)
			}
		case string:
			budget--
			if strings.Contains(t, "://") {
				a.fromText(in, t, hosts.RoleBodyURL, "GraphQL answer of "+where)
			}
		}
	}
	walk(v, 0)
}
