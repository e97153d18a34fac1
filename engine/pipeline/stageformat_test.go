package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/dataset"
)

// pinnedStageOutputs are, per stage, its format version and the SHA-256
// of what a run of the two-carrier world (storeOf(worldVillages,
// twoCarrierTests()), worldOptions, a plan of 1e12 VND) saves for it: its
// carriers' output.gob in carrier order. A saved output is read back
// while its key is unchanged, and the key holds the stage's inputs and
// its format version, never the build: a change of what a stage computes
// or saves that leaves its format version as it was is read back, by
// every later build, from outputs an earlier build saved — a plan saved
// before its ties were decided by id (6c90bdf) was served by the builds
// after it. When this test fails, bump the format version of the first
// stage whose own computation changed (saying why beside it: the stages
// after it hold its key or format in their keys) and pin every new
// digest here; a change of the world itself is pinned alone. The test
// sees what this world exercises only (it has no tied plan options).
var pinnedStageOutputs = map[string]struct {
	format int
	sha256 string
}{
	StageMeasure:       {12, "b566ae0885ad7c5c8132e2f166bf24124f47c12d7859b0017b0889ea6e79ef16"},
	StagePredictions:   {7, "d715874d99f37d2905fb93891d12189ebc711f8ae792b64a700d8743cf3816c7"},
	StageCoverage:      {10, "b18dfae374d1802f4d3722188f53c933257004579c104b59d9a4a18a2bbc2d24"},
	StageEvPredictions: {7, "3bdeacb7c70a17ee4206eb350d53d3e69ce637e3cac364b08716529b41697c7a"},
	StageDeadZones:     {37, "3f66c3b6534e391ca56b7e12eec1cfab176c44ca321d6b9a129a962697d7abfc"},
	StagePlan:          {9, "bb8ac163436582f1794cb549ca23039baa55a6fbb19a769c2d4b936278eca3e9"},
}

func TestStageFormatVersionsFollowTheirOutputs(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		// Other architectures may fuse a multiply and an add (FMA): the
		// same computation saves other low bits there.
		t.Skip("outputs pinned on amd64")
	}
	formats := map[string]int{StageMeasure: measureFormat, StagePredictions: predictionsFormat, StageCoverage: coverageFormat,
		StageEvPredictions: evPredictionsFormat, StageDeadZones: deadZonesFormat, StagePlan: planFormat}
	s := diskStoreOf(t, worldVillages, twoCarrierTests())
	po := DefaultPlanOptions(1e12)
	if _, err := Run(context.Background(), s, RunOptions{Period: "2026-10", DeadZones: worldOptions(), Plan: &po}); err != nil {
		t.Fatal(err)
	}
	recs, bad, err := s.SavedStages()
	if err != nil || len(bad) > 0 {
		t.Fatalf("saved stages: %v %v", bad, err)
	}
	slices.SortFunc(recs, func(a, b dataset.StageRecord) int { return strings.Compare(a.Carrier, b.Carrier) })
	sums := map[string][]string{}
	for _, rec := range recs {
		for _, f := range rec.Files {
			stage, _, _ := strings.Cut(rec.Stage, ".") // coverage.area-…: an area's
			sums[stage] = append(sums[stage], rec.Stage+" "+rec.Carrier+" "+f.Name+" "+f.SHA256)
		}
	}
	for stage, pin := range pinnedStageOutputs {
		if len(sums[stage]) == 0 {
			t.Errorf("stage %s saved nothing", stage)
			continue
		}
		h := sha256.Sum256([]byte(strings.Join(sums[stage], "\n")))
		got := hex.EncodeToString(h[:])
		switch {
		case formats[stage] != pin.format:
			t.Errorf("stage %s: format %d, pinned at %d: pin {%d, %q}", stage, formats[stage], pin.format, formats[stage], got)
		case got != pin.sha256:
			t.Errorf("stage %s: its saved output changed (%s, pinned %s) with its format version %d unchanged: "+
				"outputs saved by earlier builds would be read back as current; bump the format of the first stage "+
				"whose computation changed and pin the new digests (see pinnedStageOutputs)",
				stage, got, pin.sha256, pin.format)
		}
	}
}
