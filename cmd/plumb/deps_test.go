package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The binary must not link test kits: helpers that import testing live in
// test-only packages (internal/labtest, internal/labcatalog).
func TestBinaryDoesNotLinkTesting(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if p == "testing" || strings.HasSuffix(p, "/labtest") || strings.HasSuffix(p, "/labcatalog") {
			t.Errorf("plumb links %s", p)
		}
	}
}
