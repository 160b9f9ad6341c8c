package code

import "github.com/plumbsec/plumb/internal/finding"

// Rule describes one kind of finding plumb code reports. The table below
// is the catalog `plumb checks` lists and SARIF rules are made from.
type Rule struct {
	ID          string
	Title       string
	Category    finding.Category
	OWASP       string
	CWE         string
	Severity    finding.Severity // the highest severity it reports
	Description string
	Remediation finding.Remediation
}

// LookupRule returns the rule with id.
func LookupRule(id string) (Rule, bool) {
	for _, r := range ruleTable {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

var ruleTable = []Rule{
	{
		ID: RuleCredentialsToClaimable, Title: "Credentials sent to a host anyone can claim", Category: finding.CatDNS,
		OWASP: "API10:2023", CWE: "CWE-350", Severity: finding.Critical,
		Description: "The code sends a credential (an Authorization header, an API key, auth=) to a host whose DNS points at something that no longer exists " +
			"and that anyone can register: a CNAME to a deleted cloud resource or an unregistered domain. Whoever claims it receives the token with every call.",
		Remediation: finding.Remediation{
			Summary: "Remove or repoint the DNS record (or reclaim the resource it points to) and stop sending the credential there until the host is yours again; rotate the credential.",
			Snippets: []finding.Snippet{
				{Lang: "python-flask", Code: "# config.py: point the setting at a host you control, and fail closed\nMETRICS_URL = os.environ[\"METRICS_URL\"]  # no stale default\nassert urlparse(METRICS_URL).hostname in ALLOWED_UPSTREAMS\n"},
				{Lang: "node", Code: "// refuse to send the token anywhere but the hosts you own\nconst u = new URL(process.env.METRICS_URL);\nif (!ALLOWED_UPSTREAMS.has(u.hostname)) throw new Error(`upstream ${u.hostname} not allowed`);\n"},
				{Lang: "go", Code: "u, err := url.Parse(os.Getenv(\"METRICS_URL\"))\nif err != nil || !allowedUpstreams[u.Hostname()] {\n\treturn fmt.Errorf(\"metrics upstream %q not allowed\", u.Hostname())\n}\n"},
			},
			References: []string{"https://developer.mozilla.org/en-US/docs/Web/Security/Subdomain_takeovers"},
		},
	},
	{
		ID: RuleDanglingDestination, Title: "Outbound host whose DNS dangles", Category: finding.CatDNS,
		OWASP: "API10:2023", CWE: "CWE-350", Severity: finding.High,
		Description: "A host the code or its configuration calls has DNS that points at something that does not exist (a dangling CNAME, a lame delegation) " +
			"or that anyone can claim. Traffic to it, and anything it returns, is in the hands of whoever takes the name.",
		Remediation: finding.Remediation{
			Summary: "Delete or repoint the DNS record, or remove the host from the code and configuration if the service is gone.",
			Snippets: []finding.Snippet{
				{Lang: "python-flask", Code: "# remove the decommissioned upstream from config.py and the deployment's environment\n# METRICS_URL = \"https://metrics.old.example.com\"\n"},
				{Lang: "node", Code: "// drop the stale default: a missing setting should fail at start-up\nconst METRICS_URL = required('METRICS_URL');\n"},
				{Lang: "go", Code: "metricsURL := os.Getenv(\"METRICS_URL\")\nif metricsURL == \"\" {\n\tlog.Fatal(\"METRICS_URL is required\") // no stale built-in default\n}\n"},
			},
		},
	},
	{
		ID: RuleTLSVerifyDisabled, Title: "TLS certificate verification disabled", Category: finding.CatEncryption,
		OWASP: "API8:2023", CWE: "CWE-295", Severity: finding.High,
		Description: "An outbound client skips certificate verification (verify=False, InsecureSkipVerify, rejectUnauthorized: false, NODE_TLS_REJECT_UNAUTHORIZED=0): " +
			"anyone on the path can impersonate the upstream and read the credentials sent to it.",
		Remediation: finding.Remediation{
			Summary: "Keep verification on; to trust a private CA, give the client that CA instead of turning checks off.",
			Snippets: []finding.Snippet{
				{Lang: "python-flask", Code: "requests.get(url, timeout=5, verify=\"/etc/ssl/internal-ca.pem\")  # not verify=False\n"},
				{Lang: "node", Code: "const agent = new https.Agent({ ca: fs.readFileSync('internal-ca.pem') }); // not rejectUnauthorized: false\n"},
				{Lang: "go", Code: "pool := x509.NewCertPool()\npool.AppendCertsFromPEM(caPEM)\ntr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}} // not InsecureSkipVerify\n"},
			},
		},
	},
	{
		ID: RuleNoTimeout, Title: "Outbound call without a timeout", Category: finding.CatUnsafeConsumption,
		OWASP: "API10:2023", CWE: "CWE-1088", Severity: finding.Medium,
		Description: "An HTTP call is made with a library that waits for ever by default (requests, axios, got, Go's http.DefaultClient) and no timeout is set: " +
			"a slow or hostile upstream ties up the worker, and enough of them take the service down.",
		Remediation: finding.Remediation{
			Summary: "Set a timeout on every outbound call, or on the client all calls go through.",
			Snippets: []finding.Snippet{
				{Lang: "python-flask", Code: "resp = requests.post(url, json=payload, headers=headers, timeout=(3.05, 10))\n"},
				{Lang: "node", Code: "const api = axios.create({ baseURL, timeout: 10_000 });\n// fetch: fetch(url, { signal: AbortSignal.timeout(10_000) })\n"},
				{Lang: "go", Code: "client := &http.Client{Timeout: 10 * time.Second} // never http.Get / http.DefaultClient\n"},
			},
		},
	},
	{
		ID: RuleHardcodedSecret, Title: "Credential written in source or configuration", Category: finding.CatDataExposure,
		OWASP: "API8:2023", CWE: "CWE-798", Severity: finding.High,
		Description: "A token, API key or password is written literally into a file that is committed. Everyone with read access to the repository " +
			"(and every copy of it) has the credential. The report shows only a short fingerprint of the value.",
		Remediation: finding.Remediation{
			Summary: "Rotate the credential, remove it from the file (and the history), and read it from the environment or a secret manager.",
			Snippets: []finding.Snippet{
				{Lang: "python-flask", Code: "app.config[\"API_TOKEN\"] = os.environ[\"API_TOKEN\"]  # injected at deploy time\n"},
				{Lang: "node", Code: "const token = process.env.API_TOKEN;\nif (!token) throw new Error('API_TOKEN is not set');\n"},
				{Lang: "go", Code: "token := os.Getenv(\"API_TOKEN\")\nif token == \"\" {\n\treturn errors.New(\"API_TOKEN is not set\")\n}\n"},
			},
		},
	},
	{
		ID: RuleCredentialsOverHTTP, Title: "Credentials sent over plain http://", Category: finding.CatEncryption,
		OWASP: "API8:2023", CWE: "CWE-319", Severity: finding.High,
		Description: "A call that carries a credential goes to an http:// URL: the token crosses the network in clear text.",
		Remediation: finding.Remediation{
			Summary: "Use https:// for every URL that receives a credential.",
			Snippets: []finding.Snippet{
				{Lang: "python-flask", Code: "BILLING_URL = \"https://billing.example.com/charge\"  # not http://\n"},
				{Lang: "node", Code: "if (new URL(url).protocol !== 'https:') throw new Error('refusing to send credentials over http');\n"},
				{Lang: "go", Code: "if u.Scheme != \"https\" {\n\treturn errors.New(\"refusing to send credentials over http\")\n}\n"},
			},
		},
	},
	{
		ID: RuleDestinationFromInput, Title: "Outbound URL taken from user input without an allow-list", Category: finding.CatSSRF,
		OWASP: "API7:2023", CWE: "CWE-918", Severity: finding.High,
		Description: "The host of an outbound call comes from the request being served (a query parameter, a form field, a JSON body) and the code " +
			"does not check it against a list: server-side request forgery, and with a credential attached, the credential goes wherever the caller says.",
		Remediation: finding.Remediation{
			Summary: "Check the parsed host against an allow-list before calling it, and never attach credentials to a caller-chosen URL.",
			Snippets: []finding.Snippet{
				{Lang: "python-flask", Code: "target = request.args.get(\"url\", \"\")\nif urlparse(target).hostname not in ALLOWED_HOSTS:\n    abort(400)\n"},
				{Lang: "node", Code: "const u = new URL(req.query.url);\nif (!ALLOWED_HOSTS.has(u.hostname)) return res.sendStatus(400);\n"},
				{Lang: "go", Code: "u, err := url.Parse(r.URL.Query().Get(\"url\"))\nif err != nil || !allowedHosts[u.Hostname()] {\n\thttp.Error(w, \"host not allowed\", http.StatusBadRequest)\n\treturn\n}\n"},
			},
		},
	},
	{
		ID: RuleDestinationFromEnv, Title: "Credentials sent to a host taken from the environment without an allow-list", Category: finding.CatUnsafeConsumption,
		OWASP: "API10:2023", CWE: "CWE-441", Severity: finding.Low,
		Description: "A call that carries a credential takes its host from an environment variable and nothing checks it: a wrong or stale deployment setting " +
			"sends the token to whatever host the variable names.",
		Remediation: finding.Remediation{
			Summary: "Validate configured upstream hosts at start-up against the hosts the service is meant to call.",
			Snippets: []finding.Snippet{
				{Lang: "python-flask", Code: "METRICS_URL = os.environ[\"METRICS_URL\"]\nif urlparse(METRICS_URL).hostname not in ALLOWED_UPSTREAMS:\n    raise RuntimeError(\"METRICS_URL host not allowed\")\n"},
				{Lang: "node", Code: "const metrics = new URL(process.env.METRICS_URL);\nif (!ALLOWED_UPSTREAMS.has(metrics.hostname)) throw new Error('METRICS_URL host not allowed');\n"},
				{Lang: "go", Code: "if !allowedUpstreams[u.Hostname()] {\n\tlog.Fatalf(\"METRICS_URL host %q not allowed\", u.Hostname())\n}\n"},
			},
		},
	},
	{
		ID: RuleAuthRedirect, Title: "Authorization forwarded when following redirects", Category: finding.CatUnsafeConsumption,
		OWASP: "API10:2023", CWE: "CWE-522", Severity: finding.High,
		Description: "The code puts the credential on a redirected request whatever host it goes to: it follows Location by hand with the same headers, " +
			"overrides requests' rebuild_auth/should_strip_auth, or sets Authorization in a CheckRedirect/beforeRedirect hook. An upstream that redirects " +
			"(or is made to) hands the token to another host.",
		Remediation: finding.Remediation{
			Summary: "Let the library strip credentials on cross-host redirects; if you follow redirects yourself, re-attach the credential only to the same origin.",
			Snippets: []finding.Snippet{
				{Lang: "python-flask", Code: "nxt = urljoin(resp.url, resp.headers[\"Location\"])\nsame = urlparse(nxt).netloc == urlparse(resp.url).netloc\nresp = requests.get(nxt, headers=auth if same else {}, timeout=5)\n"},
				{Lang: "node", Code: "const next = new URL(res.headers.get('location'), url);\nconst headers = next.origin === new URL(url).origin ? auth : {};\n"},
				{Lang: "go", Code: "CheckRedirect: func(req *http.Request, via []*http.Request) error {\n\tif req.URL.Host != via[0].URL.Host {\n\t\treq.Header.Del(\"Authorization\")\n\t}\n\treturn nil\n},\n"},
			},
		},
	},
}
