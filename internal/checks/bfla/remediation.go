package bfla

import "github.com/plumbsec/plumb/internal/finding"

var remediation = finding.Remediation{
	Summary: "Deny by default: put every administrative operation behind one role check that runs for every HTTP method " +
		"(a router group or middleware), and test it with a non-admin token in CI.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `admin = Blueprint("admin", __name__, url_prefix="/api/v1/admin")

@admin.before_request          # runs for GET, HEAD, POST, … alike
def require_admin():
    if not (g.user and g.user.is_admin):
        abort(403)

app.register_blueprint(admin)`},
		{Lang: "go", Code: `func requireRole(role string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !auth.UserFrom(r.Context()).HasRole(role) { // no r.Method conditions
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}
// mux.Handle("/api/v1/admin/", requireRole("admin", adminRoutes))`},
		{Lang: "node-express", Code: `const admin = express.Router();
admin.use(requireAuth, (req, res, next) =>
  req.user.role === "admin" ? next() : res.status(403).json({ error: "forbidden" }));
app.use("/api/v1/admin", admin);   // router.use covers every method`},
	},
	References: []string{
		"https://owasp.org/API-Security/editions/2023/en/0xa5-broken-function-level-authorization/",
		"https://cwe.mitre.org/data/definitions/285.html",
	},
}

var writeRemediation = finding.Remediation{
	Summary: "Check the caller's privileges in every operation that changes roles or permissions, on the server and for " +
		"every method: only administrators may change a role, no one may change their own, and the role comes from an " +
		"allow-list the server owns. Log and alert on role changes.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `@app.put("/api/v1/users/<username>/role")
@login_required
def set_role(username):
    if not g.user.is_admin or username == g.user.username:
        abort(403)
    role = request.json.get("role")
    if role not in ROLES:
        abort(400)
    User.query.filter_by(username=username).one().role = role
    db.session.commit()
    return "", 204`},
		{Lang: "go", Code: `func (h *Handler) setRole(w http.ResponseWriter, r *http.Request) {
	caller := auth.UserFrom(r.Context())
	if !caller.IsAdmin || r.PathValue("username") == caller.Username {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	// ... validate the role against the server's list, then store it
}`},
		{Lang: "node-express", Code: `app.put("/api/v1/users/:username/role", auth, requireRole("admin"), (req, res) => {
  if (req.params.username === req.user.username) return res.sendStatus(403);
  if (!ROLES.includes(req.body.role)) return res.sendStatus(400);
  // ... store it
});`},
	},
	References: []string{
		"https://owasp.org/API-Security/editions/2023/en/0xa5-broken-function-level-authorization/",
		"https://cwe.mitre.org/data/definitions/269.html",
	},
}
