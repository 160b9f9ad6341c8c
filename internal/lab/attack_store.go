package lab

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"sync"
	"time"
)

// The shops' roles, lowest first (the spec declares them as an enum).
const (
	roleCustomer = "customer"
	roleEmployee = "employee"
	roleManager  = "manager"
)

var shopRoles = []string{roleCustomer, roleEmployee, roleManager}

// avatarPrefix is where the shops keep avatars (a path on their own
// origin); the clean shop takes avatar URLs there only.
const avatarPrefix = "/avatars/"

// seedHook gives a shop's alice one webhook, to the shop's own app.
func (s *authzStore) seedHook(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks = []webhook{{ID: 1, User: "alice", URL: url, Event: "order.created", Verified: true}}
}

// webhook is a URL the shop calls when an event happens.
type webhook struct {
	ID       int    `json:"id"`
	User     string `json:"user"`
	URL      string `json:"url"`
	Event    string `json:"event"`
	Verified bool   `json:"verified"`
}

// hashCost is what checking a password costs (a bcrypt of cost 10 takes
// about this long). Sleeping stands in for burning the lab's CPU.
const hashCost = 80 * time.Millisecond

// newPIN is a new account's random 4-digit payment PIN.
func newPIN() string {
	n, err := rand.Int(rand.Reader, big.NewInt(10000))
	if err != nil {
		return "9999"
	}
	return fmt.Sprintf("%04d", n.Int64())
}

// checkPassword reports whether name's password is pw. Only existing
// users pay hashCost unless constantTime, which makes unknown users pay it
// too, so the answer time says nothing about who exists.
func (s *authzStore) checkPassword(name, pw string, constantTime bool) (authzUser, bool) {
	u, ok := s.user(name)
	if ok || constantTime {
		time.Sleep(hashCost)
	}
	if !ok || u.Password == "" || u.Password != pw {
		s.noteFailure("login:" + name)
		return authzUser{}, false
	}
	return u, true
}

// noteFailure counts a failed login or PIN check (for tests: plumb must
// never aim one at a real account).
func (s *authzStore) noteFailure(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failures) < 10000 {
		s.failures[key]++
	}
}

// Failures returns the failed logins ("login:NAME") and PIN checks
// ("pin:NAME") so far.
func (s *authzStore) Failures() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.failures))
	for k, v := range s.failures {
		out[k] = v
	}
	return out
}

// userByEmail finds a user by e-mail address.
func (s *authzStore) userByEmail(email string) (authzUser, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.Email != "" && u.Email == email {
			return *u, true
		}
	}
	return authzUser{}, false
}

// deleteUser removes a user with everything that belongs to it.
func (s *authzStore) deleteUser(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[name]; !ok {
		return false
	}
	delete(s.users, name)
	delete(s.resets, name)
	s.hooks = slices.DeleteFunc(s.hooks, func(h webhook) bool { return h.User == name })
	s.orders = slices.DeleteFunc(s.orders, func(o shopOrder) bool { return o.User == name })
	return true
}

// noteReset records a password-reset link sent to a user.
func (s *authzStore) noteReset(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resets[name]++
}

// addOrder stores a new order with the next id.
func (s *authzStore) addOrder(o shopOrder) (shopOrder, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ok bool
	s.orders, o, ok = addWithNextID(s.orders, o, func(o *shopOrder) *int { return &o.ID })
	return o, ok
}

// updateOrder changes an order if allowed says so.
func (s *authzStore) updateOrder(id int, allowed func(shopOrder) bool, fn func(*shopOrder)) (shopOrder, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.orders {
		if s.orders[i].ID == id && allowed(s.orders[i]) {
			fn(&s.orders[i])
			return s.orders[i], true
		}
	}
	return shopOrder{}, false
}

// deleteOrder removes an order if allowed says so.
func (s *authzStore) deleteOrder(id int, allowed func(shopOrder) bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, o := range s.orders {
		if o.ID == id && allowed(o) {
			s.orders = slices.Delete(s.orders, i, i+1)
			return true
		}
	}
	return false
}

// addHook stores a webhook with the next id.
func (s *authzStore) addHook(h webhook) (webhook, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ok bool
	s.hooks, h, ok = addWithNextID(s.hooks, h, func(h *webhook) *int { return &h.ID })
	return h, ok
}

// addWithNextID appends v to list with an id one above the highest there
// (id points at an item's), unless the list is full.
func addWithNextID[T any](list []T, v T, id func(*T) *int) ([]T, T, bool) {
	if len(list) > 1000 {
		var zero T
		return list, zero, false
	}
	for i := range list {
		*id(&v) = max(*id(&v), *id(&list[i]))
	}
	*id(&v)++
	return append(list, v), v, true
}

// hook returns a webhook of user.
func (s *authzStore) hook(id int, user string) (webhook, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range s.hooks {
		if h.ID == id && h.User == user {
			return h, true
		}
	}
	return webhook{}, false
}

// deleteHook removes a webhook of user.
func (s *authzStore) deleteHook(id int, user string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.hooks)
	s.hooks = slices.DeleteFunc(s.hooks, func(h webhook) bool { return h.ID == id && h.User == user })
	return len(s.hooks) < n
}

// storeState is everything the shop stores, as a test compares it before
// and after a scan.
type storeState struct {
	Users  []storeUser    `json:"users"`
	Orders []shopOrder    `json:"orders"`
	Resets map[string]int `json:"password_resets"`
	Hooks  []webhook      `json:"webhooks"`
}

// storeUser is a user with the fields its JSON form hides.
type storeUser struct {
	authzUser
	Password string `json:"password"`
	PIN      string `json:"pin"`
}

// State returns the store's data as canonical JSON.
func (s *authzStore) State() []byte {
	s.mu.Lock()
	st := storeState{Orders: slices.Clone(s.orders), Resets: map[string]int{}, Hooks: slices.Clone(s.hooks)}
	for _, u := range s.users {
		st.Users = append(st.Users, storeUser{authzUser: *u, Password: u.Password, PIN: u.PIN})
	}
	for k, v := range s.resets {
		st.Resets[k] = v
	}
	s.mu.Unlock()
	slices.SortFunc(st.Users, func(a, b storeUser) int { return strings.Compare(a.Username, b.Username) })
	b, _ := json.Marshal(st) // plain data always marshals
	return b
}

// attempts counts failures per key in a sliding minute and locks a key
// after maxAttempts of them (the clean shop's brute-force protection).
type attempts struct {
	mu   sync.Mutex
	now  func() time.Time
	fail map[string][]time.Time
}

const maxAttempts = 5

func newAttempts(now func() time.Time) *attempts {
	return &attempts{now: now, fail: map[string][]time.Time{}}
}

func (a *attempts) recent(key string) []time.Time {
	cut := a.now().Add(-time.Minute)
	a.fail[key] = slices.DeleteFunc(a.fail[key], func(t time.Time) bool { return t.Before(cut) })
	return a.fail[key]
}

func (a *attempts) locked(key string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.recent(key)) >= maxAttempts
}

func (a *attempts) failed(key string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.fail) > 10000 {
		a.fail = map[string][]time.Time{}
	}
	a.fail[key] = append(a.recent(key), a.now())
}

func (a *attempts) clear(key string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.fail, key)
}
