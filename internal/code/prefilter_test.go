package code

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// factsOf analyzes data fully (no prefilter) and describes what it found.
func factsOf(name string, l lang, data []byte) string {
	ff, _ := analyzeBytes(name, l, data)
	if ff == nil {
		return ""
	}
	var out []string
	for _, d := range ff.dests {
		out = append(out, fmt.Sprintf("dest %s@%d", d.host, d.line))
	}
	for _, c := range ff.calls {
		out = append(out, fmt.Sprintf("call %s@%d", c.callee, c.line))
	}
	for _, d := range ff.defs {
		out = append(out, fmt.Sprintf("setting %s@%d", d.name, d.line))
	}
	for _, is := range ff.issues {
		out = append(out, fmt.Sprintf("%s@%d", is.rule, is.line))
	}
	// What other files link to: names holding a URL or host, wrappers,
	// calls passing URLs to a function. (A name that only forwards
	// another file's name, with no URL, is lost with a skipped file: see
	// docs/code.md.)
	for _, d := range ff.syms {
		if len(d.urls) > 0 || d.host != "" {
			out = append(out, fmt.Sprintf("sym %s@%d", d.name, d.line))
		}
	}
	for _, w := range ff.wrappers {
		out = append(out, "wrapper "+w.name)
	}
	for _, wc := range ff.wrapCalls {
		for _, a := range wc.args {
			if len(a.urls) > 0 {
				out = append(out, fmt.Sprintf("wrapper call %s@%d", wc.target.name, wc.line))
				break
			}
		}
	}
	return strings.Join(out, ", ")
}

// checkSkipSound fails when the prefilter would skip data whose analysis
// finds something.
func checkSkipSound(t *testing.T, name string, l lang, data []byte) (skipped bool) {
	t.Helper()
	if mayMatter(data) {
		return false
	}
	if f := factsOf(name, l, data); f != "" {
		t.Errorf("%s: the prefilter skips it, the analysis finds %s in:\n%s", name, f, data)
	}
	return true
}

// fixtureFiles returns every fixture file plus the files of the benchmark
// tree (service and plain, every language), with their languages.
func fixtureFiles(t *testing.T) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir("testdata", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || classify(p) == langNone {
			return err
		}
		data, err := os.ReadFile(p)
		files[p] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for i := range 10 {
		genTreeOne(t, dir, i*5+i%5, 4<<10)
	}
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			files["bench/"+filepath.Base(p)] = data
		}
		return err
	})
	return files
}

// The prefilter never skips what the analysis would find something in:
// each fixture file, each of its lines and each run of a few lines (cut
// out, they are small files with and without the words), in its language.
func TestPrefilterIsSound(t *testing.T) {
	t.Parallel()
	var pieces, skipped int
	for name, data := range fixtureFiles(t) {
		l := classify(name)
		if strings.HasPrefix(name, "testdata") && checkSkipSound(t, name, l, data) {
			t.Errorf("%s: a fixture with findings is skipped", name)
		}
		lines := strings.SplitAfter(string(data), "\n")
		for _, n := range []int{1, 2, 3, 5, 8} {
			for i := 0; i+n <= len(lines); i++ {
				piece := strings.Join(lines[i:i+n], "")
				pieces++
				if checkSkipSound(t, fmt.Sprintf("%s lines %d-%d", name, i+1, i+n), l, []byte(piece)) {
					skipped++
				}
			}
		}
	}
	// The test proves nothing if it skips nothing, or everything.
	if skipped < pieces/10 || skipped == pieces {
		t.Fatalf("the prefilter skipped %d of %d pieces", skipped, pieces)
	}
	t.Logf("skipped %d of %d pieces", skipped, pieces)
}

// Each rule of the prefilter is needed: these files have a finding that a
// simpler filter (only "://", only words in the bytes as written) would
// skip.
func TestPrefilterKeepsJoinedAndEscaped(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		l    lang
		src  string
	}{
		{"scheme and host in two literals", langPython, "u = 'https:' '//metrics.corp.test/v1'\n"},
		{"ws scheme joined with +", langJS, "const u = \"wss:\" + \"//feed.corp.test\";\n"},
		{"template with the scheme's colon", langJS, "const u = `https:${'//'}feed.corp.test`;\n"},
		{"format verb after the colon", langPython, "u = 'https:%s' % '//metrics.corp.test'\n"},
		{"escaped slashes", langJSON, `{"u": "https:\/\/metrics.corp.test"}`},
		{"colon escaped", langJSON, `{"u": "https\u003a//metrics.corp.test"}`},
		{"scheme hex-escaped", langPython, "u = '\\x68ttps://metrics.corp.test'\n"},
		{"setting name with a split word", langYAML, "ver_ify_ssl: false\n"},
		{"credential key joined from pieces", langPython, "cfg['TO' 'KEN'] = 'q8Zr2LmX9vT4kPw7'\n"},
		{"known token prefix split", langPython, "x = ('gh'\n     'p_aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kL5nP')\n"},
		{"secret prefix with punctuation split", langPython, "x = ('sk'\n     '-proj-aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kL5')\n"},
		{"kelvin sign", langYAML, "api_\u212aey: q8Zr2LmX9vT4kPw7\n"},
		{"bare host under a host-ish key", langEnv, "METRICS_HOST=metrics.corp.test\n"},
		{"library call without a URL", langPython, "import requests\n\ndef f(u):\n    return requests.get(u)\n"},
		{"TLS off by key", langTOML, "[client]\ninsecure_tls = true\n"},
	}
	for _, tc := range cases {
		if factsOf("f", tc.l, []byte(tc.src)) == "" {
			t.Errorf("%s: the analysis finds nothing in %q (the case is wrong)", tc.name, tc.src)
		}
		if !mayMatter([]byte(tc.src)) {
			t.Errorf("%s: the prefilter skips %q", tc.name, tc.src)
		}
	}
}

// Ordinary code is skipped: the benchmark tree's filler holds none of the
// words. The TypeScript filler is read: its letters and digits alone say
// "rows.slice" → "rowsslice", in which "ssl" is a word.
func TestPrefilterSkipsOrdinaryCode(t *testing.T) {
	t.Parallel()
	for ext, skip := range map[string]bool{".py": true, ".ts": false, ".go": true, ".yaml": true, ".json": true} {
		var sb strings.Builder
		for n := 0; sb.Len() < 8<<10; n++ {
			sb.WriteString(filler(ext, 3, n, n == 0))
		}
		if mayMatter([]byte(sb.String())) == skip {
			t.Errorf("%s filler: skipped %v, want %v", ext, !skip, skip)
		}
	}
	if thePrefilter().off {
		t.Fatal("the prefilter is off: a secrets rule has no keywords")
	}
}

// The word list covers the vocabularies the analysis keys on: every
// request API and client, and every word of the name tables that makes a
// name host-ish or a credential.
func TestPrefilterWordsCoverVocabulary(t *testing.T) {
	t.Parallel()
	covered := func(s string) bool { return thePrefilter().words.any([]byte(s)) }
	for name := range requestAPIs {
		if !covered(name) {
			t.Errorf("request API %s has no prefilter word", name)
		}
	}
	for _, c := range []string{"requests.Session", "httpx.Client", "aiohttp.ClientSession", "urllib3.PoolManager", "urllib.request.Request",
		"axios.create", "got.extend", "net/http.Client", "net/http.NewRequest", "golang.org/x/oauth2.Config", "x.RoundTrip"} {
		if !covered(c) {
			t.Errorf("client %s has no prefilter word", c)
		}
	}
	for w, b := range nameWordBits {
		if b&(nbHostish|nbCredName|nbCredHeader|nbKey|nbAuth) != 0 && !covered(w) {
			t.Errorf("name word %q has no prefilter word", w)
		}
	}
	for _, k := range []string{"verify", "check_hostname", "InsecureSkipVerify", "verify_mode", "_create_default_https_context",
		"NODE_TLS_REJECT_UNAUTHORIZED", "PYTHONHTTPSVERIFY", "CheckRedirect", "beforeRedirect", "verify_ssl", "ssl", "strictSSL",
		"rejectUnauthorized", "cert_reqs", "ssl._create_unverified_context", "rebuild_auth", "should_strip_auth",
		"insecureskipverify", "tlsinsecureskipverify", "skiptlsverify", "tlsskipverify", "insecuretls", "sslinsecure", "tlsinsecure",
		"verifyssl", "sslverify", "tlsverify", "verifytls", "sslverification", "verifycertificate", "verifycert", "strictssl"} {
		if !covered(k) {
			t.Errorf("pattern key %s has no prefilter word", k)
		}
	}
}

func FuzzPrefilter(f *testing.F) {
	seeds(f, ".py", ".ts", ".go", ".yaml", ".json", ".toml", ".env", ".ini", ".properties", ".tf")
	langs := []lang{langPython, langJS, langGo, langYAML, langJSON, langTOML, langEnv, langINI, langProperties, langTerraform}
	f.Fuzz(func(t *testing.T, data []byte) {
		if mayMatter(data) {
			return
		}
		for _, l := range langs {
			checkSkipSound(t, "f."+l.String(), l, data)
		}
	})
}

// readFile reads a file whole in one buffer, refuses one over the cap and
// tells binary content.
func TestReadFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := []struct {
		content        string
		max            int64
		binary, toobig bool
	}{
		{"", 10, false, false}, {"0123456789", 10, false, false}, {"0123456789A", 10, false, true},
		{strings.Repeat("x", 5000), 4096, false, true}, {strings.Repeat("y", 5000), 8192, false, false}, {"a\x00b", 10, true, false},
	}
	for i, tc := range cases {
		p := filepath.Join(dir, fmt.Sprint(i))
		if err := os.WriteFile(p, []byte(tc.content), 0o644); err != nil {
			t.Fatal(err)
		}
		data, binary, err := readFile(p, tc.max)
		switch {
		case tc.toobig:
			if !errors.Is(err, errTooLarge) {
				t.Errorf("%d: err %v, want errTooLarge", i, err)
			}
		case err != nil || string(data) != tc.content || binary != tc.binary:
			t.Errorf("%d: got %d bytes, binary %v, err %v", i, len(data), binary, err)
		}
	}
	if _, _, err := readFile(filepath.Join(dir, "missing"), 10); err == nil {
		t.Error("a missing file reads")
	}
}
