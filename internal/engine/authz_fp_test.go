package engine_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/labtest"

	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
)

// fpSpec describes an API whose answers look like flaws to a naive
// scanner but are not: admin paths behind a catch-all page, a product
// catalog every logged-in user may read, a public order-status page.
const fpSpec = `{"openapi":"3.0.3","info":{"title":"fp","version":"1"},
"servers":[{"url":"https://api.fpshop.test"}],"security":[{"bearer":[]}],
"components":{"securitySchemes":{"bearer":{"type":"http","scheme":"bearer"}}},
"paths":{
 "/api/me":{"get":{"responses":{"200":{"description":"me"}}}},
 "/api/products":{"get":{"responses":{"200":{"description":"list"}}}},
 "/api/products/{id}":{"get":{"parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"integer"}}],"responses":{"200":{"description":"one"}}}},
 "/api/admin/stats":{"get":{"tags":["admin"],"responses":{"200":{"description":"stats"}}}},
 "/api/internal/health":{"get":{"responses":{"200":{"description":"ok"}}}}
}}`

func fpSite() http.Handler {
	users := map[string]string{"Bearer tok-alice-0001": "alice", "Bearer tok-bob-0002": "bob"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(fpSpec))
	})
	auth := func(next func(w http.ResponseWriter, who string)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			who, ok := users[r.Header.Get("Authorization")]
			if !ok {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			next(w, who)
		}
	}
	writeJSON := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("GET /api/me", auth(func(w http.ResponseWriter, who string) {
		writeJSON(w, map[string]any{"username": who, "role": "user"})
	}))
	mux.HandleFunc("GET /api/products", auth(func(w http.ResponseWriter, _ string) {
		writeJSON(w, map[string]any{"products": []map[string]any{{"id": 1, "name": "pen"}, {"id": 2, "name": "ink"}}})
	}))
	mux.HandleFunc("GET /api/products/{id}", auth(func(w http.ResponseWriter, _ string) {
		writeJSON(w, map[string]any{"id": 1, "name": "pen", "price": 2})
	}))
	// Everything else, admin paths included, is the single-page app's shell.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<!doctype html><div id=app></div>"))
	})
	return mux
}

// False-positive control: shared resources, catch-all pages and
// unowned objects produce no authorization finding.
func TestAuthzNoFalsePositivesOnLookalikes(t *testing.T) {
	t.Parallel()
	z, err := lab.ParseZone("fpshop.test.", "@ 60 IN SOA ns1 hostmaster 1 3600 600 86400 60", "api 60 IN A 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	w := labtest.Start(t, lab.Options{ExtraZones: []lab.Zone{z}, ExtraSites: []lab.Site{{Host: "api.fpshop.test", Handler: fpSite()}}})
	o := labOptions(t, w, "tok-alice-0001")
	o.CredentialsB = http.Header{"Authorization": {"Bearer tok-bob-0002"}}
	o.AllowWrites = true
	rep, err := engine.Scan(context.Background(), engine.Target{URL: "https://api.fpshop.test"}, o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Coverage.Answered2x < 3 {
		t.Fatalf("the corpus did not reach the API: %+v", rep.Coverage)
	}
	for _, f := range rep.Findings {
		if strings.HasPrefix(f.ID, "bola.") || strings.HasPrefix(f.ID, "bfla.") || (strings.HasPrefix(f.ID, "property.") && f.Severity > finding.Info) {
			t.Errorf("false positive %s %s: %s", f.ID, f.Location, f.Evidence.Summary)
		}
	}
}
