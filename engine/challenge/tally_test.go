package challenge

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
)

// Tallies of disjoint halves of the tests, merged (and saved and
// restored), decide exactly as the tests do; the base fixture is a
// challenge at every threshold's edge, so any count lost or doubled
// changes the verdict.
func TestTallyMergesAndRestores(t *testing.T) {
	f := newFixture(t, 105.85, 21.03)
	tests := append(f.base(), f.test(4, 23, 0, -70), f.test(5, 12, 0, -80)) // a night test, a positive one
	other := f.test(0, 12, 0, -90)
	other.Carrier = engine.MobiFone // unclaimed
	tests = append(tests, other, Test{Cell: f.children[1], Tech: engine.Tech4G, TimeUnixMs: localMs(9, 0)})
	cfg := DefaultConfig()
	// A claim of a carrier without tests (nor tallied): decided by no
	// hex, counted nowhere.
	unknown := f.claim()
	unknown.Carrier = engine.Vietnamobile
	want, err := Adjudicate([]Claim{unknown, f.claim()}, tests, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Hexes) != 1 || want.Hexes[0].Verdict != Challenged || want.Hexes[0].Tests != 6 || want.Hexes[0].Excluded != 1 ||
		want.Unmatched != 1 || want.Invalid != 1 {
		t.Fatalf("fixture: %+v", want)
	}
	a, _ := NewTally(cfg)
	b, _ := NewTally(cfg)
	b.Add(other, other.Cell) // b meets MobiFone first, a Viettel: Merge maps carriers by name
	for i, x := range tests {
		if x == other {
			continue
		}
		to := a
		if i%2 == 1 {
			to = b
		}
		to.Add(x, x.Cell)
	}
	a.Merge(b)
	restored, err := NewTallyFrom(cfg, a.State())
	if err != nil {
		t.Fatal(err)
	}
	for _, tl := range []*Tally{a, restored} {
		got, err := AdjudicateTally([]Claim{f.claim(), unknown, f.claim()}, tl, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(sanitize(got), sanitize(want)) {
			t.Fatalf("tally decides\n%+v\nthe tests\n%+v", got, want)
		}
	}
	if st := a.State(); len(st.Entries) != 2 || st.Entries[0].Carrier != engine.MobiFone {
		t.Fatalf("state not sorted by carrier: %+v", st)
	}
	moved := cfg
	moved.DayStart = 5 * time.Hour
	if _, err := AdjudicateTally(nil, a, moved); !errors.Is(err, engine.ErrInvalidConfig) {
		t.Fatalf("another day window: %v", err)
	}
}

// sanitize replaces NaN p-values so that DeepEqual compares reports.
func sanitize(r Report) Report {
	for i := range r.Hexes {
		if r.Hexes[i].PValue != r.Hexes[i].PValue {
			r.Hexes[i].PValue = -1
		}
	}
	return r
}
