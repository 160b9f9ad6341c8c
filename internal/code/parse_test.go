package code

import (
	"strconv"
	"strings"
	"testing"
)

// The front-ends lower each language's constructs to the same IR; these
// cases pin what the analyzer relies on (lines included).
func TestFrontEndsLowerToIR(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		u    *unit
		want []string // lines of dumpStmts that must appear
	}{
		{"python", parsePython(`import requests as rq
s = rq.Session()
s.headers.update({"Authorization": f"Bearer {tok}", **extra})
class C:
    base = "https://%s/v1" % HOST
    def get(self, p):
        with rq.Session() as x:
            return x.get("{}/{}".format(self.base, p), verify=False)
`), []string{
			`2: s = rq.Session()`,
			`3: s.headers.update({Authorization: ("Bearer " + tok), **extra})`,
			`5: self.base = ("https://" + HOST + "/v1")`,
			`6: def C.get(self, p)`,
			`7: x = rq.Session()`,
			`8: return x.get((self.base + "/" + p), verify=false)`,
		}},
		{"typescript", parseJS([]byte("import axios from 'axios';\nconst { API_URL: base } = process.env;\n" +
			"export async function f(id: string): Promise<void> {\n  await axios.get<Item>(`${base}/items/${id}`, { headers: { Authorization: `Bearer ${t}` } } as Cfg);\n}\n" +
			"const re = /a\\/b/g; const half = 4 / 2;\n")), []string{
			`2: base = process.env.API_URL`,
			`3: def f(id)`,
			`4: axios.get((base + "/items/" + id), {headers: {Authorization: ("Bearer " + t)}})`,
			`6: half = ?`,
		}},
		{"go", parseGo([]byte("package p\n\nimport \"net/http\"\n\nconst u = \"https://x.test\"\n\nfunc f() {\n\treq, _ := http.NewRequest(\"GET\", fmt.Sprintf(\"%s/v1\", u), nil)\n\treq.Header.Set(\"Authorization\", \"Bearer \"+tok)\n\t_ = &http.Client{Timeout: 5}\n}\n")), []string{
			`5: u = "https://x.test"`,
			`8: req = http.NewRequest("GET", (u + "/v1"), null)`,
			`9: req.Header.Set("Authorization", ("Bearer " + tok))`,
			`10: http.Client(Timeout=5)`,
		}},
	}
	for _, tc := range cases {
		got := dumpStmts(tc.u.body, "")
		lines := map[string]bool{}
		for _, l := range strings.Split(got, "\n") {
			lines[strings.TrimSpace(l)] = true
		}
		for _, w := range tc.want {
			if !lines[w] {
				t.Errorf("%s: missing %q in\n%s", tc.name, w, got)
			}
		}
	}
}

// Config parsers report each value with its line and dotted path.
func TestConfigParsers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		entries func() ([]cfgEntry, error)
		want    string // "path=value@line"
	}{
		{"yaml k8s env", func() ([]cfgEntry, error) {
			return parseYAML([]byte("a: 1\n---\nenv:\n  - name: METRICS_URL\n    value: https://m.test\n"))
		}, "env.METRICS_URL=https://m.test@5"},
		{"yaml compose", func() ([]cfgEntry, error) { return parseYAML([]byte("environment:\n  - API_URL=https://a.test\n")) }, "environment.API_URL=https://a.test@2"},
		{"helm template", func() ([]cfgEntry, error) {
			return parseYAML([]byte("env:\n  {{- range .Values.x }}\n  url: https://h.test\n"))
		}, "env.url=https://h.test@3"},
		{"json", func() ([]cfgEntry, error) { return parseJSON([]byte("{\n \"a\": {\"b\": [\n  \"https://j.test\"]}}")) }, "a.b=https://j.test@3"},
		{"toml", func() ([]cfgEntry, error) { return parseTOML([]byte("[svc]\n\nurl = \"https://t.test\"\n")) }, "svc.url=https://t.test@3"},
		{"terraform", func() ([]cfgEntry, error) {
			return parseTerraform([]byte("variable \"api_url\" {\n  default = \"https://tf.test\"\n}\n"))
		}, "api_url=https://tf.test@2"},
		{"env", func() ([]cfgEntry, error) { return parseEnv([]byte("# c\nexport A_URL=\"https://e.test\" # x\n")), nil }, "A_URL=https://e.test@2"},
		{"ini", func() ([]cfgEntry, error) { return parseINI([]byte("[up]\nurl = https://i.test ; c\n")), nil }, "up.url=https://i.test@2"},
		{"properties", func() ([]cfgEntry, error) { return parseProperties([]byte("! c\napi.url=https\\://p.test\n")), nil }, "api.url=https://p.test@2"},
	} {
		es, err := tc.entries()
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		var got []string
		for _, e := range es {
			got = append(got, e.name()+"="+e.value+"@"+itoa(e.line))
		}
		found := false
		for _, g := range got {
			found = found || g == tc.want
		}
		if !found {
			t.Errorf("%s: want %s in %v", tc.name, tc.want, got)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// Links are graded conservatively: only the call itself confirms.
func TestLinkGrades(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, file, src, host, want string
	}{
		{"same call", "a.py", "requests.get('https://a.test/x', headers={'Authorization': tok}, timeout=3)\n", "a.test", "confirmed"},
		{"session", "a.py", "s = requests.Session()\ns.headers['Authorization'] = tok\ns.get('https://a.test/x', timeout=3)\n", "a.test", "likely"},
		{"wrapper", "a.py", "def h():\n    return {'X-API-Key': k}\nrequests.get('https://a.test', headers=h(), timeout=3)\n", "a.test", "likely"},
		{"same file only", "a.py", "U = 'https://a.test'\nrequests.get('https://b.test', headers={'Authorization': t}, timeout=3)\n", "a.test", "possible"},
		{"no credential", "a.py", "requests.get('https://a.test', timeout=3)\n", "a.test", ""},
		{"csrf is not a credential", "a.js", "fetch('https://a.test', {headers: {'X-CSRF-Token': t}})\n", "a.test", ""},
		{"axios client", "a.ts", "const c = axios.create({baseURL: 'https://a.test', headers: {Authorization: t}, timeout: 1});\nc.get('/x');\n", "a.test", "confirmed"},
		{"sdk builds the header apart from the call", "a.js", "class C {\n  constructor(o) { this.baseURL = o.baseURL || `https://a.test/v1`; }\n" +
			"  authHeaders() { return buildHeaders([{ Authorization: `Bearer ${this.apiKey}` }]); }\n}\n", "a.test", "possible"},
		{"an empty header is no credential", "a.js", "const U = 'https://a.test';\nconst h = { Authorization: '' };\n", "a.test", ""},
		{"an OAuth provider's authorization endpoint is no credential", "a.js",
			"module.exports = { authorization: 'https://a.test/authorize', token: 'https://a.test/token' };\n", "a.test", ""},
		{"an OAuth provider's authorization block is no credential", "a.js",
			"module.exports = { authorization: { url: 'https://a.test/authorize', params: { scope: 'x' } } };\n", "a.test", ""},
		{"an authorization endpoint built from a template is no credential", "a.js",
			"module.exports = { authorization: `https://a.test/authorize?v=${v}` };\n", "a.test", ""},
		{"fields named like credentials are not headers", "a.py", "U = 'https://a.test'\nP = {'input_token': 'next_token', 'SecretAccessKey': k}\n", "a.test", ""},
		{"a header with a dash", "a.py", "U = 'https://a.test'\nH = {'X-Api-Key': k}\n", "a.test", "possible"},
		{"python default base URL through self", "a.py", "class C:\n    def __init__(self, token, base_url='https://a.test/v1', retries=3):\n        self.base_url = base_url\n" +
			"        self.headers = {'Authorization': 'Bearer ' + token}\n    def get(self, p):\n        return requests.get(self.base_url + p, headers=self.headers, timeout=3)\n", "a.test", "likely"},
		{"js destructured option default", "a.js", "async function get(path, { base = 'https://a.test' } = {}) {\n  return fetch(base + path, { headers: { Authorization: `Bearer ${t}` } });\n}\n", "a.test", "likely"},
		{"ts parameter default", "a.ts", "export const get = (path: string, base: string = 'https://a.test'): Promise<R> =>\n  fetch(base + path, { headers: { Authorization: `Bearer ${t}` } });\n", "a.test", "likely"},
		{"go client struct with a default base URL", "a.go", "package p\nimport \"net/http\"\nconst defaultBase = \"https://a.test/\"\n" +
			"type C struct{ base, tok string }\nfunc New(t string) *C { return &C{base: defaultBase, tok: t} }\n" +
			"func (c *C) get(p string) {\n\treq, _ := http.NewRequest(\"GET\", c.base+p, nil)\n\treq.Header.Set(\"Authorization\", \"Bearer \"+c.tok)\n\t_, _ = hc.Do(req)\n}\n", "a.test", "confirmed"},
		{"wrapper that takes the URL", "a.py", "def authed_get(url, token):\n    return requests.get(url, headers={'Authorization': 'Bearer ' + token}, timeout=5)\n" +
			"def run(t):\n    authed_get('https://a.test/x', t)\n", "a.test", "likely"},
		{"go method wrapper", "a.go", "package p\nimport \"net/http\"\nfunc (c *C) authed(u string) {\n\treq, _ := http.NewRequest(\"GET\", u, nil)\n" +
			"\treq.Header.Set(\"Authorization\", c.tok)\n\t_, _ = c.hc.Do(req)\n}\nfunc (c *C) run() { c.authed(\"https://a.test/\") }\n", "a.test", "likely"},
		{"a wrapper whose call goes elsewhere", "a.py", "def notify(cb, token):\n    return requests.post('https://b.test', json={'cb': cb}, headers={'Authorization': token}, timeout=5)\n" +
			"notify('https://a.test/cb', t)\n", "a.test", "possible"},
		{"base class method, subclass attribute", "a.py", "class B:\n    def _request(self, m, p, t):\n        return requests.request(m, self.base_url + p, headers={'Authorization': t}, timeout=5)\n" +
			"class S(B):\n    base_url = 'https://a.test/v'\n", "a.test", "likely"},
		{"an unrelated class's attribute", "a.py", "class B:\n    def _request(self, m, p, t):\n        return requests.request(m, self.base_url + p, headers={'Authorization': t}, timeout=5)\n" +
			"class S:\n    base_url = 'https://a.test/v'\n", "a.test", "possible"},
		{"go request", "a.go", "package p\nimport \"net/http\"\nfunc f() {\n\treq, _ := http.NewRequest(\"GET\", \"https://a.test\", nil)\n\treq.SetBasicAuth(u, p)\n\t_, _ = c.Do(req)\n}\n", "a.test", "confirmed"},
	} {
		ff, err := analyzeBytes(tc.file, classify(tc.file), []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		hosts, _ := newJoin([]*fileFacts{ff}, nil).build()
		got := "missing"
		for _, h := range hosts {
			if h.Name == tc.host {
				got = h.Link
			}
		}
		if got != tc.want {
			t.Errorf("%s: link %q, want %q", tc.name, got, tc.want)
		}
	}
}

// Known token shapes come from the shared secrets pack, whatever the name;
// the value never reaches the finding.
func TestSecretShapesFromThePack(t *testing.T) {
	t.Parallel()
	tok := "ghp_" + strings.Repeat("a1B2c3D4e5", 4)
	for _, tc := range []struct{ file, src string }{
		{"a.py", "GREETING = \"" + tok + "\"\n"},
		{"a.yaml", "ci:\n  note: " + tok + "\n"},
	} {
		ff, err := analyzeBytes(tc.file, classify(tc.file), []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		if len(ff.issues) != 1 || ff.issues[0].rule != RuleHardcodedSecret || strings.Contains(ff.issues[0].detail, tok) ||
			!strings.Contains(ff.issues[0].detail, "GitHub token") {
			t.Errorf("%s: issues %+v", tc.file, ff.issues)
		}
	}
	if _, _, ok := knownSecret("just an ordinary sentence of text"); ok {
		t.Error("plain text matched a secret shape")
	}
}

// A body's identifiers are classified without keeping them: the flags
// must say what the lower-cased words said.
func TestWordFlags(t *testing.T) {
	t.Parallel()
	cases := map[string]wordFlags{
		"allowedHosts": wordAllow, "ALLOW_LIST": wordAllow, "is_valid_host": wordAllow, "isValidHost": wordAllow,
		"TrustedUpstreams": wordAllow, "whitelist": wordAllow, "permittedHosts": wordAllow, "ALLOWÉ": wordAllow,
		"WithTimeout": wordDeadline, "withdeadline": wordDeadline, "WithTimeoutCause": 0,
		"super": wordSuper, "Super": wordSuper, "superuser": 0, "hosts": 0, "valid": 0, "": 0,
	}
	for w, want := range cases {
		if got := wordFlagsOf(w); got != want {
			t.Errorf("wordFlagsOf(%q) = %b, want %b", w, got, want)
		}
	}
	p := &pyParser{cursor: cursor{ts: tokenizePython("def f(u):\n    if host in ALLOWED:\n        return f\"{ctx.WithTimeout(u)}\"\n", 1)}}
	if got := collectWords(p.ts, 0, len(p.ts)); got != wordAllow|wordDeadline {
		t.Errorf("collectWords = %b, want allow|deadline (an f-string's expression counts)", got)
	}
}
