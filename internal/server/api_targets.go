package server

import (
	"context"
	"net/http"
	"net/textproto"
	"strings"
	"time"

	"github.com/plumbsec/plumb/internal/jobs"
	"github.com/plumbsec/plumb/internal/store"
)

var parseSchedule = jobs.ParseSchedule

// targetIn is the body of POST and PATCH /api/v1/targets; in a PATCH every
// field is optional and a given field replaces the stored one.
type targetIn struct {
	Name        *string            `json:"name"`
	URL         *string            `json:"url"`
	Spec        *string            `json:"spec"`
	Credentials *jobs.Credentials  `json:"credentials"`
	Options     *store.ScanOptions `json:"options"`
	Schedule    *string            `json:"schedule"`
}

// targetOut is a target as the API shows it: credentials never leave.
type targetOut struct {
	ID             string            `json:"id"`
	Name           string            `json:"name"`
	URL            string            `json:"url"`
	Spec           string            `json:"spec,omitempty"`
	Options        store.ScanOptions `json:"options"`
	Schedule       string            `json:"schedule,omitempty"`
	NextRunAt      *time.Time        `json:"next_run_at,omitempty"`
	HasCredentials bool              `json:"has_credentials"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
	LastScan       *scanOut          `json:"last_scan,omitempty"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func toTargetOut(t *store.Target) targetOut {
	return targetOut{ID: t.ID, Name: t.Name, URL: t.URL, Spec: t.Spec, Options: t.Options, Schedule: t.Schedule,
		NextRunAt: optTime(t.NextRunAt), HasCredentials: len(t.Credentials) > 0, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

// apply validates in and applies it to t (a new target when t.ID is fresh).
func (s *Server) apply(ctx context.Context, t *store.Target, in *targetIn) error {
	if in.URL != nil {
		u, err := s.checkTargetURL(ctx, *in.URL)
		if err != nil {
			return err
		}
		t.URL, t.Host = strings.TrimSuffix(u.String(), "/"), strings.ToLower(u.Hostname())
		if t.Name == "" {
			t.Name = u.Host
		}
	}
	if in.Name != nil {
		if len(*in.Name) > 200 || strings.ContainsAny(*in.Name, "\x00\r\n") {
			return badInput("name: at most 200 characters on one line")
		}
		if *in.Name != "" {
			t.Name = *in.Name
		}
	}
	if in.Spec != nil {
		if *in.Spec != "" {
			if _, err := s.checkURL(ctx, "spec", *in.Spec); err != nil {
				return err
			}
		}
		t.Spec = *in.Spec
	}
	if in.Options != nil {
		if err := s.checkScanOptions(in.Options); err != nil {
			return err
		}
		t.Options = *in.Options
	}
	if in.Credentials != nil {
		if err := checkCredentials(in.Credentials); err != nil {
			return err
		}
		sealed, err := jobs.SealCredentials(s.cfg.Box, t.ID, in.Credentials)
		if err != nil {
			return err
		}
		t.Credentials = sealed
	}
	if in.Schedule != nil {
		if err := s.checkSchedule(*in.Schedule); err != nil {
			return err
		}
		if *in.Schedule != t.Schedule {
			t.Schedule, t.NextRunAt = *in.Schedule, time.Time{}
			if t.Schedule != "" {
				t.NextRunAt = s.cfg.Now() // a new schedule starts with a baseline scan
			}
		}
	}
	return nil
}

func checkCredentials(c *jobs.Credentials) error {
	for _, v := range []string{c.Bearer, c.BearerB} {
		if strings.ContainsAny(v, "\r\n\x00") || len(v) > 8192 {
			return badInput("credentials: a bearer token is one line of at most 8192 characters")
		}
	}
	if len(c.Headers) > 32 {
		return badInput("credentials.headers: at most 32 headers")
	}
	for k, v := range c.Headers {
		if k == "" || textproto.CanonicalMIMEHeaderKey(k) == "Host" || strings.ContainsAny(k, " :\r\n\x00") || strings.ContainsAny(v, "\r\n\x00") || len(v) > 8192 {
			return badInput("credentials.headers: %q is not a header name with a one-line value", k)
		}
	}
	return nil
}

func (s *Server) createTarget(w http.ResponseWriter, r *http.Request) {
	var in targetIn
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.URL == nil {
		s.fail(w, r, badInput("url is required"))
		return
	}
	now := s.cfg.Now()
	t := &store.Target{ID: store.NewID("tgt"), CreatedAt: now, UpdatedAt: now}
	if err := s.apply(r.Context(), t, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.cfg.Store.CreateTarget(r.Context(), t); err != nil {
		s.fail(w, r, err)
		return
	}
	writeCreated(w, "/api/v1/targets/", t.ID)
}

func (s *Server) listTargets(w http.ResponseWriter, r *http.Request) {
	ts, err := s.cfg.Store.ListTargets(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeList(w, "targets", ts, func(t *store.Target) targetOut { return s.targetWithLastScan(r.Context(), t) })
}

func (s *Server) targetWithLastScan(ctx context.Context, t *store.Target) targetOut {
	o := toTargetOut(t)
	if list, err := s.cfg.Store.ListScans(ctx, t.ID, 1); err == nil && len(list) == 1 {
		so := toScanOut(list[0])
		o.LastScan = &so
	}
	return o
}

func (s *Server) getTarget(w http.ResponseWriter, r *http.Request) {
	t, err := s.cfg.Store.GetTarget(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.targetWithLastScan(r.Context(), t))
}

func (s *Server) patchTarget(w http.ResponseWriter, r *http.Request) {
	var in targetIn
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := s.cfg.Store.GetTarget(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.apply(r.Context(), t, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	t.UpdatedAt = s.cfg.Now()
	if err := s.cfg.Store.UpdateTarget(r.Context(), t); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toTargetOut(t))
}

func (s *Server) deleteTarget(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if scans, err := s.cfg.Store.ListScans(r.Context(), id, 20); err == nil {
		for _, sc := range scans {
			_ = s.cfg.Runner.CancelScan(r.Context(), sc)
		}
	}
	if err := s.cfg.Store.DeleteTarget(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
