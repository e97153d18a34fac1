package synth_test

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/lomsong/lomsong/engine/synth"
)

// Generate the default world (Lai Châu, seed 1) and render its tables.
func ExampleGenerate() {
	w, err := synth.Generate(synth.Config{Seed: 1, Now: time.Date(2024, time.November, 1, 0, 0, 0, 0, synth.ICT)})
	if err != nil {
		fmt.Println(err)
		return
	}
	var households int64
	for _, v := range w.Villages {
		households += v.Households
	}
	fmt.Println("area:", w.Areas[0].Code, w.Areas[0].Name)
	fmt.Println("households:", households)
	fmt.Println("dead-zone villages found:", len(w.Truth.DeadZoneVillages()) > 0)
	fmt.Println("subscription periods:", w.Subscriptions[0].Period, "…", w.Subscriptions[len(w.Subscriptions)-1].Period)
	if err := synth.WriteMeasurementsCSV(io.Discard, w.Measurements); err != nil {
		fmt.Println(err)
	}
	// Output:
	// area: 12 Lai Châu
	// households: 101010
	// dead-zone villages found: true
	// subscription periods: 2022-11 … 2024-10
}

// Score village verdicts, read from a CSV table, against a world's truth.
func ExampleEvaluateVillages() {
	truth := &synth.Truth{Villages: []synth.VillageTruth{
		{VillageID: "V1", Best3G4GMarginDB: -12, DeadZone: true},
		{VillageID: "V2", Best3G4GMarginDB: -1.5, DeadZone: true}, // within 3 dB: not decidable
		{VillageID: "V3", Best3G4GMarginDB: 15},
		{VillageID: "V4", Best3G4GMarginDB: 4},
	}}
	verdicts, err := synth.ReadVillageVerdictsCSV(strings.NewReader(
		"village_id,without_signal,p_dead\nV1,true,0.8\nV2,false,0.4\nV3,false,0.1\nV4,true,0.6\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	ev, err := synth.EvaluateVillages(truth, verdicts)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("all: precision %.2f, recall %.2f, F1 %.2f\n", ev.Precision, ev.Recall, ev.F1)
	fmt.Printf("decidable (%d): precision %.2f, recall %.2f, F1 %.2f\n", ev.Decidable.Villages, ev.Decidable.Precision, ev.Decidable.Recall, ev.Decidable.F1)
	fmt.Printf("Brier score %.4f\n", *ev.Brier) // (0.2² + 0.6² + 0.1² + 0.6²)/4
	// The list's expectations from p_dead: 0.8 + 0.4 + 0.1 + 0.6 dead,
	// 0.8 + 0.6 of the two listed; the truth: 2 dead, 1 listed correctly.
	x := ev.Expected
	fmt.Printf("expected dead %.1f (true %d), of the %d listed %.1f (correct %d), missed %.1f (true %d)\n",
		x.Dead, x.TrueDead, x.Listed, x.DeadListed, x.CorrectListed, x.Missed, x.TrueMissed)
	// Output:
	// all: precision 0.50, recall 0.50, F1 0.50
	// decidable (3): precision 0.50, recall 1.00, F1 0.67
	// Brier score 0.1925
	// expected dead 1.9 (true 2), of the 2 listed 1.4 (correct 1), missed 0.5 (true 1)
}
