package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/plumbsec/plumb/internal/dnsaudit"
	"github.com/plumbsec/plumb/internal/jobs"
	"github.com/plumbsec/plumb/internal/store"
)

type watchIn struct {
	Name     string             `json:"name"`
	Names    []string           `json:"names"`
	Schedule string             `json:"schedule"`
	Options  store.WatchOptions `json:"options"`
}

type nameOut struct {
	Name      string    `json:"name"`
	Status    string    `json:"status"`
	Service   string    `json:"service,omitempty"`
	Findings  []string  `json:"findings"`
	CheckedAt time.Time `json:"checked_at"`
	ChangedAt time.Time `json:"changed_at"`
}

// runOut is one run of a watch.
type runOut struct {
	At       time.Time         `json:"at"`
	Error    string            `json:"error,omitempty"`
	Notices  []dnsaudit.Notice `json:"notices"`
	Statuses map[string]int    `json:"statuses"`
	Changes  int               `json:"changes"`
}

type watchOut struct {
	ID        string             `json:"id"`
	Name      string             `json:"name"`
	Names     []string           `json:"names"`
	Schedule  string             `json:"schedule"`
	Options   store.WatchOptions `json:"options"`
	NextRunAt *time.Time         `json:"next_run_at"`
	LastRunAt *time.Time         `json:"last_run_at"`
	LastError string             `json:"last_error,omitempty"`
	Runs      int                `json:"runs"`
	CreatedAt time.Time          `json:"created_at"`
	Status    []nameOut          `json:"status,omitempty"`
	History   []jobs.NameChange  `json:"history,omitempty"`
	// RecentRuns are the latest runs, newest first, with the audit's
	// notices: when a resolver was dropped or names were resolved from
	// the root servers.
	RecentRuns []runOut `json:"recent_runs,omitempty"`
}

func toWatchOut(w *store.Watch) watchOut {
	return watchOut{ID: w.ID, Name: w.Name, Names: w.Names, Schedule: w.Schedule, Options: w.Options, NextRunAt: optTime(w.NextRunAt),
		LastRunAt: optTime(w.LastRunAt), LastError: w.LastError, Runs: w.Runs, CreatedAt: w.CreatedAt}
}

// maxWatchNames bounds one watch; bulk audits belong to `plumb dns`.
const maxWatchNames = 1000

func (s *Server) checkWatch(in *watchIn) error {
	if len(in.Names) == 0 || len(in.Names) > maxWatchNames {
		return badInput("names: between 1 and %d host names", maxWatchNames)
	}
	seen := map[string]bool{}
	for i, n := range in.Names {
		n = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(n)), ".")
		if !isHostName(n) {
			return badInput("names[%d] %q is not a host name", i, in.Names[i])
		}
		if seen[n] {
			return badInput("names[%d] %q is listed twice", i, n)
		}
		seen[n], in.Names[i] = true, n
	}
	if in.Schedule == "" {
		return badInput("schedule is required (e.g. \"@every 6h\")")
	}
	if err := s.checkSchedule(in.Schedule); err != nil {
		return err
	}
	if len(in.Name) > 200 || strings.ContainsAny(in.Name, "\r\n\x00") {
		return badInput("name: at most 200 characters on one line")
	}
	if err := s.checkAddrs("options.resolver", in.Options.Resolvers); err != nil {
		return err
	}
	if err := s.checkAddrs("options.dns_root", in.Options.DNSRoots); err != nil {
		return err
	}
	return checkTypes(&in.Options)
}

// checkTypes validates options.types as plumb dns --types and stores them
// in canonical form; none means plumb dns's default.
func checkTypes(o *store.WatchOptions) error {
	if len(o.Types) == 0 {
		return nil
	}
	if len(o.Types) > 16 {
		return badInput("options.types: at most 16 record types")
	}
	t, err := jobs.WatchTypes(o.Types)
	if err != nil {
		return badInput("options.types: %v", err)
	}
	o.Types = strings.Split(t.String(), ",")
	return nil
}

func (s *Server) createWatch(w http.ResponseWriter, r *http.Request) {
	var in watchIn
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.checkWatch(&in); err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.cfg.Now()
	wt := &store.Watch{ID: store.NewID("dnw"), Name: in.Name, Names: in.Names, Schedule: in.Schedule, Options: in.Options,
		NextRunAt: now, CreatedAt: now, UpdatedAt: now} // the first run is the baseline, right away
	if wt.Name == "" {
		wt.Name = in.Names[0]
	}
	if err := s.cfg.Store.CreateWatch(r.Context(), wt); err != nil {
		s.fail(w, r, err)
		return
	}
	writeCreated(w, "/api/v1/dns-watches/", wt.ID)
}

func (s *Server) listWatches(w http.ResponseWriter, r *http.Request) {
	list, err := s.cfg.Store.ListWatches(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeList(w, "dns_watches", list, toWatchOut)
}

// watchDetail is a watch with each name's current state and its history.
func (s *Server) watchDetail(r *http.Request, id string, history int) (*watchOut, error) {
	wt, err := s.cfg.Store.GetWatch(r.Context(), id)
	if err != nil {
		return nil, err
	}
	o := toWatchOut(wt)
	states, err := s.cfg.Store.NameStates(r.Context(), id)
	if err != nil {
		return nil, err
	}
	o.Status = []nameOut{}
	for _, n := range states {
		o.Status = append(o.Status, nameOut{Name: n.Name, Status: n.Status, Service: n.Service, Findings: store.SummaryIDs(n.Summary), CheckedAt: n.CheckedAt, ChangedAt: n.ChangedAt})
	}
	changes, err := s.cfg.Store.Changes(r.Context(), id, history)
	if err != nil {
		return nil, err
	}
	o.History = []jobs.NameChange{}
	for _, c := range changes {
		o.History = append(o.History, jobs.NameChangeOf(c))
	}
	if o.RecentRuns, err = s.recentRuns(r, id, history); err != nil {
		return nil, err
	}
	return &o, nil
}

// recentRuns are a watch's latest runs, newest first.
func (s *Server) recentRuns(r *http.Request, id string, limit int) ([]runOut, error) {
	runs, err := s.cfg.Store.WatchRuns(r.Context(), id, limit)
	if err != nil {
		return nil, err
	}
	out := []runOut{}
	for _, run := range runs {
		ro := runOut{At: run.At, Error: run.Error, Notices: []dnsaudit.Notice{}, Statuses: map[string]int{}, Changes: run.Changes}
		if err := json.Unmarshal([]byte(run.Notices), &ro.Notices); err != nil {
			return nil, fmt.Errorf("watch %s run %s notices: %w", id, run.ID, err)
		}
		if err := json.Unmarshal([]byte(run.Statuses), &ro.Statuses); err != nil {
			return nil, fmt.Errorf("watch %s run %s statuses: %w", id, run.ID, err)
		}
		out = append(out, ro)
	}
	return out, nil
}

func (s *Server) getWatch(w http.ResponseWriter, r *http.Request) {
	o, err := s.watchDetail(r, r.PathValue("id"), limit(r, 100, 1000))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

func (s *Server) deleteWatch(w http.ResponseWriter, r *http.Request) {
	if err := s.cfg.Store.DeleteWatch(r.Context(), r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// isHostName accepts LDH host names (and underscores, which DNS allows and
// service names use): dot-separated labels of 1 to 63 characters.
func isHostName(n string) bool {
	if n == "" || len(n) > 253 {
		return false
	}
	for _, l := range strings.Split(n, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range l {
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' && c != '_' {
				return false
			}
		}
	}
	return true
}
