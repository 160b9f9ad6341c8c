package inventory

import "testing"

func TestEnvWord(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ host, desc, want string }{
		{"api.example.com", "production", ""},
		{"api.vulnshop.test", "production", ""}, // the TLD is ignored
		{"staging-api.example.com", "", "staging"},
		{"api.dev.example.com", "", "dev"},
		{"legacy-api.vulnshop.test", "legacy (v0 clients)", "legacy"},
		{"api2.example.com", "Sandbox for partners", "sandbox"},
		{"devices.example.com", "", ""},
		{"testimonials.example.com", "latest release", ""},
	} {
		if got := envWord(c.host, c.desc); got != c.want {
			t.Errorf("envWord(%q, %q) = %q, want %q", c.host, c.desc, got, c.want)
		}
	}
}

func TestIsSpecAndSpread(t *testing.T) {
	t.Parallel()
	for b, want := range map[string]bool{`{"openapi":"3.0.3","paths":{}}`: true, `{"swagger":"2.0","paths":{}}`: true,
		`{"openapi":"3.0.3"}`: false, `<html>openapi paths</html>`: false, `[]`: false} {
		if isSpec([]byte(b)) != want {
			t.Errorf("isSpec(%s) = %v", b, !want)
		}
	}
	got := spread([]versionCand{{path: "/v0/a", prefix: "/v0/"}, {path: "/v0/b", prefix: "/v0/"}, {path: "/v2/a", prefix: "/v2/"}})
	if got[0].path != "/v0/a" || got[1].path != "/v2/a" || got[2].path != "/v0/b" {
		t.Errorf("spread = %+v", got)
	}
}
