package spec

import (
	"errors"
	"strings"

	"github.com/plumbsec/plumb/internal/safetext"
)

var (
	// ErrNoOperations means the document parsed but yielded zero
	// operations. Parse no longer fails for that (it warns); the sentinel
	// stays for callers that require operations.
	ErrNoOperations = errors.New("no operations imported")
	// ErrNotOpenAPI means the input is not an OpenAPI or Swagger document.
	ErrNotOpenAPI = errors.New("not an OpenAPI or Swagger document")
	// ErrTooLarge means a document exceeded LoadOptions.MaxBytes.
	ErrTooLarge = errors.New("document too large")
	// ErrRemoteRef means a $ref points at a URL and remote refs are not allowed.
	ErrRemoteRef = errors.New("remote $ref not allowed")
)

// Error is the error type returned by Load and Parse.
type Error struct {
	Source   string
	Location string // e.g. "line 12" or "/paths/~1a/get"; may be empty
	Msg      string
	Err      error
}

// Error renders one sentence naming the source and the location. What the
// document says (a bad value, a key) is escaped and cut: the document may
// come from the target.
func (e *Error) Error() string { return safetext.Quote(e.text(), maxErrText) }

// maxErrText bounds an error's text.
const maxErrText = 600

func (e *Error) text() string {
	var b strings.Builder
	b.WriteString("spec ")
	b.WriteString(sourceName(e.Source))
	if e.Location != "" {
		b.WriteString(" at ")
		b.WriteString(e.Location)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.Err != nil && !isSentinel(e.Err) {
		if e.Msg != "" {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

func isSentinel(err error) bool {
	switch err {
	case ErrNoOperations, ErrNotOpenAPI, ErrTooLarge, ErrRemoteRef: //nolint:errorlint // identity on purpose: is err itself a sentinel, not one wrapped
		return true
	}
	return false
}

func sourceName(s string) string {
	if s == "" {
		return "<input>"
	}
	return s
}
