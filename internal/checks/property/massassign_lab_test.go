package property_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/plumbsec/plumb/internal/checks/property"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labtest"
)

// brittleSpec documents a profile whose role has no enum: plumb falls back
// to role=admin, which this API stores and then cannot load.
const brittleSpec = `{"openapi": "3.0.3", "info": {"title": "brittle", "version": "1"},
 "servers": [{"url": "/"}],
 "components": {"securitySchemes": {"b": {"type": "http", "scheme": "bearer"}},
  "schemas": {"Me": {"type": "object", "properties": {"username": {"type": "string"}, "nickname": {"type": "string"}, "role": {"type": "string", "readOnly": true}}}}},
 "security": [{"b": []}],
 "paths": {"/me": {
  "get": {"responses": {"200": {"description": "me", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Me"}}}}}},
  "patch": {"requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"nickname": {"type": "string"}}}}}},
   "responses": {"200": {"description": "me"}}}}}}`

// brittle is an API whose record breaks on a role it does not know:
// GET /me answers 500 from then on; PATCH keeps working unless
// patchBreaks, when it fails too (plumb cannot restore anything).
type brittle struct {
	mu          sync.Mutex
	role, nick  string
	patchBreaks bool
}

func (b *brittle) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r.URL.Path == "/openapi.json" {
		_, _ = w.Write([]byte(brittleSpec))
		return
	}
	if r.URL.Path != "/me" || r.Header.Get("Authorization") != "Bearer t-alice" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	known := slices.Contains([]string{"member", "staff"}, b.role)
	switch r.Method {
	case http.MethodGet:
		if !known {
			http.Error(w, `{"error":"KeyError"}`, http.StatusInternalServerError)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"username": "alice", "nickname": b.nick, "role": b.role})
	case http.MethodPatch:
		if !known && b.patchBreaks {
			http.Error(w, `{"error":"KeyError"}`, http.StatusInternalServerError)
			return
		}
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		if s, ok := body["role"].(string); ok {
			b.role = s
		}
		if s, ok := body["nickname"].(string); ok {
			b.nick = s
		}
		w.WriteHeader(http.StatusOK)
	}
}

// A mass-assignment value that breaks identity A is detected; plumb
// restores the record when the API lets it and lists the change as not
// undone when it does not.
func TestMassAssignmentThatBreaksIdentityA(t *testing.T) {
	t.Parallel()
	zone, err := lab.ParseZone("brittle.test.", "@ 300 IN SOA ns1.brittle.test. h.brittle.test. 1 3600 600 86400 60",
		"restorable A 127.0.0.1", "stuck A 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	restorable, stuck := &brittle{role: "member", nick: "al"}, &brittle{role: "member", nick: "al", patchBreaks: true}
	w := labtest.Start(t, lab.Options{ExtraZones: []lab.Zone{zone}, ExtraSites: []lab.Site{
		{Host: "restorable.brittle.test", Handler: restorable}, {Host: "stuck.brittle.test", Handler: stuck},
	}})
	writes := func(o *engine.Options) { o.AllowWrites = true }
	for _, tc := range []struct {
		name     string
		api      *brittle
		restored bool
	}{{"restorable", restorable, true}, {"stuck", stuck, false}} {
		rep := labtest.Scan(t, w, "https://"+tc.name+".brittle.test", "t-alice", writes, property.MassAssignment{})
		fs := labtest.WithID(rep, property.IDMassAssignment)
		if len(fs) != 1 || !strings.Contains(fs[0].Evidence.Summary, "no longer loads") {
			t.Fatalf("%s: want one finding about the broken record, got %+v", tc.name, fs)
		}
		tc.api.mu.Lock()
		role := tc.api.role
		tc.api.mu.Unlock()
		if tc.restored {
			if role != "member" || len(rep.ChangesNotUndone) != 0 {
				t.Errorf("%s: role %q, not undone %+v; want restored", tc.name, role, rep.ChangesNotUndone)
			}
			continue
		}
		if role == "member" || len(rep.ChangesNotUndone) != 1 || !strings.Contains(rep.ChangesNotUndone[0].Object, "identity A's record") {
			t.Errorf("%s: role %q, not undone %+v; want the broken record listed", tc.name, role, rep.ChangesNotUndone)
		}
	}
}
