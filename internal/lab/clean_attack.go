package lab

import (
	"net/http"
)

// attackRoutes: the attack-depth family done right (see vuln_attack.go).
func (c *cleanShop) attackRoutes(mux *http.ServeMux) {
	// Fixed: exact origins only.
	mux.Handle("GET /api/v1/cart", strictCORS(c.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		writeJSON(w, http.StatusOK, map[string]any{"user": sub, "items": []int{2, 3}})
	})))
}
