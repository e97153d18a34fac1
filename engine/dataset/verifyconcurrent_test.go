package dataset

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Verify and the analyses' note of unlisted parts, on a store opened
// before another process's ingest of b.csv committed: at every step of
// that commit (the journal written, each part placed, the manifest
// written) and after it, no part is on disk but not in the manifest, and
// verify finds nothing wrong. Verify read the manifest once, when the
// dataset was opened, and then listed the files on disk: every part the
// ingest placed while verify read the parts was reported unlisted, and
// verify failed, advising a repair of a dataset that was whole.
func TestVerifyWhileIngestCommits(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	ingestAll(t, dir, fileA)
	v, err := Open(dir) // dataset verify, opened first
	if err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		rep, err := v.Verify(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if len(rep.Unlisted) > 0 || len(rep.Bad) > 0 {
			t.Errorf("%s: verify found %d unlisted files (%v) and problems %v, want none", when, len(rep.Unlisted), rep.Unlisted, rep.Bad)
		}
		if un, err := v.UnlistedParts(); err != nil || len(un) > 0 {
			t.Errorf("%s: unlisted parts %v (%v), want none", when, un, err)
		}
	}
	w, err := Open(dir) // the ingest, in another process
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	w.failpoint = func(step string) error {
		steps = append(steps, step)
		check("ingest at " + step)
		return nil
	}
	o := opts()
	o.MaxRejectShare = 1
	if _, err := w.IngestFile(context.Background(), writeFile(t, t.TempDir(), fileB[0], fileB[1]), o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(steps, ";"), "placed ") || steps[len(steps)-1] != "manifest-written" {
		t.Fatalf("commit steps %v: the test wants the parts placed and the manifest written", steps)
	}
	check("after the ingest")
}

// Verify and Repair while a lomsong run saves stages: a save of the stage
// between the walk that finds the saved outputs and their checks sweeps
// the oldest away (keepStageOutputs) and replaces the output of a key
// saved again. Verify reported the swept output's files as damaged (exit
// 1 while the run went well), and Repair reported it as a damaged output
// it removed; now an output gone is neither, and the outputs there are
// checked as they are once the save is done.
func TestVerifyAndRepairWhileRunSaves(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	ingestAll(t, dir, fileA)
	run, err := Open(dir) // lomsong run, in another process
	if err != nil {
		t.Fatal(err)
	}
	ref := StageRef{Period: "2026-09", Stage: "coverage"}
	key := func(i int) string { return strings.Repeat(string(rune('0'+i)), 64) }
	save := func(i int, text string) {
		t.Helper()
		if _, err := run.SaveStage(ref, key(i), nil, []StageWrite{{Name: "out.bin", Write: writeString(text)}}); err != nil {
			t.Fatal(err)
		}
	}
	// keepStageOutputs outputs, the oldest first: the sweep goes by their
	// stage.json's modification time.
	base := time.Now().Add(-time.Hour)
	for i := 1; i <= keepStageOutputs; i++ {
		save(i, "output "+key(i))
		rec := filepath.Join(dir, StageDir, "period=2026-09", "coverage", key(i)[:16], stageRecordName)
		at := base.Add(time.Duration(i) * time.Minute)
		if err := os.Chtimes(rec, at, at); err != nil {
			t.Fatal(err)
		}
	}
	next := keepStageOutputs + 1
	runSaves := func() error {
		save(next, "output "+key(next)) // sweeps the oldest
		save(2, "saved again "+key(2))  // replaces key(2)'s output
		next++
		return nil
	}

	v, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var at []string
	v.failpoint = func(step string) error { at = append(at, step); return runSaves() }
	rep, err := v.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(at) != 1 {
		t.Fatalf("verify steps %v, want one: the saved outputs listed", at)
	}
	if len(rep.Bad) > 0 || len(rep.StageStrays) > 0 {
		t.Errorf("verify while a run saved: problems %v, strays %v; want none", rep.Bad, rep.StageStrays)
	}
	if rep.Stages != keepStageOutputs-1 {
		// The outputs found by the walk and still there (key(1) swept).
		t.Errorf("verify checked %d saved outputs, want %d", rep.Stages, keepStageOutputs-1)
	}

	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	at = nil
	r.failpoint = func(step string) error { at = append(at, step); return runSaves() }
	removed, err := r.removeDamagedStages()
	if err != nil {
		t.Fatal(err)
	}
	if len(at) != 1 {
		t.Fatalf("repair steps %v, want one: the saved outputs listed", at)
	}
	if len(removed) > 0 {
		t.Errorf("repair while a run saved removed %v as damaged, want nothing", removed)
	}
	v.failpoint = nil
	rep, err = v.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Bad) > 0 || rep.Stages != keepStageOutputs {
		t.Errorf("afterwards: problems %v, %d saved outputs; want none and %d", rep.Bad, rep.Stages, keepStageOutputs)
	}
	if _, err := run.LoadStage(ref, key(2)); err != nil {
		t.Errorf("the output saved again: %v", err)
	}
}
