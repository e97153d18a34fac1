//go:build unix

package predict

import (
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
)

// countryWorld returns a register of nSectors sector rows over Viet Nam's
// extent (8.5–23.5° N, 102–110° E), three sectors a mast, masts clustered
// in 400 towns but for one in four spread evenly, heights 25–40 m as the
// demo's register has, and nPts points in rows of about 2 km (see
// rowOrder), two in three near towns, half of them blending into the next
// environment class (Points.EnvFrac): the shape of the country demo's
// calibration search, about 620,000 sectors for 100,000 measured hexes.
func countryWorld(seed uint64, nSectors, nPts int) ([]engine.Site, Points) {
	rng := rand.New(rand.NewPCG(seed, 3))
	carriers := []engine.Carrier{engine.Viettel, engine.VinaPhone, engine.MobiFone, engine.Vietnamobile}
	towns := make([][2]float64, 400)
	for i := range towns {
		towns[i] = [2]float64{102 + rng.Float64()*8, 8.5 + rng.Float64()*15}
	}
	place := func(spread float64) (float64, float64) {
		if rng.IntN(4) > 0 {
			c := towns[rng.IntN(len(towns))]
			return c[0] + rng.NormFloat64()*spread, c[1] + rng.NormFloat64()*spread
		}
		return 102 + rng.Float64()*8, 8.5 + rng.Float64()*15
	}
	sites := threeSectorMasts(rng, nSectors, carriers, func() (float64, float64) { return place(0.05) }, 25, 16)
	pts := Points{Lon: make([]float64, nPts), Lat: make([]float64, nPts), Env: make([]Env, nPts)}
	for i := range nPts {
		pts.Lon[i], pts.Lat[i] = place(0.08)
		pts.Env[i] = Env(rng.IntN(4))
	}
	pts = rowOrder(pts, 0.02)
	pts.EnvFrac = make([]float64, nPts)
	for i := range nPts {
		if pts.Env[i] != EnvDenseUrban && rng.IntN(2) == 0 {
			pts.EnvFrac[i] = rng.Float64()
		}
	}
	return sites, pts
}

// BenchmarkBestServerCountry is the pruned search at the country demo's
// calibration shape (countryWorld: 620,000 sector rows, 100,000 points),
// the register prepared and indexed in each operation as BestServer
// does. evals/op is the signals computed; cpu-ns/op the process's user
// and system CPU time per operation, which other jobs on the machine
// change less than ns/op, the wall time.
func BenchmarkBestServerCountry(b *testing.B) {
	sites, pts := countryWorld(1, 620000, 100000)
	cfg := DefaultConfig()
	b.ReportAllocs()
	var evals int64
	cpu0 := processCPU(b)
	for b.Loop() {
		r, err := BestServer(sites, pts, cfg)
		if err != nil {
			b.Fatal(err)
		}
		evals += r.Evaluations
	}
	b.ReportMetric(float64(evals)/float64(b.N), "evals/op")
	b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
}

// processCPU returns the process's user and system CPU time so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPrepareCountry is the search's preparation of the country
// register (countryWorld's 620,000 sector rows): the sites' bands and
// heights, their models and the prepared sites written, as each
// BestServer call does before its points. cpu-ns/op as in
// BenchmarkBestServerCountry.
func BenchmarkPrepareCountry(b *testing.B) {
	sites, _ := countryWorld(1, 620000, 1)
	cfg := DefaultConfig()
	b.ReportAllocs()
	cpu0 := processCPU(b)
	for b.Loop() {
		prep, _, _ := prepare(sites, cfg, &Result{})
		if len(prep) == 0 {
			b.Fatal("no site prepared")
		}
	}
	b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
}
