package deadzone

import (
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/lomsong/lomsong/geodata"
	"github.com/paulmach/orb"
)

// CheckCommunes counts what a commune set gave the places attributed with
// it: a set that gives none of the places in a province a commune is
// refused (NoCommuneGivenError, naming how many and their provinces), and
// the places of a province the set has no commune of are counted per
// province; a place outside every province is neither.
func TestCheckCommunes(t *testing.T) {
	provinces, communes := nestedSets(t)
	other, err := geodata.NewBoundarySet("c", "commune", []geodata.Unit{
		{Code: "09001", Name: "Xã Chín", ParentCode: "09", Geometry: rect(106.0, 21.0, 106.1, 21.1)},
	})
	if err != nil {
		t.Fatal(err)
	}
	places := []Place{{Point: orb.Point{105.02, 21.05}}, {Point: orb.Point{105.15, 21.05}}, {Point: orb.Point{107.5, 21.05}}}
	for _, tc := range []struct {
		name     string
		communes *geodata.BoundarySet
		given    int
		unheld   map[string]int
		refused  bool
	}{
		{"the provinces' communes", communes, 2, nil, false},
		{"another province's communes", other, 0, map[string]int{"01": 1, "02": 1}, true},
	} {
		admins, err := AttributePlaces(provinces, tc.communes, places)
		if err != nil {
			t.Fatal(err)
		}
		g := CheckCommunes(admins, tc.communes)
		if g.Located != 2 || g.Given != tc.given || !slices.Equal(g.Provinces, []string{"01", "02"}) || !maps.Equal(g.Unheld, tc.unheld) {
			t.Errorf("%s: %+v, want 2 located, %d given, provinces 01 02, unheld %v", tc.name, g, tc.given, tc.unheld)
		}
		var none *NoCommuneGivenError
		if got := errors.As(g.Err(), &none); got != tc.refused {
			t.Errorf("%s: refused %v, want %v (%v)", tc.name, got, tc.refused, g.Err())
		}
		if tc.refused {
			want := "gives none of the 2 villages a commune: none of its communes holds one of them (their provinces: 01, 02); give the communes of those provinces"
			if none.Error() != want {
				t.Errorf("%s: %q, want %q", tc.name, none.Error(), want)
			}
		}
	}
	if g := CheckCommunes([]PlaceAdmin{{Province: "01"}}, nil); g.Located != 0 || g.Err() != nil {
		t.Errorf("without a commune set: %+v, %v", g, g.Err())
	}
}
