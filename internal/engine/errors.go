package engine

import "errors"

// Kind classifies why a scan could not run; the CLI maps kinds to exit codes.
type Kind int

// Kinds of fatal scan errors.
const (
	KindUsage    Kind = iota + 1 // the options are wrong (exit 2)
	KindSpec                     // the OpenAPI document could not be used (exit 3)
	KindTarget                   // the target could not be reached (exit 3)
	KindResolver                 // the resolvers do not answer (exit 3)
)

// ScanError is returned by Scan when the scan could not run. A partial
// report may still be returned beside it.
type ScanError struct {
	Kind Kind
	Err  error
	Hint string
}

func (e *ScanError) Error() string { return e.Err.Error() }
func (e *ScanError) Unwrap() error { return e.Err }

// KindOf returns the kind of a scan error, or 0 for other errors.
func KindOf(err error) Kind {
	var se *ScanError
	if errors.As(err, &se) {
		return se.Kind
	}
	return 0
}

func fail(kind Kind, hint string, err error) error {
	return &ScanError{Kind: kind, Err: err, Hint: hint}
}
