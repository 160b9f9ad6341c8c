//go:build !unix

package store

// LockWorker cannot lock a SQLite database on this platform: it reports
// ErrNoLock, and the caller must not assume it is the only worker.
func (s *Store) LockWorker() (release func(), err error) {
	if s.dialect != SQLite {
		return func() {}, nil
	}
	return nil, ErrNoLock
}
