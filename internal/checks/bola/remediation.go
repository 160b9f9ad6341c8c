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
