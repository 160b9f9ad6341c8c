// Package errintel reads error and debug pages for what they give away:
// the stack that wrote them, the upstream hosts the API calls server-side,
// whether the failing code puts a credential on that outbound call, and the
// file paths, versions and environment variable names they show. All of it
// is rule data (packs stack-traces, upstream-errors, credential-forwarding,
// error-details); this package runs the packs and relates the matches.
package errintel

import (
	"html"
	"slices"
	"strings"

	"github.com/plumbsec/plumb/internal/hosts"
	"github.com/plumbsec/plumb/internal/rules"
)

// The packs Analyze runs.
const (
	PackStacks     = "stack-traces"
	PackUpstreams  = "upstream-errors"
	PackForwarding = "credential-forwarding"
	PackDetails    = "error-details"
)

// Bounds on what one body contributes.
const (
	maxScan     = 256 << 10 // bytes of a body the rules read
	maxMatches  = 16        // matches per rule
	maxDetails  = 12        // paths, versions, env names each
	nearForward = 1200      // bytes between an upstream and the line that forwards to it
)

// Upstream is a host the page names as one the API calls server-side.
type Upstream struct {
	Host  string // validated, normalised
	URL   string // when the rule captured a URL
	Rule  string
	Stack string // the client or runtime that wrote the string (rule meta.stack)
	Env   string // the setting or variable that holds it, when shown
	Match string // the matched text, cut to 200 bytes (not redacted)
	// Setting: the page names the host as a setting's value (a debug
	// page's settings table), not as the target of a failing call.
	Setting bool
	at      []int // offsets of every match naming the host
}

// Forwarding is a line that puts a credential on an outbound call.
type Forwarding struct {
	Rule   string
	Title  string
	Caller bool   // the caller's own Authorization header is copied (meta.forwards: caller)
	Line   string // the source line or message, cut to 240 bytes (not redacted)
	at     []int  // offsets of every occurrence of the line
}

// Version is a framework or runtime version the page shows.
type Version struct {
	Product string
	Version string
}

// Report is what one page gives away.
type Report struct {
	Stack      string // family of the first stack-trace rule that matches, "" if none
	Upstreams  []Upstream
	Forwarding []Forwarding
	Paths      []string
	Versions   []Version
	Env        []string
}

// Empty reports whether the page gave nothing away.
func (r *Report) Empty() bool {
	return r.Stack == "" && len(r.Upstreams) == 0 && len(r.Forwarding) == 0 && len(r.Paths) == 0 &&
		len(r.Versions) == 0 && len(r.Env) == 0
}

// packs are the compiled packs, loaded once per call site's first use.
type packs struct{ stacks, upstreams, forwarding, details *rules.Pack }

func load() (packs, error) {
	var p packs
	for _, x := range []struct {
		name string
		dst  **rules.Pack
	}{{PackStacks, &p.stacks}, {PackUpstreams, &p.upstreams}, {PackForwarding, &p.forwarding}, {PackDetails, &p.details}} {
		pk, err := rules.Load(x.name)
		if err != nil {
			return packs{}, err
		}
		*x.dst = pk
	}
	return p, nil
}

// Text returns the part of body the rules read: the first 256 KiB,
// HTML-unescaped when it has entities (debugger pages escape quotes).
func Text(body []byte) string {
	s := string(body[:min(len(body), maxScan)])
	if strings.Contains(s, "&") {
		s = html.UnescapeString(s)
	}
	return s
}

// Analyze reads one response body.
func Analyze(body []byte) (*Report, error) {
	p, err := load()
	if err != nil {
		return nil, err
	}
	raw := rules.NewText(string(body[:min(len(body), maxScan)]))
	text := rules.NewText(Text(body))
	r := &Report{}
	if m, ok := p.stacks.First(raw); ok {
		r.Stack = m.Rule().Title
	} else if text.String() != raw.String() {
		if m, ok := p.stacks.First(text); ok {
			r.Stack = m.Rule().Title
		}
	}
	r.Upstreams = upstreams(p.upstreams, text)
	r.Forwarding = forwarding(p.forwarding, text)
	r.details(p.details, text)
	return r, nil
}

// upstreams runs the upstream rules: valid hosts, first match per host.
func upstreams(p *rules.Pack, text *rules.Text) []Upstream {
	var out []Upstream
	seen := map[string]int{}
	for _, rl := range p.Rules {
		for _, m := range rl.FindAll(text, maxMatches) {
			u := m.Capture("url")
			h, ok := hosts.Valid(m.Capture("host"))
			if u != "" {
				h, ok = hosts.OfURL(u)
			}
			if !ok {
				continue
			}
			if i, dup := seen[h]; dup {
				if len(out[i].at) < maxMatches {
					out[i].at = append(out[i].at, m.Start())
				}
				continue
			}
			seen[h] = len(out)
			out = append(out, Upstream{Host: h, URL: u, Rule: rl.ID, Stack: rl.Meta["stack"], Env: m.Capture("env"),
				Match: cut(m.Text(), 200), Setting: rl.Meta["seen"] == "setting", at: []int{m.Start()}})
		}
	}
	return out
}

// forwardHints are what every credential-forwarding line contains (lower
// case): the pack runs only on lines that hold one, which keeps a large
// page cheap.
var forwardHints = []string{"authorization", "bearer"}

func forwarding(p *rules.Pack, text *rules.Text) []Forwarding {
	var out []Forwarding
	seen := map[string]int{} // line → index: the pack lists caller rules first, so a line keeps its strongest reading
	s := text.String()
	for start := 0; start < len(s); {
		end := strings.IndexByte(s[start:], '\n')
		if end < 0 {
			end = len(s)
		} else {
			end += start
		}
		raw := s[start:end]
		lower := strings.ToLower(raw)
		if !strings.Contains(lower, forwardHints[0]) && !strings.Contains(lower, forwardHints[1]) {
			start = end + 1
			continue
		}
		lt := rules.NewText(raw)
		for _, rl := range p.Rules {
			m, ok := rl.Find(lt)
			if !ok {
				continue
			}
			line := cut(lineAround(raw, m.Start(), m.End()), 240)
			at := start + m.Start()
			if i, dup := seen[line]; dup {
				if len(out[i].at) < maxMatches && !slices.Contains(out[i].at, at) {
					out[i].at = append(out[i].at, at)
				}
				break
			}
			seen[line] = len(out)
			out = append(out, Forwarding{Rule: rl.ID, Title: rl.Title, Caller: rl.Meta["forwards"] == "caller", Line: line, at: []int{at}})
			break // one reading per line: the first (strongest) rule
		}
		start = end + 1
	}
	// The caller's own header first: it is the stronger evidence.
	slices.SortStableFunc(out, func(a, b Forwarding) int {
		switch {
		case a.Caller == b.Caller:
			return 0
		case a.Caller:
			return -1
		}
		return 1
	})
	return out
}

func (r *Report) details(p *rules.Pack, text *rules.Text) {
	add := func(list []string, v string) []string {
		if v == "" || len(list) >= maxDetails || slices.Contains(list, v) {
			return list
		}
		return append(list, v)
	}
	for _, rl := range p.Rules {
		for _, m := range rl.FindAll(text, maxMatches) {
			switch {
			case rl.HasTag("path"):
				r.Paths = add(r.Paths, m.Capture("path"))
			case rl.HasTag("env"):
				r.Env = add(r.Env, m.Capture("env")+m.Capture("quoted"))
			case rl.HasTag("version"):
				v := Version{Product: rl.Meta["product"], Version: m.Capture("version")}
				if v.Version != "" && !slices.Contains(r.Versions, v) && len(r.Versions) < maxDetails {
					r.Versions = append(r.Versions, v)
				}
			}
		}
	}
}

// ForwardsTo returns the forwarding evidence for u: a forwarding line that
// names u's host; else, for a host the page shows as the target of a
// failing call, a forwarding line near it (the same frame, usually) or the
// page's only forwarding line when u is the only such host.
func (r *Report) ForwardsTo(u Upstream) (Forwarding, bool) {
	for _, f := range r.Forwarding {
		if strings.Contains(strings.ToLower(f.Line), u.Host) {
			return f, true
		}
	}
	if u.Setting {
		return Forwarding{}, false
	}
	for _, f := range r.Forwarding {
		for _, a := range f.at {
			for _, b := range u.at {
				if d := a - b; d < nearForward && d > -nearForward {
					return f, true
				}
			}
		}
	}
	calls := 0
	for _, x := range r.Upstreams {
		if !x.Setting {
			calls++
		}
	}
	if calls == 1 && len(r.Forwarding) > 0 {
		return r.Forwarding[0], true
	}
	return Forwarding{}, false
}

// lineAround returns the line of s holding [i, j).
func lineAround(s string, i, j int) string {
	start := strings.LastIndexByte(s[:i], '\n') + 1
	end := len(s)
	if k := strings.IndexByte(s[j:], '\n'); k >= 0 {
		end = j + k
	}
	line := s[start:end]
	// Debugger markup around the source line says nothing.
	line = tagRE.ReplaceAllString(line, "")
	return strings.TrimSpace(line)
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Upstreams runs one upstream pack over body (HTML-unescaped): valid
// hosts, the first match per host.
func Upstreams(p *rules.Pack, body []byte) []Upstream {
	return upstreams(p, rules.NewText(Text(body)))
}
