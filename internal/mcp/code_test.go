package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/plumbsec/plumb/internal/code"
	"github.com/plumbsec/plumb/internal/dnsaudit"
	"github.com/plumbsec/plumb/internal/finding"
)

// fakeAuditor answers ok for every name and counts them.
type fakeAuditor struct {
	mu    sync.Mutex
	names []string
}

func (f *fakeAuditor) Audit(_ context.Context, name string) *dnsaudit.Result {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.names = append(f.names, name)
	return &dnsaudit.Result{Name: name, Status: finding.DNSOK}
}

// scan_code builds its DNS auditor only when a host is allowed (building
// one already asks the resolvers a question), and asks it only about
// allowed hosts.
func TestScanCodeBuildsTheAuditorOnlyForAllowedHosts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		allow   []string
		builds  int
		audited int
	}{
		{nil, 0, 0},
		{[]string{"api.elsewhere.test"}, 0, 0},
		{[]string{"*.vulnshop.test"}, 1, 2},
	} {
		targets, err := ParseAllowlist(tc.allow)
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		builds := 0
		aud := &fakeAuditor{}
		cfg := docsConfig()
		cfg.Targets = targets
		cfg.CodeOptions = func(_ context.Context, audit bool) (code.Options, error) {
			if !audit {
				return code.Options{}, nil
			}
			mu.Lock()
			defer mu.Unlock()
			builds++
			return code.Options{DNS: aud}, nil
		}
		ctx := context.Background()
		cs := connect(t, cfg)
		res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "scan_code", Arguments: map[string]any{"path": "../code/testdata/flask-vuln"}})
		if err != nil || res.IsError {
			t.Fatalf("%v: scan_code: %v %+v", tc.allow, err, res)
		}
		if builds != tc.builds || len(aud.names) != tc.audited {
			t.Errorf("--allow-target %v: auditor built %d times, %d names audited %v; want %d, %d", tc.allow, builds, len(aud.names), aud.names, tc.builds, tc.audited)
		}
	}
}

// scan_code with an auditor that cannot start keeps its findings, marks
// the hosts' DNS error with the reason and says the report is partial, as
// plumb code does.
func TestScanCodeDeadResolverIsPartial(t *testing.T) {
	t.Parallel()
	targets, err := ParseAllowlist([]string{"*.vulnshop.test"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := docsConfig()
	cfg.Targets = targets
	cfg.CodeOptions = func(_ context.Context, audit bool) (code.Options, error) {
		if audit {
			return code.Options{}, errors.New("no resolver answered")
		}
		return code.Options{}, nil
	}
	ctx := context.Background()
	res, err := connect(t, cfg).CallTool(ctx, &sdk.CallToolParams{Name: "scan_code", Arguments: map[string]any{"path": "../code/testdata/flask-vuln"}})
	if err != nil || res.IsError {
		t.Fatalf("scan_code: %v %+v", err, res)
	}
	var rep code.Report
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.Partial || len(rep.PartialReasons) == 0 || !strings.Contains(strings.Join(rep.PartialReasons, " "), "no resolver answered") {
		t.Errorf("partial=%v reasons=%q, want partial with the reason", rep.Partial, rep.PartialReasons)
	}
	if len(rep.Findings) == 0 {
		t.Error("the findings that need no DNS were lost")
	}
}

// connect serves cfg over an in-memory transport and returns a client
// session on it, closed (and the server's side waited for) at cleanup.
func connect(tb testing.TB, cfg Config) *sdk.ClientSession {
	tb.Helper()
	s, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	ct, st := sdk.NewInMemoryTransports()
	ss, err := s.Connect(ctx, st, nil)
	if err != nil {
		tb.Fatal(err)
	}
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = cs.Close()
		_ = ss.Wait()
	})
	return cs
}
