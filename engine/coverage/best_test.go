package coverage

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/predict"
)

func TestBestByHex(t *testing.T) {
	cells := testCells(t, 4)
	a, b, c, d := cells[0], cells[1], cells[2], cells[3]
	mk := func(cell int, carrier engine.Carrier, tech engine.Tech, l Level, src Source) State {
		return State{Cell: cells[cell], Carrier: carrier, Tech: tech, State: l, Source: src,
			ShareBelow: math.NaN(), PValue: math.NaN(), MedianDBm: math.NaN(), PredictedDBm: math.NaN(),
			SigmaDB: math.NaN(), MarginDB: math.NaN(), DistanceM: math.NaN()}
	}
	states := []State{
		mk(2, engine.MobiFone, engine.Tech4G, Uncovered, Predicted),
		mk(0, engine.Viettel, engine.Tech4G, Weak, Predicted),
		mk(0, engine.MobiFone, engine.Tech3G, Covered, Predicted),
		mk(0, engine.VinaPhone, engine.Tech4G, Covered, Measured),
		mk(0, engine.Viettel, engine.Tech2G, Covered, Measured),
		mk(1, engine.Viettel, engine.Tech2G, Covered, Predicted),
		mk(1, engine.MobiFone, engine.Tech2G, Weak, Predicted),
		mk(3, engine.Viettel, engine.Tech4G, Weak, Predicted),
		mk(3, engine.MobiFone, engine.Tech5G, Weak, Predicted),
		mk(3, engine.VinaPhone, engine.Tech2G, Uncovered, Measured),
	}
	got := BestByHex(states)
	want := []Best{
		{Cell: a, State: Covered, Source: Measured, Carrier: engine.VinaPhone, Tech: engine.Tech4G,
			Carriers: []engine.Carrier{engine.MobiFone, engine.Viettel, engine.VinaPhone}, Has2G: true},
		{Cell: b, State: Uncovered, Has2G: true},
		{Cell: c, State: Uncovered, Source: Predicted, Carrier: engine.MobiFone, Tech: engine.Tech4G},
		{Cell: d, State: Weak, Source: Predicted, Carrier: engine.MobiFone, Tech: engine.Tech5G,
			Carriers: []engine.Carrier{engine.MobiFone, engine.Viettel}},
	}
	if len(got) != len(want) {
		t.Fatalf("%d cells, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Cell != w.Cell || g.State != w.State || g.Source != w.Source || g.Carrier != w.Carrier ||
			g.Tech != w.Tech || !slices.Equal(g.Carriers, w.Carriers) || g.Has2G != w.Has2G {
			t.Errorf("cell %d: %+v, want %+v", i, g, w)
		}
	}
	if !got[0].Served() || got[1].Served() || got[2].Served() || !got[3].Served() {
		t.Error("Served: want a and d served, b (2G-only) and c not")
	}
	// Independent of input order.
	slices.Reverse(states)
	if fmt.Sprint(BestByHex(states)) != fmt.Sprint(got) {
		t.Error("BestByHex depends on input order")
	}
}

func TestFromBestServer(t *testing.T) {
	cells := testCells(t, 2)
	sites := []engine.Site{{SiteID: "A"}, {SiteID: "B"}}
	// Points 0 and 1 are in the same hex; the stronger prediction wins.
	pointCells := []hexgrid.Cell{cells[1], cells[1], cells[0]}
	r := &predict.Result{
		Point:      []int32{0, 0, 1, 2},
		Carrier:    []engine.Carrier{engine.Viettel, engine.Viettel, engine.Viettel, engine.MobiFone},
		Tech:       []engine.Tech{engine.Tech3G, engine.Tech4G, engine.Tech4G, engine.Tech4G},
		Site:       []int32{0, 0, 1, 1},
		SignalDBm:  []float64{-90, -100, -95, -110},
		SigmaDB:    []float64{8, 8, 6, 6},
		DistanceM:  []float64{1000, 1000, 2000, 3000},
		PathLossDB: []float64{0, 0, 0, 0},
		Model:      []predict.Model{0, 0, 0, 0},
	}
	got, err := FromBestServer(r, pointCells, sites)
	if err != nil {
		t.Fatal(err)
	}
	want := []PredictedCell{
		{Cell: cells[0], Carrier: engine.MobiFone, Tech: engine.Tech4G, SignalDBm: -110, SigmaDB: 6, ServingSite: "B", DistanceM: 3000},
		{Cell: cells[1], Carrier: engine.Viettel, Tech: engine.Tech3G, SignalDBm: -90, SigmaDB: 8, ServingSite: "A", DistanceM: 1000},
		{Cell: cells[1], Carrier: engine.Viettel, Tech: engine.Tech4G, SignalDBm: -95, SigmaDB: 6, ServingSite: "B", DistanceM: 2000},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	r.Site[0] = 5
	if _, err := FromBestServer(r, pointCells, sites); err == nil {
		t.Error("site out of range: no error")
	}
}

// Of several rows for one key, the strongest is kept and, among equally
// strong ones, the lowest row, whatever the rows of other keys between.
func TestFromBestServerTiesToLowerRow(t *testing.T) {
	cells := testCells(t, 2)
	sites := []engine.Site{{SiteID: "A"}, {SiteID: "B"}, {SiteID: "C"}}
	pointCells := []hexgrid.Cell{cells[1], cells[0], cells[1], cells[1]}
	r := &predict.Result{
		Point:     []int32{0, 1, 2, 3, 0},
		Carrier:   []engine.Carrier{engine.Viettel, engine.Viettel, engine.Viettel, engine.Viettel, engine.MobiFone},
		Tech:      []engine.Tech{engine.Tech4G, engine.Tech4G, engine.Tech4G, engine.Tech4G, engine.Tech4G},
		Site:      []int32{0, 0, 1, 2, 2},
		SignalDBm: []float64{-95, -80, -90, -90, -100},
		SigmaDB:   []float64{1, 2, 3, 4, 5},
		DistanceM: []float64{10, 20, 30, 40, 50},
	}
	got, err := FromBestServer(r, pointCells, sites)
	if err != nil {
		t.Fatal(err)
	}
	want := []PredictedCell{
		{Cell: cells[0], Carrier: engine.Viettel, Tech: engine.Tech4G, SignalDBm: -80, SigmaDB: 2, ServingSite: "A", DistanceM: 20},
		{Cell: cells[1], Carrier: engine.MobiFone, Tech: engine.Tech4G, SignalDBm: -100, SigmaDB: 5, ServingSite: "C", DistanceM: 50},
		{Cell: cells[1], Carrier: engine.Viettel, Tech: engine.Tech4G, SignalDBm: -90, SigmaDB: 3, ServingSite: "B", DistanceM: 30},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}
