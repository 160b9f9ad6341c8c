package lab

import "net/http"

// owaspRoutes: the search without the SQL error (bound parameters, length
// limit); TRACE and undeclared methods fall to the 404 catch-all.
func (c *cleanShop) owaspRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/search", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query().Get("q")
		if len(q) > 100 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_query"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"books": searchBooks(q)})
	})
}
