package synth

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// The truth's signals read back as written, to the file's 0.1 dB; bad
// rows are refused with their line.
func TestReadVillageSignalsCSV(t *testing.T) {
	tr := Truth{Signals: []VillageSignal{
		{VillageID: "V1", Carrier: engine.Viettel, Tech: "4G", SignalDBm: -97.26, SiteID: "VT-1", Covered: true},
		{VillageID: "V1", Carrier: engine.MobiFone, Tech: "3G", SignalDBm: -112.04, SiteID: "MF-9"},
		{VillageID: "V2", Carrier: engine.Viettel, Tech: "2G", SignalDBm: -0.01},
	}}
	var buf bytes.Buffer
	if err := WriteVillageSignalsCSV(&buf, &tr); err != nil {
		t.Fatal(err)
	}
	got, err := ReadVillageSignalsCSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(tr.Signals) {
		t.Fatalf("%d signals, want %d", len(got), len(tr.Signals))
	}
	for i, w := range tr.Signals {
		g := got[i]
		if g.VillageID != w.VillageID || g.Carrier != w.Carrier || g.Tech != w.Tech || g.SiteID != w.SiteID || g.Covered != w.Covered ||
			math.Abs(g.SignalDBm-w.SignalDBm) > 0.05+1e-9 {
			t.Errorf("signal %d: %+v, want %+v", i, g, w)
		}
	}
	for _, bad := range []string{
		"village_id,carrier,tech,signal_dbm,site_id,covered\nV1,viettel,4G,,VT-1,true\n",
		"village_id,carrier,tech,signal_dbm,site_id,covered\nV1,viettel,4G,-90,VT-1,maybe\n",
		"village_id,carrier,signal_dbm\nV1,viettel,-90\n",
		"",
	} {
		if _, err := ReadVillageSignalsCSV(strings.NewReader(bad)); !errors.Is(err, engine.ErrInvalidValue) {
			t.Errorf("%q: %v, want a refusal", bad, err)
		}
	}
}
