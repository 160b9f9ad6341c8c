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
