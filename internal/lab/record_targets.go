package lab

// Records whose targets route mail, services and trust elsewhere: each
// flawed name under vulnshop.test has a healthy twin under cleanshop.test.
// UnregisteredDom is never registered, so whoever buys it receives what
// the record sends there.
const (
	SPFRotHost  = "news.vulnshop.test"       // SPF include: under UnregisteredDom; its _dmarc rua too
	SPFOKHost   = "news.cleanshop.test"      // SPF include: and rua in its own domain
	SRVRotHost  = "_sip._tcp.vulnshop.test"  // SRV target under UnregisteredDom
	SRVOKHost   = "_sip._tcp.cleanshop.test" // SRV target that exists
	SRVGoneHost = "_xmpp._tcp.vulnshop.test" // SRV target in a registered domain that does not exist
	CAARotHost  = "ca.vulnshop.test"         // CAA issuer domain under UnregisteredDom
	CAAOKHost   = "ca.cleanshop.test"        // CAA issuer domain that is registered
	// SearchOnlyName does not exist, but appending the search domain
	// SearchDomain gives a name that does.
	SearchOnlyName = "metrics.internal"
	SearchDomain   = "vulnshop.test"
)

// targetRecords are added to the main lab zones.
var targetRecords = []string{
	SPFRotHost + `. TXT "v=spf1 ip4:192.0.2.0/24 include:spf.` + UnregisteredDom + ` ~all"`,
	SPFRotHost + ". A 127.0.0.1",
	"_dmarc." + SPFRotHost + `. TXT "v=DMARC1; p=none; rua=mailto:agg@reports.` + UnregisteredDom + `; ruf=mailto:forensic@vulnshop.test"`,
	SPFOKHost + `. TXT "v=spf1 include:_spf.cleanshop.test redirect=_spf.cleanshop.test"`,
	SPFOKHost + ". A 127.0.0.1",
	"_spf.cleanshop.test. TXT \"v=spf1 ip4:192.0.2.0/24 -all\"",
	"_dmarc." + SPFOKHost + `. TXT "v=DMARC1; p=reject; rua=mailto:dmarc@cleanshop.test"`,
	SRVRotHost + ". SRV 10 5 5060 sip." + UnregisteredDom + ".",
	SRVOKHost + ". SRV 10 5 5060 sip.cleanshop.test.",
	"sip.cleanshop.test. A 127.0.0.1",
	SRVGoneHost + ". SRV 10 5 5222 xmpp-gone.vulnshop.test.",
	CAARotHost + `. CAA 0 issue "pki.` + UnregisteredDom + `"`,
	CAARotHost + ". A 127.0.0.1",
	CAAOKHost + `. CAA 0 issue "pki.cleanshop.test; validationmethods=dns-01"`,
	CAAOKHost + ". A 127.0.0.1",
	"mail.cleanshop.test. A 127.0.0.1",
	SearchOnlyName + "." + SearchDomain + ". A 127.0.0.1",
}

// scenarioZones are main lab zones of the record-target scenarios.
func scenarioZones() ([]Zone, error) {
	var out []Zone
	for _, z := range []struct {
		origin string
		lines  []string
	}{
		{MailRotZone + ".", []string{"@ NS ns1", "ns1 A 127.0.0.1", "www A 127.0.0.1", "@ MX 10 mx." + UnregisteredDom + "."}},
		{MailOKZone + ".", []string{"@ NS ns1", "ns1 A 127.0.0.1", "www A 127.0.0.1", "@ MX 10 mail.cleanshop.test."}},
		{NSRotZone + ".", []string{"@ NS ns1", "@ NS ns9." + UnregisteredDom + ".", "ns1 A 127.0.0.1", "www A 127.0.0.1"}},
	} {
		zone, err := ParseZone(z.origin, append([]string{soaLine(z.origin)}, z.lines...)...)
		if err != nil {
			return nil, err
		}
		out = append(out, zone)
	}
	return out, nil
}
