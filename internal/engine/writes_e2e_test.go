package engine_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/result"
)

// entities splits a state into one canonical JSON line per user, order
// and reset count, keyed by what a ledger entry names it by.
func entities(t *testing.T, state []byte) map[string]string {
	t.Helper()
	var raw struct {
		Users  []map[string]any `json:"users"`
		Orders []map[string]any `json:"orders"`
		Resets map[string]int   `json:"password_resets"`
	}
	if err := json.Unmarshal(state, &raw); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, u := range raw.Users {
		b, _ := json.Marshal(u)
		out[fmt.Sprint(u["username"])] = string(b)
	}
	for _, o := range raw.Orders {
		b, _ := json.Marshal(o)
		out[fmt.Sprintf("orders/%v", o["id"])] = string(b)
	}
	for u, n := range raw.Resets {
		out["reset "+u] = fmt.Sprint(n)
	}
	return out
}

// checkStateRestored fails the test unless every user, order and reset
// that differs after the scan is named by a change the report lists as
// not undone: the lab's data are what they were, except what plumb says.
func checkStateRestored(t *testing.T, tg lab.Target, before []byte, rep *result.Report) {
	t.Helper()
	b, a := entities(t, before), entities(t, tg.State())
	named := func(key string) bool {
		key = strings.TrimPrefix(key, "reset ")
		for _, c := range rep.ChangesNotUndone {
			if strings.Contains(c.Object+" "+c.Change, key) {
				return true
			}
		}
		return false
	}
	for k, v := range a {
		if b[k] != v && !named(k) {
			t.Errorf("%s: %s changed (was %s, is %s) and the report does not list it", tg.Name, k, b[k], v)
		}
	}
	for k, v := range b {
		if _, ok := a[k]; !ok && !named(k) {
			t.Errorf("%s: %s is gone (was %s) and the report does not list it", tg.Name, k, v)
		}
	}
	for _, c := range rep.ChangesNotUndone {
		t.Logf("%s: not undone: %+v", tg.Name, c)
	}
}

// After a writes scan with two identities, the lab's shops hold what they
// held before, but for what the report lists as not undone; on both shops
// plumb undoes everything (both let a throw-away account delete itself).
func TestWritesScanLeavesTheLabAsItFoundIt(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	for _, tg := range []lab.Target{w.Vuln, w.Clean} {
		before := tg.State()
		rep := scanAuthz(t, w, tg, true, true)
		checkStateRestored(t, tg, before, rep)
		if len(rep.ChangesNotUndone) != 0 {
			t.Errorf("%s: %d changes not undone; the lab lets plumb undo every one", tg.Name, len(rep.ChangesNotUndone))
		}
		t.Logf("%s, writes: %d requests, %d ms", tg.Name, rep.Requests.HTTP, rep.DurationMS)
	}
}
