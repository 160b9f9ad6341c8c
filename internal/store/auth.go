package store

import (
	"context"
	"time"
)

// APIKey is a stored API key: its hash only.
type APIKey struct {
	ID         string
	Name       string
	Hash       string
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// Session is a dashboard sign-in, stored by the hash of its cookie.
type Session struct {
	Hash      string
	KeyID     string
	CSRF      string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// PutAPIKey inserts a key, or renames the key with the same hash.
func (q *Q) PutAPIKey(ctx context.Context, k *APIKey) error {
	_, err := q.ex.exec(ctx, `INSERT INTO api_keys (id, name, hash, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (hash) DO UPDATE SET name = excluded.name`, k.ID, k.Name, k.Hash, ms(k.CreatedAt))
	return err
}

// CountAPIKeys counts the stored keys.
func (q *Q) CountAPIKeys(ctx context.Context) (int, error) {
	var n int64
	err := q.ex.queryRow(ctx, "SELECT COUNT(*) FROM api_keys").Scan(&n)
	return int(n), err
}

// APIKeyByHash finds a key by its hash.
func (q *Q) APIKeyByHash(ctx context.Context, hash string) (*APIKey, error) {
	var k APIKey
	var created, used int64
	err := q.ex.queryRow(ctx, "SELECT id, name, hash, created_at, last_used_at FROM api_keys WHERE hash = ?", hash).
		Scan(&k.ID, &k.Name, &k.Hash, &created, &used)
	if err != nil {
		return nil, err
	}
	k.CreatedAt, k.LastUsedAt = fromMS(created), fromMS(used)
	return &k, nil
}

// TouchAPIKey records a key's use (at most once a minute, to spare writes).
func (q *Q) TouchAPIKey(ctx context.Context, id string, now time.Time) error {
	_, err := q.ex.exec(ctx, "UPDATE api_keys SET last_used_at = ? WHERE id = ? AND last_used_at < ?", ms(now), id, ms(now.Add(-time.Minute)))
	return err
}

// CreateSession stores a session.
func (q *Q) CreateSession(ctx context.Context, s *Session) error {
	_, err := q.ex.exec(ctx, "INSERT INTO sessions (hash, key_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
		s.Hash, s.KeyID, s.CSRF, ms(s.CreatedAt), ms(s.ExpiresAt))
	return err
}

// GetSession returns a session that has not expired.
func (q *Q) GetSession(ctx context.Context, hash string, now time.Time) (*Session, error) {
	var s Session
	var created, expires int64
	err := q.ex.queryRow(ctx, "SELECT hash, key_id, csrf, created_at, expires_at FROM sessions WHERE hash = ? AND expires_at > ?", hash, ms(now)).
		Scan(&s.Hash, &s.KeyID, &s.CSRF, &created, &expires)
	if err != nil {
		return nil, err
	}
	s.CreatedAt, s.ExpiresAt = fromMS(created), fromMS(expires)
	return &s, nil
}

// DeleteSession signs a session out.
func (q *Q) DeleteSession(ctx context.Context, hash string) error {
	_, err := q.ex.exec(ctx, "DELETE FROM sessions WHERE hash = ?", hash)
	return err
}

// PurgeExpired deletes expired sessions and host locks.
func (q *Q) PurgeExpired(ctx context.Context, now time.Time) error {
	if _, err := q.ex.exec(ctx, "DELETE FROM sessions WHERE expires_at <= ?", ms(now)); err != nil {
		return err
	}
	_, err := q.ex.exec(ctx, "DELETE FROM host_locks WHERE expires_at <= ?", ms(now))
	return err
}

// AcquireHost takes the scan lock of host for holder until the given time.
// It succeeds when the lock is free, expired or already holder's (a retried
// scan takes its own lock back).
func (q *Q) AcquireHost(ctx context.Context, host, holder string, until, now time.Time) (bool, error) {
	n, err := q.ex.exec(ctx, `INSERT INTO host_locks (host, holder, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (host) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE host_locks.holder = excluded.holder OR host_locks.expires_at <= ?`, host, holder, ms(until), ms(now))
	return n == 1, err
}

// ReleaseHost frees host's lock if holder has it.
func (q *Q) ReleaseHost(ctx context.Context, host, holder string) error {
	_, err := q.ex.exec(ctx, "DELETE FROM host_locks WHERE host = ? AND holder = ?", host, holder)
	return err
}

// ClearHostLocks frees every host lock. Only for a process that knows no
// scan is running anywhere (the SQLite worker lock's holder, at start).
func (q *Q) ClearHostLocks(ctx context.Context) error {
	_, err := q.ex.exec(ctx, "DELETE FROM host_locks")
	return err
}

// Meta returns a stored setting ("" and ErrNotFound when unset).
func (q *Q) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := q.ex.queryRow(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&v)
	return v, err
}

// SetMetaOnce stores a setting unless it is already set; it reports whether it stored it.
func (q *Q) SetMetaOnce(ctx context.Context, key, value string) (bool, error) {
	n, err := q.ex.exec(ctx, "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", key, value)
	return n == 1, err
}

// JobCount is how many River jobs of one kind are in one state.
type JobCount struct {
	Kind, State string
	N           int64
}

// JobCounts counts River's jobs by kind and state, for /metrics.
func (q *Q) JobCounts(ctx context.Context) ([]JobCount, error) {
	return queryAll(ctx, q.ex, func(r row) (JobCount, error) {
		var c JobCount
		err := r.Scan(&c.Kind, &c.State, &c.N)
		return c, err
	}, "SELECT kind, CAST(state AS TEXT), COUNT(*) FROM river_job GROUP BY kind, state ORDER BY kind, 2")
}
