package mcp

import (
	"errors"
	"strings"
	"testing"
)

func TestAllowlist(t *testing.T) {
	t.Parallel()
	a, err := ParseAllowlist([]string{"api.example.com", "*.staging.example.com", "internal.test:8443", "10.1.0.0/16", "[::1]:9000", "192.0.2.7"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		host string
		port int
		ok   bool
	}{
		{"api.example.com", 443, true},
		{"API.Example.COM.", 80, true}, // case and the root dot do not matter
		{"example.com", 443, false},
		{"evil-api.example.com", 443, false},
		{"a.staging.example.com", 443, true},
		{"a.b.staging.example.com", 443, true}, // '*' spans dots
		{"staging.example.com", 443, false},    // not the apex
		{"xstaging.example.com", 443, false},
		{"internal.test", 8443, true},
		{"internal.test", 443, false}, // the pattern names a port
		{"internal.test", 0, true},    // a DNS audit of the name
		{"10.1.200.3", 443, true},
		{"10.2.0.1", 443, false},
		{"::1", 9000, true},
		{"[::1]", 9000, true},
		{"::1", 9001, false},
		{"192.0.2.7", 1, true},
		{"::ffff:192.0.2.7", 1, true}, // a mapped address is its IPv4 address
		{"169.254.169.254", 80, false},
		{"", 443, false},
	} {
		err := a.Host(tc.host, tc.port)
		if (err == nil) != tc.ok {
			t.Errorf("Host(%q, %d) = %v, want allowed %v", tc.host, tc.port, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrNotAllowed) {
			t.Errorf("Host(%q) error %v is not ErrNotAllowed", tc.host, err)
		}
	}
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"https://api.example.com/v1", true},
		{"http://internal.test:8443/", true},
		{"https://internal.test/", false},
		{"ftp://api.example.com/", false},
		{"https://user:pw@evil.example.net/", false},
		{"not a url", false},
	} {
		if err := a.URL(tc.url); (err == nil) != tc.ok {
			t.Errorf("URL(%q) = %v, want allowed %v", tc.url, err, tc.ok)
		}
	}
}

func TestAllowlistEverythingAndNothing(t *testing.T) {
	t.Parallel()
	all, err := ParseAllowlist([]string{"*"})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"example.com", "127.0.0.1", "::1", "a.b.c"} {
		if err := all.Host(h, 443); err != nil {
			t.Errorf("'*' refused %s: %v", h, err)
		}
	}
	none, _ := ParseAllowlist(nil)
	err = none.Host("example.com", 443)
	if err == nil || !strings.Contains(err.Error(), "started without --allow-target") {
		t.Errorf("empty list: %v", err)
	}
	if !none.Empty() || all.Empty() || !all.Any() || none.Any() {
		t.Error("Empty or Any is wrong")
	}
	if some, _ := ParseAllowlist([]string{"*.example.com"}); some.Any() {
		t.Error("*.example.com allows any host")
	}
}

func TestAllowlistRejectsBadPatterns(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"", " ", "a b", "host:0", "host:65536", "host:http", "[::1", "[::1]x", "10.0.0.0/33", "a[b", "user@host", "http://x/"} {
		if _, err := ParseAllowlist([]string{p}); err == nil {
			t.Errorf("ParseAllowlist(%q) accepted it", p)
		}
	}
}

func TestEnvAllowlist(t *testing.T) {
	t.Parallel()
	e := envAllowlist{"LAB_TOKEN*", "API_KEY"}
	for name, ok := range map[string]bool{"LAB_TOKEN": true, "LAB_TOKEN_B": true, "API_KEY": true, "AWS_SECRET_ACCESS_KEY": false, "api_key": false} {
		if err := e.check(name); (err == nil) != ok {
			t.Errorf("check(%s) = %v, want allowed %v", name, err, ok)
		}
	}
	if err := (envAllowlist{}).check("X"); err == nil || !strings.Contains(err.Error(), "--allow-env") {
		t.Errorf("no --allow-env: %v", err)
	}
}
