package netx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"golang.org/x/net/http/httpguts"
	"golang.org/x/time/rate"
)

// Defaults for Config fields left zero.
const (
	DefaultTimeout            = 10 * time.Second
	DefaultRate               = 10.0
	DefaultPerHostConcurrency = 4
	DefaultMaxBodyBytes       = 2 << 20
	DefaultMaxRedirects       = 5
	DefaultUserAgent          = "plumb (+https://github.com/plumbsec/plumb)"
)

// HostPolicy says whether plumb may connect to host:port; a non-nil error
// refuses the connection and says why.
type HostPolicy func(host string, port int) error

// Config configures a Client. Zero values mean the documented default.
type Config struct {
	Resolver  *Resolver   // nil: a Resolver over /etc/resolv.conf's servers
	ConnectTo []ConnectTo // first match wins
	// AllowHost, if set, is asked before every connection with the URL's
	// host and port (before connect-to and resolution): plumb mcp refuses
	// hosts outside --allow-target with it. Nil allows any host.
	AllowHost HostPolicy

	// Timeout bounds each request sent (one redirect hop): connecting, TLS,
	// headers and reading the whole body. Waiting for a rate-limit slot or
	// a per-host concurrency slot is not counted; it ends with ctx.
	Timeout            time.Duration // default 10s
	Rate               float64       // requests/s per host:port; 0 = default 10, <0 = unlimited
	PerHostConcurrency int           // in-flight requests per host:port; <=0 = default 4
	MaxRequests        int           // per-scan budget of requests sent (each hop counts); 0 = unlimited
	MaxBodyBytes       int64         // response body cap after decompression; <=0 = default 2 MiB
	MaxRedirects       int           // 0 = default 5, <0 = follow none (first redirect is an error)
	// MaxHostFailures is how many consecutive timeouts or connection
	// failures make the client give up on a host for good: later requests
	// to it fail at once with a *HostDownError. 0 = default 10, <0 = never.
	MaxHostFailures int

	Insecure bool           // skip TLS verification
	RootCAs  *x509.CertPool // nil = system roots

	Credentials               http.Header // the user's identity headers
	Scope                     []Origin    // origins Credentials may be sent to
	AllowPlainHTTPCredentials bool
	UserAgent                 string   // default DefaultUserAgent
	Secrets                   []string // extra values to redact everywhere

	// AllowAddr, if set, vets every address a connection would go to
	// (after connect-to and resolution, so a name that resolves somewhere
	// else on a second look changes nothing): plumb serve refuses private
	// ranges with it. Nil allows any address.
	AllowAddr func(netip.Addr) error
}

// Request is one request a check wants sent.
type Request struct {
	Method string // default GET
	URL    string
	// Header holds extra headers; on a name clash they win over Credentials.
	// A "Host" entry sets the Host header (not the connection target).
	// After an origin change Authorization, Cookie, Proxy-Authorization,
	// Host and every Credentials name are dropped from them for good.
	Header http.Header
	Body   []byte
	// WithCredentials attaches Config.Credentials, only if the origin is in
	// Scope and is https (or AllowPlainHTTPCredentials).
	WithCredentials bool
	FollowRedirects bool // follow up to MaxRedirects, re-deciding credentials per hop
}

// Hop is one response in a redirect chain. URL is already redacted.
type Hop struct {
	Method              string
	URL                 string
	Status              int
	RemoteAddr          string // the address actually connected to
	CredentialsSent     bool
	CredentialsWithheld string
}

// Response is the final response of a request.
type Response struct {
	StatusCode          int
	Header              http.Header
	Body                []byte
	Truncated           bool   // Body was cut at MaxBodyBytes
	URL                 string // final URL (not redacted: callers may fetch it again)
	Hops                []Hop  // every response, the final one last
	TLS                 *tls.ConnectionState
	Duration            time.Duration
	CredentialsSent     bool   // on the final hop
	CredentialsWithheld string // why not, when they were asked for

	method string
	sent   http.Header // request headers of the final hop, for evidence
}

// Client sends HTTP requests under plumb's invariants. Safe for concurrent
// use; one Client per scan.
type Client struct {
	cfg       Config
	resolver  *Resolver
	redactor  *Redactor
	scope     map[Origin]bool
	sensitive map[string]bool // header names stripped on a cross-origin hop
	hc        *http.Client
	transport *http.Transport

	*shared // budget, limits, stats and log; shared by WithIdentity clients

	now   func() time.Time                                 // injectable for rate tests
	sleep func(ctx context.Context, d time.Duration) error // idem
}

type hostState struct {
	lim *rate.Limiter // nil = unlimited
	sem chan struct{}
	br  breaker // guarded by hostsMu
	// gone ends when the breaker gives up on the host: requests waiting
	// for a slot or an answer stop at once.
	gone     context.Context
	giveUpOn context.CancelFunc
}

// NewClient validates cfg, fills defaults and returns a Client.
func NewClient(cfg Config) (*Client, error) {
	if err := applyDefaults(&cfg); err != nil {
		return nil, err
	}
	c := &Client{
		cfg:       cfg,
		resolver:  cfg.Resolver,
		redactor:  NewRedactor(cfg.Secrets...),
		scope:     make(map[Origin]bool),
		sensitive: map[string]bool{"Authorization": true, "Cookie": true, "Proxy-Authorization": true},
		shared:    &shared{hosts: make(map[string]*hostState), down: make(map[string]string), log: newRequestLog(10000)},
		now:       time.Now,
		sleep:     sleepCtx,
	}
	for _, o := range cfg.Scope {
		o.Scheme, o.Host = strings.ToLower(o.Scheme), strings.TrimSuffix(strings.ToLower(o.Host), ".")
		if o.Port == 0 {
			o.Port = defaultPort(o.Scheme)
		}
		c.scope[o] = true
	}
	for name, vs := range cfg.Credentials {
		c.sensitive[http.CanonicalHeaderKey(name)] = true
		for _, v := range vs {
			c.redactor.addCredential(name, v)
		}
	}
	c.transport = newTransport(c)
	c.hc = &http.Client{
		Transport:     c.transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c, nil
}

func applyDefaults(cfg *Config) error {
	if cfg.Resolver == nil {
		r, err := NewResolver(ResolverConfig{})
		if err != nil {
			return fmt.Errorf("netx: %w", err)
		}
		cfg.Resolver = r
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Rate == 0 {
		cfg.Rate = DefaultRate
	}
	if cfg.PerHostConcurrency <= 0 {
		cfg.PerHostConcurrency = DefaultPerHostConcurrency
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxHostFailures == 0 {
		cfg.MaxHostFailures = DefaultMaxHostFailures
	}
	if cfg.MaxRedirects == 0 {
		cfg.MaxRedirects = DefaultMaxRedirects
	} else if cfg.MaxRedirects < 0 {
		cfg.MaxRedirects = 0
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if cfg.MaxRequests < 0 {
		return errors.New("netx: MaxRequests must be >= 0")
	}
	for name, vs := range cfg.Credentials {
		if !httpguts.ValidHeaderFieldName(name) {
			return fmt.Errorf("netx: credential header name %q is invalid", name)
		}
		for _, v := range vs {
			if !httpguts.ValidHeaderFieldValue(v) {
				return fmt.Errorf("netx: credential header %s has an invalid value", name)
			}
		}
	}
	return nil
}

// Redactor returns the redactor seeded with the credentials and secrets.
func (c *Client) Redactor() *Redactor { return c.redactor }

// Resolver returns the resolver the client dials through.
func (c *Client) Resolver() *Resolver { return c.resolver }

// InScope reports whether credentials may be sent to o.
func (c *Client) InScope(o Origin) bool { return c.scope[o] }

func (c *Client) host(key string) *hostState {
	c.hostsMu.Lock()
	defer c.hostsMu.Unlock()
	hs, ok := c.hosts[key]
	if !ok {
		hs = &hostState{sem: make(chan struct{}, c.cfg.PerHostConcurrency)}
		hs.gone, hs.giveUpOn = context.WithCancel(context.Background())
		if c.cfg.Rate > 0 {
			hs.lim = rate.NewLimiter(rate.Limit(c.cfg.Rate), 1)
		}
		c.hosts[key] = hs
	}
	return hs
}

// waitRate reserves a slot at c.now() and sleeps until it is due, so tests
// can drive the limiter with a fake clock.
func (c *Client) waitRate(ctx context.Context, lim *rate.Limiter) error {
	if lim == nil {
		return nil
	}
	now := c.now()
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return errors.New("rate limiter refused reservation")
	}
	if d := r.DelayFrom(now); d > 0 {
		if err := c.sleep(ctx, d); err != nil {
			r.CancelAt(c.now())
			return err
		}
	}
	return nil
}

// takeBudget counts one request against MaxRequests, or reports that the
// budget is spent.
func (c *Client) takeBudget() bool {
	limit := int64(c.cfg.MaxRequests)
	for {
		n := c.sent.Load()
		if limit > 0 && n >= limit {
			c.exhausted.Store(true)
			return false
		}
		if c.sent.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// credentialDecision says whether credentials go to o, and if not, why.
func (c *Client) credentialDecision(o Origin, want bool) (bool, string) {
	switch {
	case !want:
		return false, ""
	case len(c.cfg.Credentials) == 0:
		return false, "no credentials configured"
	case !c.scope[o]:
		return false, fmt.Sprintf("origin %s not in scope", o)
	case o.Scheme != "https" && !c.cfg.AllowPlainHTTPCredentials:
		return false, fmt.Sprintf("plain http to %s (AllowPlainHTTPCredentials is off)", o)
	}
	return true, ""
}

// CloseIdleConnections closes pooled connections (end of scan).
func (c *Client) CloseIdleConnections() { c.transport.CloseIdleConnections() }
