package spec

// WithOperations returns a copy of the API that lists ops instead of its
// operations (a subset chosen by the caller, e.g. the operations a scan
// may send). Everything else is shared, read-only. nil stays nil.
func (a *API) WithOperations(ops []Operation) *API {
	if a == nil {
		return nil
	}
	cp := *a
	cp.Operations = ops
	return &cp
}
