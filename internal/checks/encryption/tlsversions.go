package encryption

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
)

// probeConfig is a handshake-only client config: the certificate is
// Certificate's business, so it is not verified here.
func probeConfig(minV, maxV uint16, suites []uint16) *tls.Config {
	return &tls.Config{MinVersion: minV, MaxVersion: maxV, CipherSuites: suites,
		InsecureSkipVerify: true, //nolint:gosec // handshake probe only; nothing is sent over it
		NextProtos:         []string{"http/1.1"}}
}

func allSuites() []uint16 {
	var ids []uint16
	for _, cs := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		ids = append(ids, cs.ID)
	}
	return ids
}

// handshakeErr separates "the server refused" (nil: a fact about the
// server) from errors that end the check (budget, cancellation).
func handshakeErr(err error) error {
	if errors.Is(err, netx.ErrBudgetExhausted) || errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// LegacyTLS reports a server that still negotiates TLS 1.0 or 1.1.
type LegacyTLS struct{}

// Meta describes the check.
func (LegacyTLS) Meta() check.Meta {
	return check.Meta{
		ID: "encryption.tls-legacy-protocol", Title: "TLS 1.0 or 1.1 accepted", Category: finding.CatEncryption,
		OWASP: "API8:2023", CWE: "CWE-327", Severity: finding.Medium,
		Description: "Runs one TLS handshake per legacy version (1.0, 1.1) against the target, offering every cipher suite. " +
			"Both versions are deprecated (RFC 8996); a server that still accepts them can be downgraded by an active attacker.",
		Remediation: remedyTLS,
	}
}

// Run does two handshakes.
func (c LegacyTLS) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	if in.Target.Scheme != "https" {
		return nil, nil
	}
	var got []string
	for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
		st, err := in.HTTP.TLSHandshake(ctx, in.Target.String(), probeConfig(v, v, allSuites()))
		if err != nil {
			if fe := handshakeErr(err); fe != nil {
				return nil, fe
			}
			continue
		}
		got = append(got, fmt.Sprintf("%s (negotiated %s)", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite)))
	}
	if len(got) == 0 {
		return nil, nil
	}
	f := check.New(c.Meta(), "The server accepts "+strings.Join(versionsOnly(got), " and "), finding.Location{Host: in.Target.Host})
	f.Confidence = finding.Confirmed
	f.Evidence.Summary = "TLS handshakes limited to one legacy version each completed: " + strings.Join(got, "; ") + "."
	f.Remediation = remedyTLS
	return []finding.Finding{f}, nil
}

func versionsOnly(got []string) []string {
	out := make([]string, len(got))
	for i, g := range got {
		out[i], _, _ = strings.Cut(g, " (")
	}
	return out
}

// maxWeakSuites bounds the handshakes spent enumerating weak suites.
const maxWeakSuites = 4

// WeakCiphers reports cipher suites Go classes as insecure (RC4, 3DES,
// CBC with SHA-256 MACs) that the server agrees to.
type WeakCiphers struct{}

// Meta describes the check.
func (WeakCiphers) Meta() check.Meta {
	return check.Meta{
		ID: "encryption.tls-weak-cipher", Title: "Weak TLS cipher suites accepted", Category: finding.CatEncryption,
		OWASP: "API8:2023", CWE: "CWE-327", Severity: finding.Medium,
		Description: fmt.Sprintf("Offers only the cipher suites crypto/tls lists as insecure (RC4, 3DES, CBC-SHA256) up to "+
			"TLS 1.2 and removes each one the server picks, for at most %d handshakes.", maxWeakSuites),
		Remediation: remedyTLS,
	}
}

// Run enumerates accepted weak suites.
func (c WeakCiphers) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	if in.Target.Scheme != "https" {
		return nil, nil
	}
	var offer []uint16
	for _, cs := range tls.InsecureCipherSuites() {
		offer = append(offer, cs.ID)
	}
	var got []string
	for range maxWeakSuites {
		if len(offer) == 0 {
			break
		}
		st, err := in.HTTP.TLSHandshake(ctx, in.Target.String(), probeConfig(tls.VersionTLS10, tls.VersionTLS12, offer))
		if err != nil {
			if fe := handshakeErr(err); fe != nil {
				return nil, fe
			}
			break
		}
		got = append(got, fmt.Sprintf("%s over %s", tls.CipherSuiteName(st.CipherSuite), tls.VersionName(st.Version)))
		offer = slices.DeleteFunc(offer, func(id uint16) bool { return id == st.CipherSuite })
	}
	if len(got) == 0 {
		return nil, nil
	}
	f := check.New(c.Meta(), fmt.Sprintf("The server accepts %d weak cipher suite(s)", len(got)), finding.Location{Host: in.Target.Host})
	f.Confidence = finding.Confirmed
	f.Evidence.Summary = "Handshakes offering only insecure suites completed with: " + strings.Join(got, "; ") + "."
	f.Remediation = remedyTLS
	return []finding.Finding{f}, nil
}

// selfSigned reports a leaf signed by its own key. CheckSignatureFrom
// would refuse a non-CA parent, so the signature is checked directly.
func selfSigned(c *x509.Certificate) bool {
	return c.Issuer.String() == c.Subject.String() && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

var remedyTLS = finding.Remediation{
	Summary: "Accept TLS 1.2 and 1.3 only, with AEAD cipher suites (AES-GCM, ChaCha20-Poly1305) and ECDHE key exchange.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ssl.TLSVersion.TLSv1_2
ctx.set_ciphers("ECDHE+AESGCM:ECDHE+CHACHA20")
app.run(ssl_context=ctx)  # or in nginx: ssl_protocols TLSv1.2 TLSv1.3;`},
		{Lang: "go", Code: `srv := &http.Server{TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12}} // Go's default suites are all AEAD+ECDHE`},
		{Lang: "node-express", Code: `https.createServer({ key, cert, minVersion: "TLSv1.2" }, app).listen(443);`},
	},
	References: []string{"https://www.rfc-editor.org/rfc/rfc8996", "https://ssl-config.mozilla.org/"},
}
