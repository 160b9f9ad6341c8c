package lab

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// shopUser is a user of both shops. Password hashes are fake bcrypt
// strings; only vulnshop ever shows them.
type shopUser struct {
	Username     string `json:"username"`
	Email        string `json:"email"`
	Admin        bool   `json:"admin"`
	Password     string `json:"-"`
	PasswordHash string `json:"password_hash,omitempty"`
}

var shopUsers = []shopUser{
	{Username: "alice", Email: "alice@vulnshop.test", Password: "alice123",
		PasswordHash: "$2b$12$KIXQJhZp8cYc7wCq3Ydu0eQ0iRzYjJfTqvO2w1x8zS2Gm3rX1lW9a"},
	{Username: "bob", Email: "bob@vulnshop.test", Password: "bob123",
		PasswordHash: "$2b$12$Vb7mJ1s0lV3e8cQ9rH4nUuTqP6yG5dW2kX0aZ3fL8sN1oR7iE4cBm"},
	{Username: "admin", Email: "admin@vulnshop.test", Admin: true, Password: "pass1",
		PasswordHash: "$2b$12$0aP9sD8fG7hJ6kL5zX4cV3bN2mQ1wE0rT9yU8iO7pA6sD5fG4hJ3k"},
}

func findUser(name string) (shopUser, bool) {
	for _, u := range shopUsers {
		if u.Username == name {
			return u, true
		}
	}
	return shopUser{}, false
}

// tokenTTL is how long lab tokens live.
const tokenTTL = 365 * 24 * time.Hour

// jwtIssuer signs and checks HS256 tokens with one secret.
type jwtIssuer struct {
	secret []byte
	issuer string
	// strict also requires exp and the issuer; without it any token with
	// a valid signature passes, as in many hand-rolled Flask APIs.
	strict bool
	// audience, when set, is put in aud and required by strict checks.
	audience string
	ttl      time.Duration // 0: tokenTTL
}

func (j jwtIssuer) issue(sub string, now time.Time) (string, error) {
	claims := jwt.MapClaims{
		"sub": sub,
		"iss": j.issuer,
		"iat": now.Unix(),
		"exp": now.Add(cmp.Or(j.ttl, tokenTTL)).Unix(),
	}
	if j.audience != "" {
		claims["aud"] = j.audience
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(j.secret)
}

// subject checks the request's bearer token and returns its subject.
func (j jwtIssuer) subject(r *http.Request) (string, error) {
	raw, ok := bearerToken(r)
	if !ok {
		return "", errors.New("no bearer token")
	}
	opts := []jwt.ParserOption{jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()})}
	if j.strict {
		opts = append(opts, jwt.WithExpirationRequired(), jwt.WithIssuer(j.issuer))
		if j.audience != "" {
			opts = append(opts, jwt.WithAudience(j.audience))
		}
	}
	tok, err := jwt.Parse(raw, func(*jwt.Token) (any, error) { return j.secret, nil }, opts...)
	if err != nil {
		return "", err
	}
	sub, err := tok.Claims.GetSubject()
	if err != nil || sub == "" {
		return "", errors.New("token has no subject")
	}
	return sub, nil
}

func bearerToken(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// loginRequest is the body of POST /api/v1/login on both shops.
type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func readLogin(w http.ResponseWriter, r *http.Request) (loginRequest, error) {
	var req loginRequest
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") { // Flask's request.form
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		err := r.ParseForm()
		return loginRequest{Username: r.PostForm.Get("username"), Password: r.PostForm.Get("password")}, err
	}
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req)
	return req, err
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, "lab: encode json", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
