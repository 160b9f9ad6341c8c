package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/plumbsec/plumb/internal/dnsaudit"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/store"
)

// WatchArgs is the River job that audits a DNS watch's names once.
type WatchArgs struct {
	WatchID string `json:"watch_id"`
}

// Kind is the job's kind.
func (WatchArgs) Kind() string { return "plumb.dnswatch" }

// InsertOpts puts watch runs on the DNS queue, one pending or running run
// per watch.
func (WatchArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDNS, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: unfinished}}
}

// EnqueueWatch queues a run of a watch in tx.
func (r *Runner) EnqueueWatch(ctx context.Context, tx *store.Tx, watchID string) error {
	_, err := r.q.insertTx(ctx, tx, WatchArgs{WatchID: watchID}, nil)
	return err
}

// NameChange is one entry of dns.changed.
type NameChange struct {
	Name         string    `json:"name"`
	FromStatus   string    `json:"from_status"`
	ToStatus     string    `json:"to_status"`
	FromFindings []string  `json:"from_findings"`
	ToFindings   []string  `json:"to_findings"`
	At           time.Time `json:"at"`
}

// DNSChanged is the data of dns.changed.
type DNSChanged struct {
	WatchID   string       `json:"watch_id"`
	WatchName string       `json:"watch_name"`
	Changes   []NameChange `json:"changes"`
}

type watchWorker struct {
	river.WorkerDefaults[WatchArgs]
	r *Runner
}

func (w *watchWorker) Timeout(*river.Job[WatchArgs]) time.Duration { return 10 * time.Minute }

func (w *watchWorker) Work(ctx context.Context, job *river.Job[WatchArgs]) error {
	st := w.r.cfg.Store
	wt, err := st.GetWatch(ctx, job.Args.WatchID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	auditor, err := w.r.auditor(ctx, wt)
	if err != nil {
		// Not retried: the next scheduled run tries again; the watch shows why.
		return st.FinishWatchRun(ctx, wt.ID, w.r.cfg.Now(), err.Error())
	}
	results := auditAll(ctx, auditor, wt.Names)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return st.InTx(ctx, func(tx *store.Tx) error { return w.r.recordWatch(ctx, tx, wt, results) })
}

func (r *Runner) auditor(ctx context.Context, wt *store.Watch) (*dnsaudit.Auditor, error) {
	base := r.cfg.ScanOptions()
	servers, roots := base.Resolvers, base.DNSAudit.Roots
	if len(wt.Options.Resolvers) > 0 {
		servers = wt.Options.Resolvers
	}
	if len(wt.Options.DNSRoots) > 0 {
		roots = wt.Options.DNSRoots
	}
	res, err := netx.NewResolver(netx.ResolverConfig{Servers: servers})
	if err != nil {
		return nil, err
	}
	o := dnsaudit.Options{Resolver: res, Roots: roots, AuthorityPort: base.DNSAudit.AuthorityPort}
	if !wt.Options.NoHTTP {
		o.HTTP, err = netx.NewClient(netx.Config{Resolver: res, ConnectTo: base.ConnectTo, RootCAs: base.RootCAs, Rate: 20,
			Timeout: 10 * time.Second, MaxRedirects: -1, UserAgent: "plumb/" + base.Version, AllowAddr: r.cfg.allowAddr()})
		if err != nil {
			return nil, err
		}
	}
	return dnsaudit.New(ctx, o)
}

func auditAll(ctx context.Context, a *dnsaudit.Auditor, names []string) []*dnsaudit.Result {
	out := make([]*dnsaudit.Result, len(names))
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for i, n := range names {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			out[i] = a.Audit(ctx, n)
		})
	}
	wg.Wait()
	return out
}

// findingIDs is a result's sorted, distinct finding ids: with the status,
// what a change is measured on.
func findingIDs(res *dnsaudit.Result) []string {
	ids := []string{}
	for _, f := range res.Findings {
		if !slices.Contains(ids, f.ID) {
			ids = append(ids, f.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// NameChangeOf is a stored change as dns.changed (and the API's watch
// history) shows it.
func NameChangeOf(c *store.Change) NameChange {
	return NameChange{Name: c.Name, FromStatus: c.FromStatus, ToStatus: c.ToStatus,
		FromFindings: store.SummaryIDs(c.FromSummary), ToFindings: store.SummaryIDs(c.ToSummary), At: c.At}
}

// recordWatch stores each name's new state, a change entry where it
// differs from the last run, and queues dns.changed for the changes.
// The first run of a name records its state without calling it a change.
func (r *Runner) recordWatch(ctx context.Context, tx *store.Tx, wt *store.Watch, results []*dnsaudit.Result) error {
	prevList, err := tx.NameStates(ctx, wt.ID)
	if err != nil {
		return err
	}
	prev := map[string]*store.NameState{}
	for _, p := range prevList {
		prev[p.Name] = p
	}
	now := r.cfg.Now().UTC()
	ev := DNSChanged{WatchID: wt.ID, WatchName: wt.Name, Changes: []NameChange{}}
	for _, res := range results {
		raw, err := json.Marshal(res)
		if err != nil {
			return err
		}
		ids := findingIDs(res)
		ns := &store.NameState{Name: res.Name, Status: string(res.Status), Service: res.Service, Summary: strings.Join(ids, ","),
			Result: string(raw), CheckedAt: now, ChangedAt: now}
		if p, ok := prev[res.Name]; ok {
			ns.ChangedAt = p.ChangedAt
			if p.Status != ns.Status || p.Summary != ns.Summary {
				ns.ChangedAt = now
				c := &store.Change{ID: store.NewID("chg"), WatchID: wt.ID, Name: res.Name, FromStatus: p.Status, ToStatus: ns.Status,
					FromSummary: p.Summary, ToSummary: ns.Summary, At: now}
				if err := tx.AddChange(ctx, c); err != nil {
					return err
				}
				ev.Changes = append(ev.Changes, NameChangeOf(c))
			}
		}
		if err := tx.PutNameState(ctx, wt.ID, ns); err != nil {
			return err
		}
	}
	if err := tx.FinishWatchRun(ctx, wt.ID, now, ""); err != nil {
		return err
	}
	if len(ev.Changes) == 0 {
		return nil
	}
	return r.emit(ctx, tx, EventDNSChanged, ev)
}
