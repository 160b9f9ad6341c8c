package lab

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// authzUser is a user of the authorization flaw family. Each shop has its
// own store so writes (--allow-writes scans) never leak between shops or
// tests.
type authzUser struct {
	Username     string `json:"username"`
	Email        string `json:"email"`
	Role         string `json:"role"`
	IsAdmin      bool   `json:"is_admin"`
	APIKey       string `json:"api_key,omitempty"`
	PasswordHash string `json:"password_hash,omitempty"`
	AvatarURL    string `json:"avatar_url,omitempty"`
	Password     string `json:"-"` // the lab compares plain passwords; only the hash is ever shown
	PIN          string `json:"-"` // the payment PIN (attack family)
}

// shopOrder is an order; ids are sequential and interleaved between users,
// so an adjacent id is somebody else's order.
type shopOrder struct {
	ID      int     `json:"id"`
	User    string  `json:"user"`
	Item    string  `json:"item"`
	Total   float64 `json:"total"`
	Address string  `json:"shipping_address"`
}

type authzStore struct {
	mu     sync.Mutex
	users  map[string]*authzUser
	orders []shopOrder
	resets map[string]int // password-reset links sent, per user (attack family)
	hooks  []webhook      // registered webhooks (attack family)
	// failures counts failed logins and PIN checks per name, for tests.
	failures map[string]int
}

func newAuthzStore() *authzStore {
	s := &authzStore{users: map[string]*authzUser{}, resets: map[string]int{}, failures: map[string]int{}}
	keys := map[string]string{"alice": "ak_live_4f1c2e9a7b3d5f60", "bob": "ak_live_9e8d7c6b5a403f21", "admin": "ak_live_00ad1e5ce0b1c2d3"}
	for _, u := range shopUsers {
		role := roleCustomer
		if u.Admin {
			role = roleManager
		}
		s.users[u.Username] = &authzUser{Username: u.Username, Email: u.Email, Role: role, IsAdmin: u.Admin,
			APIKey: keys[u.Username], PasswordHash: u.PasswordHash, Password: u.Password, PIN: "4821",
			AvatarURL: avatarPrefix + u.Username + ".png"}
	}
	s.orders = []shopOrder{
		{1, "alice", "The Go Programming Language", 39.90, "1 Loopback Lane, Localhost"},
		{2, "bob", "Hacking APIs", 44.50, "7 Resolver Road, Zone Apex"},
		{3, "alice", "Web Application Hacker's Handbook", 52.00, "1 Loopback Lane, Localhost"},
		{4, "bob", "Serious Cryptography", 35.00, "7 Resolver Road, Zone Apex"},
	}
	return s
}

// user returns a copy of a user, so handlers can strip fields freely.
func (s *authzStore) user(name string) (authzUser, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[name]
	if !ok {
		return authzUser{}, false
	}
	return *u, true
}

func (s *authzStore) allUsers() []authzUser {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]authzUser, 0, len(s.users))
	for _, u := range s.users {
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b authzUser) int { return strings.Compare(a.Username, b.Username) })
	return out
}

func (s *authzStore) update(name string, fn func(*authzUser)) (authzUser, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[name]
	if !ok {
		return authzUser{}, false
	}
	fn(u)
	return *u, true
}

// add creates a user unless the name is taken.
func (s *authzStore) add(u authzUser) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.users[u.Username]; taken || len(s.users) > 1000 {
		return false
	}
	s.users[u.Username] = &u
	return true
}

func (s *authzStore) ordersOf(user string) []shopOrder {
	var out []shopOrder
	for _, o := range s.orders {
		if o.User == user {
			out = append(out, o)
		}
	}
	return out
}

func (s *authzStore) order(id int) (shopOrder, bool) {
	for _, o := range s.orders {
		if o.ID == id {
			return o, true
		}
	}
	return shopOrder{}, false
}

// readJSONObject decodes a small JSON object body.
func readJSONObject(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	var m map[string]any
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&m); err != nil || m == nil {
		return nil, false
	}
	return m, true
}

func strField(m map[string]any, k string) (string, bool) {
	s, ok := m[k].(string)
	return s, ok && s != ""
}

// authzParts is the state the authorization family adds to a shop: its
// store, the request log and a second user's token. Embedded, so the
// shops' own structs stay untouched.
type authzParts struct {
	authz  *authzStore
	log    *RequestLog
	tokenB string // bob's token, identity B
}

func newAuthzParts(j jwtIssuer, now func() time.Time) (*authzParts, error) {
	tok, err := j.issue("bob", now())
	if err != nil {
		return nil, err
	}
	return &authzParts{authz: newAuthzStore(), log: &RequestLog{}, tokenB: tok}, nil
}
