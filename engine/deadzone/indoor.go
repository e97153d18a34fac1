package deadzone

import (
	"math"

	"github.com/lomsong/lomsong/engine/hexgrid"
)

// IndoorPlace is where IndoorLossPaired pairs indoor readings with
// outdoor ones: a cell (of IndoorPlaceRes) and a carrier's technology.
type IndoorPlace struct {
	Cell hexgrid.Cell
	Key  Key
}

// IndoorPlaceRes is the H3 resolution of IndoorPlace cells: about 170 m
// across an edge, a place whose outdoor tests see the field an indoor
// test there sees, before the building (the shared shadowing decorrelates
// over 50–500 m, TR 38.901 Table 7.6.3.1-2 and Gudmundson 1991).
const IndoorPlaceRes = 9

// PlaceResidual is a phone's reading (or the mean of a few at one point)
// at a place, as a residual: the reading, or the bound when Upper, minus
// the calibrated prediction there.
type PlaceResidual struct {
	Place      IndoorPlace
	ResidualDB float64
	Indoor     bool
	Upper      bool // the reading is an upper bound (no service, at the floor)
}

// IndoorFit is what IndoorLossPaired found.
type IndoorFit struct {
	LossDB float64 // the building loss (DefaultIndoorLossDB when not Fitted)
	Fitted bool
	// Pairs is the number of indoor readings paired with their place's
	// outdoor readings, Censored how many of them were upper bounds;
	// SpreadDB the fitted σ of an indoor reading about its place's
	// outdoor mean less the loss (the loss's spread between buildings,
	// the field's variation within a place and both sides' noise).
	Pairs, Censored int
	SpreadDB        float64
}

// IndoorLossPaired fits the building penetration loss from phones'
// readings at places (IndoorPlace) that hold both an exact outdoor reading
// and an indoor reading or bound: reading = m_p − L·indoor + e, e ~ N(0,
// s²), with a level m_p per place, the loss L and the spread s estimated
// together by maximum likelihood, bounds (no service, the reporting floor)
// entering as censored values — a Tobit model with place effects, fitted
// by EM (Amemiya 1984: the E step replaces each bound by the moments of the
// normal truncated above at it, the M step is least squares). Only
// phones' readings should be given: a scanner on a road is not where
// phones are used.
//
// Why places and censoring: the medians of all outdoor and all indoor
// residuals compare different places (drive tests on valley roads, crowd
// tests in villages); indoor readings with service are the rooms where
// the signal survived the wall, and, at weak places, outdoor readings
// with service the spots where it was strongest — leaving the bounds out
// reads the loss low on the first count and high on the second.
//
// With fewer than MinIndoorPairs indoor readings at such places, or fewer
// than MinIndoorPairs/3 exact ones (bounds alone do not place a level), it
// returns DefaultIndoorLossDB, not fitted. The loss is floored at 0. rs is
// not modified.
func IndoorLossPaired(rs []PlaceResidual) IndoorFit {
	type place struct{ out, in bool }
	seen := map[IndoorPlace]place{}
	for _, r := range rs {
		p := seen[r.Place]
		if r.Indoor {
			p.in = true
		} else if !r.Upper {
			p.out = true
		}
		seen[r.Place] = p
	}
	idx := map[IndoorPlace]int32{}
	var obs []tobitObs
	fit := IndoorFit{LossDB: DefaultIndoorLossDB}
	for _, r := range rs {
		if p := seen[r.Place]; !p.out || !p.in {
			continue
		}
		k, ok := idx[r.Place]
		if !ok {
			k = int32(len(idx))
			idx[r.Place] = k
		}
		obs = append(obs, tobitObs{group: k, y: r.ResidualDB, indoor: r.Indoor, upper: r.Upper})
		if r.Indoor {
			fit.Pairs++
			if r.Upper {
				fit.Censored++
			}
		}
	}
	if fit.Pairs < MinIndoorPairs || fit.Pairs-fit.Censored < MinIndoorPairs/3 {
		return fit
	}
	_, l, s := tobitGroups(obs, len(idx))
	fit.LossDB, fit.SpreadDB, fit.Fitted = max(0, l), s, true
	return fit
}

// tobitObs is one observation of tobitGroups: a value (or an upper bound
// on it) of a group, indoor or not.
type tobitObs struct {
	group         int32
	y             float64
	indoor, upper bool
}

// tobitGroups fits y = m_g − L·indoor + e, e ~ N(0, s²), with y known only
// as an upper bound for the upper observations, by EM, and returns the
// levels m_g, L and s. Every group must hold an exact outdoor observation (its level is then
// bounded); the start is the exact observations' least squares. EM raises
// the likelihood at every step; it stops when L and s move less than
// 10⁻⁹ dB, or after 2,000 steps.
func tobitGroups(obs []tobitObs, groups int) (m []float64, loss, sigma float64) {
	m = make([]float64, groups)
	e := make([]float64, len(obs))  // E[y] given the current parameters
	e2 := make([]float64, len(obs)) // E[y²]
	for i, o := range obs {
		e[i], e2[i] = o.y, o.y*o.y
	}
	// The M step: least squares of the expected values, alternating the
	// levels and the loss (a few rounds settle them: the loss is one
	// number, each level a mean).
	sum := make([]float64, groups)
	n := make([]float64, groups)
	mstep := func(exactOnly bool) {
		for range 50 {
			clear(sum)
			clear(n)
			for i, o := range obs {
				if exactOnly && o.upper {
					continue
				}
				v := e[i]
				if o.indoor {
					v += loss
				}
				sum[o.group] += v
				n[o.group]++
			}
			for g := range m {
				m[g] = sum[g] / n[g]
			}
			var d float64
			var k int
			for i, o := range obs {
				if o.indoor && (!exactOnly || !o.upper) {
					d += m[o.group] - e[i]
					k++
				}
			}
			next := loss
			if k > 0 {
				next = d / float64(k)
			}
			done := math.Abs(next-loss) < 1e-12
			loss = next
			if done {
				break
			}
		}
		var ss float64
		var k int
		for i, o := range obs {
			if exactOnly && o.upper {
				continue
			}
			mu := m[o.group]
			if o.indoor {
				mu -= loss
			}
			ss += e2[i] - 2*e[i]*mu + mu*mu
			k++
		}
		sigma = math.Sqrt(max(ss/float64(k), 1e-6))
	}
	mstep(true)
	for range 2000 {
		for i, o := range obs {
			if !o.upper {
				continue
			}
			mu := m[o.group]
			if o.indoor {
				mu -= loss
			}
			a := (o.y - mu) / sigma
			l := millsUpper(a)
			e[i] = mu - sigma*l
			e2[i] = sigma*sigma*max(0, 1-a*l-l*l) + e[i]*e[i]
		}
		l0, s0, m0 := loss, sigma, m[0]
		mstep(false)
		if math.Abs(loss-l0) < 1e-9 && math.Abs(sigma-s0) < 1e-9 && math.Abs(m[0]-m0) < 1e-9 {
			break
		}
	}
	return m, loss, sigma
}

// TobitUpper returns the maximum-likelihood mean and standard deviation of
// a normal sample some of whose values are known only as upper bounds
// (upper[i]: the value is at most x[i]): tobitGroups with one group and no
// indoor observations. x must hold an exact value.
func TobitUpper(x []float64, upper []bool) (mu, sigma float64) {
	obs := make([]tobitObs, len(x))
	for i, v := range x {
		obs[i] = tobitObs{y: v, upper: upper[i]}
	}
	m, _, sigma := tobitGroups(obs, 1)
	return m[0], sigma
}

// millsUpper is φ(a)/Φ(a), the inverse Mills ratio of a normal truncated
// above at a standard score a; for a far below the mean, where Φ
// underflows, its asymptotic series −a − 1/a + 2/a³.
func millsUpper(a float64) float64 {
	if a < -30 {
		return -a - 1/a + 2/(a*a*a)
	}
	return math.Exp(-0.5*a*a) / math.Sqrt(2*math.Pi) / (0.5 * math.Erfc(-a/math.Sqrt2))
}
