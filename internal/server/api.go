package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/plumbsec/plumb/internal/store"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeList answers 200 with {key: [each item converted]}, [] for none.
func writeList[T, O any](w http.ResponseWriter, key string, items []T, conv func(T) O) {
	out := make([]O, 0, len(items))
	for _, it := range items {
		out = append(out, conv(it))
	}
	writeJSON(w, http.StatusOK, map[string]any{key: out})
}

// writeCreated answers 201 with the new resource's id and its Location
// (under prefix).
func writeCreated(w http.ResponseWriter, prefix, id string) {
	w.Header().Set("Location", prefix+id)
	writeJSON(w, http.StatusCreated, map[string]string{"id": id})
}

type apiError struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, apiError{Error: msg})
}

// inputError is a problem with what the client sent: 422 with its message.
type inputError struct{ msg string }

func (e inputError) Error() string { return e.msg }

func badInput(format string, args ...any) error { return inputError{fmt.Sprintf(format, args...)} }

// fail answers with the status an error deserves; unexpected errors are
// logged and reported without detail.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ie inputError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ie):
		writeError(w, http.StatusUnprocessableEntity, ie.msg)
	case errors.As(err, &mbe):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", mbe.Limit))
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "not found")
	case errors.Is(err, store.ErrConflict):
		writeError(w, http.StatusConflict, "already exists")
	default:
		s.cfg.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
	}
}

// decode reads one JSON object, strictly: unknown fields and trailing
// data are errors, so a typo is not silently ignored.
func decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return badInput("Content-Type must be application/json")
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		if errors.Is(err, io.EOF) {
			return badInput("empty body: want a JSON object")
		}
		return badInput("invalid JSON: %v", err)
	}
	if dec.More() {
		return badInput("invalid JSON: more than one value")
	}
	return nil
}

// limit reads ?limit=, bounded.
func limit(r *http.Request, def, maxN int) int {
	n, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || n <= 0 {
		return def
	}
	return min(n, maxN)
}
