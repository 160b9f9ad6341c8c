package dnsaudit

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/plumbsec/plumb/internal/fingerprints"
)

// DBFingerprints adapts the embedded takeover fingerprint database
// (internal/fingerprints) to what the audit needs: per name, which service
// it belongs to, whether that very name can be re-created by someone else,
// and the service's "unclaimed" page matchers.
type DBFingerprints struct{ db *fingerprints.DB }

var (
	defaultDBOnce sync.Once
	defaultDB     *DBFingerprints
	defaultDBErr  error
)

// DefaultFingerprints loads the embedded database once per process.
func DefaultFingerprints() (*DBFingerprints, error) {
	defaultDBOnce.Do(func() {
		db, err := fingerprints.Load()
		if err != nil {
			defaultDBErr = fmt.Errorf("takeover fingerprint database: %w", err)
			return
		}
		defaultDB = &DBFingerprints{db: db}
	})
	return defaultDB, defaultDBErr
}

// IdentifyCNAME implements Fingerprints.
func (f *DBFingerprints) IdentifyCNAME(target string) []ServiceInfo {
	return f.convert(target, f.db.IdentifyCNAME(target))
}

// IdentifyNS implements Fingerprints.
func (f *DBFingerprints) IdentifyNS(ns string) []ServiceInfo {
	return f.convert(ns, f.db.IdentifyNS(ns))
}

func (f *DBFingerprints) convert(name string, svcs []*fingerprints.Service) []ServiceInfo {
	out := make([]ServiceInfo, 0, len(svcs))
	for _, s := range svcs {
		info := ServiceInfo{ID: s.ID, Name: s.Name, Claim: ClaimUnknown, Note: strings.TrimRight(s.StatusNote, ". ")}
		ok, why := s.ClaimableTarget(name)
		switch {
		case ok:
			info.Claim, info.Vulnerable = ClaimClaimable, true
		case s.Status == fingerprints.StatusVulnerable, s.Status == fingerprints.StatusNotVulnerable, s.RandomIDNames:
			// The service is known and this name cannot be re-created by a stranger.
			info.Claim = ClaimNotClaimable
		}
		if why != "" {
			info.Note = strings.TrimRight(why, ". ")
		}
		if len(s.HTTP) > 0 {
			info.HTTP = []HTTPFingerprint{{Match: s.MatchHTTP}} // any of the service's matchers
		}
		out = append(out, info)
	}
	return out
}

// matchFunc is a database matcher: already validated to hold a token
// specific to its service, so the generic-token guard does not apply.
type matchFunc func(status int, header http.Header, body []byte) (bool, string)
