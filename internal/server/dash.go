package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/result"
	"github.com/plumbsec/plumb/internal/store"
)

func (s *Server) dashboardRoutes() {
	for pattern, h := range map[string]http.HandlerFunc{
		"GET /static/style.css":     s.staticCSS,
		"GET /login":                s.loginPage,
		"POST /login":               s.login,
		"POST /logout":              s.page(s.logout),
		"GET /{$}":                  s.page(s.targetsPage),
		"GET /targets/{id}":         s.page(s.targetPage),
		"POST /targets/{id}/scan":   s.page(s.scanNow),
		"GET /scans/{id}":           s.page(s.scanPage),
		"GET /scans/{id}/graph.svg": s.page(s.graphSVG),
		"GET /diff":                 s.page(s.diffPage),
		"GET /watches":              s.page(s.watchesPage),
		"GET /watches/{id}":         s.page(s.watchPage),
		"GET /webhooks":             s.page(s.webhooksPage),
		"GET /webhooks/{id}":        s.page(s.webhookPage),
	} {
		s.mux.Handle(pattern, s.limitByAddress(h))
	}
}

type pageHandler func(w http.ResponseWriter, r *http.Request, sess *store.Session) error

// page wraps a dashboard handler: it needs a session (else the sign-in
// page), and its POSTs need the session's CSRF token from this site.
func (s *Server) page(h pageHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.session(r)
		if !ok {
			if r.Method == http.MethodGet && !strings.HasSuffix(r.URL.Path, ".svg") {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			http.Error(w, "sign in first", http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodPost && !checkCSRF(r, sess) {
			http.Error(w, "invalid or missing CSRF token; reload the page", http.StatusForbidden)
			return
		}
		if err := h(w, r, sess); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				s.render(w, http.StatusNotFound, "error", view{Title: "Not found", CSRF: sess.CSRF, Flash: "Not found."})
				return
			}
			s.cfg.Logger.Error("dashboard", "path", r.URL.Path, "err", err)
			s.render(w, http.StatusInternalServerError, "error", view{Title: "Error", CSRF: sess.CSRF, Flash: "Something went wrong; see the server log."})
		}
	}
}

func (s *Server) origin(r *http.Request) string {
	scheme := "http"
	if s.cfg.TLS {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.session(r); ok {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, http.StatusOK, "login", view{Title: "Sign in"})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	ip, now := clientIP(r), s.cfg.Now()
	if wait := s.limiter.blocked(ip, now); wait > 0 {
		tooMany(w, wait)
		return
	}
	if !sameOrigin(r) {
		http.Error(w, "cross-site sign-in refused", http.StatusForbidden)
		return
	}
	k, err := s.authenticate(r.Context(), strings.TrimSpace(r.PostFormValue("key")), now)
	if err != nil {
		s.limiter.fail(ip, now)
		s.render(w, http.StatusUnauthorized, "login", view{Title: "Sign in", Flash: "That key is not valid."})
		return
	}
	if err := s.startSession(w, r, k); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, _ *store.Session) error {
	s.endSession(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

type targetRow struct {
	*store.Target
	Grade    string
	Score    int
	Critical int
	Trend    any
	Last     *store.Scan
}

func (s *Server) targetsPage(w http.ResponseWriter, r *http.Request, sess *store.Session) error {
	ts, err := s.cfg.Store.ListTargets(r.Context())
	if err != nil {
		return err
	}
	rows := []targetRow{}
	for _, t := range ts {
		scans, err := s.cfg.Store.ListScans(r.Context(), t.ID, 20)
		if err != nil {
			return err
		}
		row := targetRow{Target: t}
		var scores []int
		for i, sc := range scans {
			if i == 0 {
				row.Last = sc
			}
			if sc.Status == store.StatusDone {
				if row.Grade == "" {
					row.Grade, row.Score, row.Critical = sc.Grade, sc.Score, sc.Critical
				}
				scores = append(scores, sc.Score)
			}
		}
		slices.Reverse(scores)
		row.Trend = sparkline(scores)
		rows = append(rows, row)
	}
	s.render(w, http.StatusOK, "targets", view{Title: "Targets", CSRF: sess.CSRF, Origin: s.origin(r), Data: rows})
	return nil
}

type scanRow struct {
	Scan   *store.Scan
	PrevID string // the completed scan before it, for a diff link
}

func (s *Server) targetPage(w http.ResponseWriter, r *http.Request, sess *store.Session) error {
	t, err := s.cfg.Store.GetTarget(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	scans, err := s.cfg.Store.ListScans(r.Context(), t.ID, 100)
	if err != nil {
		return err
	}
	rows := make([]scanRow, len(scans))
	prev := ""
	for i := len(scans) - 1; i >= 0; i-- {
		rows[i] = scanRow{Scan: scans[i]}
		if scans[i].Status == store.StatusDone {
			rows[i].PrevID, prev = prev, scans[i].ID
		}
	}
	data := map[string]any{"Target": t, "Scans": rows, "HasCredentials": len(t.Credentials) > 0}
	s.render(w, http.StatusOK, "target", view{Title: t.Name, CSRF: sess.CSRF, Data: data})
	return nil
}

func (s *Server) scanNow(w http.ResponseWriter, r *http.Request, _ *store.Session) error {
	t, err := s.cfg.Store.GetTarget(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if _, err := s.queueScan(r, t.ID, "dashboard"); err != nil {
		return err
	}
	http.Redirect(w, r, "/targets/"+t.ID, http.StatusSeeOther)
	return nil
}

// loadScan returns a scan, its target and its parsed report (nil before it ends).
func (s *Server) loadScan(ctx context.Context, id string) (*store.Scan, *store.Target, *result.Report, error) {
	sc, err := s.cfg.Store.GetScan(ctx, id, true)
	if err != nil {
		return nil, nil, nil, err
	}
	t, err := s.cfg.Store.GetTarget(ctx, sc.TargetID)
	if err != nil {
		return nil, nil, nil, err
	}
	if sc.Report == "" {
		return sc, t, nil, nil
	}
	rep, err := result.ReadReport(strings.NewReader(sc.Report))
	return sc, t, rep, err
}

func (s *Server) scanPage(w http.ResponseWriter, r *http.Request, sess *store.Session) error {
	sc, t, rep, err := s.loadScan(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	data := map[string]any{"Scan": sc, "Target": t, "Report": rep}
	if rep != nil {
		fs := slices.Clone(rep.Findings)
		slices.SortStableFunc(fs, func(a, b finding.Finding) int { return int(b.Severity) - int(a.Severity) })
		data["Findings"] = fs
	}
	if prev, err := s.cfg.Store.PreviousDoneScan(r.Context(), t.ID, sc.ID); err == nil && sc.Status == store.StatusDone {
		data["PrevID"] = prev.ID
	}
	s.render(w, http.StatusOK, "scan", view{Title: "Scan of " + t.Name, CSRF: sess.CSRF, Data: data})
	return nil
}

func (s *Server) graphSVG(w http.ResponseWriter, r *http.Request, _ *store.Session) error {
	_, t, rep, err := s.loadScan(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if rep == nil {
		return store.ErrNotFound
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'none'; frame-ancestors 'none'")
	return writeGraph(w, rep.Hosts, t.Host)
}

func (s *Server) diffPage(w http.ResponseWriter, r *http.Request, sess *store.Session) error {
	q := r.URL.Query()
	d, err := s.diffScans(r, q.Get("to"), q.Get("from"))
	if err != nil {
		return err
	}
	from, err := s.cfg.Store.GetScan(r.Context(), d.PreviousScanID, false)
	if err != nil {
		return err
	}
	to, err := s.cfg.Store.GetScan(r.Context(), d.ScanID, false)
	if err != nil {
		return err
	}
	t, err := s.cfg.Store.GetTarget(r.Context(), to.TargetID)
	if err != nil {
		return err
	}
	data := map[string]any{"Target": t, "From": from, "To": to, "Diff": d.Diff}
	s.render(w, http.StatusOK, "diff", view{Title: "Changes in " + t.Name, CSRF: sess.CSRF, Data: data})
	return nil
}

func (s *Server) watchesPage(w http.ResponseWriter, r *http.Request, sess *store.Session) error {
	list, err := s.cfg.Store.ListWatches(r.Context())
	if err != nil {
		return err
	}
	s.render(w, http.StatusOK, "watches", view{Title: "DNS watches", CSRF: sess.CSRF, Origin: s.origin(r), Data: list})
	return nil
}

func (s *Server) watchPage(w http.ResponseWriter, r *http.Request, sess *store.Session) error {
	o, err := s.watchDetail(r, r.PathValue("id"), 200)
	if err != nil {
		return err
	}
	s.render(w, http.StatusOK, "watch", view{Title: o.Name, CSRF: sess.CSRF, Data: o})
	return nil
}

func (s *Server) webhooksPage(w http.ResponseWriter, r *http.Request, sess *store.Session) error {
	list, err := s.cfg.Store.ListWebhooks(r.Context())
	if err != nil {
		return err
	}
	s.render(w, http.StatusOK, "webhooks", view{Title: "Webhooks", CSRF: sess.CSRF, Origin: s.origin(r), Data: list})
	return nil
}

func (s *Server) webhookPage(w http.ResponseWriter, r *http.Request, sess *store.Session) error {
	h, err := s.cfg.Store.GetWebhook(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	ds, err := s.cfg.Store.ListDeliveries(r.Context(), h.ID, 200)
	if err != nil {
		return err
	}
	s.render(w, http.StatusOK, "webhook", view{Title: "Webhook", CSRF: sess.CSRF, Data: map[string]any{"Webhook": h, "Deliveries": ds}})
	return nil
}
