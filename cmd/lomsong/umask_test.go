//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The files a command writes take the user's umask, as any program's do:
// under umask 077 a quarantine and a report (rows of a carrier's dump)
// stay private; they were made readable by everyone (0644) whatever the
// umask. Under umask 022 they are 0644 as before.
func TestOutputsFollowTheUmask(t *testing.T) {
	bin := lomsongBinary(t)
	for _, tc := range []struct {
		umask string
		want  os.FileMode
	}{{"077", 0o600}, {"022", 0o644}, {"027", 0o640}} {
		dir := t.TempDir()
		in := writeFile(t, dir, "m.csv", []byte("ts,carrier,tech,lon,lat,signal_dbm,service\n2026-10-01T08:00:00Z,viettel,4G,103.3,22.4,-95,ok\nyesterday,viettel,4G,103.3,22.4,-95,ok\n"))
		q, r := filepath.Join(dir, "q.csv"), filepath.Join(dir, "r.json")
		cmd := exec.Command("sh", "-c", `umask `+tc.umask+` && exec "$0" "$@"`, bin, "validate", "--max-reject-share", "1", "--quarantine", q, "--report", r, in)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("umask %s: %v\n%s", tc.umask, err, out)
		}
		for _, p := range []string{q, r} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != tc.want {
				t.Errorf("umask %s: %s has mode %v, want %v", tc.umask, filepath.Base(p), got, tc.want)
			}
		}
	}
}
