package pipeline

import (
	"testing"
)

// A bump of the format of the parts a stage reads (the evidence
// predictions the dead zones' radio map reads, the best-server search the
// coverage reads) rebuilds the stage too: those parts' keys are no input
// of the reader's key, so a change of their meaning, bumped alone,
// recomputed the parts and read back the dead zones or coverage computed
// from the old ones.
func TestPartFormatBumpRebuildsTheirReader(t *testing.T) {
	for _, c := range []struct {
		format       *int
		part, reader string
	}{
		{&evPredictionsFormat, StageEvPredictions, StageDeadZones},
		{&predictionsFormat, StagePredictions, StageCoverage},
	} {
		ctx, s, opt, _ := firstRun(t)
		was := *c.format
		*c.format = was + 1
		after, err := Run(ctx, s, opt)
		*c.format = was
		if err != nil {
			t.Fatal(err)
		}
		rebuilt := map[string]bool{}
		for _, st := range after.Rebuilt() {
			rebuilt[st.Stage] = true
		}
		if !rebuilt[c.part] || !rebuilt[c.reader] {
			t.Errorf("%s format bumped: %s", c.part, stageStates(after))
		}
	}
}
