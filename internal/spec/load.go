package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"

	"github.com/plumbsec/plumb/internal/safetext"
)

// maxRefDocuments caps how many external documents one load may read.
const maxRefDocuments = 256

// Load reads source (a file path or an http(s) URL) and parses it.
func Load(ctx context.Context, source string, opts LoadOptions) (*API, error) {
	var data []byte
	var err error
	if isHTTPURL(source) {
		if opts.Fetch == nil {
			return nil, &Error{Source: source, Msg: "source is a URL and no fetcher was configured"}
		}
		data, err = opts.Fetch(ctx, source)
	} else {
		data, err = readFileCapped(source, opts.maxBytes())
	}
	if err != nil {
		return nil, &Error{Source: source, Msg: "cannot read document", Err: err}
	}
	return Parse(ctx, data, source, opts)
}

func isHTTPURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

func readFileCapped(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrTooLarge, max)
	}
	return data, nil
}

// Parse parses an OpenAPI document already in memory. source names it in
// errors and is the base for relative $refs (a file path or URL).
func Parse(ctx context.Context, data []byte, source string, opts LoadOptions) (*API, error) {
	api, e := parse(ctx, data, source, opts)
	if e != nil {
		e.Source = source
		return nil, e
	}
	return api, nil
}

func parse(ctx context.Context, data []byte, source string, opts LoadOptions) (*API, *Error) {
	if max := opts.maxBytes(); int64(len(data)) > max {
		return nil, &Error{Msg: fmt.Sprintf("document is %d bytes, larger than the %d byte limit", len(data), max), Err: ErrTooLarge}
	}
	raw, e := decodeRaw(data)
	if e != nil {
		return nil, e
	}
	version, swagger, e := docVersion(raw.tree)
	if e != nil {
		return nil, e
	}
	if err := ctx.Err(); err != nil {
		return nil, &Error{Msg: "canceled", Err: err}
	}
	location, base := refLocation(source)
	s := &sanitizer{tree: raw.tree, base: base, opts: opts, warnings: raw.dups, swagger: swagger}
	if base == baseFile && location != nil {
		s.dir = filepath.Dir(filepath.FromSlash(location.Path))
	}
	s.fixShapes(swagger)
	s.walkRefs(raw.tree)
	if s.fatal != nil {
		return nil, s.fatal
	}
	urls, secured := collectURLs(raw.tree)
	s.slimmed = slimForKin(raw.tree, s.intoResponses)
	read := s.rootReader(newRefReader(ctx, opts, location), location)
	var t *openapi3.T
	var direct *treeConv
	s.changed = false // from here on: repairs made after kin-openapi decoded a part
	for attempt := 0; ; attempt++ {
		if swagger {
			t, e = toKin(ctx, s, location, read)
		} else {
			t, direct, e = parseV3(ctx, s, location, read)
		}
		// A $ref kin-openapi cannot resolve costs the spot it is in, not
		// the document: drop it and decode again.
		if e == nil || attempt == maxRefRetries || ctx.Err() != nil || !s.dropFailedRef(e) {
			break
		}
	}
	if e != nil {
		return nil, e
	}
	api := build(t, raw, source, version, urls, secured, direct)
	api.Warnings = append(append(s.warnings, s.refWarnings()...), api.Warnings...)
	for i, w := range api.Warnings {
		api.Warnings[i] = safetext.Quote(w, maxErrText) // they quote keys and values of the document
	}
	if len(api.Operations) == 0 {
		// A document of webhooks or components only is still a document:
		// its servers and URLs count. Say why there is nothing to request.
		api.Warnings = append(api.Warnings, "no operations imported ("+whyNoOperations(raw.tree, api.Warnings)+")")
	}
	return api, nil
}

func whyNoOperations(tree map[string]any, warnings []string) string {
	paths, ok := tree["paths"].(map[string]any)
	switch {
	case !ok:
		return "paths is missing"
	case len(paths) == 0:
		return "paths is empty"
	case len(warnings) > 0:
		return "every operation was skipped: " + warnings[0]
	default:
		return "paths holds no operations"
	}
}

// refLocation turns source into the base URL kin-openapi resolves relative
// $refs against.
func refLocation(source string) (*url.URL, refBase) {
	if source == "" {
		return nil, baseNone
	}
	if isHTTPURL(source) {
		if u, err := url.Parse(source); err == nil {
			return u, baseURL
		}
		return nil, baseNone
	}
	if st, err := os.Stat(source); err == nil && st.Mode().IsRegular() {
		if abs, err := filepath.Abs(source); err == nil {
			return &url.URL{Path: filepath.ToSlash(abs)}, baseFile
		}
	}
	return nil, baseNone
}

// toKin hands the (sanitized) Swagger 2 tree to kin-openapi and converts it
// to OpenAPI 3. A document kin-openapi cannot decode is pruned piece by piece
// rather than rejected whole.
func toKin(ctx context.Context, s *sanitizer, location *url.URL, read openapi3.ReadFromURIFunc) (*openapi3.T, *Error) {
	decode := func(b []byte) (any, error) {
		var d openapi2.T
		return &d, json.Unmarshal(b, &d)
	}
	v, err := decode(mustJSON(s.tree))
	if err != nil {
		s.warnings = append(s.warnings, prune(s.tree, decode)...)
		s.walkRefs(s.tree) // pruning can leave $refs dangling
		v, err = decode(mustJSON(s.tree))
	}
	if err != nil {
		return nil, &Error{Msg: "cannot decode document", Err: err}
	}
	if err := ctx.Err(); err != nil {
		return nil, &Error{Msg: "canceled", Err: err}
	}
	loader := &openapi3.Loader{Context: ctx, IsExternalRefsAllowed: true, ReadFromURIFunc: read}
	t, err := openapi2conv.ToV3WithLoader(v.(*openapi2.T), loader, location)
	if err != nil {
		return nil, resolveError(err)
	}
	return t, nil
}

func resolveError(err error) *Error {
	var se *Error
	if errors.As(err, &se) {
		return se
	}
	return &Error{Msg: "cannot resolve $refs", Err: err}
}

// mustJSON encodes a decoded tree. The tree holds only JSON-compatible values
// (strings, bools, nil, numbers, maps with string keys, slices), and NaN/Inf
// never get in, so encoding cannot fail.
func mustJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte("null")
	}
	return buf.Bytes()
}

// newRefReader returns the only way kin-openapi may read another document:
// http(s) through opts.Fetch when remote refs are allowed, local files inside
// the directory of a local spec, nothing else.
func newRefReader(ctx context.Context, opts LoadOptions, root *url.URL) openapi3.ReadFromURIFunc {
	reads := 0
	return func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		reads++
		if reads > maxRefDocuments {
			return nil, fmt.Errorf("more than %d referenced documents", maxRefDocuments)
		}
		switch {
		case u.Scheme == "http" || u.Scheme == "https":
			return fetchRef(ctx, opts, u)
		case u.Scheme == "" && root != nil && root.Scheme == "":
			return readLocalRef(root, u, opts.maxBytes())
		case u.Scheme == "" && u.Host == "" && root != nil && (root.Scheme == "http" || root.Scheme == "https"):
			// kin-openapi hands a root-relative ref ("/schemas/x.json") of a
			// document read from a URL over as a bare path: it names a
			// document on the same origin.
			return fetchRef(ctx, opts, root.ResolveReference(u))
		default:
			return nil, &Error{Location: u.String(), Msg: fmt.Sprintf("$ref %q cannot be read (only local files next to the spec and, if allowed, http(s) URLs)", u.String())}
		}
	}
}

func fetchRef(ctx context.Context, opts LoadOptions, u *url.URL) ([]byte, error) {
	ref := u.String()
	if !opts.AllowRemoteRefs || opts.Fetch == nil {
		return nil, &Error{Location: ref, Msg: fmt.Sprintf("$ref %q points to a remote document and remote refs are not allowed", ref), Err: ErrRemoteRef}
	}
	data, err := opts.Fetch(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("fetch $ref %s: %w", ref, err)
	}
	if int64(len(data)) > opts.maxBytes() {
		return nil, fmt.Errorf("$ref %s: %w", ref, ErrTooLarge)
	}
	return data, nil
}

// readLocalRef reads a local $ref target if it lies inside the spec's
// directory once every symlink is resolved: a link next to the spec must
// not lead out of it. The target is read through its resolved path, and
// errors name the ref, never the bytes of a file that was refused.
func readLocalRef(root, u *url.URL, max int64) ([]byte, error) {
	dir := filepath.Dir(filepath.FromSlash(root.Path))
	real, err := confine(dir, filepath.Clean(filepath.FromSlash(u.Path)))
	switch {
	case errors.Is(err, errLeaves):
		return nil, &Error{Location: u.Path, Msg: fmt.Sprintf("$ref %q leaves the spec's directory", u.Path)}
	case err != nil:
		return nil, &Error{Location: u.Path, Msg: fmt.Sprintf("$ref %q cannot be read", u.Path), Err: errors.Unwrap(err)}
	}
	return readFileCapped(real, max)
}

// errLeaves: a local $ref's target, or a link on the way to it, lies
// outside the spec's directory.
var errLeaves = errors.New("leaves the spec's directory")

// confine returns the real path of p once every symlink is resolved, or
// errLeaves when p or what it links to is outside dir.
func confine(dir, p string) (string, error) {
	if !inside(dir, p) {
		return "", errLeaves
	}
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", err
	}
	if !inside(realDir, real) {
		return "", errLeaves
	}
	return real, nil
}

// inside reports whether path p is dir or below it.
func inside(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
