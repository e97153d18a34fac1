package pipeline

import (
	"math"
	"testing"

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
