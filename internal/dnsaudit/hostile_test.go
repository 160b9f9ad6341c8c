package dnsaudit

import (
	"context"
	"testing"
)

// A reply whose header counts an answer record it does not hold is a
// failure to look the name up, not a name without addresses.
func TestTruncatedReplyIsAnError(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	a, err := labAuditor(t, w, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := a.Audit(context.Background(), "lying.hostile.test")
	if r.Status != StatusError {
		t.Errorf("status %s, want error (chain %+v, err %q)", r.Status, r.Chain, r.Error)
	}
}
