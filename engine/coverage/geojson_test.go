package coverage

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/paulmach/orb"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

func goldenStates(t *testing.T) []State {
	t.Helper()
	cells := testCells(t, 3)
	measured := []aggregate.Row{
		row(cells[0], engine.Viettel, engine.Tech4G, 10, 4, 2),
		row(cells[1], engine.Viettel, engine.Tech4G, 10, 0, 0),
	}
	predicted := []PredictedCell{
		{Cell: cells[1], Carrier: engine.Viettel, Tech: engine.Tech4G, SignalDBm: -88.5, SigmaDB: 8, ServingSite: "VT-HG-001", DistanceM: 1250},
		{Cell: cells[2], Carrier: engine.Viettel, Tech: engine.Tech4G, SignalDBm: -112, SigmaDB: 6, ServingSite: "VT-HG-002", DistanceM: 7400},
		{Cell: cells[2], Carrier: engine.MobiFone, Tech: engine.Tech3G, SignalDBm: -95, SigmaDB: 0, ServingSite: "MF-HG-010", DistanceM: 3100},
	}
	states, err := Fuse(measured, predicted, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return states
}

func TestFeatureCollection(t *testing.T) {
	states := goldenStates(t)
	fc, err := FeatureCollection(states, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) != len(states) {
		t.Fatalf("%d features for %d states", len(fc.Features), len(states))
	}
	for i, f := range fc.Features {
		poly, ok := f.Geometry.(orb.Polygon)
		if !ok || len(poly) != 1 {
			t.Fatalf("feature %d: geometry %T", i, f.Geometry)
		}
		ring := poly[0]
		if len(ring) != 7 || ring[0] != ring[len(ring)-1] {
			t.Errorf("feature %d: ring of %d points, closed %v", i, len(ring), ring[0] == ring[len(ring)-1])
		}
		if ring.Orientation() != orb.CCW {
			t.Errorf("feature %d: ring not counter-clockwise", i)
		}
		c, _ := states[i].Cell.Center()
		if b := ring.Bound(); !b.Contains(c) || c[0] < 104 || c[0] > 106 || c[1] < 22 || c[1] > 24 {
			t.Errorf("feature %d: centre %v outside its ring or not lon, lat", i, c)
		}
		p := f.Properties
		for _, k := range []string{"cell", "carrier", "tech", "state", "source", "tests", "failures",
			"share_below", "p_value", "median_dbm", "predicted_dbm", "sigma_db", "margin_db",
			"distance_m", "serving_site", "fill", "fill-opacity"} {
			if _, ok := p[k]; !ok {
				t.Errorf("feature %d: no property %q", i, k)
			}
		}
		if p["state"] != states[i].State.String() || p["fill"] != states[i].State.Fill() {
			t.Errorf("feature %d: state %v fill %v", i, p["state"], p["fill"])
		}
	}
	// Measured uncovered hex: 4 of 10 tests fail (p = 0.0128).
	if p := fc.Features[0].Properties; p["state"] != "uncovered" || p["source"] != "measured" ||
		p["fill"] != FillUncovered || p["predicted_dbm"] != nil || p["share_below"] != 0.4 {
		t.Errorf("feature 0: %v", p)
	}
	// The filter keeps uncovered states only.
	only, err := FeatureCollection(states, func(s State) bool { return s.State == Uncovered })
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range only.Features {
		if f.Properties["state"] != "uncovered" {
			t.Errorf("filter kept %v", f.Properties["state"])
		}
	}
	if len(only.Features) == 0 || len(only.Features) == len(states) {
		t.Errorf("filter kept %d of %d", len(only.Features), len(states))
	}

	// Golden file: byte-identical on every run, compared by meaning.
	got, err := json.MarshalIndent(fc, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := FeatureCollection(goldenStates(t), nil)
	if b, _ := json.MarshalIndent(again, "", " "); !bytes.Equal(b, got) {
		t.Error("GeoJSON output is not deterministic")
	}
	path := filepath.Join("testdata", "states.geojson")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	var gv, wv any
	if err := json.Unmarshal(got, &gv); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &wv); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gv, wv) {
		t.Errorf("GeoJSON differs from %s; inspect and rerun with -update if intended", path)
	}
}
