package lab

import (
	"net/http"
)

// attackRoutes: the attack-depth family done right (see vuln_attack.go):
// exact CORS origins, owners-only writes, managers-only roles, the same
// answer for known and unknown accounts, attempt limits and validated
// diagnostics.
func (c *cleanShop) attackRoutes(mux *http.ServeMux) {
	s := c.authz
	mux.Handle("GET /api/v1/cart", strictCORS(c.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		writeJSON(w, http.StatusOK, map[string]any{"user": sub, "items": []int{2, 3}})
	})))
	mux.HandleFunc("POST /api/v1/orders", c.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		body, ok := readJSONObject(w, r)
		item, okItem := strField(body, "item")
		if !ok || !okItem {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
			return
		}
		o := shopOrder{User: sub, Item: item, Total: 19.90} // owner and price never come from the client
		o.Address, _ = strField(body, "shipping_address")
		if o, ok = s.addOrder(o); !ok {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "unavailable"})
			return
		}
		writeJSON(w, http.StatusCreated, o)
	}))
	owner := func(sub string) func(shopOrder) bool { return func(o shopOrder) bool { return o.User == sub } }
	mux.HandleFunc("PUT /api/v1/orders/{id}", c.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		putOrder(w, r, s, owner(sub))
	}))
	mux.HandleFunc("DELETE /api/v1/orders/{id}", c.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		deleteOrder(w, r, s, owner(sub))
	}))
	c.accountWrites(mux, s)
	c.fetchRoutes(mux, s)
	mux.HandleFunc("POST /api/v1/password-reset", func(w http.ResponseWriter, r *http.Request) {
		body, ok := readJSONObject(w, r)
		email, okEmail := strField(body, "email")
		if !ok || !okEmail {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
			return
		}
		if u, ok := s.userByEmail(email); ok {
			s.noteReset(u.Username)
		}
		writeJSON(w, http.StatusAccepted, map[string]string{"message": "If the address has an account, a reset link is on its way."})
	})
	mux.HandleFunc("POST /api/v1/payments/pin", c.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		checkPIN(w, r, s, sub, c.pins)
	}))
	mux.HandleFunc("GET /api/v1/validate/email", func(w http.ResponseWriter, r *http.Request) {
		ok := emailShape.MatchString(r.URL.Query().Get("email")) // linear time
		writeJSON(w, http.StatusOK, map[string]any{"valid": ok})
	})
	tool := func(param, cmd string, output bool) http.HandlerFunc {
		return c.requireToken(func(w http.ResponseWriter, r *http.Request, _ string) {
			host := r.URL.Query().Get(param)
			if !cleanHostname.MatchString(host) {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_host"})
				return
			}
			out := runCommand([]string{cmd, host}) // an argument vector, never a shell
			if !output {
				out = ""
			}
			writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "output": out})
		})
	}
	mux.HandleFunc("GET /api/v1/tools/ping", tool("host", "ping", true))
	mux.HandleFunc("GET /api/v1/tools/lookup", tool("name", "nslookup", false))
}

// accountWrites: users change their own e-mail, password and profile;
// only managers change roles; accounts are closed by their owner or a
// manager.
func (c *cleanShop) accountWrites(mux *http.ServeMux, s *authzStore) {
	self := func(next func(http.ResponseWriter, *http.Request, *authzStore, string)) http.HandlerFunc {
		return c.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
			if r.PathValue("username") != sub {
				writeJSON(w, http.StatusForbidden, map[string]string{"error": "forbidden"})
				return
			}
			next(w, r, s, sub)
		})
	}
	mux.HandleFunc("PUT /api/v1/users/{username}/email", self(setEmail))
	mux.HandleFunc("PUT /api/v1/users/{username}/password", self(setPassword))
	mux.HandleFunc("PUT /api/v1/users/{username}/role", c.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		if u, _ := s.user(sub); !u.IsAdmin {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "forbidden"})
			return
		}
		setRole(w, r, s, r.PathValue("username"))
	}))
	mux.HandleFunc("PUT /api/v1/profile", c.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		body, ok := readJSONObject(w, r)
		if !ok {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
			return
		}
		if name, ok := strField(body, "username"); ok && name != sub {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "forbidden"})
			return
		}
		updateProfile(w, s, sub, body)
	}))
	mux.HandleFunc("DELETE /api/v1/users/{username}", c.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		name := r.PathValue("username")
		if u, _ := s.user(sub); name != sub && !u.IsAdmin {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "forbidden"})
			return
		}
		if !s.deleteUser(name) {
			jsonNotFound(w, r)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
}
