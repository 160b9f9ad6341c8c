package lab

import (
	"net/http"
	"slices"
	"strconv"
)

// authzRoutes: the authorization flaw family (OWASP API1, API3, API5).
// Every handler authenticates; none authorizes properly.
func (v *vulnShop) authzRoutes(mux *http.ServeMux) {
	s := v.authz
	mux.HandleFunc("GET /api/v1/orders", v.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		writeJSON(w, http.StatusOK, map[string]any{"orders": s.ordersOf(sub)}) // correct: own orders only
	}))
	// Flaw (BOLA): any authenticated user reads any order by id.
	mux.HandleFunc("GET /api/v1/orders/{id}", v.requireToken(func(w http.ResponseWriter, r *http.Request, _ string) {
		writeOrder(w, s, r.PathValue("id"), func(shopOrder) bool { return true })
	}))
	// Flaw (BOLA, unauthenticated): the receipt skips the token check the
	// spec promises.
	mux.HandleFunc("GET /api/v1/orders/{id}/receipt", func(w http.ResponseWriter, r *http.Request) {
		writeOrder(w, s, r.PathValue("id"), func(shopOrder) bool { return true })
	})
	// Flaw (BOLA through a query parameter): any order's invoice.
	mux.HandleFunc("GET /api/v1/invoice", v.requireToken(func(w http.ResponseWriter, r *http.Request, _ string) {
		writeInvoice(w, s, r.URL.Query().Get("order_id"), func(shopOrder) bool { return true })
	}))
	// Flaw (property exposure): the account shows the password hash.
	mux.HandleFunc("GET /api/v1/account", v.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		u, ok := s.user(sub)
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"status": "fail", "message": "User not found"})
			return
		}
		if !slices.Contains(shopRoles, u.Role) {
			// The role mass assignment stored is not one the shop knows:
			// the account page crashes from now on (the update still works).
			writeJSON(w, http.StatusInternalServerError, map[string]string{"status": "fail", "message": "KeyError: '" + u.Role + "'"})
			return
		}
		u.APIKey = ""
		writeJSON(w, http.StatusOK, u)
	}))
	// Flaw (mass assignment): every field of the body is applied,
	// including role and is_admin.
	mux.HandleFunc("PATCH /api/v1/account", v.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		body, ok := readJSONObject(w, r)
		if !ok {
			writeJSON(w, http.StatusBadRequest, map[string]string{"status": "fail", "message": "Incorrect Request."})
			return
		}
		u, _ := s.update(sub, func(u *authzUser) { applyAll(u, body) })
		u.APIKey = ""
		writeJSON(w, http.StatusOK, u)
	}))
	// Flaw (mass assignment): registration takes role and is_admin.
	mux.HandleFunc("POST /api/v1/register", func(w http.ResponseWriter, r *http.Request) {
		body, ok := readJSONObject(w, r)
		name, okName := strField(body, "username")
		if !ok || !okName {
			writeJSON(w, http.StatusBadRequest, map[string]string{"status": "fail", "message": "Incorrect Request."})
			return
		}
		u := authzUser{Username: name, Role: roleCustomer, PIN: newPIN()}
		u.Password, _ = strField(body, "password")
		applyAll(&u, body)
		if !s.add(u) {
			writeJSON(w, http.StatusConflict, map[string]string{"status": "fail", "message": "User already exists"})
			return
		}
		writeJSON(w, http.StatusCreated, u)
	})
	// Flaw (BFLA + property exposure): the admin area only checks that a
	// token is valid, and lists every user's hash and API key.
	mux.HandleFunc("GET /api/v1/admin/users", v.requireToken(func(w http.ResponseWriter, r *http.Request, _ string) {
		writeJSON(w, http.StatusOK, map[string]any{"users": s.allUsers()})
	}))
	// Flaw (BFLA by method switching): the role check only runs for GET;
	// HEAD (which the mux routes here too) gets 200.
	mux.HandleFunc("GET /api/v1/admin/stats", v.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		if u, _ := s.user(sub); r.Method == http.MethodGet && !u.IsAdmin {
			writeJSON(w, http.StatusForbidden, map[string]string{"status": "fail", "message": "Admins only"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"users": len(s.allUsers()), "orders": len(s.orders), "revenue": 171.4})
	}))
}

func writeOrder(w http.ResponseWriter, s *authzStore, raw string, allowed func(shopOrder) bool) {
	id, err := strconv.Atoi(raw)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_id"})
		return
	}
	o, ok := s.order(id)
	if !ok || !allowed(o) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found"})
		return
	}
	writeJSON(w, http.StatusOK, o)
}

// applyAll copies every known field of body into u: the mass-assignment
// flaw of binding request JSON straight onto the model.
func applyAll(u *authzUser, body map[string]any) {
	if e, ok := strField(body, "email"); ok {
		u.Email = e
	}
	if role, ok := strField(body, "role"); ok {
		u.Role = role
	}
	if a, ok := body["is_admin"].(bool); ok {
		u.IsAdmin = a
	}
	if a, ok := body["admin"].(bool); ok {
		u.IsAdmin = a
	}
}

// writeInvoice answers GET /api/v1/invoice?order_id=N.
func writeInvoice(w http.ResponseWriter, s *authzStore, raw string, allowed func(shopOrder) bool) {
	id, err := strconv.Atoi(raw)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_order_id"})
		return
	}
	o, ok := s.order(id)
	if !ok || !allowed(o) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"order_id": o.ID, "user": o.User, "amount": o.Total, "vat": o.Total * 0.2})
}
