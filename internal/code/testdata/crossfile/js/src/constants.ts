export const DEFAULT_HOST = 'api.jsconst.svc-sample.io';
export const apiRoot = 'https://rest.jsconst.svc-sample.io/v3';
export const docsPage = 'https://docs.jsconst.svc-sample.io/start';
