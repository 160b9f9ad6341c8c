package check

import (
	"testing"

	"github.com/plumbsec/plumb/internal/spec"
)

func TestCoverageRows(t *testing.T) {
	t.Parallel()
	ops := []spec.Operation{
		{Method: "GET", Path: "/a"}, {Method: "GET", Path: "/b"}, {Method: "GET", Path: "/c"},
		{Method: "GET", Path: "/d"}, {Method: "POST", Path: "/e"}, {Method: "GET", Path: "/f"}, {Method: "GET", Path: "/g"},
	}
	c := NewCoverage(len(ops))
	c.Requested(ops[0], 403)
	c.Requested(ops[0], 200) // 2xx wins
	c.Requested(ops[1], 401)
	c.Requested(ops[2], 404)
	c.Requested(ops[3], 0)
	c.Skip(ops[4], "needs --allow-writes")
	c.Requested(ops[5], 500)
	s := c.Summary(&spec.API{Operations: ops})
	want := []struct {
		outcome  string
		status   int
		requests int
	}{{"2xx", 200, 2}, {"401-403", 401, 1}, {"404", 404, 1}, {"failed", 0, 1}, {"skipped", 0, 0}, {"other", 500, 1}, {"skipped", 0, 0}}
	if len(s.Operations) != len(want) {
		t.Fatalf("rows %+v", s.Operations)
	}
	for i, w := range want {
		r := s.Operations[i]
		if r.Outcome != w.outcome || r.Status != w.status || r.Requests != w.requests {
			t.Errorf("row %d = %+v, want %+v", i, r, w)
		}
	}
	if s.Operations[4].Reason != "needs --allow-writes" || s.Operations[6].Reason != "no check applies" {
		t.Errorf("reasons: %q, %q", s.Operations[4].Reason, s.Operations[6].Reason)
	}
	if s.Answered2x != 1 || s.Answered4x != 1 || s.Answered404 != 1 || s.Failed != 1 || s.Other != 1 || s.Requested != 5 {
		t.Errorf("summary %+v", s)
	}
}
