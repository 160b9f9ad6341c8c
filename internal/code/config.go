package code

import (
	"fmt"
	"strings"
)

// cfgEntry is one scalar setting of a configuration file.
type cfgEntry struct {
	path  []string
	value string
	line  int
	// group numbers the mapping, section or list the entry belongs to:
	// entries of one group configure one thing.
	group int
	// flat groups (.env files, properties, container env lists) hold
	// unrelated settings side by side: only a shared name prefix
	// (METRICS_URL, METRICS_TOKEN) pairs a URL with a credential there.
	flat bool
}

func (e cfgEntry) name() string { return strings.Join(e.path, ".") }

func (e cfgEntry) key() string {
	if len(e.path) == 0 {
		return ""
	}
	return e.path[len(e.path)-1]
}

// analyzeConfig turns a configuration file's entries into facts: hosts,
// settings holding URLs, URL+credential pairs, secrets written in, and
// verification turned off.
func analyzeConfig(file string, l lang, entries []cfgEntry) *fileFacts {
	ff := &fileFacts{file: file, lang: l}
	type urlEntry struct {
		e cfgEntry
		u urlRef
	}
	var urls []urlEntry
	var creds []cfgEntry
	for _, e := range entries {
		key := e.key()
		if metaPath(e.path) {
			continue
		}
		if scheme, host, ok := urlHost(e.value, true); ok && !ignoredHost(host) {
			u := urlRef{raw: e.value, scheme: scheme, host: host, line: e.line, name: e.name()}
			urls = append(urls, urlEntry{e, u})
		} else if hostishName(key) {
			if h, ok := bareHost(e.value); ok && !ignoredHost(h) {
				urls = append(urls, urlEntry{e, urlRef{raw: e.value, host: h, line: e.line, name: e.name()}})
			}
		}
		if !dataKey(key) && (credentialName(key) || credentialHeader(key)) {
			if strings.TrimSpace(e.value) != "" {
				creds = append(creds, e)
				ff.credLines = append(ff.credLines, e.line)
			}
			if secretValue(e.name(), e.value) {
				ff.issues = append(ff.issues, secretIssue(e.line, e.name(), e.value))
				continue
			}
		}
		if title, m, ok := knownSecret(e.value); ok {
			ff.issues = append(ff.issues, shapeIssue(e.line, e.name(), title, m))
		}
		if off, why := tlsOffSetting(key, e.value); off {
			ff.issues = append(ff.issues, issue{rule: RuleTLSVerifyDisabled, line: e.line, symbol: e.name(), detail: why})
		}
	}
	for _, ue := range urls {
		ff.dests = append(ff.dests, dest{ue.u})
		ff.defs = append(ff.defs, settingDef{name: ue.u.name, urls: []urlRef{ue.u}, line: ue.e.line})
		for _, c := range creds {
			if c.group != ue.e.group || !pairs(ue.e, c) {
				continue
			}
			ff.calls = append(ff.calls, callSite{line: ue.e.line, symbol: ue.u.name, callee: "config", grade: gradeLikely,
				how: fmt.Sprintf("credential setting %s beside it (line %d)", c.name(), c.line), urls: []urlRef{ue.u}})
			break
		}
	}
	return ff
}

// pairs says a URL setting and a credential setting of one group belong
// together: any two in a structured mapping, or, in a flat group, two
// whose names share a prefix (METRICS_URL and METRICS_TOKEN).
func pairs(u, c cfgEntry) bool {
	if !u.flat {
		return true
	}
	p := settingPrefix(u.key())
	return p != "" && p == settingPrefix(c.key())
}

// settingPrefix is a setting name without its last word: METRICS_URL → metrics.
func settingPrefix(name string) string {
	ws := nameWords(name)
	if len(ws) < 2 {
		return ""
	}
	return strings.Join(ws[:len(ws)-1], "_")
}

// skippedKey says a URL under this key is documentation, not a destination.
func skippedKey(key string) bool {
	if len(key) > 24 {
		return false
	}
	var buf [24]byte
	n := 0
	for i := 0; i < len(key); i++ {
		switch c := key[i]; {
		case c == '_' || c == '-':
		case c >= 'A' && c <= 'Z':
			buf[n] = c + 'a' - 'A'
			n++
		default:
			buf[n] = c
			n++
		}
	}
	switch string(buf[:n]) {
	case "$schema", "$id", "$ref", "$comment", "homepage", "repository", "bugs", "license", "licenses", "documentation", "funding", "author",
		"changelog", "contributors", "maintainers", "externaldocs", "termsofservice", "contact", "sourceurl", "documentationurl", "docsurl",
		"helpurl", "externalreferences", "description":
		return true
	}
	return false
}

// metaPath says an entry describes the project rather than configures it:
// a URL under a documentation key at any depth (repository.url,
// info.contact.url), or a package manifest's dependency map, whose keys
// are package names ("@scope/auth-helpers") and values version ranges.
func metaPath(path []string) bool {
	for _, k := range path {
		if skippedKey(k) {
			return true
		}
		switch k {
		case "dependencies", "devDependencies", "peerDependencies", "optionalDependencies", "bundleDependencies", "bundledDependencies",
			"overrides", "resolutions", "require-dev", "dev-dependencies", "build-dependencies", "publishConfig":
			return true
		}
	}
	return false
}

// tlsOffSetting says a configuration setting turns certificate verification off.
func tlsOffSetting(key, value string) (bool, string) {
	v := strings.ToLower(strings.Trim(strings.TrimSpace(value), `"'`))
	truthy := v == "true" || v == "1" || v == "yes" || v == "on"
	falsy := v == "false" || v == "0" || v == "no" || v == "off"
	if !truthy && !falsy {
		return false, ""
	}
	k := settingKey(key)
	switch k {
	case "insecureskipverify", "tlsinsecureskipverify", "skiptlsverify", "tlsskipverify", "insecuretls", "sslinsecure", "tlsinsecure":
		if truthy {
			return true, key + ": " + value + " turns certificate verification off"
		}
	case "verifyssl", "sslverify", "tlsverify", "verifytls", "sslverification", "verifycertificate", "verifycert", "rejectunauthorized", "strictssl":
		if falsy {
			return true, key + ": " + value + " turns certificate verification off"
		}
	case "nodetlsrejectunauthorized", "pythonhttpsverify":
		if v == "0" {
			return true, key + "=0 turns certificate verification off for the whole process"
		}
	}
	return false, ""
}
