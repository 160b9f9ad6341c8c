package lab

import (
	"encoding/json"
	"net/http"
	"strings"
)

// interactionsPrefix is the collector's polling API, the contract
// --callback-url listeners implement: GET <listener>/plumb/interactions/ID
// answers {"interactions":[{"method","path","headers"}]} for every request
// whose path contained ID. Polls are not recorded.
const interactionsPrefix = "/plumb/interactions/"

// Interaction is one recorded request as the polling API reports it.
type Interaction struct {
	Method  string              `json:"method"`
	Path    string              `json:"path"`
	Headers map[string][]string `json:"headers"`
}

// serveInteractions answers a poll; it returns false for other requests.
func (c *Collector) serveInteractions(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, interactionsPrefix) {
		return false
	}
	id := strings.TrimPrefix(r.URL.Path, interactionsPrefix)
	out := []Interaction{}
	if len(id) >= 8 {
		for _, rec := range c.Requests() {
			if strings.Contains(rec.Path, id) {
				out = append(out, Interaction{Method: rec.Method, Path: rec.Path, Headers: rec.Header})
			}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"interactions": out})
	return true
}
