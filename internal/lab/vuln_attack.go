package lab

import (
	"net/http"
	"regexp"
)

// attackRoutes: the attack-depth flaw family (issue 19): an allow-list
// regular expression, writes that skip authorization, account abuse,
// injections and hidden operations. Each handler says which flaw it has;
// clean_attack.go holds the fixed twins.
func (v *vulnShop) attackRoutes(mux *http.ServeMux) {
	// Flaw (CORS allow-list bypass): the partner allow-list is a regular
	// expression applied with re.match (anchored at the start only) and
	// unescaped dots: it accepts look-alikes, plain http, any subdomain
	// and anything that merely starts with an allowed origin.
	mux.Handle("GET /api/v1/cart", partnerCORS(v.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "eyJ1c2VyIjoi" + sub + "In0", Path: "/", HttpOnly: true})
		writeJSON(w, http.StatusOK, map[string]any{"user": sub, "items": []int{2, 3}})
	})))
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
