function authedFetch(url, key) {
  return fetch(url, { headers: { Authorization: `Bearer ${key}` } });
}

module.exports = { authedFetch };
