"""Where the vendor's API lives."""
API_ROOT = "https://api.pyconst.svc-sample.io/v1"
REGION_ORIGIN = "https://eu.pyconst.svc-sample.io"
DOCS_PAGE = "https://docs.pyconst.svc-sample.io/guide"
