package other

const defaultBase = "https://old.goconst.svc-sample.io/"
