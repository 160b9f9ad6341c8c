// Package lab is plumb's in-process test world: a DNS server that is both
// authoritative and recursive for a few made-up zones, and HTTP(S) sites on
// loopback with deliberate flaws (and a clean twin without them), so tests and
// `plumb demo` can scan real protocol exchanges without touching the internet.
//
// Everything is data: DNS records live in zoneData (zones.go), misbehaving
// names in builtinBehaviours, virtual hosts in builtinSites (web.go). A new
// flaw is a handler on a site plus, if it needs a name, a line in zoneData;
// tests can add zones and sites through Options without editing the package.
package lab

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Options tunes a lab World. The zero value is a complete lab.
type Options struct {
	// Logf, if set, receives one line per noteworthy lab event (handler
	// errors, DNS write failures). Nil means silent.
	Logf func(format string, args ...any)
	// Now overrides the clock used for certificates and tokens.
	Now func() time.Time
	// ExtraZones are served next to the built-in zones.
	ExtraZones []Zone
	// ExtraDelegations are TLD referrals for zones (without the trailing
	// dot), each nameserver "name" or "name=ip" (with glue), replacing the
	// default referral of an extra zone to ns1.ZONE at 127.0.0.1.
	ExtraDelegations map[string][]string
	// ExtraSites are routed next to the built-in sites; a site with the
	// same host as a built-in one replaces it.
	ExtraSites []Site
}

// Target describes one lab API as a scanner user would: where it lives,
// where its OpenAPI document is, and a credential that works on it.
type Target struct {
	Name    string
	BaseURL string // e.g. https://api.vulnshop.test
	SpecURL string // where the API serves its OpenAPI document
	Spec    []byte // the document itself
	Token   string // a valid bearer token for this API
	TokenB  string // a second user's token (identity B); empty if the API has one user
	// Methods records the method and path of every request the API
	// received; nil for targets that do not record.
	Methods *RequestLog
	// Resets reports how often the API's store was wiped (signalshop's
	// GET /api/admin/reset-db); nil for APIs without one.
	Resets func() int
	// GraphQL records every document its /graphql endpoint received; nil
	// for targets without one.
	GraphQL *GraphQLLog
	// State returns the shop's stored data (users with their passwords,
	// orders, password resets) as canonical JSON, so a test can compare
	// it before and after a writes scan; nil for targets without a store.
	State func() []byte
	// Failures counts the failed logins ("login:NAME") and PIN checks
	// ("pin:NAME") the shop saw; nil for targets without a store.
	Failures func() map[string]int
}

// World is a running lab. All of its listeners are on loopback.
type World struct {
	DNSAddr   string   // "127.0.0.1:port", UDP and TCP
	ConnectTo []string // curl-style HOST1:PORT1:HOST2:PORT2 rules for every lab site
	CACertPEM []byte   // the lab CA certificate, PEM
	CAPool    *x509.CertPool

	Vuln, Clean, Hostile Target
	// Signal and SignalClean are the plain-HTTP twins of signal.go.
	Signal, SignalClean Target
	// Hang answers its root and spec and hangs on every other path
	// (hostile_sites.go); Methods records what it received.
	Hang Target

	Collector *Collector // every request that reaches collector.evil.test
	DNS       *DNSServer // zones, records and behaviours

	// HTTPSAddr and HTTPAddr are the loopback listeners behind ConnectTo.
	HTTPSAddr, HTTPAddr string

	// The lab internet (internet.go): the root server to walk delegations
	// from, the port every lab authority listens on (127.0.0.x), and
	// resolvers that misbehave (resolvers.go).
	RootAddr, AuthorityPort                  string
	RewritingResolverAddr, FlakyResolverAddr string
	FlakyTimeoutResolverAddr                 string
	internet                                 *internet

	web       *webServer
	closeOnce sync.Once
	closeErr  error
}

// Start builds the lab (CA, certificates, zones, sites) and starts its
// listeners. Every listener accepts connections before Start returns.
func Start(ctx context.Context, opts Options) (*World, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	now := opts.Now()
	ca, err := newCA(now)
	if err != nil {
		return nil, fmt.Errorf("lab: create CA: %w", err)
	}
	w := &World{CACertPEM: ca.certPEM, CAPool: ca.pool(), Collector: &Collector{}}

	vuln, err := newVulnShop(opts.Now)
	if err != nil {
		return nil, fmt.Errorf("lab: vulnshop: %w", err)
	}
	clean, err := newCleanShop(opts.Now)
	if err != nil {
		return nil, fmt.Errorf("lab: cleanshop: %w", err)
	}
	hostileToken, err := randomHex(16)
	if err != nil {
		return nil, fmt.Errorf("lab: hostile token: %w", err)
	}
	w.Vuln, w.Clean = vuln.target(), clean.target()
	w.Hostile = Target{
		Name:    "hostile",
		BaseURL: "https://" + hostileHost,
		SpecURL: "https://" + hostileHost + "/openapi.json",
		Spec:    bytes.Clone(hostileSpec),
		Token:   "hostile-" + hostileToken,
	}

	signal, signalClean, err := w.startSignal(opts.Now)
	if err != nil {
		return nil, err
	}
	hs := &hostileSites{}
	w.Hang = Target{Name: "hang", BaseURL: "https://" + HangHost, SpecURL: "https://" + HangHost + "/openapi.json",
		Token: w.Hostile.Token, Methods: &hs.hangLog}
	sites := builtinSites(vuln, clean, newHostile(), w.Collector)
	sites = append(sites, Site{Host: signalHost, Handler: signal.handler(), Cert: CertNone},
		Site{Host: signalCleanHost, Handler: signalClean.handler(), Cert: CertNone})
	sites = append(append(sites, hs.sites()...), takeoverSites()...)
	sites = mergeSites(sites, opts.ExtraSites)
	w.web, err = startWeb(ca, sites, now, opts.Logf)
	if err != nil {
		return nil, fmt.Errorf("lab: web: %w", err)
	}
	w.HTTPSAddr, w.HTTPAddr = w.web.httpsAddr, w.web.httpAddr
	w.ConnectTo = []string{":443:" + w.HTTPSAddr, ":80:" + w.HTTPAddr}

	zones, err := builtinZones()
	if err != nil {
		_ = w.web.close()
		return nil, fmt.Errorf("lab: zones: %w", err)
	}
	w.DNS = NewDNSServer(append(zones, opts.ExtraZones...), builtinBehaviours(), opts.Logf)
	if err := w.DNS.Listen("127.0.0.1:0"); err != nil {
		_ = w.web.close()
		return nil, fmt.Errorf("lab: dns: %w", err)
	}
	w.DNSAddr = w.DNS.Addrs()[0]
	if err := w.startInternet(opts.ExtraDelegations); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("lab: internet: %w", err)
	}
	if err := w.startResolvers(); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("lab: internet: %w", err)
	}
	return w, nil
}

// Close stops every listener and waits for in-flight handlers to return.
// It is safe to call more than once.
func (w *World) Close() error {
	w.closeOnce.Do(func() {
		w.internet.close()
		w.closeErr = errors.Join(w.web.close(), w.DNS.Close())
	})
	return w.closeErr
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
