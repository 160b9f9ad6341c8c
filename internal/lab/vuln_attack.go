package lab

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// attackRoutes: the attack-depth flaw family (issue 19): an allow-list
// regular expression, writes that skip authorization, account abuse and
// injections. Each handler says which flaw it has; clean_attack.go holds
// the fixed twins and attack_store.go the data they share.
func (v *vulnShop) attackRoutes(mux *http.ServeMux) {
	s := v.authz
	// Flaw (CORS allow-list bypass): the partner allow-list is a regular
	// expression applied with re.match (anchored at the start only) and
	// unescaped dots: it accepts look-alikes, plain http, any subdomain
	// and anything that merely starts with an allowed origin.
	mux.Handle("GET /api/v1/cart", partnerCORS(v.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		writeJSON(w, http.StatusOK, map[string]any{"user": sub, "items": []int{2, 3}})
	})))
	v.orderWrites(mux, s)
	v.accountWrites(mux, s)
	v.accountAbuse(mux, s)
	v.injections(mux)
	v.hiddenRoutes(mux, s)
	v.fetchRoutes(mux, s)
}

// hiddenRoutes: operations the spec does not document.
func (v *vulnShop) hiddenRoutes(mux *http.ServeMux, s *authzStore) {
	// Flaw (hidden operation): the couriers' order list, beside the
	// documented /api/v1/orders, has no authentication at all.
	mux.HandleFunc("GET /api/v1/delivery/orders", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		orders := slices.Clone(s.orders)
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"orders": orders})
	})
	// Flaw (hidden operation): an internal status page left at the root
	// (a /debug dump is input-validation.debug-endpoint's to find).
	mux.HandleFunc("GET /internal", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"service": "vulnshop", "users": len(s.allUsers()), "workers": 4, "queue": "orders"})
	})
}

// orderWrites: creating, changing and cancelling orders.
func (v *vulnShop) orderWrites(mux *http.ServeMux, s *authzStore) {
	// Flaw (mass assignment): the new order takes its total (the price)
	// and its owner from the body when they are there.
	mux.HandleFunc("POST /api/v1/orders", v.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		body, ok := readJSONObject(w, r)
		item, okItem := strField(body, "item")
		if !ok || !okItem {
			writeJSON(w, http.StatusBadRequest, map[string]string{"status": "fail", "message": "Incorrect Request."})
			return
		}
		o := shopOrder{User: sub, Item: item, Total: 19.90}
		o.Address, _ = strField(body, "shipping_address")
		if t, ok := body["total"].(float64); ok {
			o.Total = t
		}
		if u, ok := strField(body, "user"); ok {
			o.User = u
		}
		if o, ok = s.addOrder(o); !ok {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "fail", "message": "Too many orders."})
			return
		}
		writeJSON(w, http.StatusCreated, o)
	}))
	anyone := func(shopOrder) bool { return true }
	// Flaw (BOLA on writes): any authenticated user changes or cancels
	// any order.
	mux.HandleFunc("PUT /api/v1/orders/{id}", v.requireToken(func(w http.ResponseWriter, r *http.Request, _ string) {
		putOrder(w, r, s, anyone)
	}))
	mux.HandleFunc("DELETE /api/v1/orders/{id}", v.requireToken(func(w http.ResponseWriter, r *http.Request, _ string) {
		deleteOrder(w, r, s, anyone)
	}))
}

// accountWrites: e-mail, password, role, profile and account deletion.
func (v *vulnShop) accountWrites(mux *http.ServeMux, s *authzStore) {
	// Flaw (account takeover): the username in the path is trusted; any
	// authenticated user changes anyone's e-mail address or password.
	mux.HandleFunc("PUT /api/v1/users/{username}/email", v.requireToken(func(w http.ResponseWriter, r *http.Request, _ string) {
		setEmail(w, r, s, r.PathValue("username"))
	}))
	mux.HandleFunc("PUT /api/v1/users/{username}/password", v.requireToken(func(w http.ResponseWriter, r *http.Request, _ string) {
		setPassword(w, r, s, r.PathValue("username"))
	}))
	// Flaw (BFLA): changing roles is for managers, but nobody checks.
	mux.HandleFunc("PUT /api/v1/users/{username}/role", v.requireToken(func(w http.ResponseWriter, r *http.Request, _ string) {
		setRole(w, r, s, r.PathValue("username"))
	}))
	// Flaw (account takeover through the body): the profile update edits
	// the account the body names, not the caller's.
	mux.HandleFunc("PUT /api/v1/profile", v.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		body, ok := readJSONObject(w, r)
		if !ok {
			writeJSON(w, http.StatusBadRequest, map[string]string{"status": "fail", "message": "Incorrect Request."})
			return
		}
		target := sub
		if name, ok := strField(body, "username"); ok {
			target = name
		}
		updateProfile(w, s, target, body)
	}))
	// Flaw (BOLA): any authenticated user closes any account.
	mux.HandleFunc("DELETE /api/v1/users/{username}", v.requireToken(func(w http.ResponseWriter, r *http.Request, _ string) {
		if !s.deleteUser(r.PathValue("username")) {
			writeJSON(w, http.StatusNotFound, map[string]string{"status": "fail", "message": "User not found"})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
}

// accountAbuse: password reset and the payment PIN.
func (v *vulnShop) accountAbuse(mux *http.ServeMux, s *authzStore) {
	// Flaw (account enumeration): unknown addresses get their own answer.
	mux.HandleFunc("POST /api/v1/password-reset", func(w http.ResponseWriter, r *http.Request) {
		body, ok := readJSONObject(w, r)
		email, okEmail := strField(body, "email")
		if !ok || !okEmail {
			writeJSON(w, http.StatusBadRequest, map[string]string{"status": "fail", "message": "Incorrect Request."})
			return
		}
		u, ok := s.userByEmail(email)
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"status": "fail", "message": "No account with that e-mail address."})
			return
		}
		s.noteReset(u.Username)
		writeJSON(w, http.StatusAccepted, map[string]string{"status": "success", "message": "Reset link sent."})
	})
	// Flaw (no brute-force protection): a 4-digit PIN with unlimited tries.
	mux.HandleFunc("POST /api/v1/payments/pin", v.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		checkPIN(w, r, s, sub, nil)
	}))
}

// injections: a ReDoS-prone validator and shell command injection.
func (v *vulnShop) injections(mux *http.ServeMux) {
	// Flaw (ReDoS): the spec's e-mail pattern, run by a backtracking
	// engine (see backtrackCost).
	mux.HandleFunc("GET /api/v1/validate/email", func(w http.ResponseWriter, r *http.Request) {
		email := r.URL.Query().Get("email")
		if d := backtrackCost(email); d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": "success", "message": strconv.FormatBool(emailShape.MatchString(email))})
	})
	// Flaw (OS command injection): the host goes into `ping -c 1 HOST`
	// run by a shell, and the output comes back.
	mux.HandleFunc("GET /api/v1/tools/ping", v.requireToken(func(w http.ResponseWriter, r *http.Request, _ string) {
		out := miniShell("ping -c 1 " + r.URL.Query().Get("host"))
		writeJSON(w, http.StatusOK, map[string]string{"status": "success", "output": out})
	}))
	// Flaw (blind OS command injection): `nslookup NAME` runs in a shell;
	// only "queued" comes back, but the caller waits for it.
	mux.HandleFunc("GET /api/v1/tools/lookup", v.requireToken(func(w http.ResponseWriter, r *http.Request, _ string) {
		_ = miniShell("nslookup " + r.URL.Query().Get("name"))
		writeJSON(w, http.StatusOK, map[string]string{"status": "queued"})
	}))
}

// partnerOrigins is the flawed allow-list, as a Flask app writes it:
// CORS(app, origins=r".*.(vulnshop.test|partner.test)").
var partnerOrigins = regexp.MustCompile(`^(?:.*.(vulnshop.test|partner.test))`)

func partnerCORS(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Origin")
		if o := r.Header.Get("Origin"); o != "" && partnerOrigins.MatchString(o) {
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
		}
		h.ServeHTTP(w, r)
	})
}

// putOrder changes an order's item and address if allowed says so.
func putOrder(w http.ResponseWriter, r *http.Request, s *authzStore, allowed func(shopOrder) bool) {
	id, err := strconv.Atoi(r.PathValue("id"))
	body, ok := readJSONObject(w, r)
	if err != nil || !ok {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	o, ok := s.updateOrder(id, allowed, func(o *shopOrder) {
		if item, ok := strField(body, "item"); ok {
			o.Item = item
		}
		if a, ok := strField(body, "shipping_address"); ok {
			o.Address = a
		}
	})
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found"})
		return
	}
	writeJSON(w, http.StatusOK, o)
}

func deleteOrder(w http.ResponseWriter, r *http.Request, s *authzStore, allowed func(shopOrder) bool) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil || !s.deleteOrder(id, allowed) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found"})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func setEmail(w http.ResponseWriter, r *http.Request, s *authzStore, name string) {
	body, ok := readJSONObject(w, r)
	email, okEmail := strField(body, "email")
	if !ok || !okEmail {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	u, ok := s.update(name, func(u *authzUser) { u.Email = email })
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"username": u.Username, "email": u.Email, "role": u.Role})
}

func setPassword(w http.ResponseWriter, r *http.Request, s *authzStore, name string) {
	body, ok := readJSONObject(w, r)
	pw, okPW := strField(body, "password")
	if !ok || !okPW || len(pw) < 8 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	if _, ok := s.update(name, func(u *authzUser) { u.Password = pw }); !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found"})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func setRole(w http.ResponseWriter, r *http.Request, s *authzStore, name string) {
	body, ok := readJSONObject(w, r)
	role, okRole := strField(body, "role")
	if !ok || !okRole || !slices.Contains(shopRoles, role) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_role"})
		return
	}
	u, ok := s.update(name, func(u *authzUser) { u.Role = role })
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"username": u.Username, "email": u.Email, "role": u.Role})
}

func updateProfile(w http.ResponseWriter, s *authzStore, name string, body map[string]any) {
	u, ok := s.update(name, func(u *authzUser) {
		if e, ok := strField(body, "email"); ok {
			u.Email = e
		}
	})
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"username": u.Username, "email": u.Email, "role": u.Role})
}

// checkPIN answers a PIN check for user sub; lock, when set, limits the
// failures.
func checkPIN(w http.ResponseWriter, r *http.Request, s *authzStore, sub string, lock *attempts) {
	if lock != nil && lock.locked(sub) {
		w.Header().Set("Retry-After", "60")
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "too_many_attempts"})
		return
	}
	body, ok := readJSONObject(w, r)
	pin, okPIN := strField(body, "pin")
	if !ok || !okPIN {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	u, ok := s.user(sub)
	if !ok || u.PIN != pin {
		s.noteFailure("pin:" + sub)
		if lock != nil {
			lock.failed(sub)
		}
		writeJSON(w, http.StatusForbidden, map[string]string{"status": "fail", "message": "Wrong PIN."})
		return
	}
	if lock != nil {
		lock.clear(sub)
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "success", "message": "Payments unlocked."})
}
