package lab

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// CertKind says which certificate a site presents over TLS.
type CertKind int

const (
	// CertValid is issued by the lab CA for the site's name.
	CertValid CertKind = iota
	// CertExpired is issued by the lab CA but expired yesterday.
	CertExpired
	// CertWrongName is issued by the lab CA for another name.
	CertWrongName
	// CertSelfSigned is valid for the name but signed by itself.
	CertSelfSigned
	// CertNone: the site is not served over TLS at all.
	CertNone
)

// wrongCertName is the name on CertWrongName certificates.
const wrongCertName = "not-this-host.vulnshop.test"

type ca struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
}

func newCA(now time.Time) (*ca, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: "plumb lab CA", Organization: []string{"plumb lab"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &ca{cert: cert, key: key, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

func (c *ca) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c.cert)
	return p
}

// leaf issues a server certificate for host of the given kind.
func (c *ca) leaf(host string, kind CertKind, now time.Time) (*tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	name := host
	notBefore, notAfter := now.Add(-time.Hour), now.Add(90*24*time.Hour)
	switch kind {
	case CertExpired:
		notBefore, notAfter = now.Add(-91*24*time.Hour), now.Add(-24*time.Hour)
	case CertWrongName:
		name = wrongCertName
	}
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: name},
		DNSNames:     []string{name},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	parent, signer := c.cert, c.key
	if kind == CertSelfSigned {
		parent, signer = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		return nil, fmt.Errorf("issue %s: %w", host, err)
	}
	chain := [][]byte{der}
	if kind != CertSelfSigned {
		chain = append(chain, c.cert.Raw)
	}
	return &tls.Certificate{Certificate: chain, PrivateKey: key}, nil
}

func randomSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return big.NewInt(time.Now().UnixNano()) // crypto/rand does not fail on Linux
	}
	return n
}

// certStore picks a certificate by SNI: exact name, then a wildcard one
// label up (so later cloud responders can use *.azurewebsites.net).
type certStore map[string]*tls.Certificate

func (s certStore) get(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	name := strings.ToLower(strings.TrimSuffix(hello.ServerName, "."))
	if c, ok := s[name]; ok {
		return c, nil
	}
	if i := strings.IndexByte(name, '.'); i > 0 {
		if c, ok := s["*"+name[i:]]; ok {
			return c, nil
		}
	}
	return nil, fmt.Errorf("lab: no certificate for %q", hello.ServerName)
}
