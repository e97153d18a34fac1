// Package flock holds the advisory file locks (flock(2)) that keep two
// lomsong processes from doing the same work at once: a dataset's writers,
// a set of outputs, a served dataset. The kernel drops a lock when its
// holder ends, however it ends, so a killed process leaves none behind.
package flock

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// ErrHeld is wrapped by TryLock when another holder has the lock.
var ErrHeld = errors.New("lock held by another process")

// TryLock takes an exclusive lock on the file at path (created when
// absent) without waiting: ErrHeld when another holder has it. The lock
// is held until Unlock of the returned file.
func TryLock(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s: %w", path, ErrHeld)
		}
		return nil, err
	}
	return f, nil
}

// Wait takes the lock how (syscall.LOCK_EX or LOCK_SH) on f, waiting for
// the holders of a conflicting one (retried when a signal interrupts it).
func Wait(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// Unlock releases f's lock and closes it.
func Unlock(f *os.File) {
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	_ = f.Close()
}
