package predict

import (
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// TestPrepareSameOnEveryWorkerCount: a register's sites prepared by
// workers of their own spans are those prepared on one, in the same
// places, with the same carriers, coefficients and lists of sites down,
// planned, rejected and clamped, whatever the spans' bounds cut
// through (a mast's sectors, a carrier's run, a rejected site).
func TestPrepareSameOnEveryWorkerCount(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 4))
	carriers := []engine.Carrier{engine.Viettel, engine.VinaPhone, engine.MobiFone, "vietnamobile", ""}
	sites := threeSectorMasts(rng, 6000, carriers[:3], func() (float64, float64) {
		return 102 + rng.Float64()*8, 9 + rng.Float64()*14
	}, 4, 60)
	for i := range sites {
		s := &sites[i]
		switch rng.IntN(30) {
		case 0:
			s.Status = engine.StatusDown
		case 1:
			s.Status = engine.StatusPlanned
		case 2:
			s.Tech = engine.Tech(9)
		case 3:
			s.Lat = math.NaN()
		case 4:
			s.Lon = 190
		case 5:
			s.BandMHz = []float64{100, 450, 5000, 40000, math.NaN()}[rng.IntN(5)]
		case 6:
			s.HeightM = []float64{3, 6, 500, math.NaN(), -1}[rng.IntN(5)]
		case 7:
			s.Carrier = carriers[rng.IntN(len(carriers))]
		case 8:
			s.EIRPDBm, s.BeamwidthDeg, s.TiltDeg = 50+rng.Float64()*10, 30+rng.Float64()*60, rng.Float64()*10
		}
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	defer func(s int) { prepareSpan = s }(prepareSpan)
	cfg := DefaultConfig()
	prepareSpan = len(sites) + 1
	wantRes := &Result{}
	wantPrep, wantCarriers, wantCoefs := prepare(sites, cfg, wantRes)
	if len(wantRes.Rejected) == 0 || len(wantRes.HeightClamped) == 0 || len(wantRes.BandClamped) == 0 || len(wantRes.Down) == 0 || len(wantRes.Planned) == 0 {
		t.Fatalf("the register does not exercise every list: %d rejected, %d height clamped, %d band clamped, %d down, %d planned",
			len(wantRes.Rejected), len(wantRes.HeightClamped), len(wantRes.BandClamped), len(wantRes.Down), len(wantRes.Planned))
	}
	bandErrors := 0
	for _, e := range wantRes.Rejected {
		if !sites[e.Site].Tech.Valid() || !finite(sites[e.Site].Lat) || math.Abs(sites[e.Site].Lon) > 180 {
			continue
		}
		bandErrors++
	}
	if bandErrors == 0 {
		t.Fatal("no site rejected for its band: the register does not exercise the models' refusals")
	}
	for _, span := range []int{1, 7, 64, 1000, 2999} {
		prepareSpan = span
		res := &Result{}
		prep, cs, coefs := prepare(sites, cfg, res)
		if !reflect.DeepEqual(prep, wantPrep) {
			t.Fatalf("span %d: %d sites prepared, want %d, or different", span, len(prep), len(wantPrep))
		}
		if !reflect.DeepEqual(cs, wantCarriers) || !reflect.DeepEqual(coefs, wantCoefs) {
			t.Fatalf("span %d: carriers %v coefs %d, want %v %d", span, cs, len(coefs), wantCarriers, len(wantCoefs))
		}
		if !reflect.DeepEqual(res, wantRes) {
			t.Fatalf("span %d: lists %+v, want %+v", span, res, wantRes)
		}
	}
}
