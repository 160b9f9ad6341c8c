package errintel

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/hosts"
	"github.com/plumbsec/plumb/internal/rules"
)

func page(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Each stack's page: the stack, the upstream hosts, whether the failing
// code forwards a credential (and whose), paths, versions, variables.
func TestAnalyzePages(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file      string
		stack     string
		upstreams []string
		forwards  string // the upstream a forwarding line is tied to, "" for none
		caller    bool
		path      string
		version   Version
		env       string
	}{
		{"werkzeug_500.html", "Werkzeug debugger", []string{"metrics.internal.example-corp.io"}, "", false, "", Version{}, ""},
		{"werkzeug_trace.html", "Werkzeug debugger", []string{"metrics.vulnshop.test"}, "metrics.vulnshop.test",
			false, "/app/api_views/books.py", Version{"Python", "3.9"}, ""},
		{"django_debug.html", "Django debug page", []string{"ledger.pay-core.io", "flags.vendor-x.io"}, "ledger.pay-core.io",
			true, "/srv/shop/orders/views.py", Version{"Django", "4.2.7"}, "LEDGER_URL"},
		{"express_stack.html", "Node.js stack trace", []string{"search.shop-backend.io"}, "", false, "/app/routes/search.js",
			Version{}, ""},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			t.Parallel()
			r, err := Analyze(page(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			if r.Stack != c.stack {
				t.Errorf("stack %q, want %q", r.Stack, c.stack)
			}
			var got []string
			for _, u := range r.Upstreams {
				got = append(got, u.Host)
			}
			for _, want := range c.upstreams {
				if !slices.Contains(got, want) {
					t.Errorf("upstreams %v lack %s", got, want)
				}
			}
			for _, u := range r.Upstreams {
				f, ok := r.ForwardsTo(u)
				switch {
				case u.Host == c.forwards && (!ok || f.Caller != c.caller):
					t.Errorf("%s: forwarding %+v %v, want caller=%v", u.Host, f, ok, c.caller)
				case u.Host != c.forwards && ok:
					t.Errorf("%s: tied to forwarding line %q", u.Host, f.Line)
				}
			}
			if c.path != "" && !slices.Contains(r.Paths, c.path) {
				t.Errorf("paths %v lack %s", r.Paths, c.path)
			}
			if c.version != (Version{}) && !slices.Contains(r.Versions, c.version) {
				t.Errorf("versions %v lack %v", r.Versions, c.version)
			}
			if c.env != "" && !slices.Contains(r.Env, c.env) {
				t.Errorf("env %v lacks %s", r.Env, c.env)
			}
		})
	}
}

// A forwarding line far from one upstream and next to another is tied to
// the near one only.
func TestForwardingIsTiedToItsFrame(t *testing.T) {
	t.Parallel()
	body := "Traceback (most recent call last):\n" +
		"  File \"/app/a.py\", line 3, in a\n    requests.get(\"https://alpha.svc-one.io/x\", timeout=2)\n" +
		strings.Repeat("# padding line that says nothing at all\n", 80) +
		"  File \"/app/b.py\", line 9, in b\n    requests.get(\"https://beta.svc-two.io/y\", headers={\"Authorization\": request.headers[\"Authorization\"]})\n"
	r, err := Analyze([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Upstreams) != 2 {
		t.Fatalf("upstreams %+v", r.Upstreams)
	}
	for _, u := range r.Upstreams {
		_, ok := r.ForwardsTo(u)
		if ok != (u.Host == "beta.svc-two.io") {
			t.Errorf("%s tied: %v", u.Host, ok)
		}
	}
}

// Ordinary responses give nothing away.
func TestAnalyzeQuietPages(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"books":[{"id":1,"book_title":"Go"}]}`,
		`{"status":"fail","message":"days must be an integer"}`,
		"<!doctype html><title>404 Not Found</title><h1>Not Found</h1>",
	} {
		r, err := Analyze([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if !r.Empty() {
			t.Errorf("%q gave %+v", body, r)
		}
	}
}

// Pages are untrusted: Analyze never panics and only returns valid hosts.
func FuzzAnalyze(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed corpus (err %v)", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Analyze(b)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range r.Upstreams {
			if h, ok := hosts.Valid(u.Host); !ok || h != u.Host {
				t.Fatalf("invalid host %q", u.Host)
			}
			_, _ = r.ForwardsTo(u)
		}
	})
}

// forwarding runs the pack only on lines holding a hint: every rule's
// positive samples must hold one, or the rule could never fire.
func TestForwardingHintsCoverThePack(t *testing.T) {
	t.Parallel()
	p, err := rules.Load(PackForwarding)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range p.Rules {
		for _, s := range r.Positive {
			lower := strings.ToLower(s.Text)
			if !slices.ContainsFunc(forwardHints, func(h string) bool { return strings.Contains(lower, h) }) {
				t.Errorf("rule %s: positive %q holds no hint %v", r.ID, s.Text, forwardHints)
			}
			rep, err := Analyze([]byte(s.Text))
			if err != nil || len(rep.Forwarding) == 0 {
				t.Errorf("rule %s: positive %q gives no forwarding line through Analyze", r.ID, s.Text)
			}
		}
	}
}
