package reqgen

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/spec"
)

// Recorder is told why an operation was not requested (check.Coverage).
type Recorder interface {
	Skip(op spec.Operation, reason string)
}

// Fetch sends a request for op and records it in coverage. check.Input
// passes its probe cache (Input.Fetch), so a request another check already
// sent is not sent again.
type Fetch func(ctx context.Context, req *netx.Request, op spec.Operation) (*netx.Response, error)

// Sample is one operation requested as identity A.
type Sample struct {
	Op     spec.Operation
	Req    *netx.Request
	Resp   *netx.Response // nil when the request failed
	Values map[string]string
	Items  []Item // objects in the response body
}

// OK reports a 2xx answer.
func (s *Sample) OK() bool {
	return s.Resp != nil && s.Resp.StatusCode >= 200 && s.Resp.StatusCode < 300
}

// Corpus is what identity A sees of the API's read-only operations: one
// sample per GET operation requested with the user's credential, the ids
// harvested from them and what A is. A scan builds it once and every
// check that compares identities or reads responses shares it.
type Corpus struct {
	Samples []*Sample
	Pool    *Pool
	A       Identity
	// Rejected and Sent count A's answers on operations that require
	// authentication, for the "credentials probably wrong" warning.
	Rejected, Sent int
}

// MaxSamples caps the corpus, so a huge spec cannot spend the whole
// request budget before the checks run.
const MaxSamples = 500

// Collect requests every GET operation of api once as identity A (with
// credentials) through get: parameterless operations first (lists and
// self descriptions), then detail operations with ids harvested from them.
// known is what A's login answer said about A (zero without one).
func Collect(ctx context.Context, get Fetch, base *url.URL, api *spec.API, rec Recorder, known Identity) (*Corpus, error) {
	known.Name = "A"
	cp := &Corpus{Pool: &Pool{}, A: known}
	var lists, details []spec.Operation
	n := 0
	for _, op := range api.Operations {
		if op.Method != http.MethodGet {
			continue
		}
		if n++; n > MaxSamples {
			rec.Skip(op, fmt.Sprintf("identity A's corpus is limited to %d GET operations", MaxSamples))
			continue
		}
		if needsIDs(op) {
			details = append(details, op)
		} else {
			lists = append(lists, op)
		}
	}
	for _, stage := range [][]spec.Operation{lists, details} {
		// Requests run in parallel; what they teach (harvested ids, who A
		// is) is taken in operation order, so two scans of one API build
		// the same corpus however the answers raced.
		got := make([]*Sample, len(stage))
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(4)
		for i, op := range stage {
			g.Go(func() error {
				s, err := cp.sample(gctx, get, base, op, rec)
				got[i] = s
				return err
			})
		}
		err := g.Wait()
		for _, s := range got {
			if s != nil {
				cp.learn(s)
			}
		}
		if err != nil {
			return cp, err
		}
	}
	return cp, nil
}

// learn adds one sample to the corpus: its objects to the pool, its
// answer to the credential warning's counts, a self description to A.
func (cp *Corpus) learn(s *Sample) {
	cp.Samples = append(cp.Samples, s)
	if s.OK() {
		s.Items = cp.Pool.Harvest(s.Op.Path, s.Resp.Body)
	}
	if s.Op.RequiresAuth() && s.Resp != nil {
		cp.Sent++
		if st := s.Resp.StatusCode; st == 401 || st == 403 {
			cp.Rejected++
		}
	}
	if s.OK() && IsSelf(s.Op.Path) {
		cp.A.Learn(s.Resp.Body, s.Op.Method+" "+s.Op.Path)
	}
}

func (cp *Corpus) sample(ctx context.Context, get Fetch, base *url.URL, op spec.Operation, rec Recorder) (*Sample, error) {
	b, why := Build(base, op, nil, cp.pick(op))
	if why != "" {
		rec.Skip(op, why)
		return nil, nil
	}
	req := &netx.Request{Method: op.Method, URL: b.URL, WithCredentials: true}
	resp, err := get(ctx, req, op)
	s := &Sample{Op: op, Req: req, Values: b.Values}
	if err != nil {
		if Fatal(ctx, err) {
			return nil, err
		}
		return s, nil
	}
	s.Resp = resp
	return s, nil
}

// needsIDs: operations with path parameters or required query parameters
// run after the lists, so harvested ids can fill them.
func needsIDs(op spec.Operation) bool {
	if strings.Contains(op.Path, "{") {
		return true
	}
	for _, p := range op.Params {
		if p.In == "query" && p.Required {
			return true
		}
	}
	return false
}

// pick prefers harvested values of objects A owns.
func (cp *Corpus) pick(op spec.Operation) func(spec.Param) (string, bool) {
	return func(p spec.Param) (string, bool) {
		cands := cp.Pool.Candidates(op.Path, p.Name)
		for _, c := range cands {
			if cp.A.Owns(c.Item.Fields) {
				return c.Value, true
			}
		}
		if len(cands) > 0 {
			return cands[0].Value, true
		}
		return "", false
	}
}

// Fatal reports errors that end a check: the budget is spent or the scan
// was cancelled. Anything else is one operation failing.
func Fatal(ctx context.Context, err error) bool {
	return errors.Is(err, netx.ErrBudgetExhausted) || ctx.Err() != nil
}

// FatalOnly returns err when it ends the check (Fatal) and nil when it is
// one operation failing, which the check skips.
func FatalOnly(ctx context.Context, err error) error {
	if err != nil && Fatal(ctx, err) {
		return err
	}
	return nil
}

// Identify learns what a second identity is from the self operations A's
// corpus found (on top of what its login answer said, known), and counts
// its 401/403 answers on the secured parameterless operations (at most 8
// requests).
func (cp *Corpus) Identify(ctx context.Context, c *netx.Client, name string, known Identity) (Identity, int, int, error) {
	id := known
	id.Name = name
	rejected, sent := 0, 0
	for _, s := range cp.Samples {
		if sent >= 8 || len(s.Values) > 0 || (!IsSelf(s.Op.Path) && !s.Op.RequiresAuth()) {
			continue
		}
		resp, err := c.Do(ctx, &netx.Request{Method: http.MethodGet, URL: s.Req.URL, WithCredentials: true})
		if err != nil {
			if Fatal(ctx, err) {
				return id, rejected, sent, err
			}
			continue
		}
		if s.Op.RequiresAuth() {
			sent++
			if resp.StatusCode == 401 || resp.StatusCode == 403 {
				rejected++
			}
		}
		if IsSelf(s.Op.Path) && resp.StatusCode >= 200 && resp.StatusCode < 300 {
			id.Learn(resp.Body, "GET "+s.Op.Path)
		}
	}
	return id, rejected, sent, nil
}
