package netx

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

const testSecret = "s3cr3t+T0ken/with=chars"

func TestMask(t *testing.T) {
	t.Parallel()
	m := Mask(testSecret)
	if !regexp.MustCompile(`^\*\*\*\*\(sha256:[0-9a-f]{6}\)$`).MatchString(m) {
		t.Errorf("Mask = %q", m)
	}
	if Mask("a-different-secret") == m {
		t.Error("different secrets share a mask")
	}
}

func TestRedactorString(t *testing.T) {
	t.Parallel()
	r := NewRedactor(testSecret, "abc") // "abc" is too short to redact
	forms := map[string]string{
		"raw":        testSecret,
		"query":      url.QueryEscape(testSecret),
		"path":       url.PathEscape(testSecret),
		"base64":     base64.StdEncoding.EncodeToString([]byte(testSecret)),
		"base64url":  base64.RawURLEncoding.EncodeToString([]byte(testSecret)),
		"base64 raw": base64.RawStdEncoding.EncodeToString([]byte(testSecret)),
	}
	for name, form := range forms {
		got := r.String("before " + form + " after " + form)
		if strings.Contains(got, form) || strings.Count(got, Mask(testSecret)) != 2 {
			t.Errorf("%s: String = %q", name, got)
		}
	}
	if got := r.String("abcdef"); got != "abcdef" {
		t.Errorf("short secret mangled output: %q", got)
	}
	// A secret that contains another is masked whole.
	r.Add("s3cr3t")
	if got := r.String(testSecret); got != Mask(testSecret) {
		t.Errorf("longest match should win: %q", got)
	}
}

func TestRedactorHeader(t *testing.T) {
	t.Parallel()
	c, err := NewClient(Config{
		Resolver:    newTestResolver(t, "127.0.0.1:1"),
		Credentials: http.Header{"Authorization": {"Bearer " + testSecret}, "X-Api-Key": {"k-123456"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := c.Redactor()
	in := http.Header{
		"Authorization":    {"Bearer " + testSecret},
		"Cookie":           {"session=abcdef123; theme=dark-mode"},
		"Set-Cookie":       {"sid=zzzz9999; Path=/; HttpOnly"},
		"X-Api-Key":        {"k-123456"},
		"X-Auth-Token":     {"tok-777777"},
		"Www-Authenticate": {`Bearer realm="api"`},
		"X-Echo":           {"you sent " + testSecret},
	}
	out := r.Header(in)
	want := map[string]string{
		"Authorization":    "Bearer " + Mask(testSecret),
		"Cookie":           "session=" + Mask("abcdef123") + "; theme=" + Mask("dark-mode"),
		"Set-Cookie":       "sid=" + Mask("zzzz9999") + "; Path=/; HttpOnly",
		"X-Api-Key":        Mask("k-123456"),
		"X-Auth-Token":     Mask("tok-777777"),
		"Www-Authenticate": `Bearer realm="api"`,
		"X-Echo":           "you sent " + Mask(testSecret),
	}
	for k, v := range want {
		if got := out.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if in.Get("X-Echo") != "you sent "+testSecret {
		t.Error("Header modified its input")
	}
}

func TestRedactorURL(t *testing.T) {
	t.Parallel()
	r := NewRedactor(testSecret)
	for _, tc := range []struct{ in, gone, keep string }{
		{"https://x.test/a?access_token=zzzzz1&page=2", "zzzzz1", "page=2"},
		{"https://x.test/a?API_KEY=zzzzz2&q=1", "zzzzz2", "q=1"},
		{"https://x.test/a?password=zzzzz3", "zzzzz3", "password="},
		{"https://user:zzzzz4@x.test/", "zzzzz4", "user:"},
		{"https://x.test/cb#access_token=zzzzz5&state=s", "zzzzz5", "state=s"},
		{"https://x.test/" + url.PathEscape(testSecret), url.PathEscape(testSecret), "x.test"},
	} {
		got := r.URL(tc.in)
		if strings.Contains(got, tc.gone) || !strings.Contains(got, tc.keep) {
			t.Errorf("URL(%q) = %q", tc.in, got)
		}
	}
}
