// Package seal encrypts the secrets plumb serve keeps (target credentials,
// webhook signing secrets) with AES-256-GCM. The key comes from
// PLUMB_SECRET_KEY or from a key file (0600) created beside the SQLite
// database; each sealed value is bound to the record it belongs to, so a
// ciphertext copied onto another record does not open.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// KeySize is the key length: AES-256.
const KeySize = 32

// version prefixes every sealed value so the format can change.
const version = 1

// ErrOpen means a sealed value did not decrypt: a different key, or a
// value that was tampered with or moved to another record.
var ErrOpen = errors.New("seal: cannot open sealed value (wrong PLUMB_SECRET_KEY or key file?)")

// Box seals and opens values with one key.
type Box struct{ aead cipher.AEAD }

// New returns a Box over a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("seal: key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext bound to context (e.g. "target:<id>").
func (b *Box) Seal(plaintext []byte, context string) ([]byte, error) {
	nonce := make([]byte, b.aead.NonceSize(), 1+b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out := append([]byte{version}, nonce...)
	return b.aead.Seal(out, nonce, plaintext, []byte(context)), nil
}

// Open decrypts a value sealed for the same context.
func (b *Box) Open(sealed []byte, context string) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < 1+n+b.aead.Overhead() || sealed[0] != version {
		return nil, ErrOpen
	}
	pt, err := b.aead.Open(nil, sealed[1:1+n], sealed[1+n:], []byte(context))
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

// ParseKey reads a key written as 64 hex digits or as base64 (standard or
// URL alphabet, padded or not) of 32 bytes.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if k, err := hex.DecodeString(s); err == nil && len(k) == KeySize {
		return k, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == KeySize {
			return k, nil
		}
	}
	return nil, errors.New("want 32 random bytes as 64 hex digits or base64 (e.g. openssl rand -hex 32)")
}

// LoadKey returns the key from env (PLUMB_SECRET_KEY's value, "" if unset)
// or else from keyFile, creating that file (mode 0600) with a fresh key when
// it does not exist and keyFile is not "". created says a new key was made.
func LoadKey(env, keyFile string) (key []byte, created bool, err error) {
	if env != "" {
		k, err := ParseKey(env)
		if err != nil {
			return nil, false, fmt.Errorf("PLUMB_SECRET_KEY: %w", err)
		}
		return k, false, nil
	}
	if keyFile == "" {
		return nil, false, errors.New("set PLUMB_SECRET_KEY (32 random bytes, hex or base64): with Postgres every server and worker needs the same key")
	}
	data, err := os.ReadFile(keyFile)
	if err == nil {
		if fi, serr := os.Stat(keyFile); serr == nil && fi.Mode().Perm()&0o077 != 0 {
			return nil, false, fmt.Errorf("key file %s is readable by others (mode %v): chmod 600 it", keyFile, fi.Mode().Perm())
		}
		k, err := ParseKey(string(data))
		if err != nil {
			return nil, false, fmt.Errorf("key file %s: %w", keyFile, err)
		}
		return k, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("key file: %w", err)
	}
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, false, err
	}
	f, err := os.OpenFile(keyFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("create key file: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(k) + "\n"); err != nil {
		_ = f.Close()
		return nil, false, fmt.Errorf("write key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, false, fmt.Errorf("write key file: %w", err)
	}
	return k, true, nil
}
