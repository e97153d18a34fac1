package dataset

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
)

// Repair removes the saved outputs that fail their checks (a file changed,
// a stage.json that does not parse) and keeps the sound ones; Verify then
// passes.
func TestRepairRemovesDamagedSavedOutputs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	txn, err := s.Begin(strings.Repeat("d4", 32), "sites.csv", "sites")
	if err != nil {
		t.Fatal(err)
	}
	if err := txn.WriteSites([]engine.Site{{SiteID: "S1", Carrier: engine.Viettel, Tech: engine.Tech4G, Lon: 103.2, Lat: 22.4, Status: engine.StatusActive}}); err != nil {
		t.Fatal(err)
	}
	if _, err := txn.Commit(Meta{IngestedAt: time.Unix(0, 0)}); err != nil {
		t.Fatal(err)
	}
	save := func(stage, key, content string) StageRecord {
		t.Helper()
		rec, err := s.SaveStage(StageRef{Period: "2026-10", Stage: stage}, strings.Repeat(key, 32), nil,
			[]StageWrite{{Name: "output.gob", Write: writeString(content)}})
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	sound, changed, unparsed := save("coverage", "a1", "sound"), save("predictions", "b2", "changed"), save("plan", "c3", "unparsed")
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(changed.Dir), "output.gob"), []byte("chanGed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(unparsed.Dir), stageRecordName), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if rep, err := s.Verify(t.Context()); err != nil || len(rep.Bad) != 2 {
		t.Fatalf("verify before repair: %v, bad %v", err, rep.Bad)
	}
	rep, err := Repair(dir, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{unparsed.Dir, changed.Dir}; !slices.Equal(rep.StagesRemoved, want) {
		t.Fatalf("removed %v, want %v", rep.StagesRemoved, want)
	}
	for _, d := range rep.StagesRemoved {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(d))); !os.IsNotExist(err) {
			t.Fatalf("%s still there: %v", d, err)
		}
	}
	if _, err := s.LoadStage(StageRef{Period: "2026-10", Stage: "coverage"}, strings.Repeat("a1", 32)); err != nil {
		t.Fatalf("the sound output %s: %v", sound.Dir, err)
	}
	if rep, err := s.Verify(t.Context()); err != nil || len(rep.Bad) != 0 || rep.Stages != 1 {
		t.Fatalf("verify after repair: %v, bad %v, stages %d", err, rep.Bad, rep.Stages)
	}
}
