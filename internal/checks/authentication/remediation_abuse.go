package authentication

import "github.com/plumbsec/plumb/internal/finding"

var enumRemediation = finding.Remediation{
	Summary: "Answer login and password-reset requests the same way whether or not the account exists: one status, one " +
		"message (\"If the address has an account, a link is on its way\"), and the same work (check a dummy password hash " +
		"for unknown accounts). Rate-limit both.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `DUMMY = bcrypt.hashpw(b"dummy", bcrypt.gensalt())

@app.post("/api/v1/login")
def login():
    user = User.query.filter_by(username=request.json["username"]).first()
    hashed = user.password_hash if user else DUMMY      # same work either way
    if not bcrypt.checkpw(request.json["password"].encode(), hashed) or not user:
        abort(401, "invalid credentials")                  # same message either way
    return {"token": issue(user)}`},
		{Lang: "go", Code: `func (h *Handler) reset(w http.ResponseWriter, r *http.Request) {
	if u, ok := h.users.ByEmail(r.Context(), emailFrom(r)); ok {
		go h.mail.SendReset(u) // off the request path: no timing difference either
	}
	w.WriteHeader(http.StatusAccepted) // the same answer for every address
}`},
		{Lang: "node-express", Code: `app.post("/api/v1/password-reset", async (req, res) => {
  const user = await User.findOne({ email: req.body.email });
  if (user) queueResetMail(user);
  res.status(202).json({ message: "If the address has an account, a link is on its way." });
});`},
	},
	References: []string{
		"https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#authentication-and-error-messages",
		"https://cwe.mitre.org/data/definitions/204.html",
	},
}

var bruteRemediation = finding.Remediation{
	Summary: "Limit failed attempts per account and per client: after a few failures answer 429 with Retry-After, slow " +
		"down exponentially or lock the account for a while (and tell its owner); PINs and one-time codes need a small " +
		"absolute number of tries before they are invalidated.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `limiter = Limiter(get_remote_address, app=app)

@app.post("/api/v1/login")
@limiter.limit("5 per minute", key_func=lambda: request.json.get("username", ""))
def login(): ...`},
		{Lang: "go", Code: `if h.failures.Count(username, time.Minute) >= 5 {
	w.Header().Set("Retry-After", "60")
	http.Error(w, "too many attempts", http.StatusTooManyRequests)
	return
}`},
		{Lang: "node-express", Code: `const rateLimit = require("express-rate-limit");
app.post("/api/v1/payments/pin", rateLimit({ windowMs: 15 * 60_000, limit: 5,
  keyGenerator: (req) => req.user.id, standardHeaders: "draft-7" }), verifyPin);`},
	},
	References: []string{
		"https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/",
		"https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#protect-against-automated-attacks",
	},
}
