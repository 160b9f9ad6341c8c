package jwt_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	gjwt "github.com/golang-jwt/jwt/v5"

	"github.com/plumbsec/plumb/internal/catalog"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labtest"
)

const spyHost = "api.rsshop.test"

// rsShop is an RS256 API with a JWKS. When confused, it verifies HS256
// tokens with its PEM public key as the HMAC secret (the classic RS→HS
// flaw) and also takes the token from ?access_token=. It records every
// request so tests can see where the real token went.
type rsShop struct {
	key      *rsa.PrivateKey
	confused bool

	mu   sync.Mutex
	seen []seenReq
}

type seenReq struct {
	tls        bool
	host, auth string
	query      string
}

func (s *rsShop) pem() []byte {
	der, _ := x509.MarshalPKIXPublicKey(&s.key.PublicKey)
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func (s *rsShop) token(t *testing.T) string {
	now := time.Now()
	tk := gjwt.NewWithClaims(gjwt.SigningMethodRS256, gjwt.MapClaims{"sub": "alice", "iss": "https://" + spyHost,
		"aud": "https://" + spyHost, "iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()})
	tk.Header["kid"] = "k1"
	raw, err := tk.SignedString(s.key)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func (s *rsShop) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `{"openapi":"3.0.3","info":{"title":"rsshop","version":"1"},"servers":[{"url":"https://`+spyHost+`"}],
"security":[{"b":[]}],"components":{"securitySchemes":{"b":{"type":"http","scheme":"bearer","bearerFormat":"JWT"}}},
"paths":{"/me":{"get":{"responses":{"200":{"description":"me"},"401":{"description":"no"}}}}}}`)
	})
	mux.HandleFunc("GET /.well-known/jwks.json", func(w http.ResponseWriter, _ *http.Request) {
		pub := s.key.PublicKey
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "k1", "alg": "RS256",
			"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())}}})
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		raw := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if q := r.URL.Query().Get("access_token"); s.confused && raw == "" {
			raw = q
		}
		methods := []string{"RS256"}
		if s.confused {
			methods = append(methods, "HS256")
		}
		_, err := gjwt.Parse(raw, func(tk *gjwt.Token) (any, error) {
			if _, hs := tk.Method.(*gjwt.SigningMethodHMAC); hs {
				return s.pem(), nil
			}
			return &s.key.PublicKey, nil
		}, gjwt.WithValidMethods(methods), gjwt.WithExpirationRequired(), gjwt.WithAudience("https://"+spyHost))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"username":"alice"}`)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.seen = append(s.seen, seenReq{tls: r.TLS != nil, host: r.Host, auth: r.Header.Get("Authorization"), query: r.URL.RawQuery})
		s.mu.Unlock()
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Strict-Transport-Security", "max-age=63072000")
		mux.ServeHTTP(w, r)
	})
}

func startRS(t *testing.T, confused bool) (*lab.World, *rsShop) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s := &rsShop{key: key, confused: confused}
	z, err := lab.ParseZone("rsshop.test.", "@ 300 IN SOA ns1.rsshop.test. h.rsshop.test. 1 3600 600 86400 60", "api A 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return labtest.Start(t, lab.Options{ExtraZones: []lab.Zone{z}, ExtraSites: []lab.Site{{Host: spyHost, Handler: s.handler()}}}), s
}

// RS→HS key confusion is found with the API's own JWKS, and only where
// the verifier is confused.
func TestKeyConfusion(t *testing.T) {
	t.Parallel()
	for _, confused := range []bool{true, false} {
		t.Run(fmt.Sprint("confused=", confused), func(t *testing.T) {
			t.Parallel()
			w, s := startRS(t, confused)
			rep := labtest.Run(t, "https://"+spyHost, labtest.Options(t, w, s.token(t), all()...))
			got := labtest.ByID(rep, "authentication.jwt-forgery")
			f, ok := got["GET "+spyHost+"/me [key-confusion]"]
			if ok != confused || len(got) != map[bool]int{true: 1, false: 0}[confused] {
				t.Fatalf("confused=%v: forgery findings %v", confused, got)
			}
			if ok && (f.Severity != finding.Critical || !strings.Contains(f.Evidence.Summary, `"alg":"HS256"`)) {
				t.Errorf("key confusion finding: %s %s", f.Severity, f.Evidence.Summary)
			}
			t.Logf("confused=%v: %d requests", confused, rep.Requests.HTTP)
		})
	}
}

// Invariant 1 with every check plumb has: the real token reaches only the
// target's origin over TLS, never plain HTTP, never the collector, and
// never the report.
func TestRealTokenOnlyToTargetOverTLS(t *testing.T) {
	t.Parallel()
	w, s := startRS(t, true)
	tok := s.token(t)
	o := labtest.Options(t, w, tok, catalog.Checks()...)
	rep := labtest.Run(t, "https://"+spyHost, o)
	if len(labtest.ByID(rep, "authentication.bearer-token-in-query")) != 1 {
		t.Fatal("the query-string check did not put the token in a URL; the test proves less than it claims")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	plain := 0
	for _, r := range s.seen {
		carries := strings.Contains(r.auth, tok) || strings.Contains(r.query, tok)
		if !r.tls {
			plain++
		}
		if carries && (!r.tls || !strings.EqualFold(strings.Split(r.host, ":")[0], spyHost)) {
			t.Errorf("real token sent to %s (tls=%v)", r.host, r.tls)
		}
	}
	if plain == 0 {
		t.Error("no plain-HTTP request reached the API; the plain-HTTP half of this test proves nothing")
	}
	if n := len(w.Collector.Requests()); n != 0 {
		t.Errorf("collector got %d requests", n)
	}
	b, _ := json.Marshal(rep)
	if strings.Contains(string(b), tok) || strings.Contains(string(b), strings.Split(tok, ".")[2]) {
		t.Error("the report contains the token or its signature")
	}
}
