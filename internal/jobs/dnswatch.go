package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	// Notices are the run's (a resolver dropped, names resolved from the
	// root servers): what the changes were seen through.
	Notices []dnsaudit.Notice `json:"notices,omitempty"`
}

// keepWatchRuns is how many runs of a watch its history keeps.
const keepWatchRuns = 200

// WatchTypes reads a watch's options.types as plumb dns reads --types;
// none is the default.
func WatchTypes(types []string) (dnsaudit.RecordTypes, error) {
	if len(types) == 0 {
		return dnsaudit.DefaultTypes, nil
	}
	return dnsaudit.ParseTypes(strings.Join(types, ","))
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
		now := w.r.cfg.Now().UTC()
		return st.InTx(ctx, func(tx *store.Tx) error {
			run := &store.WatchRun{ID: store.NewID("wrn"), WatchID: wt.ID, At: now, Error: err.Error()}
			if err := tx.AddWatchRun(ctx, run, keepWatchRuns); err != nil {
				return err
			}
			return tx.FinishWatchRun(ctx, wt.ID, now, err.Error())
		})
	}
	results := auditAll(ctx, auditor, wt.Names)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return st.InTx(ctx, func(tx *store.Tx) error { return w.r.recordWatch(ctx, tx, wt, auditor.Notices(), results) })
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
	types, err := WatchTypes(wt.Options.Types)
	if err != nil {
		return nil, fmt.Errorf("options.types: %w", err)
	}
	o := dnsaudit.Options{Resolver: res, Roots: roots, AuthorityPort: base.DNSAudit.AuthorityPort, Types: types}
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
// differs from the last run, the run with the audit's notices, and queues
// dns.changed for the changes. The first run of a name records its state
// without calling it a change.
func (r *Runner) recordWatch(ctx context.Context, tx *store.Tx, wt *store.Watch, notices []dnsaudit.Notice, results []*dnsaudit.Result) error {
	prevList, err := tx.NameStates(ctx, wt.ID)
	if err != nil {
		return err
	}
	prev := map[string]*store.NameState{}
	for _, p := range prevList {
		prev[p.Name] = p
	}
	now := r.cfg.Now().UTC()
	ev := DNSChanged{WatchID: wt.ID, WatchName: wt.Name, Changes: []NameChange{}, Notices: notices}
	statuses := map[string]int{}
	for _, res := range results {
		statuses[string(res.Status)]++
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
	if err := addRun(ctx, tx, wt.ID, now, notices, statuses, len(ev.Changes)); err != nil {
		return err
	}
	if err := tx.FinishWatchRun(ctx, wt.ID, now, ""); err != nil {
		return err
	}
	if len(ev.Changes) == 0 {
		return nil
	}
	return r.emit(ctx, tx, EventDNSChanged, ev)
}

// addRun records a run that audited the names: its notices, how many
// names ended in each status and how many changed.
func addRun(ctx context.Context, tx *store.Tx, watchID string, at time.Time, notices []dnsaudit.Notice, statuses map[string]int, changes int) error {
	if notices == nil {
		notices = []dnsaudit.Notice{}
	}
	n, err := json.Marshal(notices)
	if err != nil {
		return err
	}
	st, err := json.Marshal(statuses)
	if err != nil {
		return err
	}
	run := &store.WatchRun{ID: store.NewID("wrn"), WatchID: watchID, At: at, Notices: string(n), Statuses: string(st), Changes: changes}
	return tx.AddWatchRun(ctx, run, keepWatchRuns)
}
