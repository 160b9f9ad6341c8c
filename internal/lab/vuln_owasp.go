package lab

import (
	"fmt"
	"net/http"
	"net/http/httputil"
	"strconv"
	"strings"
)

// owaspRoutes: the input-validation flaw family (OWASP API8). The
// Werkzeug /console and the traceback of GET /api/v1/books/{id} live in
// vulnshop.go; these add a SQL error, TRACE and an over-generous Allow.
func (v *vulnShop) owaspRoutes(mux *http.ServeMux) {
	// Flaw (SQL injection): the search term is pasted into the query, so a
	// quote surfaces the SQLite error.
	mux.HandleFunc("GET /api/v1/search", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query().Get("q")
		if strings.Count(q, "'")%2 == 1 {
			msg := fmt.Sprintf("sqlite3.OperationalError: unrecognized token: \"'%%%s%%'\"", strings.ReplaceAll(q, "'", "''"))
			writeJSON(w, http.StatusInternalServerError, map[string]string{"status": "fail", "message": msg,
				"query": "SELECT id, book_title FROM books WHERE book_title LIKE '%" + q + "%'"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"books": searchBooks(q)})
	})
	// Not a flaw but a trap for scanners: everything under /mirror/ is a
	// catch-all 200 that looks like the debugger console, so a check that
	// skips its random-path baseline reports /mirror/console.
	mux.HandleFunc("GET /mirror/", func(w http.ResponseWriter, r *http.Request) {
		writeHTML(w, http.StatusOK, werkzeugConsole)
	})
	// Flaw (API4): the page size is whatever the caller asks for, up to
	// the whole catalogue (and no route is rate-limited).
	mux.HandleFunc("GET /api/v1/catalog", func(w http.ResponseWriter, r *http.Request) {
		limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
		if err != nil || limit < 1 {
			limit = 20
		}
		writeJSON(w, http.StatusOK, map[string]any{"items": catalogPage(min(limit, catalogSize))})
	})
	// Flaw (API3): the public support queue serves customers' contact
	// details, a card number, an SSN and a pasted AWS key, and names the
	// backend it ran on.
	mux.HandleFunc("GET /api/v1/support/tickets", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Backend-Server", "10.0.3.17:8080")
		writeJSON(w, http.StatusOK, map[string]any{"tickets": vulnTickets})
	})
	// Flaw (API9): the retired v0 API still answers, and the deprecated
	// legacy catalogue is still served.
	mux.HandleFunc("GET /api/v0/books", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"books": shopBooks})
	})
	mux.HandleFunc("GET /api/v1/catalog/legacy", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"items": catalogPage(20)})
	})
	// Flaw (API7 SSRF): the link preview fetches any URL server-side and
	// forwards the caller's Authorization header to it.
	mux.HandleFunc("GET /api/v1/preview", v.requireToken(func(w http.ResponseWriter, r *http.Request, _ string) {
		status, body, err := v.serverFetch(r.URL.Query().Get("url"), r.Header.Get("Authorization"))
		if err != nil {
			// Flaw too: the client's error says what the server could reach.
			writeJSON(w, http.StatusBadGateway, map[string]string{"status": "fail", "message": "could not fetch the page: " + err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": status, "preview": body})
	}))
	// Flaw: TRACE echoes the request (headers included).
	mux.HandleFunc("TRACE /{$}", func(w http.ResponseWriter, r *http.Request) {
		dump, _ := httputil.DumpRequest(r, false)
		w.Header().Set("Content-Type", "message/http")
		_, _ = w.Write(dump)
	})
	// Flaw: the router accepts PUT and DELETE on the book list, which the
	// spec does not document.
	mux.HandleFunc("OPTIONS /api/v1/books", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "GET, HEAD, OPTIONS, PUT, DELETE")
		w.WriteHeader(http.StatusOK)
	})
}

type ticket struct {
	ID      int    `json:"id"`
	From    string `json:"from,omitempty"`
	Subject string `json:"subject"`
	Message string `json:"message"`
}

var vulnTickets = []ticket{
	{1, "alice@vulnshop.test", "Refund", "Please refund card 4111 1111 1111 1111, or call me, phone +1 415 555 0134."},
	{2, "bob@vulnshop.test", "Tax form", "My SSN: 078-05-1120 for the invoice."},
	{3, "carol@example.test", "Build broken", "The deploy log says aws_access_key_id=AKIA2E0A8F3B244C9986 is invalid."},
}

// catalogSize is the size of the lab's catalogue.
const catalogSize = 5000

func catalogPage(n int) []book {
	out := make([]book, n)
	for i := range out {
		out[i] = book{ID: i + 1, Title: fmt.Sprintf("Catalogue entry %d", i+1), User: "shop"}
	}
	return out
}

func searchBooks(q string) []book {
	out := []book{}
	for _, b := range shopBooks {
		if strings.Contains(strings.ToLower(b.Title), strings.ToLower(q)) {
			out = append(out, b)
		}
	}
	return out
}
