package jwt

import "github.com/plumbsec/plumb/internal/finding"

var refs = []string{
	"https://www.rfc-editor.org/rfc/rfc8725",
	"https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/",
}

// verifySnippets pin the algorithm and require the claims that matter.
var verifySnippets = []finding.Snippet{
	{Lang: "python-flask", Code: `claims = jwt.decode(
    token, KEY,
    algorithms=["HS256"],                       # never taken from the token
    audience="https://api.example.com", issuer="https://auth.example.com",
    options={"require": ["exp", "iss", "aud"]},
)`},
	{Lang: "go", Code: `tok, err := jwt.Parse(raw, func(*jwt.Token) (any, error) { return key, nil },
	jwt.WithValidMethods([]string{"HS256"}),
	jwt.WithExpirationRequired(),
	jwt.WithIssuer("https://auth.example.com"),
	jwt.WithAudience("https://api.example.com"))`},
	{Lang: "node-express", Code: `const claims = jwt.verify(token, KEY, {
  algorithms: ["HS256"],
  issuer: "https://auth.example.com",
  audience: "https://api.example.com",
});  // throws on a bad signature, alg none or an expired token`},
}

var remedyVerify = finding.Remediation{
	Summary: "Verify every token with a library call that pins the accepted algorithms, requires a non-empty key and " +
		"enforces exp, iss and aud; never decode without verifying and never let the token's header choose the key or algorithm.",
	Snippets:   verifySnippets,
	References: refs,
}

var remedySecret = finding.Remediation{
	Summary: "Rotate to a random HMAC secret of at least 32 bytes from a secret store (or move to an asymmetric algorithm), " +
		"and invalidate every token signed with the old one.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `# python -c 'import secrets; print(secrets.token_urlsafe(48))' > stored in your secret manager
app.config["JWT_KEY"] = os.environ["JWT_KEY"]
assert len(app.config["JWT_KEY"]) >= 32`},
		{Lang: "go", Code: `key := make([]byte, 32)
if _, err := rand.Read(key); err != nil { // or load it from the secret store
	return err
}`},
		{Lang: "node-express", Code: `const KEY = process.env.JWT_KEY; // crypto.randomBytes(48).toString("base64url"), stored in a vault
if (!KEY || KEY.length < 32) throw new Error("JWT_KEY too weak");`},
	},
	References: refs,
}

var remedyClaims = finding.Remediation{
	Summary: "Issue access tokens that expire within an hour, name their issuer and audience, carry only identifiers " +
		"(no secrets or personal data), and verify them against an allowlist of keys rather than header-supplied key URLs.",
	Snippets:   verifySnippets,
	References: refs,
}
