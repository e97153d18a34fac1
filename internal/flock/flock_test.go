package flock

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
)

// A second TryLock of a held lock fails with ErrHeld (flock locks belong to
// the open file, so two opens in one process exclude each other as two
// processes do); after Unlock it succeeds, and Wait takes a free lock.
func TestTryLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	a, err := TryLock(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := TryLock(path); !errors.Is(err, ErrHeld) {
		t.Fatalf("second lock: %v, want ErrHeld", err)
	}
	Unlock(a)
	b, err := TryLock(path)
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	Unlock(b)
	c, err := TryLock(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Wait(c, syscall.LOCK_SH); err != nil {
		t.Fatalf("wait on one's own lock: %v", err)
	}
	Unlock(c)
}
