package confdump

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/plumbsec/plumb/internal/hosts"
	"github.com/plumbsec/plumb/internal/rules"
)

// maxHosts bounds the hosts one dump contributes.
const maxHosts = 64

// Host is a host a setting names.
type Host struct {
	Name  string
	Role  hosts.Role
	Creds bool   // the API's credentials (or trust in tokens) flow there
	Key   string // the setting that names it
	Rule  string // the config-host-roles rule that gave the role
}

// Secret is a setting that holds a secret; the value itself is never kept.
type Secret struct {
	Key   string
	Value string // the secret, for the scan's redactor only: never print it
	Why   string // "sensitive key", a secrets rule title, or "password in URL"
}

// Harvested is what a dump gives away.
type Harvested struct {
	Entries int
	Hosts   []Host
	Secrets []Secret
}

// splitRE splits a setting that lists several values.
var splitRE = regexp.MustCompile(`[\s,;|]+`)

// Harvest classifies the hosts the settings name and finds the secrets.
func Harvest(entries []Entry) (*Harvested, error) {
	roles, err := rules.Load(PackRoles)
	if err != nil {
		return nil, err
	}
	keys, err := rules.Load("sensitive-keys")
	if err != nil {
		return nil, err
	}
	secrets, err := rules.Load("secrets")
	if err != nil {
		return nil, err
	}
	h := &Harvested{Entries: len(entries)}
	seen := map[string]bool{}
	for _, e := range entries {
		if s, ok := secretOf(e, keys, secrets); ok {
			h.Secrets = append(h.Secrets, s)
		}
		for _, tok := range splitRE.Split(strings.Trim(e.Value, "[]"), 16) {
			name, ok := hostOf(e, tok)
			if !ok || seen[name] || len(h.Hosts) >= maxHosts {
				continue
			}
			r := classify(roles, e, tok)
			if r == nil {
				continue
			}
			seen[name] = true
			h.Hosts = append(h.Hosts, Host{Name: name, Role: hosts.Role(r.Meta["role"]), Creds: r.Meta["creds"] == "true",
				Key: e.Key, Rule: r.ID})
		}
	}
	return h, nil
}

// classify returns the first config-host-roles rule that covers the
// setting's name (then its whole key path) and value.
func classify(p *rules.Pack, e Entry, value string) *rules.Rule {
	for _, key := range []string{e.Name, e.Key} {
		for _, r := range p.Rules {
			if r.MatchKey(key) && r.MatchValue(value) {
				return r
			}
		}
	}
	return nil
}

// hostKeyRE: settings whose bare value (no scheme) is a host.
var hostKeyRE = regexp.MustCompile(`(?i)(host|hostname|server|servers|addr|address|domain|origin|origins|brokers|endpoint)$`)

// hostOf returns the host a value names: the host of an absolute URL
// (jdbc: prefixes allowed), or a bare host[:port] under a host-like key.
func hostOf(e Entry, v string) (string, bool) {
	v = strings.Trim(v, `"'`)
	v = strings.TrimPrefix(v, "jdbc:")
	if strings.Contains(v, "://") {
		u, err := url.Parse(v)
		if err != nil {
			return "", false
		}
		return hosts.Valid(u.Hostname())
	}
	if !hostKeyRE.MatchString(e.Name) || strings.ContainsAny(v, "/@ ") {
		return "", false
	}
	if i := strings.LastIndexByte(v, ':'); i > 0 {
		v = v[:i]
	}
	return hosts.Valid(v)
}

// secretOf says whether a setting holds a secret: a credential-class
// sensitive key with a value, a value a secrets rule recognises, or a URL
// with a password in it.
func secretOf(e Entry, keys, secrets *rules.Pack) (Secret, bool) {
	v := strings.TrimSpace(e.Value)
	if len(v) < 4 || v == "true" || v == "false" || v == "null" || v == "None" {
		return Secret{}, false
	}
	if u, err := url.Parse(v); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			return Secret{Key: e.Key, Value: pw, Why: "password in URL"}, true
		}
	}
	for _, r := range keys.Rules {
		if r.Meta["class"] == "credential" && r.MatchKey(e.Name) && r.MatchValue(v) {
			return Secret{Key: e.Key, Value: v, Why: r.Title}, true
		}
	}
	if m, ok := secrets.First(rules.NewText(v)); ok {
		return Secret{Key: e.Key, Value: m.Text(), Why: m.Rule().Title}, true
	}
	return Secret{}, false
}
