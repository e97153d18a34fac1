package dataset

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestLockMonth: a month's run lock is held by one taker at a time; a
// second waits, told once who holds it, until its context ends or the
// lock is released; another month's lock is free meanwhile.
func TestLockMonth(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	release, err := s.LockMonth(context.Background(), "2024-10", nil)
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.LockMonth(context.Background(), "2024-09", nil)
	if err != nil {
		t.Fatalf("another month: %v", err)
	}
	other()
	told := 0
	var holder string
	ctx, cancel := context.WithTimeout(context.Background(), 3*monthLockPoll)
	defer cancel()
	if _, err := s.LockMonth(ctx, "2024-10", func(h string) { told++; holder = h }); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("held: err %v, want the context's", err)
	}
	if told != 1 || holder == "" {
		t.Errorf("told %d times, holder %q", told, holder)
	}
	got := make(chan error, 1)
	go func() {
		r, err := s.LockMonth(context.Background(), "2024-10", nil)
		if err == nil {
			r()
		}
		got <- err
	}()
	time.Sleep(2 * monthLockPoll)
	release()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting taker did not get the released lock")
	}
	// Released, the lock keeps no record of its holder (two runs of one
	// demo left datasets that differed by it).
	if b, err := os.ReadFile(filepath.Join(s.dir, StageDir, "period=2024-10", ".lock")); err != nil || len(b) != 0 {
		t.Errorf("the released lock holds %q (%v)", b, err)
	}
	// The lock file is no stray of the saved stages.
	if _, bad, strays, err := s.savedStages(); err != nil || len(bad) > 0 || len(strays) > 0 {
		t.Errorf("saved stages: %v, %v, strays %v", err, bad, strays)
	}
}
