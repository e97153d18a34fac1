package export

import (
	"testing"

	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/pipeline"
	"github.com/lomsong/lomsong/engine/population"
)

// A dead zone across two provinces and two communes carries them all in
// the deadzones layer (provinces, communes: "CODE=SHARE …" as
// deadzones.csv writes them), beside its largest province and commune;
// the layer (GeoPackage, GeoParquet, PostGIS) had the largest alone, so
// a zone 40% in another province counted for one.
func TestZoneLayerKeepsEveryUnit(t *testing.T) {
	a, _ := hexgrid.Index(103.30, 22.40, 8)
	dz := &pipeline.DeadZoneResult{
		Coverage:   &pipeline.CoverageResult{},
		Population: []population.Cell{{Cell: a, Households: 40}},
		Admin:      map[hexgrid.Cell]deadzone.Admin{a: {Province: "01", Commune: "00004"}},
		Zones: []deadzone.Zone{{ID: "DZ-" + a.String(), Cells: []hexgrid.Cell{a}, Households: 40, CellHouseholds: []float64{40},
			Provinces: []deadzone.UnitShare{{Code: "01", Share: 0.6}, {Code: "12", Share: 0.4}},
			Communes:  []deadzone.UnitShare{{Code: "00004", Share: 0.6}, {Code: "12001", Share: 0.4}}}},
		PDead: map[hexgrid.Cell]float64{a: 0.9},
	}
	m, err := Build(Input{DeadZones: dz, Meta: Meta{Resolution: 8}})
	if err != nil {
		t.Fatal(err)
	}
	layers, err := Layers(m)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, l := range layers {
		if l.Name != "deadzones" {
			continue
		}
		for _, f := range l.Fields {
			if f.Type == Text && len(f.Texts) == 1 {
				got[f.Name] = f.Texts[0]
			}
		}
	}
	want := map[string]string{"province_code": "01", "commune_code": "00004", "provinces": "01=0.60 12=0.40", "communes": "00004=0.60 12001=0.40"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("deadzones layer %s = %q, want %q", k, got[k], v)
		}
	}
}
