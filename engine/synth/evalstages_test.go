package synth

import (
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

func TestEvaluatePenetrationByHand(t *testing.T) {
	table := "area,period,national,smartphone_value,smartphone_lower,smartphone_upper,fibre_value,fibre_lower,fibre_upper,2g_only_value,2g_only_lower,2g_only_upper\n" +
		"12,2024-09,false,0.60,0.55,0.65,0.80,0.80,0.80,0.05,0.04,0.06\n" +
		"12,2024-10,false,0.70,0.68,0.69,0.82,0.82,0.82,,,\n" + // 2G-only unknown
		"VN,2024-10,true,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1\n" + // national: skipped
		"99,2024-10,false,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1\n" // not in the truth
	truth := []Penetration{
		{AreaCode: "12", Period: "2024-09", HouseholdSmartphoneShare: 0.62, FiberShare: 0.80, Only2GShare: 0.07},
		{AreaCode: "12", Period: "2024-10", HouseholdSmartphoneShare: 0.66, FiberShare: 0.81, Only2GShare: 0.05},
		{AreaCode: "VN", Period: "2024-10"},
	}
	ev, err := EvaluatePenetration(strings.NewReader(table), truth)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		n             int
		mae, coverage float64
	}{
		{2, 0.03, 0.5},  // |0.60−0.62|, |0.70−0.66|; 0.62 in [0.55, 0.65], 0.66 not in [0.68, 0.69]
		{2, 0.005, 0.5}, // 0, 0.01; 0.80 in [0.80, 0.80], 0.81 not in [0.82, 0.82]
		{1, 0.02, 0},    // |0.05−0.07|; 0.07 not in [0.04, 0.06]
	}
	if len(ev) != 3 {
		t.Fatalf("%d targets", len(ev))
	}
	for i, w := range want {
		if ev[i].N != w.n || math.Abs(ev[i].MAE-w.mae) > 1e-12 || ev[i].Coverage != w.coverage {
			t.Errorf("%s: %+v, want n %d MAE %g coverage %g", ev[i].Target, ev[i], w.n, w.mae, w.coverage)
		}
	}
	if _, err := EvaluatePenetration(strings.NewReader("area,period\n12,2024-09\n"), truth); !errors.Is(err, engine.ErrInvalidValue) {
		t.Errorf("missing columns: %v", err)
	}
}

func TestEvaluateSignalsByHand(t *testing.T) {
	villages := "village_id,cell\nV1,c1\nV2,c2\n"
	const head = "cell,carrier,tech,predicted_dbm,median_dbm,source\n"
	coverage := map[string]io.Reader{
		"a": strings.NewReader(head + "c1,viettel,4G,-90,-95,measured\nc2,viettel,4G,-100,,predicted\nc2,viettel,3G,-100,,predicted\n"),
		// Only the first table's measured medians count.
		"b": strings.NewReader(head + "c1,viettel,4G,-88,,predicted\nc2,viettel,4G,-106,-50,measured\n"),
	}
	truth := []VillageSignal{
		{VillageID: "V1", Carrier: engine.Viettel, Tech: "4G", SignalDBm: -92},
		{VillageID: "V2", Carrier: engine.Viettel, Tech: "4G", SignalDBm: -104},
		{VillageID: "V3", Carrier: engine.Viettel, Tech: "4G", SignalDBm: -80},   // no village row
		{VillageID: "V1", Carrier: engine.MobiFone, Tech: "4G", SignalDBm: -100}, // no estimate
		{VillageID: "V2", Carrier: engine.Viettel, Tech: "3G", SignalDBm: -99},   // another technology, apart
	}
	ev, err := EvaluateSignals(strings.NewReader(villages), coverage, truth)
	if err != nil {
		t.Fatal(err)
	}
	want := []SignalEvaluation{
		{Estimate: "a", Carrier: "viettel", Tech: "3G", N: 1, BiasDB: -1, RMSEDB: 1},
		{Estimate: "a", Carrier: "viettel", Tech: "4G", N: 2, BiasDB: 3, RMSEDB: math.Sqrt(10)},    // +2, +4
		{Estimate: "b", Carrier: "viettel", Tech: "4G", N: 2, BiasDB: 1, RMSEDB: math.Sqrt(10)},    // +4, −2
		{Estimate: "measured median", Carrier: "viettel", Tech: "4G", N: 1, BiasDB: -3, RMSEDB: 3}, // −95 − (−92)
	}
	if len(ev) != len(want) {
		t.Fatalf("%+v", ev)
	}
	for i, w := range want {
		g := ev[i]
		if g.Estimate != w.Estimate || g.Carrier != w.Carrier || g.Tech != w.Tech || g.N != w.N || math.Abs(g.BiasDB-w.BiasDB) > 1e-12 || math.Abs(g.RMSEDB-w.RMSEDB) > 1e-12 {
			t.Errorf("%d: %+v, want %+v", i, g, w)
		}
	}
	if _, err := EvaluateSignals(strings.NewReader("village_id\nV1\n"), nil, truth); !errors.Is(err, engine.ErrInvalidValue) {
		t.Errorf("missing cell column: %v", err)
	}
}
