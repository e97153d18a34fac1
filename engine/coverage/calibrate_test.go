package coverage

import (
	"math"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// histRow is a measured key whose outdoor tests have the given integer
// signals plus noService no-service tests.
func histRow(c hexgrid.Cell, carrier engine.Carrier, tech engine.Tech, signals []int, noService int64) aggregate.Row {
	r := aggregate.Row{Key: aggregate.Key{Cell: c, Carrier: carrier, Tech: tech}}
	lo, hi := signals[0], signals[0]
	for _, s := range signals {
		lo, hi = min(lo, s), max(hi, s)
	}
	hist := make([]uint32, hi-lo+1)
	for _, s := range signals {
		hist[s-lo]++
	}
	n := int64(len(signals))
	r.Outdoor = aggregate.Counts{Rows: n + noService, Tests: n + noService, Covered: n,
		BelowNoService: noService, NoServiceRows: noService}
	r.OutdoorSignal = aggregate.SignalStats{N: n, LoDBm: lo, Hist: hist}
	r.OutdoorSignal.P50DBm = r.OutdoorSignal.Quantile(0.5)
	return r
}

func TestMedianWithNoService(t *testing.T) {
	c := testCells(t, 1)[0]
	for _, tc := range []struct {
		name    string
		signals []int
		ns      int64
		want    float64
		ok      bool
	}{
		{"odd", []int{-90, -80, -100}, 0, -90, true},
		{"even takes lower", []int{-90, -80, -100, -70}, 0, -90, true},
		{"no-service ranks lowest", []int{-90, -80, -100, -70}, 2, -100, true},
		{"no-service shifts median", []int{-90, -80, -100}, 2, -100, true},
		{"censored", []int{-90, -80}, 3, math.NaN(), false},
		{"half no-service censored", []int{-90, -80}, 2, math.NaN(), false},
	} {
		r := histRow(c, engine.Viettel, engine.Tech4G, tc.signals, tc.ns)
		got, ok := MedianWithNoService(r)
		if ok != tc.ok {
			t.Errorf("%s: ok = %v", tc.name, ok)
		}
		near(t, tc.name, got, tc.want, 0)
	}
	if _, ok := MedianWithNoService(aggregate.Row{}); ok {
		t.Error("empty row has a median")
	}
}

// Two networks with known biases on noise-free synthetic data: Viettel 4G
// measures 6 dB below its prediction at every distance (the register
// over-predicts); MobiFone 3G measures 3 dB above at 1 km, with a slope
// of −10 dB per decade of distance.
func TestCalibrateRecoversOffset(t *testing.T) {
	cells := testCells(t, 19)
	var measured []aggregate.Row
	var predicted []PredictedCell
	for i := range 8 {
		c := cells[i]
		d := 300 * math.Pow(10, float64(i)/4) // 300 m … 10.7 km
		p := -80 - 3*i
		measured = append(measured, histRow(c, engine.Viettel, engine.Tech4G,
			[]int{p - 6 - 4, p - 6 - 1, p - 6, p - 6 + 2, p - 6 + 5}, 0))
		predicted = append(predicted, PredictedCell{Cell: c, Carrier: engine.Viettel, Tech: engine.Tech4G,
			SignalDBm: float64(p), SigmaDB: 8, ServingSite: "v", DistanceM: d})

		// MobiFone 3G: distance exactly 10^(2.5 + i/4) m, correction
		// +3 − 10·(log10 d − 3), integer when i is even.
		if i%2 == 0 {
			d3 := math.Pow(10, 2.5+float64(i)/4)
			corr := 3 - 10*(2.5+float64(i)/4-3)
			m := p + int(corr)
			measured = append(measured, histRow(c, engine.MobiFone, engine.Tech3G, []int{m - 1, m, m, m + 1, m + 3}, 0))
			predicted = append(predicted, PredictedCell{Cell: c, Carrier: engine.MobiFone, Tech: engine.Tech3G,
				SignalDBm: float64(p), SigmaDB: 8, ServingSite: "m", DistanceM: d3})
		}
	}
	// Left out: too few tests; censored median; measured without prediction.
	measured = append(measured,
		histRow(cells[10], engine.Viettel, engine.Tech4G, []int{-150, -150, -150, -150}, 0),
		histRow(cells[11], engine.Viettel, engine.Tech4G, []int{-150, -150}, 3),
		histRow(cells[12], engine.Viettel, engine.Tech4G, []int{-150, -150, -150, -150, -150}, 0),
	)
	predicted = append(predicted,
		PredictedCell{Cell: cells[10], Carrier: engine.Viettel, Tech: engine.Tech4G, SignalDBm: -60, DistanceM: 100},
		PredictedCell{Cell: cells[11], Carrier: engine.Viettel, Tech: engine.Tech4G, SignalDBm: -60, DistanceM: 100},
	)
	cals, err := Calibrate(measured, nil, predicted, DefaultConfig(), true, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(cals) != 2 || cals[0].Carrier != engine.MobiFone || cals[1].Carrier != engine.Viettel || cals[0].Evidence != EvidenceAll {
		t.Fatalf("calibrations %+v", cals)
	}
	mf, vt := cals[0], cals[1]
	if vt.N != 8 || vt.Censored != 1 || mf.N != 4 || mf.Censored != 0 {
		t.Errorf("pairs: viettel %d (censored %d), mobifone %d", vt.N, vt.Censored, mf.N)
	}
	near(t, "viettel bias", vt.BiasDB, -6, 1e-12)
	near(t, "viettel offset", vt.Fit.OffsetDB, -6, 1e-12)
	near(t, "viettel slope", vt.Fit.SlopeDB, 0, 1e-9)
	near(t, "viettel rmse before", vt.RMSEBeforeDB, 6, 1e-12)
	near(t, "viettel rmse after", vt.RMSEAfterDB, 0, 1e-9)
	near(t, "mobifone slope", mf.Fit.SlopeDB, -10, 1e-9)
	near(t, "mobifone rmse after", mf.RMSEAfterDB, 0, 1e-9)
	// At 1 km the correction is +3 dB.
	near(t, "mobifone at 1 km", mf.Fit.Apply(-90, 3), -87, 1e-9)

	// Applying the fits reproduces the measured medians.
	fixed := ApplyCalibration(predicted, cals, 3)
	for i, p := range fixed[:len(fixed)-2] {
		var want float64
		for _, r := range measured {
			if r.Key == p.key() {
				want, _ = MedianWithNoService(r)
			}
		}
		near(t, "corrected "+p.Cell.String(), p.SignalDBm, want, 1e-9)
		if p.SigmaDB == predicted[i].SigmaDB {
			t.Errorf("sigma not replaced by the residual sigma")
		}
	}
	if unchanged := ApplyCalibration(predicted, cals, 100); unchanged[0] != predicted[0] {
		t.Error("calibration with too few pairs applied")
	}
	sig := SigmaFromCalibration(cals, 3)
	if len(sig) != 2 {
		t.Errorf("sigmas %v", sig)
	}

	// Offset only: the distance is not needed.
	predicted[0].DistanceM = math.NaN()
	if _, err := Calibrate(measured, nil, predicted, DefaultConfig(), false, 3); err != nil {
		t.Errorf("offset only: %v", err)
	}
	if _, err := Calibrate(measured, nil, predicted, DefaultConfig(), true, 3); err == nil {
		t.Error("slope without distance: no error")
	}
}

// Tests whose technology the device chose read where the signal chose:
// phones' 3G 10 dB below the truth and 4G 4 dB above it, an instrument's
// readings 3 dB below the prediction everywhere. Where the instrument
// gives a network minPairs hexes, the fit is made on its readings alone;
// a network it misses keeps the fit on every test.
func TestCalibrateOnTestsThatDidNotChoose(t *testing.T) {
	cells := testCells(t, 19)
	var measured, notChosen []aggregate.Row
	var predicted []PredictedCell
	for i := range 6 {
		c := cells[i]
		p := -85 - 2*i
		for _, x := range []struct {
			tech  engine.Tech
			phone int
		}{{engine.Tech3G, -10}, {engine.Tech4G, +4}} {
			inst := p - 3
			// The key's statistics hold both; the instrument's are apart too.
			measured = append(measured, histRow(c, engine.Viettel, x.tech, []int{p + x.phone, p + x.phone, p + x.phone, p + x.phone, p + x.phone, inst, inst}, 0))
			notChosen = append(notChosen, histRow(c, engine.Viettel, x.tech, []int{inst, inst, inst, inst, inst}, 0))
			predicted = append(predicted, PredictedCell{Cell: c, Carrier: engine.Viettel, Tech: x.tech, SignalDBm: float64(p), SigmaDB: 8, DistanceM: 1000})
		}
		// MobiFone 4G: phones only.
		measured = append(measured, histRow(c, engine.MobiFone, engine.Tech4G, []int{p + 4, p + 4, p + 4, p + 4, p + 4}, 0))
		predicted = append(predicted, PredictedCell{Cell: c, Carrier: engine.MobiFone, Tech: engine.Tech4G, SignalDBm: float64(p), SigmaDB: 8, DistanceM: 1000})
	}
	cals, err := Calibrate(measured, notChosen, predicted, DefaultConfig(), false, 5)
	if err != nil {
		t.Fatal(err)
	}
	want := map[CarrierTech]struct {
		bias float64
		ev   string
	}{
		{engine.MobiFone, engine.Tech4G}: {+4, EvidenceAll},
		{engine.Viettel, engine.Tech3G}:  {-3, EvidenceNotChosen},
		{engine.Viettel, engine.Tech4G}:  {-3, EvidenceNotChosen},
	}
	if len(cals) != len(want) {
		t.Fatalf("%+v", cals)
	}
	for _, c := range cals {
		w := want[CarrierTech{c.Carrier, c.Tech}]
		if c.Evidence != w.ev || c.N != 6 || math.Abs(c.BiasDB-w.bias) > 1e-12 {
			t.Errorf("%s %s: evidence %s, %d hexes, bias %v; want %s, 6, %v", c.Carrier, c.Tech, c.Evidence, c.N, c.BiasDB, w.ev, w.bias)
		}
	}
	// Fewer instrument hexes than minPairs: every test.
	cals, err = Calibrate(measured, notChosen, predicted, DefaultConfig(), false, 7)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cals {
		if c.Evidence != EvidenceAll {
			t.Errorf("%s %s with 6 instrument hexes of 7 needed: evidence %s", c.Carrier, c.Tech, c.Evidence)
		}
	}
}

// A network whose every measured hex is censored (its median below the
// no-service level) has a calibration without pairs: no offset, and no σ
// (NaN, written null: the model's own), not a σ of 0 dB, which the
// calibrate table printed and the file carried.
func TestCalibrateCensoredOnlyHasNoSigma(t *testing.T) {
	c := testCells(t, 1)[0]
	measured := []aggregate.Row{histRow(c, engine.Viettel, engine.Tech4G, []int{-100, -101}, 5)}
	predicted := []PredictedCell{{Cell: c, Carrier: engine.Viettel, Tech: engine.Tech4G, SignalDBm: -80, SigmaDB: 8, DistanceM: 500}}
	cals, err := Calibrate(measured, nil, predicted, DefaultConfig(), false, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(cals) != 1 || cals[0].N != 0 || cals[0].Censored != 1 || cals[0].Applies(10) {
		t.Fatalf("calibrations %+v", cals)
	}
	if s := cals[0].Fit.SigmaDB; !math.IsNaN(s) {
		t.Errorf("σ of a fit without pairs = %g, want NaN", s)
	}
	if o := cals[0].Fit.OffsetDB; o != 0 {
		t.Errorf("offset of a fit without pairs = %g, want 0", o)
	}
}
