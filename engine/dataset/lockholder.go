package dataset

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/lomsong/lomsong/internal/flock"
	"github.com/lomsong/lomsong/internal/shellquote"
)

// lockHolder is what the holder of a dataset's lock (DIR/.lock, or a
// saved stage's) writes into the lock file once it has the lock, so that
// a writer refused by it can name it: its process ID, its command line
// and when it took the lock.
type lockHolder struct {
	PID   int       `json:"pid"`
	Args  []string  `json:"args"`
	Since time.Time `json:"since"`
}

// holderCommandMax bounds the command a refusal quotes, in characters.
const holderCommandMax = 120

// writeHolder records this process as the holder of the lock on f. It is
// best effort: the lock is what keeps writers apart, the record only says
// who has it, and a record that cannot be written (a full disk) leaves
// the file empty, which a refusal reads as no record.
func writeHolder(f *os.File, now time.Time) {
	b, err := json.Marshal(lockHolder{PID: os.Getpid(), Args: os.Args, Since: now.UTC().Truncate(time.Second)})
	if err != nil {
		return
	}
	if f.Truncate(0) != nil {
		return
	}
	_, _ = f.WriteAt(append(b, '\n'), 0)
}

// readHolder reads the holder recorded in the lock file at path, and
// whether there is one to name: false when the file cannot be read or
// does not parse, or when the record is stale — its process has ended, or
// its process ID now belongs to another command (the kernel drops a lock
// when its holder ends, the record stays behind).
func readHolder(path string) (lockHolder, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return lockHolder{}, false
	}
	var h lockHolder
	if json.Unmarshal(b, &h) != nil || h.PID <= 0 || len(h.Args) == 0 || h.Since.IsZero() {
		return lockHolder{}, false
	}
	if err := syscall.Kill(h.PID, 0); errors.Is(err, syscall.ESRCH) {
		return lockHolder{}, false
	}
	if cmd, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(h.PID), "cmdline")); err == nil &&
		!slices.Equal(strings.Split(strings.TrimSuffix(string(cmd), "\x00"), "\x00"), h.Args) {
		return lockHolder{}, false
	}
	return h, true
}

// describe says who holds the lock: "held by PID 1234, lomsong ingest
// --dataset ds x.csv, since 22:51:03 UTC" (the date too when it is not
// today's, in UTC). The command is the program's name and its arguments,
// quoted as a shell would take them, cut at holderCommandMax characters.
func (h lockHolder) describe(now time.Time) string {
	args := make([]string, len(h.Args))
	for i, a := range h.Args {
		if i == 0 {
			a = filepath.Base(a)
		}
		args[i] = shellquote.Quote(a)
	}
	cmd := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.Join(args, " "))
	if r := []rune(cmd); len(r) > holderCommandMax {
		cmd = strings.TrimSpace(string(r[:holderCommandMax-1])) + "…"
	}
	since := h.Since.UTC()
	layout := "15:04:05 UTC"
	if y, m, d := since.Date(); y != now.UTC().Year() || m != now.UTC().Month() || d != now.UTC().Day() {
		layout = "2006-01-02 15:04:05 UTC"
	}
	return fmt.Sprintf("held by PID %d, %s, since %s", h.PID, cmd, since.Format(layout))
}

// unlock releases a lock taken by lock or lockWait, emptying the holder's
// record first: a record is there only while its holder has the lock (or
// has ended without releasing it, killed, which readHolder finds stale),
// and takes no room on the disk once the lock is released.
func unlock(f *os.File) {
	_ = f.Truncate(0)
	flock.Unlock(f)
}
