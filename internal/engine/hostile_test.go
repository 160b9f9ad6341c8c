package engine_test

import (
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labtest"
)

// A discovered document cut at the body cap is not parsed as if whole: a
// YAML prefix is a valid, smaller document.
func TestDiscoveredSpecCutAtBodyCapIsNotParsed(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Run(t, "https://"+lab.BigSpecHost, labtest.Options(t, w, ""))
	if rep.Spec.Operations != 0 || rep.Spec.Source != "" {
		t.Fatalf("a prefix of the document was loaded: %d of %d operations", rep.Spec.Operations, lab.BigSpecOperations)
	}
	var tried string
	for _, a := range rep.Spec.Tried {
		if strings.HasSuffix(a.URL, "/openapi.yaml") {
			tried = a.Result
		}
	}
	if !strings.Contains(tried, "larger than the response size cap") {
		t.Errorf("attempt at /openapi.yaml: %q", tried)
	}
	var msgs []string
	for _, e := range rep.Errors {
		msgs = append(msgs, e.Message)
	}
	if all := strings.Join(msgs, "\n"); !strings.Contains(all, "--max-body") {
		t.Errorf("no error tells how to load it:\n%s", all)
	}
}
