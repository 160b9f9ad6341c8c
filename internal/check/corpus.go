package check

import (
	"context"
	"errors"
	"fmt"

	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/spec"
)

// ErrNoSpec: the corpus needs an OpenAPI document (checks that read it
// declare NeedSpec).
var ErrNoSpec = errors.New("the corpus needs an OpenAPI document")

// identityB is what the scan learned about identity B, and how many of its
// requests to secured operations were refused.
type identityB struct {
	id             reqgen.Identity
	rejected, sent int
}

var (
	corpusKey    = NewKey[*reqgen.Corpus]("identity A's corpus")
	identityBKey = NewKey[identityB]("identity B")
)

// Corpus returns identity A's view of the API: every GET operation
// requested once with the user's credential (reqgen.Corpus), built on
// first use and shared by every check of the scan.
func (in *Input) Corpus(ctx context.Context) (*reqgen.Corpus, error) {
	if in.API == nil {
		return nil, ErrNoSpec
	}
	return Once(ctx, in, corpusKey, func(ctx context.Context) (*reqgen.Corpus, error) {
		get := func(ctx context.Context, req *netx.Request, op spec.Operation) (*netx.Response, error) {
			return in.Fetch(ctx, in.HTTP, req, &op)
		}
		return reqgen.Collect(ctx, get, in.BaseURL(), in.API, in.Coverage, in.Logins["A"])
	})
}

// IdentityB returns what identity B is (from the API's self operations).
// ok is false without a B client.
func (in *Input) IdentityB(ctx context.Context) (id reqgen.Identity, ok bool, err error) {
	if in.HTTPB == nil {
		return reqgen.Identity{}, false, nil
	}
	cp, err := in.Corpus(ctx)
	if err != nil {
		return reqgen.Identity{}, false, err
	}
	b, err := Once(ctx, in, identityBKey, func(ctx context.Context) (identityB, error) {
		id, rej, sent, err := cp.Identify(ctx, in.HTTPB, "B", in.Logins["B"])
		return identityB{id, rej, sent}, err
	})
	return b.id, true, err
}

// Identities returns what the scan learned about identities A and B: from
// the corpus and B's identification when they ran, else from the login
// answers. Identities nobody learned anything about are left out.
func (in *Input) Identities() map[string]reqgen.Identity {
	out := map[string]reqgen.Identity{}
	for name, id := range in.Logins {
		out[name] = id
	}
	if cp, done := peek(in.Memo, corpusKey); done && cp != nil && cp.A.Known {
		out["A"] = cp.A
	}
	if b, done := peek(in.Memo, identityBKey); done && b.id.Known {
		out["B"] = b.id
	}
	return out
}

// AuthWarnings says, Schemathesis-style, when most authenticated requests
// of an identity came back 401/403: the credential is probably wrong or
// expired. It only looks at the corpus requests of A and the identifying
// requests of B (never at probes, where a 403 is the right answer), and
// only at those the scan made.
func (in *Input) AuthWarnings() []string {
	var out []string
	warn := func(name string, rej, sent int) {
		if sent >= 2 && rej*2 > sent {
			out = append(out, fmt.Sprintf("identity %s: %d of %d requests to operations that require authentication were answered 401/403; "+
				"the credential is probably wrong or expired (check --header/--bearer-env/--login%s)", name, rej, sent, suffix(name)))
		}
	}
	if cp, done := peek(in.Memo, corpusKey); in.HasCredentials && done && cp != nil {
		warn("A", cp.Rejected, cp.Sent)
	}
	if b, done := peek(in.Memo, identityBKey); done {
		warn("B", b.rejected, b.sent)
	}
	return out
}

func suffix(name string) string {
	if name == "B" {
		return " -b variants"
	}
	return ""
}
