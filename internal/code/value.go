package code

import "strings"

// grade is how sure a credential link is. Higher is surer.
type grade uint8

const (
	gradeNone      grade = iota
	gradePossible        // the same file names the host and attaches credentials
	gradeLikely          // the same client, session, setting or wrapper function
	gradeConfirmed       // the same call (or request object) names both
)

var gradeNames = [...]string{"", "possible", "likely", "confirmed"}

func (g grade) String() string { return gradeNames[g] }

// urlRef is a URL or host string a value may hold, where it is written.
type urlRef struct {
	raw    string
	scheme string // "" for a bare host
	host   string
	line   int
	name   string // the variable or setting that names it
	file   string // "" for this file; set when it comes from a setting elsewhere
	// dflt: a parameter's default, which a caller may replace: a call that
	// reads it is linked at best as likely.
	dflt bool
}

// cred is evidence that a value attaches a credential.
type cred struct {
	line int
	how  string // "Authorization header", "auth=", …
	// wrapper: the credential comes from a helper function, so the link is
	// at best likely.
	wrapper bool
}

// client is an HTTP client, session, or request object and what is set
// on it.
type client struct {
	kind string // e.g. "requests.Session", "axios", "net/http.Client", "net/http.Request"
	line int
	base value // the base URL (httpx base_url, axios baseURL, got prefixUrl) or a request's URL
	cred *cred
	// credSameCall: the credential is set in the call that made the client
	// (axios.create({baseURL, headers})), or this is a request object: a
	// link to its base is confirmed.
	credSameCall bool
	request      bool // a request object (Go *http.Request, urllib Request)
	timeout      bool // a timeout is configured on the client
	timeoutNA    bool // the library has a default timeout
}

// value is what the analyzer knows about an expression's value.
type value struct {
	urls     []urlRef
	settings []string // setting names the value is read from (env vars, config keys, constants elsewhere)
	// refs are names defined in another file that the value is read
	// from: imported by an explicit import, or in the same Go package.
	refs []symRef
	// params are parameters of the enclosing function the value starts
	// with: a call whose URL is one is a wrapper its callers supply.
	params   []paramRef
	env      bool // the host part comes from the environment
	input    bool // the host part comes from the request being served (user input)
	location bool // the value is a response's Location header
	cred     *cred
	client   *client
	dict     *expr // a dict/object literal the value is
	dictSc   *scope
	fn       *funcDef
	str      string // the exact string, when strOK
	strOK    bool
}

func (v *value) merge(o value) {
	v.urls = append(v.urls, o.urls...)
	v.settings = append(v.settings, o.settings...)
	v.refs = append(v.refs, o.refs...)
	v.params = append(v.params, o.params...)
	v.env = v.env || o.env
	v.input = v.input || o.input
	v.location = v.location || o.location
	if v.cred == nil {
		v.cred = o.cred
	}
	if v.client == nil {
		v.client = o.client
	}
	if v.dict == nil {
		v.dict, v.dictSc = o.dict, o.dictSc
	}
	if v.fn == nil {
		v.fn = o.fn
	}
}

// hostKnown says the value names at least one destination.
func (v value) hostKnown() bool { return len(v.urls) > 0 || len(v.settings) > 0 || len(v.refs) > 0 }

// relative says a URL value is a path to be joined to a client's base.
func (v value) relative() bool {
	if len(v.urls) > 0 || v.env || v.input || v.location || len(v.settings) > 0 || len(v.refs) > 0 {
		return false
	}
	return !v.strOK || !strings.Contains(v.str, "://")
}

// scope holds the assignments visible in one function (or the module, or
// a class's attributes).
type scope struct {
	vars   map[string][]*expr
	parent *scope
	fn     *funcDef
	class  string
	memo   map[string]*value
}

func newScope(parent *scope, fn *funcDef) *scope {
	sc := &scope{vars: map[string][]*expr{}, parent: parent, fn: fn, memo: map[string]*value{}}
	if fn != nil {
		sc.class = fn.class
		for i, p := range fn.params {
			// Parameters are names without a known value; self/this are the class.
			isSelfParam := i == 0 && fn.class != "" && (p == "self" || p == "cls")
			if p != "" && !isSelfParam {
				sc.vars[p] = nil
			}
		}
	}
	return sc
}
