package netx

import (
	"testing"
)

var connectToSeeds = []string{
	"api.example.com:443:127.0.0.1:8443",
	"::127.0.0.1:8080",
	"api.example.com::backend.test:",
	"[::1]:443:[::1]:8443",
	":443:[2001:db8::1]:443",
	"a:1:b:2",
	"a:1:b",
	"a:b:c:d",
	"[::1:443:x:1",
	"",
	"::::",
	"a:99999:b:1",
}

func TestParseConnectTo(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      string
		want    ConnectTo
		wantErr bool
	}{
		{in: "API.example.com:443:127.0.0.1:8443", want: ConnectTo{"api.example.com", 443, "127.0.0.1", 8443}},
		{in: "::127.0.0.1:8080", want: ConnectTo{"", 0, "127.0.0.1", 8080}},
		{in: "api.example.com::backend.test:", want: ConnectTo{"api.example.com", 0, "backend.test", 0}},
		{in: "[::1]:443:[0:0::1]:8443", want: ConnectTo{"::1", 443, "::1", 8443}},
		{in: ":::", want: ConnectTo{}},
		{in: "a:1:b", wantErr: true},
		{in: "a:1:b:2:3", wantErr: true},
		{in: "a:x:b:2", wantErr: true},
		{in: "a:0:b:2", wantErr: true},
		{in: "a:1:b:65536", wantErr: true},
		{in: "::1:443:b:1", wantErr: true}, // IPv6 needs brackets
		{in: "[::1:443:b:1", wantErr: true},
		{in: "[1.2.3.4]:1:b:1", wantErr: true},
		{in: "a b:1:c:1", wantErr: true},
		{in: "a/b:1:c:1", wantErr: true},
	} {
		got, err := ParseConnectTo(tc.in)
		if (err != nil) != tc.wantErr || (err == nil && got != tc.want) {
			t.Errorf("ParseConnectTo(%q) = %+v, %v; want %+v, err=%v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestApplyConnectTo(t *testing.T) {
	t.Parallel()
	rules := []ConnectTo{
		{FromHost: "api.example.com", FromPort: 443, ToHost: "127.0.0.1", ToPort: 8443},
		{FromHost: "api.example.com", ToHost: "backend.test"},
		{FromPort: 80, ToPort: 8080},
	}
	for _, tc := range []struct {
		host     string
		port     int
		wantHost string
		wantPort int
	}{
		{"API.example.com.", 443, "127.0.0.1", 8443},
		{"api.example.com", 8000, "backend.test", 8000},
		{"other.test", 80, "other.test", 8080},
		{"other.test", 443, "other.test", 443},
	} {
		h, p := applyConnectTo(rules, tc.host, tc.port)
		if h != tc.wantHost || p != tc.wantPort {
			t.Errorf("apply(%s:%d) = %s:%d, want %s:%d", tc.host, tc.port, h, p, tc.wantHost, tc.wantPort)
		}
	}
}

func FuzzParseConnectTo(f *testing.F) {
	if len(connectToSeeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	for _, s := range connectToSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseConnectTo(s)
		if err != nil {
			return
		}
		again, err := ParseConnectTo(c.String())
		if err != nil || again != c {
			t.Fatalf("round trip of %q: %q -> %+v, %v; want %+v", s, c.String(), again, err, c)
		}
		for _, p := range []int{c.FromPort, c.ToPort} {
			if p < 0 || p > 65535 {
				t.Fatalf("port %d out of range", p)
			}
		}
	})
}
