package cli

import (
	"crypto/x509"
	"fmt"
	"net/http"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/plumbsec/plumb/internal/result"

	"github.com/spf13/pflag"

	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/report"
)

// netFlags control how plumb reaches the network.
type netFlags struct {
	resolvers []string
	connectTo []string
	timeout   time.Duration
	insecure  bool
	cacert    string
	// allowHost is not a flag: plumb mcp sets it to its --allow-target
	// list, and every client built from these flags obeys it.
	allowHost netx.HostPolicy
}

func (f *netFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.resolvers, "resolver", nil, "DNS resolver `HOST:PORT` (repeatable; default: the system's from /etc/resolv.conf)")
	fs.StringArrayVar(&f.connectTo, "connect-to", nil, "connect to HOST2:PORT2 instead of HOST1:PORT1, curl-style `HOST1:PORT1:HOST2:PORT2` (repeatable)")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Second, "timeout of one request, including reading the response")
	fs.BoolVar(&f.insecure, "insecure", false, "skip TLS certificate verification (reported in the output)")
	fs.StringVar(&f.cacert, "cacert", "", "PEM `FILE` of extra certificate authorities to trust")
}

func (f *netFlags) build() (connectTo []netx.ConnectTo, roots *x509.CertPool, err error) {
	for _, r := range f.resolvers {
		if !strings.Contains(r, ":") {
			return nil, nil, usagef("--resolver %q: want HOST:PORT, e.g. 127.0.0.1:53", r)
		}
	}
	for _, c := range f.connectTo {
		ct, err := netx.ParseConnectTo(c)
		if err != nil {
			return nil, nil, usagef("--connect-to %q: %v", c, err)
		}
		connectTo = append(connectTo, ct)
	}
	if f.timeout <= 0 {
		return nil, nil, usagef("--timeout must be positive")
	}
	if f.cacert != "" {
		pem, err := os.ReadFile(f.cacert)
		if err != nil {
			return nil, nil, usagef("--cacert: %v", err)
		}
		roots, err = x509.SystemCertPool()
		if err != nil || roots == nil {
			roots = x509.NewCertPool()
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, nil, usagef("--cacert %s: no PEM certificate in the file", f.cacert)
		}
	}
	return connectTo, roots, nil
}

// loadOptions are the engine options the network flags decide (and the
// version): all a one-off fetch through the network layer (loading an
// OpenAPI document) needs, and where every scan's options start.
func (f *netFlags) loadOptions() (engine.Options, error) {
	ct, roots, err := f.build()
	if err != nil {
		return engine.Options{}, err
	}
	return engine.Options{Resolvers: f.resolvers, ConnectTo: ct, RootCAs: roots, Insecure: f.insecure, Timeout: f.timeout,
		AllowHost: f.allowHost, Version: version()}, nil
}

// authFlags say who plumb is and where that identity may be sent.
type authFlags struct {
	headers        []string
	bearerEnv      string
	scope          []string
	allowHTTPCreds bool
}

func (f *authFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVarP(&f.headers, "header", "H", nil, "credential or other header `'Name: value'` sent to the target's origin only (repeatable)")
	fs.StringVar(&f.bearerEnv, "bearer-env", "", "read a bearer token from environment variable `VAR` (keeps it out of shell history and ps)")
	fs.StringArrayVar(&f.scope, "scope", nil, "extra `ORIGIN` (scheme://host[:port]) credentials may be sent to (repeatable)")
	fs.BoolVar(&f.allowHTTPCreds, "allow-http-credentials", false, "allow sending credentials over plain http:// (off by default)")
}

func (f *authFlags) build(lookupEnv func(string) (string, bool)) (http.Header, []netx.Origin, error) {
	h := http.Header{}
	for _, raw := range f.headers {
		name, value, ok := strings.Cut(raw, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || !validHeaderName(name) {
			return nil, nil, usagef("--header %q: want 'Name: value'", redactHeaderArg(raw))
		}
		h.Add(textproto.CanonicalMIMEHeaderKey(name), strings.TrimSpace(value))
	}
	if f.bearerEnv != "" {
		tok, ok := lookupEnv(f.bearerEnv)
		tok = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(tok), "Bearer "))
		if !ok || tok == "" {
			return nil, nil, usagef("--bearer-env %s: the environment variable is unset or empty", f.bearerEnv)
		}
		if h.Get("Authorization") != "" {
			return nil, nil, usagef("--bearer-env and an Authorization --header both set the credential; keep one")
		}
		h.Set("Authorization", "Bearer "+tok)
	}
	var scope []netx.Origin
	for _, s := range f.scope {
		o, err := netx.ParseOrigin(s)
		if err != nil {
			return nil, nil, usagef("--scope %q: %v", s, err)
		}
		scope = append(scope, o)
	}
	if len(h) == 0 {
		h = nil
	}
	return h, scope, nil
}

func validHeaderName(s string) bool {
	for _, r := range s {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune("()<>@,;:\\\"/[]?={}", r) {
			return false
		}
	}
	return true
}

// redactHeaderArg keeps a malformed --header's value out of error messages.
func redactHeaderArg(s string) string {
	if len(s) > 12 {
		return s[:6] + "…"
	}
	return s
}

// limitFlags bound the scan.
type limitFlags struct {
	rate          float64
	concurrency   int
	maxRequests   int
	maxBody       string
	maxTime       time.Duration
	maxHostErrors int
}

func (f *limitFlags) register(fs *pflag.FlagSet) {
	fs.Float64Var(&f.rate, "rate", 20, "requests per second per host")
	fs.IntVar(&f.concurrency, "concurrency", 4, "checks in parallel, and connections per host")
	fs.IntVar(&f.maxRequests, "max-requests", 2000, "request budget for the whole scan")
	fs.StringVar(&f.maxBody, "max-body", "2MiB", "response body cap, after decompression (e.g. 512KiB, 4MiB)")
	fs.DurationVar(&f.maxTime, "max-time", 0, "stop the whole scan after this long and report what was found, marked partial "+
		"(0: 1m + 3 × --max-requests ÷ --rate, 6m with the defaults)")
	fs.IntVar(&f.maxHostErrors, "max-host-errors", netx.DefaultMaxHostFailures, "give up on a host after this many consecutive timeouts or connection failures "+
		"(the report says so and is partial; 0: never)")
}

func (f *limitFlags) apply(o *engine.Options) error {
	if f.rate <= 0 {
		return usagef("--rate must be positive")
	}
	if f.concurrency < 1 || f.concurrency > 64 {
		return usagef("--concurrency must be between 1 and 64")
	}
	if f.maxRequests < 1 {
		return usagef("--max-requests must be at least 1")
	}
	if f.maxTime < 0 {
		return usagef("--max-time must not be negative")
	}
	if f.maxHostErrors < 0 {
		return usagef("--max-host-errors must not be negative (0 turns it off)")
	}
	o.MaxHostFailures = f.maxHostErrors
	if f.maxHostErrors == 0 {
		o.MaxHostFailures = -1
	}
	n, err := parseSize(f.maxBody)
	if err != nil {
		return usagef("--max-body: %v", err)
	}
	o.Rate, o.Concurrency, o.MaxRequests, o.MaxBodyBytes, o.MaxDuration = f.rate, f.concurrency, f.maxRequests, n, f.maxTime
	return nil
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	num := strings.TrimSpace(s)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1000}, {"MB", 1000 * 1000}, {"B", 1}} {
		if strings.HasSuffix(num, u.suffix) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(num, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size like 2MiB", s)
	}
	return n * mult, nil
}

// outputFlags choose how the report is written.
type outputFlags struct {
	format  string
	output  string
	noColor bool
	extra   extraOutputs
}

func (f *outputFlags) register(fs *pflag.FlagSet, what string) {
	fs.StringVarP(&f.format, "format", "f", "table", "output `FORMAT`: "+strings.Join(report.Names(), ", "))
	fs.StringVarP(&f.output, "output", "o", "", "write the "+what+" to `FILE` instead of stdout")
	fs.BoolVar(&f.noColor, "no-color", false, "no ANSI colors (also: NO_COLOR environment variable)")
	f.extra.register(fs)
}

func (f *outputFlags) validate(names []string) error {
	for _, n := range names {
		if n == f.format {
			return f.extra.validate(f.output)
		}
	}
	return usagef("--format %q: want one of %s", f.format, strings.Join(names, ", "))
}

// gateFlags make plumb fail a CI job.
type gateFlags struct {
	failOn   string
	minScore int
	newOnly  bool
}

func (f *gateFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.failOn, "fail-on", "", "exit 1 when a finding is at or above `SEVERITY` (critical, high, medium, low)")
	fs.IntVar(&f.minScore, "min-score", 0, "exit 1 when the overall score is below `N` (0-100)")
	fs.BoolVar(&f.newOnly, "gate-new-only", false, "apply --fail-on and --min-score to findings new since --baseline-report only")
}

func (f *gateFlags) validate() error {
	if f.failOn != "" {
		if _, err := finding.ParseSeverity(f.failOn); err != nil || f.failOn == "info" {
			return usagef("--fail-on %q: want critical, high, medium or low", f.failOn)
		}
	}
	if f.minScore < 0 || f.minScore > 100 {
		return usagef("--min-score must be between 0 and 100")
	}
	return nil
}

// check applies the gates to a finished report. Suppressed findings never
// count; with --gate-new-only neither do unchanged ones, and --min-score
// applies to the score of the new findings alone (as if every unchanged
// finding were suppressed).
func (f *gateFlags) check(r *result.Report) error {
	fs := finding.Active(r.Findings)
	scoreNow, what := r.Score, "score"
	if f.newOnly {
		fs = newFindings(fs)
		scoreNow, what = scoreOf(r, fs), "score of the new findings"
	}
	if f.failOn != "" {
		min, _ := finding.ParseSeverity(f.failOn)
		n := 0
		for _, fd := range fs {
			if fd.Severity >= min {
				n++
			}
		}
		if n > 0 {
			scope := ""
			if f.newOnly {
				scope = "new "
			}
			return gateError{fmt.Sprintf("%d %sfinding(s) at or above %s (--fail-on %s)", n, scope, min, f.failOn)}
		}
	}
	if f.minScore > 0 && scoreNow < f.minScore {
		return gateError{fmt.Sprintf("%s %d is below --min-score %d", what, scoreNow, f.minScore)}
	}
	return nil
}
