package report

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/catalog"
	"github.com/plumbsec/plumb/internal/labtest"

	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/netx"
)

// A real scan of the vulnerable lab with its spec given as a file: every
// format renders, SARIF validates, and findings on operations point at the
// operation's line in that file.
func TestLabScanRendersEveryFormat(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	specFile := filepath.Join(t.TempDir(), "vulnshop.openapi.json")
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, w.Vuln.Spec, "", "  "); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(specFile, pretty.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var cts []netx.ConnectTo
	for _, c := range w.ConnectTo {
		ct, err := netx.ParseConnectTo(c)
		if err != nil {
			t.Fatal(err)
		}
		cts = append(cts, ct)
	}
	now := time.Date(2026, 12, 3, 6, 0, 0, 0, time.UTC)
	rep, err := engine.Scan(context.Background(), engine.Target{URL: w.Vuln.BaseURL, Spec: specFile}, engine.Options{Checks: catalog.Checks(),
		Resolvers: []string{w.DNSAddr}, ConnectTo: cts, RootCAs: w.CAPool, Version: "test",
		Credentials: http.Header{"Authorization": {"Bearer " + w.Vuln.Token}},
		Now:         func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(pretty.String(), "\n")
	withSource := 0
	for _, f := range rep.Findings {
		if f.Location.Method == "" || f.Source == nil {
			continue
		}
		withSource++
		if f.Source.File != specFile || f.Source.Line < 1 || f.Source.Line > len(lines) ||
			!strings.Contains(strings.ToLower(lines[f.Source.Line-1]), strings.ToLower(f.Location.Method)) &&
				!strings.Contains(lines[f.Source.Line-1], f.Location.Path) {
			t.Errorf("%s: source %+v does not point at the operation", f.ID, f.Source)
		}
	}
	if withSource == 0 {
		t.Fatal("no finding on an operation carries its spec line")
	}
	for _, f := range Formats() {
		var b bytes.Buffer
		if err := f.New(Options{Width: 80}).Render(&b, rep); err != nil || b.Len() == 0 {
			t.Errorf("%s: %v (%d bytes)", f.Name, err, b.Len())
		}
		if strings.Contains(b.String(), w.Vuln.Token) {
			t.Errorf("%s output contains the token", f.Name)
		}
		if f.Name == "sarif" {
			validateSARIF(t, b.Bytes())
			if !strings.Contains(b.String(), `"uri": "file://`+filepath.ToSlash(specFile)) {
				t.Error("SARIF has no physical location in the spec file")
			}
		}
	}
}
