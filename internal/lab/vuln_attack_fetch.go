package lab

import (
	"net/http"
	"strconv"
	"strings"
)

// fetchRoutes: URLs in request bodies that the shop fetches server-side.
func (v *vulnShop) fetchRoutes(mux *http.ServeMux, s *authzStore) {
	// Flaw (SSRF through a JSON body): the avatar is fetched from any URL,
	// and what came back (or the client's error) is in the answer.
	mux.HandleFunc("PUT /api/v1/profile/avatar", v.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		body, ok := readJSONObject(w, r)
		u, okURL := strField(body, "avatar_url")
		if !ok || !okURL {
			writeJSON(w, http.StatusBadRequest, map[string]string{"status": "fail", "message": "Incorrect Request."})
			return
		}
		s.update(sub, func(x *authzUser) { x.AvatarURL = u })
		out := map[string]any{"avatar_url": u}
		if status, preview, err := v.serverFetch(u, ""); err != nil {
			out["error"] = err.Error()
		} else {
			out["fetched"], out["preview"] = status, preview
		}
		writeJSON(w, http.StatusOK, out)
	}))
	// Flaw (SSRF through a form field): the webhook is called once to
	// verify it, whatever its URL, and the answer is shown.
	mux.HandleFunc("POST /api/v1/webhooks", v.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		h, ok := readHook(w, r, sub)
		if !ok {
			return
		}
		out := map[string]any{}
		status, preview, err := v.serverFetch(h.URL, "")
		h.Verified = err == nil && status == http.StatusOK
		if h, ok = s.addHook(h); !ok {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "fail", "message": "Too many webhooks."})
			return
		}
		out["id"], out["url"], out["event"], out["verified"] = h.ID, h.URL, h.Event, h.Verified
		if err != nil {
			out["error"] = err.Error()
		} else {
			out["response"] = preview
		}
		writeJSON(w, http.StatusCreated, out)
	}))
	hookRoutes(mux, s, v.requireToken)
}

// readHook reads a webhook form (url, event).
func readHook(w http.ResponseWriter, r *http.Request, sub string) (webhook, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil || r.PostForm.Get("url") == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return webhook{}, false
	}
	ev := r.PostForm.Get("event")
	if ev == "" {
		ev = "order.created"
	}
	return webhook{User: sub, URL: r.PostForm.Get("url"), Event: ev}, true
}

// hookRoutes reads and deletes the caller's own webhooks (both shops).
func hookRoutes(mux *http.ServeMux, s *authzStore, auth func(func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc) {
	mux.HandleFunc("GET /api/v1/webhooks/{id}", auth(func(w http.ResponseWriter, r *http.Request, sub string) {
		id, _ := strconv.Atoi(r.PathValue("id"))
		h, ok := s.hook(id, sub)
		if !ok {
			jsonNotFound(w, r)
			return
		}
		writeJSON(w, http.StatusOK, h)
	}))
	mux.HandleFunc("DELETE /api/v1/webhooks/{id}", auth(func(w http.ResponseWriter, r *http.Request, sub string) {
		id, _ := strconv.Atoi(r.PathValue("id"))
		if !s.deleteHook(id, sub) {
			jsonNotFound(w, r)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
}

// fetchRoutes: the clean shop takes avatars from its own origin only and
// webhooks to its app's origin only, and fetches neither here.
func (c *cleanShop) fetchRoutes(mux *http.ServeMux, s *authzStore) {
	mux.HandleFunc("PUT /api/v1/profile/avatar", c.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		body, ok := readJSONObject(w, r)
		u, okURL := strField(body, "avatar_url")
		if !ok || !okURL || !strings.HasPrefix(u, avatarPrefix) || strings.Contains(u, "..") {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "avatar_url must be a path under " + avatarPrefix})
			return
		}
		s.update(sub, func(x *authzUser) { x.AvatarURL = u })
		writeJSON(w, http.StatusOK, map[string]string{"avatar_url": u})
	}))
	mux.HandleFunc("POST /api/v1/webhooks", c.requireToken(func(w http.ResponseWriter, r *http.Request, sub string) {
		h, ok := readHook(w, r, sub)
		if !ok {
			return
		}
		if !strings.HasPrefix(h.URL, cleanAppOrigin+"/hooks/") {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "webhooks go to " + cleanAppOrigin + "/hooks/ only"})
			return
		}
		if h, ok = s.addHook(h); !ok {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "unavailable"})
			return
		}
		writeJSON(w, http.StatusCreated, h)
	}))
	hookRoutes(mux, s, c.requireToken)
}
