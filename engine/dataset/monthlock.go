package dataset

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/lomsong/lomsong/internal/flock"
)

// monthLockPoll is how often a run waiting for another run of its month
// tries the month's lock again.
const monthLockPoll = 200 * time.Millisecond

// LockMonth takes the run lock of the month period (the flock of
// DIR/stages/period=P/.lock), waiting while another lomsong run of the
// same month holds it: two runs of one month computed the same stages
// side by side, each for nothing the other did not save, and the second
// now reads back what the first saved. waiting, when not nil, is called
// once when the lock is held, with who holds it (its command and since
// when, as the holder recorded it). It returns the release of the lock,
// or ctx's error when ctx ends first. A dataset this process cannot write
// into (a reader's) takes no lock, since its run saves nothing: the
// release is then a no-op.
//
// The lock keeps runs of a month apart only: a single-stage command
// computing the same stage waits for the stage's own save lock instead.
func (s *Store) LockMonth(ctx context.Context, period string, waiting func(holder string)) (func(), error) {
	dir := filepath.Join(s.dir, StageDir, "period="+period)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		if IsNotWritable(err) {
			return func() {}, nil
		}
		return nil, err
	}
	path := filepath.Join(dir, ".lock")
	told := false
	for {
		f, err := flock.TryLock(path)
		switch {
		case err == nil:
			writeHolder(f, time.Now())
			return func() { unlock(f) }, nil
		case IsNotWritable(err):
			return func() {}, nil
		case !errors.Is(err, flock.ErrHeld):
			return nil, err
		}
		if !told && waiting != nil {
			who := "another lomsong run"
			if h, ok := readHolder(path); ok {
				who = h.describe(time.Now())
			}
			waiting(who)
			told = true
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(monthLockPoll):
		}
	}
}
