//go:build unix

package store

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// LockWorker takes the SQLite database's worker lock: an exclusive flock
// on PATH.lock, held until release is called or the process ends (the
// kernel drops it when a killed process's files close). Only one process
// works the jobs of a SQLite database, so whatever that holder finds
// running when it starts was left by a process that died. On Postgres it
// does nothing: any number of workers share the queues.
func (s *Store) LockWorker() (release func(), err error) {
	if s.dialect != SQLite {
		return func() {}, nil
	}
	name := s.path + ".lock"
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("worker lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: another plumb serve is working the jobs of %s (it holds %s); run one plumb serve per SQLite file, or use Postgres for several workers", ErrLocked, s.path, name)
		}
		return nil, fmt.Errorf("worker lock %s: %w", name, err)
	}
	return func() { _ = f.Close() }, nil
}
