package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/jobs"
)

// The webhook verification snippets of docs/server.md work: each accepts
// a delivery signed by plumb and refuses it with one byte changed.
func TestServerDocVerifySnippets(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/server.md")
	if err != nil {
		t.Fatal(err)
	}
	body := `{"event":"finding.fixed","data":{"x":"é"}}`
	bad := strings.Replace(body, "é", "e", 1)
	for _, c := range []struct{ lang, bin, harness string }{
		{"python", "python3", "\nfor b in (%[3]q, %[4]q):\n    print(verify(b\"s3cret-for-docs\", %[1]q, %[2]q, b.encode()))\n"},
		{"js", "node", "\nfor (const b of [%[3]q, %[4]q]) console.log(verify(\"s3cret-for-docs\", %[1]q, %[2]q, Buffer.from(b)) ? \"True\" : \"False\");\n"},
		{"go", "go", "\nfunc main() {\n\tfor _, b := range []string{%[3]q, %[4]q} {\n\t\tif verify([]byte(\"s3cret-for-docs\"), %[1]q, %[2]q, []byte(b)) {\n\t\t\tfmt.Println(\"True\")\n\t\t} else {\n\t\t\tfmt.Println(\"False\")\n\t\t}\n\t}\n}\n"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			t.Parallel()
			bin, err := exec.LookPath(c.bin)
			if err != nil {
				t.Skipf("no %s", c.bin)
			}
			m := regexp.MustCompile("(?s)```" + c.lang + "\n(.*?)```").FindSubmatch(doc)
			if m == nil {
				t.Fatalf("no %s snippet in docs/server.md", c.lang)
			}
			// Signed now, not before the parallel wait: the snippets refuse
			// a timestamp older than five minutes.
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			sig := jobs.Sign([]byte("s3cret-for-docs"), ts, []byte(body))
			src := string(m[1]) + fmt.Sprintf(c.harness, ts, sig, body, bad)
			dir := t.TempDir()
			var cmd *exec.Cmd
			switch c.lang {
			case "python":
				cmd = exec.Command(bin, "-c", src)
			case "js":
				cmd = exec.Command(bin, "-e", src)
			case "go":
				file := filepath.Join(dir, "main.go")
				pre := "package main\n\nimport (\n\t\"crypto/hmac\"\n\t\"crypto/sha256\"\n\t\"encoding/hex\"\n\t\"fmt\"\n\t\"strconv\"\n\t\"time\"\n)\n\n"
				if err := os.WriteFile(file, []byte(pre+src), 0o600); err != nil {
					t.Fatal(err)
				}
				cmd = exec.Command(bin, "run", file)
				cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GO111MODULE=off")
			}
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s snippet: %v\n%s", c.lang, err, out)
			}
			if got := strings.Fields(string(out)); len(got) != 2 || got[0] != "True" || got[1] != "False" {
				t.Errorf("%s snippet: %q, want True for plumb's signature and False for a changed body", c.lang, out)
			}
		})
	}
}
