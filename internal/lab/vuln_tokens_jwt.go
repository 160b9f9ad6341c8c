package lab

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// The bearer/JWT flaw family. Each /api/v1/jwt/* route has one flaw (named
// in its comment); cleanshop serves the same paths fixed.

// keysHost is where vulnshop's session tokens say their key lives (jku).
const keysHost = "keys.vulnshop.test"

func (v *vulnShop) jwtRoutes(mux *http.ServeMux) {
	// Flaw: alg "none" (any casing) is accepted; other tokens are verified.
	mux.HandleFunc("GET /api/v1/jwt/none", v.jwtEndpoint(v.subjectAllowNone, v.reject401))
	// Flaw: the signature is never verified.
	mux.HandleFunc("GET /api/v1/jwt/unverified", v.jwtEndpoint(subjectUnverified, v.reject401))
	// Flaw: exp is not enforced (claims are not validated).
	mux.HandleFunc("GET /api/v1/jwt/noexp", v.jwtEndpoint(v.subjectNoClaimsValidation, v.reject401))
	// Flaw: the token is also accepted in the access_token query parameter.
	mux.HandleFunc("GET /api/v1/jwt/query", v.jwtEndpoint(v.subjectHeaderOrQuery, v.reject401))
	// Flaw: an invalid token is echoed into the HTML error page.
	mux.HandleFunc("GET /api/v1/jwt/reflect", v.jwtEndpoint(v.jwt.subject, rejectReflecting))
	// Flaw: a token that is not a JWT crashes the parser (500 traceback).
	mux.HandleFunc("GET /api/v1/jwt/crash", v.jwtEndpoint(v.jwt.subject, v.rejectCrashing))
	// Flaw: 403 without WWW-Authenticate for a missing or bad token.
	mux.HandleFunc("GET /api/v1/jwt/forbidden", v.jwtEndpoint(v.jwt.subject, func(w http.ResponseWriter, _ *http.Request, _ error) {
		writeJSON(w, http.StatusForbidden, map[string]string{"status": "fail", "message": "Forbidden"})
	}))
	// Flaw: a session cookie without Secure, HttpOnly or SameSite, holding
	// a JWT with personal data in its claims and a jku header.
	mux.HandleFunc("GET /api/v1/jwt/session", v.jwtEndpoint(v.jwt.subject, v.reject401, v.setSessionCookie))
}

type subjectFunc func(*http.Request) (string, error)
type rejectFunc func(http.ResponseWriter, *http.Request, error)

// jwtEndpoint answers the caller's profile when subject accepts the
// request, after running the optional extra steps.
func (v *vulnShop) jwtEndpoint(subject subjectFunc, reject rejectFunc, extra ...func(http.ResponseWriter, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sub, err := subject(r)
		if err != nil {
			reject(w, r, err)
			return
		}
		u, ok := findUser(sub)
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"status": "fail", "message": "User not found"})
			return
		}
		for _, x := range extra {
			x(w, sub)
		}
		u.PasswordHash = ""
		writeJSON(w, http.StatusOK, u)
	}
}

func (v *vulnShop) reject401(w http.ResponseWriter, _ *http.Request, _ error) {
	w.Header().Set("WWW-Authenticate", "Bearer")
	writeJSON(w, http.StatusUnauthorized, map[string]string{"status": "fail", "message": "Invalid token"})
}

func rejectReflecting(w http.ResponseWriter, r *http.Request, _ error) {
	tok, _ := bearerToken(r)
	w.Header().Set("WWW-Authenticate", "Bearer")
	writeHTML(w, http.StatusUnauthorized, "<!doctype html>\n<title>401 Unauthorized</title>\n<h1>Unauthorized</h1>\n<p>Invalid token: "+
		html.EscapeString(tok)+"</p>\n")
}

func (v *vulnShop) rejectCrashing(w http.ResponseWriter, r *http.Request, err error) {
	if tok, ok := bearerToken(r); ok && strings.Count(tok, ".") != 2 {
		// Like PyJWT-free Flask code doing token.split(".")[1].
		writeHTML(w, http.StatusInternalServerError, "<!doctype html>\n<title>IndexError: list index out of range</title>\n"+
			"<h1>IndexError</h1><pre>Traceback (most recent call last):\n  File \"/srv/vulnshop/auth.py\", line 31, in decode\n"+
			"    payload = token.split(\".\")[1]\nIndexError: list index out of range</pre>\n")
		return
	}
	v.reject401(w, r, err)
}

// subjectAllowNone trusts unsigned tokens, like libraries that honoured
// alg "none" (CVE-2015-9235 and friends).
func (v *vulnShop) subjectAllowNone(r *http.Request) (string, error) {
	raw, ok := bearerToken(r)
	if !ok {
		return "", errors.New("no bearer token")
	}
	head, _, _ := strings.Cut(raw, ".")
	var h struct {
		Alg string `json:"alg"`
	}
	if b, err := base64.RawURLEncoding.DecodeString(head); err == nil && json.Unmarshal(b, &h) == nil && strings.EqualFold(h.Alg, "none") {
		return subjectUnverified(r)
	}
	return v.jwt.subject(r)
}

// subjectUnverified decodes the claims and never checks the signature.
func subjectUnverified(r *http.Request) (string, error) {
	raw, ok := bearerToken(r)
	if !ok {
		return "", errors.New("no bearer token")
	}
	parts := strings.Split(raw, ".")
	if len(parts) < 2 {
		return "", errors.New("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", err
	}
	var c struct {
		Sub string `json:"sub"`
	}
	if err := json.Unmarshal(b, &c); err != nil || c.Sub == "" {
		return "", errors.New("no subject")
	}
	return c.Sub, nil
}

func (v *vulnShop) subjectNoClaimsValidation(r *http.Request) (string, error) {
	raw, ok := bearerToken(r)
	if !ok {
		return "", errors.New("no bearer token")
	}
	tok, err := jwt.Parse(raw, func(*jwt.Token) (any, error) { return v.jwt.secret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithoutClaimsValidation())
	if err != nil {
		return "", err
	}
	return tok.Claims.GetSubject()
}

func (v *vulnShop) subjectHeaderOrQuery(r *http.Request) (string, error) {
	if q := r.URL.Query().Get("access_token"); q != "" && r.Header.Get("Authorization") == "" {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+q)
	}
	return v.jwt.subject(r)
}

// setSessionCookie issues a cookie with no attributes at all, holding a
// JWT that carries the user's email and password hash.
func (v *vulnShop) setSessionCookie(w http.ResponseWriter, sub string) {
	u, _ := findUser(sub)
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": sub, "email": u.Email, "password_hash": u.PasswordHash, "iat": v.now().Unix(),
	})
	t.Header["jku"] = "https://" + keysHost + "/jwks.json"
	s, err := t.SignedString(v.jwt.secret)
	if err != nil {
		return
	}
	w.Header().Add("Set-Cookie", "session="+s+"; Path=/")
}

// jwtRoutes: the same paths, each verified strictly; the token only in
// the header; the session cookie opaque and locked down.
func (c *cleanShop) jwtRoutes(mux *http.ServeMux) {
	profile := c.requireToken(func(w http.ResponseWriter, _ *http.Request, sub string) { c.writeUser(w, sub) })
	for _, p := range []string{"none", "unverified", "noexp", "query", "reflect", "crash", "forbidden"} {
		mux.HandleFunc("GET /api/v1/jwt/"+p, profile)
	}
	mux.HandleFunc("GET /api/v1/jwt/session", c.requireToken(func(w http.ResponseWriter, _ *http.Request, sub string) {
		id, err := randomHex(16)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "session", Value: id, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
		c.writeUser(w, sub)
	}))
}
