package bola

import "github.com/plumbsec/plumb/internal/finding"

var remediation = finding.Remediation{
	Summary: "Check ownership on every object access, in the data layer: look objects up by id AND the caller's identity " +
		"(answer 404 when the caller does not own it), never by id alone. Prefer unguessable ids (UUIDv4) as defence in depth, not as the fix.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `@app.get("/api/v1/orders/<int:order_id>")
@login_required
def get_order(order_id):
    order = Order.query.filter_by(id=order_id, user_id=g.user.id).first()
    if order is None:          # not found OR not yours: same answer
        abort(404)
    return order.to_dict()`},
		{Lang: "go", Code: `func (h *Handler) getOrder(w http.ResponseWriter, r *http.Request) {
	user := auth.UserFrom(r.Context())
	order, err := h.db.OrderForUser(r.Context(), r.PathValue("id"), user.ID) // WHERE id=$1 AND user_id=$2
	if errors.Is(err, sql.ErrNoRows) {
		http.NotFound(w, r)
		return
	}
	writeJSON(w, order)
}`},
		{Lang: "node-express", Code: `app.get("/api/v1/orders/:id", requireAuth, async (req, res) => {
  const order = await Order.findOne({ where: { id: req.params.id, userId: req.user.id } });
  if (!order) return res.status(404).json({ error: "not_found" });
  res.json(order);
});`},
	},
	References: []string{
		"https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/",
		"https://cwe.mitre.org/data/definitions/639.html",
	},
}

var writeRemediation = finding.Remediation{
	Summary: "Authorize every write like every read: load the object by id AND the caller (404 when it is not theirs) before " +
		"changing or deleting it; for account operations, take the account from the session, never from a path parameter or " +
		"a username in the body, and require the current password to change the password or the e-mail address.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `@app.put("/api/v1/users/<username>/email")
@login_required
def update_email(username):
    if username != g.user.username:      # the session decides whose account it is
        abort(403)
    g.user.email = request.json["email"]
    db.session.commit()
    return g.user.to_dict()`},
		{Lang: "go", Code: `func (h *Handler) deleteOrder(w http.ResponseWriter, r *http.Request) {
	user := auth.UserFrom(r.Context())
	n, err := h.db.ExecContext(r.Context(), "DELETE FROM orders WHERE id = $1 AND user_id = $2", r.PathValue("id"), user.ID)
	if err != nil || rowsAffected(n) == 0 {
		http.NotFound(w, r) // not found OR not yours: same answer
		return
	}
	w.WriteHeader(http.StatusNoContent)
}`},
		{Lang: "node-express", Code: `app.put("/api/v1/orders/:id", auth, async (req, res) => {
  const order = await Order.findOne({ _id: req.params.id, userId: req.user.id });
  if (!order) return res.sendStatus(404);
  Object.assign(order, pick(req.body, ["item", "shipping_address"]));
  res.json(await order.save());
});`},
	},
	References: []string{
		"https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/",
		"https://cheatsheetseries.owasp.org/cheatsheets/Authorization_Cheat_Sheet.html",
	},
}
