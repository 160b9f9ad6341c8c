package spec

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, name string) *API {
	t.Helper()
	api, err := Load(context.Background(), filepath.Join("testdata", name), LoadOptions{})
	if err != nil {
		t.Fatalf("Load(%s): %v", name, err)
	}
	return api
}

func findOp(t *testing.T, api *API, method, path string) Operation {
	t.Helper()
	for _, op := range api.Operations {
		if op.Method == method && op.Path == path {
			return op
		}
	}
	t.Fatalf("operation %s %s not found in %d operations", method, path, len(api.Operations))
	return Operation{}
}

func hostRef(api *API, host string) (HostRef, bool) {
	for _, h := range api.Hosts() {
		if h.Host == host {
			return h, true
		}
	}
	return HostRef{}, false
}

func TestLoadDocuments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, version, title string
		ops                  []string // "METHOD path", in order
	}{
		{"swagger2.yaml", "2.0", "Legacy Pets", []string{"GET /pets", "POST /pets", "GET /pets/{id}"}},
		{"openapi30.yaml", "3.0.3", "Shop", []string{"GET /orders", "POST /orders", "GET /orders/{id}"}},
		{"openapi31.json", "3.1.0", "Events", []string{"GET /events"}},
		{"circular.yaml", "3.0.0", "Tree", []string{"GET /nodes", "POST /nodes"}},
		{"auth.yaml", "3.0.1", "Auth zoo", []string{"GET /things"}},
		{"security.yaml", "3.0.3", "Security overrides", []string{"GET /ghost", "GET /optional", "GET /private", "GET /public"}},
		{"messy.yaml", "3.0.0", "Messy", []string{"GET /good"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			api := load(t, tc.file)
			if api.Version != tc.version || api.Title != tc.title {
				t.Errorf("version/title = %q/%q, want %q/%q", api.Version, api.Title, tc.version, tc.title)
			}
			var got []string
			for _, op := range api.Operations {
				got = append(got, op.Method+" "+op.Path)
			}
			if !slices.Equal(got, tc.ops) {
				t.Errorf("operations = %q, want %q", got, tc.ops)
			}
			for _, op := range api.Operations {
				if op.Origin.Line == 0 || !strings.HasSuffix(op.Origin.File, tc.file) {
					t.Errorf("%s %s: origin %+v not recorded", op.Method, op.Path, op.Origin)
				}
			}
		})
	}
}

func TestSwagger2(t *testing.T) {
	t.Parallel()
	api := load(t, "swagger2.yaml")
	if len(api.Servers) != 1 || api.Servers[0].URL != "https://legacy.example.com/v1" {
		t.Errorf("servers = %+v", api.Servers)
	}
	post := findOp(t, api, "POST", "/pets")
	if post.RequestBody == nil || post.RequestBody.Schema == nil || post.RequestBody.Schema.Properties["name"] == nil {
		t.Fatalf("body not converted: %+v", post.RequestBody)
	}
	if got := post.RequestBody.Schema.Properties["name"].MinLength; got == nil || *got != 1 {
		t.Errorf("minLength = %v", got)
	}
	if len(post.Security) != 1 || post.Security[0].Schemes[0].Name != "petauth" {
		t.Errorf("POST security = %+v", post.Security)
	}
	if get := findOp(t, api, "GET", "/pets/{id}"); get.RequiresAuth() || len(get.Params) != 1 || !get.Params[0].Required {
		t.Errorf("GET /pets/{id} = %+v", get)
	}
	if !findOp(t, api, "GET", "/pets").RequiresAuth() {
		t.Error("global apiKey security not applied")
	}
	h, ok := hostRef(api, "legacy.example.com")
	if !ok || !h.CarriesCredentials || !slices.Contains(h.Roles, RoleAPIServer) {
		t.Errorf("legacy.example.com host = %+v", h)
	}
	if h, _ := hostRef(api, "login.example.com"); !slices.Equal(h.Roles, []Role{RoleAuthorizationEndpoint, RoleTokenEndpoint}) || !h.CarriesCredentials {
		t.Errorf("login.example.com host = %+v", h)
	}
	if h, _ := hostRef(api, "legal.example.com"); !slices.Equal(h.Roles, []Role{RoleTerms}) || h.CarriesCredentials {
		t.Errorf("legal.example.com host = %+v", h)
	}
}

func TestOpenAPI30(t *testing.T) {
	t.Parallel()
	api := load(t, "openapi30.yaml")
	if len(api.Servers) != 2 || api.Servers[0].URL != "https://eu.shop.example.com:8443/api" || api.Servers[1].URL != "/relative" {
		t.Errorf("servers = %+v", api.Servers)
	}
	get := findOp(t, api, "GET", "/orders/{id}")
	if len(get.Params) != 2 || get.Params[1].Name != "verbose" || !get.Params[1].Required || get.Params[1].Schema.Type != "string" {
		t.Errorf("merged params = %+v", get.Params)
	}
	post := findOp(t, api, "POST", "/orders")
	if !post.Deprecated || !slices.Equal(post.Responses, []string{"201", "400"}) {
		t.Errorf("POST /orders = %+v", post)
	}
	b := post.RequestBody
	if b == nil || !slices.Equal(b.ContentTypes, []string{"application/json", "application/xml"}) || b.Schema.Type != "object" {
		t.Fatalf("body = %+v", b)
	}
	item := b.Schema.Properties["items"].Items
	if item == nil || item.Properties["qty"] == nil || item.Properties["sku"] == nil || !slices.Contains(item.Required, "sku") {
		t.Errorf("allOf not merged: %+v", item)
	}
	list := findOp(t, api, "GET", "/orders")
	if len(list.Servers) != 1 || list.Servers[0].URL != "https://orders.example.com" || list.Params[0].Example != "open" {
		t.Errorf("GET /orders = %+v", list)
	}
	if s := api.SecuritySchemes; len(s) != 1 || s[0].Type != "http" || s[0].Scheme != "bearer" || s[0].BearerFormat != "JWT" {
		t.Errorf("schemes = %+v", s)
	}
}

func TestURLRoles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, where, host string
		role              Role
	}{
		{"openapi30.yaml", "/servers/0/url", "eu.shop.example.com", RoleAPIServer},
		{"openapi30.yaml", "/paths/~1orders/servers/0/url", "orders.example.com", RoleAPIServer},
		{"openapi30.yaml", "/info/contact/url", "support.example.com", RoleContact},
		{"openapi30.yaml", "/info/license/url", "opensource.org", RoleLicense},
		{"openapi30.yaml", "/paths/~1orders/get/responses/200/links/self/server/url", "links.example.com", RoleLink},
		{"openapi30.yaml", "/paths/~1orders/post/callbacks/onShipped/https:~1~1hooks.example.com~1shipped", "hooks.example.com", RoleCallback},
		{"openapi30.yaml", "/paths/~1orders/post/callbacks/onShipped/{$request.body#~1callbackUrl}/post/servers/0/url", "callbacks.example.com", RoleCallback},
		{"openapi30.yaml", "/paths/~1orders~1{id}/get/responses/200/content/application~1json/example/next", "example-data.example.com", RoleExample},
		{"auth.yaml", "/components/securitySchemes/oauth/flows/clientCredentials/tokenUrl", "auth.example.com", RoleTokenEndpoint},
		{"auth.yaml", "/components/securitySchemes/oauth/flows/clientCredentials/refreshUrl", "refresh.example.com", RoleRefreshEndpoint},
		{"auth.yaml", "/components/securitySchemes/oauth/flows/authorizationCode/authorizationUrl", "login.example.com", RoleAuthorizationEndpoint},
		{"auth.yaml", "/components/securitySchemes/oidc/openIdConnectUrl", "id.example.com", RoleOIDCDiscovery},
		{"auth.yaml", "/externalDocs/url", "docs.example.com", RoleDocs},
		{"auth.yaml", "/paths/~1things/x-upstream", "metrics.internal.example.com", RoleExtension},
		{"auth.yaml", "/paths/~1things/get/x-upstream", "legacy-backend.example.com", RoleExtension},
		{"openapi31.json", "/webhooks/newEvent/post/servers/0/url", "webhook-sender.example.com", RoleWebhook},
		{"swagger2.yaml", "/host", "legacy.example.com", RoleAPIServer},
	}
	for _, tc := range tests {
		t.Run(tc.file+tc.where, func(t *testing.T) {
			t.Parallel()
			api := load(t, tc.file)
			for _, u := range api.URLs {
				if u.Where == tc.where {
					if u.Host != tc.host || u.Role != tc.role {
						t.Errorf("got %+v, want host %s role %s", u, tc.host, tc.role)
					}
					return
				}
			}
			t.Errorf("no URL at %s; have %+v", tc.where, api.URLs)
		})
	}
}

func TestRelativeServerHasNoHost(t *testing.T) {
	t.Parallel()
	api := load(t, "openapi30.yaml")
	for _, u := range api.URLs {
		if strings.Contains(u.URL, "relative") {
			t.Errorf("relative server produced a URLRef: %+v", u)
		}
	}
}

func TestCarriesCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, host string
		want       bool
	}{
		{"auth.yaml", "api.example.com", true},
		{"auth.yaml", "auth.example.com", true},
		{"auth.yaml", "refresh.example.com", true},
		{"auth.yaml", "login.example.com", true},
		{"auth.yaml", "id.example.com", false},
		{"auth.yaml", "docs.example.com", false},
		{"auth.yaml", "metrics.internal.example.com", false},
		{"openapi30.yaml", "hooks.example.com", true},      // callback declares bearer
		{"openapi30.yaml", "callbacks.example.com", false}, // callback declares nothing
		{"openapi31.json", "webhook-sender.example.com", true},
		{"openapi31.json", "events.example.com", true},
		{"circular.yaml", "none.example.com", false},
	}
	for _, tc := range tests {
		t.Run(tc.file+"/"+tc.host, func(t *testing.T) {
			t.Parallel()
			h, _ := hostRef(load(t, tc.file), tc.host)
			if h.CarriesCredentials != tc.want {
				t.Errorf("CarriesCredentials(%s) = %v, want %v (%+v)", tc.host, h.CarriesCredentials, tc.want, h)
			}
		})
	}
}

func TestSecurityOverrides(t *testing.T) {
	t.Parallel()
	api := load(t, "security.yaml")
	tests := []struct {
		path         string
		alternatives int
		auth         bool
	}{
		{"/public", 0, false},
		{"/optional", 2, false},
		{"/private", 1, true},
		{"/ghost", 1, true},
	}
	for _, tc := range tests {
		op := findOp(t, api, "GET", tc.path)
		if len(op.Security) != tc.alternatives || op.RequiresAuth() != tc.auth {
			t.Errorf("%s: security %+v auth %v, want %d alternatives auth %v", tc.path, op.Security, op.RequiresAuth(), tc.alternatives, tc.auth)
		}
	}
	if p := findOp(t, api, "GET", "/private"); len(p.Security[0].Schemes) != 2 {
		t.Errorf("AND of schemes lost: %+v", p.Security)
	}
	if !slices.ContainsFunc(api.Warnings, func(w string) bool { return strings.Contains(w, `"nosuch"`) }) {
		t.Errorf("undefined scheme not warned: %q", api.Warnings)
	}
}

func TestOpenAPI31(t *testing.T) {
	t.Parallel()
	api := load(t, "openapi31.json")
	ev := findOp(t, api, "GET", "/events")
	s := ev.Params
	_ = s
	// Response schemas are not modelled; check the 3.1 schema constructs via
	// the webhook's component through a fresh document with a request body.
	data, err := os.ReadFile("testdata/openapi31.json")
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Replace(string(data), `"security": [{"key": []}],`, `"security": [{"key": []}], "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}}},`, 1)
	api, err = Parse(context.Background(), []byte(doc), "mem.json", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	body := findOp(t, api, "GET", "/events").RequestBody
	if body == nil || body.Schema == nil {
		t.Fatal("no body")
	}
	p := body.Schema.Properties
	if p["note"].Type != "string" || !p["note"].Nullable || p["note"].Example != "hello" {
		t.Errorf("note = %+v", p["note"])
	}
	if p["count"].Type != "integer" || !p["count"].Nullable {
		t.Errorf("count = %+v", p["count"])
	}
	if !slices.Equal(p["kind"].Enum, []any{"created"}) {
		t.Errorf("const not mapped to enum: %+v", p["kind"])
	}
	if p["meta"] == nil || p["meta"].Properties["source"] == nil {
		t.Errorf("$ref with sibling not resolved: %+v", p["meta"])
	}
	types := map[string]string{}
	for _, sc := range api.SecuritySchemes {
		types[sc.Name] = sc.Type
	}
	if types["mtls"] != "mutualTLS" || types["key"] != "apiKey" {
		t.Errorf("schemes = %+v", api.SecuritySchemes)
	}
}

func TestCircularRefs(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	api, err := Load(ctx, "testdata/circular.yaml", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	node := findOp(t, api, "POST", "/nodes").RequestBody.Schema
	if node == nil || node.Properties["b"] == nil || node.Properties["b"].Properties["a"] != node {
		t.Errorf("A<->B cycle is not a pointer cycle: %+v", node)
	}
	if !slices.ContainsFunc(api.Warnings, func(w string) bool { return strings.Contains(w, "cycle") }) {
		t.Errorf("pure $ref loop not reported: %q", api.Warnings)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file     string
		is       error
		contains []string
	}{
		{"broken.yaml", nil, []string{"broken.yaml", "line 8: invalid YAML"}}, // the "[" left open; yaml.v3 itself says line 7,
		{"not_openapi.json", ErrNotOpenAPI, []string{"not_openapi.json"}},
		{"page.html", ErrNotOpenAPI, []string{"HTML"}},
		{"does-not-exist.yaml", nil, []string{"does-not-exist.yaml", "cannot read"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			_, err := Load(context.Background(), filepath.Join("testdata", tc.file), LoadOptions{})
			if err == nil {
				t.Fatal("no error")
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Errorf("error %T is not *spec.Error", err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.is)
			}
			for _, c := range tc.contains {
				if !strings.Contains(err.Error(), c) {
					t.Errorf("error %q does not mention %q", err, c)
				}
			}
		})
	}
}

func TestJSONSyntaxErrorNamesLine(t *testing.T) {
	t.Parallel()
	doc := "{\n  \"openapi\": \"3.0.0\",\n  \"paths\": {\n    \"/a\": {,}\n  }\n}\n"
	_, err := Parse(context.Background(), []byte(doc), "x.json", LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "line 4") {
		t.Errorf("err = %v, want line 4", err)
	}
}

func TestMaxBytes(t *testing.T) {
	t.Parallel()
	_, err := Load(context.Background(), "testdata/openapi30.yaml", LoadOptions{MaxBytes: 100})
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("err = %v, want ErrTooLarge", err)
	}
}

func TestMessyDocumentWarns(t *testing.T) {
	t.Parallel()
	api := load(t, "messy.yaml")
	for _, want := range []string{"/paths/~1bad", "Missing", "cycle"} {
		if !slices.ContainsFunc(api.Warnings, func(w string) bool { return strings.Contains(w, want) }) {
			t.Errorf("no warning mentioning %q: %q", want, api.Warnings)
		}
	}
}

func remoteDoc(base string) []byte {
	data, _ := os.ReadFile("testdata/remote_ref.yaml")
	return []byte(strings.ReplaceAll(string(data), "REMOTE", base))
}

func TestRemoteRefNotAllowed(t *testing.T) {
	t.Parallel()
	_, err := Parse(context.Background(), remoteDoc("https://schemas.example.com"), "remote.yaml", LoadOptions{
		Fetch: func(context.Context, string) ([]byte, error) { t.Error("fetched without permission"); return nil, nil },
	})
	if !errors.Is(err, ErrRemoteRef) || !strings.Contains(err.Error(), "https://schemas.example.com/pet.yaml#/Pet") {
		t.Errorf("err = %v, want ErrRemoteRef naming the ref", err)
	}
}

func TestRemoteRefWithFetch(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/pet.yaml" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte("Pet:\n  type: object\n  properties:\n    name: {type: string}\n"))
	}))
	defer srv.Close()
	fetched := 0
	fetch := func(ctx context.Context, u string) ([]byte, error) {
		fetched++
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		buf := make([]byte, 4096)
		n, _ := resp.Body.Read(buf)
		return buf[:n], nil
	}
	api, err := Parse(context.Background(), remoteDoc(srv.URL), "remote.yaml", LoadOptions{AllowRemoteRefs: true, Fetch: fetch})
	if err != nil {
		t.Fatal(err)
	}
	if fetched == 0 {
		t.Error("Fetch never called")
	}
	body := findOp(t, api, "POST", "/pets").RequestBody
	if body == nil || body.Schema == nil || body.Schema.Properties["name"] == nil {
		t.Errorf("remote schema not resolved: %+v", body)
	}
}

func TestLoadFromURL(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/auth.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fetch := func(_ context.Context, u string) ([]byte, error) {
		if u != "https://api.example.com/openapi.yaml" {
			return nil, errors.New("unexpected " + u)
		}
		return data, nil
	}
	api, err := Load(context.Background(), "https://api.example.com/openapi.yaml", LoadOptions{Fetch: fetch})
	if err != nil || api.Title != "Auth zoo" {
		t.Fatalf("Load URL: %v", err)
	}
	if _, err := Load(context.Background(), "https://api.example.com/openapi.yaml", LoadOptions{}); err == nil {
		t.Error("URL without Fetch did not fail")
	}
}

func TestSummary(t *testing.T) {
	t.Parallel()
	s := load(t, "security.yaml").Summary()
	if s.Operations != 4 || s.OperationsRequiringAuth != 2 || s.ByMethod["GET"] != 4 || len(s.SecuritySchemes) != 2 || len(s.Hosts) != 1 {
		t.Errorf("summary = %+v", s)
	}
	a := load(t, "auth.yaml").Summary()
	if len(a.SecuritySchemes) != 2 || !slices.Contains(a.SecuritySchemes[0].URLs, "https://auth.example.com/oauth/token") {
		t.Errorf("scheme urls = %+v", a.SecuritySchemes)
	}
}

// TestEmptyPathsLoadWithAWarning: a document without operations (webhooks
// or components only) loads; the warning says why there is nothing to request.
func TestEmptyPathsLoadWithAWarning(t *testing.T) {
	t.Parallel()
	api, err := Load(context.Background(), filepath.Join("testdata", "empty_paths.yaml"), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(api.Operations) != 0 || !slices.ContainsFunc(api.Warnings, func(w string) bool {
		return strings.Contains(w, "no operations imported") && strings.Contains(w, "paths is empty")
	}) {
		t.Errorf("operations %d, warnings %q", len(api.Operations), api.Warnings)
	}
}

// TestBadRefsDegradeOperationsNotTheLoad: a $ref to the wrong kind of
// object, into a schema's own members, or to a file that does not exist
// costs the spot it is in; the warning names the operations it degrades.
func TestBadRefsDegradeOperationsNotTheLoad(t *testing.T) {
	t.Parallel()
	api, err := Load(context.Background(), filepath.Join("testdata", "badrefs.yaml"), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(api.Operations) != 6 {
		t.Errorf("%d operations, want 6", len(api.Operations))
	}
	settings := findOp(t, api, "GET", "/settings")
	if len(settings.Responses) != 1 || settings.Responses[0] != "200" {
		t.Errorf("GET /settings responses %v", settings.Responses)
	}
	for _, want := range []string{
		"points to a schema where a response belongs; read as a JSON response with that schema; degrades GET /settings",
		"points to a parameter where a schema belongs; ignored; degrades GET /vehicles",
		`"#/components/schemas/Item/definitions/kind" points into a schema's own members; read as a copy of it; degrades GET /items, GET /items/{id}`,
		`"#/components/schemas/Item/definitions/status" points to something that is not a schema`,
		"points to a response where a schema belongs; ignored; degrades GET /items, GET /items/{id}",
		`discriminator mapping $ref "models/missing.yml#/record_a" names a file that cannot be read; ignored; degrades POST /records`,
		`$ref "missing-models.yaml#/Thing" names a file that does not exist; ignored; degrades GET /external`,
	} {
		if !slices.ContainsFunc(api.Warnings, func(w string) bool { return strings.Contains(w, want) }) {
			t.Errorf("no warning %q in\n%s", want, strings.Join(api.Warnings, "\n"))
		}
	}
}

// readOnly and the first 2xx response's schema are modelled by both
// converters (kin-openapi for 3.0, the tree for 3.1).
func TestReadOnlyAndResponseSchema(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"3.0.3", "3.1.0"} {
		doc := `{"openapi": "` + version + `", "info": {"title": "t", "version": "1"}, "paths": {"/me": {
			"patch": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Me"}}}},
				"responses": {"204": {"description": "none"}, "200": {"description": "me", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Me"}}}}}}}},
			"components": {"schemas": {"Me": {"type": "object", "properties": {
				"role": {"type": "string", "readOnly": true, "enum": ["customer", "chef"]},
				"password": {"type": "string", "writeOnly": true}}}}}}`
		api, err := Parse(context.Background(), []byte(doc), "mem.json", LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		op := findOp(t, api, "PATCH", "/me")
		req, resp := op.RequestBody.Schema, op.Response
		if resp == nil || resp.Properties["role"] == nil || !resp.Properties["role"].ReadOnly || len(resp.Properties["role"].Enum) != 2 {
			t.Errorf("%s: response schema %+v", version, resp)
		}
		if req == nil || !req.Properties["role"].ReadOnly || !req.Properties["password"].WriteOnly || req.Properties["password"].ReadOnly {
			t.Errorf("%s: request schema %+v", version, req)
		}
	}
}
