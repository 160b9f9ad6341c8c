package server

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/plumbsec/plumb/internal/jobs"
	"github.com/plumbsec/plumb/internal/store"
)

type webhookIn struct {
	URL    string   `json:"url"`
	Secret string   `json:"secret"`
	Events []string `json:"events"`
}

// webhookOut never includes the secret: it is write-only.
type webhookOut struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	CreatedAt time.Time `json:"created_at"`
}

type deliveryOut struct {
	ID             string     `json:"id"`
	Event          string     `json:"event"`
	Status         string     `json:"status"`
	Attempts       int        `json:"attempts"`
	ResponseStatus int        `json:"response_status,omitempty"`
	LastError      string     `json:"last_error,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	LastAttemptAt  *time.Time `json:"last_attempt_at"`
	DeliveredAt    *time.Time `json:"delivered_at"`
}

func toWebhookOut(h *store.Webhook) webhookOut {
	return webhookOut{ID: h.ID, URL: h.URL, Events: h.Events, CreatedAt: h.CreatedAt}
}

func toDeliveryOut(d *store.Delivery) deliveryOut {
	return deliveryOut{ID: d.ID, Event: d.Event, Status: d.Status, Attempts: d.Attempts, ResponseStatus: d.ResponseStatus,
		LastError: d.LastError, CreatedAt: d.CreatedAt, LastAttemptAt: optTime(d.LastAttemptAt), DeliveredAt: optTime(d.DeliveredAt)}
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) {
	var in webhookIn
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.checkURL(r.Context(), "url", in.URL); err != nil {
		s.fail(w, r, err)
		return
	}
	if len(in.Secret) < 16 || len(in.Secret) > 1024 {
		s.fail(w, r, badInput("secret: between 16 and 1024 characters (a random string the receiver also knows)"))
		return
	}
	if len(in.Events) == 0 {
		s.fail(w, r, badInput("events: at least one of %s", strings.Join(jobs.Events, ", ")))
		return
	}
	for _, e := range in.Events {
		if !slices.Contains(jobs.Events, e) {
			s.fail(w, r, badInput("events: %q is not one of %s", e, strings.Join(jobs.Events, ", ")))
			return
		}
	}
	h := &store.Webhook{ID: store.NewID("whk"), URL: in.URL, Events: slices.Compact(slices.Sorted(slices.Values(in.Events))), CreatedAt: s.cfg.Now()}
	sealed, err := jobs.SealWebhookSecret(s.cfg.Box, h.ID, in.Secret)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h.Secret = sealed
	if err := s.cfg.Store.CreateWebhook(r.Context(), h); err != nil {
		s.fail(w, r, err)
		return
	}
	writeCreated(w, "/api/v1/webhooks/", h.ID)
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) {
	list, err := s.cfg.Store.ListWebhooks(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeList(w, "webhooks", list, toWebhookOut)
}

func (s *Server) getWebhook(w http.ResponseWriter, r *http.Request) {
	h, err := s.cfg.Store.GetWebhook(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toWebhookOut(h))
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	if err := s.cfg.Store.DeleteWebhook(r.Context(), r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.cfg.Store.GetWebhook(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.cfg.Store.ListDeliveries(r.Context(), id, limit(r, 50, 500))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeList(w, "deliveries", list, toDeliveryOut)
}
