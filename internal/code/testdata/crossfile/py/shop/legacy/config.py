API_ROOT = "https://old.pyconst.svc-sample.io/v0"
