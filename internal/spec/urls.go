package spec

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// urlWalker collects every absolute URL in the decoded document, keys
// included (callback expressions can be literal URLs).
type urlWalker struct {
	tree map[string]any
	refs []URLRef
	keys keyStack
	// secured maps the Where of a callback/webhook URL to whether the
	// document declares security for that callback/webhook.
	secured map[string]bool
}

func collectURLs(tree map[string]any) ([]URLRef, map[string]bool) {
	w := &urlWalker{tree: tree, secured: map[string]bool{}}
	w.walk(tree, make([]string, 0, 64))
	return w.refs, w.secured
}

func (w *urlWalker) walk(v any, segs []string) {
	switch t := v.(type) {
	case map[string]any:
		defaults := serverDefaults(t)
		for _, k := range w.keys.sorted(len(segs), t) {
			child := append(segs, k) //nolint:gocritic // children are done before the next key, so reusing the backing array is safe
			if isAbsURL(k) {
				w.add(k, child)
			}
			if s, ok := t[k].(string); ok && k == "url" && defaults != nil {
				w.addString(expandServerURL(s, defaults), child)
				continue
			}
			w.walk(t[k], child)
		}
	case []any:
		for i, e := range t {
			w.walk(e, append(segs, strconv.Itoa(i)))
		}
	case string:
		w.addString(t, segs)
	}
}

// serverDefaults returns the variable defaults of a Server Object, nil for
// any other object.
func serverDefaults(m map[string]any) map[string]string {
	vars, ok := m["variables"].(map[string]any)
	if !ok {
		return nil
	}
	if _, ok := m["url"].(string); !ok {
		return nil
	}
	out := map[string]string{}
	for name, v := range vars {
		if vm, ok := v.(map[string]any); ok {
			if d, ok := vm["default"].(string); ok {
				out[name] = d
			}
		}
	}
	return out
}

func (w *urlWalker) addString(s string, segs []string) {
	if s = strings.TrimSpace(s); isAbsURL(s) {
		w.add(s, segs)
	}
}

func (w *urlWalker) add(raw string, segs []string) {
	host := hostOf(raw)
	if host == "" {
		return
	}
	where := pointer(segs)
	role := classify(segs)
	if role == RoleCallback || role == RoleWebhook {
		w.secured[where] = w.declaresSecurity(segs, role)
	}
	w.refs = append(w.refs, URLRef{URL: raw, Host: host, Where: where, Role: role})
}

func pointer(segs []string) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		b.WriteString(escapePointer(s))
	}
	return b.String()
}

func isAbsURL(s string) bool {
	if len(s) < len("ws://x") || strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	l := strings.ToLower(s[:min(len(s), 8)])
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") ||
		strings.HasPrefix(l, "ws://") || strings.HasPrefix(l, "wss://")
}

// hostOf returns the lower-case host name of an absolute URL, "" when it has
// none usable (unexpanded template, parse error).
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	h := strings.ToLower(u.Hostname())
	if h == "" || strings.ContainsAny(h, "{}") {
		return ""
	}
	return h
}

var leafRoles = map[string]Role{
	"tokenUrl":         RoleTokenEndpoint,
	"authorizationUrl": RoleAuthorizationEndpoint,
	"refreshUrl":       RoleRefreshEndpoint,
	"openIdConnectUrl": RoleOIDCDiscovery,
	"$ref":             RoleRef,

	// OpenAPI 3.2: RFC 8414 metadata and the device flow endpoint.
	"oauth2MetadataUrl":      RoleOIDCDiscovery,
	"deviceAuthorizationUrl": RoleAuthorizationEndpoint,
}

var exampleKeys = map[string]bool{"example": true, "examples": true, "default": true, "enum": true, "const": true}

// classify judges a URL's role from where it appears: the outermost
// extension, callback, webhook, link or example context wins, then the key.
func classify(segs []string) Role {
	for i, s := range segs {
		switch {
		case strings.HasPrefix(s, "x-"):
			return RoleExtension
		case i == 0 && s == "webhooks":
			return RoleWebhook
		case s == "callbacks" && i > 0:
			return RoleCallback
		case s == "links" && i > 0:
			return RoleLink
		case exampleKeys[s] && i > 0:
			return RoleExample
		}
	}
	n := len(segs)
	leaf := segs[n-1]
	if r, ok := leafRoles[leaf]; ok {
		return r
	}
	parent, grand := "", ""
	if n >= 2 {
		parent = segs[n-2]
	}
	if n >= 3 {
		grand = segs[n-3]
	}
	switch {
	case leaf == "url" && grand == "servers":
		return RoleAPIServer
	case leaf == "url" && parent == "externalDocs":
		return RoleDocs
	case n == 2 && segs[0] == "info" && leaf == "termsOfService":
		return RoleTerms
	case n == 3 && segs[0] == "info" && parent == "contact" && leaf == "url":
		return RoleContact
	case n == 3 && segs[0] == "info" && parent == "license" && leaf == "url":
		return RoleLicense
	}
	return RoleOther
}

// declaresSecurity reports whether the callback or webhook holding the URL at
// segs declares a non-anonymous security requirement (webhooks fall back to
// the document's global security).
func (w *urlWalker) declaresSecurity(segs []string, role Role) bool {
	end := 2 // webhooks/<name>
	if role == RoleCallback {
		for i, s := range segs {
			if s == "callbacks" {
				end = i + 3 // .../callbacks/<name>/<expression>
				break
			}
		}
	}
	if end > len(segs) {
		return false
	}
	item, ok := resolvePointer(w.tree, "#"+pointer(segs[:end]))
	m, isMap := item.(map[string]any)
	if !ok || !isMap {
		return false
	}
	for k, op := range m {
		om, ok := op.(map[string]any)
		if !ok || !isMethod(k) {
			continue
		}
		sec, has := om["security"]
		if !has && role == RoleWebhook {
			sec, has = w.tree["security"]
		}
		if has && requiresCredentials(sec) {
			return true
		}
	}
	return false
}

func requiresCredentials(sec any) bool {
	list, ok := sec.([]any)
	if !ok || len(list) == 0 {
		return false
	}
	for _, r := range list {
		if m, ok := r.(map[string]any); !ok || len(m) == 0 {
			return false
		}
	}
	return true
}

// Hosts aggregates URLs by host, sorted by host.
func (a *API) Hosts() []HostRef {
	anyAuth := false
	for _, op := range a.Operations {
		if op.RequiresAuth() {
			anyAuth = true
			break
		}
	}
	byHost := map[string]*HostRef{}
	var order []string
	for _, u := range a.URLs {
		h, ok := byHost[u.Host]
		if !ok {
			h = &HostRef{Host: u.Host}
			byHost[u.Host] = h
			order = append(order, u.Host)
		}
		if !containsRole(h.Roles, u.Role) {
			h.Roles = append(h.Roles, u.Role)
		}
		h.Where = append(h.Where, u.Where)
		if !containsString(h.URLs, u.URL) {
			h.URLs = append(h.URLs, u.URL)
		}
		if a.carries(u, anyAuth) {
			h.CarriesCredentials = true
		}
	}
	sort.Strings(order)
	out := make([]HostRef, 0, len(order))
	for _, host := range order {
		h := byHost[host]
		sort.Slice(h.Roles, func(i, j int) bool { return h.Roles[i] < h.Roles[j] })
		out = append(out, *h)
	}
	return out
}

func (a *API) carries(u URLRef, anyAuth bool) bool {
	switch u.Role {
	case RoleAPIServer:
		return anyAuth
	case RoleTokenEndpoint, RoleAuthorizationEndpoint, RoleRefreshEndpoint:
		return true
	case RoleCallback, RoleWebhook:
		return a.securedLocations[u.Where]
	}
	return false
}

func containsRole(rs []Role, r Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
