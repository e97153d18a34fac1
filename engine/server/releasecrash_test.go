package server

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine/dataset"
)

// TestReleaseWrittenButNotRecorded: a service that stops after a release's
// folder was renamed into place, whole, and before the release was
// recorded published (kill -9 between the rename and the commit) finds the
// folder at its next start: the release is recorded published from it,
// with its release.published audit entry in the name of the user who asked
// for it, and read as every published release is, rather than failed as
// "interrupted: the service stopped while the release was computed" beside
// a complete release nothing reads.
func TestReleaseWrittenButNotRecorded(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	vil := ts.submit(t, "cuc", "villages", "villages.csv", f.villages)
	vts := ts.submit(t, "vt", "sites", "sites.csv", f.sites["viettel"])
	vtm := ts.submit(t, "vt", "measurements", "viettel.csv", f.measurements["viettel"])
	for _, c := range []struct {
		user string
		id   int64
	}{{"cuc", vil}, {"vt", vts}, {"vt", vtm}} {
		if s := ts.wait(t, c.user, c.id); s.Status != "accepted" {
			t.Fatalf("submission %d: %+v", c.id, s)
		}
		if code := ts.certify(t, c.user, c.id); code != 200 {
			t.Fatalf("certify %d: %d", c.id, code)
		}
	}
	// The release's record is refused, as a stop right after the folder's
	// rename leaves it: the folder in place, the release still running.
	if _, err := ts.s.db.Exec(`CREATE TRIGGER cut BEFORE UPDATE OF status ON releases WHEN NEW.status = 'published'
		BEGIN SELECT RAISE(ABORT, 'the service stopped'); END`); err != nil {
		t.Fatal(err)
	}
	code, b := ts.call(t, "cuc", "POST", "/api/v1/releases", "/api/v1/releases", strings.NewReader(`{"period":"2024-10"}`), "application/json")
	if code != 202 {
		t.Fatalf("release: %d %s", code, b)
	}
	var rl Release
	if err := json.Unmarshal(b, &rl); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(ts.dir, StateDir, "releases", fmt.Sprintf("%04d-2024-10", rl.Number))
	deadline := time.Now().Add(120 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(folder, "release.json")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the release's folder never appeared")
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.ts.Close()
	ts.s.Close()
	st, err := openState(t.Context(), ts.dir)
	if err != nil {
		t.Fatal(err)
	}
	var status string
	st.QueryRow(`SELECT status FROM releases WHERE number = ?`, rl.Number).Scan(&status)
	if _, err := st.Exec(`DROP TRIGGER cut`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if status != "running" {
		t.Fatalf("release %d is %s before the restart, want running (its record cut)", rl.Number, status)
	}
	ts = ts.reopen(t)
	got := ts.waitRelease(t, rl.Number)
	if got.Status != "published" || got.SHA256 == "" || got.Error != "" {
		t.Fatalf("after the restart: %+v, want published", got)
	}
	if !slices.Contains(got.Submissions, vtm) {
		t.Errorf("submissions %v: not the ones it read (%d missing)", got.Submissions, vtm)
	}
	want, err := dataset.SHA256File(filepath.Join(folder, "release.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got.SHA256 != want {
		t.Errorf("sha256 %s, want release.json's %s", got.SHA256, want)
	}
	var who, action, sha string
	if err := ts.s.db.QueryRow(`SELECT user, action, sha256 FROM audit WHERE action LIKE 'release.%' AND action != 'release.start' AND target = ? ORDER BY seq DESC LIMIT 1`,
		fmt.Sprint(rl.Number)).Scan(&who, &action, &sha); err != nil {
		t.Fatal(err)
	}
	if who != "cuc" || action != "release.published" || sha != got.SHA256 {
		t.Errorf("audit: %s %s %s", who, action, sha)
	}
	code, b = ts.call(t, "laichau", "GET", "/api/v1/releases/2024-10/provinces/12/villages", "/api/v1/releases/{period}/provinces/{code}/villages", nil, "")
	if code != 200 || !strings.Contains(string(b), fmt.Sprintf(`"release": %d`, rl.Number)) {
		t.Errorf("villages of the recovered release: %d %.300s", code, b)
	}
}
