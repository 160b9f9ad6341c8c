package lab

import (
	"crypto/tls"
	"strings"
)

// legacyTLSHost offers TLS 1.0 and 1.1 and insecure cipher suites, like a
// load balancer nobody has reconfigured since 2015.
const legacyTLSHost = "legacytls.vulnshop.test"

// legacyTLSConfigs gives sites marked LegacyTLS a server config that
// accepts TLS 1.0 and the cipher suites Go still implements but calls
// insecure; every other name gets base. Go's server honours an explicit
// MinVersion below 1.2 (GODEBUG tls10server only changes the default).
func legacyTLSConfigs(base *tls.Config, sites []Site) func(*tls.ClientHelloInfo) (*tls.Config, error) {
	legacy := map[string]bool{}
	for _, s := range sites {
		if s.LegacyTLS {
			legacy[strings.ToLower(s.Host)] = true
		}
	}
	weak := base.Clone()
	weak.MinVersion = tls.VersionTLS10
	weak.MaxVersion = tls.VersionTLS12 // keep 1.3 out: its suites are not configurable
	weak.CipherSuites = nil
	for _, cs := range tls.CipherSuites() {
		weak.CipherSuites = append(weak.CipherSuites, cs.ID)
	}
	for _, cs := range tls.InsecureCipherSuites() {
		weak.CipherSuites = append(weak.CipherSuites, cs.ID)
	}
	return func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
		if legacy[strings.ToLower(strings.TrimSuffix(hello.ServerName, "."))] {
			return weak, nil
		}
		return nil, nil // base
	}
}
