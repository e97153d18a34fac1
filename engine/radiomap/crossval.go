package radiomap

import (
	"math"
	"math/rand/v2"
	"slices"
)

// CVReport summarises a leave-one-out cross-validation of a map: each
// scored exact test is predicted from its neighbours without it, as a new
// test would read (posterior variance plus NuggetDB2 plus its NoiseDB²).
type CVReport struct {
	Tests  int     // exact tests scored
	RMSEDB float64 // root mean square of r_i − μ_i, dB
	// MeanZ and RMSZ are the mean and root mean square of the standardised
	// errors z_i = (r_i − μ_i)/σ_i: near 0 and 1 when the model and map
	// are calibrated; RMSZ above 1 means intervals too narrow, below 1 too
	// wide.
	MeanZ, RMSZ float64
	// Cover90 is the share of tests inside their 90% predictive interval
	// (|z| ≤ 1.6449).
	Cover90 float64
}

// CrossValidate scores the map by leave-one-out prediction of its exact
// tests: all of them when maxTests ≤ 0 or there are no more, else a
// seeded sample of maxTests. Censored tests condition the predictions but
// are not scored. The result is deterministic; the cost is that of one
// At per scored test.
func (m *Map) CrossValidate(maxTests int, seed uint64) (CVReport, error) {
	var idx []int32
	for i, c := range m.censor {
		if c == Exact {
			idx = append(idx, int32(i))
		}
	}
	if maxTests > 0 && maxTests < len(idx) {
		rng := rand.New(rand.NewPCG(seed, 0x63726f7373)) // "cross"
		for i := 0; i < maxTests; i++ {
			j := i + rng.IntN(len(idx)-i)
			idx[i], idx[j] = idx[j], idx[i]
		}
		idx = idx[:maxTests]
		slices.Sort(idx)
	}
	var rep CVReport
	if len(idx) == 0 {
		return rep, nil
	}
	ws := &workspace{}
	var post Posterior
	keys := make([]Key, 1)
	var sumE2, sumZ, sumZ2 float64
	in := 0
	for _, i := range idx {
		key := m.keys[m.keyID[i]]
		keys[0] = key
		post.Keys = append(post.Keys[:0], key)
		post.MeanDB = growZero(post.MeanDB, 1)
		post.Cov = growZero(post.Cov, 1)
		post.NearestM = math.Inf(1)
		if err := m.at(ws, m.pos[m.posID[i]], keys, &post, i); err != nil {
			return CVReport{}, err
		}
		e := m.resid[i] - post.MeanDB[0]
		sd := math.Sqrt(post.Cov[0] + m.model.NuggetDB2 + m.noise[i]*m.noise[i])
		z := e / sd
		sumE2 += e * e
		sumZ += z
		sumZ2 += z * z
		if math.Abs(z) <= 1.6449 {
			in++
		}
	}
	n := float64(len(idx))
	rep.Tests = len(idx)
	rep.RMSEDB = math.Sqrt(sumE2 / n)
	rep.MeanZ = sumZ / n
	rep.RMSZ = math.Sqrt(sumZ2 / n)
	rep.Cover90 = float64(in) / n
	return rep, nil
}
