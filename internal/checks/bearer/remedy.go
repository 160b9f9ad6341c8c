package bearer

import "github.com/plumbsec/plumb/internal/finding"

var refs = []string{
	"https://www.rfc-editor.org/rfc/rfc6750",
	"https://www.rfc-editor.org/rfc/rfc9700#section-4.3.2",
	"https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/",
}

var remedyQuery = finding.Remediation{
	Summary: "Read the token from the Authorization header only; ignore access_token and similar query parameters.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `def bearer_token():
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        abort(401)
    return token  # never request.args.get("access_token")`},
		{Lang: "go", Code: `tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
if !ok || tok == "" { // do not fall back to r.URL.Query().Get("access_token")
	w.Header().Set("WWW-Authenticate", "Bearer")
	http.Error(w, "unauthorized", http.StatusUnauthorized)
	return
}`},
		{Lang: "node-express", Code: `const [scheme, token] = (req.get("Authorization") || "").split(" ");
if (scheme !== "Bearer" || !token) return res.set("WWW-Authenticate", "Bearer").sendStatus(401);
// never req.query.access_token`},
	},
	References: refs,
}

var remedyPlainHTTP = finding.Remediation{
	Summary: "Do not serve the API on port 80, or answer every plain-HTTP request with a redirect (or 403) before any " +
		"authentication code runs; send HSTS so clients stop trying http://.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `@app.before_request
def https_only():
    if not request.is_secure:
        return redirect(request.url.replace("http://", "https://", 1), code=308)`},
		{Lang: "go", Code: `go http.ListenAndServe(":80", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "https://"+r.Host+r.URL.RequestURI(), http.StatusPermanentRedirect)
}))`},
		{Lang: "node-express", Code: `app.use((req, res, next) => req.secure ? next() : res.redirect(308, "https://" + req.headers.host + req.originalUrl));`},
	},
	References: refs,
}

var remedyChallenge = finding.Remediation{
	Summary: "Validate the token in one place that catches every parse error and answers 401 with " +
		`WWW-Authenticate: Bearer error="invalid_token" (no token at all: a bare Bearer challenge).`,
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `try:
    claims = jwt.decode(token, KEY, algorithms=["HS256"])
except jwt.PyJWTError:  # every malformed or invalid token lands here
    return {"error": "invalid_token"}, 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}`},
		{Lang: "go", Code: `if _, err := jwt.Parse(tok, keyFunc, jwt.WithValidMethods([]string{"HS256"})); err != nil {
	w.Header().Set("WWW-Authenticate", ` + "`" + `Bearer error="invalid_token"` + "`" + `)
	http.Error(w, "invalid token", http.StatusUnauthorized)
	return
}`},
		{Lang: "node-express", Code: `try { req.user = jwt.verify(token, KEY, { algorithms: ["HS256"] }); }
catch { return res.set("WWW-Authenticate", 'Bearer error="invalid_token"').status(401).json({ error: "invalid_token" }); }`},
	},
	References: refs,
}

var remedyReflect = finding.Remediation{
	Summary: "Never echo the Authorization header or the token into responses, error pages or logs; return a fixed error message.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `return {"error": "invalid_token"}, 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}  # not f"bad token {token}"`},
		{Lang: "go", Code: `http.Error(w, "invalid token", http.StatusUnauthorized) // not fmt.Sprintf("bad token %s", tok)`},
		{Lang: "node-express", Code: `res.status(401).json({ error: "invalid_token" }); // not { error: "bad token " + token }`},
	},
	References: refs,
}

var remedyCookie = finding.Remediation{
	Summary: "Set session and token cookies with Secure, HttpOnly and SameSite=Lax (or Strict).",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `app.config.update(SESSION_COOKIE_SECURE=True, SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")`},
		{Lang: "go", Code: `http.SetCookie(w, &http.Cookie{Name: "session", Value: id, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})`},
		{Lang: "node-express", Code: `res.cookie("session", id, { secure: true, httpOnly: true, sameSite: "lax" });`},
	},
	References: []string{"https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#cookies"},
}
