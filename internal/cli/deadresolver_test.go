package cli

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/code"
)

// deadResolver is a loopback UDP address nothing listens on (bound, then
// released): every query to it is refused at once.
func deadResolver(t *testing.T) string {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := c.LocalAddr().String()
	_ = c.Close()
	return addr
}

// plumb code with a dead resolver keeps what needs no DNS: the whole
// report in every requested format, partial with the reason, each host's
// DNS error (never ok) with why, and exit 3 as plumb scan on a dead
// resolver. The same findings as with --no-dns: nothing is lost.
func TestCodeDeadResolverKeepsTheReport(t *testing.T) {
	t.Parallel()
	const vuln = "../code/testdata/flask-vuln"
	dead := deadResolver(t)
	_, want, _ := runCLI(t, "code", vuln, "--no-dns", "--format", "json")
	var offline code.Report
	if err := json.Unmarshal([]byte(want), &offline); err != nil || len(offline.Findings) == 0 {
		t.Fatalf("--no-dns report: %v (%d findings)", err, len(offline.Findings))
	}
	dir := t.TempDir()
	sarifFile := filepath.Join(dir, "code.sarif")
	c, out, e := runCLI(t, "code", vuln, "--resolver", dead, "--dns-root", "none", "--format", "json")
	if c != ExitScan {
		t.Errorf("exit %d, want %d: %s", c, ExitScan, e)
	}
	if !strings.Contains(e, "no DNS resolver answered") || !strings.Contains(e, "dropped") {
		t.Errorf("stderr does not say the resolver failed: %s", e)
	}
	var rep code.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("no JSON report on stdout: %v\n%s", err, out)
	}
	if len(rep.Findings) != len(offline.Findings) {
		t.Errorf("%d findings, want the %d that need no DNS", len(rep.Findings), len(offline.Findings))
	}
	if !rep.Partial || len(rep.PartialReasons) == 0 || !strings.Contains(rep.PartialReasons[0], "no DNS resolver answered") {
		t.Errorf("partial %v, reasons %q: want partial with the resolver failure", rep.Partial, rep.PartialReasons)
	}
	if len(rep.Hosts) == 0 {
		t.Fatal("no hosts")
	}
	for _, h := range rep.Hosts {
		if h.DNS.Status == "ok" || !strings.Contains(h.DNS.Detail, "not audited") {
			t.Errorf("host %s: DNS %s %q, want error saying it was not audited", h.Name, h.DNS.Status, h.DNS.Detail)
		}
	}
	c, _, e = runCLI(t, "code", vuln, "--resolver", dead, "--dns-root", "none", "--format", "sarif", "--output", sarifFile)
	if c != ExitScan {
		t.Errorf("sarif: exit %d, want %d: %s", c, ExitScan, e)
	}
	if b, err := os.ReadFile(sarifFile); err != nil || !strings.Contains(string(b), "partial report: the hosts' DNS was not audited") ||
		!strings.Contains(string(b), `"executionSuccessful": false`) {
		t.Errorf("SARIF file missing or not marked partial: %v\n%.400s", err, b)
	}
	for _, f := range []string{"table", "markdown"} {
		c, out, _ := runCLI(t, "code", vuln, "--resolver", dead, "--dns-root", "none", "--format", f, "--no-color")
		if c != ExitScan || !strings.Contains(out, "partial") || !strings.Contains(out, "no DNS resolver answered") ||
			!strings.Contains(out, "code.hardcoded-secret") && !strings.Contains(out, "Credential written in source") {
			t.Errorf("%s: exit %d, report does not keep the findings and say why it is partial:\n%s", f, c, out)
		}
	}
}

// plumb dns with a dead resolver writes a result for every name, error
// with the reason (never ok, never unresolved), after the notice, and
// exits 3.
func TestDNSDeadResolverWritesEveryName(t *testing.T) {
	t.Parallel()
	c, out, e := runCLI(t, "dns", "--resolver", deadResolver(t), "--dns-root", "none", "api.example.test", "www.example.test")
	if c != ExitScan {
		t.Errorf("exit %d, want %d: %s", c, ExitScan, e)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], `"notice":"resolver-dropped"`) {
		t.Fatalf("want a notice then one line per name, got:\n%s", out)
	}
	for _, l := range lines[1:] {
		var r struct{ Name, Status, Error string }
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		if r.Status != "error" || !strings.Contains(r.Error, "not audited: no DNS resolver answered") {
			t.Errorf("%s: %s %q, want error saying it was not audited", r.Name, r.Status, r.Error)
		}
	}
}
