package plan

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/predict"
)

// syntheticZones returns n seeded zones in northern Vietnam, each a blob of
// up to maxHexes hexes on a ~860 m lattice (about res-8 spacing) with
// spread up to spreadHexes lattice steps.
func syntheticZones(seed uint64, n, maxHexes int) []Zone {
	rng := rand.New(rand.NewPCG(seed, 99))
	step := 860.0 / mPerDeg
	zones := make([]Zone, n)
	next := hexgrid.Cell(1)
	for z := range zones {
		lon0, lat0 := 103+3*rng.Float64(), 20.5+2*rng.Float64()
		k := 1 + rng.IntN(maxHexes)
		spread := math.Sqrt(float64(k)) * 0.4
		seen := map[[2]int]bool{}
		zones[z] = Zone{ID: "z" + strconv.Itoa(z), Lon: lon0, Lat: lat0}
		for range k {
			i, j := int(rng.NormFloat64()*spread), int(rng.NormFloat64()*spread)
			if seen[[2]int{i, j}] {
				continue
			}
			seen[[2]int{i, j}] = true
			hh := 0.0
			if rng.IntN(4) > 0 {
				hh = float64(rng.IntN(80))
			}
			zones[z].Hexes = append(zones[z].Hexes, Hex{Cell: next, Lon: lon0 + float64(i)*step/math.Cos(lat0*math.Pi/180), Lat: lat0 + float64(j)*step, Households: hh})
			next++
		}
	}
	return zones
}

func TestGenerateCandidatesCoversZones(t *testing.T) {
	zones := syntheticZones(1, 30, 250)
	zones = append(zones, Zone{ID: "empty", Lon: 104, Lat: 21})
	cfg := DefaultCandidateConfig()
	cands, err := GenerateCandidates(zones, cfg)
	if err != nil {
		t.Fatal(err)
	}
	byZone := map[string][]Candidate{}
	for _, c := range cands {
		if c.Source != SourceGenerated || !math.IsNaN(c.GridKm) {
			t.Fatalf("candidate %s: source %v grid %g", c.ID, c.Source, c.GridKm)
		}
		byZone[c.Zone] = append(byZone[c.Zone], c)
	}
	multi := 0
	for _, z := range zones {
		cs := byZone[z.ID]
		if len(cs) == 0 {
			t.Fatalf("zone %s has no candidate", z.ID)
		}
		if len(cs) > 1 {
			multi++
		}
		for _, h := range z.Hexes {
			if h.Households == 0 {
				continue
			}
			d := math.Inf(1)
			for _, c := range cs {
				d = min(d, predict.GreatCircleM(c.Lon, c.Lat, h.Lon, h.Lat))
			}
			if d > cfg.RadiusM*1.001 && len(cs) < cfg.MaxPerZone {
				t.Errorf("zone %s hex %v: %.0f m from the nearest site", z.ID, h.Cell, d)
			}
		}
	}
	if multi == 0 {
		t.Error("no zone got several sites")
	}
	// The generated sites' footprints cover every household hex.
	var dead []Hex
	for _, z := range zones {
		dead = append(dead, z.Hexes...)
	}
	fps, err := Footprints(cands, dead, DefaultFootprintConfig())
	if err != nil {
		t.Fatal(err)
	}
	capped := map[string]bool{}
	for z, cs := range byZone {
		capped[z] = len(cs) >= cfg.MaxPerZone
	}
	covered := make([]bool, len(dead))
	for _, fp := range fps {
		for _, j := range fp {
			covered[j] = true
		}
	}
	j := 0
	for _, z := range zones {
		for _, h := range z.Hexes {
			if h.Households > 0 && !covered[j] && !capped[z.ID] {
				t.Errorf("hex %v with %g households not covered", h.Cell, h.Households)
			}
			j++
		}
	}
	t.Logf("%d zones, %d candidates, %d zones with several", len(zones), len(cands), multi)
}

func TestGenerateCandidatesDeterministic(t *testing.T) {
	zones := syntheticZones(2, 5, 300)
	a, err := GenerateCandidates(zones, DefaultCandidateConfig())
	if err != nil {
		t.Fatal(err)
	}
	// Reversing every zone's hexes changes nothing.
	for i := range zones {
		slices.Reverse(zones[i].Hexes)
	}
	b, _ := GenerateCandidates(zones, DefaultCandidateConfig())
	if !slices.EqualFunc(a, b, func(x, y Candidate) bool { return x.ID == y.ID && x.Lon == y.Lon && x.Lat == y.Lat }) {
		t.Error("candidates depend on hex order")
	}
}
