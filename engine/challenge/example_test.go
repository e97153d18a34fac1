package challenge_test

import (
	"fmt"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/challenge"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

func ExampleAdjudicate() {
	hex, _ := hexgrid.Index(103.97, 22.34, 8) // a claimed 4G hex in Lào Cai
	children, _ := hex.Children(9)
	ict := time.FixedZone("ICT", 7*3600)
	var tests []challenge.Test
	for i, h := range []int{7, 9, 11, 13, 15} { // five "no service" tests, 8 h apart end to end
		tests = append(tests, challenge.Test{
			TimeUnixMs:  time.Date(2025, 9, 2, h, 0, 0, 0, ict).UnixMilli(),
			Cell:        children[i%4],
			Carrier:     engine.Viettel,
			Tech:        engine.Tech4G,
			Service:     engine.ServiceNone,
			Environment: engine.EnvOutdoor,
		})
	}
	claims := []challenge.Claim{{Cell: hex, Carrier: engine.Viettel, Tech: engine.Tech4G}}
	rep, err := challenge.Adjudicate(claims, tests, challenge.DefaultConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	r := rep.Hexes[0]
	fmt.Printf("%s: %d tests, %d negative, %d children, %.0f h, p = %.0e\n",
		r.Verdict, r.Tests, r.Negatives, r.Children, r.SpanHours, r.PValue)
	// Output:
	// challenged: 5 tests, 5 negative, 4 children, 8 h, p = 1e-05
}
