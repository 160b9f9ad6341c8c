package code

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// nameCorpus is every identifier-like run of the fixtures plus names
// chosen for the splitting rules (acronyms, digits, separators, non-ASCII).
func nameCorpus(t testing.TB) []string {
	names := []string{"", "_", "--", "APIKey", "apiKey", "api_key", "X-API-Key", "x-api-key", "XAPIKey", "HTTPSProxy", "OAuth2Token",
		"clientSecret", "CLIENT_SECRET", "db.password", "auth", "AUTH_URL", "authToken", "Authorization", "csrf_token", "XSRF-TOKEN",
		"Private-Token", "Ocp-Apim-Subscription-Key", "x-functions-key", "METRICS_URL", "metricsUrl", "metrics.url", "metrics-url",
		"upstreamHost", "BASE_URL", "baseURL", "baseurl", "fqdn", "server_addr", "Address", "$schema", "a[b]", `"quoted key"`,
		"KEY", "Key2", "key2fa", "v2Token", "TOKEN_TTL", "tokenExpiry", "passwordRegex", "ÄPIKey", "tökenSecret", "KEY\u212a", "İD",
		"aVeryLongIdentifierThatIsLongerThanThirtyTwoBytesToken", "token_aVeryLongIdentifierThatIsLongerThanThirtyTwoBytes"}
	re := regexp.MustCompile(`[A-Za-z0-9_$.\-\[\]'" /\x80-\xff]{1,64}`)
	err := filepath.WalkDir("testdata", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range re.FindAll(data, -1) {
			names = append(names, string(m))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// The allocation-free name predicates answer exactly as the word-list
// versions they replaced (names_ref_test.go).
func TestNamePredicatesMatchReference(t *testing.T) {
	t.Parallel()
	names := nameCorpus(t)
	if len(names) < 500 {
		t.Fatalf("only %d names in the corpus", len(names))
	}
	for _, n := range names {
		checkNamePredicates(t, n)
	}
}

func checkNamePredicates(t *testing.T, n string) {
	t.Helper()
	if got, want := credentialName(n), credentialNameRef(n); got != want {
		t.Errorf("credentialName(%q) = %v, reference %v", n, got, want)
	}
	if got, want := credentialHeader(n), credentialHeaderRef(n); got != want {
		t.Errorf("credentialHeader(%q) = %v, reference %v", n, got, want)
	}
	if got, want := hostishName(n), hostishNameRef(n); got != want {
		t.Errorf("hostishName(%q) = %v, reference %v", n, got, want)
	}
	if got, want := settingKey(n), settingKeyRef(n); got != want {
		t.Errorf("settingKey(%q) = %q, reference %q", n, got, want)
	}
	if got, want := len(nameWords(n)), len(nameWordsRef(n)); got != want {
		t.Errorf("nameWords(%q) has %d words, reference %d", n, got, want)
	}
}

func FuzzNamePredicates(f *testing.F) {
	for _, n := range nameCorpus(f)[:200] {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n string) { checkNamePredicates(t, n) })
}
