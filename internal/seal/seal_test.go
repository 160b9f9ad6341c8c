package seal

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{7}, KeySize)
	b, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte(`{"bearer":"tok-123456"}`)
	sealed, err := b.Seal(secret, "target:t1")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("tok-123456")) {
		t.Fatal("sealed value holds the plaintext")
	}
	again, _ := b.Seal(secret, "target:t1")
	if bytes.Equal(sealed, again) {
		t.Error("two seals of one value are equal: nonce reused")
	}
	if got, err := b.Open(sealed, "target:t1"); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := b.Open(sealed, "target:t2"); !errors.Is(err, ErrOpen) {
		t.Errorf("opened under another record's context: %v", err)
	}
	other, _ := New(bytes.Repeat([]byte{8}, KeySize))
	if _, err := other.Open(sealed, "target:t1"); !errors.Is(err, ErrOpen) {
		t.Errorf("opened with another key: %v", err)
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	if _, err := b.Open(tampered, "target:t1"); !errors.Is(err, ErrOpen) {
		t.Errorf("opened a tampered value: %v", err)
	}
	for _, bad := range [][]byte{nil, {1}, {2, 0, 0}} {
		if _, err := b.Open(bad, "target:t1"); !errors.Is(err, ErrOpen) {
			t.Errorf("open(%v): %v", bad, err)
		}
	}
}

func TestLoadKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "plumb.db.key")
	k1, created, err := LoadKey("", file)
	if err != nil || !created || len(k1) != KeySize {
		t.Fatalf("create: %v %v %d", created, err, len(k1))
	}
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	k2, created, err := LoadKey("", file)
	if err != nil || created || !bytes.Equal(k1, k2) {
		t.Fatalf("reload: %v %v", created, err)
	}
	if err := os.Chmod(file, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadKey("", file); err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Errorf("world-readable key file accepted: %v", err)
	}
	env := strings.Repeat("ab", KeySize)
	if k, _, err := LoadKey(env, file); err != nil || k[0] != 0xab {
		t.Errorf("env key: %v", err)
	}
	if _, _, err := LoadKey("short", file); err == nil {
		t.Error("a short PLUMB_SECRET_KEY was accepted")
	}
	if _, _, err := LoadKey("", ""); err == nil {
		t.Error("no key and no key file gave no error")
	}
}
