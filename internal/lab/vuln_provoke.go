package lab

import (
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
)

// Hosts vulnshop reveals only when pushed; their dangling CNAMEs are in
// zoneData.
const (
	vulnInsightsHost = "insights.vulnshop.test" // upstream named only in a traceback; gets callers' tokens
	vulnPartnersHost = "partners.vulnshop.test" // a CORS origin named only in the settings dump
	vulnSSOKeysHost  = "sso-keys.vulnshop.test" // the JWKS host named only in the settings dump
)

// maxReportDays is the widest report window either shop serves.
const maxReportDays = 365

// provokeRoutes: the flaws a scan finds only by pushing the API.
func (v *vulnShop) provokeRoutes(mux *http.ServeMux) {
	// Flaw: the type is checked but the range is not; a huge window
	// overflows the date arithmetic in the middle of the upstream call,
	// and the debugger prints the failing line, which names the upstream
	// and copies the caller's Authorization header onto the call.
	mux.HandleFunc("GET /api/v1/reports/sales", v.requireToken(func(w http.ResponseWriter, r *http.Request, _ string) {
		days, ok, overflow := reportDays(r.URL.Query().Get("days"))
		switch {
		case !ok:
			writeJSON(w, http.StatusBadRequest, map[string]string{"status": "fail", "message": "days must be an integer"})
		case overflow:
			writeHTML(w, http.StatusInternalServerError, reportsTraceback(r.URL.Query().Get("days")))
		default:
			writeJSON(w, http.StatusOK, map[string]any{"days": days, "orders": 42, "revenue": "1234.50"})
		}
	}))
	// Flaw: Flask's config, dumped by a forgotten debug route below the
	// API prefix, undocumented and unauthenticated.
	mux.HandleFunc("GET /api/v1/_debug", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, vulnDebugConfig)
	})
}

// reportDays parses days as Python's int() would: any run of digits is a
// number (no overflow at parse time), which only the date arithmetic
// rejects past ~10^6 days.
func reportDays(raw string) (days int, ok, overflow bool) {
	if raw == "" {
		return 30, true, false
	}
	if strings.Trim(raw, "0123456789") != "" {
		return 0, false, false
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n > 999999 {
		return 0, true, true
	}
	return n, true, false
}

// vulnDebugConfig is the dumped config. Its secrets are fake.
var vulnDebugConfig = map[string]any{
	"DEBUG":                   true,
	"ENV":                     "production",
	"SECRET_KEY":              "flask-insecure-7Hq2vLx9Pw3Zr8Tn",
	"SQLALCHEMY_DATABASE_URI": "postgresql://shop:Pg-Pr0d-2024-xk@db.vulnshop.test:5432/shop",
	"REDIS_URL":               "redis://cache.vulnshop.test:6379/0",
	"CELERY_BROKER_URL":       "amqp://shop:Rabbit-2024-q7@queue.vulnshop.test:5672//",
	"CORS_ORIGINS":            []string{"https://app.vulnshop.test", "https://" + vulnPartnersHost},
	"JWKS_URL":                "https://" + vulnSSOKeysHost + "/.well-known/jwks.json",
	"METRICS_UPSTREAM":        "https://metrics.vulnshop.test/v1/push",
	"ORDER_WEBHOOK_URL":       "https://hooks.vulnshop.test/orders",
	"JSON_SORT_KEYS":          false,
}

// reportsTraceback is the debugger's page for the overflow; raw is the
// days value as sent.
func reportsTraceback(raw string) string {
	return werkzeugPage("OverflowError: date value out of range", "OverflowError", []pyFrame{
		{"/usr/local/lib/python3.9/site-packages/flask/app.py", 2073, "wsgi_app", "response = self.full_dispatch_request()"},
		{"/app/api_views/reports.py", 31, "sales_report", `resp = requests.get(f"https://` + vulnInsightsHost +
			`/v2/sales?since={since(days)}", headers={"Authorization": request.headers["Authorization"]}, timeout=5)`},
		{"/app/api_views/reports.py", 18, "since", "return (datetime.utcnow() - timedelta(days=int(" + fmt.Sprintf("%q", raw[:min(len(raw), 24)]) + "))).isoformat()"},
	})
}

// pyFrame is one frame of a Python traceback.
type pyFrame struct {
	file string
	line int
	fn   string
	src  string
}

// werkzeugPage renders the Werkzeug debugger's 500 page (the shape of
// werkzeugTraceback) for an exception and its frames, innermost last.
func werkzeugPage(msg, exc string, frames []pyFrame) string {
	var b strings.Builder
	e := html.EscapeString
	fmt.Fprintf(&b, "<!doctype html>\n<html lang=en>\n  <head>\n    <title>%s // Werkzeug Debugger</title>\n", e(msg))
	b.WriteString(`    <link rel="stylesheet" href="?__debugger__=yes&amp;cmd=resource&amp;f=style.css">` + "\n")
	b.WriteString("  </head>\n  <body style=\"background-color: #fff\">\n    <div class=\"debugger\">\n")
	fmt.Fprintf(&b, "<h1>%s</h1>\n<div class=\"detail\">\n  <p class=\"errormsg\">%s</p>\n</div>\n", e(exc), e(msg))
	b.WriteString("<h2 class=\"traceback\">Traceback <em>(most recent call last)</em></h2>\n<div class=\"traceback\">\n  <ul>\n")
	for i, f := range frames {
		fmt.Fprintf(&b, "<li><div class=\"frame\" id=\"frame-%d\">\n  <h4>File <cite class=\"filename\">\"%s\"</cite>, line "+
			"<em class=\"line\">%d</em>, in <code class=\"function\">%s</code></h4>\n  <div class=\"source\"><pre class=\"line "+
			"current\"><span class=\"ws\">    </span>%s</pre></div>\n</div>\n", 140000+i, e(f.file), f.line, e(f.fn), e(f.src))
	}
	fmt.Fprintf(&b, "  </ul>\n  <blockquote>%s</blockquote>\n</div>\n    </div>\n  </body>\n</html>\n<!--\n\n"+
		"Traceback (most recent call last):\n", e(msg))
	for _, f := range frames {
		fmt.Fprintf(&b, "  File \"%s\", line %d, in %s\n    %s\n", f.file, f.line, f.fn, strings.ReplaceAll(f.src, "--", "- -"))
	}
	fmt.Fprintf(&b, "%s\n\n-->\n", msg)
	return b.String()
}

// provokeRoutes for cleanshop: the report validates its range and answers
// every bad value with a generic 400; there is no debug route.
func (c *cleanShop) provokeRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/reports/sales", c.requireToken(func(w http.ResponseWriter, r *http.Request, _ string) {
		days, ok, overflow := reportDays(r.URL.Query().Get("days"))
		if !ok || overflow || days < 1 || days > maxReportDays {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_days"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"days": days, "orders": 42, "revenue": "1234.50"})
	}))
}
