// Package checks is the explicit registry of every check plumb runs.
// Adding a check means adding it to All; there is no self-registration.
package checks

import (
	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/authentication"
	"github.com/plumbsec/plumb/internal/checks/dns"
	"github.com/plumbsec/plumb/internal/checks/encryption"
	"github.com/plumbsec/plumb/internal/checks/exposure"
	"github.com/plumbsec/plumb/internal/checks/llm"
)

// All returns every check, in catalog order.
func All() []check.Check {
	return []check.Check{
		authentication.Unauthenticated{},
		encryption.PlainHTTP{},
		encryption.NoRedirect{},
		encryption.HSTS{},
		encryption.Certificate{},
		exposure.VersionDisclosure{},
		exposure.NoSniff{},
		exposure.CacheControl{},
		dns.Resolution{},
		llm.Check{},
	}
}
