package jwt

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/netx"
)

// jwksPaths are where APIs commonly publish their keys, on the target's
// origin. The OIDC discovery document's jwks_uri is followed too when it
// is on that origin.
var jwksPaths = []string{"/.well-known/jwks.json", "/jwks.json", "/.well-known/openid-configuration"}

// maxConfusionKeys bounds the RSA keys tried (4 encodings each).
const maxConfusionKeys = 2

// publicKeys fetches the API's JWKS (no credentials) and returns the PEM
// encodings a confused verifier might use as an HMAC secret: SPKI and
// PKCS#1, each with and without the trailing newline. Only for
// asymmetric tokens.
func publicKeys(ctx context.Context, in *check.Input, t *Token) ([][]byte, error) {
	if hmacHash(t.Alg()) != nil || strings.EqualFold(t.Alg(), "none") {
		return nil, nil
	}
	base := *in.Target
	base.RawQuery, base.Fragment = "", ""
	queue := make([]string, 0, len(jwksPaths))
	for _, p := range jwksPaths {
		u := base
		u.Path = p
		queue = append(queue, u.String())
	}
	for i := 0; i < len(queue) && i < 5; i++ {
		resp, err := in.HTTP.Do(ctx, &netx.Request{URL: queue[i]})
		if err != nil {
			if fe := fatalErr(err); fe != nil {
				return nil, fe
			}
			continue
		}
		if resp.StatusCode != http.StatusOK {
			continue
		}
		jwksURI, keys := keyDocument(resp.Body, t)
		if jwksURI != "" && sameOriginURL(in, jwksURI) {
			queue = append(queue, jwksURI)
		}
		if len(keys) > 0 {
			return keys, nil
		}
	}
	return nil, nil
}

// keyDocument reads a JWKS or an OIDC discovery document (untrusted
// input) and returns its jwks_uri and the PEM forms of its RSA keys.
func keyDocument(body []byte, t *Token) (string, [][]byte) {
	var doc struct {
		JWKSURI string `json:"jwks_uri"`
		Keys    []jwk  `json:"keys"`
	}
	if json.Unmarshal(body, &doc) != nil {
		return "", nil
	}
	return doc.JWKSURI, rsaPEMs(doc.Keys, t)
}

type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
}

func rsaPEMs(keys []jwk, t *Token) [][]byte {
	kid, _ := t.Header["kid"].(string)
	var out [][]byte
	n := 0
	for _, k := range keys {
		if k.Kty != "RSA" || (kid != "" && k.Kid != "" && k.Kid != kid) || n == maxConfusionKeys {
			continue
		}
		nb, err1 := b64(k.N)
		eb, err2 := b64(k.E)
		if err1 != nil || err2 != nil || len(nb) == 0 || len(eb) == 0 || len(eb) > 4 {
			continue
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(nb), E: int(new(big.Int).SetBytes(eb).Int64())}
		spki, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			continue
		}
		n++
		for _, blk := range []*pem.Block{{Type: "PUBLIC KEY", Bytes: spki}, {Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(pub)}} {
			p := pem.EncodeToMemory(blk)
			out = append(out, p, []byte(strings.TrimSuffix(string(p), "\n")))
		}
	}
	return out
}
