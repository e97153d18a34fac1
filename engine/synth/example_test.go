package synth_test

import (
	"fmt"
	"io"
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
