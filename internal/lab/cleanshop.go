package lab

import (
	"bytes"
	"crypto/rand"
	"net/http"
	"strconv"
	"time"
)

const (
	cleanHost     = "api.cleanshop.test"
	cleanAuthHost = "auth.cleanshop.test"
	cleanDocsHost = "docs.cleanshop.test"
)

// cleanTokenTTL is short, as RFC 6750 §5.3 advises ("one hour or less").
const cleanTokenTTL = 15 * time.Minute

// cleanShop is vulnshop's twin with every flaw fixed. A scan of it must
// come back clean; anything found here is a false positive.
type cleanShop struct {
	jwt   jwtIssuer
	token string
	now   func() time.Time
	spec  []byte // base document plus specs/cleanshop.d fragments
	gql   *graphqlServer
	*authzParts
}

func newCleanShop(now func() time.Time) (*cleanShop, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	spec, err := withFragments(cleanSpecBase, "specs/cleanshop.d")
	if err != nil {
		return nil, err
	}
	c := &cleanShop{jwt: jwtIssuer{secret: secret, issuer: "https://" + cleanAuthHost, strict: true,
		audience: "https://" + cleanHost, ttl: cleanTokenTTL}, now: now, spec: spec}
	tok, err := c.jwt.issue("alice", now())
	if err != nil {
		return nil, err
	}
	c.token = tok
	if c.authzParts, err = newAuthzParts(c.jwt, now); err != nil {
		return nil, err
	}
	if c.gql, err = newGraphQLServer(GraphQLFlaws{}, graphqlAuth(c.jwt), "https://"+cleanDocsHost+"/avatars"); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *cleanShop) target() Target {
	return Target{
		Name:    "cleanshop",
		BaseURL: "https://" + cleanHost,
		SpecURL: "https://" + cleanHost + "/openapi.json",
		Spec:    bytes.Clone(c.spec),
		Token:   c.token,
		TokenB:  c.tokenB,
		Methods: c.log,
		GraphQL: c.gql.log,
	}
}

func (c *cleanShop) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", jsonNotFound)
	mux.HandleFunc("GET /openapi.json", serveSpec(c.spec))
	// Each flaw family registers its fixed routes here (one line each).
	for _, routes := range []func(*http.ServeMux){c.redirectRoutes, c.jwtRoutes, c.tokensGraphRoutes, c.authzRoutes, c.llmRoutes, c.owaspRoutes, c.provokeRoutes} {
		routes(mux)
	}
	mux.Handle("/graphql", c.gql)
	mux.HandleFunc("POST /api/v1/login", c.login)
	mux.HandleFunc("GET /api/v1/users", c.requireToken(func(w http.ResponseWriter, r *http.Request, _ string) {
		users := make([]shopUser, len(shopUsers))
		for i, u := range shopUsers {
			u.PasswordHash = ""
			users[i] = u
		}
		writeJSON(w, http.StatusOK, map[string]any{"users": users})
	}))
	mux.HandleFunc("GET /api/v1/users/{username}", c.requireToken(c.getUser))
	mux.HandleFunc("GET /api/v1/me", c.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		c.writeUser(w, sub)
	}))
	mux.HandleFunc("GET /api/v1/books", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"books": shopBooks})
	})
	mux.HandleFunc("GET /api/v1/books/{id}", getBookClean)
	return c.log.wrap(cleanHeaders((&rateLimiter{}).wrap(mux)))
}

// redirectRoutes: export and legacy without the lures (same-origin only).
func (c *cleanShop) redirectRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/export", c.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		writeJSON(w, http.StatusOK, map[string]any{"user": sub, "books": []book{}})
	}))
	mux.HandleFunc("GET /api/v1/legacy", c.requireToken(func(w http.ResponseWriter, r *http.Request, _ string) {
		http.Redirect(w, r, "https://"+cleanHost+"/api/v1/books", http.StatusMovedPermanently)
	}))
}

// cleanHeaders sets the hardening headers on every response: HSTS, nosniff
// and no-store (every response may carry a token or personal data), and no
// Server header.
func cleanHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

func jsonNotFound(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found"})
}

func (c *cleanShop) requireToken(next func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sub, err := c.jwt.subject(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="cleanshop"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
			return
		}
		next(w, r, sub)
	}
}

func (c *cleanShop) login(w http.ResponseWriter, r *http.Request) {
	req, err := readLogin(w, r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	u, ok := findUser(req.Username)
	if !ok || u.Password != req.Password {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_credentials"})
		return
	}
	tok, err := c.jwt.issue(u.Username, c.now())
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"auth_token": tok})
}

// getUser only lets users read themselves (admins read anyone).
func (c *cleanShop) getUser(w http.ResponseWriter, r *http.Request, sub string) {
	caller, _ := findUser(sub)
	name := r.PathValue("username")
	if name != sub && !caller.Admin {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "forbidden"})
		return
	}
	c.writeUser(w, name)
}

func (c *cleanShop) writeUser(w http.ResponseWriter, name string) {
	u, ok := findUser(name)
	if !ok {
		jsonNotFound(w, nil)
		return
	}
	u.PasswordHash = ""
	writeJSON(w, http.StatusOK, u)
}

func getBookClean(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_id"})
		return
	}
	for _, b := range shopBooks {
		if b.ID == id {
			writeJSON(w, http.StatusOK, b)
			return
		}
	}
	jsonNotFound(w, r)
}

// authHandler is auth.cleanshop.test: a token endpoint that refuses every
// request it cannot understand, correctly.
func (c *cleanShop) authHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", jsonNotFound)
	mux.HandleFunc("POST /oauth/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Pragma", "no-cache")
		writeJSON(w, http.StatusBadRequest, map[string]string{
			"error":             "invalid_request",
			"error_description": "client authentication required",
		})
	})
	return cleanHeaders(mux)
}
