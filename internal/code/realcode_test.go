package code

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/finding"
)

// Strings that look like host names in real code but name no place the
// application calls: dotted labels under no public top-level domain, hosts
// a name is compared with, and a manifest's metadata and dependencies.
func TestNotDestinations(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ file, src string }{
		{"a.py", "ENDPOINT_HOSTS = ['ecr.api', 'sagemaker.runtime', 'fs.s3.cse.provider.uri']\nurl = cast('_t.UriType', url)\n"},
		{"b.py", "def f(u):\n    return urlparse(u).hostname.endswith('amazonaws.com') or u.startswith('https://s3.amazonaws.com/')\n"},
		{"c.js", "const local = host.lastIndexOf('::') >= 0 || url.includes('api.github.com');\n"},
		{"f.js", "console.warn('See https://docs.svc-sample.io/migrate');\nif (iss === 'https://self.svc-sample.io') { x(); }\nthrow new TypeError(`read https://help.svc-sample.io`);\n"},
		{"g.py", "if host == 'api.svc-sample.io' or host in ('a.svc-sample.io', 'b.svc-sample.io'):\n    raise ValueError('see https://docs.svc-sample.io')\nlogger.warning('moved to https://new.svc-sample.io')\n"},
		{"h.go", "package h\n\nfunc f(u string) error {\n\tif u == \"https://x.svc-sample.io\" {\n\t\treturn fmt.Errorf(\"see https://docs.svc-sample.io\")\n\t}\n\treturn nil\n}\n"},
		{"d.go", "package d\n\nimport \"strings\"\n\nfunc f(h string) bool { return strings.HasSuffix(h, \".googleapis.com\") }\n"},
		{"package.json", `{"name": "x", "repository": {"type": "git", "url": "https://github.com/o/x.git"},
  "funding": {"url": "https://opencollective.com/x"}, "devDependencies": {"@x/auth-config": "workspace:*"}}`},
		{"openapi.json", `{"info": {"contact": {"url": "https://support.svc-sample.io"}, "license": {"url": "https://licenses.svc-sample.io/mit"}}}`},
		{"f.py", "HASHES = {'AWS::CodeBuild::SourceCredential': 'b84e190d9ebbbfe1', 'urn:x:token': 'a9f3e1c2d4b5a6f7'}\n"},
		{"schema.json", `{"sourceUrl": "https://github.com/o/schemas", "documentation_url": "https://docs.svc-sample.io", "$comment": "see https://x.svc-sample.io"}`},
		{"bom.json", `{"components": [{"externalReferences": [{"type": "website", "url": "https://pkg.svc-sample.io"}]}]}`},
		{"e.py", "SCHEMA = {'$id': 'https://schemas.svc-sample.io/item.json', 'type': 'object'}\n"},
	} {
		ff, err := analyzeBytes(tc.file, classify(tc.file), []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ff.dests {
			t.Errorf("%s: host %s (line %d, %s)", tc.file, d.host, d.line, d.name)
		}
		for _, is := range ff.issues {
			t.Errorf("%s: %s at line %d", tc.file, is.rule, is.line)
		}
		if len(ff.credLines) > 0 {
			t.Errorf("%s: credential at lines %v", tc.file, ff.credLines)
		}
	}
}

// Names under a top-level domain that does not exist in the public DNS
// are cluster or private names: listed, never looked up publicly. The
// reserved test names the lab uses are still audited.
func TestPublicHostNeedsAPublicTLD(t *testing.T) {
	t.Parallel()
	for h, want := range map[string]bool{
		"metrics.monitoring": false, "api.default.svc": false, "api.stripe.com": true, "metrics.vulnshop.test": true,
		"x.github.io": true, "shop.co.uk": true, "api.example.com": false,
	} {
		if got, why := publicHost(h); got != want {
			t.Errorf("publicHost(%q) = %v (%s), want %v", h, got, why, want)
		}
	}
	for h, want := range map[string]bool{"ecr.api": false, "db.internal": true, "metrics.vulnshop.test": true, "api.stripe.com:443": true} {
		if _, got := bareHost(h); got != want {
			t.Errorf("bareHost(%q) = %v, want %v", h, got, want)
		}
	}
}

// JSON with comments and trailing commas (devcontainer.json, tsconfig.json)
// is read, with the lines of the original; broken JSON is still an error.
func TestJSONWithComments(t *testing.T) {
	t.Parallel()
	src := "{\n  // where the API lives\n  \"apiUrl\": \"https://api.svc-sample.io/v1\", /* prod */\n  \"paths\": [\"a//b\", \"c/*d*/\",],\n}\n"
	entries, err := parseJSONOrJSONC([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range entries {
		got[e.name()] = e.value
		if e.name() == "apiUrl" && e.line != 3 {
			t.Errorf("apiUrl on line %d, want 3", e.line)
		}
	}
	if got["apiUrl"] != "https://api.svc-sample.io/v1" || got["paths"] != "c/*d*/" || len(entries) != 3 {
		t.Errorf("entries %+v", entries)
	}
	if _, err := parseJSONOrJSONC([]byte("{\"a\": 1 // x\n \"b\": 2}")); err == nil {
		t.Error("a missing comma passed")
	}
	e, err := parseJSONOrJSONC([]byte("{\"q\": \"say \\\"//no comment\\\"\", // yes\n}"))
	if err != nil || len(e) != 1 || e[0].value != `say "//no comment"` {
		t.Errorf("escaped quote: %+v %v", e, err)
	}
	for _, bad := range []string{"{/*", "{\"a\\", "//", "[1,/", "\"\\"} {
		_, _ = parseJSONOrJSONC([]byte(bad)) // must not panic
	}
}

// A class that defines rebuild_auth without a base class is the library
// itself (or a mixin of its own), not an application overriding requests.
func TestRebuildAuthNeedsABaseClass(t *testing.T) {
	t.Parallel()
	body := ":\n    def rebuild_auth(self, prepared_request, response):\n        return\n"
	for src, want := range map[string]int{
		"class RedirectMixin" + body:                 0,
		"class RedirectMixin(object)" + body:         0,
		"class LaxSession(requests.Session)" + body:  1,
		"class LaxSession(Base, metaclass=M)" + body: 1,
	} {
		ff, err := analyzeBytes("a.py", langPython, []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if n := len(ff.issues); n != want {
			t.Errorf("%q: %d issues, want %d", src, n, want)
		}
	}
}

// A vendor's documentation key matches the key's shape but is no secret.
func TestDocumentedSampleKeysAreNotSecrets(t *testing.T) {
	t.Parallel()
	if _, _, ok := knownSecret("AKIAIOSFODNN7EXAMPLE"); ok {
		t.Error("AWS's documentation key id reported")
	}
	if _, _, ok := knownSecret("AKIA2E0A8F3B244C9986"); !ok {
		t.Error("an AWS key id was missed")
	}
}

// Tests skip verification against their own servers on purpose: the
// pattern is reported, at low, like a fake token there.
func TestPatternsInTestsAreLow(t *testing.T) {
	t.Parallel()
	ff, err := analyzeBytes("pkg/conn_test.go", langGo, []byte("package pkg\n\nimport \"crypto/tls\"\n\nvar c = &tls.Config{InsecureSkipVerify: true}\n"))
	if err != nil {
		t.Fatal(err)
	}
	ff.test = testPath("pkg/conn_test.go")
	if len(ff.issues) != 1 {
		t.Fatalf("issues %+v", ff.issues)
	}
	if f := issueFinding(ff, ff.issues[0]); f.Severity != finding.Low {
		t.Errorf("severity %s in a test file", f.Severity)
	}
	ff.test = false
	if f := issueFinding(ff, ff.issues[0]); f.Severity != finding.High {
		t.Errorf("severity %s outside tests", f.Severity)
	}
}

// A tls.Config that skips Go's default verification to run its own
// callback still verifies; one without a callback does not.
func TestInsecureSkipVerifyWithOwnVerification(t *testing.T) {
	t.Parallel()
	for src, want := range map[string]int{
		"package p\n\nfunc f(c *tls.Config) {\n\tc.InsecureSkipVerify = true\n\tc.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error { return check(raw) }\n}\n":                                            0,
		"package p\n\nvar c = &tls.Config{InsecureSkipVerify: true, VerifyConnection: pin}\n":                                                                                                                                      0,
		"package p\n\nfunc f(c *tls.Config) {\n\tc.InsecureSkipVerify = true\n\td.VerifyPeerCertificate = check\n}\n":                                                                                                              1,
		"package p\n\nfunc f(c *tls.Config, m string) {\n\tswitch m {\n\tcase \"prefer\":\n\t\tc.InsecureSkipVerify = true\n\tcase \"verify-ca\":\n\t\tc.InsecureSkipVerify = true\n\t\tc.VerifyPeerCertificate = check\n\t}\n}\n": 1,
		"package p\n\nvar c = &tls.Config{InsecureSkipVerify: true}\n":                                                                                                                                                             1,
	} {
		ff, err := analyzeBytes("a.go", langGo, []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if len(ff.issues) != want {
			t.Errorf("%q: issues %+v, want %d", src, ff.issues, want)
		}
	}
}

func TestTestPaths(t *testing.T) {
	t.Parallel()
	for p, want := range map[string]bool{
		"openpgp/read_write_test_data.go": true, "pkg/testutils/samples.go": true, "internal/mocks/client.go": true,
		"e2e/login.spec.ts": true, "data/ec2/examples-1.json": true, "_examples/custom/main.go": true, "src/client.go": false, "contest/app.py": false, "attestation/verify.go": false,
	} {
		if got := testPath(p); got != want {
			t.Errorf("testPath(%q) = %v, want %v", p, got, want)
		}
	}
}

// A PEM header alone (a scanner's pattern, a prefix check) holds no key;
// verify = false is a TLS setting in Python, a plain flag in Go.
func TestNotSecretsNorTLS(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ file, src string }{
		{"a.go", "package a\n\nvar pemRSA = regexp.MustCompile(`-----BEGIN RSA PRIVATE KEY-----`)\n"},
		{"b.go", "package b\n\n// verify is enabled by GODEBUG.\nvar verify = false\n"},
	} {
		ff, err := analyzeBytes(tc.file, classify(tc.file), []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		for _, is := range ff.issues {
			t.Errorf("%s: %s at line %d", tc.file, is.rule, is.line)
		}
	}
	ff, _ := analyzeBytes("c.py", langPython, []byte("verify = False\n"))
	if len(ff.issues) != 1 {
		t.Errorf("python verify = False: %+v", ff.issues)
	}
}

func TestBuildIgnoredGoFiles(t *testing.T) {
	t.Parallel()
	for src, want := range map[string]bool{
		"// Copyright\n\n//go:build ignore\n\n// Generates tables.\npackage main\n": true,
		"// +build ignore\n\npackage main\n":                                        true,
		"//go:build linux && !ignore\n\npackage p\n":                                false,
		"package p\n\n//go:build ignore\n":                                          false,
	} {
		if got := buildIgnored([]byte(src)); got != want {
			t.Errorf("buildIgnored(%q) = %v, want %v", src, got, want)
		}
	}
}

// Docstrings document URLs, DSNs and PEM markers; a key, a remote
// database's password and a real URL in code are still found.
func TestDocstringsAndLocalDSNs(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun", 2)
	for _, tc := range []struct {
		src    string
		issues int
		dests  int
	}{
		{"def load(pem):\n    \"\"\"Loads a PEM file with '-----BEGIN RSA PRIVATE KEY-----' markers.\n\n    >>> requests.get('https://api.svc-sample.io')\n    \"\"\"\n", 0, 0},
		{"class M:\n    \"\"\"db='postgres://user:pass@db.svc-sample.io:5432/x'\"\"\"\n", 0, 0},
		{"DSN = 'postgres://app:hunter2@localhost:5432/shop'\nCOMPOSE = 'postgres://app:hunter2@db:5432/shop'\n", 0, 0},
		{"DSN = 'postgres://app:hunter2@db.svc-sample.io:5432/shop'\n", 1, 0},
		{"KEY = '-----BEGIN RSA PRIVATE KEY-----\\n" + body + "\\n-----END RSA PRIVATE KEY-----'\n", 1, 0},
		{"\"\"\"Module doc.\"\"\"\nBASE = 'https://api.svc-sample.io'\n", 0, 1},
	} {
		ff, err := analyzeBytes("a.py", langPython, []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		if len(ff.issues) != tc.issues || len(ff.dests) != tc.dests {
			t.Errorf("%q: issues %+v, dests %+v; want %d issues, %d hosts", tc.src, ff.issues, ff.dests, tc.issues, tc.dests)
		}
	}
}

// verify=False turns TLS off in an HTTP call, not in a numeric solver; a
// regular expression assigned to a *_token name is no secret.
func TestVerifyKeywordNeedsAnHTTPCall(t *testing.T) {
	t.Parallel()
	for src, want := range map[string]int{
		"def f(ctx, g):\n    return ctx.findroot(g, (0, 1), solver='illinois', verify=False)\n": 0,
		"ident_token = r'[^\\W\\d]\\w*'\n":                                   0,
		"r = requests.get(u, verify=False, timeout=3)\n":                     1,
		"s3 = boto3.client('s3', verify=False)\n":                            1,
		"kw = {'verify': False}\n":                                           1,
		"super().cert_verify(conn=conn, url=url, verify=False, cert=cert)\n": 1,
	} {
		ff, err := analyzeBytes("a.py", langPython, []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if len(ff.issues) != want {
			t.Errorf("%q: issues %+v, want %d", src, ff.issues, want)
		}
	}
}

// A Go function that takes its caller's context leaves the deadline to
// the caller; one that does not still waits for ever.
func TestCallerContextBoundsGoRequests(t *testing.T) {
	t.Parallel()
	body := "\treq, _ := http.NewRequestWithContext(ctx, \"GET\", u, nil)\n\tc := &http.Client{}\n\t_, _ = c.Do(req)\n}\n"
	for src, want := range map[string]int{
		"package p\n\nimport \"net/http\"\n\nfunc f(ctx context.Context, u string) {\n" + body:           0,
		"package p\n\nimport \"net/http\"\n\nfunc f(u string) {\n\tctx := context.Background()\n" + body: 1,
	} {
		ff, err := analyzeBytes("a.go", langGo, []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if len(ff.issues) != want {
			t.Errorf("%q: issues %+v, want %d", src, ff.issues, want)
		}
	}
}

// A call inside a log line or a comparison still names its host.
func TestCallsInsideMessagesStillCount(t *testing.T) {
	t.Parallel()
	ff, err := analyzeBytes("a.py", langPython, []byte("print(requests.get('https://api.svc-sample.io/x', timeout=3).json())\n"+
		"ok = requests.get('https://b.svc-sample.io', timeout=3).status_code == 200\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ff.dests) != 2 {
		t.Errorf("dests %+v, want api. and b.svc-sample.io", ff.dests)
	}
}

// Django keeps a service's base URL in a dict setting and a host in a
// plain one; the views read settings.X["BASE_URL"] and
// f"https://{settings.HOST}/…" with a credential: both are likely.
func TestDjangoDictAndHostSettings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"manage.py": "",
		"shop/settings.py": "PAYMENTS = {\n    \"BASE_URL\": os.environ.get(\"PAYMENTS_URL\", \"https://pay.svc-sample.io/api\"),\n}\n" +
			"SEARCH_HOST = \"search.svc-sample.io\"\n",
		"shop/views.py": "import requests\nfrom django.conf import settings\n\ndef charge():\n" +
			"    return requests.post(settings.PAYMENTS[\"BASE_URL\"] + \"/charge\", headers={\"Authorization\": tok}, timeout=5)\n\n" +
			"def search(q):\n    return requests.get(f\"https://{settings.SEARCH_HOST}/q\", auth=(u, p), timeout=5)\n",
	}
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := Scan(context.Background(), []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, h := range rep.Hosts {
		got[h.Name] = h.Link
	}
	for _, h := range []string{"pay.svc-sample.io", "search.svc-sample.io"} {
		if got[h] != "likely" {
			t.Errorf("%s: link %q, want likely (hosts %v)", h, got[h], got)
		}
	}
}
