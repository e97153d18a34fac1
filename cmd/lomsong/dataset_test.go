package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/dataset"
)

// TestDatasetIntegrityCommands walks a dataset through the failures the
// dataset commands are for: a lost manifest, a damaged part, a malformed
// manifest, a header-only file.
func TestDatasetIntegrityCommands(t *testing.T) {
	ds := filepath.Join(t.TempDir(), "ds")
	sites, meas := filepath.Join(examples, "sites.csv"), filepath.Join(examples, "measurements_viettel.csv")
	if out, errs, code := runCmd(t, "ingest", "--dataset", ds, sites, meas); code != exitOK {
		t.Fatalf("ingest: %d\n%s\n%s", code, out, errs)
	}
	out, _, code := runCmd(t, "dataset", "verify", ds)
	if code != exitOK || !strings.Contains(out, "parts verified (547 rows)") {
		t.Fatalf("verify: %d\n%s", code, out)
	}

	// Without its manifest the dataset is an error, not empty, and an
	// ingest refuses to write into it.
	manifest := filepath.Join(ds, "manifest.json")
	os.Remove(manifest)
	os.Remove(filepath.Join(ds, "manifest.prev.json"))
	if out, errs, code := runCmd(t, "dataset", "ls", ds); code != exitFailure || strings.Contains(out, "empty") ||
		!strings.Contains(errs, "dataset repair") {
		t.Fatalf("ls without manifest: %d\n%s\n%s", code, out, errs)
	}
	other := filepath.Join(t.TempDir(), "other.csv")
	os.WriteFile(other, []byte("ts,carrier,tech,lon,lat,signal_dbm\n2026-10-02T08:00:00Z,viettel,4G,105.85,21.03,-90\n"), 0o644)
	if out, errs, code := runCmd(t, "ingest", "--dataset", ds, other); code != exitFailure || !strings.Contains(errs, "no manifest.json") {
		t.Fatalf("ingest without manifest: %d\n%s\n%s", code, out, errs)
	}
	out, errs, code := runCmd(t, "dataset", "repair", ds)
	if code != exitOK || !strings.Contains(out, "2 rebuilt from their parts") {
		t.Fatalf("repair: %d\n%s\n%s", code, out, errs)
	}
	out, _, code = runCmd(t, "dataset", "ls", ds)
	if code != exitOK || !strings.Contains(out, "2 sources") || !strings.Contains(out, "547") || !strings.Contains(out, "rebuilt by dataset repair") {
		t.Fatalf("ls after repair: %d\n%s", code, out)
	}
	if out, _, code := runCmd(t, "ingest", "--dataset", ds, meas); code != exitOK || !strings.Contains(out, "already ingested") {
		t.Fatalf("re-ingest after repair: %d\n%s", code, out)
	}

	// A damaged part fails verify, named.
	var part string
	filepath.WalkDir(filepath.Join(ds, "measurements"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && part == "" {
			part = p
		}
		return nil
	})
	b, _ := os.ReadFile(part)
	b[len(b)/3] ^= 1
	os.WriteFile(part, b, 0o644)
	rel, _ := filepath.Rel(ds, part)
	out, errs, code = runCmd(t, "dataset", "verify", ds)
	if code != exitFailure || !strings.Contains(out, "BAD "+filepath.ToSlash(rel)) || !strings.Contains(errs, "failed verification") {
		t.Fatalf("verify of a damaged part: %d\n%s\n%s", code, out, errs)
	}
	b[len(b)/3] ^= 1
	os.WriteFile(part, b, 0o644)

	// A malformed checksum is an error, not a panic.
	m, _ := os.ReadFile(manifest)
	i := strings.Index(string(m), `"sha256": "`) + len(`"sha256": "`)
	os.WriteFile(manifest, []byte(string(m[:i])+"abc"+string(m[i+64:])), 0o644)
	if out, errs, code := runCmd(t, "dataset", "ls", ds); code != exitFailure || !strings.Contains(errs, `sha256 "abc"`) {
		t.Fatalf("ls of a malformed manifest: %d\n%s\n%s", code, out, errs)
	}
	os.WriteFile(manifest, m, 0o644)

	// A header-only file is refused (exit 3) and recorded nowhere.
	header := filepath.Join(t.TempDir(), "header.csv")
	os.WriteFile(header, []byte("ts,carrier,tech,lon,lat,signal_dbm,service\n"), 0o644)
	out, errs, code = runCmd(t, "ingest", "--dataset", ds, header)
	if code != exitDataRefused || !strings.Contains(out, "no data rows") {
		t.Fatalf("header-only file: %d\n%s\n%s", code, out, errs)
	}
	if after, _ := os.ReadFile(manifest); string(after) != string(m) {
		t.Fatal("a refused header-only file changed the manifest")
	}

	// An older manifest restored: the parts it does not list are moved
	// aside, not deleted, and the ingest says so.
	if out, errs, code := runCmd(t, "ingest", "--dataset", ds, other); code != exitOK {
		t.Fatalf("ingest: %d\n%s\n%s", code, out, errs)
	}
	prev, err := os.ReadFile(filepath.Join(ds, "manifest.prev.json"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(manifest, prev, 0o644)
	other2 := filepath.Join(t.TempDir(), "other2.csv")
	os.WriteFile(other2, []byte("ts,carrier,tech,lon,lat,signal_dbm\n2026-10-02T09:00:00Z,viettel,4G,105.85,21.03,-91\n"), 0o644)
	out, errs, code = runCmd(t, "ingest", "--dataset", ds, other2)
	if code != exitOK || !strings.Contains(out, "did not list moved to "+ds+"/orphans/0001") {
		t.Fatalf("ingest over an older manifest: %d\n%s\n%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(ds, "orphans", "0001", "NOTE.txt")); err != nil {
		t.Fatal(err)
	}

	// A directory that does not exist is an error, said as every
	// command's --dataset says it (TestBinaryMissingDataset).
	if _, errs, code := runCmd(t, "dataset", "ls", filepath.Join(t.TempDir(), "nonexistent")); code != exitFailure || !strings.Contains(errs, "nonexistent: no dataset here (not a directory)") {
		t.Fatalf("ls of a missing directory: %d %s", code, errs)
	}
	// A directory without a manifest is no dataset (not an empty one that
	// verifies clean): refused, pointing at the dataset inside a demo's
	// output.
	empty := t.TempDir()
	for _, sub := range []string{"ls", "verify"} {
		if _, errs, code := runCmd(t, "dataset", sub, empty); code != exitDataRefused || !strings.Contains(errs, "no dataset here: manifest.json missing") {
			t.Fatalf("%s of an empty directory: %d %s", sub, code, errs)
		}
	}
	if _, errs, code := runCmd(t, "dataset", "verify", filepath.Dir(ds)); code != exitDataRefused || !strings.Contains(errs, "the dataset is "+ds) {
		t.Fatalf("verify of the directory above a dataset: %d %s", code, errs)
	}
	// Repair makes no dataset of a directory that holds none (it wrote a
	// manifest there, after which verify passed).
	if _, errs, code := runCmd(t, "dataset", "repair", empty); code != exitDataRefused || !strings.Contains(errs, "not a dataset") || fileExists(filepath.Join(empty, "manifest.json")) {
		t.Fatalf("repair of an empty directory: %d %s", code, errs)
	}
	// Two datasets side by side: both named.
	if err := os.MkdirAll(filepath.Join(filepath.Dir(ds), "ds2"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(ds), "ds2", "manifest.json"), []byte(`{"version":1,"sources":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := runCmd(t, "dataset", "ls", filepath.Dir(ds)); code != exitDataRefused || !strings.Contains(errs, "datasets inside it: "+ds+", "+ds+"2") {
		t.Fatalf("ls of a directory holding two datasets: %d %s", code, errs)
	}
	if _, _, code := runCmd(t, "dataset", "check", ds); code != exitUsage {
		t.Fatalf("unknown dataset subcommand: %d", code)
	}
}

// TestReportRecovery: what the opening of a dataset did with an
// interrupted ingest is said, with the orphans' folder quoted for the
// shell; nothing when there was none.
func TestReportRecovery(t *testing.T) {
	var b strings.Builder
	reportRecovery(&b, "ds", dataset.CommitRecovery{})
	if b.Len() != 0 {
		t.Fatalf("no recovery: %q", b.String())
	}
	reportRecovery(&b, "my ds", dataset.CommitRecovery{Source: "dump.csv", SHA256: strings.Repeat("ab", 32), Completed: true})
	reportRecovery(&b, "my ds", dataset.CommitRecovery{Source: "dump.csv", SHA256: strings.Repeat("ab", 32),
		Lost: []string{"measurements/p.parquet"}, Orphans: "orphans/0001", Moved: []string{"a", "b"}})
	for _, want := range []string{
		"my ds: the interrupted ingest of dump.csv (sha256 abababababababab…) is completed: its source is recorded whole\n",
		"is rolled back: 1 of its files were lost (e.g. measurements/p.parquet); the 2 it had placed are in 'my ds/orphans/0001' (see NOTE.txt there); it is not recorded: ingest the file again to store all of it\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("missing %q in:\n%s", want, b.String())
		}
	}
}

// TestAdviceQuotesPaths: advice that names a dataset with a space or
// Vietnamese letters quotes it, so that the command can be pasted.
func TestAdviceQuotesPaths(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bộ dữ liệu")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	_, errs, code := runCmd(t, "aggregate", "--dataset", dir, "--out", filepath.Join(t.TempDir(), "agg"))
	if code != exitDataRefused || !strings.Contains(errs, "lomsong ingest --dataset '"+dir+"' FILE...") {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

// dataset ls says how many register rows are in force when a later
// register replaced earlier rows: the rows stored count both (a 5-row
// register ingested twice showed "sites 10" while every stage read 5).
func TestDatasetLsRegisterInForce(t *testing.T) {
	ds := filepath.Join(t.TempDir(), "ds")
	sites := filepath.Join(examples, "sites.csv")
	b, err := os.ReadFile(sites)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	update := filepath.Join(t.TempDir(), "sites_update.csv")
	// One sector's first row again, its status changed: it replaces the
	// sector's rows of the first register.
	os.WriteFile(update, []byte(lines[0]+strings.Replace(lines[1], ",active,", ",down,", 1)), 0o644)
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, sites); code != exitOK {
		t.Fatal(code, errs)
	}
	out, _, code := runCmd(t, "dataset", "ls", ds)
	if code != exitOK || strings.Contains(out, "in force") {
		t.Fatalf("one register: %d\n%s", code, out)
	}
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, update); code != exitOK {
		t.Fatal(code, errs)
	}
	out, _, code = runCmd(t, "dataset", "ls", ds)
	m := regexp.MustCompile(`sites: (\d+) rows stored from 2 files, (\d+) rows in force`).FindStringSubmatch(out)
	if code != exitOK || m == nil {
		t.Fatalf("two registers: %d\n%s", code, out)
	}
	stored, _ := strconv.Atoi(m[1])
	inForce, _ := strconv.Atoi(m[2])
	if stored <= inForce || inForce < 1 {
		t.Errorf("%d stored, %d in force", stored, inForce)
	}
}

// A temporary folder a killed ingest left in the dataset is named by
// verify (never read, not a failure) and removed by repair, which says
// so; verify and repair said nothing of it, and only the next ingest that
// added rows removed it.
func TestRepairRemovesStoppedIngestTemporary(t *testing.T) {
	dir := t.TempDir()
	ds := filepath.Join(dir, "ds")
	if _, errs, code := runBinary(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv")); code != exitOK {
		t.Fatalf("ingest: %d\n%s", code, errs)
	}
	left := filepath.Join(ds, ".tmp-0123456789abcdef-4242")
	if err := os.MkdirAll(left, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(left, "part-0123456789abcdef.parquet"), []byte("half a part"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runBinary(t, "dataset", "verify", ds)
	if code != exitOK || !strings.Contains(out, "1 temporary folder or file of an ingest") || !strings.Contains(out, ".tmp-0123456789abcdef-4242") {
		t.Fatalf("verify: %d\n%s\n%s", code, out, errs)
	}
	out, errs, code = runBinary(t, "dataset", "repair", ds)
	if code != exitOK || !strings.Contains(out, "removed 1 temporary folder or file stopped ingests had left") {
		t.Fatalf("repair: %d\n%s\n%s", code, out, errs)
	}
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Fatalf("%s still there after repair (%v)", left, err)
	}
	if out, _, code = runBinary(t, "dataset", "verify", ds); code != exitOK || strings.Contains(out, "temporary") {
		t.Fatalf("verify after repair: %d\n%s", code, out)
	}
}
