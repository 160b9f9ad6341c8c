package spec

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// docVersion reads the declared version and rewrites it as a string in the
// tree (unquoted YAML `openapi: 3.0` is a number).
func docVersion(tree map[string]any) (version string, swagger bool, e *Error) {
	if v, ok := tree["swagger"]; ok {
		s := versionString(v)
		if !strings.HasPrefix(s, "2") {
			return "", false, &Error{Location: "/swagger", Msg: fmt.Sprintf("unsupported Swagger version %q", s)}
		}
		tree["swagger"] = s
		return s, true, nil
	}
	if v, ok := tree["openapi"]; ok {
		s := versionString(v)
		if !strings.HasPrefix(s, "3.") {
			return "", false, &Error{Location: "/openapi", Msg: fmt.Sprintf("unsupported OpenAPI version %q", s)}
		}
		tree["openapi"] = s
		return s, false, nil
	}
	return "", false, &Error{Msg: `no "openapi" or "swagger" version field`, Err: ErrNotOpenAPI}
}

func versionString(v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case float64:
		s := strconv.FormatFloat(t, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	case int:
		return strconv.Itoa(t) + ".0"
	default:
		return fmt.Sprint(t)
	}
}

// refBase says how relative $refs resolve.
type refBase int

const (
	baseNone refBase = iota // Parse of bytes with no path: relative refs are an error
	baseFile
	baseURL
)

// sanitizer repairs what would make kin-openapi reject a whole document over
// one bad spot: dangling or cyclic $refs, non-string $refs, a Swagger host
// with a scheme. Every repair becomes a warning.
type sanitizer struct {
	tree     map[string]any
	base     refBase
	opts     LoadOptions
	warnings []string
	changed  bool
	fatal    *Error
	keys     keyStack
	// okRefs remembers, for one walk, the local $refs that resolved: a
	// repair can only shorten their chains, so the verdict stands.
	okRefs map[string]bool

	swagger bool         // a Swagger 2 tree (where components live differs)
	dir     string       // directory of a local spec, for relative file $refs
	inlines int          // $refs replaced by a copy of their target (see checkRefKind)
	repairs []repairNote // repaired $refs, named with their operations at the end (refWarnings)
	// intoResponses holds the responses local $refs point into (see
	// slimForKin), as "#/paths/~1a/get/responses/200".
	intoResponses map[string]bool
	lastFailed    string // the $ref kin-openapi last failed on (dropFailedRef)
	// usedBy maps a component ("#/components/schemas/A") to what $refs it:
	// operations ("GET /a"), path items ("*paths /a") and components.
	usedBy map[string]map[string]bool
	// slimmed undoes slimForKin, for kin-openapi's re-reads of the document.
	slimmed slimEdits
	// targetKinds caches the kind of object at each local $ref's target.
	targetKinds map[string]objKind
}

func (s *sanitizer) warn(format string, args ...any) {
	s.warnings = append(s.warnings, fmt.Sprintf(format, args...))
}

// skipRefKeys hold user data in which "$ref" is just a key.
var skipRefKeys = map[string]bool{"example": true, "examples": true, "default": true, "enum": true, "const": true}

// walkRefs checks every $ref in v (the root). The walk reuses its buffers:
// it visits every node of documents of many megabytes.
func (s *sanitizer) walkRefs(v any) {
	s.okRefs = map[string]bool{}
	s.walkRefsAt(v, make([]string, 0, 64))
}

func (s *sanitizer) walkRefsAt(v any, segs []string) {
	if s.fatal != nil {
		return
	}
	switch t := v.(type) {
	case map[string]any:
		if r, ok := t["$ref"]; ok {
			if ref, isStr := r.(string); !isStr || !s.okRefs[ref] {
				s.checkRef(t, r, pointer(segs))
			}
			if ref, isStr := t["$ref"].(string); isStr && strings.HasPrefix(ref, "#") {
				s.checkRefKind(t, ref, segs)
				s.noteIntoResponse(ref)
			}
		}
		if d, ok := t["discriminator"].(map[string]any); ok {
			s.checkMapping(d, segs)
		}
		for _, k := range s.keys.sorted(len(segs), t) {
			if skipRefKeys[k] || strings.HasPrefix(k, "x-") {
				continue
			}
			s.walkRefsAt(t[k], append(segs, k))
		}
	case []any:
		for i, e := range t {
			s.walkRefsAt(e, append(segs, strconv.Itoa(i)))
		}
	}
}

// keyStack holds one reusable key buffer per depth of a tree walk.
type keyStack struct{ bufs [][]string }

// sorted returns m's keys, sorted, in the buffer of depth: valid until the
// walk next visits a map at that depth.
func (ks *keyStack) sorted(depth int, m map[string]any) []string {
	for len(ks.bufs) <= depth {
		ks.bufs = append(ks.bufs, nil)
	}
	b := ks.bufs[depth][:0]
	for k := range m {
		b = append(b, k)
	}
	slices.Sort(b)
	ks.bufs[depth] = b
	return b
}

func (s *sanitizer) checkRef(obj map[string]any, r any, where string) {
	ref, ok := r.(string)
	if !ok {
		s.drop(obj, where, "$ref is not a string")
		return
	}
	if strings.HasPrefix(ref, "#") {
		s.checkLocalRef(obj, ref, where)
		return
	}
	u, err := url.Parse(ref)
	if err != nil {
		s.drop(obj, where, fmt.Sprintf("$ref %q is not a valid URI", ref))
		return
	}
	switch {
	case u.Scheme == "http" || u.Scheme == "https" || (u.Scheme == "" && s.base == baseURL):
		if !s.opts.AllowRemoteRefs {
			s.fatal = &Error{Location: where, Msg: fmt.Sprintf("$ref %q points to a remote document and remote refs are not allowed", ref), Err: ErrRemoteRef}
		} else if s.opts.Fetch == nil {
			s.fatal = &Error{Location: where, Msg: fmt.Sprintf("$ref %q points to a remote document and no fetcher was configured", ref), Err: ErrRemoteRef}
		}
	case u.Scheme == "" && s.base == baseFile:
		// Local file next to the spec: the reader confines it to that directory.
		if why := s.unreadableLocalFile(ref); why != "" {
			s.drop(obj, where, fmt.Sprintf("$ref %q %s", ref, why))
		}
	case u.Scheme == "":
		s.fatal = &Error{Location: where, Msg: fmt.Sprintf("relative $ref %q cannot be resolved without the document's path", ref)}
	default:
		s.drop(obj, where, fmt.Sprintf("$ref %q uses unsupported scheme %q", ref, u.Scheme))
	}
}

// checkLocalRef drops a $ref whose target is missing or whose chain of
// pure-$ref objects loops back on itself (kin-openapi cannot resolve either).
func (s *sanitizer) checkLocalRef(obj map[string]any, ref, where string) {
	seen := map[string]bool{}
	cur := ref
	for i := 0; i < 64; i++ {
		if seen[cur] {
			s.drop(obj, where, fmt.Sprintf("$ref %q is part of a reference cycle", ref))
			return
		}
		seen[cur] = true
		target, ok := resolvePointer(s.tree, cur)
		if !ok {
			s.drop(obj, where, fmt.Sprintf("$ref %q does not resolve", cur))
			return
		}
		m, isMap := target.(map[string]any)
		if !isMap {
			if _, isArr := target.([]any); isArr || target == nil {
				s.drop(obj, where, fmt.Sprintf("$ref %q points to a non-object", cur))
				return
			}
			s.okRefs[ref] = true
			return
		}
		next, isRef := m["$ref"].(string)
		if !isRef || !strings.HasPrefix(next, "#") {
			s.okRefs[ref] = true
			return
		}
		cur = next
	}
	s.drop(obj, where, fmt.Sprintf("$ref %q chain is too long", ref))
}

func (s *sanitizer) drop(obj map[string]any, where, why string) {
	delete(obj, "$ref")
	s.changed = true
	s.repair(where, why+"; ignored")
}

// resolvePointer resolves a "#/a/b" fragment in tree.
func resolvePointer(tree map[string]any, ref string) (any, bool) {
	frag := strings.TrimPrefix(ref, "#")
	if unesc, err := url.PathUnescape(frag); err == nil {
		frag = unesc
	}
	if frag == "" {
		return tree, true
	}
	if !strings.HasPrefix(frag, "/") {
		return nil, false
	}
	var cur any = tree
	for _, part := range strings.Split(frag[1:], "/") {
		part = unescapePointer(part)
		switch t := cur.(type) {
		case map[string]any:
			v, ok := t[part]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(t) {
				return nil, false
			}
			cur = t[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func unescapePointer(s string) string {
	if !strings.Contains(s, "~") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// fixShapes removes top-level members whose JSON type is wrong outright.
func (s *sanitizer) fixShapes(swagger bool) {
	objects := []string{"info", "paths", "components", "externalDocs", "webhooks", "definitions", "parameters", "responses", "securityDefinitions"}
	arrays := []string{"servers", "security", "tags", "schemes", "consumes", "produces"}
	for _, k := range objects {
		if v, ok := s.tree[k]; ok {
			if _, isMap := v.(map[string]any); !isMap {
				s.removeTop(k, "is not an object")
			}
		}
	}
	for _, k := range arrays {
		if v, ok := s.tree[k]; ok {
			if _, isArr := v.([]any); !isArr {
				s.removeTop(k, "is not an array")
			}
		}
	}
	if info, ok := s.tree["info"].(map[string]any); ok {
		for _, k := range []string{"title", "version"} {
			if v, ok := info[k]; ok {
				if _, isStr := v.(string); !isStr {
					info[k] = scalarString(v)
					s.changed = true
					s.warn("/info/%s is not a string", k)
				}
			}
		}
	}
	if swagger {
		s.fixSwaggerHost()
		s.fixSwaggerSchemes()
	}
}

func (s *sanitizer) removeTop(k, why string) {
	delete(s.tree, k)
	s.changed = true
	s.warn("/%s %s; ignored", k, why)
}

// fixSwaggerHost accepts "https://api.example.com/v1" as a host, which
// openapi2conv rejects.
func (s *sanitizer) fixSwaggerHost() {
	h, ok := s.tree["host"].(string)
	if !ok {
		if _, present := s.tree["host"]; present {
			s.removeTop("host", "is not a string")
		}
		return
	}
	if !strings.Contains(h, "/") {
		return
	}
	host := h
	if u, err := url.Parse(h); err == nil && u.Host != "" {
		host = u.Host
	} else if i := strings.IndexByte(h, '/'); i >= 0 {
		host = h[:i]
	}
	s.tree["host"] = host
	s.changed = true
	s.warn("/host %q must be a bare host name; using %q", h, host)
}

var swaggerFlows = map[string]bool{"implicit": true, "password": true, "application": true, "accessCode": true}

// fixSwaggerSchemes drops security definitions openapi2conv cannot convert.
func (s *sanitizer) fixSwaggerSchemes() {
	defs, _ := s.tree["securityDefinitions"].(map[string]any)
	for _, name := range sortedKeys(defs) {
		d, ok := defs[name].(map[string]any)
		why := ""
		switch {
		case !ok:
			why = "is not an object"
		case d["type"] == "oauth2" && !swaggerFlows[fmt.Sprint(d["flow"])]:
			why = fmt.Sprintf("has unsupported oauth2 flow %v", d["flow"])
		}
		if why != "" {
			delete(defs, name)
			s.changed = true
			s.warn("/securityDefinitions/%s %s; ignored", escapePointer(name), why)
		}
	}
}

func scalarString(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case map[string]any, []any:
		return ""
	default:
		return strings.Trim(string(mustJSON(t)), "\"\n")
	}
}
