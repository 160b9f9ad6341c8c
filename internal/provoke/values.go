package provoke

import (
	"strings"

	"github.com/plumbsec/plumb/internal/spec"
)

// Kind names what a breaking value tries.
type Kind string

// The kinds of provocation.
const (
	WrongType     Kind = "wrong type"          // "5m" where a number, boolean, uuid or date is expected
	OutOfRange    Kind = "out of range"        // a number no 64-bit integer holds
	Empty         Kind = "empty"               // the parameter present with no value
	Long          Kind = "very long"           // a value far past any sane length
	Unicode       Kind = "unicode"             // non-ASCII, astral and bidi-control characters
	Object        Kind = "object"              // name[plumb]=1: a query string parsed into an object
	NotInEnum     Kind = "not in enum"         // a value outside the declared enum
	Negotiation   Kind = "unexpected Accept"   // Accept and Content-Type no handler expects
	MalformedJSON Kind = "malformed JSON body" // a body that no JSON parser accepts (--allow-writes only)
)

// The values sent. They are harmless: no quotes, no markup, no paths, no
// injection syntax; they only break type, range and encoding assumptions.
const (
	wrongTypeValue  = "5m"
	outOfRangeValue = "99999999999999999999" // 2^66: overflows int64 and double-exact integers
	notInEnumValue  = "plumb-unknown-value"
	unicodeValue    = "plumb-ü-中-𝔭-\u202e" // Latin-1, CJK, astral plane and a bidi override
	longLen         = 2048
	unexpectedType  = "application/x-plumb-unexpected"
	malformedBody   = `{"plumb": [1, 2,` // truncated JSON
)

var longValue = strings.Repeat("A", longLen)

// value is one breaking value for one parameter.
type value struct {
	kind Kind
	v    string
}

// values returns the breaking values for p, most telling first; the plan
// sends at most MaxPerParam of them. A path parameter is never empty (that
// changes the route, not the value) nor an object (paths have no names).
func values(p spec.Param) []value {
	s := p.Schema
	query := p.In == "query"
	var out []value
	add := func(k Kind, v string, ok bool) {
		if ok {
			out = append(out, value{k, v})
		}
	}
	switch {
	case s != nil && len(s.Enum) > 0:
		add(NotInEnum, notInEnumValue, true)
		add(Empty, "", query)
		add(Long, longValue, !query)
	case s != nil && (s.Type == "integer" || s.Type == "number" || s.Format == "int32" || s.Format == "int64"):
		add(WrongType, wrongTypeValue, true)
		add(OutOfRange, outOfRangeValue, true)
		add(Empty, "", query)
	case s != nil && (s.Type == "boolean" || typedString(s)):
		add(WrongType, wrongTypeValue, true)
		add(Empty, "", query)
		add(Long, longValue, !query)
	case s != nil && (s.Type == "array" || s.Type == "object"):
		add(Object, "1", query)
		add(Empty, "", query)
		add(WrongType, wrongTypeValue, !query)
	default: // free text
		add(Empty, "", query)
		add(Long, longValue, true)
		add(Object, "1", query)
		add(Unicode, unicodeValue, !query)
	}
	return out
}

// typedString says whether a string schema has a format its parser checks.
func typedString(s *spec.Schema) bool {
	switch s.Format {
	case "uuid", "date", "date-time", "uri", "url", "email", "ipv4", "ipv6", "byte", "time", "duration":
		return true
	}
	return false
}
