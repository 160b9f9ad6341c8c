package vendorapi

const (
	defaultBase = "https://api.goconst.svc-sample.io/"
	pingBase    = "https://ping.goconst.svc-sample.io/"
	docsPage    = "https://docs.goconst.svc-sample.io/"
)
