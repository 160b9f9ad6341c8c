package lab

import (
	"net/http"
)

// authzRoutes: the authorization family done right: owners only, admins
// only, allow-listed writable fields, no secrets in responses.
func (c *cleanShop) authzRoutes(mux *http.ServeMux) {
	s := c.authz
	mux.HandleFunc("GET /api/v1/orders", c.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		writeJSON(w, http.StatusOK, map[string]any{"orders": s.ordersOf(sub)})
	}))
	owner := func(sub string) func(shopOrder) bool {
		return func(o shopOrder) bool { return o.User == sub } // others' orders are 404, not 403: no enumeration
	}
	mux.HandleFunc("GET /api/v1/orders/{id}", c.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		writeOrder(w, s, r.PathValue("id"), owner(sub))
	}))
	mux.HandleFunc("GET /api/v1/orders/{id}/receipt", c.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		writeOrder(w, s, r.PathValue("id"), owner(sub))
	}))
	mux.HandleFunc("GET /api/v1/invoice", c.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		writeInvoice(w, s, r.URL.Query().Get("order_id"), owner(sub))
	}))
	mux.HandleFunc("GET /api/v1/account", c.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		c.writeAccount(w, sub)
	}))
	mux.HandleFunc("PATCH /api/v1/account", c.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		body, ok := readJSONObject(w, r)
		if !ok {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
			return
		}
		s.update(sub, func(u *authzUser) {
			if e, ok := strField(body, "email"); ok { // the only writable field
				u.Email = e
			}
		})
		c.writeAccount(w, sub)
	}))
	mux.HandleFunc("POST /api/v1/register", func(w http.ResponseWriter, r *http.Request) {
		body, ok := readJSONObject(w, r)
		name, okName := strField(body, "username")
		if !ok || !okName {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
			return
		}
		email, _ := strField(body, "email")
		password, _ := strField(body, "password")
		u := authzUser{Username: name, Email: email, Role: roleCustomer, Password: password, PIN: newPIN()} // role is never taken from the client
		if !s.add(u) {
			writeJSON(w, http.StatusConflict, map[string]string{"error": "username_taken"})
			return
		}
		writeJSON(w, http.StatusCreated, map[string]string{"username": u.Username, "email": u.Email, "role": u.Role})
	})
	admin := func(next func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
		return c.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
			if u, _ := s.user(sub); !u.IsAdmin { // every method, not just GET
				writeJSON(w, http.StatusForbidden, map[string]string{"error": "forbidden"})
				return
			}
			next(w, r, sub)
		})
	}
	mux.HandleFunc("GET /api/v1/admin/users", admin(func(w http.ResponseWriter, r *http.Request, _ string) {
		users := s.allUsers()
		for i := range users {
			users[i].APIKey, users[i].PasswordHash = "", ""
		}
		writeJSON(w, http.StatusOK, map[string]any{"users": users})
	}))
	mux.HandleFunc("GET /api/v1/admin/stats", admin(func(w http.ResponseWriter, r *http.Request, _ string) {
		writeJSON(w, http.StatusOK, map[string]any{"users": len(s.allUsers()), "orders": len(s.orders)})
	}))
}

func (c *cleanShop) writeAccount(w http.ResponseWriter, sub string) {
	u, ok := c.authz.user(sub)
	if !ok {
		jsonNotFound(w, nil)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"username": u.Username, "email": u.Email, "role": u.Role})
}
