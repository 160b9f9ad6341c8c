package writes

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
)

// Record is what one of an identity's self operations (GET /me,
// /account) answered.
type Record struct {
	URL  string
	Obj  map[string]any
	Req  *netx.Request
	Resp *netx.Response
}

// Self reads every self operation of A's corpus that answered A with an
// object, as client c.
func Self(ctx context.Context, c *netx.Client, cp *reqgen.Corpus) ([]Record, error) {
	var out []Record
	for _, s := range cp.Samples {
		if !reqgen.IsSelf(s.Op.Path) || !s.OK() || reqgen.FirstObject(s.Resp.Body) == nil {
			continue
		}
		req := &netx.Request{Method: http.MethodGet, URL: s.Req.URL, WithCredentials: true}
		resp, err := c.Do(ctx, req)
		if err != nil {
			if reqgen.Fatal(ctx, err) {
				return out, err
			}
			continue
		}
		r := Record{URL: s.Req.URL, Req: req, Resp: resp}
		if reqgen.OK2xx(resp) {
			r.Obj = reqgen.FirstObject(resp.Body)
		}
		out = append(out, r)
	}
	return out, nil
}

// Field returns the first value of key (compared without case and
// separators) among the records, and the record holding it.
func Field(rs []Record, key string) (any, *Record) {
	want := squash(key)
	for i := range rs {
		for k, v := range rs[i].Obj {
			if squash(k) == want {
				return v, &rs[i]
			}
		}
	}
	return nil, nil
}

// Names is what an identity's records say it is called: its username
// (username, login, user, name), e-mail address and id.
type Names struct{ Username, Email, ID string }

// NamesOf reads the names from an identity's records.
func NamesOf(rs []Record) Names {
	var n Names
	for _, r := range rs {
		for _, k := range slices.Sorted(maps.Keys(r.Obj)) {
			v, ok := scalar(r.Obj[k])
			if !ok {
				continue
			}
			switch squash(k) {
			case "username", "login", "user", "handle":
				if n.Username == "" {
					n.Username = v
				}
			case "email", "mail":
				if n.Email == "" {
					n.Email = v
				}
			case "id", "userid", "accountid", "uuid":
				if n.ID == "" {
					n.ID = v
				}
			}
		}
	}
	return n
}

// For returns the name that fits a parameter: the id for an id, the
// e-mail address for an e-mail, else the username.
func (n Names) For(param string) string {
	l := squash(param)
	switch {
	case strings.Contains(l, "mail"):
		return n.Email
	case strings.HasSuffix(l, "id") && !strings.Contains(l, "name"):
		return n.ID
	}
	return n.Username
}

// Marker is a value plumb writes to see whether a write landed: unique,
// and recognisably plumb's.
func Marker(nonce string) string { return "plumb-" + nonce }

// Describe renders properties as k=v, sorted.
func Describe(m map[string]any) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s=%v", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func squash(s string) string {
	return strings.ToLower(strings.NewReplacer("_", "", "-", "", " ", "").Replace(s))
}

func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, x != ""
	case float64:
		return fmt.Sprintf("%.0f", x), x == float64(int64(x))
	}
	return "", false
}
