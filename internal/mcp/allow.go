package mcp

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// ErrNotAllowed is wrapped by every refusal of a target or environment
// variable the server was not started to allow.
var ErrNotAllowed = errors.New("not allowed")

// RefusedError says which input was refused and what the server allows.
type RefusedError struct {
	What    string   // "target", "name", "resolver", "environment variable", "allow_writes"
	Value   string   // what was asked for
	Allowed []string // the patterns the server was started with
	Flag    string   // the flag that would allow it
}

func (e *RefusedError) Error() string {
	if e.Flag == flagAllowWrites {
		return "allow_writes refused: plumb mcp was started without --allow-writes; state-changing probes need the user to restart it with that flag (on staging only)"
	}
	if len(e.Allowed) == 0 {
		return fmt.Sprintf("%s %q refused: plumb mcp was started without %s, so it allows none (the user must restart it with %s PATTERN)",
			e.What, e.Value, e.Flag, e.Flag)
	}
	return fmt.Sprintf("%s %q refused: it matches no %s pattern this server was started with (%s)",
		e.What, e.Value, e.Flag, strings.Join(e.Allowed, ", "))
}

func (e *RefusedError) Unwrap() error { return ErrNotAllowed }

const flagAllowWrites = "--allow-writes"

// Allowlist holds the --allow-target patterns: the hosts plumb mcp may
// send packets to on an assistant's behalf. The zero value allows nothing.
type Allowlist struct {
	raw   []string
	rules []hostRule
}

// hostRule is one pattern: a host glob or an address prefix, and a port
// (0: any).
type hostRule struct {
	glob   string
	prefix netip.Prefix
	port   int
}

// ParseAllowlist parses --allow-target patterns. A pattern is HOST or
// HOST:PORT, where HOST is a name glob (api.example.com, *.example.com;
// '*' matches across dots), an IP address, a CIDR prefix (10.0.0.0/8) or
// '*' (anything); IPv6 with a port goes in brackets ([::1]:8443).
func ParseAllowlist(patterns []string) (*Allowlist, error) {
	a := &Allowlist{}
	for _, p := range patterns {
		r, err := parseHostRule(p)
		if err != nil {
			return nil, fmt.Errorf("--allow-target %q: %w", p, err)
		}
		a.raw = append(a.raw, p)
		a.rules = append(a.rules, r)
	}
	return a, nil
}

func parseHostRule(p string) (hostRule, error) {
	var r hostRule
	s := strings.ToLower(strings.TrimSpace(p))
	if s == "" || strings.ContainsAny(s, " \t\\?@") {
		return r, errors.New("want HOST, HOST:PORT, a CIDR or '*'")
	}
	host := s
	switch {
	case strings.HasPrefix(s, "["):
		end := strings.Index(s, "]")
		if end < 0 {
			return r, errors.New("unclosed '['")
		}
		host = s[1:end]
		if rest := s[end+1:]; rest != "" {
			if !strings.HasPrefix(rest, ":") {
				return r, errors.New("want [IPv6]:PORT")
			}
			port, err := parsePort(rest[1:])
			if err != nil {
				return r, err
			}
			r.port = port
		}
	case strings.Count(s, ":") == 1:
		h, ps, _ := strings.Cut(s, ":")
		port, err := parsePort(ps)
		if err != nil {
			return r, err
		}
		host, r.port = h, port
	}
	host = strings.TrimSuffix(host, ".")
	if strings.Contains(host, "/") {
		pf, err := netip.ParsePrefix(host)
		if err != nil {
			return r, fmt.Errorf("bad CIDR: %w", err)
		}
		r.prefix = pf.Masked()
		return r, nil
	}
	if a, err := netip.ParseAddr(host); err == nil {
		r.prefix = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		return r, nil
	}
	if host == "" || strings.Contains(host, ":") {
		return r, errors.New("want HOST, HOST:PORT, a CIDR or '*'")
	}
	if _, err := path.Match(host, ""); err != nil {
		return r, fmt.Errorf("bad glob: %w", err)
	}
	r.glob = host
	return r, nil
}

func parsePort(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("port %q: want 1-65535", s)
	}
	return n, nil
}

// Patterns returns the patterns as given.
func (a *Allowlist) Patterns() []string { return append([]string(nil), a.raw...) }

// Any reports whether a pattern allows every host name ('*').
func (a *Allowlist) Any() bool {
	for _, r := range a.rules {
		if r.glob == "*" {
			return true
		}
	}
	return false
}

// Empty reports whether the list allows nothing.
func (a *Allowlist) Empty() bool { return len(a.rules) == 0 }

// Host vets one connection: nil when some pattern allows host:port. Port 0
// asks about the name itself (a DNS audit), which any pattern naming the
// host allows whatever its port. It is the scan's netx.HostPolicy.
func (a *Allowlist) Host(host string, port int) error {
	h := strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	ip, ipErr := netip.ParseAddr(h)
	for _, r := range a.rules {
		if port != 0 && r.port != 0 && r.port != port {
			continue
		}
		switch {
		case r.prefix.IsValid():
			if ipErr == nil && r.prefix.Contains(ip.Unmap()) {
				return nil
			}
		case h != "":
			if ok, _ := path.Match(r.glob, h); ok {
				return nil
			}
		}
	}
	v := h
	if port != 0 {
		v = net.JoinHostPort(h, strconv.Itoa(port))
	}
	return &RefusedError{What: "target", Value: v, Allowed: a.Patterns(), Flag: "--allow-target"}
}

// URL vets an http(s) URL's host and port.
func (a *Allowlist) URL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return fmt.Errorf("%q is not an http(s) URL", raw)
	}
	port := 443
	if u.Scheme == "http" {
		port = 80
	}
	if p := u.Port(); p != "" {
		if port, err = parsePort(p); err != nil {
			return fmt.Errorf("%q: %w", raw, err)
		}
	}
	return a.Host(u.Hostname(), port)
}

// envAllowlist holds the --allow-env patterns: the environment variables
// scan_api may read a credential from.
type envAllowlist []string

func (e envAllowlist) check(name string) error {
	for _, p := range e {
		if ok, _ := path.Match(p, name); ok {
			return nil
		}
	}
	return &RefusedError{What: "environment variable", Value: name, Allowed: append([]string(nil), e...), Flag: "--allow-env"}
}
