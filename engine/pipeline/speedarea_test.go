package pipeline

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/geodata"
	"github.com/lomsong/lomsong/internal/shareddata"
	"github.com/paulmach/orb"
)

// speedAreas finds, for points all over northern Viet Nam and beyond its
// border, the unit BoundarySet.Locate finds (none outside every unit),
// through the candidates of each point's hex: among the provinces, and
// among the communes of 2025 (thousands of small units) where the
// reference data is at hand.
func TestSpeedAreasLocateAsTheSet(t *testing.T) {
	provinces, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	sets := map[string]*geodata.BoundarySet{"provinces": provinces}
	if d := shareddata.Dir(); d == "" {
		t.Log("../shared/data absent: the communes of 2025 are not tried")
	} else if f, err := os.Open(filepath.Join(d, "vn_communes_2025.geojson")); err == nil {
		communes, err := geodata.LoadBoundaries(f, "code", "name", "provinceCode")
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		sets["communes"] = communes
	}
	for name, set := range sets {
		a := newSpeedAreas(set)
		cands := map[hexgrid.Cell]speedCands{}
		rng := rand.New(rand.NewPCG(16, 7))
		found := map[string]bool{}
		for range 20000 {
			p := orb.Point{102 + 5*rng.Float64(), 20 + 3.5*rng.Float64()}
			c, err := hexgrid.Index(p[0], p[1], speedRes)
			if err != nil {
				t.Fatal(err)
			}
			got, err := a.at(cands, c, p)
			if err != nil {
				t.Fatal(err)
			}
			want := ""
			if u, ok := set.Locate(p); ok {
				want = u.Code
			}
			if got != want {
				t.Fatalf("%s: %v: %q, the set locates it in %q", name, p, got, want)
			}
			found[got] = true
		}
		if len(found) < 10 || !found[""] {
			t.Fatalf("%s: points in %d units (%v): the test should cross borders and leave the country", name, len(found), found)
		}
	}
}

// Speed tests inside Lai Châu whose resolution-7 hex's centre lies in
// Điện Biên count for Lai Châu, from a pass of the trend's own and from
// the months' saved passes alike; Điện Biên, with no test, has no speed
// change. Each test counted for the area of its hex's centre: the change
// was Điện Biên's.
func TestSpeedTrendCountsTestsWhereTheyLie(t *testing.T) {
	provinces, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	lai, _ := provinces.ByCode("12")
	var p orb.Point
	var hex hexgrid.Cell
	for lat := lai.Bound.Min[1]; lat < lai.Bound.Max[1] && hex == 0; lat += 0.002 {
		for lon := lai.Bound.Min[0]; lon < lai.Bound.Max[0]; lon += 0.002 {
			q := orb.Point{lon, lat}
			c, _ := hexgrid.Index(lon, lat, speedRes)
			ctr, _ := c.Center()
			if u, ok := provinces.Locate(ctr); lai.Contains(q) && ok && u.Code == "11" {
				p, hex = q, c
				break
			}
		}
	}
	if hex == 0 {
		t.Fatal("no point of Lai Châu in a hex centred in Điện Biên")
	}
	b := twoCarrierTests()
	for k, t0 := range []int64{worldT0, time.UnixMilli(worldT0).AddDate(-1, 0, 0).UnixMilli()} {
		for i := range 30 {
			b.Append(speedTest(t0+int64(i)*3600_000, engine.Viettel, engine.Tech4G, p[0], p[1], float64(20+10*k+i%7)))
		}
	}
	s := storeOf(t, worldVillages, b)
	opt := ScorecardOptions{Areas: provinces, Bootstrap: penetration.DefaultBootstrap(), Seed: 3}
	own, saved := speedChangesBothWays(t, s, &opt)
	oct := penetration.Period{Year: 2026, Month: 10}
	for name, got := range map[string]map[penetration.Period]map[string]*penetration.Estimate{"own pass": own, "saved passes": saved} {
		if e := got[oct]["11"]; e != nil {
			t.Errorf("%s: Điện Biên has a speed change of %v (%v), from tests inside Lai Châu", name, e.Value, e.Issues)
		}
		// Medians of 23 and 33 Mbit/s: about −30%.
		if e := got[oct]["12"]; e == nil || !(e.Value > -0.35 && e.Value < -0.25) {
			t.Errorf("%s: Lai Châu's speed change %+v, want about -30%% (its 30 tests of each October)", name, e)
		}
	}
}

// A pass's key holds its speed areas by their codes and outlines: the
// same set loaded twice has one key, another set another, none none.
func TestSpeedAreasKey(t *testing.T) {
	a, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	b, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	old, err := geodata.Provinces2019()
	if err != nil {
		t.Fatal(err)
	}
	if ka, kb := speedAreasKey(a), speedAreasKey(b); ka != kb || ka == "" {
		t.Errorf("the same set: keys %q and %q", ka, kb)
	}
	if speedAreasKey(a) == speedAreasKey(old) || speedAreasKey(nil) != "" {
		t.Error("the sets of 2025 and 2019 share a key, or no set has one")
	}
}
