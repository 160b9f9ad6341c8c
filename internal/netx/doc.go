// Package netx is the only way plumb reaches the network: a miekg/dns
// resolver with typed, truthful errors; pinned dialing through that resolver
// (with curl-style connect-to overrides); an HTTP client that keeps
// credentials in scope, bounds every request, and records redacted evidence.
//
// Nothing in plumb may use net.DefaultResolver, http.DefaultClient or an
// environment proxy: every name is resolved once here and the connection goes
// to the address that was checked (ARCHITECTURE.md invariants 1, 2, 4, 5, 8).
package netx
