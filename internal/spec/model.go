package spec

import "context"

// LoadOptions configures Load and Parse. The loader never touches the network
// itself: every URL goes through Fetch.
type LoadOptions struct {
	// AllowRemoteRefs permits $refs to http(s) URLs (and relative refs of a
	// document that was itself fetched from a URL).
	AllowRemoteRefs bool
	// Fetch retrieves a URL (the spec itself when the source is an http(s)
	// URL, and remote $refs when allowed). The caller passes plumb's safe
	// network layer here. nil => URLs are an error.
	Fetch func(ctx context.Context, url string) ([]byte, error)
	// MaxBytes caps every document read (0 => 64 MiB).
	MaxBytes int64
}

// DefaultMaxBytes is the document size cap used when LoadOptions.MaxBytes is 0.
const DefaultMaxBytes int64 = 64 << 20

func (o LoadOptions) maxBytes() int64 {
	if o.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return o.MaxBytes
}

// API is the normalized view of one OpenAPI document.
type API struct {
	Source          string
	Version         string // "2.0", "3.0.3", "3.1.0" as declared
	Title           string
	APIVersion      string // info.version
	Servers         []Server
	Operations      []Operation      // sorted by path then method
	SecuritySchemes []SecurityScheme // sorted by name
	URLs            []URLRef         // every absolute http(s)/ws(s) URL the document mentions
	Warnings        []string         // non-fatal problems, never silent

	// declaredSecurity remembers, per callback/webhook location, whether the
	// document declares security for it (see Hosts).
	securedLocations map[string]bool
}

// Server is one server entry; URL has variables expanded to their defaults.
type Server struct {
	URL         string `json:"url"`
	Template    string `json:"template,omitempty"`
	Description string `json:"description,omitempty"`
}

// Operation is one method on one path template.
type Operation struct {
	Method      string // upper case
	Path        string // template, e.g. /users/{id}
	OperationID string
	Summary     string
	Tags        []string
	Params      []Param // path-level and op-level merged, op-level wins
	RequestBody *Body
	Responses   []string      // status codes / "default", sorted
	Security    []Requirement // effective: op-level if set (even empty), else global
	Servers     []Server      // op/path-level overrides, if any
	Deprecated  bool
	Origin      Origin
	// GraphQL names the GraphQL operation for operations read from a
	// GraphQL schema at run time ("query user", "mutation cancelOrder");
	// "" for OpenAPI operations.
	GraphQL string
}

// Requirement is one alternative (OR); its Schemes must all be satisfied
// (AND). An empty Requirement means anonymous access is allowed.
type Requirement struct {
	Schemes []SchemeUse
}

// SchemeUse names a security scheme and the scopes an operation asks of it.
type SchemeUse struct {
	Name   string
	Scopes []string
}

// RequiresAuth reports whether every way to call the operation needs a
// credential.
func (o Operation) RequiresAuth() bool {
	if len(o.Security) == 0 {
		return false
	}
	for _, r := range o.Security {
		if len(r.Schemes) == 0 {
			return false
		}
	}
	return true
}

// Param is one operation parameter.
type Param struct {
	Name     string
	In       string // path, query, header, cookie
	Required bool
	Schema   *Schema
	Example  any
}

// Body is an operation's request body.
type Body struct {
	Required     bool
	ContentTypes []string // sorted
	Schema       *Schema  // of the first JSON-ish content type (else the first with a schema)
}

// Schema is a simplified JSON Schema, enough to generate values. Recursive
// schemas are pointer cycles: walk it with a visited set.
type Schema struct {
	Type       string
	Format     string
	Enum       []any
	Default    any
	Example    any
	Nullable   bool
	Minimum    *float64
	Maximum    *float64
	MinLength  *int64
	MaxLength  *int64
	Pattern    string
	Items      *Schema
	Properties map[string]*Schema
	Required   []string
}

// SecurityScheme is a declared security scheme.
type SecurityScheme struct {
	Name             string
	Type             string // http, apiKey, oauth2, openIdConnect, mutualTLS
	Scheme           string // bearer, basic (http)
	BearerFormat     string
	In               string // apiKey: header/query/cookie
	ParamName        string // apiKey: parameter name
	OpenIDConnectURL string
	Flows            []OAuthFlow
}

// OAuthFlow is one OAuth 2 flow of a scheme.
type OAuthFlow struct {
	Kind             string // implicit, password, clientCredentials, authorizationCode
	AuthorizationURL string
	TokenURL         string
	RefreshURL       string
	Scopes           []string // sorted
}

// Origin is where something is defined in the source document.
type Origin struct {
	File string
	Line int
}

// URLRef is one absolute URL found in the document.
type URLRef struct {
	URL   string `json:"url"`
	Host  string `json:"host"` // lower-case hostname, no port
	Where string `json:"where"`
	Role  Role   `json:"role"`
}

// Role says what a URL is for, judged from where it appears.
type Role string

// Roles of URLs in a document.
const (
	RoleAPIServer             Role = "api-server"
	RoleTokenEndpoint         Role = "token-endpoint"
	RoleAuthorizationEndpoint Role = "authorization-endpoint"
	RoleRefreshEndpoint       Role = "refresh-endpoint"
	RoleOIDCDiscovery         Role = "oidc-discovery"
	RoleDocs                  Role = "docs"
	RoleContact               Role = "contact"
	RoleTerms                 Role = "terms-of-service"
	RoleLicense               Role = "license"
	RoleExtension             Role = "extension"
	RoleLink                  Role = "link"
	RoleCallback              Role = "callback"
	RoleWebhook               Role = "webhook"
	RoleExample               Role = "example"
	RoleRef                   Role = "ref"   // target of an external $ref
	RoleOther                 Role = "other" // any other string that is a URL
)

// HostRef aggregates URLRefs by host.
type HostRef struct {
	Host               string   `json:"host"`
	Roles              []Role   `json:"roles"`
	Where              []string `json:"where"`
	URLs               []string `json:"urls"`
	CarriesCredentials bool     `json:"carries_credentials"`
}
