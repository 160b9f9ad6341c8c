package dnsaudit

import (
	"context"
	"fmt"

	"github.com/miekg/dns"
)

// noteCut records the zone cut d that holds name, unless it is a
// registry's zone (above name's registrable domain).
func (rn *run) noteCut(d *delegation, name string) {
	if d == nil || d.zone == "." || len(d.ns) == 0 {
		return
	}
	if reg := registrable(name); reg == "" || !HasSuffixLabel(d.zone, reg) {
		return
	}
	for _, c := range rn.cuts {
		if c.zone == d.zone {
			return
		}
	}
	rn.cuts = append(rn.cuts, d)
}

// noteCutsOf records the zone cut of every name of the chain. An iterative
// walk knows them already (the zone whose servers answered each hop);
// through resolvers they are found from the registrable domain down, each
// zone learned once per run.
func (rn *run) noteCutsOf(ctx context.Context, c *chain) {
	if len(rn.a.opts.Roots) == 0 || rn.a.iterative {
		return
	}
	for i, n := range c.names {
		hint := ""
		if i == len(c.names)-1 && c.final != nil {
			hint = soaZone(c.final.Msg, n) // a negative answer names its zone
		}
		rn.noteCut(rn.cutOf(ctx, n, hint), n)
	}
}

// cutOf returns the delegation of the zone that holds name: the zone a
// negative answer named (hint), else the deepest delegated ancestor of
// name from its registrable domain down. Names under a service namespace
// (no registrable domain) have none, and the zones of registries above
// the registrable domain are not the name owner's.
func (rn *run) cutOf(ctx context.Context, name, hint string) *delegation {
	reg := registrable(name)
	if reg == "" {
		return nil
	}
	if hint != "" && HasSuffixLabel(hint, reg) { // a registry's zone (the TLD) is not the name's
		if e := rn.delegationOf(ctx, hint); e != nil && e.kind == zoneCut {
			return e.deleg
		}
	}
	var best *delegation
	for _, z := range ancestorsFrom(reg, name) {
		e := rn.delegationOf(ctx, z)
		if e == nil || e.kind == zoneFailed {
			// The walk stopped: the zone holding name, and whether its
			// servers serve it, are unknown.
			rn.notAssessed(zoneFailure(z, fmt.Sprintf("the delegation of %s", z), e))
			break
		}
		if e.kind == zoneNX {
			break
		}
		if e.kind == zoneCut {
			best = e.deleg
		}
	}
	return best
}

// ancestorsFrom lists reg and every ancestor of name below it, outermost
// first; name itself only when it is reg.
func ancestorsFrom(reg, name string) []string {
	var out []string
	fq := dns.Fqdn(name)
	for off, end := 0, false; !end; off, end = dns.NextLabel(fq, off) {
		z := normName(fq[off:])
		if off > 0 || z == reg {
			out = append(out, z)
		}
		if z == reg {
			break
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}
