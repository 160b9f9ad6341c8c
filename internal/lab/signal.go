package lab

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// signalshop is a FastAPI-style API over plain HTTP built for what a
// report must get right rather than for one more flaw: a GET that really
// re-creates its database (a read-only scan must never call it), user
// records behind envelopes ({"data": …}, JSON:API attributes), JWTs whose
// signature is never checked (forgeries must reach plain HTTP when the
// user allows credentials there), X-Powered-By on API paths only (not on
// GET /), CORS that reflects any origin on every operation (one finding,
// not one per operation), and one $ref to the wrong kind of object in its
// document. signalclean is its twin without the flaws: the same envelopes
// over plain HTTP, the reset is a POST, signatures and owners are checked,
// no version headers, a sound document.
var (
	//go:embed specs/signalshop.openapi.json
	signalSpec []byte
	//go:embed specs/signalclean.openapi.json
	signalCleanSpec []byte
)

const (
	signalHost      = "api.signalshop.test"
	signalCleanHost = "api.signalclean.test"
	// signalPoweredBy is what the flawed twin's API paths disclose.
	signalPoweredBy = "Python 3.10, FastAPI 0.95.1"
)

type signalUser struct {
	ID       int
	Username string
	Email    string
	Role     string
	Password string
}

// signalUsers: carol is identity A, dave identity B.
var signalUsers = []signalUser{
	{7, "carol", "carol@signalshop.test", "user", "carol-pass-1"},
	{8, "dave", "dave@signalshop.test", "user", "dave-pass-2"},
}

type signalNote struct {
	ID    int    `json:"id"`
	Title string `json:"title"`
	Owner int    `json:"owner_id"`
}

var signalSeed = []signalNote{{101, "carol's shopping list", 7}, {102, "carol's diary", 7}, {201, "dave's plans", 8}}

// signalShop is one twin. Its store is real: GET (or, clean, POST)
// /api/admin/reset-db wipes the notes and ends every session.
type signalShop struct {
	flawed bool
	host   string
	spec   []byte
	secret []byte
	now    func() time.Time
	log    *RequestLog

	mu     sync.Mutex
	notes  []signalNote
	gen    int // bumped by a reset: tokens of an earlier generation are dead
	resets int
}

func newSignalShop(flawed bool, now func() time.Time) (*signalShop, error) {
	secret, err := randomHex(32)
	if err != nil {
		return nil, err
	}
	s := &signalShop{flawed: flawed, host: signalCleanHost, spec: signalCleanSpec, secret: []byte(secret), now: now,
		log: &RequestLog{}, notes: append([]signalNote(nil), signalSeed...)}
	if flawed {
		s.host, s.spec = signalHost, signalSpec
	}
	return s, nil
}

// startSignal builds both twins and fills w.Signal and w.SignalClean.
func (w *World) startSignal(now func() time.Time) (flawed, clean *signalShop, err error) {
	if flawed, err = newSignalShop(true, now); err != nil {
		return nil, nil, fmt.Errorf("lab: signalshop: %w", err)
	}
	if clean, err = newSignalShop(false, now); err != nil {
		return nil, nil, fmt.Errorf("lab: signalclean: %w", err)
	}
	if w.Signal, err = flawed.target(); err != nil {
		return nil, nil, fmt.Errorf("lab: signalshop: %w", err)
	}
	if w.SignalClean, err = clean.target(); err != nil {
		return nil, nil, fmt.Errorf("lab: signalclean: %w", err)
	}
	return flawed, clean, nil
}

func (s *signalShop) target() (Target, error) {
	a, err := s.issue(signalUsers[0])
	if err != nil {
		return Target{}, err
	}
	b, err := s.issue(signalUsers[1])
	if err != nil {
		return Target{}, err
	}
	name := "signalclean"
	if s.flawed {
		name = "signalshop"
	}
	return Target{Name: name, BaseURL: "http://" + s.host, SpecURL: "http://" + s.host + "/openapi.json",
		Spec: bytes.Clone(s.spec), Token: a, TokenB: b, Methods: s.log, Resets: s.Resets}, nil
}

// Resets reports how often the store was wiped.
func (s *signalShop) Resets() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.resets
}

func (s *signalShop) issue(u signalUser) (string, error) {
	s.mu.Lock()
	gen := s.gen
	s.mu.Unlock()
	now := s.now()
	claims := jwt.MapClaims{"sub": u.Username, "uid": u.ID, "gen": gen, "iss": "http://" + s.host,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.secret)
}

func (s *signalShop) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"detail": "Not Found"})
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"name": s.host, "docs": "/openapi.json"})
	})
	mux.HandleFunc("GET /openapi.json", serveSpec(s.spec))
	mux.HandleFunc("POST /api/login", s.login)
	mux.HandleFunc("GET /api/me", s.auth(s.me))
	mux.HandleFunc("GET /api/notes", s.auth(s.listNotes))
	mux.HandleFunc("GET /api/notes/{id}", s.auth(s.getNote))
	// Declared as DELETE /api/notes/{noteId}: the same route, another
	// parameter name. An OPTIONS here answers "Allow: DELETE, GET, HEAD",
	// and every one of them is declared.
	mux.HandleFunc("DELETE /api/notes/{id}", s.auth(s.deleteNote))
	mux.HandleFunc("OPTIONS /api/notes/{id}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Allow", "DELETE, GET") // as Starlette answers a method its route lacks
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"detail": "Method Not Allowed"})
	})
	mux.HandleFunc("GET /api/settings", s.auth(func(w http.ResponseWriter, _ *http.Request, _ signalUser) {
		writeJSON(w, http.StatusOK, map[string]any{"data": map[string]string{"theme": "dark"}})
	}))
	mux.HandleFunc("GET /api/users/{id}/sent-messages", s.auth(s.sentMessages))
	if s.flawed {
		mux.HandleFunc("POST /api/assistant/chat", s.auth(s.assistant))
		// A prompt-like field on a route that is no model: a ticket desk.
		mux.HandleFunc("POST /api/support/ask", s.auth(func(w http.ResponseWriter, _ *http.Request, _ signalUser) {
			writeJSON(w, http.StatusAccepted, map[string]any{"ticket": 4711, "status": "queued"})
		}))
	}
	resetMethod := http.MethodPost
	if s.flawed {
		resetMethod = http.MethodGet // flaw: a GET that changes state
	}
	mux.HandleFunc(resetMethod+" /api/admin/reset-db", s.auth(s.reset))
	return s.log.wrap(s.headers(mux))
}

// headers: the flawed twin names its stack and reflects any Origin on API
// paths — not on GET /, so a check that reads only the root misses both.
func (s *signalShop) headers(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.flawed && strings.HasPrefix(r.URL.Path, "/api/") {
			w.Header().Set("X-Powered-By", signalPoweredBy)
			if o := r.Header.Get("Origin"); o != "" {
				w.Header().Set("Access-Control-Allow-Origin", o)
				w.Header().Set("Vary", "Origin")
			}
		}
		if !s.flawed {
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.Header().Set("Cache-Control", "no-store")
		}
		h.ServeHTTP(w, r)
	})
}

func (s *signalShop) login(w http.ResponseWriter, r *http.Request) {
	req, err := readLogin(w, r)
	if err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"detail": "bad request"})
		return
	}
	for _, u := range signalUsers {
		if u.Username == req.Username && u.Password == req.Password {
			tok, err := s.issue(u)
			if err != nil {
				writeJSON(w, http.StatusInternalServerError, map[string]string{"detail": "token"})
				return
			}
			writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"access_token": tok, "token_type": "bearer",
				"user": map[string]any{"id": u.ID, "username": u.Username, "email": u.Email, "role": u.Role}}})
			return
		}
	}
	writeJSON(w, http.StatusUnauthorized, map[string]string{"detail": "Incorrect username or password"})
}

// auth finds the caller. Flaw: the flawed twin reads the token's claims
// without checking its signature, algorithm or expiry.
func (s *signalShop) auth(next func(http.ResponseWriter, *http.Request, signalUser)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, ok := s.caller(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeJSON(w, http.StatusUnauthorized, map[string]string{"detail": "Could not validate credentials"})
			return
		}
		next(w, r, u)
	}
}

func (s *signalShop) caller(r *http.Request) (signalUser, bool) {
	raw, ok := bearerToken(r)
	if !ok {
		return signalUser{}, false
	}
	claims := jwt.MapClaims{}
	var err error
	if s.flawed {
		_, _, err = jwt.NewParser().ParseUnverified(raw, claims)
	} else {
		_, err = jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return s.secret, nil },
			jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(), jwt.WithTimeFunc(s.now))
	}
	if err != nil {
		return signalUser{}, false
	}
	gen, _ := claims["gen"].(float64)
	sub, _ := claims["sub"].(string)
	s.mu.Lock()
	live := int(gen) == s.gen
	s.mu.Unlock()
	for _, u := range signalUsers {
		if u.Username == sub && live {
			return u, true
		}
	}
	return signalUser{}, false
}

// me answers in JSON:API shape: the user's fields sit under attributes.
func (s *signalShop) me(w http.ResponseWriter, _ *http.Request, u signalUser) {
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"type": "users", "id": strconv.Itoa(u.ID),
		"attributes": map[string]any{"username": u.Username, "email": u.Email, "role": u.Role}}})
}

func (s *signalShop) listNotes(w http.ResponseWriter, _ *http.Request, u signalUser) {
	s.mu.Lock()
	mine := []signalNote{}
	for _, n := range s.notes {
		if n.Owner == u.ID {
			mine = append(mine, n)
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"data": mine})
}

// getNote: flaw (BOLA): the flawed twin serves any note to any user.
func (s *signalShop) getNote(w http.ResponseWriter, r *http.Request, u signalUser) {
	id, _ := strconv.Atoi(r.PathValue("id"))
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.notes {
		if n.ID == id && (s.flawed || n.Owner == u.ID) {
			writeJSON(w, http.StatusOK, map[string]any{"data": n})
			return
		}
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"detail": "Note not found"})
}

func (s *signalShop) deleteNote(w http.ResponseWriter, r *http.Request, u signalUser) {
	id, _ := strconv.Atoi(r.PathValue("id"))
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, n := range s.notes {
		if n.ID == id && n.Owner == u.ID {
			s.notes = append(s.notes[:i], s.notes[i+1:]...)
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"detail": "Note not found"})
}

func (s *signalShop) sentMessages(w http.ResponseWriter, r *http.Request, u signalUser) {
	if r.PathValue("id") != strconv.Itoa(u.ID) {
		writeJSON(w, http.StatusForbidden, map[string]string{"detail": "Not your messages"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": []any{}})
}

// assistant answers in the chat-completions wire shape, as a model whose
// system prompt forbids "reply with only …" would: it deflects that
// phrasing of a task and follows others ("write … as one word").
func (s *signalShop) assistant(w http.ResponseWriter, r *http.Request, _ signalUser) {
	var req struct {
		Messages []chatMsg `json:"messages"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil || len(req.Messages) == 0 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"detail": "messages required"})
		return
	}
	prompt := req.Messages[len(req.Messages)-1].Content
	answer := "I can only help you with your notes."
	if m := reOneWord.FindStringSubmatch(prompt); m != nil && !strings.Contains(strings.ToLower(prompt), "reply with only") {
		answer = m[1] + m[2]
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": "chatcmpl-lab", "object": "chat.completion", "model": "notes-assistant",
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop", "message": map[string]string{"role": "assistant", "content": answer}}}})
}

// reOneWord is the one phrasing of a join the notes assistant follows.
var reOneWord = regexp.MustCompile(`(?i)the two words "([a-z]+)" and "([a-z]+)" as one word`)

// reset re-creates the database: every note is gone, every session ends.
func (s *signalShop) reset(w http.ResponseWriter, _ *http.Request, _ signalUser) {
	s.mu.Lock()
	s.notes, s.gen, s.resets = nil, s.gen+1, s.resets+1
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"detail": "database re-created"})
}
