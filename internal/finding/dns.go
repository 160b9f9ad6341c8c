package finding

// DNSStatus is plumb's one verdict on a host name's DNS: what `plumb dns`
// prints per name and what a scan's host graph shows per host. It lives
// here, next to the DNS evidence (DNSAnswer), so the DNS audit and the host
// graph share it without importing each other.
type DNSStatus string

// DNS statuses. The audit of a name (dnsaudit) ends in ok, dangling,
// vulnerable, unresolved or error; the host graph adds what only a scan
// knows: unknown (not audited), nodata (resolves to no address) and
// skipped (an IP literal).
const (
	DNSUnknown    DNSStatus = ""           // not audited
	DNSOK         DNSStatus = "ok"         // resolves and nothing dangles
	DNSNoData     DNSStatus = "nodata"     // the name exists but has no address
	DNSDangling   DNSStatus = "dangling"   // points at something that does not exist or answer; takeover not established
	DNSVulnerable DNSStatus = "vulnerable" // anyone can claim the name (or what it points at)
	DNSUnresolved DNSStatus = "unresolved" // the name itself does not exist (NXDOMAIN) and points nowhere
	DNSError      DNSStatus = "error"      // could not be determined (timeout, SERVFAIL, disagreement): never "does not exist"
	DNSSkipped    DNSStatus = "skipped"    // not audited on purpose, e.g. an IP literal
)

// DNSStatuses lists the statuses a report can carry, for its JSON schema.
var DNSStatuses = []DNSStatus{DNSOK, DNSNoData, DNSDangling, DNSVulnerable, DNSUnresolved, DNSError, DNSSkipped}

// Broken reports a status that means the name can send traffic to the
// wrong party or to nowhere: dangling, vulnerable or unresolved.
func (s DNSStatus) Broken() bool {
	return s == DNSDangling || s == DNSVulnerable || s == DNSUnresolved
}
