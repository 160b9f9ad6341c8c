package cli

import (
	"net/http"
	"strings"

	"github.com/spf13/pflag"

	"github.com/plumbsec/plumb/internal/engine"
)

// identityFlags add a second identity (B) for cross-user checks and login
// recipes that obtain identities without pasting tokens.
type identityFlags struct {
	headersB      []string
	bearerEnvB    string
	login         string
	loginB        string
	loginBodyEnv  string
	loginBodyEnvB string
	tokenPath     string
	tokenHeader   string
}

func (f *identityFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.headersB, "header-b", nil, "credential header `'Name: value'` of a second user (identity B) for cross-user checks (repeatable)")
	fs.StringVar(&f.bearerEnvB, "bearer-env-b", "", "read identity B's bearer token from environment variable `VAR`")
	fs.StringVar(&f.login, "login", "", "obtain identity A by logging in: `'[METHOD] PATH'` on the target, e.g. 'POST /api/v1/login' (sent even in read-only mode)")
	fs.StringVar(&f.loginB, "login-b", "", "login request for identity B (default: the same as --login)")
	fs.StringVar(&f.loginBodyEnv, "login-body-env", "", "environment variable `VAR` holding identity A's login body: JSON ({\"username\":…}) or form-encoded (user=…&pass=…)")
	fs.StringVar(&f.loginBodyEnvB, "login-body-env-b", "", "environment variable `VAR` holding identity B's login body")
	fs.StringVar(&f.tokenPath, "token-path", "", "dot `PATH` to the token in the login answer, e.g. auth_token or data.token (default: access_token, token, auth_token, …)")
	fs.StringVar(&f.tokenHeader, "token-header", "Authorization: Bearer {token}", "how to send a logged-in token; `TEMPLATE` with {token}")
}

// build returns identity B's headers and the login recipes. headersA says
// whether identity A was already given as a header.
func (f *identityFlags) build(lookupEnv func(string) (string, bool), headersA bool) (http.Header, *engine.Login, *engine.Login, error) {
	credsB, _, err := (&authFlags{headers: f.headersB, bearerEnv: f.bearerEnvB}).build(lookupEnv)
	if err != nil {
		return nil, nil, nil, renameB(err)
	}
	if !strings.Contains(f.tokenHeader, "{token}") || !strings.Contains(f.tokenHeader, ":") {
		return nil, nil, nil, usagef("--token-header %q: want 'Name: … {token}', e.g. 'Authorization: Bearer {token}'", f.tokenHeader)
	}
	loginA, err := f.recipe("--login", f.login, "--login-body-env", f.loginBodyEnv, lookupEnv)
	if err != nil {
		return nil, nil, nil, err
	}
	if loginA != nil && headersA {
		return nil, nil, nil, usagef("--login and --header/--bearer-env both set identity A; keep one")
	}
	reqB := f.loginB
	if reqB == "" && f.loginBodyEnvB != "" {
		reqB = f.login
	}
	loginB, err := f.recipe("--login-b", reqB, "--login-body-env-b", f.loginBodyEnvB, lookupEnv)
	if err != nil {
		return nil, nil, nil, err
	}
	if loginB != nil && len(credsB) > 0 {
		return nil, nil, nil, usagef("--login-b and --header-b/--bearer-env-b both set identity B; keep one")
	}
	return credsB, loginA, loginB, nil
}

func (f *identityFlags) recipe(flag, req, bodyFlag, bodyEnv string, lookupEnv func(string) (string, bool)) (*engine.Login, error) {
	if req == "" {
		if bodyEnv != "" {
			return nil, usagef("%s needs %s 'POST /path/to/login'", bodyFlag, flag)
		}
		return nil, nil
	}
	method, path := "POST", strings.TrimSpace(req)
	if m, p, ok := strings.Cut(path, " "); ok {
		method, path = strings.ToUpper(m), strings.TrimSpace(p)
	}
	switch method {
	case "POST", "PUT", "GET":
	default:
		return nil, usagef("%s %q: method must be POST, PUT or GET", flag, req)
	}
	if path == "" {
		return nil, usagef("%s %q: want '[METHOD] PATH', e.g. 'POST /api/v1/login'", flag, req)
	}
	if bodyEnv == "" {
		return nil, usagef("%s needs %s VAR with the login body (credentials stay out of shell history)", flag, bodyFlag)
	}
	body, ok := lookupEnv(bodyEnv)
	body = strings.TrimSpace(body)
	if !ok || body == "" {
		return nil, usagef("%s %s: the environment variable is unset or empty", bodyFlag, bodyEnv)
	}
	return &engine.Login{
		Method: method, Path: path, Body: []byte(body),
		Form:      !strings.HasPrefix(body, "{"),
		TokenPath: f.tokenPath, Header: f.tokenHeader,
	}, nil
}

// renameB makes identity A's flag names in an error read as B's.
func renameB(err error) error {
	msg := err.Error()
	msg = strings.ReplaceAll(msg, "--header ", "--header-b ")
	msg = strings.ReplaceAll(msg, "--bearer-env ", "--bearer-env-b ")
	return usagef("%s", msg)
}
