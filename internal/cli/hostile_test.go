package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labscan"
	"github.com/plumbsec/plumb/internal/result"
	"github.com/plumbsec/plumb/internal/score"
)

// hostileCase is one row of the hostile-target suite: what a target does,
// the command run against it, and what plumb must do about it. The rows
// are also the table in docs/hostile.md (go test ./internal/cli -run
// TestHostileSuite -update rewrites it).
type hostileCase struct {
	name      string
	behaviour string   // what the target (or input) does
	args      []string // plumb's arguments; $NET expands to the lab's network flags
	stdin     string
	setup     func(w *lab.World) // e.g. misbehaving DNS names
	interrupt time.Duration      // cancel the run's context after this long (Ctrl-C)

	exit        int
	partial     string                  // for scans with --format json: "yes", "no"
	notAssessed []finding.Category      // at least these categories are not assessed
	bound       string                  // the bound, as documented
	check       func(*hostileRun) error // the bound and messages, checked
}

// hostileRun is what one case produced.
type hostileRun struct {
	w              *lab.World
	code           int
	stdout, stderr string
	rep            *result.Report // decoded when stdout is a JSON report
}

func (r *hostileRun) hangRequests() int {
	n := 0
	for _, m := range r.w.Hang.Methods.Records() {
		if m.Path != "/" && m.Path != "/openapi.json" {
			n++
		}
	}
	return n
}

func (r *hostileRun) messages() []string {
	if r.rep == nil {
		return nil
	}
	var out []string
	for _, e := range r.rep.Errors {
		out = append(out, e.Stage+": "+e.Message)
	}
	for _, a := range r.rep.Spec.Tried {
		out = append(out, a.URL+": "+a.Result)
	}
	out = append(out, r.rep.Spec.Warnings...)
	for _, c := range r.rep.Checks {
		out = append(out, c.ID+": "+c.Reason)
	}
	return out
}

func (r *hostileRun) says(want ...string) error {
	all := strings.Join(append(r.messages(), r.stderr, r.stdout), "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			return fmt.Errorf("nothing says %q", w)
		}
	}
	return nil
}

var hostileCases = []hostileCase{
	{
		name: "hang", behaviour: "answers `/` and its spec, then every operation accepts the request and never answers",
		args: []string{"scan", "https://" + lab.HangHost, "$NET", "--timeout", "1s", "--format", "json"},
		exit: ExitOK, partial: "yes", notAssessed: []finding.Category{finding.CatAuthentication, finding.CatBOLA, finding.CatBFLA, finding.CatRateLimiting},
		bound: "≤ 14 requests to hanging paths (breaker at 10 consecutive timeouts + 4 in flight)",
		check: func(r *hostileRun) error {
			if n := r.hangRequests(); n > 14 {
				return fmt.Errorf("%d requests to hanging paths", n)
			}
			return r.says("hang.hostile.test:443 stopped answering", "partial report:")
		},
	},
	{
		name: "hang-max-time", behaviour: "the same, without the circuit breaker, cut by `--max-time 2s`",
		args: []string{"scan", "https://" + lab.HangHost, "$NET", "--timeout", "10s", "--max-host-errors", "0", "--max-time", "2s", "--format", "json"},
		exit: ExitOK, partial: "yes", notAssessed: []finding.Category{finding.CatBOLA},
		bound: "the time limit; checks still running are not assessed",
		check: func(r *hostileRun) error {
			return r.says("time-limit: the scan's time limit (--max-time 2s) ran out", "not-assessed")
		},
	},
	{
		name: "interrupt", behaviour: "the same, interrupted (Ctrl-C) half a second in",
		args:      []string{"scan", "https://" + lab.HangHost, "$NET", "--timeout", "10s", "--format", "json"},
		interrupt: 500 * time.Millisecond,
		exit:      ExitScan, partial: "yes", notAssessed: []finding.Category{finding.CatBOLA},
		bound: "ends at the interrupt; the report so far is written",
		check: func(r *hostileRun) error {
			return r.says("interrupted: the scan was interrupted", "the report above is partial")
		},
	},
	{
		name: "slow-endpoints", behaviour: "endpoints that hang, trickle a byte a second, stream forever, gzip-bomb (1 GiB), loop redirects, send a 1 MiB header",
		args: []string{"scan", "https://api.hostile.test", "$NET", "--timeout", "1s", "--max-host-errors", "0", "--format", "json"},
		exit: ExitOK, partial: "no",
		bound: "every request ends within --timeout; bodies cut at --max-body",
		check: func(r *hostileRun) error { return r.says("/slow", "/trickle", "/loop") },
	},
	{
		name: "alias-bomb-discovered", behaviour: "serves a 1 MB YAML alias bomb (3,000 aliases of a 1 MiB string) as `/openapi.yaml`",
		args: []string{"scan", "https://" + lab.BombHost, "$NET", "--format", "json"},
		exit: ExitOK, partial: "no", notAssessed: []finding.Category{finding.CatBOLA},
		bound: "refused at 48 MiB expanded (min(32 MiB + 16 × size, 512 MiB))",
		check: func(r *hostileRun) error { return r.says("not an OpenAPI document: ", "expands to more than 48 MiB") },
	},
	{
		name: "alias-bomb-given", behaviour: "the same document given with `--spec URL`",
		args:  []string{"scan", "https://" + lab.BombHost, "$NET", "--spec", "https://" + lab.BombHost + "/openapi.yaml"},
		exit:  ExitScan,
		bound: "one message, no report",
		check: func(r *hostileRun) error { return r.says("expands to more than 48 MiB through its aliases") },
	},
	{
		name: "spec-over-body-cap", behaviour: "serves a valid YAML spec larger than `--max-body` (any prefix of it parses)",
		args: []string{"scan", "https://" + lab.BigSpecHost, "$NET", "--format", "json"},
		exit: ExitOK, partial: "no", notAssessed: []finding.Category{finding.CatBOLA},
		bound: "not parsed; the error says to raise --max-body or pass --spec",
		check: func(r *hostileRun) error {
			if r.rep.Spec.Operations != 0 {
				return fmt.Errorf("%d operations loaded from a prefix", r.rep.Spec.Operations)
			}
			return r.says("larger than the response size cap", "raise --max-body")
		},
	},
	{
		name: "garbage", behaviour: "answers terminal escapes, NUL, invalid UTF-8, a bidi override: as a body, as a spec, in spec keys, and as a reply that is not HTTP",
		args: []string{"scan", "https://" + lab.GarbageHost, "$NET", "--max-host-errors", "0", "--format", "json"},
		exit: ExitOK, partial: "no",
		bound: "messages escaped and cut (≤ 1,200 bytes each)",
		check: func(r *hostileRun) error {
			for _, m := range append(r.messages(), r.stderr) {
				if strings.ContainsFunc(m, func(c rune) bool { return c < 0x20 && c != '\n' || c == 0x7f || c == utf8.RuneError || c == '\u202e' }) || len(m) > 1200 {
					return fmt.Errorf("message not escaped or cut: %.200q", m)
				}
			}
			return r.says(`\x1b[2J`)
		},
	},
	{
		name: "nothing-listens", behaviour: "nothing listens on the target's port",
		args: []string{"scan", "https://127.0.0.1:1/", "--resolver", "$DNS", "--timeout", "2s"},
		exit: ExitScan, bound: "one connection attempt", check: func(r *hostileRun) error { return r.says("unreachable") },
	},
	{
		name: "dead-resolver", behaviour: "the resolver never answers",
		args: []string{"scan", "https://api.vulnshop.test", "--resolver", "127.0.0.1:1", "--timeout", "1s"},
		exit: ExitScan, bound: "the resolver's retries", check: func(r *hostileRun) error { return r.says("hint: check --resolver") },
	},
	{
		name: "dns-lying-count", behaviour: "a DNS reply whose header counts an answer record it does not hold",
		args: []string{"dns", "$NET", "lying.hostile.test"},
		exit: ExitOK, bound: "status error, never ok or NODATA",
		check: func(r *hostileRun) error {
			return r.says(`"name":"lying.hostile.test","status":"error"`, "malformed reply")
		},
	},
	{
		name: "dns-servfail-list", behaviour: "400 names the resolver answers SERVFAIL",
		args: []string{"dns", "--resolver", "$DNS", "--dns-root", "none", "--dns-probe-zone", "test", "--input", "-"},
		setup: func(w *lab.World) {
			for i := range 400 {
				w.DNS.SetBehaviour(fmt.Sprintf("sf%d.vulnshop.test", i), lab.BehaviourServfail)
			}
		},
		stdin: func() string {
			var b strings.Builder
			for i := range 400 {
				fmt.Fprintf(&b, "sf%d.vulnshop.test\n", i)
			}
			return b.String()
		}(),
		exit: ExitOK, bound: "≤ 1.3 queries a name (retries budgeted), counted with their retries",
		check: func(r *hostileRun) error {
			q := 0
			for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
				var res struct {
					Status  string
					Queries int
				}
				if err := json.Unmarshal([]byte(line), &res); err != nil || res.Status != "error" {
					return fmt.Errorf("result %s: %w", line, err)
				}
				q += res.Queries
			}
			if q > 400*13/10+40 {
				return fmt.Errorf("%d queries for 400 names", q)
			}
			return nil
		},
	},
	{
		name: "dns-overlong-line", behaviour: "an input line of 70 KiB between two names",
		args:  []string{"dns", "$NET", "--input", "-"},
		stdin: "api.cleanshop.test\n" + strings.Repeat("x", 70<<10) + "\nnothere.vulnshop.test\n",
		exit:  ExitOK, bound: "one error result; the names after it are audited",
		check: func(r *hostileRun) error {
			return r.says("line 2 is longer than 4096 bytes", `"name":"nothere.vulnshop.test","status":"unresolved"`)
		},
	},
}

// TestHostileSuite runs every hostile case against its own lab, through
// the CLI in-process: exit code, partial, not-assessed categories, bound.
func TestHostileSuite(t *testing.T) {
	t.Parallel()
	for _, hc := range hostileCases {
		t.Run(hc.name, func(t *testing.T) {
			t.Parallel()
			r := runHostile(t, hc)
			if r.code != hc.exit {
				t.Errorf("exit %d, want %d\nstderr: %.2000s", r.code, hc.exit, r.stderr)
			}
			if hc.partial != "" || len(hc.notAssessed) > 0 {
				if r.rep == nil {
					t.Fatalf("no JSON report on stdout: %.500s\nstderr: %.2000s", r.stdout, r.stderr)
				}
				if got := map[bool]string{true: "yes", false: "no"}[r.rep.Partial]; hc.partial != "" && got != hc.partial {
					t.Errorf("partial %s, want %s: %q", got, hc.partial, r.rep.PartialReasons())
				}
				for _, c := range hc.notAssessed {
					if i := slices.IndexFunc(r.rep.Categories, func(x score.Category) bool { return x.ID == c }); i < 0 || r.rep.Categories[i].Assessed || r.rep.Categories[i].Reason == "" {
						t.Errorf("category %s is assessed (or has no reason)", c)
					}
				}
			}
			if hc.check != nil {
				if err := hc.check(r); err != nil {
					t.Error(err)
				}
			}
		})
	}
	t.Run("docs", func(t *testing.T) {
		t.Parallel()
		checkHostileDoc(t)
	})
}

func runHostile(t *testing.T, hc hostileCase) *hostileRun {
	t.Helper()
	w, err := lab.Start(context.Background(), lab.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	if hc.setup != nil {
		hc.setup(w)
	}
	ca := filepath.Join(t.TempDir(), "lab-ca.pem")
	if err := os.WriteFile(ca, w.CACertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, a := range hc.args {
		switch a {
		case "$NET":
			for _, c := range w.ConnectTo {
				args = append(args, "--connect-to="+c)
			}
			args = append(args, "--resolver="+w.DNSAddr, "--cacert="+ca, "--rate="+strconv.Itoa(labscan.Rate),
				"--dns-root="+w.RootAddr, "--dns-authority-port="+w.AuthorityPort)
		case "$DNS":
			args = append(args, w.DNSAddr)
		default:
			args = append(args, a)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if hc.interrupt > 0 {
		time.AfterFunc(hc.interrupt, cancel)
	}
	var out, errb bytes.Buffer
	code := run(ctx, args, &Streams{In: strings.NewReader(hc.stdin), Out: &out, Err: &errb, LookupEnv: func(string) (string, bool) { return "", false }})
	r := &hostileRun{w: w, code: code, stdout: out.String(), stderr: errb.String()}
	if strings.HasPrefix(strings.TrimSpace(r.stdout), "{") && slices.Contains(hc.args, "json") {
		var rep result.Report
		if err := json.Unmarshal(out.Bytes(), &rep); err == nil {
			r.rep = &rep
		}
	}
	return r
}

const hostileDoc = "../../docs/hostile.md"

// hostileTable renders the cases as the table of docs/hostile.md.
func hostileTable() string {
	var b strings.Builder
	b.WriteString("| case | the target (or input) | command | bound | exit | partial | not assessed (at least) |\n|---|---|---|---|---|---|---|\n")
	for _, hc := range hostileCases {
		var cats []string
		for _, c := range hc.notAssessed {
			cats = append(cats, string(c))
		}
		partial := hc.partial
		if partial == "" {
			partial = "-"
		}
		cmd := "plumb " + strings.Join(hc.args, " ")
		if hc.stdin != "" {
			cmd = "… | " + cmd
		}
		if hc.interrupt > 0 {
			cmd += " (Ctrl-C after " + hc.interrupt.String() + ")"
		}
		fmt.Fprintf(&b, "| `%s` | %s | `%s` | %s | %d | %s | %s |\n", hc.name, hc.behaviour, strings.ReplaceAll(cmd, "|", "\\|"), hc.bound, hc.exit, partial, strings.Join(cats, ", "))
	}
	return b.String()
}

const (
	suiteBegin = "<!-- hostile-suite:begin (generated from internal/cli/hostile_test.go) -->\n"
	suiteEnd   = "<!-- hostile-suite:end -->"
)

// checkHostileDoc keeps the table in docs/hostile.md in step with the
// cases (-update rewrites it).
func checkHostileDoc(t *testing.T) {
	doc, err := os.ReadFile(hostileDoc)
	if err != nil {
		t.Fatal(err)
	}
	s := string(doc)
	i, j := strings.Index(s, suiteBegin), strings.Index(s, suiteEnd)
	if i < 0 || j < i {
		t.Fatalf("%s has no generated suite section", hostileDoc)
	}
	want := s[:i+len(suiteBegin)] + hostileTable() + s[j:]
	if *update {
		if err := os.WriteFile(hostileDoc, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want != s {
		t.Errorf("%s is stale; run: go test ./internal/cli -run TestHostileSuite/docs -update", hostileDoc)
	}
}
