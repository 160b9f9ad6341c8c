package netx

import (
	"errors"
	"net/netip"
	"testing"
)

func TestRefusePrivate(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"127.0.0.1", "127.9.9.9", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
		"100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "::", "fe80::1", "fc00::1", "fd12::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
		"64:ff9b::7f00:1", "198.18.0.1", "255.255.255.255"} {
		if err := RefusePrivate(netip.MustParseAddr(s)); !errors.Is(err, ErrPrivateAddress) {
			t.Errorf("%s allowed", s)
		}
	}
	for _, s := range []string{"8.8.8.8", "1.1.1.1", "93.184.215.14", "2606:4700::1111", "172.32.0.1", "11.0.0.1"} {
		if err := RefusePrivate(netip.MustParseAddr(s)); err != nil {
			t.Errorf("%s refused: %v", s, err)
		}
	}
}
