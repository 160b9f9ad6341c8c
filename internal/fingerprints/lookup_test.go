package fingerprints

import (
	"net/netip"
	"sync"
	"testing"
)

func ids(list []*Service) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s.ID
	}
	return out
}

func TestIdentifyExamples(t *testing.T) {
	t.Parallel()
	db := mustLoad(t)
	cases := []struct {
		kind, name string
		want       []string // exact ids, in order
	}{
		{"cname", "orders.azurewebsites.net", []string{"azure-app-service"}},
		{"cname", "ORDERS.AzureWebsites.net.", []string{"azure-app-service"}},
		{"cname", "evilazurewebsites.net", nil},
		{"cname", "azurewebsites.net.evil.test", nil},
		{"cname", "b.s3-website-eu-west-1.amazonaws.com", []string{"aws-s3"}},
		{"cname", "api-1.eu-west-1.elb.amazonaws.com", []string{"aws-elb"}},
		{"cname", "abc123defg.execute-api.eu-west-1.amazonaws.com", []string{"aws-api-gateway"}},
		{"cname", "x.eu-west-1.elasticbeanstalk.com", []string{"aws-elastic-beanstalk"}},
		{"cname", "www.example.com", nil},
		{"cname", "", nil},
		{"ns", "ns-1536.awsdns-00.co.uk.", []string{"aws-route53"}},
		{"ns", "ns2.digitalocean.com", []string{"digitalocean-dns"}},
		{"ns", "ns4.digitalocean.com", nil},
		{"ns", "ns1.he.net", []string{"hurricane-electric-dns"}},
		{"ns", "x.azurewebsites.net", nil},
		{"ip", "::ffff:185.199.110.153", []string{"github-pages"}},
		{"ip", "151.101.65.195", []string{"fastly"}},
		{"ip", "127.0.0.1", nil},
	}
	for _, c := range cases {
		var got []*Service
		switch c.kind {
		case "cname":
			got = db.IdentifyCNAME(c.name)
		case "ns":
			got = db.IdentifyNS(c.name)
		case "ip":
			got = db.IdentifyIP(netip.MustParseAddr(c.name))
		}
		if g := ids(got); len(g) != len(c.want) || len(g) > 0 && g[0] != c.want[0] {
			t.Errorf("Identify %s %q = %v, want %v", c.kind, c.name, g, c.want)
		}
	}
}

func TestClaimableTargetExamples(t *testing.T) {
	t.Parallel()
	db := mustLoad(t)
	cases := []struct {
		id, target string
		want       bool
	}{
		{"azure-app-service", "orders.azurewebsites.net", true},
		{"azure-app-service", "orders-ds27dh7271aah175.westus-01.azurewebsites.net", false},
		{"aws-elastic-beanstalk", "orders.eu-west-1.elasticbeanstalk.com", true},
		{"aws-elastic-beanstalk", "orders.elasticbeanstalk.com", false},
		{"aws-elb", "api-1.eu-west-1.elb.amazonaws.com", false},
		{"heroku", "acme.herokuapp.com", false}, // edge-case: never "vulnerable"
		{"digitalocean-dns", "ns1.digitalocean.com", true},
		{"aws-route53", "ns-1.awsdns-01.com", false},
		{"cloudflare-dns", "kate.ns.cloudflare.com", false},
	}
	for _, c := range cases {
		s := db.Service(c.id)
		if s == nil {
			t.Fatalf("no service %s", c.id)
		}
		if got, why := s.ClaimableTarget(c.target); got != c.want {
			t.Errorf("%s.ClaimableTarget(%q) = %v (%s), want %v", c.id, c.target, got, why, c.want)
		}
	}
}

// TestConcurrentUse: the DB is shared by every worker of a bulk audit.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			db, err := Load()
			if err != nil {
				t.Error(err)
				return
			}
			for _, n := range benchNames(db) {
				for _, s := range db.IdentifyCNAME(n) {
					s.MatchHTTP(404, nil, []byte("There isn't a GitHub Pages site here."))
					s.ClaimableTarget(n)
				}
			}
		})
	}
	wg.Wait()
}

// TestNoAmbiguousVectors: a positive vector should identify its own service
// first; overlaps between services are listed so they stay deliberate.
func TestNoAmbiguousVectors(t *testing.T) {
	t.Parallel()
	db := mustLoad(t)
	for _, s := range db.Services() {
		for _, n := range s.Tests.CNAME.Match {
			got := db.IdentifyCNAME(n)
			if len(got) > 1 {
				t.Errorf("%q identifies several services %v", n, ids(got))
			}
		}
	}
}
