package pipeline

import (
	"fmt"
	"math"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/geodata"
)

// TestHashConfig checks the configuration hash's rules: equal values hash
// alike whatever their maps' order, every field and value counts, floats
// by their bits, functions and fields tagged hash:"-" do not count.
func TestHashConfig(t *testing.T) {
	type cfg struct {
		A    int
		B    string
		M    map[string]float64
		F    func()
		Skip []int `hash:"-"`
		P    *float64
	}
	one := 1.0
	base := cfg{A: 1, B: "x", M: map[string]float64{"a": 1, "b": 2, "c": 3}, P: &one}
	h := hashConfig(base)
	same := []cfg{
		{A: 1, B: "x", M: map[string]float64{"c": 3, "b": 2, "a": 1}, P: &one},
		{A: 1, B: "x", M: map[string]float64{"a": 1, "b": 2, "c": 3}, P: &one, F: func() {}, Skip: []int{7, 8}},
	}
	for i, c := range same {
		if got := hashConfig(c); got != h {
			t.Errorf("same[%d]: hash %s, want %s", i, got, h)
		}
	}
	two, nan := 2.0, math.NaN()
	differ := []cfg{
		{A: 2, B: "x", M: base.M, P: &one},
		{A: 1, B: "y", M: base.M, P: &one},
		{A: 1, B: "x", M: map[string]float64{"a": 1, "b": 2}, P: &one},
		{A: 1, B: "x", M: base.M, P: &two},
		{A: 1, B: "x", M: base.M, P: &nan},
		{A: 1, B: "x", M: base.M},
		{A: 1, B: "x", P: &one},
	}
	for i, c := range differ {
		if hashConfig(c) == h {
			t.Errorf("differ[%d] hashes like the base", i)
		}
	}
}

// TestHashConfigBoundariesWithoutIndex: a boundary set hashes by its
// units, not by the point-in-polygon index built beside them.
func TestHashConfigBoundariesWithoutIndex(t *testing.T) {
	p, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	bare := p.Units()
	for i := range bare {
		bare[i] = geodata.Unit{Code: bare[i].Code, Name: bare[i].Name, ParentCode: bare[i].ParentCode, Geometry: bare[i].Geometry, Bound: bare[i].Bound}
	}
	if hashConfig(p.Units()) != hashConfig(bare) {
		t.Error("units with an index hash differently from the same units without one")
	}
	bare[0].Name += "x"
	if hashConfig(p.Units()) == hashConfig(bare) {
		t.Error("a renamed unit hashes like the original")
	}
}

// TestHashConfigStable pins the hash of a value with every kind the
// hasher walks (structs, nested slices, maps, pointers, an interface,
// an array, NaN and −0, a site register): a change to the hasher that
// moves these values moves every saved stage's key, and datasets would
// recompute every saved output once. Change the constants only on
// purpose.
func TestHashConfigStable(t *testing.T) {
	type inner struct {
		X []float64
		Y map[string][]int32
		Z *inner
		S []engine.Site
	}
	var sites []engine.Site
	for i := range 50 {
		s := engine.Site{SiteID: fmt.Sprint("S", i), Carrier: engine.Viettel, Tech: engine.Tech(i % 4), Lon: 103 + float64(i)/100, Lat: 22,
			BandMHz: math.NaN()}
		if i%3 == 0 {
			s.Cell = &engine.ServingCell{PCI: int32(i)}
		}
		sites = append(sites, s)
	}
	one := 1.5
	v := struct {
		A  int
		B  string
		I  inner
		P  *float64
		Q  any
		Ar [3]uint8
		F  func()
	}{A: 3, B: "é", I: inner{X: []float64{1, math.NaN(), math.Copysign(0, -1)}, Y: map[string][]int32{"a": {1, 2}, "b": nil}, Z: &inner{}, S: sites},
		P: &one, Q: "x", Ar: [3]uint8{1, 2, 3}}
	for _, c := range []struct{ got, want string }{
		{hashConfig(v), "1e502edc5c0f0a3fbe44dd1bbc9884f3f108dcecc0528c6ad5c2301c1dad8506"},
		{hashConfig(sites), "b340cec8614c7a76bab729645045b9e163a72989f6831e38f064a126b252641a"},
		{stageKey("coverage", 3, "a", "b"), "6f7e17a495e8a61dd9ed73abf2cc0b1ac513ec6abe01c8bd11a5901766a75d6e"},
	} {
		if c.got != c.want {
			t.Errorf("hash %s, want %s", c.got, c.want)
		}
	}
}
