package cli

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/engine"
)

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// a pool that trusts it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "plumb serve test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(2 * 365 * 24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kd, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// plumb scanning its own server, with its OpenAPI document and an API
// key, every check of the catalog, as docs/server.md says: over HTTPS
// (--tls-cert) grade A with no finding; over plain HTTP (the default)
// grade C, for the one finding encryption.plain-http.
func TestServeScansItself(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t)
	for _, c := range []struct {
		name  string
		args  []string
		grade string
		found []string // every finding, "severity id"
	}{
		{"https", []string{"--tls-cert", certFile, "--tls-key", keyFile}, "A", nil},
		{"plain-http", nil, "C", []string{"high encryption.plain-http"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := startServe(t, nil, append([]string{"--db", "sqlite:" + t.TempDir() + "/plumb.db", "--dns-root", "none"}, c.args...)...)
			base := s.url
			o := engine.Options{RootCAs: pool, Rate: 200, Checks: serveChecks(), Version: "test",
				Credentials: http.Header{"Authorization": {"Bearer " + testAPIKey}}}
			rep, err := engine.Scan(context.Background(), engine.Target{URL: base, Spec: base + "/api/v1/openapi.json"}, o)
			if err != nil {
				t.Fatalf("scan: %v", err)
			}
			if rep.Spec.Operations < 20 {
				t.Errorf("the scan imported %d operations from the server's own document", rep.Spec.Operations)
			}
			var found []string
			for _, f := range rep.Findings {
				found = append(found, f.Severity.String()+" "+f.ID)
				t.Logf("%s %s at %s: %s", f.Severity, f.ID, f.Location, f.Evidence.Summary)
			}
			slices.Sort(found)
			if !slices.Equal(found, c.found) {
				t.Errorf("findings: %q, want %q", found, c.found)
			}
			if rep.Grade != c.grade {
				t.Errorf("plumb serve scanned by plumb: grade %s (score %d), want %s", rep.Grade, rep.Score, c.grade)
			}
			for _, e := range rep.Errors {
				t.Logf("scan error: %s: %s", e.Stage, e.Message)
			}
			t.Logf("grade %s, score %d, %d requests, %d findings", rep.Grade, rep.Score, rep.Requests.HTTP, len(rep.Findings))
		})
	}
}
