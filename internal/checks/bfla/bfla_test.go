package bfla

import (
	"testing"

	"github.com/plumbsec/plumb/internal/spec"
)

func TestWhyPrivileged(t *testing.T) {
	t.Parallel()
	scoped := []spec.Requirement{{Schemes: []spec.SchemeUse{{Name: "oauth", Scopes: []string{"users:admin"}}}}}
	for _, tc := range []struct {
		op   spec.Operation
		want bool
	}{
		{spec.Operation{Path: "/api/v1/admin/users"}, true},
		{spec.Operation{Path: "/internal/metrics"}, true},
		{spec.Operation{Path: "/api/manage-users"}, true},
		{spec.Operation{Path: "/api/v1/users", Tags: []string{"Administration"}}, true},
		{spec.Operation{Path: "/api/v1/users", OperationID: "adminDeleteUser"}, true},
		{spec.Operation{Path: "/api/v1/users", Security: scoped}, true},
		{spec.Operation{Path: "/api/v1/users"}, false},
		{spec.Operation{Path: "/api/v1/administrative-areas"}, false},
		{spec.Operation{Path: "/api/v1/international/{id}"}, false},
		{spec.Operation{Path: "/api/v1/books", Tags: []string{"books"}, OperationID: "listBooks"}, false},
	} {
		if got := WhyPrivileged(tc.op) != ""; got != tc.want {
			t.Errorf("WhyPrivileged(%s tags=%v id=%s) = %q", tc.op.Path, tc.op.Tags, tc.op.OperationID, WhyPrivileged(tc.op))
		}
	}
}
