package server

import (
	"context"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/scope"
	"github.com/plumbsec/plumb/internal/store"
)

// checkHost refuses a host that is, or resolves to, a non-public address
// (unless AllowPrivate). Scans and deliveries check the addresses they
// connect to again; this is the early, explained refusal.
func (s *Server) checkHost(ctx context.Context, what, host string) error {
	if s.cfg.AllowPrivate {
		return nil
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return badInput("%s %s: %v", what, host, netx.ErrPrivateAddress)
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if err := netx.RefusePrivate(ip); err != nil {
			return badInput("%s: %v", what, err)
		}
		return nil
	}
	res, err := netx.NewResolver(netx.ResolverConfig{Servers: s.cfg.Resolvers, Retries: 1})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	hr, err := res.LookupHost(ctx, host)
	if err != nil {
		return badInput("%s %s does not resolve: %v", what, host, err)
	}
	for _, a := range hr.Addrs {
		if err := netx.RefusePrivate(a); err != nil {
			return badInput("%s %s resolves to %v", what, host, err)
		}
	}
	return nil
}

// checkURL validates an http(s) URL and its host.
func (s *Server) checkURL(ctx context.Context, what, raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return nil, badInput("%s %q: want an absolute http(s) URL", what, raw)
	}
	if u.User != nil {
		return nil, badInput("%s: no credentials in the URL; use \"credentials\"", what)
	}
	if len(raw) > 2048 {
		return nil, badInput("%s: longer than 2048 characters", what)
	}
	return u, s.checkHost(ctx, what, u.Hostname())
}

// checkAddrs validates "ip:port" lists (resolvers, root servers).
func (s *Server) checkAddrs(what string, addrs []string) error {
	if len(addrs) > 16 {
		return badInput("%s: at most 16 addresses", what)
	}
	for _, a := range addrs {
		ap, err := netip.ParseAddrPort(a)
		if err != nil {
			return badInput("%s %q: want IP:PORT, e.g. 192.0.2.53:53", what, a)
		}
		if !s.cfg.AllowPrivate {
			if err := netx.RefusePrivate(ap.Addr()); err != nil {
				return badInput("%s: %v", what, err)
			}
		}
	}
	return nil
}

// checkTargetURL validates a target base URL as plumb scan would.
func (s *Server) checkTargetURL(ctx context.Context, raw string) (*url.URL, error) {
	u, err := engine.ParseTarget(raw)
	if err != nil {
		return nil, badInput("url: %v", err)
	}
	if _, err := s.checkURL(ctx, "url", u.String()); err != nil {
		return nil, err
	}
	return u, nil
}

func (s *Server) checkScanOptions(o *store.ScanOptions) error {
	if err := s.checkAddrs("options.resolver", o.Resolvers); err != nil {
		return err
	}
	if err := s.checkAddrs("options.dns_root", o.DNSRoots); err != nil {
		return err
	}
	if o.LLM != "" && !slices.Contains(s.cfg.LLMTiers, o.LLM) {
		return badInput("options.llm %q: want one of %s", o.LLM, strings.Join(s.cfg.LLMTiers, ", "))
	}
	if o.Rate < 0 || o.Rate > 1000 {
		return badInput("options.rate: between 0 (the default, 20/s) and 1000 requests per second")
	}
	if o.MaxRequests < 0 || o.MaxRequests > 100000 {
		return badInput("options.max_requests: between 0 (the default, 2000) and 100000")
	}
	for _, l := range []struct {
		name string
		pats []string
	}{{"options.include", o.Include}, {"options.exclude", o.Exclude}} {
		if len(l.pats) > 64 {
			return badInput("%s: at most 64 patterns", l.name)
		}
		if _, err := scope.ParsePatterns(l.pats); err != nil {
			return badInput("%s: %v", l.name, err)
		}
	}
	return nil
}

func (s *Server) checkSchedule(sched string) error {
	if sched == "" {
		return nil
	}
	if _, err := parseSchedule(sched, s.cfg.MinSchedule); err != nil {
		return badInput("%v", err)
	}
	return nil
}
