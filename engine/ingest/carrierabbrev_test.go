package ingest

import (
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// Operators' own short codes, as drive-test teams and their exports write
// the network (MBF, VNP beside VTL and VNMB), and a country code after the
// name ("VIETTEL VN") were kept as carriers of their own ("mbf", "vnp",
// "viettel-vn"), the operator's rows split in two in every table that
// reads them; they are the operator's now.
func TestCarrierShortCodes(t *testing.T) {
	var text = "ts,carrier,tech,lon,lat,signal_dbm\n"
	want := []engine.Carrier{engine.MobiFone, engine.VinaPhone, engine.Viettel, engine.Vietnamobile,
		engine.Viettel, engine.MobiFone, engine.VinaPhone, engine.Viettel}
	for i, c := range []string{"MBF", "VNP", "VTL", "VNMB", "VIETTEL VN", "MobiFone VN", "Vinaphone (VN)", "Viettel-VN"} {
		text += "2026-10-03T08:00:0" + string(rune('0'+i)) + "+07:00," + c + ",4G,105.85,21.03,-95\n"
	}
	rows, rejects, rep := readM(t, text, nil, nil)
	if len(rejects) != 0 || len(rows) != len(want) || len(rep.OtherCarriers) != 0 {
		t.Fatalf("rejects %+v, other carriers %v", rejects, rep.OtherCarriers)
	}
	for i, r := range rows {
		if r.Carrier != want[i] {
			t.Errorf("row %d: %q; want %q", i+1, r.Carrier, want[i])
		}
	}
}
