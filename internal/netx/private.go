package netx

import (
	"errors"
	"fmt"
	"net/netip"
)

// ErrPrivateAddress is what RefusePrivate returns.
var ErrPrivateAddress = errors.New("loopback, private, link-local and other non-public addresses are refused (plumb serve --allow-private-targets allows them)")

// nonPublic are ranges a server must not be steered into reaching beyond
// what netip classifies: shared address space (RFC 6598), "this network",
// benchmarking (RFC 2544), IETF protocol assignments, the documentation
// ranges and the IPv4/IPv6 translation prefixes that can reach them.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// RefusePrivate returns ErrPrivateAddress for addresses that are not
// public unicast: loopback, private, link-local, multicast, unspecified and
// the special ranges above. It is the AllowAddr of plumb serve.
func RefusePrivate(a netip.Addr) error {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return fmt.Errorf("%s: %w", a, ErrPrivateAddress)
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return fmt.Errorf("%s: %w", a, ErrPrivateAddress)
		}
	}
	return nil
}
