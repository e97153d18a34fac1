package pipeline

import (
	"math"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/coverage"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

func TestServedStates(t *testing.T) {
	th := engine.DefaultThresholds() // 4G covered at −105, no service −120
	cell, _ := hexgrid.Index(103.3, 22.4, 8)
	nan := math.NaN()
	st := func(src coverage.Source, lvl coverage.Level, pred, sigma float64) coverage.State {
		return coverage.State{Cell: cell, Carrier: engine.Viettel, Tech: engine.Tech4G, Source: src, State: lvl, PredictedDBm: pred, SigmaDB: sigma}
	}
	row := func(nSig int64, mean float64, nNone int64) *aggregate.Row {
		r := &aggregate.Row{Key: aggregate.Key{Cell: cell, Carrier: engine.Viettel, Tech: engine.Tech4G}}
		r.OutdoorSignal.N, r.OutdoorSignal.MeanDBm, r.Outdoor.NoServiceRows = nSig, mean, nNone
		return r
	}
	cases := []struct {
		name        string
		state       coverage.State
		row         *aggregate.Row
		reliability float64
		want        bool
	}{
		{"measured covered stands", st(coverage.Measured, coverage.Covered, -130, 8), row(6, -125, 0), 0.5, true},
		{"measured uncovered stands", st(coverage.Measured, coverage.Uncovered, -80, 8), row(6, -80, 0), 0.5, false},
		{"prediction 2 dB above, no tests", st(coverage.Predicted, coverage.Weak, -103, 8), nil, 0.5, true},
		{"prediction 2 dB below, no tests", st(coverage.Predicted, coverage.Weak, -107, 8), nil, 0.5, false},
		// Posterior: prior N(−103, 64); 4 no-service tests at −120 with
		// variance 64+16 each: mean = (−103/64 − 4·120/80)/(1/64 + 4/80) = −116.0.
		{"four no-service tests overturn the prediction", st(coverage.Predicted, coverage.Weak, -103, 8), row(0, 0, 4), 0.5, false},
		// Prior N(−110, 64), 3 tests of mean −95: mean = (−110/64 − 3·95/80)/(1/64+3/80) = −99.4.
		{"three strong tests overturn a weak prediction", st(coverage.Predicted, coverage.Weak, -110, 8), row(3, -95, 0), 0.5, true},
		{"90% reliability needs a margin", st(coverage.Predicted, coverage.Weak, -103, 8), nil, 0.9, false},
		{"90% reliability, 11 dB above", st(coverage.Predicted, coverage.Covered, -94, 8), nil, 0.9, true},
		{"no prediction, no tests", st(coverage.Predicted, coverage.Uncovered, nan, nan), nil, 0.5, false},
		{"no prediction, tests decide", st(coverage.Predicted, coverage.Uncovered, nan, nan), row(2, -90, 0), 0.5, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var rows []aggregate.Row
			if c.row != nil {
				rows = []aggregate.Row{*c.row}
			}
			got, err := servedStates([]coverage.State{c.state}, rows, th, c.reliability, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got[0].Covered != c.want {
				t.Fatalf("served = %v, want %v", got[0].Covered, c.want)
			}
		})
	}
	if _, err := servedStates(nil, nil, th, 1.5, 0); err == nil {
		t.Fatal("reliability outside (0,1) must fail")
	}
}

// TestServedAnyCarrier: two carriers each a little below the threshold
// (p ≈ 0.40 each) serve the hex together (P(any) ≈ 0.64), so the likelier
// one is marked serving; one alone does not.
func TestServedAnyCarrier(t *testing.T) {
	th := engine.DefaultThresholds()
	cell, _ := hexgrid.Index(103.3, 22.4, 8)
	mk := func(k engine.Carrier, pred float64) coverage.State {
		return coverage.State{Cell: cell, Carrier: k, Tech: engine.Tech4G, Source: coverage.Predicted, State: coverage.Weak, PredictedDBm: pred, SigmaDB: 8}
	}
	// Φ(−2/8) = 0.401, Φ(−2.5/8) = 0.377.
	two := []coverage.State{mk(engine.MobiFone, -107.5), mk(engine.Viettel, -107)}
	got, err := servedStates(two, nil, th, 0.5, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Covered || !got[1].Covered {
		t.Fatalf("want only the likelier carrier (viettel) marked: %+v", got)
	}
	one, err := servedStates(two[1:], nil, th, 0.5, 0)
	if err != nil || one[0].Covered {
		t.Fatalf("one carrier at p 0.40 must not serve: %+v %v", one, err)
	}
	// 2G does not count towards the hex being served.
	g := mk(engine.VinaPhone, -80)
	g.Tech = engine.Tech2G
	got, _ = servedStates([]coverage.State{g, mk(engine.Viettel, -107)}, nil, th, 0.5, 0)
	if got[1].Covered {
		t.Fatal("2G must not lift a hex to served")
	}
}
