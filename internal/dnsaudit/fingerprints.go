package dnsaudit

import (
	"regexp"
	"strings"
)

// Claimability says whether someone else can re-create a missing name.
type Claimability string

// Claimability values. Unknown is the honest default for unlisted names.
const (
	ClaimUnknown      Claimability = "unknown"
	ClaimClaimable    Claimability = "claimable"     // anyone can register the name in the service's namespace
	ClaimNotClaimable Claimability = "not-claimable" // random-id or reserved names nobody else can re-create
)

// HTTPFingerprint is one "this service has nothing here" response. Every
// string in Body must appear; Status 0 means any status. The matcher only
// runs when the DNS chain already identified the service.
type HTTPFingerprint struct {
	Status int
	Body   []string
	// Match, when set, replaces Status and Body (a fingerprint database's
	// compiled matcher).
	Match matchFunc
}

// ServiceInfo is what a fingerprint database knows about the service a
// name belongs to, already decided for that name (a not-claimable pattern
// wins over the namespace's general claimability).
type ServiceInfo struct {
	ID         string
	Name       string
	Claim      Claimability
	Vulnerable bool // the database's status is "vulnerable" (edge cases and not-vulnerable never are)
	Note       string
	HTTP       []HTTPFingerprint
}

// Fingerprints is what dnsaudit needs from a takeover fingerprint database
// (internal/fingerprints implements it; BuiltinFingerprints is a small
// stand-in). Names are lower-case without the trailing dot.
type Fingerprints interface {
	// IdentifyCNAME returns the services a CNAME target belongs to.
	IdentifyCNAME(target string) []ServiceInfo
	// IdentifyNS returns the DNS hosting providers a nameserver belongs to;
	// Claim says whether anyone can create a missing zone there.
	IdentifyNS(ns string) []ServiceInfo
}

// HasSuffixLabel reports whether name equals suffix or ends with "."+suffix:
// a match on label boundaries, so "evilazurewebsites.net" is not under
// "azurewebsites.net".
func HasSuffixLabel(name, suffix string) bool {
	name, suffix = normName(name), normName(suffix)
	if suffix == "" {
		return false
	}
	return name == suffix || strings.HasSuffix(name, "."+suffix)
}

func normName(s string) string { return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".") }

// builtinService is one entry of the stand-in table.
type builtinService struct {
	info         ServiceInfo
	suffixes     []string
	pattern      *regexp.Regexp // if set, the name must also match to be claimable
	notClaimable *regexp.Regexp
	ns           bool
}

// BuiltinFingerprints is a deliberately tiny table, enough for tests and
// for running without the full database. Facts re-derived from the sources
// listed in the research note (can-i-take-over-xyz CC-BY-4.0,
// nuclei-templates MIT, subjack Apache-2.0, provider documentation).
type BuiltinFingerprints struct{ services []builtinService }

// NewBuiltinFingerprints returns the stand-in table.
func NewBuiltinFingerprints() *BuiltinFingerprints {
	cname := func(id, name string, claim Claimability, vuln bool, note string, suffixes ...string) builtinService {
		return builtinService{info: ServiceInfo{ID: id, Name: name, Claim: claim, Vulnerable: vuln, Note: note}, suffixes: suffixes}
	}
	azure := cname("azure-app-service", "Azure App Service", ClaimClaimable, true,
		"a deleted app's name can be created again by any Azure tenant", "azurewebsites.net")
	// Secure unique default hostnames: <name>-<16 hex-ish>.<region>.azurewebsites.net.
	azure.notClaimable = regexp.MustCompile(`^[a-z0-9-]+-[a-z0-9]{16}\.[a-z0-9-]+\.azurewebsites\.net$`)
	heroku := cname("heroku", "Heroku", ClaimClaimable, true,
		"a free app name can be created by anyone and given the custom domain", "herokuapp.com")
	heroku.info.HTTP = []HTTPFingerprint{{Status: 404, Body: []string{"herokucdn.com/error-pages/no-such-app.html"}}}
	eb := cname("aws-elastic-beanstalk", "AWS Elastic Beanstalk", ClaimClaimable, true,
		"only region-qualified environment names can be re-created", "elasticbeanstalk.com")
	eb.pattern = regexp.MustCompile(`^[a-z0-9-]+\.[a-z]{2}-[a-z]+-[0-9]\.elasticbeanstalk\.com$`)
	s3 := cname("aws-s3", "AWS S3 static website", ClaimClaimable, true,
		"a deleted bucket name can be created by anyone", "s3.amazonaws.com", "s3-website.us-east-1.amazonaws.com")
	s3.info.HTTP = []HTTPFingerprint{{Status: 404, Body: []string{"NoSuchBucket", "The specified bucket does not exist"}}}
	elb := cname("aws-elb", "AWS Elastic Load Balancing", ClaimNotClaimable, false,
		"load balancer hostnames carry a random id", "elb.amazonaws.com")
	return &BuiltinFingerprints{services: []builtinService{
		azure, heroku, eb, s3, elb,
		cname("azure-cloud-service", "Azure Cloud Services (classic)", ClaimClaimable, true, "", "cloudapp.net"),
		cname("azure-traffic-manager", "Azure Traffic Manager", ClaimClaimable, true, "", "trafficmanager.net"),
		cname("azure-vm", "Azure VM DNS label", ClaimClaimable, true, "", "cloudapp.azure.com"),
		nsProvider("digitalocean-dns", "DigitalOcean DNS", ClaimClaimable, true, "any account can add a zone for a domain it does not own", "digitalocean.com"),
		nsProvider("linode-dns", "Linode DNS", ClaimClaimable, true, "", "linode.com"),
		nsProvider("aws-route53", "AWS Route 53", ClaimNotClaimable, false,
			"Route 53 does not hand out the name servers of a deleted zone for the same name", "awsdns-01.com", "awsdns-02.net"),
		nsProvider("cloudflare-dns", "Cloudflare DNS", ClaimNotClaimable, false, "zones get account-specific name servers", "ns.cloudflare.com"),
	}}
}

func nsProvider(id, name string, claim Claimability, vuln bool, note string, suffixes ...string) builtinService {
	return builtinService{info: ServiceInfo{ID: id, Name: name, Claim: claim, Vulnerable: vuln, Note: note}, suffixes: suffixes, ns: true}
}

// IdentifyCNAME implements Fingerprints.
func (b *BuiltinFingerprints) IdentifyCNAME(target string) []ServiceInfo {
	return b.identify(target, false)
}

// IdentifyNS implements Fingerprints.
func (b *BuiltinFingerprints) IdentifyNS(ns string) []ServiceInfo { return b.identify(ns, true) }

func (b *BuiltinFingerprints) identify(name string, ns bool) []ServiceInfo {
	name = normName(name)
	var out []ServiceInfo
	for _, s := range b.services {
		if s.ns != ns || !anySuffix(name, s.suffixes) {
			continue
		}
		info := s.info
		switch {
		case s.notClaimable != nil && s.notClaimable.MatchString(name):
			info.Claim, info.Vulnerable = ClaimNotClaimable, false
		case s.pattern != nil && !s.pattern.MatchString(name):
			info.Claim, info.Vulnerable = ClaimNotClaimable, false
		}
		out = append(out, info)
	}
	return out
}

func anySuffix(name string, suffixes []string) bool {
	for _, s := range suffixes {
		if HasSuffixLabel(name, s) {
			return true
		}
	}
	return false
}
