package pipeline

import (
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/predict"
	"github.com/lomsong/lomsong/geodata"
	"github.com/paulmach/orb"
)

// TestReportOffAir: masts ordered by P(off) then tests, placed in their
// province, filtered to one province when asked, capped with a count.
func TestReportOffAir(t *testing.T) {
	set, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	laiChau := orb.Point{103.4589, 22.3864} // Lai Châu town
	hanoi := orb.Point{105.8342, 21.0278}
	masts := []predict.OffAirMast{
		{Carrier: engine.Viettel, SiteIDs: []string{"A", "A2"}, Lon: laiChau[0], Lat: laiChau[1], Observations: 5, POff: 0.9},
		{Carrier: engine.MobiFone, SiteIDs: []string{"B"}, Lon: hanoi[0], Lat: hanoi[1], Observations: 9, POff: 0.99},
		{Carrier: engine.VinaPhone, SiteIDs: []string{"C"}, Lon: laiChau[0], Lat: laiChau[1], Observations: 20, POff: 0.9},
	}
	rows, more := ReportOffAir(masts, set, "", 2)
	if more != 1 || len(rows) != 2 || rows[0].Mast != "B" || rows[1].Mast != "C" || rows[0].Area == "" || rows[0].Area == rows[1].Area {
		t.Fatalf("rows %+v, %d more", rows, more)
	}
	lc := rows[1].Area
	rows, more = ReportOffAir(masts, set, lc, 10)
	if more != 0 || len(rows) != 2 || rows[0].Mast != "C" || rows[1].Mast != "A" || rows[1].Sectors != 2 {
		t.Fatalf("province %s: rows %+v, %d more", lc, rows, more)
	}
}
