package lab

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
)

// The lab GraphQL data: the shop's users, their orders and the catalogue.

type gqlUser struct {
	id int
	shopUser
}

type gqlOrder struct {
	id     int
	user   string
	total  float64
	books  []int
	status string
}

type gqlAuthor struct{ name string }

var gqlOrders = []gqlOrder{
	{101, "alice", 42.5, []int{1}, "SHIPPED"},
	{102, "alice", 19.9, []int{3}, "PAID"},
	{201, "bob", 35.0, []int{2}, "PAID"},
	{301, "admin", 12.0, []int{1, 2}, "PAID"},
}

var gqlAuthors = map[int]string{1: "Alan Donovan", 2: "Dafydd Stuttard", 3: "Corey Ball"}

func gqlUsers() []gqlUser {
	out := make([]gqlUser, len(shopUsers))
	for i, u := range shopUsers {
		out[i] = gqlUser{id: i + 1, shopUser: u}
	}
	return out
}

func gqlFindUser(pred func(gqlUser) bool) (gqlUser, bool) {
	for _, u := range gqlUsers() {
		if pred(u) {
			return u, true
		}
	}
	return gqlUser{}, false
}

func gqlBook(id int) (book, bool) {
	for _, b := range shopBooks {
		if b.ID == id {
			return b, true
		}
	}
	return book{}, false
}

var (
	errUnauthenticated = &fieldError{msg: "You must be signed in to do this.", code: "UNAUTHENTICATED"}
	errForbidden       = &fieldError{msg: "You are not allowed to see this object.", code: "FORBIDDEN"}
)

// resolver resolves the lab schema's fields for one caller ("" when the
// request carried no valid credential).
func (g *graphqlServer) resolver(user string, op ast.Operation) resolverFunc {
	return func(typeName, field string, parent any, args map[string]any) (any, error) {
		if v, ok := introspect(g.schema, field, parent, args); ok {
			return v, nil
		}
		switch typeName {
		case "Query":
			return g.query(user, field, args)
		case "Mutation":
			return g.mutation(user, field, args)
		case "User":
			return g.userField(parent.(gqlUser), field)
		case "Order":
			return orderField(parent.(gqlOrder), field)
		case "Book":
			return bookField(parent.(book), field)
		case "Author":
			return authorField(parent.(gqlAuthor), field)
		}
		return nil, fmt.Errorf("no resolver for %s.%s", typeName, field)
	}
}

func (g *graphqlServer) query(user, field string, args map[string]any) (any, error) {
	id := argID(args)
	switch field {
	case "__schema":
		return &iSchema{s: g.schema}, nil
	case "__type":
		n, _ := args["name"].(string)
		return namedType(g.schema, n), nil
	case "books":
		n := len(shopBooks)
		if f, ok := args["first"].(int64); ok && f >= 0 && int(f) < n {
			n = int(f)
		}
		out := []any{}
		for _, b := range shopBooks[:n] {
			out = append(out, b)
		}
		return out, nil
	case "book":
		n, _ := strconv.Atoi(id)
		if b, ok := gqlBook(n); ok {
			return b, nil
		}
		return nil, nil
	case "users":
		if !g.flaws.AnonymousUsers && !isAdmin(user) {
			if user == "" {
				return nil, errUnauthenticated
			}
			return nil, errForbidden
		}
		out := []any{}
		for _, u := range gqlUsers() {
			out = append(out, u)
		}
		return out, nil
	}
	if user == "" {
		return nil, errUnauthenticated
	}
	switch field {
	case "me":
		u, _ := gqlFindUser(func(u gqlUser) bool { return u.Username == user })
		return u, nil
	case "user":
		u, ok := gqlFindUser(func(u gqlUser) bool { return strconv.Itoa(u.id) == id })
		switch {
		case !ok:
			return nil, nil
		case u.Username != user && !g.flaws.ObjectAccess && !isAdmin(user):
			return nil, errForbidden
		}
		return u, nil
	case "order":
		for _, o := range gqlOrders {
			if strconv.Itoa(o.id) == id {
				if o.user != user && !g.flaws.ObjectAccess && !isAdmin(user) {
					return nil, errForbidden
				}
				return o, nil
			}
		}
		return nil, nil
	case "orders":
		out := []any{}
		for _, o := range gqlOrders {
			if o.user == user {
				out = append(out, o)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("no resolver for Query.%s", field)
}

// mutation answers without storing anything: the lab is shared by tests
// and must not drift.
func (g *graphqlServer) mutation(user, field string, args map[string]any) (any, error) {
	switch field {
	case "cancelOrder":
		if user == "" && !g.flaws.AnonymousWrites {
			return nil, errUnauthenticated
		}
		id := argID(args)
		for _, o := range gqlOrders {
			if strconv.Itoa(o.id) == id && (o.user == user || user == "" || isAdmin(user) || g.flaws.ObjectAccess) {
				o.status = "CANCELLED"
				return o, nil
			}
		}
		return nil, nil
	case "updateEmail":
		if user == "" {
			return nil, errUnauthenticated
		}
		u, _ := gqlFindUser(func(u gqlUser) bool { return u.Username == user })
		u.Email, _ = args["email"].(string)
		return u, nil
	}
	return nil, fmt.Errorf("no resolver for Mutation.%s", field)
}

// argID reads an ID argument (a string, or an integer literal).
func argID(args map[string]any) string {
	if v, ok := args["id"]; ok && v != nil {
		return fmt.Sprint(v)
	}
	return ""
}

func isAdmin(user string) bool {
	u, ok := findUser(user)
	return ok && u.Admin
}

func (g *graphqlServer) userField(u gqlUser, field string) (any, error) {
	switch field {
	case "id":
		return strconv.Itoa(u.id), nil
	case "username":
		return u.Username, nil
	case "email":
		return u.Email, nil
	case "admin":
		return u.Admin, nil
	case "avatarUrl":
		return fmt.Sprintf("%s/u/%d.png", g.avatarURL, u.id), nil
	case "passwordHash":
		return u.PasswordHash, nil
	case "apiToken":
		return fmt.Sprintf("vs_%s_%d", u.Username, 7000+u.id), nil
	case "orders":
		out := []any{}
		for _, o := range gqlOrders {
			if o.user == u.Username {
				out = append(out, o)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("no resolver for User.%s", field)
}

func orderField(o gqlOrder, field string) (any, error) {
	switch field {
	case "id":
		return strconv.Itoa(o.id), nil
	case "user":
		u, _ := gqlFindUser(func(u gqlUser) bool { return u.Username == o.user })
		return u, nil
	case "total":
		return o.total, nil
	case "status":
		return o.status, nil
	case "books":
		out := []any{}
		for _, id := range o.books {
			if b, ok := gqlBook(id); ok {
				out = append(out, b)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("no resolver for Order.%s", field)
}

func bookField(b book, field string) (any, error) {
	switch field {
	case "id":
		return strconv.Itoa(b.ID), nil
	case "title":
		return b.Title, nil
	case "author":
		return gqlAuthor{name: gqlAuthors[b.ID]}, nil
	}
	return nil, fmt.Errorf("no resolver for Book.%s", field)
}

func authorField(a gqlAuthor, field string) (any, error) {
	var mine []any
	for _, b := range shopBooks {
		if gqlAuthors[b.ID] == a.name {
			mine = append(mine, b)
		}
	}
	switch field {
	case "name":
		return a.name, nil
	case "books":
		return mine, nil
	case "latestBook":
		if len(mine) == 0 {
			return nil, nil
		}
		return mine[len(mine)-1], nil
	}
	return nil, fmt.Errorf("no resolver for Author.%s", field)
}

// graphqlAuth adapts a JWT issuer to the GraphQL server: the caller's
// subject, or "" without a valid token.
func graphqlAuth(j jwtIssuer) func(*http.Request) (string, error) {
	return j.subject
}

// GraphQLTwin is a stand-alone lab GraphQL API with its own signing key
// and users, for tests that need a server differing in chosen flaws.
type GraphQLTwin struct {
	Site   Site
	Target Target
}

// NewGraphQLTwin builds a GraphQL API on host (serving /graphql) with
// flaws f. Its Target has alice's token as A and bob's as B.
func NewGraphQLTwin(host string, f GraphQLFlaws, now time.Time) (*GraphQLTwin, error) {
	secret, err := randomHex(32)
	if err != nil {
		return nil, err
	}
	j := jwtIssuer{secret: []byte(secret), issuer: "https://" + host}
	g, err := newGraphQLServer(f, graphqlAuth(j), "https://docs."+host+"/avatars")
	if err != nil {
		return nil, err
	}
	a, err := j.issue("alice", now)
	if err != nil {
		return nil, err
	}
	b, err := j.issue("bob", now)
	if err != nil {
		return nil, err
	}
	log := &RequestLog{}
	mux := http.NewServeMux()
	mux.HandleFunc("/", jsonNotFound)
	mux.Handle("/graphql", g)
	return &GraphQLTwin{
		Site:   Site{Host: host, Handler: log.wrap(mux)},
		Target: Target{Name: host, BaseURL: "https://" + host, Token: a, TokenB: b, Methods: log, GraphQL: g.log},
	}, nil
}
