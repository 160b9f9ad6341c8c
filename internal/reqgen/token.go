package reqgen

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// TokenAt follows a dot path (a.b.0.c) into a JSON document and returns
// the string found there.
func TokenAt(body []byte, path string) (string, error) {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return "", fmt.Errorf("the login answer is not JSON")
	}
	if path == "" {
		for _, p := range DefaultTokenPaths {
			if tok, err := tokenAt(v, p); err == nil {
				return tok, nil
			}
		}
		return "", fmt.Errorf("the login answer has none of %s; give --token-path", strings.Join(DefaultTokenPaths, ", "))
	}
	return tokenAt(v, path)
}

// DefaultTokenPaths are tried, in order, when a login recipe names none.
var DefaultTokenPaths = []string{"access_token", "token", "auth_token", "id_token", "jwt", "data.token", "data.access_token"}

func tokenAt(v any, path string) (string, error) {
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[part]
			if !ok {
				return "", fmt.Errorf("the login answer has no %q (token path %s; keys: %s)", part, path, keysOf(x))
			}
			v = next
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return "", fmt.Errorf("token path %s: %q is not an index of a %d-element array", path, part, len(x))
			}
			v = x[i]
		default:
			return "", fmt.Errorf("token path %s: %q is inside a scalar", path, part)
		}
	}
	tok, ok := v.(string)
	if !ok || strings.TrimSpace(tok) == "" {
		return "", fmt.Errorf("token path %s does not lead to a non-empty string", path)
	}
	return strings.TrimSpace(tok), nil
}

func keysOf(m map[string]any) string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, strconv.Quote(k))
	}
	slices.Sort(ks)
	if len(ks) > 8 {
		ks = append(ks[:8], "…")
	}
	return strings.Join(ks, ", ")
}
