package lab

import (
	"fmt"
	"strings"
)

// zoneData is the lab's DNS, one entry per zone, in zone-file syntax with
// names relative to the origin. To add a record, add a line; to add a zone,
// add an entry (with an SOA). Names that a check should find dangling point
// at cloud names that the cloud zones below do not hold.
var zoneData = []struct {
	origin  string
	records []string
}{
	{"vulnshop.test.", []string{
		soaLine("vulnshop.test."),
		"@ NS ns1.vulnshop.test.",
		"ns1 A 127.0.0.1",
		"api A 127.0.0.1",
		"docs A 127.0.0.1",
		"www CNAME api.vulnshop.test.",
		// Dangling: the cloud apps these point at were deleted.
		"legacy-api CNAME vulnshop-legacy.azurewebsites.net.",
		"avatars CNAME vulnshop-avatars.azurewebsites.net.", // the GraphQL API's avatar CDN (named in answers)
		"login CNAME vulnshop-login.azurewebsites.net.",     // the OAuth token URL
		"metrics CNAME vulnshop-metrics.azurewebsites.net.",
		"keys CNAME vulnshop-keys.azurewebsites.net.",       // the OIDC jwks_uri
		"preview CNAME vulnshop-preview.azurewebsites.net.", // an allowed CORS origin
		// Named only when the API is pushed (vuln_provoke.go): an upstream
		// in a traceback that gets callers' tokens, and a CORS origin and a
		// JWKS host in an undocumented settings dump.
		"insights CNAME vulnshop-insights.azurewebsites.net.",
		"partners CNAME vulnshop-partners.azurewebsites.net.",
		"sso-keys CNAME vulnshop-sso-keys.azurewebsites.net.",
		"app A 127.0.0.1", // the settings dump's healthy hosts
		"db A 127.0.0.1",
		"cache A 127.0.0.1",
		"queue A 127.0.0.1",
		"hooks A 127.0.0.1",
		// TLS failures for later checks; each serves a 200 page.
		"expired A 127.0.0.1",
		"wrongname A 127.0.0.1",
		"selfsigned A 127.0.0.1",
		"legacytls A 127.0.0.1",
		// DNS behaviours (see builtinBehaviours); they need to exist.
		"servfail A 127.0.0.1",
		"timeout A 127.0.0.1",
		"@ MX 10 mail.vulnshop.test.",
		"mail A 127.0.0.1",
		`@ TXT "v=spf1 -all"`,
		"ipv6 AAAA ::1",
	}},
	{"cleanshop.test.", []string{
		soaLine("cleanshop.test."),
		"@ NS ns1.cleanshop.test.",
		"ns1 A 127.0.0.1",
		"api A 127.0.0.1",
		"auth A 127.0.0.1",
		"docs A 127.0.0.1",
		"app A 127.0.0.1",
		// A healthy CNAME into a cloud app that exists (plumb code's clean fixtures call it).
		"metrics CNAME cleanshop-app.azurewebsites.net.",
	}},
	{"signalshop.test.", []string{
		soaLine("signalshop.test."),
		"@ NS ns1.signalshop.test.",
		"ns1 A 127.0.0.1",
		"api A 127.0.0.1",
	}},
	{"signalclean.test.", []string{
		soaLine("signalclean.test."),
		"@ NS ns1.signalclean.test.",
		"ns1 A 127.0.0.1",
		"api A 127.0.0.1",
	}},
	{"hostile.test.", []string{
		soaLine("hostile.test."),
		"@ NS ns1.hostile.test.",
		"ns1 A 127.0.0.1",
		"api A 127.0.0.1",
		"hang A 127.0.0.1",
		"bomb A 127.0.0.1",
		"bigspec A 127.0.0.1",
		"lying A 127.0.0.1",
		"garbage A 127.0.0.1",
	}},
	{"evil.test.", []string{
		soaLine("evil.test."),
		"@ NS ns1.evil.test.",
		"ns1 A 127.0.0.1",
		"collector A 127.0.0.1",
	}},
	// Cloud zones: only claimed app names exist; everything else is NXDOMAIN,
	// which is what makes the CNAMEs above dangling.
	{"azurewebsites.net.", []string{
		soaLine("azurewebsites.net."),
		"@ NS ns1.azurewebsites.net.",
		"ns1 A 127.0.0.1",
		"cleanshop-app A 127.0.0.1",
	}},
	{"herokuapp.com.", []string{
		soaLine("herokuapp.com."),
		"@ NS ns1.herokuapp.com.",
		"ns1 A 127.0.0.1",
		"cleanshop-web A 127.0.0.1",
	}},
}

// bigTXTRecords is how many TXT records big.vulnshop.test has: enough that
// the answer (~3 KB) overflows 512 bytes and the common 1232-byte EDNS
// buffer, so UDP answers are truncated and TCP gives everything.
const bigTXTRecords = 30

func soaLine(origin string) string {
	return fmt.Sprintf("@ 300 IN SOA ns1.%s hostmaster.%s 2024010101 3600 600 86400 60", origin, origin)
}

// builtinBehaviours are the names that misbehave on purpose.
func builtinBehaviours() map[string]Behaviour {
	return map[string]Behaviour{
		"servfail.vulnshop.test.": BehaviourServfail,
		"timeout.vulnshop.test.":  BehaviourTimeout,
		"lying.hostile.test.":     BehaviourLyingCount,
	}
}

func builtinZones() ([]Zone, error) {
	zones := make([]Zone, 0, len(zoneData))
	for _, zd := range zoneData {
		lines := zd.records
		if zd.origin == "vulnshop.test." {
			lines = append(lines[:len(lines):len(lines)], bigTXT()...)
		}
		z, err := ParseZone(zd.origin, lines...)
		if err != nil {
			return nil, err
		}
		zones = append(zones, z)
	}
	return zones, nil
}

func bigTXT() []string {
	out := make([]string, bigTXTRecords)
	for i := range out {
		out[i] = fmt.Sprintf(`big TXT "record-%02d-%s"`, i, strings.Repeat("x", 80))
	}
	return out
}
