package lab

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"testing"
)

func TestTLSCertificates(t *testing.T) {
	t.Parallel()
	w := startWorld(t)
	dial, err := connectDialer(w.ConnectTo)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		host  string
		check func(error) bool
		want  string
	}{
		{"api.vulnshop.test", func(err error) bool { return err == nil }, "success"},
		{"api.cleanshop.test", func(err error) bool { return err == nil }, "success"},
		{"collector.evil.test", func(err error) bool { return err == nil }, "success"},
		{"expired.vulnshop.test", func(err error) bool {
			var e x509.CertificateInvalidError
			return errors.As(err, &e) && e.Reason == x509.Expired
		}, "x509 expired"},
		{"wrongname.vulnshop.test", func(err error) bool {
			var e x509.HostnameError
			return errors.As(err, &e) && e.Certificate.DNSNames[0] == wrongCertName
		}, "x509 hostname mismatch"},
		{"selfsigned.vulnshop.test", func(err error) bool {
			var e x509.UnknownAuthorityError
			return errors.As(err, &e)
		}, "x509 unknown authority"},
		{"unknown.vulnshop.test", func(err error) bool {
			// The server aborts with an alert; the client verified nothing.
			var e *tls.CertificateVerificationError
			return err != nil && !errors.As(err, &e)
		}, "a server-side handshake failure (no certificate for the name)"},
	}
	for _, tc := range cases {
		t.Run(tc.host, func(t *testing.T) {
			t.Parallel()
			raw, err := dial(context.Background(), "tcp", tc.host+":443")
			if err != nil {
				t.Fatal(err)
			}
			conn := tls.Client(raw, &tls.Config{ServerName: tc.host, RootCAs: w.CAPool})
			defer conn.Close()
			err = conn.HandshakeContext(context.Background())
			if !tc.check(err) {
				t.Fatalf("handshake: %v; want %s", err, tc.want)
			}
		})
	}
}

func TestCAExport(t *testing.T) {
	t.Parallel()
	w := startWorld(t)
	block, _ := pem.Decode(w.CACertPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatal("CACertPEM is not a PEM certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if !cert.IsCA || cert.PublicKeyAlgorithm != x509.ECDSA {
		t.Errorf("CA: IsCA=%v alg=%v", cert.IsCA, cert.PublicKeyAlgorithm)
	}
}
