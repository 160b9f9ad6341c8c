// Package jwt holds checks of JSON Web Tokens the API issues or accepts:
// what their claims say (passive), whether their HMAC secret is guessable
// (offline), and whether the API accepts forged tokens (active, through
// the bearer calibration oracle).
package jwt

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// maxTokenLen bounds what Parse accepts; real tokens are a few KiB.
const maxTokenLen = 64 << 10

// Token is a decoded compact JWS. Nothing is verified.
type Token struct {
	Raw     string
	Parts   [3]string // base64url header, payload, signature
	Header  map[string]any
	Claims  map[string]any
	Source  string // where plumb got it: "credential" or "response"
	sigSize int
}

// Parse decodes a compact JWS (header.payload.signature, base64url, JSON
// objects). It returns an error for anything else.
func Parse(raw string) (*Token, error) {
	if len(raw) > maxTokenLen {
		return nil, errors.New("jwt: token too long")
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("jwt: %d segments, want 3", len(parts))
	}
	t := &Token{Raw: raw, Parts: [3]string{parts[0], parts[1], parts[2]}}
	var err error
	if t.Header, err = decodeObject(parts[0]); err != nil {
		return nil, fmt.Errorf("jwt header: %w", err)
	}
	if t.Claims, err = decodeObject(parts[1]); err != nil {
		return nil, fmt.Errorf("jwt claims: %w", err)
	}
	sig, err := b64(parts[2])
	if err != nil {
		return nil, fmt.Errorf("jwt signature: %w", err)
	}
	t.sigSize = len(sig)
	if _, ok := t.Header["alg"].(string); !ok {
		return nil, errors.New("jwt: header has no alg")
	}
	return t, nil
}

func b64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

func decodeObject(s string) (map[string]any, error) {
	b, err := b64(s)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("not a JSON object")
	}
	return m, nil
}

// Alg is the header's alg.
func (t *Token) Alg() string { s, _ := t.Header["alg"].(string); return s }

// SigningInput is what the signature covers: header.payload.
func (t *Token) SigningInput() string { return t.Parts[0] + "." + t.Parts[1] }

// NumericClaim returns a NumericDate claim (exp, iat, nbf) in seconds.
func (t *Token) NumericClaim(name string) (int64, bool) {
	switch v := t.Claims[name].(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n, true
		}
		if f, err := v.Float64(); err == nil {
			return int64(f), true
		}
	}
	return 0, false
}

// HeaderJSON and ClaimsJSON render the decoded parts for evidence, with
// sorted keys.
func (t *Token) HeaderJSON() string { return compactJSON(t.Header) }

// ClaimsJSON renders the claims for evidence.
func (t *Token) ClaimsJSON() string { return compactJSON(t.Claims) }

func compactJSON(m map[string]any) string {
	b, err := json.Marshal(m)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// encodeSegment base64url-encodes a JSON object.
func encodeSegment(m map[string]any) string {
	b, _ := json.Marshal(m) // maps of decoded JSON always marshal
	return base64.RawURLEncoding.EncodeToString(b)
}

// withHeader returns a copy of the header with changes applied (a nil
// value deletes the key).
func (t *Token) withHeader(changes map[string]any) map[string]any {
	h := make(map[string]any, len(t.Header)+len(changes))
	for k, v := range t.Header {
		h[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(h, k)
		} else {
			h[k] = v
		}
	}
	return h
}
