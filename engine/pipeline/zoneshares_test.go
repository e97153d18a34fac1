package pipeline

import (
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/deadzone"
)

// A zone's provinces and communes are written "CODE=SHARE …", largest
// share first. As "CODE:SHARE" GDAL read a GeoJSON of northern provinces
// (codes 01 to 22) or communes (00004) as a Time field: "12:1.00" became
// 12:01:00, and "01:0.60 12:0.40" 01:00:00, the second province lost.
// No value may hold a colon, which a time of day needs.
func TestZoneTableSharesAreNotTimes(t *testing.T) {
	zones := []deadzone.Zone{
		{ID: "DZ-1", Provinces: []deadzone.UnitShare{{Code: "01", Share: 0.6}, {Code: "12", Share: 0.4}},
			Communes: []deadzone.UnitShare{{Code: "00004", Share: 0.6}, {Code: "03478", Share: 0.4}}},
		{ID: "DZ-2", Provinces: []deadzone.UnitShare{{Code: "12", Share: 1}}, Communes: []deadzone.UnitShare{{Code: "00004", Share: 1}}},
		{ID: "DZ-3"}, // attributed to no unit: empty, not a zero share
	}
	want := map[string][]string{
		"provinces": {"01=0.60 12=0.40", "12=1.00", ""},
		"communes":  {"00004=0.60 03478=0.40", "00004=1.00", ""},
	}
	found := 0
	for _, c := range ZoneTable(zones, deadzone.VillageReport{}) {
		w, ok := want[c.Name]
		if !ok {
			continue
		}
		found++
		for i, v := range c.String {
			if v != w[i] {
				t.Errorf("zone %s: %s %q, want %q", zones[i].ID, c.Name, v, w[i])
			}
			if strings.Contains(v, ":") {
				t.Errorf("zone %s: %s %q holds a colon: GDAL may read it as a time of day", zones[i].ID, c.Name, v)
			}
		}
	}
	if found != len(want) {
		t.Fatalf("ZoneTable has %d of the columns provinces and communes", found)
	}
}
