package deadzone

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/geodata"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// nestedSets: provinces 01 (lon 105.0–105.1) and 02 (105.1–105.2); commune
// 01001 fills 01 except its eastern strip (105.08–105.1), 02001 fills 02
// and reaches 0.01° into 01 (an overlap, as simplified borders make).
func nestedSets(t *testing.T) (provinces, communes *geodata.BoundarySet) {
	t.Helper()
	var err error
	provinces, err = geodata.NewBoundarySet("p", "province", []geodata.Unit{
		{Code: "01", Name: "Một", Geometry: rect(105.0, 21.0, 105.1, 21.1)},
		{Code: "02", Name: "Hai", Geometry: rect(105.1, 21.0, 105.2, 21.1)},
	})
	if err != nil {
		t.Fatal(err)
	}
	communes, err = geodata.NewBoundarySet("c", "commune", []geodata.Unit{
		{Code: "01001", Name: "Xã Một", ParentCode: "01", Geometry: rect(105.0, 21.0, 105.08, 21.1)},
		{Code: "02001", Name: "Xã Hai", ParentCode: "02", Geometry: rect(105.09, 21.0, 105.2, 21.1)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return provinces, communes
}

func TestAttributePlaces(t *testing.T) {
	provinces, communes := nestedSets(t)
	cases := []struct {
		name    string
		place   Place
		want    PlaceAdmin
		noComms PlaceAdmin // without the commune set: the place's own code, unchecked
	}{
		{"own commune code", Place{orb.Point{105.03, 21.05}, "01001"},
			PlaceAdmin{"01", "01001", AttributedByCode}, PlaceAdmin{"01", "01001", AttributedByCode}},
		{"code of another province's commune", Place{orb.Point{105.03, 21.05}, "02001"},
			PlaceAdmin{"01", "01001", AttributedByPoint}, PlaceAdmin{"01", "02001", AttributedByCode}},
		{"unknown code", Place{orb.Point{105.15, 21.05}, "12001"},
			PlaceAdmin{"02", "02001", AttributedByPoint}, PlaceAdmin{"02", "12001", AttributedByCode}},
		// In 01 where only 02's commune reaches: never 02's commune.
		{"in the other province's overlapping commune", Place{orb.Point{105.095, 21.05}, ""},
			PlaceAdmin{"01", "", AttributedProvinceOnly}, PlaceAdmin{"01", "", AttributedProvinceOnly}},
		{"in a province outside its communes", Place{orb.Point{105.085, 21.05}, "02001"},
			PlaceAdmin{"01", "", AttributedProvinceOnly}, PlaceAdmin{"01", "02001", AttributedByCode}},
		// 20 m outside both outlines: the share of its res-10 cell decides.
		{"in a border gap", Place{orb.Point{105.05, 21.1002}, ""},
			PlaceAdmin{"01", "01001", AttributedByPoint}, PlaceAdmin{"01", "", AttributedProvinceOnly}},
		{"abroad", Place{orb.Point{106.5, 21.05}, "01001"},
			PlaceAdmin{"", "", AttributedOutside}, PlaceAdmin{"", "01001", AttributedOutside}},
	}
	var places []Place
	for _, c := range cases {
		places = append(places, c.place)
	}
	got, err := AttributePlaces(provinces, communes, places)
	if err != nil {
		t.Fatal(err)
	}
	bare, err := AttributePlaces(provinces, nil, places)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		if got[i] != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got[i], c.want)
		}
		if bare[i] != c.noComms {
			t.Errorf("%s without communes: %+v, want %+v", c.name, bare[i], c.noComms)
		}
	}
	// Communes alone: the province is the commune's.
	only, err := AttributePlaces(nil, communes, []Place{{orb.Point{105.095, 21.05}, ""}, {orb.Point{106.5, 21.05}, ""}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []PlaceAdmin{{"02", "02001", AttributedByPoint}, {"", "", AttributedOutside}}; !slices.Equal(only, want) {
		t.Errorf("communes alone: %+v, want %+v", only, want)
	}
}

func TestAdminCells(t *testing.T) {
	provinces, communes := nestedSets(t)
	in, _ := hexgrid.Index(105.03, 21.05, 8)      // deep in 01001
	sliver, _ := hexgrid.Index(105.095, 21.05, 9) // in 01, centre in 02001's overlap
	abroad, _ := hexgrid.Index(106.5, 21.05, 8)
	got, err := AdminCells(provinces, communes, []hexgrid.Cell{in, sliver, abroad, in})
	if err != nil {
		t.Fatal(err)
	}
	if got[in] != (Admin{"01", "01001"}) {
		t.Errorf("inner hex: %+v", got[in])
	}
	if a := got[sliver]; a.Province != "01" || a.Commune == "02001" {
		t.Errorf("hex of province 01 given %+v", a)
	}
	if _, ok := got[abroad]; ok || len(got) != 2 {
		t.Errorf("%v", got)
	}
}

// TestAttributionRealCommunes checks the rule on the 3,321 communes and 34
// provinces of 2025: a point inside each commune, given the commune code
// of the demo's villages of Lai Châu ("12001"…, which are real codes of
// Hưng Yên, province 33), goes to a commune of the province it lies in,
// and the hexes of Lai Châu to communes of Lai Châu.
func TestAttributionRealCommunes(t *testing.T) {
	if testing.Short() {
		t.Skip("real boundaries: skipped in -short")
	}
	communes := loadSet(t, "vn_communes_2025.geojson", "provinceCode")
	provinces := loadSet(t, "vn_provinces_2025.geojson", "")
	if communes.Len() != 3321 || provinces.Len() != 34 {
		t.Fatalf("%d communes, %d provinces", communes.Len(), provinces.Len())
	}
	if u, ok := communes.ByCode("12001"); ok && u.ParentCode == "12" {
		t.Fatalf("commune 12001 is in province 12: the test's premise is gone")
	}
	var places []Place
	var home []geodata.Unit
	for _, u := range communes.Units() {
		// A point inside the commune: the centroid of its largest polygon
		// when inside it.
		big := slices.MaxFunc(u.Geometry, func(a, b orb.Polygon) int {
			return cmpFloat(planar.Area(a), planar.Area(b))
		})
		c, _ := planar.CentroidArea(big)
		if !planar.PolygonContains(big, c) {
			continue
		}
		places = append(places, Place{Point: c, CommuneCode: "12001"})
		home = append(home, u)
	}
	start := time.Now()
	got, err := AttributePlaces(provinces, communes, places)
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	parent := ParentCodes(communes)
	var same, provinceOnly, outside, by33 int
	for i, a := range got {
		switch a.Attribution {
		case AttributedOutside:
			outside++
			continue
		case AttributedProvinceOnly:
			provinceOnly++
		}
		if a.Commune != "" && parent[a.Commune] != a.Province {
			t.Fatalf("place in commune %s: commune %s of province %s given province %s", home[i].Code, a.Commune, parent[a.Commune], a.Province)
		}
		if a.Commune == "12001" && home[i].ParentCode != "33" {
			by33++
		}
		if a.Commune == home[i].Code {
			same++
		}
	}
	t.Logf("%d commune points in %v: %d back in their commune, %d province only, %d outside", len(places), elapsed, same, provinceOnly, outside)
	if len(places) < 3000 || by33 > 0 || outside > 0 {
		t.Fatalf("%d points, %d sent to Hưng Yên's 12001, %d outside every unit", len(places), by33, outside)
	}
	if same < len(places)*98/100 {
		t.Errorf("only %d of %d points back in the commune they lie in", same, len(places))
	}

	lai, _ := provinces.ByCode("12")
	cells, err := hexgrid.CoverMulti(lai.Geometry, 8)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := AdminCells(provinces, communes, cells)
	if err != nil {
		t.Fatal(err)
	}
	var missing int
	for _, c := range cells {
		a := admin[c]
		if a.Province != "12" || (a.Commune != "" && parent[a.Commune] != "12") {
			t.Fatalf("Lai Châu hex %s: %+v", c, a)
		}
		if a.Commune == "" {
			missing++
		}
	}
	if missing > len(cells)/100 {
		t.Errorf("%d of %d Lai Châu hexes without a commune", missing, len(cells))
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Without commune boundaries a hex takes the commune of the villages it
// holds: the commune with the most households among those of its own
// province, the lowest code on a tie; a hex that already has a commune,
// or holds no village with one, is left as it is.
func TestCommunesFromPlaces(t *testing.T) {
	const a, b, c, d, e = hexgrid.Cell(0x8840644835fffff), hexgrid.Cell(0x8840644823fffff), hexgrid.Cell(0x8840644825fffff), hexgrid.Cell(0x8840644953fffff), hexgrid.Cell(0x884064495dfffff)
	admin := map[hexgrid.Cell]Admin{a: {Province: "12"}, b: {Province: "12"}, c: {Province: "12", Commune: "12009"}, d: {Province: "12"}}
	cells := []hexgrid.Cell{a, a, a, b, b, c, d, e, a}
	places := []PlaceAdmin{
		{Province: "12", Commune: "12001"}, {Province: "12", Commune: "12002"}, {Province: "12", Commune: "12001"}, // a: 12001 60+10 > 12002 50
		{Province: "12", Commune: "12004"}, {Province: "12", Commune: "12003"}, // b: a tie, the lowest code
		{Province: "12", Commune: "12005"}, // c has its commune
		{Province: "12"},                   // d: no commune known
		{Province: "14", Commune: "14001"}, // e: no province, takes the place's
		{Province: "14", Commune: "14002"}, // another province's village in a: not counted
	}
	weights := []float64{60, 50, 10, 30, 30, 99, 5, 7, 500}
	CommunesFromPlaces(admin, cells, places, weights)
	want := map[hexgrid.Cell]Admin{a: {"12", "12001"}, b: {"12", "12003"}, c: {"12", "12009"}, d: {Province: "12"}, e: {"14", "14001"}}
	if !maps.Equal(admin, want) {
		t.Fatalf("got %v\nwant %v", admin, want)
	}
}

// AdminFromPlaces: a hex's province and commune are those of the places
// (villages) of the largest weight, whatever its centre's province.
func TestAdminFromPlaces(t *testing.T) {
	const a, b, c, d, e = hexgrid.Cell(0x8840644835fffff), hexgrid.Cell(0x8840644823fffff), hexgrid.Cell(0x8840644825fffff), hexgrid.Cell(0x8840644953fffff), hexgrid.Cell(0x884064495dfffff)
	const f = hexgrid.Cell(0x8840644837fffff)
	admin := map[hexgrid.Cell]Admin{a: {Province: "12"}, b: {Province: "12"}, c: {Province: "12", Commune: "12009"}, d: {Province: "11", Commune: "11003"},
		f: {Province: "12", Commune: "12007"}}
	cells := []hexgrid.Cell{a, a, a, a, b, b, c, d, d, e, f}
	places := []PlaceAdmin{
		{Province: "12", Commune: "12001"}, {Province: "12", Commune: "12002"}, {Province: "12", Commune: "12001"}, // a: 12001 60+10 > 12002 50
		{Province: "14", Commune: "14002"},                                     // and a smaller 14: province 12 (120 > 20)
		{Province: "12", Commune: "12004"}, {Province: "12", Commune: "12003"}, // b: a tie, the lowest code
		{Province: "12"},                   // c: no commune named: keeps its own, same province
		{Province: "14", Commune: "14001"}, // d: centred in 11, its villages in 14: 14
		{Province: "14", Commune: "14005"},
		{Province: "15", Commune: "15001"}, // e: no admin of its own
		{},                                 // f: a place of no province: f keeps its own
	}
	weights := []float64{60, 50, 10, 20, 30, 30, 99, 5, 7, 3, 40}
	AdminFromPlaces(admin, cells, places, weights)
	want := map[hexgrid.Cell]Admin{a: {"12", "12001"}, b: {"12", "12003"}, c: {"12", "12009"}, d: {"14", "14005"}, e: {"15", "15001"}, f: {"12", "12007"}}
	if !maps.Equal(admin, want) {
		t.Fatalf("got %v\nwant %v", admin, want)
	}
}
