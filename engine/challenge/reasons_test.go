package challenge

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// reasonsWithFmt is decide's reason text as fmt's verbs write it.
func reasonsWithFmt(r Result, significant bool, cfg Config) string {
	var why []string
	if r.Tests == 0 {
		why = append(why, fmt.Sprintf("no counted tests (%d excluded: night, indoor or unknown environment, or no usable result)", r.Excluded))
	}
	if !r.GeographicMet {
		why = append(why, fmt.Sprintf("geographic: tests in %d of 7 children, need %d", r.Children, cfg.MinChildren))
	}
	if !r.TemporalMet {
		if r.Negatives < 2 {
			why = append(why, fmt.Sprintf("temporal: %d negative tests, need 2 at least %v apart", r.Negatives, cfg.MinSpan))
		} else {
			why = append(why, fmt.Sprintf("temporal: negatives span %v, need %v", time.Duration(r.LastNegativeUnixMs-r.FirstNegativeUnixMs)*time.Millisecond, cfg.MinSpan))
		}
	}
	if r.Tests > 0 && !r.VolumeMet {
		if r.Negatives < cfg.MinNegatives {
			why = append(why, fmt.Sprintf("volume: %d negative tests, need %d", r.Negatives, cfg.MinNegatives))
		}
		if !significant {
			why = append(why, fmt.Sprintf("volume: %d of %d negative, not significantly above %g (p = %.4g)", r.Negatives, r.Tests, cfg.NullShare, r.PValue))
		}
	}
	return strings.Join(why, "; ")
}

// TestDecideReasons: decide writes the reasons fmt's verbs would, over
// counts, spans and configurations that reach every reason (p-values from
// 1 down to below 1e-5, spans of minutes to 30 hours, odd thresholds).
func TestDecideReasons(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 1))
	cfgs := []Config{DefaultConfig()}
	odd := DefaultConfig()
	odd.MinSpan, odd.MinChildren, odd.MinNegatives, odd.NullShare = 90*time.Minute+7*time.Second, 3, 11, 0.125
	cfgs = append(cfgs, odd)
	seen := map[string]bool{}
	for i := range 20000 {
		cfg := cfgs[i%len(cfgs)]
		tests := rng.IntN(60)
		if i%7 == 0 {
			tests = 0
		}
		neg := 0
		if tests > 0 {
			neg = rng.IntN(tests + 1)
		}
		first := int64(rng.IntN(1 << 30))
		a := &acc{Result: Result{Claim: Claim{Carrier: engine.Viettel, Tech: engine.Tech4G}, Tests: tests, Excluded: rng.IntN(5),
			Negatives: neg, Children: rng.IntN(8)}, first: first, last: first + int64(rng.IntN(30*3600_000))}
		r := decide(a, cfg)
		significant := r.Tests > 0 && r.PValue < cfg.Alpha
		if want := reasonsWithFmt(r, significant, cfg); r.Reason != want {
			t.Fatalf("%+v: reason %q, want %q", r, r.Reason, want)
		}
		if r.Reason == "" {
			seen["none"] = true
			continue
		}
		for _, part := range strings.Split(r.Reason, "; ") {
			w := strings.SplitN(part, " ", 3)
			seen[w[0]+" "+w[1]] = true
		}
	}
	for _, want := range []string{"no counted", "geographic: tests", "temporal: negatives", "volume: 0", "temporal: 1", "none"} {
		if !seen[want] {
			t.Errorf("no reason starting %q reached (%v)", want, seen)
		}
	}
}

// TestRollupParents: parents counted in one pass over keys in cmpKey's
// order equal those counted through a map and sorted, for keys of
// several carriers and technologies over neighbouring parents; a level
// out of that order is counted through the map.
func TestRollupParents(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 7))
	var level []levelKey
	for _, c := range []engine.Carrier{engine.MobiFone, engine.Viettel} {
		for _, tech := range []engine.Tech{engine.Tech3G, engine.Tech4G} {
			for range 40 {
				p, err := hexgrid.Index(103+rng.Float64()*0.3, 21+rng.Float64()*0.3, 6)
				if err != nil {
					t.Fatal(err)
				}
				kids, err := p.Children(8)
				if err != nil {
					t.Fatal(err)
				}
				for _, k := range kids {
					if rng.IntN(3) > 0 {
						n := rng.IntN(4)
						ev := evidence{tests: n}
						if n > 1 {
							ev.negatives = n - 1
							ev.first = int64(1 + rng.IntN(1000))
							ev.last = ev.first + int64(rng.IntN(1000))
						}
						level = append(level, levelKey{key{k, c, tech}, Verdict(rng.IntN(3)), ev})
					}
				}
			}
		}
	}
	less := func(a, b levelKey) int {
		return cmpKey(Claim{a.cell, a.carrier, a.tech}, Claim{b.cell, b.carrier, b.tech})
	}
	slices.SortFunc(level, less)
	level = slices.CompactFunc(level, func(a, b levelKey) bool { return a.key == b.key })
	for _, res := range []int{7, 6, 5} {
		parent := func(c levelKey) key { return key{hexgrid.FastParent(c.cell, res), c.carrier, c.tech} }
		lessKey := func(a, b key) int { return cmpKey(Claim{a.cell, a.carrier, a.tech}, Claim{b.cell, b.carrier, b.tech}) }
		wantKeys, wantCounts := parentCountsUnordered(level, parent, lessKey)
		keys, counts := parentCounts(level, res)
		if len(wantKeys) < 20 || !reflect.DeepEqual(keys, wantKeys) || !reflect.DeepEqual(counts, wantCounts) {
			t.Fatalf("res %d: %d parents, want %d", res, len(keys), len(wantKeys))
		}
		shuffled := slices.Clone(level)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		keys, counts = parentCounts(shuffled, res)
		if !reflect.DeepEqual(keys, wantKeys) || !reflect.DeepEqual(counts, wantCounts) {
			t.Fatalf("res %d, shuffled: %d parents, want %d", res, len(keys), len(wantKeys))
		}
	}
}

// A roll-up row carries the evidence under it: the tests, negatives and
// negative times of the claimed hexes it holds, and how many of its
// children hold tests — not the count of challenged children again.
func TestRollupEvidence(t *testing.T) {
	p, err := hexgrid.Index(103.2, 22.3, 7)
	if err != nil {
		t.Fatal(err)
	}
	kids, err := p.Children(8)
	if err != nil {
		t.Fatal(err)
	}
	hexes := []Result{
		{Claim: Claim{kids[0], engine.Viettel, engine.Tech4G}, Verdict: Challenged, Tests: 12, Negatives: 9, FirstNegativeUnixMs: 5000, LastNegativeUnixMs: 90000},
		{Claim: Claim{kids[1], engine.Viettel, engine.Tech4G}, Verdict: Upheld, Tests: 4, Negatives: 1, FirstNegativeUnixMs: 3000, LastNegativeUnixMs: 3000},
		{Claim: Claim{kids[2], engine.Viettel, engine.Tech4G}, Verdict: Insufficient},
	}
	cfg := DefaultConfig()
	cfg.Res, cfg.RollupRes = 8, 6
	out := rollup(hexes, cfg)
	if len(out) != 2 {
		t.Fatalf("%d roll-ups: %+v", len(out), out)
	}
	for _, r := range out {
		// Two of its children decided (one challenged, one upheld): fewer
		// than 4, so the parent is insufficient, and so is its own parent.
		want := Rollup{Cell: r.Cell, Carrier: engine.Viettel, Tech: engine.Tech4G, Res: r.Res, ChildrenChallenged: 1, ChildrenUpheld: 1,
			Verdict: Insufficient, ChildrenWithTests: 2, Tests: 16, Negatives: 10, FirstNegativeUnixMs: 3000, LastNegativeUnixMs: 90000}
		if r.Res == 6 {
			want.ChildrenChallenged, want.ChildrenUpheld, want.ChildrenWithTests = 0, 0, 1 // its one child, the res-7 parent, holds tests
		}
		if r != want {
			t.Errorf("res %d: %+v\nwant %+v", r.Res, r, want)
		}
	}
}

// Counts tells claims (one per hex, carrier and technology) from the
// hexes they lie in: the run printed 39 "challenged hexes" that were 30.
func TestReportCounts(t *testing.T) {
	h1, h2, h3 := hexgrid.Cell(0x8840601343fffff), hexgrid.Cell(0x8840601345fffff), hexgrid.Cell(0x8840601347fffff)
	r := Report{Hexes: []Result{
		{Claim: Claim{Cell: h1, Carrier: "viettel", Tech: engine.Tech4G}, Verdict: Challenged},
		{Claim: Claim{Cell: h1, Carrier: "viettel", Tech: engine.Tech3G}, Verdict: Challenged},
		{Claim: Claim{Cell: h1, Carrier: "mobifone", Tech: engine.Tech4G}},
		{Claim: Claim{Cell: h2, Carrier: "viettel", Tech: engine.Tech4G}, Verdict: Challenged},
		{Claim: Claim{Cell: h3, Carrier: "viettel", Tech: engine.Tech4G}},
	}}
	want := Counts{Claims: 5, Challenged: 3, ClaimHexes: 3, ChallengedHexes: 2}
	if got := r.Counts(); got != want {
		t.Errorf("%+v, want %+v", got, want)
	}
}
