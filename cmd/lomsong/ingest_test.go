package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestIngestAgainFutureRows: a file ingested again says how many of its
// rows the first ingest rejected as in the future (they would be read
// now) and how to read them; once the first reading is retracted, they
// are.
func TestIngestAgainFutureRows(t *testing.T) {
	dir := t.TempDir()
	path, ds := filepath.Join(dir, "plain.csv"), filepath.Join(dir, "ds")
	first := time.Date(2024, 10, 18, 0, 40, 0, 0, time.UTC)
	var b strings.Builder
	b.WriteString("ts,carrier,tech,lon,lat,signal_dbm\n")
	for i := range 6 { // 07:00, 07:30 … 09:30 Vietnam time: 00:00Z … 02:30Z
		fmt.Fprintf(&b, "2024-10-18T%02d:%02d:00+07:00,viettel,4G,105.85,21.03,-9%d\n", 7+i/2, 30*(i%2), i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOURCE_DATE_EPOCH", strconv.FormatInt(first.Unix(), 10))
	out, errs, code := runCmd(t, "ingest", "--dataset", ds, "--max-reject-share", "1", path)
	if code != exitOK || !strings.Contains(out, "2 accepted, 4 rejected") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	// Ingested again at once: nothing would be read otherwise.
	out, _, code = runCmd(t, "ingest", "--dataset", ds, path)
	if code != exitOK || !strings.Contains(out, "nothing changed") || strings.Contains(out, "future_time") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	t.Setenv("SOURCE_DATE_EPOCH", strconv.FormatInt(first.Add(24*time.Hour).Unix(), 10))
	out, errs, code = runCmd(t, "ingest", "--dataset", ds, path)
	if code != exitOK || !strings.Contains(out, "nothing changed") ||
		!strings.Contains(out, "4 of its rows were rejected as future_time at that ingest") ||
		!strings.Contains(out, "lomsong dataset retract "+ds+" ") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	i := strings.Index(out, "lomsong dataset retract ")
	sha := strings.Fields(out[i+len("lomsong dataset retract "+ds+" "):])[0]
	sha = strings.TrimSuffix(sha, ",")
	if _, errs, code := runCmd(t, "dataset", "retract", ds, sha); code != exitOK {
		t.Fatalf("retract %s: exit %d\n%s", sha, code, errs)
	}
	if out, errs, code = runCmd(t, "ingest", "--dataset", ds, path); code != exitOK || !strings.Contains(out, "6 accepted, 0 rejected") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
}
