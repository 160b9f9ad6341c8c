export const apiRoot = 'https://old.jsconst.svc-sample.io';
