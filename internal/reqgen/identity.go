package reqgen

import (
	"encoding/json"
	"strconv"
	"strings"
)

// selfSegments are last path segments of operations that describe the
// caller ("who am I").
var selfSegments = map[string]bool{
	"me": true, "self": true, "account": true, "profile": true, "whoami": true,
	"userinfo": true, "current": true, "current-user": true, "current_user": true,
}

// IsSelf reports whether a path without parameters describes the caller,
// e.g. /api/v1/me or /account.
func IsSelf(path string) bool {
	if strings.Contains(path, "{") {
		return false
	}
	seg := path[strings.LastIndex(path, "/")+1:]
	return selfSegments[strings.ToLower(seg)]
}

// markerKeys are the fields of a self description that name the caller.
var markerKeys = map[string]bool{
	"username": true, "user": true, "login": true, "email": true, "id": true,
	"userid": true, "sub": true, "uuid": true, "accountid": true, "customerid": true, "handle": true,
}

// ownerKeys are the fields of an object that name its owner.
var ownerKeys = map[string]bool{
	"user": true, "username": true, "owner": true, "userid": true, "ownerid": true,
	"createdby": true, "customer": true, "customerid": true, "account": true,
	"accountid": true, "email": true, "author": true, "login": true, "authorid": true, "creator": true,
	"creatorid": true, "createdbyid": true, "ownerusername": true,
}

// Identity is what plumb learned about one credential from the API's self
// description and its login answer.
type Identity struct {
	Name    string   // "A" or "B"
	Markers []string // values that name the caller (username, email, user id)
	// Privileged is true when the self description says admin, false when
	// it says otherwise, nil when unknown.
	Privileged *bool
	Known      bool // a self description (or a login answer) named the caller

	// What the API calls the caller, when it said: its id, name, e-mail
	// and role, and where plumb read them ("GET /api/me", "login answer").
	ID, Username, Email, Role string
	From                      []string
}

// LearnSelf adds the markers and privilege of a self description body.
func (id *Identity) LearnSelf(body []byte) { id.Learn(body, "") }

// Learn reads who the caller is from a self description or a login
// answer, through envelopes ({"data": {...}}, JSON:API attributes, a user
// object next to a token), and says whether it learned anything. from
// names the source in evidence ("GET /api/me").
func (id *Identity) Learn(body []byte, from string) bool {
	obj := selfOf(body)
	if obj == nil {
		return false
	}
	learned := false
	for _, k := range sortedKeys(obj) {
		nk := norm(k)
		if !markerKeys[nk] {
			continue
		}
		// A numeric user id names the caller whatever its length (JSON:API
		// writes it as a string: "7").
		_, numeric := obj[k].(float64)
		v, ok := scalarField(obj[k])
		shortID := nk == "id" && isDigits(v)
		if !ok || (!numeric && len(v) < 2 && !shortID) {
			continue
		}
		learned = true
		if !containsStr(id.Markers, v) {
			id.Markers = append(id.Markers, v)
		}
		id.note(nk, v)
	}
	if r, ok := scalarField(obj["role"]); ok && id.Role == "" {
		id.Role = r
	}
	if p, ok := PrivilegeOf(obj); ok {
		id.Privileged = &p
		learned = true
	}
	if learned {
		id.Known = true
		if from != "" && !containsStr(id.From, from) {
			id.From = append(id.From, from)
		}
	}
	return learned
}

// note files a marker under the field it names.
func (id *Identity) note(key, v string) {
	switch key {
	case "id", "userid", "uuid", "sub", "accountid", "customerid":
		if id.ID == "" {
			id.ID = v
		}
	case "username", "login", "handle", "user":
		if id.Username == "" {
			id.Username = v
		}
	case "email":
		if id.Email == "" {
			id.Email = v
		}
	}
}

// selfOf returns the user object of a self description or login answer.
func selfOf(body []byte) map[string]any {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	switch x := v.(type) {
	case map[string]any:
		return SelfObject(x)
	case []any: // a list of one user
		if len(x) == 1 {
			if m, ok := x[0].(map[string]any); ok {
				return SelfObject(m)
			}
		}
	}
	return nil
}

// Describe names the identity for evidence: `A (id 7, "carol",
// carol@x.test, role user; learned from GET /api/me)`.
func (id Identity) Describe() string {
	var parts []string
	if id.ID != "" {
		parts = append(parts, "id "+id.ID)
	}
	if id.Username != "" {
		parts = append(parts, strconv.Quote(id.Username))
	}
	if id.Email != "" {
		parts = append(parts, id.Email)
	}
	if id.Role != "" {
		parts = append(parts, "role "+id.Role)
	}
	if len(parts) == 0 && len(id.Markers) > 0 {
		parts = append(parts, strings.Join(id.Markers, ", "))
	}
	s := "identity " + id.Name
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ")
		if len(id.From) > 0 {
			s += "; learned from " + strings.Join(id.From, " and ")
		}
		s += ")"
	}
	return s
}

// PrivilegeOf reads admin-ness from an object's is_admin/admin/role
// fields; ok is false when the object has none.
func PrivilegeOf(obj map[string]any) (privileged, ok bool) {
	for k, v := range obj {
		switch norm(k) {
		case "isadmin", "admin", "superuser", "issuperuser", "isstaff", "staff":
			if b, isBool := v.(bool); isBool {
				privileged, ok = privileged || b, true
			}
		case "role", "roles", "group", "groups", "permissions", "scope", "scopes":
			ok = true
			privileged = privileged || privilegedValue(v)
		}
	}
	return privileged, ok
}

func privilegedValue(v any) bool {
	switch x := v.(type) {
	case string:
		l := strings.ToLower(x)
		return strings.Contains(l, "admin") || strings.Contains(l, "superuser") || l == "root" || l == "staff"
	case []any:
		for _, e := range x {
			if privilegedValue(e) {
				return true
			}
		}
	}
	return false
}

// Owns reports whether an object names this identity as its owner (or is
// this identity's own record).
func (id Identity) Owns(obj map[string]any) bool {
	if len(id.Markers) == 0 {
		return false
	}
	obj = Unwrap(obj)
	for k, v := range obj {
		if !ownerKeys[norm(k)] {
			continue
		}
		if s, ok := ownerValue(v); ok && containsStr(id.Markers, s) {
			return true
		}
		if m, ok := v.(map[string]any); ok { // {"owner": {"id": 7, "username": "carol"}}
			for _, f := range []string{"id", "username", "login", "email", "uuid"} {
				if s, ok := scalarField(m[f]); ok && containsStr(id.Markers, s) {
					return true
				}
			}
		}
	}
	return false
}

// ownerValue reads an owner field: a scalar, or an object naming one.
func ownerValue(v any) (string, bool) {
	if s, ok := scalarField(v); ok {
		return s, true
	}
	return nestedID(v)
}

// Owner returns the value of an object's first owner field, if any (an
// owner given as an object counts by its id or name).
func Owner(obj map[string]any) (field, value string, ok bool) {
	obj = Unwrap(obj)
	for _, k := range sortedKeys(obj) {
		if !ownerKeys[norm(k)] {
			continue
		}
		if s, isScalar := ownerValue(obj[k]); isScalar {
			return k, s, true
		}
	}
	return "", "", false
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
