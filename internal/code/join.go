package code

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/plumbsec/plumb/internal/dnsaudit"
	"github.com/plumbsec/plumb/internal/finding"
)

// join puts the files' facts together: settings read in one file and
// defined in another (within one project), hosts with every place that
// names them and the strongest credential link, DNS verdicts, findings.
type join struct {
	facts    []*fileFacts
	projects map[string]bool
	dns      map[string]*dnsaudit.Result
	defs     map[string]map[string][]defRef // project → setting key → definitions
	// envKey and allowKey say a setting key has a definition read from the
	// environment / in a file that checks an allow-list.
	envKey, allowKey map[string]bool // project + "\x00" + key
	// dnsSkip says why a public host was not audited (Options.DNSSkip).
	dnsSkip map[string]string
	// uses are the credentialed calls that read each setting: the
	// strongest per project and key, so a setting defined in many files
	// and read by many calls is linked once per definition, not per pair.
	uses map[string]*settingUse
	// xHTTP are credentials-over-http findings through another file's
	// name, kept after the others: the same URL reached both by a setting
	// name and an import is one finding.
	xHTTP []finding.Finding
}

// settingUse is the strongest credentialed call reading one setting key.
type settingUse struct {
	project, key, name string
	grade              grade
	how                string
	file               string
	line               int
	symbol             string
}

type defRef struct {
	file string
	def  settingDef
}

func newJoin(facts []*fileFacts, projects map[string]bool) *join {
	sort.Slice(facts, func(a, b int) bool { return facts[a].file < facts[b].file })
	j := &join{facts: facts, projects: projects, defs: map[string]map[string][]defRef{},
		envKey: map[string]bool{}, allowKey: map[string]bool{}, uses: map[string]*settingUse{}}
	for _, ff := range facts {
		p := j.projectOf(ff.file)
		if j.defs[p] == nil {
			j.defs[p] = map[string][]defRef{}
		}
		for _, d := range ff.defs {
			for _, k := range defKeys(d.name) {
				j.defs[p][k] = append(j.defs[p][k], defRef{ff.file, d})
				j.envKey[p+"\x00"+k] = j.envKey[p+"\x00"+k] || d.env
				j.allowKey[p+"\x00"+k] = j.allowKey[p+"\x00"+k] || d.allow
			}
		}
	}
	j.crossFile()
	return j
}

// defKeys are the keys a setting is found by: its whole dotted path, its
// last two components and its last one (metrics.url ↔ METRICS_URL ↔ url).
func defKeys(name string) []string {
	parts := strings.Split(name, ".")
	keys := []string{settingKey(name)}
	if len(parts) >= 2 {
		keys = append(keys, settingKey(strings.Join(parts[len(parts)-2:], ".")))
	}
	if last := parts[len(parts)-1]; len(nameWords(last)) >= 2 {
		keys = append(keys, settingKey(last)) // a bare "url" key matches nothing on its own
	}
	return dedupe(keys)
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// projectOf is the nearest directory above file that holds a project
// marker ("" when none does: the whole scan is one project).
func (j *join) projectOf(file string) string {
	for d := path.Dir(file); ; d = path.Dir(d) {
		if j.projects[d] {
			return d
		}
		if d == "." || d == "/" || d == "" {
			return ""
		}
	}
}

// publicHosts lists the hosts worth a DNS audit, sorted.
func (j *join) publicHosts() []string {
	seen := map[string]bool{}
	add := func(h string) {
		if ok, _ := publicHost(h); ok {
			seen[h] = true
		}
	}
	for _, ff := range j.facts {
		for _, d := range ff.dests {
			add(d.host)
		}
		for _, c := range ff.calls {
			for _, u := range c.urls {
				add(u.host)
			}
			for _, x := range c.xurls {
				add(x.u.host)
			}
		}
	}
	out := make([]string, 0, len(seen))
	for h := range seen {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

// auditable returns the public hosts to audit: those skip (if set) has no
// reason to leave out; the others are remembered with the reason.
func (j *join) auditable(skip func(string) string) []string {
	hosts := j.publicHosts()
	if skip == nil {
		return hosts
	}
	var out []string
	for _, h := range hosts {
		if why := skip(h); why != "" {
			if j.dnsSkip == nil {
				j.dnsSkip = map[string]string{}
			}
			j.dnsSkip[h] = why
			continue
		}
		out = append(out, h)
	}
	return out
}

// hostAcc accumulates one host's locations.
type hostAcc struct {
	name  string
	locs  []HostLocation
	grade []grade
	index map[string]int // file:line → index in locs
}

func (h *hostAcc) add(u urlRef, file string, g grade, via, call string) {
	key := fmt.Sprintf("%s:%d", file, u.line)
	if i, ok := h.index[key]; ok {
		if g > h.grade[i] {
			h.grade[i] = g
			h.locs[i].Link, h.locs[i].Via, h.locs[i].Call = g.String(), via, call
		}
		if h.locs[i].Name == "" {
			h.locs[i].Name = u.name
		}
		return
	}
	h.index[key] = len(h.locs)
	h.locs = append(h.locs, HostLocation{File: file, Line: u.line, Name: u.name, URL: redactURL(u.raw), Link: g.String(), Via: via, Call: call})
	h.grade = append(h.grade, g)
}

// best is the strongest link and the location that has it.
func (h *hostAcc) best() (grade, HostLocation) {
	bi := 0
	for i := range h.locs {
		if h.grade[i] > h.grade[bi] {
			bi = i
		}
	}
	return h.grade[bi], h.locs[bi]
}

// redactURL drops user info (user:password@) from a URL as written.
func redactURL(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		return raw
	}
	rest := raw[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndexByte(rest[:end], '@'); at >= 0 {
		return raw[:i+3] + "REDACTED@" + rest[at+1:]
	}
	return raw
}

// build returns the hosts and findings of the scan.
func (j *join) build() ([]Host, []finding.Finding) {
	hosts := map[string]*hostAcc{}
	acc := func(h string) *hostAcc {
		a, ok := hosts[h]
		if !ok {
			a = &hostAcc{name: h, index: map[string]int{}}
			hosts[h] = a
		}
		return a
	}
	var fs []finding.Finding
	for _, ff := range j.facts {
		for _, d := range ff.dests {
			acc(d.host).add(d.urlRef, ff.file, gradeNone, "", "")
		}
	}
	for _, ff := range j.facts {
		for _, c := range ff.calls {
			fs = append(fs, j.linkCall(ff, c, acc)...)
		}
		for _, is := range ff.issues {
			fs = append(fs, issueFinding(ff, is))
		}
	}
	fs = append(fs, j.linkSettings(acc)...)
	fs = addOverHTTP(fs, j.xHTTP)
	j.possible(hosts)
	out := make([]Host, 0, len(hosts))
	for _, a := range hosts {
		g, best := a.best()
		h := Host{Name: a.name, CarriesCredentials: g >= gradeLikely, Link: g.String(), Locations: a.locs, DNS: j.hostDNSOf(a.name)}
		sort.Slice(h.Locations, func(x, y int) bool {
			if h.Locations[x].File != h.Locations[y].File {
				return h.Locations[x].File < h.Locations[y].File
			}
			return h.Locations[x].Line < h.Locations[y].Line
		})
		out = append(out, h)
		if r := j.dns[a.name]; r != nil {
			if f, ok := hostFinding(a.name, g, best, r); ok {
				fs = append(fs, f)
			}
		}
	}
	sort.Slice(out, func(x, y int) bool {
		if out[x].CarriesCredentials != out[y].CarriesCredentials {
			return out[x].CarriesCredentials
		}
		return out[x].Name < out[y].Name
	})
	return out, finding.Normalize(disambiguate(fs))
}

// linkCall files a call's own destinations, records which settings it
// reads (linked to their definitions once, in linkSettings) and returns
// its findings.
func (j *join) linkCall(ff *fileFacts, c callSite, acc func(string) *hostAcc) []finding.Finding {
	callRef := fmt.Sprintf("%s:%d", ff.file, c.line)
	var fs []finding.Finding
	for _, u := range c.urls {
		if g := c.grade; g > gradeNone {
			if u.dflt {
				g = min(g, gradeLikely)
			}
			acc(u.host).add(u, ff.file, g, c.how, callRef)
		}
		if f, ok := overHTTP(u, ff.file, c.grade, c.how, ff.file, c.line, c.symbol); ok {
			fs = append(fs, f)
		}
	}
	for _, x := range c.xurls {
		g := c.grade
		if !x.pkg || x.u.dflt {
			g = min(g, gradeLikely) // an import: another module's name
		}
		if g > gradeNone {
			via := c.how
			if !x.pkg {
				via += " via " + x.via + " imported from " + x.file
			}
			acc(x.u.host).add(x.u, x.file, g, via, callRef)
		}
		if f, ok := overHTTP(x.u, x.file, g, c.how, ff.file, c.line, c.symbol); ok {
			j.xHTTP = append(j.xHTTP, f) // after the settings' (dedupeOverHTTP)
		}
	}
	p := j.projectOf(ff.file)
	env, allow := c.env, c.allow
	for _, s := range c.settings {
		k := settingKey(s)
		env = env || j.envKey[p+"\x00"+k]
		allow = allow || j.allowKey[p+"\x00"+k]
		if c.grade == gradeNone || len(j.defs[p][k]) == 0 {
			continue
		}
		g := min(c.grade, gradeLikely)
		uk := p + "\x00" + k
		if u := j.uses[uk]; u == nil || g > u.grade {
			j.uses[uk] = &settingUse{project: p, key: k, name: s, grade: g, how: c.how, file: ff.file, line: c.line, symbol: c.symbol}
		}
	}
	if c.input && !c.allow {
		detail := "the URL's host comes from the request being served and is not checked against an allow-list"
		if c.grade > gradeNone {
			detail += "; the call also sends the " + c.how
		}
		fs = append(fs, ruleFinding(RuleDestinationFromInput, finding.Location{File: ff.file, Line: c.line, Symbol: c.symbol}, detail))
	}
	if env && !c.input && c.grade >= gradeLikely && !allow {
		fs = append(fs, ruleFinding(RuleDestinationFromEnv, finding.Location{File: ff.file, Line: c.line, Symbol: c.symbol},
			fmt.Sprintf("the %s goes to the host the environment names (%s), which nothing checks", c.how, strings.Join(c.settings, ", "))))
	}
	return fs
}

// linkSettings links every definition of a setting that a credentialed
// call reads: once per definition, with the strongest such call.
func (j *join) linkSettings(acc func(string) *hostAcc) []finding.Finding {
	keys := make([]string, 0, len(j.uses))
	for k := range j.uses {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var fs []finding.Finding
	seen := map[string]bool{}
	for _, k := range keys {
		u := j.uses[k]
		callRef := fmt.Sprintf("%s:%d", u.file, u.line)
		via := u.how + " via setting " + u.name
		for _, d := range j.defs[u.project][u.key] {
			for _, url := range d.def.urls {
				id := fmt.Sprintf("%s:%d:%s", d.file, url.line, url.host)
				if seen[id] {
					continue
				}
				seen[id] = true
				acc(url.host).add(url, d.file, u.grade, via, callRef)
				if f, ok := overHTTP(url, d.file, u.grade, u.how, u.file, u.line, u.symbol); ok {
					fs = append(fs, f)
				}
			}
		}
	}
	return fs
}

// addOverHTTP adds the credentials-over-http findings found through other
// files' names (xs) for a call and host no finding of fs already has:
// the same URL reached by a setting's name and by an import is one.
func addOverHTTP(fs, xs []finding.Finding) []finding.Finding {
	if len(xs) == 0 {
		return fs
	}
	key := func(f finding.Finding) string {
		return fmt.Sprintf("%s:%d:%s", f.Location.File, f.Location.Line, f.Location.Host)
	}
	seen := map[string]bool{}
	for _, f := range fs {
		if f.ID == RuleCredentialsOverHTTP {
			seen[key(f)] = true
		}
	}
	for _, f := range xs {
		if k := key(f); !seen[k] {
			seen[k] = true
			fs = append(fs, f)
		}
	}
	return fs
}

// overHTTP is the finding for a credential sent to an http:// URL (not on
// the machine itself), placed at the call that sends it.
func overHTTP(u urlRef, urlFile string, g grade, how, callFile string, callLine int, symbol string) (finding.Finding, bool) {
	if g < gradeLikely || u.scheme != "http" || loopbackHost(u.host) {
		return finding.Finding{}, false
	}
	f := ruleFinding(RuleCredentialsOverHTTP, finding.Location{Host: u.host, File: callFile, Line: callLine, Symbol: orName(u.name, symbol)},
		fmt.Sprintf("the %s goes to %s (%s:%d) over plain HTTP", how, redactURL(u.raw), urlFile, u.line))
	f.Confidence = gradeConfidence(g)
	return f, true
}

func orName(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// possible marks hosts named in a file that attaches credentials but not
// linked to them by any call.
func (j *join) possible(hosts map[string]*hostAcc) {
	for _, ff := range j.facts {
		if len(ff.credLines) == 0 {
			continue
		}
		via := fmt.Sprintf("the same file attaches a credential (line %d)", ff.credLines[0])
		for _, d := range ff.dests {
			a := hosts[d.host]
			if i, ok := a.index[fmt.Sprintf("%s:%d", ff.file, d.line)]; ok && a.grade[i] == gradeNone {
				a.grade[i] = gradePossible
				a.locs[i].Link, a.locs[i].Via = gradePossible.String(), via
			}
		}
	}
}

func (j *join) hostDNSOf(h string) HostDNS {
	if ok, why := publicHost(h); !ok {
		return HostDNS{Status: finding.DNSSkipped, Detail: "not audited: " + why}
	}
	if j.dns == nil {
		return HostDNS{Status: finding.DNSSkipped, Detail: "DNS audit off (--no-dns)"}
	}
	if why := j.dnsSkip[h]; why != "" {
		return HostDNS{Status: finding.DNSSkipped, Detail: "not audited: " + why}
	}
	r := j.dns[h]
	if r == nil {
		return HostDNS{Status: finding.DNSSkipped, Detail: "not audited (interrupted)"}
	}
	return hostDNS(r)
}

// hostFinding turns a host's DNS verdict and credential link into a
// finding: credentials to a claimable host are critical.
func hostFinding(host string, g grade, at HostLocation, r *dnsaudit.Result) (finding.Finding, bool) {
	if r.Status != finding.DNSVulnerable && r.Status != finding.DNSDangling {
		return finding.Finding{}, false
	}
	loc := finding.Location{Host: host, File: at.File, Line: at.Line, Symbol: at.Name}
	d := hostDNS(r)
	var f finding.Finding
	switch {
	case r.Status == finding.DNSVulnerable && g >= gradePossible:
		f = ruleFinding(RuleCredentialsToClaimable, loc, "")
		f.Confidence = gradeConfidence(g)
		if g == gradePossible {
			f.Severity = finding.High
		}
		f.Evidence.Summary = fmt.Sprintf("%s: %s. The %s reaches it from %s (%s link)", host, strings.TrimRight(d.Detail, "."), orName(strings.Split(at.Via, " via ")[0], "credential"), orName(at.Call, fmt.Sprintf("%s:%d", at.File, at.Line)), g)
	default:
		f = ruleFinding(RuleDanglingDestination, loc, "")
		if r.Status == finding.DNSDangling && g < gradePossible {
			f.Severity = finding.Medium
		}
		f.Evidence.Summary = fmt.Sprintf("%s: %s", host, d.Detail)
		if g > gradeNone {
			f.Evidence.Summary = strings.TrimRight(f.Evidence.Summary, ".")
			f.Evidence.Summary += fmt.Sprintf(". A credential reaches it from %s (%s link)", orName(at.Call, fmt.Sprintf("%s:%d", at.File, at.Line)), g)
		}
	}
	f.Evidence.DNS = dnsEvidence(r)
	return f, true
}

func gradeConfidence(g grade) finding.Confidence {
	if g >= gradeLikely {
		return finding.Firm
	}
	return finding.Tentative
}

// ruleFinding builds a finding from the rule table.
func ruleFinding(id string, loc finding.Location, summary string) finding.Finding {
	r, _ := LookupRule(id)
	return finding.Finding{ID: r.ID, Title: r.Title, Severity: r.Severity, Confidence: finding.Firm, Category: r.Category,
		OWASP: r.OWASP, CWE: r.CWE, Location: loc, Evidence: finding.Evidence{Summary: summary}, Remediation: r.Remediation}
}

func issueFinding(ff *fileFacts, is issue) finding.Finding {
	f := ruleFinding(is.rule, finding.Location{Host: is.host, File: ff.file, Line: is.line, Symbol: is.symbol}, is.detail)
	if ff.test {
		// Tests fake tokens, skip verification against their own
		// certificates and call local servers on purpose: what they do is
		// worth a look, not an alarm.
		f.Severity, f.Confidence = finding.Low, finding.Tentative
		f.Evidence.Summary += " (in a test or fixture file)"
	}
	return f
}

// disambiguate numbers findings that would share a fingerprint (two
// untimed calls to one callee in one function), so none is merged away.
func disambiguate(fs []finding.Finding) []finding.Finding {
	sort.SliceStable(fs, func(a, b int) bool {
		if fs[a].Location.File != fs[b].Location.File {
			return fs[a].Location.File < fs[b].Location.File
		}
		return fs[a].Location.Line < fs[b].Location.Line
	})
	seen := map[string]int{}
	for i := range fs {
		l := fs[i].Location
		if l.File == "" {
			continue
		}
		k := fs[i].ID + "\x00" + l.File + "\x00" + l.Symbol + "\x00" + l.Host
		seen[k]++
		if n := seen[k]; n > 1 {
			fs[i].Location.Symbol = fmt.Sprintf("%s#%d", l.Symbol, n)
		}
	}
	return fs
}
