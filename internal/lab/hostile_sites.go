package lab

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Hostile sites beside api.hostile.test, one misbehaviour each. They are
// what the hostile-target suite (docs/hostile.md) scans.
const (
	// HangHost answers its root and its OpenAPI document; every other
	// path accepts the request and never answers.
	HangHost = "hang.hostile.test"
	// BombHost serves a 1 MB YAML alias bomb as /openapi.yaml: 3,000
	// aliases of one 1 MiB string.
	BombHost = "bomb.hostile.test"
	// BigSpecHost serves as /openapi.yaml a valid YAML document larger
	// than the default 2 MiB body cap, so a prefix of it parses too.
	BigSpecHost = "bigspec.hostile.test"
	// GarbageHost answers with terminal escapes, NUL and invalid UTF-8:
	// as a body, as an OpenAPI document, in path keys of a spec, and as a
	// raw reply that is not HTTP at all.
	GarbageHost = "garbage.hostile.test"
)

// Garbage is the byte string the garbage site puts everywhere: it clears
// a terminal and turns its text red if anything prints it raw.
const Garbage = "\x1b[2J\x1b[31mPWNED\x00\xff\xfe\u202e"

// Sizes of the hostile documents.
const (
	// HangOperations is how many operations the hang site's spec lists.
	HangOperations = 30
	// BigSpecOperations is how many operations the big spec lists.
	BigSpecOperations = 12000
	bombString        = 1 << 20
	bombAliases       = 3000
)

// hostileSites serves the sites above. Documents are built on first use.
type hostileSites struct {
	hangLog RequestLog

	once    sync.Once
	hang    []byte
	bomb    []byte
	bigSpec []byte
}

func (h *hostileSites) build() {
	h.once.Do(func() {
		h.hang = hangSpec()
		h.bomb = aliasBomb(bombString, bombAliases)
		h.bigSpec = bigYAMLSpec(BigSpecOperations)
	})
}

func (h *hostileSites) sites() []Site {
	return []Site{
		{Host: HangHost, Handler: h.hangLog.wrap(http.HandlerFunc(h.serveHang))},
		{Host: BombHost, Handler: h.serveDoc("/openapi.yaml", func() []byte { return h.bomb })},
		{Host: BigSpecHost, Handler: h.serveDoc("/openapi.yaml", func() []byte { return h.bigSpec })},
		{Host: GarbageHost, Handler: http.HandlerFunc(serveGarbage)},
	}
}

// serveGarbage: "/" answers garbage as a body, /openapi.json is garbage,
// /openapi.yaml is a spec whose path keys and summary are garbage, and
// every other path gets a reply that is not HTTP.
func serveGarbage(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/":
		_, _ = w.Write([]byte(Garbage + strings.Repeat("x", 10<<10)))
	case "/openapi.json":
		_, _ = w.Write([]byte("{" + Garbage + strings.Repeat(Garbage, 2000)))
	case "/openapi.yaml":
		k := strconv.Quote("/a" + Garbage + strings.Repeat("y", 500))
		_, _ = fmt.Fprintf(w, "openapi: 3.0.3\ninfo: {title: %s, version: \"1\"}\npaths:\n  /ok: {get: {responses: {\"200\": {description: ok}}}}\n"+
			"  %s: {get: {responses: {\"200\": {description: ok}}}}\n  %s: {get: {parameters: 7}}\n", strconv.Quote(Garbage), k, k)
	default:
		hj, ok := w.(http.Hijacker)
		if !ok {
			return
		}
		conn, buf, err := hj.Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString(Garbage + strings.Repeat("z", 20<<10) + "\r\n\r\n")
		_ = buf.Flush()
	}
}

func (h *hostileSites) serveHang(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/":
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"service":"hang"}` + "\n"))
	case "/openapi.json":
		h.build()
		serveSpec(h.hang)(w, r)
	default:
		<-r.Context().Done()
	}
}

// serveDoc serves one document at path and 404 elsewhere.
func (h *hostileSites) serveDoc(path string, doc func() []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		h.build()
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(doc())
	})
}

// aliasBomb is a YAML OpenAPI document whose aliases repeat one string of
// strLen bytes: few nodes, but strLen × aliases bytes once expanded.
func aliasBomb(strLen, aliases int) []byte {
	var b bytes.Buffer
	b.WriteString("openapi: 3.0.3\ninfo: {title: bomb, version: \"1\"}\npaths:\n  /x:\n    get:\n      responses:\n        \"200\": {description: ok}\n")
	b.WriteString("x-big: &a " + strings.Repeat("A", strLen) + "\nx-list:\n")
	for range aliases {
		b.WriteString("  - *a\n")
	}
	return b.Bytes()
}

// hangSpec lists HangOperations bearer-protected GET operations, some with
// an object id and some under /admin, so authentication, bola, bfla and
// rate-limiting checks all find something to probe.
func hangSpec() []byte {
	var b bytes.Buffer
	b.WriteString(`{"openapi":"3.0.3","info":{"title":"hang API","version":"1"},"servers":[{"url":"https://` + HangHost + `"}],` +
		`"security":[{"bearer":[]}],"components":{"securitySchemes":{"bearer":{"type":"http","scheme":"bearer"}}},"paths":{`)
	for i := range HangOperations {
		if i > 0 {
			b.WriteByte(',')
		}
		path, params := fmt.Sprintf("/api/r%d", i), ""
		switch {
		case i%5 == 4:
			path = fmt.Sprintf("/api/admin/r%d", i)
		case i%2 == 1:
			path += "/{id}"
			params = `"parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"integer"}}],`
		}
		fmt.Fprintf(&b, `%q:{"get":{"operationId":"r%d",%s"responses":{"200":{"description":"ok"}}}}`, path, i, params)
	}
	b.WriteString(`}}`)
	return b.Bytes()
}

// bigYAMLSpec is a YAML document of n operations, one per line group, so
// that any prefix cut at a line is still a valid, smaller document.
func bigYAMLSpec(n int) []byte {
	var b bytes.Buffer
	b.WriteString("openapi: 3.0.3\ninfo: {title: big, version: \"1\"}\npaths:\n")
	for i := range n {
		fmt.Fprintf(&b, "  /items/r%06d:\n    get:\n      operationId: r%06d\n      summary: read item group %06d, padded so the document passes the cap\n      responses: {\"200\": {description: ok}}\n", i, i, i)
	}
	return b.Bytes()
}
