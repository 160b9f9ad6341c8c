package lab

import (
	"net/http"
	"strings"
)

// Token-infrastructure flaws of vulnshop: where its tokens (and trust in
// them) end up. Hosts named here that dangle are in zoneData.
const (
	vulnKeysHost    = "keys.vulnshop.test"    // jwks_uri: CNAME to a deleted Heroku app
	vulnPreviewHost = "preview.vulnshop.test" // an allowed CORS origin: CNAME to a deleted Azure app
	vulnLoginHost   = "login.vulnshop.test"   // token endpoint: dangling since the base lab
)

// tokensGraphRoutes: OIDC and protected-resource metadata pointing at
// dangling hosts, CORS reflection with credentials, a static CORS origin on
// a dangling host, and an open redirect.
func (v *vulnShop) tokensGraphRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		// Flaw: jwks_uri on a dangling host; whoever claims it serves the
		// keys validators trust and mints tokens at will.
		writeJSON(w, http.StatusOK, map[string]any{
			"issuer":                   "https://" + vulnHost,
			"jwks_uri":                 "https://" + vulnKeysHost + "/.well-known/jwks.json",
			"token_endpoint":           "https://" + vulnLoginHost + "/oauth/token",
			"authorization_endpoint":   "https://" + vulnLoginHost + "/oauth/authorize",
			"userinfo_endpoint":        "https://" + vulnHost + "/api/v1/me",
			"response_types_supported": []string{"code"},
		})
	})
	mux.HandleFunc("GET /.well-known/oauth-protected-resource", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{
			"resource":              "https://" + vulnHost,
			"authorization_servers": []string{"https://" + vulnLoginHost},
			"jwks_uri":              "https://" + vulnKeysHost + "/.well-known/jwks.json",
		})
	})
	mux.Handle("GET /api/v1/profile", reflectCORS(v.requireToken(v.account)))
	mux.Handle("OPTIONS /api/v1/profile", reflectCORS(http.HandlerFunc(noContent)))
	mux.HandleFunc("GET /api/v1/wishlist", v.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		// Flaw: the allow-list names a preview site whose DNS dangles;
		// whoever claims it reads users' wishlists with their cookies.
		w.Header().Set("Access-Control-Allow-Origin", "https://"+vulnPreviewHost)
		w.Header().Set("Access-Control-Allow-Credentials", "true")
		w.Header().Set("Link", `<https://`+vulnPreviewHost+`/wishlist>; rel="alternate"`)
		writeJSON(w, http.StatusOK, map[string]any{"user": sub, "items": []int{1, 3}})
	}))
	mux.HandleFunc("GET /api/v1/auth/return", func(w http.ResponseWriter, r *http.Request) {
		// Flaw: open redirect; "next" is followed wherever it points.
		next := r.URL.Query().Get("next")
		if next == "" {
			next = "/"
		}
		http.Redirect(w, r, next, http.StatusFound)
	})
}

func (v *vulnShop) account(w http.ResponseWriter, r *http.Request, sub string) {
	// Flask's session cookie: ambient credentials a browser attaches.
	http.SetCookie(w, &http.Cookie{Name: "session", Value: "eyJ1c2VyIjoi" + sub + "In0", Path: "/", HttpOnly: true})
	u, _ := findUser(sub)
	u.PasswordHash = ""
	writeJSON(w, http.StatusOK, u)
}

// reflectCORS is the classic flask-cors misuse: origins=* with
// supports_credentials=True, which echoes any Origin (null included) and
// allows credentials and the Authorization header.
func reflectCORS(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o := r.Header.Get("Origin"); o != "" {
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			if r.Method == http.MethodOptions {
				w.Header().Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE")
				if rh := r.Header.Get("Access-Control-Request-Headers"); rh != "" {
					w.Header().Set("Access-Control-Allow-Headers", rh)
				}
			}
		}
		h.ServeHTTP(w, r)
	})
}

func noContent(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }

// Fixed versions for cleanshop.
const cleanAppOrigin = "https://app.cleanshop.test"

// tokensGraphRoutes: valid metadata on healthy hosts, a strict CORS
// allow-list, and a redirect that only goes to local paths.
func (c *cleanShop) tokensGraphRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{
			"issuer":                   "https://" + cleanAuthHost,
			"jwks_uri":                 "https://" + cleanAuthHost + "/.well-known/jwks.json",
			"token_endpoint":           "https://" + cleanAuthHost + "/oauth/token",
			"authorization_endpoint":   "https://" + cleanAuthHost + "/oauth/authorize",
			"userinfo_endpoint":        "https://" + cleanHost + "/api/v1/me",
			"response_types_supported": []string{"code"},
		})
	})
	mux.Handle("GET /api/v1/profile", strictCORS(c.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		c.writeUser(w, sub)
	})))
	mux.Handle("OPTIONS /api/v1/profile", strictCORS(http.HandlerFunc(noContent)))
	mux.Handle("GET /api/v1/wishlist", strictCORS(c.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		writeJSON(w, http.StatusOK, map[string]any{"user": sub, "items": []int{1, 3}})
	})))
	mux.HandleFunc("GET /api/v1/auth/return", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusFound)
	})
}

// strictCORS allows exactly one origin, by exact comparison, and always
// says the answer varies by Origin.
func strictCORS(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Origin")
		if r.Header.Get("Origin") == cleanAppOrigin {
			w.Header().Set("Access-Control-Allow-Origin", cleanAppOrigin)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			if r.Method == http.MethodOptions {
				w.Header().Set("Access-Control-Allow-Methods", "GET")
				w.Header().Set("Access-Control-Allow-Headers", "Authorization")
			}
		}
		h.ServeHTTP(w, r)
	})
}

// safeNext accepts only a local absolute path: "/x", never "//host",
// "/\host" or a scheme.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) || strings.ContainsAny(next, "\r\n") {
		return "/api/v1/books"
	}
	return next
}
