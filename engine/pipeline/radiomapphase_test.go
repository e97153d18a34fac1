package pipeline

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// The dead-zone stage says each step of its radio map before the first
// place is decided (the predictions at the tests, the indoor loss, the
// residual field), and a run cancelled during the indoor loss's fit
// stops there. The stage printed "started" and then nothing until its
// first verdict, 76 s later on a province's month of 5 M tests, most of
// it the indoor fit; Ctrl-C then took a minute to end the run.
func TestRunSaysAndStopsInTheRadioMap(t *testing.T) {
	s := storeOf(t, worldVillages, twoCarrierTests())
	var steps []string
	opt := RunOptions{Period: "2026-10", DeadZones: worldOptions()}
	opt.Progress = func(p Progress) {
		switch {
		case p.Stage != StageDeadZones:
		case p.Phase != "":
			steps = append(steps, p.Phase)
		case p.Done > 0 && (len(steps) == 0 || steps[len(steps)-1] != "places"):
			steps = append(steps, "places")
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cancelling := opt
	cancelling.Progress = func(p Progress) {
		opt.Progress(p)
		if strings.HasPrefix(p.Phase, "radio map: the indoor loss") {
			cancel()
		}
	}
	if _, err := Run(ctx, s, cancelling); !errors.Is(err, context.Canceled) {
		t.Fatalf("run cancelled at the indoor loss: %v, want context.Canceled (steps said: %q)", err, steps)
	}
	if len(steps) != 2 || !strings.HasPrefix(steps[0], "radio map: predictions where the tests near the places were made (") || !strings.Contains(steps[0], "mobifone, viettel") {
		t.Fatalf("steps said before the cancel: %q", steps)
	}
	steps = nil
	sum, err := Run(context.Background(), s, opt)
	if err != nil {
		t.Fatal(err)
	}
	if got := stageStates(sum); !strings.Contains(got, "deadzones=rebuilt") {
		t.Fatalf("after the cancelled run: %s, want the dead-zone stage computed", got)
	}
	if len(steps) < 5 || !strings.HasPrefix(steps[1], "radio map: the indoor loss") || !strings.HasPrefix(steps[2], "radio map: the residual field from ") ||
		steps[3] != "places" || !strings.HasPrefix(steps[4], "zones, carrier gaps and villages") {
		t.Fatalf("steps said: %q", steps)
	}
}
