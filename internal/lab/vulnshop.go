package lab

import (
	"bytes"
	_ "embed"
	"net/http"
	"strconv"
	"time"
)

// The OpenAPI documents each site serves at /openapi.json.
var (
	//go:embed specs/vulnshop.openapi.json
	vulnSpecBase []byte
	//go:embed specs/cleanshop.openapi.json
	cleanSpecBase []byte
	//go:embed specs/hostile.openapi.json
	hostileSpec []byte
)

const vulnHost = "api.vulnshop.test"

// vulnSecret is the weak HS256 secret vulnshop signs its tokens with.
const vulnSecret = "secret"

type book struct {
	ID    int    `json:"id"`
	Title string `json:"book_title"`
	User  string `json:"user"`
}

var shopBooks = []book{
	{1, "The Go Programming Language", "alice"},
	{2, "Web Application Hacker's Handbook", "bob"},
	{3, "Hacking APIs", "admin"},
}

// vulnShop is a VAmPI-like Flask API with deliberate flaws; each handler
// says which.
type vulnShop struct {
	jwt   jwtIssuer
	token string
	now   func() time.Time
	spec  []byte       // base document plus specs/vulnshop.d fragments
	fetch http.Handler // the lab hosts its server-side fetches reach (the collector); see vuln_fetch.go
	self  http.Handler // the shop itself, as its own server-side fetches reach it
	gql   *graphqlServer
	*authzParts
}

func newVulnShop(now func() time.Time) (*vulnShop, error) {
	spec, err := withFragments(vulnSpecBase, "specs/vulnshop.d")
	if err != nil {
		return nil, err
	}
	v := &vulnShop{jwt: jwtIssuer{secret: []byte(vulnSecret), issuer: "https://" + vulnHost}, now: now, spec: spec}
	tok, err := v.jwt.issue("alice", now())
	if err != nil {
		return nil, err
	}
	v.token = tok
	if v.authzParts, err = newAuthzParts(v.jwt, now); err != nil {
		return nil, err
	}
	// Flaw family: every GraphQL flaw (graphql.go); avatars are served by a
	// host whose CNAME dangles.
	if v.gql, err = newGraphQLServer(AllGraphQLFlaws(), graphqlAuth(v.jwt), "https://avatars.vulnshop.test"); err != nil {
		return nil, err
	}
	return v, nil
}

func (v *vulnShop) target() Target {
	return Target{
		Name:    "vulnshop",
		BaseURL: "https://" + vulnHost,
		SpecURL: "https://" + vulnHost + "/openapi.json",
		Spec:    bytes.Clone(v.spec),
		Token:   v.token,
		TokenB:  v.tokenB,
		Methods: v.log,
		GraphQL: v.gql.log,
	}
}

func (v *vulnShop) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", werkzeugNotFound)
	mux.HandleFunc("GET /openapi.json", serveSpec(v.spec))
	// Each flaw family registers its routes here (one line each, handlers
	// in their own file, operations in specs/vulnshop.d/).
	for _, routes := range []func(*http.ServeMux){v.redirectRoutes, v.jwtRoutes, v.tokensGraphRoutes, v.authzRoutes, v.llmRoutes, v.owaspRoutes, v.provokeRoutes} {
		routes(mux)
	}
	mux.Handle("/graphql", v.gql)
	mux.HandleFunc("POST /api/v1/login", v.login)
	mux.HandleFunc("GET /api/v1/users", v.listUsers)
	mux.HandleFunc("GET /api/v1/users/{username}", v.requireToken(v.getUser))
	mux.HandleFunc("GET /api/v1/me", v.requireToken(v.me))
	mux.HandleFunc("GET /api/v1/books", v.listBooks)
	mux.HandleFunc("GET /api/v1/books/{id}", v.getBook)
	v.self = v.log.wrap(werkzeugHeaders(mux))
	return v.self
}

// redirectRoutes: the debugger console and the redirect lures.
func (v *vulnShop) redirectRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /console", func(w http.ResponseWriter, r *http.Request) {
		writeHTML(w, http.StatusOK, werkzeugConsole) // flaw: debugger exposed
	})
	mux.HandleFunc("GET /api/v1/export", func(w http.ResponseWriter, r *http.Request) {
		// Flaw: a lure to another origin; a client that forwards the
		// Authorization header hands the token to the attacker.
		http.Redirect(w, r, "https://"+collectorHost+"/steal", http.StatusFound)
	})
	mux.HandleFunc("GET /api/v1/legacy", func(w http.ResponseWriter, r *http.Request) {
		// Flaw: redirect from https down to plain http.
		http.Redirect(w, r, "http://"+vulnHost+"/api/v1/books", http.StatusFound)
	})
}

// werkzeugHeaders adds the version-revealing Server header and nothing
// else: no HSTS, no nosniff, no cache control.
func werkzeugHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", werkzeugServer)
		h.ServeHTTP(w, r)
	})
}

func serveSpec(spec []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(spec)
	}
}

func (v *vulnShop) requireToken(next func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sub, err := v.jwt.subject(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeJSON(w, http.StatusUnauthorized, map[string]string{"status": "fail", "message": "Invalid token"})
			return
		}
		next(w, r, sub)
	}
}

// login issues a token. Flaw: no Cache-Control: no-store on it.
func (v *vulnShop) login(w http.ResponseWriter, r *http.Request) {
	req, err := readLogin(w, r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"status": "fail", "message": "Incorrect Request."})
		return
	}
	u, ok := findUser(req.Username)
	if !ok || u.Password != req.Password {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"status": "fail", "message": "Password is not correct for the given username."})
		return
	}
	tok, err := v.jwt.issue(u.Username, v.now())
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"status": "fail", "message": "token"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"auth_token": tok, "message": "Successfully logged in.", "status": "success"})
}

// listUsers is declared bearerAuth in the spec but never checks the token,
// and leaks password hashes and emails: broken authentication plus
// excessive data exposure.
func (v *vulnShop) listUsers(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"users": shopUsers})
}

// getUser lets any authenticated user read any user (BOLA); the 200 has no
// Cache-Control: no-store.
func (v *vulnShop) getUser(w http.ResponseWriter, r *http.Request, _ string) {
	u, ok := findUser(r.PathValue("username"))
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"status": "fail", "message": "User not found"})
		return
	}
	u.PasswordHash = ""
	writeJSON(w, http.StatusOK, u)
}

func (v *vulnShop) me(w http.ResponseWriter, r *http.Request, sub string) {
	u, ok := findUser(sub)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"status": "fail", "message": "User not found"})
		return
	}
	u.PasswordHash = ""
	writeJSON(w, http.StatusOK, u)
}

func (v *vulnShop) listBooks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"books": shopBooks})
}

// getBook crashes on a non-integer id with the Werkzeug debugger page,
// which leaks a source path and the (dangling) metrics upstream host.
func (v *vulnShop) getBook(w http.ResponseWriter, r *http.Request) {
	raw := r.PathValue("id")
	id, err := strconv.Atoi(raw)
	if err != nil {
		werkzeugError(w, raw)
		return
	}
	for _, b := range shopBooks {
		if b.ID == id {
			writeJSON(w, http.StatusOK, b)
			return
		}
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"status": "fail", "message": "Book not found"})
}
