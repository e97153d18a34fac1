package radiomap

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// simField is one draw of the model at clustered points (drive-test-like:
// clusters of tests a few hundred metres across, scattered over a square),
// each test of one key.
type simField struct {
	obs    []Obs     // exact residuals, latent + nugget noise
	latent []float64 // noise-free residual s + u_k at each test
}

// simulate draws the residuals of n tests in clusters of size per over a
// square of sideM metres around 105°E, 21°N, keys assigned at random, by
// the Cholesky factor of the full covariance.
func simulate(t testing.TB, m Model, keys []Key, n, per int, sideM, clusterM float64, rng *rand.Rand) simField {
	t.Helper()
	const lon0, lat0 = 105.0, 21.0
	mPerDeg := EarthRadiusM * math.Pi / 180
	obs := make([]Obs, n)
	var cx, cy float64
	for i := range obs {
		if i%per == 0 {
			cx, cy = rng.Float64()*sideM, rng.Float64()*sideM
		}
		x := cx + (rng.Float64()-0.5)*clusterM
		y := cy + (rng.Float64()-0.5)*clusterM
		obs[i] = Obs{Lon: lon0 + x/(mPerDeg*math.Cos(lat0*math.Pi/180)), Lat: lat0 + y/mPerDeg, Key: keys[rng.IntN(len(keys))]}
	}
	f := drawLatent(t, m, obs, rng)
	sim := simField{obs: obs, latent: make([]float64, n)}
	for i := range obs {
		sim.latent[i] = f[i]
		obs[i].ResidualDB = sim.latent[i] + math.Sqrt(m.NuggetDB2)*rng.NormFloat64()
	}
	return sim
}

// rel is |got/want − 1|.
func rel(got, want float64) float64 { return math.Abs(got/want - 1) }

// drawLatent draws the noise-free residuals s + u_k at the rows' places
// and keys, jointly, by the Cholesky factor of their covariance.
func drawLatent(t testing.TB, m Model, rows []Obs, rng *rand.Rand) []float64 {
	t.Helper()
	n := len(rows)
	cov := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			d := DistanceM(rows[i].Lon, rows[i].Lat, rows[j].Lon, rows[j].Lat)
			c := m.CovRel(d, RelationOf(rows[i].Key, rows[j].Key))
			if i == j {
				c += 1e-9 * (m.SharedSillDB2 + m.CarrierSillDB2 + m.OwnSillDB2) // jitter for duplicates
			}
			cov.SetSym(i, j, c)
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(cov) {
		t.Fatal("simulation covariance not positive definite")
	}
	var l mat.TriDense
	ch.LTo(&l)
	z := mat.NewVecDense(n, nil)
	for i := 0; i < n; i++ {
		z.SetVec(i, rng.NormFloat64())
	}
	var f mat.VecDense
	f.MulVec(&l, z)
	out := make([]float64, n)
	for i := range out {
		out[i] = f.AtVec(i)
	}
	return out
}
