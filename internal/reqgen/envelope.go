package reqgen

// envelopeKeys wrap the object an API means in another one: {"data":
// {...}}, {"result": {...}}, {"user": {...}}. JSON:API puts an object's
// fields under "attributes", next to its "id" and "type".
var envelopeKeys = []string{"data", "result", "user", "item", "payload", "account", "profile", "me", "body", "response"}

// maxUnwrap bounds how many envelopes Unwrap opens.
const maxUnwrap = 4

// bookkeeping are the members an envelope may carry besides its payload.
var bookkeeping = map[string]bool{"status": true, "success": true, "ok": true, "message": true, "msg": true, "code": true,
	"meta": true, "links": true, "included": true, "jsonapi": true, "errors": true, "error": true, "requestid": true,
	"timestamp": true, "version": true, "type": true, "kind": true}

// Unwrap returns the object an envelope carries: it opens {"data": {...}}
// and its kin while the wrapper holds nothing but bookkeeping (status,
// message, meta, links …), and flattens a JSON:API resource object into
// its attributes plus its id (and owner ids from relationships). Anything
// else comes back as it is: {"id": 1, "user": {...}} is an object with an
// owner, not an envelope.
func Unwrap(obj map[string]any) map[string]any {
	for range maxUnwrap {
		next := envelopeOf(obj)
		if next == nil {
			break
		}
		obj = next
	}
	return flattenJSONAPI(obj)
}

// envelopeOf returns the object obj wraps, or nil.
func envelopeOf(obj map[string]any) map[string]any {
	if _, ok := obj["attributes"].(map[string]any); ok {
		return nil // a JSON:API resource object: flattened, not opened
	}
	for _, k := range envelopeKeys {
		inner, ok := obj[k].(map[string]any)
		if !ok || len(inner) == 0 {
			continue
		}
		for other := range obj {
			if other != k && !bookkeeping[norm(other)] {
				return nil
			}
		}
		return inner
	}
	return nil
}

// SelfObject returns the user a self description or a login answer
// describes: the envelope's payload, or the "user" (or "account",
// "profile") object it nests next to a token.
func SelfObject(obj map[string]any) map[string]any {
	obj = Unwrap(obj)
	for _, k := range []string{"user", "account", "profile", "me"} {
		if u, ok := obj[k].(map[string]any); ok && len(u) > 0 {
			return Unwrap(u)
		}
	}
	return obj
}

// flattenJSONAPI turns {"type": "users", "id": "7", "attributes": {...},
// "relationships": {"owner": {"data": {"id": "3"}}}} into the attributes
// plus "id" and one "<relationship>_id" per to-one relationship.
func flattenJSONAPI(obj map[string]any) map[string]any {
	attrs, ok := obj["attributes"].(map[string]any)
	if !ok {
		return obj
	}
	out := make(map[string]any, len(attrs)+2)
	for k, v := range attrs {
		out[k] = v
	}
	if id, ok := obj["id"]; ok {
		out["id"] = id
	}
	rels, _ := obj["relationships"].(map[string]any)
	for name, r := range rels {
		rm, _ := r.(map[string]any)
		data, _ := rm["data"].(map[string]any)
		if id, ok := scalarField(data["id"]); ok {
			if _, clash := out[name+"_id"]; !clash {
				out[name+"_id"] = id
			}
		}
	}
	return out
}

// nestedID reads an owner given as an object ({"owner": {"id": 7,
// "username": "carol"}}): its id, else its username, login or email.
func nestedID(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	for _, k := range []string{"id", "username", "login", "email", "uuid"} {
		if s, ok := scalarField(m[k]); ok {
			return s, true
		}
	}
	return "", false
}
