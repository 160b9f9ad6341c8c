package reqgen

import (
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
	"accountid": true, "email": true, "author": true, "login": true,
}

// Identity is what plumb learned about one credential from the API's self
// description.
type Identity struct {
	Name    string   // "A" or "B"
	Markers []string // values that name the caller (username, email, user id)
	// Privileged is true when the self description says admin, false when
	// it says otherwise, nil when unknown.
	Privileged *bool
	Known      bool // a self endpoint answered 2xx
}

// LearnSelf adds the markers and privilege of a self description body.
func (id *Identity) LearnSelf(body []byte) {
	objs := Objects(body)
	if len(objs) == 0 {
		return
	}
	obj := objs[0]
	id.Known = true
	for _, k := range sortedKeys(obj) {
		if !markerKeys[norm(k)] {
			continue
		}
		_, numeric := obj[k].(float64) // a numeric user id names the caller whatever its length
		if v, ok := scalarField(obj[k]); ok && (numeric || len(v) >= 2) && !containsStr(id.Markers, v) {
			id.Markers = append(id.Markers, v)
		}
	}
	if p, ok := PrivilegeOf(obj); ok {
		id.Privileged = &p
	}
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
	for k, v := range obj {
		if !ownerKeys[norm(k)] {
			continue
		}
		if s, ok := scalarField(v); ok && containsStr(id.Markers, s) {
			return true
		}
	}
	return false
}

// Owner returns the value of an object's first owner field, if any.
func Owner(obj map[string]any) (field, value string, ok bool) {
	for _, k := range sortedKeys(obj) {
		if !ownerKeys[norm(k)] {
			continue
		}
		if s, isScalar := scalarField(obj[k]); isScalar {
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
