package spec

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/plumbsec/plumb/internal/words"
)

// objKind is the kind of OpenAPI object a $ref stands for where it is
// written, or the kind of object that sits where a $ref points.
// kin-openapi rejects the whole document when the two differ (a response
// $ref to a schema); plumb repairs the one spot and says which operations
// it degrades.
type objKind uint8

const (
	kindUnknown objKind = iota
	kindSchema
	kindResponse
	kindParameter
	kindRequestBody
	kindHeader
	kindExample
	kindLink
	kindCallback
	kindSecurityScheme
	kindPathItem
)

var kindNames = [...]string{"unknown object", "schema", "response", "parameter", "request body", "header", "example",
	"link", "callback", "security scheme", "path item"}

func (k objKind) String() string { return kindNames[k] }

// place is where a walk of a document's segments stands: an object of some
// kind, or a map or list of them.
type place uint8

const (
	pOther place = iota
	pRoot
	pPaths // map of path items
	pPathItem
	pOperation
	pParamList // list or map of parameters
	pParameter
	pRequestBodyMap
	pRequestBody
	pResponseMap
	pResponse
	pContent
	pMedia
	pSchemaMap
	pSchemaList
	pSchema
	pHeaderMap
	pHeader
	pExampleMap
	pLinkMap
	pLink
	pCallbackMap
	pCallback
	pSecurityMap
	pComponents
	pExample
	pSecurityScheme
)

var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "options": true,
	"head": true, "patch": true, "trace": true}

// schemaChildren are the schema keywords whose value is a schema, and
// schemaMaps and schemaLists those whose value is a map or list of them.
var (
	schemaChildren = map[string]bool{"items": true, "additionalProperties": true, "not": true, "if": true, "then": true,
		"else": true, "contains": true, "propertyNames": true, "additionalItems": true, "unevaluatedItems": true,
		"unevaluatedProperties": true, "contentSchema": true}
	schemaMaps  = map[string]bool{"properties": true, "patternProperties": true, "dependentSchemas": true}
	schemaLists = map[string]bool{"allOf": true, "anyOf": true, "oneOf": true, "prefixItems": true}
)

// kindAt returns the kind of object at segs (a JSON pointer split into
// segments): what a $ref written there must point to, or what a $ref to
// there points at. kindUnknown when the place is not one kin-openapi
// resolves by kind (extensions, a schema's "definitions", examples).
func kindAt(segs []string, swagger bool) objKind {
	p := pRoot
	for _, seg := range segs {
		p = step(p, seg, swagger)
		if p == pOther {
			return kindUnknown
		}
	}
	switch p {
	case pSchema:
		return kindSchema
	case pResponse:
		return kindResponse
	case pParameter:
		return kindParameter
	case pRequestBody:
		return kindRequestBody
	case pHeader:
		return kindHeader
	case pExample:
		return kindExample
	case pLink:
		return kindLink
	case pCallback:
		return kindCallback
	case pSecurityScheme:
		return kindSecurityScheme
	case pPathItem:
		return kindPathItem
	}
	return kindUnknown
}

// step moves one segment down from p.
func step(p place, seg string, swagger bool) place {
	switch p {
	case pRoot:
		return rootStep(seg, swagger)
	case pPaths:
		return pPathItem
	case pPathItem:
		switch {
		case seg == "parameters":
			return pParamList
		case httpMethods[seg]:
			return pOperation
		}
	case pOperation:
		return operationSteps[seg]
	case pParamList:
		return pParameter
	case pParameter, pHeader:
		return parameterSteps[seg]
	case pRequestBodyMap:
		return pRequestBody
	case pRequestBody:
		if seg == "content" {
			return pContent
		}
	case pResponseMap:
		return pResponse
	case pResponse:
		return responseSteps[seg]
	case pContent:
		return pMedia
	case pMedia:
		if seg == "schema" {
			return pSchema
		}
	case pSchemaMap, pSchemaList:
		return pSchema
	case pSchema:
		switch {
		case schemaChildren[seg]:
			return pSchema
		case schemaMaps[seg]:
			return pSchemaMap
		case schemaLists[seg]:
			return pSchemaList
		}
	case pHeaderMap:
		return pHeader
	case pExampleMap:
		return pExample
	case pLinkMap:
		return pLink
	case pCallbackMap:
		return pCallback
	case pCallback:
		return pPathItem
	case pSecurityMap:
		return pSecurityScheme
	case pComponents:
		return componentSteps[seg]
	}
	return pOther
}

// The members of an object that lead to another kind of place.
var (
	operationSteps = map[string]place{"parameters": pParamList, "requestBody": pRequestBody, "responses": pResponseMap,
		"callbacks": pCallbackMap}
	parameterSteps = map[string]place{"schema": pSchema, "content": pContent}
	responseSteps  = map[string]place{"content": pContent, "headers": pHeaderMap, "links": pLinkMap, "schema": pSchema}
	componentSteps = map[string]place{"schemas": pSchemaMap, "responses": pResponseMap, "parameters": pParamList,
		"requestBodies": pRequestBodyMap, "headers": pHeaderMap, "examples": pExampleMap, "links": pLinkMap,
		"callbacks": pCallbackMap, "securitySchemes": pSecurityMap, "pathItems": pPaths}
)

func rootStep(seg string, swagger bool) place {
	switch seg {
	case "paths", "webhooks":
		return pPaths
	case "components":
		if !swagger {
			return pComponents
		}
	case "definitions":
		if swagger {
			return pSchemaMap
		}
	case "parameters":
		if swagger {
			return pParamList
		}
	case "responses":
		if swagger {
			return pResponseMap
		}
	}
	return pOther
}

// pointerSegs splits a local $ref ("#/components/schemas/A") into
// unescaped segments; ok is false for anything else.
func pointerSegs(ref string) ([]string, bool) {
	frag, ok := strings.CutPrefix(ref, "#")
	if !ok || !strings.HasPrefix(frag, "/") {
		return nil, false
	}
	if unesc, err := url.PathUnescape(frag); err == nil {
		frag = unesc
	}
	parts := strings.Split(frag[1:], "/")
	for i, p := range parts {
		parts[i] = unescapePointer(p)
	}
	return parts, true
}

// maxInlines bounds how many $refs one load may replace by a copy of
// their target, so a document of refs into refs cannot grow without end.
const maxInlines = 256

// checkRefKind repairs a local $ref (already known to resolve) whose
// target is another kind of object than its place calls for:
//   - a response that points to a schema becomes a JSON response with
//     that schema, which is what its author meant;
//   - a schema that points somewhere kin-openapi cannot resolve by kind
//     (a schema's "definitions") gets a copy of the target;
//   - anything else is dropped, as a dangling $ref is.
func (s *sanitizer) checkRefKind(obj map[string]any, ref string, segs []string) {
	want := kindAt(segs, s.swagger)
	if want == kindUnknown {
		return
	}
	got, ok := s.targetKinds[ref]
	if !ok {
		tsegs, isPointer := pointerSegs(ref)
		if !isPointer {
			return
		}
		got = kindAt(tsegs, s.swagger)
		if s.targetKinds == nil {
			s.targetKinds = map[string]objKind{}
		}
		s.targetKinds[ref] = got
	}
	switch {
	case got == want:
	case got == kindUnknown && want == kindSchema:
		target, ok := resolvePointer(s.tree, ref)
		m, isMap := target.(map[string]any)
		if !ok || !isMap || !looksLikeSchema(m) || s.inlines >= maxInlines {
			s.drop(obj, pointer(segs), fmt.Sprintf("$ref %q points to something that is not a schema kin-openapi can resolve", ref))
			return
		}
		s.inlines++
		delete(obj, "$ref")
		for k, v := range deepCopy(m).(map[string]any) {
			if _, clash := obj[k]; !clash {
				obj[k] = v
			}
		}
		s.changed = true
		s.repair(pointer(segs), fmt.Sprintf("$ref %q points into a schema's own members; read as a copy of it", ref))
	case got == kindUnknown:
	case want == kindResponse && got == kindSchema:
		delete(obj, "$ref")
		if _, ok := obj["description"]; !ok {
			obj["description"] = ""
		}
		if s.swagger {
			obj["schema"] = map[string]any{"$ref": ref}
		} else {
			obj["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": ref}}}
		}
		s.changed = true
		s.repair(pointer(segs), fmt.Sprintf("$ref %q points to a schema where a response belongs; read as a JSON response with that schema", ref))
	default:
		s.drop(obj, pointer(segs), fmt.Sprintf("$ref %q points to %s where %s belongs", ref, words.A(got.String()), words.A(want.String())))
	}
}

// looksLikeSchema: a type name, or the members only a schema has.
func looksLikeSchema(m map[string]any) bool {
	switch m["type"].(type) {
	case string, []any:
		return true
	case nil:
	default:
		return false
	}
	for _, k := range []string{"properties", "items", "allOf", "anyOf", "oneOf", "enum", "$ref", "format"} {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

// unreadableLocalFile says why a relative file $ref of a local spec will
// not be read — the file does not exist, or it (or a link on the way)
// leads out of the spec's directory — so the $ref degrades the spots that
// use it instead of failing the whole load. "" when it can be read. The
// reader (readLocalRef) enforces the same confinement.
func (s *sanitizer) unreadableLocalFile(ref string) string {
	if s.dir == "" {
		return ""
	}
	file, _, _ := strings.Cut(ref, "#")
	if file == "" {
		return ""
	}
	if unesc, err := url.PathUnescape(file); err == nil {
		file = unesc
	}
	p := filepath.Join(s.dir, filepath.FromSlash(file))
	if _, err := os.Stat(p); os.IsNotExist(err) {
		return "names a file that does not exist"
	}
	if _, err := confine(s.dir, p); errors.Is(err, errLeaves) {
		return "leaves the spec's directory (not read)"
	}
	return ""
}

// repair records a repaired spot; refWarnings names the operations it
// degrades once the whole document is known.
func (s *sanitizer) repair(where, why string) {
	s.repairs = append(s.repairs, repairNote{where: where, why: why})
}

type repairNote struct{ where, why string }

// refWarnings turns the repairs into warnings that name the operations
// each one degrades: the operation it is written in, or every operation
// that uses (through any chain of $refs) the component it is written in.
func (s *sanitizer) refWarnings() []string {
	if len(s.repairs) == 0 {
		return nil
	}
	out := make([]string, 0, len(s.repairs))
	for _, r := range s.repairs {
		segs, _ := pointerSegs("#" + r.where)
		ops := s.opsAt(segs)
		if len(ops) == 0 && len(segs) >= 2 {
			if c := componentOf(segs); c != "" {
				ops = s.opsUsing(c)
			}
		}
		msg := r.where + ": " + r.why
		switch {
		case len(ops) > 0:
			msg += "; degrades " + listOps(ops)
		case strings.HasPrefix(r.where, "/paths/") || strings.HasPrefix(r.where, "/components/"):
			msg += "; no operation uses it"
		}
		out = append(out, msg)
	}
	s.repairs = nil
	return out
}

func listOps(ops []string) string {
	const show = 5
	if len(ops) <= show {
		return strings.Join(ops, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ops[:show], ", "), len(ops)-show)
}

// opsAt names the operation(s) a place inside /paths belongs to: one
// operation, or every operation of a path item for its shared parts.
func (s *sanitizer) opsAt(segs []string) []string {
	if len(segs) < 2 || (segs[0] != "paths" && segs[0] != "webhooks") {
		return nil
	}
	if len(segs) >= 3 && httpMethods[segs[2]] {
		return []string{strings.ToUpper(segs[2]) + " " + segs[1]}
	}
	return s.pathOps(segs[0], segs[1])
}

// pathOps lists the operations of one path item.
func (s *sanitizer) pathOps(top, path string) []string {
	items, _ := s.tree[top].(map[string]any)
	item, _ := items[path].(map[string]any)
	var out []string
	for m := range item {
		if httpMethods[m] {
			out = append(out, strings.ToUpper(m)+" "+path)
		}
	}
	sortOps(out)
	return out
}

// componentOf is the "#/components/kind/name" (or swagger "#/kind/name")
// a place is inside, "" outside any.
func componentOf(segs []string) string {
	switch {
	case segs[0] == "components" && len(segs) >= 3:
		return "#/components/" + escapePointer(segs[1]) + "/" + escapePointer(segs[2])
	case segs[0] == "definitions" || segs[0] == "parameters" || segs[0] == "responses":
		return "#/" + segs[0] + "/" + escapePointer(segs[1])
	}
	return ""
}

// usedByIndex builds, on first need, which operation or component every
// $ref to a component is written in, from the whole tree (slimming undone
// for the walk): only documents with repairs in components pay for it.
func (s *sanitizer) usedByIndex() {
	if s.usedBy != nil {
		return
	}
	s.usedBy = map[string]map[string]bool{}
	s.slimmed.full(func() { s.collectUses(s.tree, make([]string, 0, 32)) })
}

func (s *sanitizer) collectUses(v any, segs []string) {
	switch t := v.(type) {
	case map[string]any:
		if ref, ok := t["$ref"].(string); ok {
			s.noteUse(ref, segs)
		}
		for k, e := range t {
			if !skipRefKeys[k] && !strings.HasPrefix(k, "x-") {
				s.collectUses(e, append(segs, k))
			}
		}
	case []any:
		for i, e := range t {
			s.collectUses(e, append(segs, strconv.Itoa(i)))
		}
	}
}

// noteUse records which operation or component a $ref to a component is
// written in.
func (s *sanitizer) noteUse(ref string, segs []string) {
	c := componentRE.FindString(ref)
	if c == "" || len(segs) < 2 {
		return
	}
	var user string
	switch {
	case (segs[0] == "paths" || segs[0] == "webhooks") && len(segs) >= 3 && httpMethods[segs[2]]:
		user = strings.ToUpper(segs[2]) + " " + segs[1]
	case segs[0] == "paths" || segs[0] == "webhooks":
		user = "*" + segs[0] + " " + segs[1] // every operation of the path item
	default:
		if user = componentOf(segs); user == "" {
			return
		}
	}
	if s.usedBy == nil {
		s.usedBy = map[string]map[string]bool{}
	}
	if s.usedBy[c] == nil {
		s.usedBy[c] = map[string]bool{}
	}
	s.usedBy[c][user] = true
}

// opsUsing returns the operations that reach component, sorted.
func (s *sanitizer) opsUsing(component string) []string {
	s.usedByIndex()
	seen := map[string]bool{component: true}
	queue := []string{component}
	var ops []string
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		for u := range s.usedBy[c] {
			if seen[u] {
				continue
			}
			seen[u] = true
			switch {
			case strings.HasPrefix(u, "#"):
				queue = append(queue, u)
			case strings.HasPrefix(u, "*"):
				top, path, _ := strings.Cut(u[1:], " ")
				ops = append(ops, s.pathOps(top, path)...)
			default:
				ops = append(ops, u)
			}
		}
	}
	slices.Sort(ops)
	ops = slices.Compact(ops)
	sortOps(ops)
	return ops
}

// componentRE finds the component a $ref points into.
var componentRE = regexp.MustCompile(`^#/(components/[^/]+/[^/]+|definitions/[^/]+|parameters/[^/]+|responses/[^/]+)`)

// sortOps orders "METHOD /path" names by path, then method.
func sortOps(ops []string) {
	key := func(s string) string {
		m, p, _ := strings.Cut(s, " ")
		return p + " " + m
	}
	slices.SortFunc(ops, func(a, b string) int { return strings.Compare(key(a), key(b)) })
}

// maxRefRetries bounds how often one load drops a $ref kin-openapi could
// not resolve and decodes the document again.
const maxRefRetries = 8

// kinRefErrors find the $ref in kin-openapi's resolution errors.
var kinRefErrors = []*regexp.Regexp{
	regexp.MustCompile(`bad data in "([^"]*)" \(expecting`),
	regexp.MustCompile(`error resolving reference "([^"]*)"`),
	regexp.MustCompile(`failed to resolve "[^"]*" in fragment in URI: "([^"]*)"`),
}

// dropFailedRef drops every $ref of the tree that kin-openapi named in e
// as one it could not resolve, recording a repair for each; false when e
// names none that is still in the tree.
func (s *sanitizer) dropFailedRef(e *Error) bool {
	if e == nil || e.Err == nil {
		return false
	}
	msg := e.Err.Error()
	for _, re := range kinRefErrors {
		m := re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		why := fmt.Sprintf("$ref %q could not be resolved (%s)", m[1], firstClause(msg))
		n := s.dropRefs(s.tree, m[1], why, make([]string, 0, 32))
		again := n > 0 || (s.changed && m[1] != s.lastFailed)
		s.changed, s.lastFailed = false, m[1]
		// Dropped now, or already repaired in the tree after kin-openapi
		// decoded the part that holds it: decode again.
		return again
	}
	return false
}

// dropRefs drops the $refs equal to ref (compared unescaped) in v.
func (s *sanitizer) dropRefs(v any, ref, why string, segs []string) int {
	n := 0
	switch t := v.(type) {
	case map[string]any:
		if r, ok := t["$ref"].(string); ok && sameRef(r, ref) {
			s.drop(t, pointer(segs), why)
			n++
		}
		for k, e := range t {
			if !skipRefKeys[k] && !strings.HasPrefix(k, "x-") {
				n += s.dropRefs(e, ref, why, append(segs, k))
			}
		}
	case []any:
		for i, e := range t {
			n += s.dropRefs(e, ref, why, append(segs, fmt.Sprint(i)))
		}
	}
	return n
}

func sameRef(a, b string) bool {
	if a == b {
		return true
	}
	ua, errA := url.PathUnescape(a)
	ub, errB := url.PathUnescape(b)
	return errA == nil && errB == nil && ua == ub
}

// firstClause keeps an error message short for a warning.
func firstClause(msg string) string {
	if i := strings.Index(msg, ": "); i > 0 && i < 160 {
		return msg[:i]
	}
	if len(msg) > 160 {
		return msg[:160] + "…"
	}
	return msg
}

// rootReader serves the document itself, when kin-openapi reads it again
// to resolve a $ref it could not find in its decoded copy, from the
// repaired tree — un-slimmed, since what slimming dropped (examples, links)
// may be what the $ref names: the file on disk (or the URL) still holds
// every $ref the sanitizer repaired.
func (s *sanitizer) rootReader(next openapi3.ReadFromURIFunc, root *url.URL) openapi3.ReadFromURIFunc {
	var self []byte
	return func(l *openapi3.Loader, u *url.URL) ([]byte, error) {
		if root != nil && u.Scheme == root.Scheme && u.Host == root.Host && u.Path == root.Path {
			if self == nil {
				s.slimmed.full(func() { self = mustJSON(s.tree) })
			}
			return self, nil
		}
		return next(l, u)
	}
}

// noteIntoResponse remembers the response a local $ref points into
// ("#/paths/~1a/get/responses/200/content/…"), so slimming keeps its body.
func (s *sanitizer) noteIntoResponse(ref string) {
	var n int
	switch {
	case strings.HasPrefix(ref, "#/paths/"), strings.HasPrefix(ref, "#/webhooks/"):
		n = 5 // paths, path, method, responses, code
	case strings.HasPrefix(ref, "#/components/responses/"):
		n = 3
	default:
		return
	}
	if unesc, err := url.PathUnescape(ref); err == nil {
		ref = unesc
	}
	parts := strings.SplitN(ref[2:], "/", n+1)
	if len(parts) <= n || (n == 5 && parts[3] != "responses") {
		return
	}
	if s.intoResponses == nil {
		s.intoResponses = map[string]bool{}
	}
	s.intoResponses["#/"+strings.Join(parts[:n], "/")] = true
}

// checkMapping drops the entries of a discriminator's mapping that are
// $refs kin-openapi would fail on: a local one that does not resolve, or
// a file that does not exist. A bare schema name is left alone.
func (s *sanitizer) checkMapping(d map[string]any, segs []string) {
	m, ok := d["mapping"].(map[string]any)
	if !ok {
		return
	}
	for _, k := range sortedKeys(m) {
		ref, isStr := m[k].(string)
		bad := ""
		switch {
		case !isStr:
			bad = "is not a string"
		case strings.HasPrefix(ref, "#"):
			if _, ok := resolvePointer(s.tree, ref); !ok {
				bad = fmt.Sprintf("$ref %q does not resolve", ref)
			}
		case strings.Contains(ref, "#") || strings.Contains(ref, "/"):
			if s.base == baseNone || (s.base == baseFile && s.unreadableLocalFile(ref) != "") || (s.base == baseURL && !s.opts.AllowRemoteRefs) {
				bad = fmt.Sprintf("$ref %q names a file that cannot be read", ref)
			}
		}
		if bad != "" {
			delete(m, k)
			s.changed = true
			s.repair(pointer(append(segs, "discriminator", "mapping", k)), "discriminator mapping "+bad+"; ignored")
		}
	}
}
