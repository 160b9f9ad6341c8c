// Package labscan points scans at the in-process lab exactly as a user
// would point them at a real host: --resolver, --connect-to, --cacert and a
// credential. plumb demo uses it, and so does the test kit (labtest).
package labscan

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/netx"
)

// Rate is the per-host request rate used against the lab (--rate).
const Rate = 500

// Options returns engine options that reach the lab through its DNS server
// and connect-to rules, trusting its CA, with token as identity A ("" for
// none).
func Options(w *lab.World, token string) (engine.Options, error) {
	var cts []netx.ConnectTo
	for _, c := range w.ConnectTo {
		ct, err := netx.ParseConnectTo(c)
		if err != nil {
			return engine.Options{}, fmt.Errorf("lab connect-to %q: %w", c, err)
		}
		cts = append(cts, ct)
	}
	port, err := strconv.ParseUint(w.AuthorityPort, 10, 16)
	if err != nil {
		return engine.Options{}, fmt.Errorf("lab authority port %q: %w", w.AuthorityPort, err)
	}
	o := engine.Options{
		Resolvers: []string{w.DNSAddr}, ConnectTo: cts, RootCAs: w.CAPool,
		// The lab is on loopback and built for it: no need for the polite
		// default rate a real target gets.
		Rate: Rate,
		// The lab plays the root and TLD servers, so delegation walks stay on loopback.
		DNSAudit: check.DNSAuditConfig{Roots: []string{w.RootAddr}, AuthorityPort: uint16(port)},
	}
	if token != "" {
		o.Credentials = http.Header{"Authorization": {"Bearer " + token}}
	}
	return o, nil
}
