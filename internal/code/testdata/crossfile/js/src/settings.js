module.exports = { BASE_URL: 'https://cjs.jsconst.svc-sample.io' };
