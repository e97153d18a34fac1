package campaign

import (
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/paulmach/orb"
)

// TestDefaultStartIsAVillage: without a start, the teams start at the
// village nearest the villages' mean position, not at the mean: that of
// villages in the north-west and in the south of the country (as Viet
// Nam's are) lies in Laos, hundreds of kilometres from any of them.
func TestDefaultStartIsAVillage(t *testing.T) {
	at := func(id string, lon, lat float64) Village {
		return Village{Village: engine.Village{ID: id, Lon: lon, Lat: lat, Households: 100}, PDead: 0.5}
	}
	vs := []Village{
		at("north1", 103.30, 22.40), at("north2", 103.40, 22.45),
		at("middle", 107.20, 16.40),
		at("south1", 106.70, 10.80), at("south2", 106.60, 10.90),
	}
	p, err := Build(vs, Config{Days: 1})
	if err != nil {
		t.Fatal(err)
	}
	if c := Centroid(vs); GreatCircleKm(c, orb.Point{107.20, 16.40}) < 100 {
		t.Fatalf("the centroid %v is near a village: the test needs one far from every village", c)
	}
	if want := (orb.Point{107.20, 16.40}); p.Config.Start != want {
		t.Errorf("default start %v, want the village nearest the mean, %v", p.Config.Start, want)
	}
	if len(p.Routes) == 0 || p.Routes[0].Start != p.Config.Start {
		t.Fatalf("routes %+v do not start at the default start", p.Routes)
	}
	if DefaultStart(nil) != (orb.Point{}) {
		t.Errorf("DefaultStart(nil) = %v, want the zero point", DefaultStart(nil))
	}
}
