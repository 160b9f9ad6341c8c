package redirect

import "github.com/plumbsec/plumb/internal/finding"

var refs = []string{
	"https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html",
	"https://www.rfc-editor.org/rfc/rfc9700#section-4.11",
}

var openRemediation = finding.Remediation{
	Summary: "Redirect only to local paths or to an exact allowlist of origins; reject absolute URLs, scheme-relative " +
		"\"//host\" and backslash tricks. On the client side, never follow redirects with credentials attached: disable " +
		"automatic redirects or strip Authorization and key headers when the origin changes.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `from urllib.parse import urlsplit
from flask import redirect, request

def safe_next(value, default="/"):
    parts = urlsplit(value or "")
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    return value

@app.get("/auth/return")
def auth_return():
    return redirect(safe_next(request.args.get("next")))

# outbound: requests strips Authorization on host change, but not custom headers
requests.get(url, headers={"X-API-Key": key}, allow_redirects=False)`},
		{Lang: "go", Code: `func safeNext(v string) string {
	u, err := url.Parse(v)
	if err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(v, "/") ||
		strings.HasPrefix(v, "//") || strings.HasPrefix(v, "/\\") {
		return "/"
	}
	return v
}
// outbound: do not follow redirects with credentials
client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}`},
		{Lang: "node-express", Code: `function safeNext(v) {
  return typeof v === "string" && v.startsWith("/") && !v.startsWith("//") && !v.startsWith("/\\") ? v : "/";
}
app.get("/auth/return", (req, res) => res.redirect(safeNext(req.query.next)));
// outbound: fetch(url, { headers, redirect: "manual" })`},
	},
	References: refs,
}

var crossRemediation = finding.Remediation{
	Summary: "Serve the resource from the API's origin or return its URL in the body for the client to fetch without the " +
		"API credential. Never redirect https to http. Tell client authors to disable automatic redirects when sending " +
		"credentials.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `# return the location instead of redirecting an authenticated call
return {"export_url": presigned_url}, 200
# clients: requests.get(url, headers=auth, allow_redirects=False)`},
		{Lang: "go", Code: `client := &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
	if req.URL.Host != via[0].URL.Host || req.URL.Scheme != via[0].URL.Scheme {
		req.Header.Del("Authorization")
		req.Header.Del("X-API-Key")
	}
	return nil
}}`},
		{Lang: "node-express", Code: `// clients: fetch(url, { headers: { Authorization }, redirect: "manual" })
res.json({ exportUrl: presignedUrl }); // instead of res.redirect(...)`},
	},
	References: refs,
}
