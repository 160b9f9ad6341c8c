package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/plumbsec/plumb/internal/jobs"
	"github.com/plumbsec/plumb/internal/result"
	"github.com/plumbsec/plumb/internal/store"
)

// scanOut is a scan as the API shows it. Report is exactly the JSON report
// of `plumb scan --format json` (null until the scan ends).
type scanOut struct {
	ID         string          `json:"id"`
	TargetID   string          `json:"target_id"`
	Status     string          `json:"status"`
	Cause      string          `json:"cause"`
	Attempt    int             `json:"attempt"`
	Note       string          `json:"note,omitempty"`
	CreatedAt  time.Time       `json:"created_at"`
	StartedAt  *time.Time      `json:"started_at"`
	FinishedAt *time.Time      `json:"finished_at"`
	Error      string          `json:"error"`
	Score      *int            `json:"score,omitempty"`
	Grade      string          `json:"grade,omitempty"`
	Critical   int             `json:"critical"`
	High       int             `json:"high"`
	Findings   int             `json:"findings"`
	Report     json.RawMessage `json:"report,omitempty"`
}

func toScanOut(sc *store.Scan) scanOut {
	o := scanOut{ID: sc.ID, TargetID: sc.TargetID, Status: sc.Status, Cause: sc.Cause, Attempt: sc.Attempt, Note: sc.Note,
		CreatedAt: sc.CreatedAt, StartedAt: optTime(sc.StartedAt), FinishedAt: optTime(sc.FinishedAt), Error: sc.Error,
		Grade: sc.Grade, Critical: sc.Critical, High: sc.High, Findings: sc.Findings}
	if sc.Grade != "" {
		score := sc.Score
		o.Score = &score
	}
	return o
}

func (s *Server) startScan(w http.ResponseWriter, r *http.Request) {
	t, err := s.cfg.Store.GetTarget(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sc, err := s.queueScan(r, t.ID, "api")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/scans/"+sc.ID)
	writeJSON(w, http.StatusAccepted, map[string]string{"id": sc.ID})
}

func (s *Server) queueScan(r *http.Request, targetID, cause string) (*store.Scan, error) {
	var sc *store.Scan
	err := s.cfg.Store.InTx(r.Context(), func(tx *store.Tx) error {
		var err error
		sc, err = s.cfg.Runner.CreateScan(r.Context(), tx, targetID, cause)
		return err
	})
	return sc, err
}

func (s *Server) listScans(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.cfg.Store.GetTarget(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.cfg.Store.ListScans(r.Context(), id, limit(r, 50, 500))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeList(w, "scans", list, toScanOut)
}

func (s *Server) getScan(w http.ResponseWriter, r *http.Request) {
	sc, err := s.cfg.Store.GetScan(r.Context(), r.PathValue("id"), true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	o := toScanOut(sc)
	o.Report = json.RawMessage("null")
	if sc.Report != "" {
		o.Report = json.RawMessage(sc.Report)
	}
	writeJSON(w, http.StatusOK, o)
}

func (s *Server) cancelScan(w http.ResponseWriter, r *http.Request) {
	sc, err := s.cfg.Store.GetScan(r.Context(), r.PathValue("id"), false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if sc.Terminal() {
		writeError(w, http.StatusConflict, "the scan has already ended ("+sc.Status+")")
		return
	}
	if err := s.cfg.Runner.CancelScan(r.Context(), sc); err != nil {
		s.fail(w, r, err)
		return
	}
	sc, err = s.cfg.Store.GetScan(r.Context(), sc.ID, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toScanOut(sc))
}

// diffOut is GET /api/v1/scans/{id}/diff.
type diffOut struct {
	ScanID         string `json:"scan_id"`
	PreviousScanID string `json:"previous_scan_id"`
	jobs.Diff
}

// diffScans compares a completed scan with another (prevID) or, with
// prevID "", with the target's previous completed scan.
func (s *Server) diffScans(r *http.Request, id, prevID string) (*diffOut, error) {
	st := s.cfg.Store
	sc, err := st.GetScan(r.Context(), id, true)
	if err != nil {
		return nil, err
	}
	if sc.Status != store.StatusDone {
		return nil, errNotDone
	}
	var prev *store.Scan
	if prevID != "" {
		prev, err = st.GetScan(r.Context(), prevID, true)
		if err == nil && (prev.Status != store.StatusDone || prev.TargetID != sc.TargetID) {
			return nil, badInput("scan %s is not a completed scan of the same target", prevID)
		}
	} else {
		prev, err = st.PreviousDoneScan(r.Context(), sc.TargetID, sc.ID)
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	cur, err := result.ReadReport(strings.NewReader(sc.Report))
	if err != nil {
		return nil, err
	}
	out := &diffOut{ScanID: sc.ID}
	var old *result.Report
	if prev != nil {
		if old, err = result.ReadReport(strings.NewReader(prev.Report)); err != nil {
			return nil, err
		}
		out.PreviousScanID = prev.ID
	}
	out.Diff = jobs.DiffReports(cur, old)
	return out, nil
}

var errNotDone = errors.New("the scan has not completed")

func (s *Server) scanDiff(w http.ResponseWriter, r *http.Request) {
	d, err := s.diffScans(r, r.PathValue("id"), r.URL.Query().Get("against"))
	if errors.Is(err, errNotDone) {
		writeError(w, http.StatusConflict, err.Error())
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}
