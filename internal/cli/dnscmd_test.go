package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/dnsaudit"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labtest"
	"github.com/plumbsec/plumb/internal/netx"
)

// labDNSRun is a `plumb dns` run over names (standard input) against the
// lab's resolver, with jsonl output into out.
func labDNSRun(t *testing.T, w *lab.World, names string, out *bytes.Buffer) *dnsRun {
	t.Helper()
	res, err := netx.NewResolver(netx.ResolverConfig{Servers: []string{w.DNSAddr}, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	a, err := dnsaudit.New(context.Background(), dnsaudit.Options{Resolver: res, ProbeZone: "test"})
	if err != nil {
		t.Fatal(err)
	}
	rw, err := newResultWriter("jsonl", out)
	if err != nil {
		t.Fatal(err)
	}
	return &dnsRun{auditor: a, names: strings.NewReader(names), conc: 4, out: rw}
}

func decodeResults(t *testing.T, out *bytes.Buffer) []dnsaudit.Result {
	t.Helper()
	var rs []dnsaudit.Result
	dec := json.NewDecoder(out)
	for dec.More() {
		var r dnsaudit.Result
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	return rs
}

// An input line too long to be a host name is one error result, and the
// names after it are still audited.
func TestDNSOverlongLineIsOneError(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	var out bytes.Buffer
	long := strings.Repeat("x", 70<<10)
	r := labDNSRun(t, w, "api.cleanshop.test\n"+long+"\nnothere.vulnshop.test\n", &out)
	if _, err := r.run(context.Background(), &dnsProgress{}); err != nil {
		t.Fatalf("run: %v", err)
	}
	byStatus := map[finding.DNSStatus][]dnsaudit.Result{}
	for _, res := range decodeResults(t, &out) {
		byStatus[res.Status] = append(byStatus[res.Status], res)
	}
	if len(byStatus[finding.DNSOK]) != 1 || len(byStatus[finding.DNSUnresolved]) != 1 || len(byStatus[finding.DNSError]) != 1 {
		t.Fatalf("results by status: %v", byStatus)
	}
	e := byStatus[finding.DNSError][0]
	if len(e.Name) > 100 || !strings.Contains(e.Error, "line 2") || !strings.Contains(e.Error, "longer than") {
		t.Errorf("over-long line result: name %d bytes, error %q", len(e.Name), e.Error)
	}
}

// A name given several times is audited once and emitted each time.
func TestDNSDuplicateNamesAuditedOnce(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	var once, dup bytes.Buffer
	r1 := labDNSRun(t, w, "legacy-api.vulnshop.test\n", &once)
	if _, err := r1.run(context.Background(), &dnsProgress{}); err != nil {
		t.Fatal(err)
	}
	r2 := labDNSRun(t, w, "legacy-api.vulnshop.test\nLEGACY-API.vulnshop.test.\nlegacy-api.vulnshop.test\n", &dup)
	if _, err := r2.run(context.Background(), &dnsProgress{}); err != nil {
		t.Fatal(err)
	}
	rs := decodeResults(t, &dup)
	if len(rs) != 3 {
		t.Fatalf("%d results, want 3", len(rs))
	}
	for _, r := range rs {
		if r.Name != "legacy-api.vulnshop.test" || r.Status != finding.DNSVulnerable {
			t.Errorf("result %s %s", r.Name, r.Status)
		}
	}
	if q1, q2 := r1.auditor.Queries(), r2.auditor.Queries(); q2 != q1 {
		t.Errorf("three copies of a name sent %d queries, one sent %d", q2, q1)
	}
}

func TestReadLine(t *testing.T) {
	t.Parallel()
	in := strings.Repeat("a", 16) + "\n" + strings.Repeat("b", 17) + "\r\n\nlast"
	br := bufio.NewReaderSize(strings.NewReader(in), 16)
	var got []string
	for {
		line, long, err := readLine(br, 16)
		if err != nil {
			break
		}
		got = append(got, fmt.Sprintf("%d:%v", len(line), long))
	}
	if want := "16:false 16:true 0:false 4:false"; strings.Join(got, " ") != want {
		t.Errorf("lines %v, want %s", got, want)
	}
}
