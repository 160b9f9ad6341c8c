package discovery

import (
	"html"
	"regexp"
	"strings"
)

// errorRule extracts an upstream host (or URL) from a client error string
// or stack trace. Rules are data: each carries samples that rules_test.go
// runs, and all are compiled once at package load.
type errorRule struct {
	Name    string
	Stack   string // which client or runtime writes the string
	Needle  string // a literal every match contains: cheap prefilter
	Pattern string // group 1 is a host name or an absolute URL
	// Positive maps a sample to the host it must yield; Negative samples
	// must yield nothing.
	Positive map[string]string
	Negative []string

	re *regexp.Regexp
}

// hostChars is what a DNS name (or IP literal) in an error string looks like.
const hostChars = `[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9])?`

var errorRules = compileRules([]errorRule{
	{
		Name: "urllib3-connection-pool", Needle: "ConnectionPool(host=", Stack: "Python requests/urllib3",
		Pattern: `HTTPS?ConnectionPool\(host=['"](` + hostChars + `)['"]`,
		Positive: map[string]string{
			`requests.exceptions.ConnectionError: HTTPSConnectionPool(host='metrics.example.io', port=443): Max retries exceeded with url: /v1/push`: "metrics.example.io",
			`HTTPConnectionPool(host="billing.internal.corp.io", port=80): Read timed out.`:                                                          "billing.internal.corp.io",
		},
		Negative: []string{`ConnectionPool(host=, port=443)`, `HTTPSConnectionPool(maxsize=10)`},
	},
	{
		Name: "urllib3-name-resolution", Needle: "Failed to resolve", Stack: "Python urllib3 ≥ 2",
		Pattern: `Failed to resolve ['"](` + hostChars + `)['"]`,
		Positive: map[string]string{
			`NameResolutionError("<urllib3.connection.HTTPSConnection object at 0x7f>: Failed to resolve 'api.partner.io' ([Errno -2] Name or service not known)")`: "api.partner.io",
		},
		Negative: []string{`Failed to resolve dependencies`},
	},
	{
		Name: "python-for-url", Needle: "for url: ", Stack: "Python requests HTTPError / InvalidURL",
		Pattern: `for url: (https?://[^\s'"<>)]+)`,
		Positive: map[string]string{
			`requests.exceptions.HTTPError: 503 Server Error: Service Unavailable for url: https://pay.example-psp.io/v2/charge`: "pay.example-psp.io",
		},
		Negative: []string{`for url: /relative/path`},
	},
	{
		Name: "go-dial-lookup", Needle: ": lookup ", Stack: "Go net (dial/lookup)",
		Pattern: `dial (?:tcp|udp)[46]?: lookup (` + hostChars + `)(?: on [^:]+:\d+)?: `,
		Positive: map[string]string{
			`Get "https://x.io/a": dial tcp: lookup inventory.svc-prod.io on 10.0.0.2:53: no such host`: "inventory.svc-prod.io",
			`dial tcp: lookup cache.shop.io: no such host`:                                              "cache.shop.io",
		},
		Negative: []string{`dial tcp 10.0.0.5:443: connect: connection refused`},
	},
	{
		Name: "go-http-client", Needle: "\": ", Stack: "Go net/http Client",
		Pattern: `(?:Get|Post|Put|Patch|Delete|Head) "(https?://[^"]+)": `,
		Positive: map[string]string{
			`Post "https://events.tracker.io/v1/ingest": context deadline exceeded`: "events.tracker.io",
		},
		Negative: []string{`Get "/local/path": unsupported protocol scheme ""`},
	},
	{
		Name: "java-unknown-host", Needle: "UnknownHostException: ", Stack: "Java (java.net)",
		Pattern: `UnknownHostException: (` + hostChars + `)`,
		Positive: map[string]string{
			`java.net.UnknownHostException: ledger.bank-internal.io: Name or service not known`: "ledger.bank-internal.io",
			`Caused by: java.net.UnknownHostException: auth.partner.io`:                         "auth.partner.io",
		},
		Negative: []string{`UnknownHostException: `},
	},
	{
		Name: "spring-rest-template", Needle: "request for \"", Stack: "Java Spring RestTemplate/WebClient",
		Pattern: `request for "(https?://[^"]+)"`,
		Positive: map[string]string{
			`I/O error on GET request for "https://catalog.vendor.io/items": Connection refused`: "catalog.vendor.io",
		},
		Negative: []string{`request for "/items"`},
	},
	{
		Name: "node-getaddrinfo", Needle: "getaddrinfo ", Stack: "Node.js (dns/net)",
		Pattern: `getaddrinfo (?:ENOTFOUND|EAI_AGAIN) (` + hostChars + `)`,
		Positive: map[string]string{
			`Error: getaddrinfo ENOTFOUND search.shop-backend.io`:                                      "search.shop-backend.io",
			`FetchError: request to https://a.io/ failed, reason: getaddrinfo EAI_AGAIN mail.relay.io`: "mail.relay.io",
		},
		Negative: []string{`connect ECONNREFUSED 127.0.0.1:5432`},
	},
	{
		Name: "node-fetch-request-to", Needle: "request to ", Stack: "Node.js node-fetch/undici",
		Pattern: `request to (https?://[^\s'"<>]+) failed`,
		Positive: map[string]string{
			`FetchError: request to https://geo.locator.io/v1 failed, reason: socket hang up`: "geo.locator.io",
		},
		Negative: []string{`request to /v1 failed`},
	},
	{
		Name: "dotnet-no-such-host", Needle: "No such host is known", Stack: ".NET HttpClient",
		Pattern: `No such host is known\.? \((` + hostChars + `):\d+\)`,
		Positive: map[string]string{
			`System.Net.Http.HttpRequestException: No such host is known. (reports.contoso-int.io:443)`: "reports.contoso-int.io",
		},
		Negative: []string{`No such host is known.`},
	},
	{
		Name: "curl-resolve", Needle: "Could not resolve host: ", Stack: "libcurl (PHP, Ruby, CLI)",
		Pattern: `Could not resolve host: (` + hostChars + `)`,
		Positive: map[string]string{
			`cURL error 6: Could not resolve host: sms.gateway-co.io (see https://curl.haxx.se/libcurl/c/libcurl-errors.html)`: "sms.gateway-co.io",
		},
		Negative: []string{`Could not resolve host: `},
	},
})

func compileRules(rs []errorRule) []errorRule {
	for i := range rs {
		rs[i].re = regexp.MustCompile(rs[i].Pattern)
	}
	return rs
}

// maxScan bounds how much of one body the rules read.
const maxScan = 256 << 10

// leak is one upstream host found in an error body.
type leak struct {
	Host  string
	Rule  string
	Stack string
	Match string // the matched text, for evidence
}

// upstreamHosts runs every rule over body (HTML-unescaped first, since
// debugger pages escape quotes) and returns valid hosts, first match per host.
func upstreamHosts(body []byte) []leak {
	s := string(body[:min(len(body), maxScan)])
	if strings.ContainsAny(s, "&") {
		s = html.UnescapeString(s)
	}
	var out []leak
	seen := map[string]bool{}
	for _, r := range errorRules {
		if !strings.Contains(s, r.Needle) {
			continue
		}
		for _, m := range r.re.FindAllStringSubmatch(s, 16) {
			raw := m[1]
			h, ok := ValidHost(raw)
			if strings.Contains(raw, "://") {
				h, ok = hostOfURL(raw)
			}
			if !ok || seen[h] {
				continue
			}
			seen[h] = true
			out = append(out, leak{Host: h, Rule: r.Name, Stack: r.Stack, Match: truncate(m[0], 200)})
		}
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
