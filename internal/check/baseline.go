package check

import (
	"context"
	"fmt"
	"sync"

	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
)

// Baseline is computed once per scan and shared by the checks that need
// it: every GET operation requested as identity A (reqgen.Corpus), and
// what identity B is. Safe for concurrent use.
type Baseline struct {
	once   sync.Once
	corpus *reqgen.Corpus
	err    error
	tally  netx.TallyCounts // what building the corpus saw, counted for every check that uses it

	onceB        sync.Once
	tallyB       netx.TallyCounts
	b            reqgen.Identity
	bRej, bSent  int
	errB         error
	computedB    bool
	computedMain bool
}

// Corpus returns identity A's view of the API, requesting it on first use.
// It needs a spec (callers declare NeedSpec).
func (in *Input) Corpus(ctx context.Context) (*reqgen.Corpus, error) {
	if in.API == nil {
		return nil, fmt.Errorf("baseline needs an OpenAPI document")
	}
	b := in.Baseline
	if b == nil {
		b = &Baseline{}
	}
	b.once.Do(func() {
		t := &netx.Tally{}
		b.corpus, b.err = reqgen.Collect(netx.WithTally(ctx, t), in.HTTP, in.BaseURL(), in.API, in.Coverage)
		b.tally = t.Counts()
		b.computedMain = true
	})
	netx.TallyFrom(ctx).Add(b.tally)
	return b.corpus, b.err
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
	b := in.Baseline
	if b == nil {
		b = &Baseline{}
	}
	b.onceB.Do(func() {
		t := &netx.Tally{}
		b.b, b.bRej, b.bSent, b.errB = cp.Identify(netx.WithTally(ctx, t), in.HTTPB, "B")
		b.tallyB = t.Counts()
		b.computedB = true
	})
	netx.TallyFrom(ctx).Add(b.tallyB)
	return b.b, true, b.errB
}

// AuthWarnings says, Schemathesis-style, when most authenticated requests
// of an identity came back 401/403: the credential is probably wrong or
// expired. It only looks at baseline requests (never at probes, where a
// 403 is the right answer).
func (b *Baseline) AuthWarnings(hasA bool) []string {
	if b == nil {
		return nil
	}
	var out []string
	warn := func(name string, rej, sent int) {
		if sent >= 2 && rej*2 > sent {
			out = append(out, fmt.Sprintf("identity %s: %d of %d requests to operations that require authentication were answered 401/403; "+
				"the credential is probably wrong or expired (check --header/--bearer-env/--login%s)", name, rej, sent, suffix(name)))
		}
	}
	if hasA && b.computedMain && b.corpus != nil {
		warn("A", b.corpus.Rejected, b.corpus.Sent)
	}
	if b.computedB {
		warn("B", b.bRej, b.bSent)
	}
	return out
}

func suffix(name string) string {
	if name == "B" {
		return " -b variants"
	}
	return ""
}
