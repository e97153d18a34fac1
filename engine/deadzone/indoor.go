package deadzone

import (
	"context"
	"iter"
	"math"
	"slices"

	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/radiomap"
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

// PlaceResidual is a phone's reading at a place, as a residual: the
// reading, or the bound when Upper, minus the calibrated prediction there.
// The mean of a few readings at one point (one H3 cell of a few metres)
// counts as one: they share the point's field, which is most of a
// reading's spread about its place's level.
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
	// Pairs is the number of indoor readings at places with outdoor
	// ones, Censored how many of them were upper bounds. OutdoorSDDB and
	// IndoorSDDB are the fitted spreads of a reading about its place's
	// level (the field's variation within a place and a phone's noise;
	// indoors the building's too), SpreadDB the loss's spread between
	// buildings, √(IndoorSD² − OutdoorSD²) (0 when indoor readings vary no
	// more than outdoor ones).
	Pairs, Censored                   int
	OutdoorSDDB, IndoorSDDB, SpreadDB float64
}

// IndoorLossPaired fits the building penetration loss from phones'
// readings at places (IndoorPlace) that hold both an exact outdoor reading
// and an indoor reading or bound: reading = m_p − L·indoor + e, e ~ N(0,
// s_out²) outdoors and N(0, s_in²) indoors, with a level m_p per place,
// the loss L and the spreads estimated together (restricted maximum
// likelihood, tobitGroups); the loss's spread between buildings is
// √(s_in² − s_out²). Bounds (no service, the reporting floor) enter as
// censored values — a Tobit model with place effects, fitted by EM
// (Amemiya 1984: the E step replaces each bound by the moments of the
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
	return IndoorLossPairedSeq(slices.Values(rs))
}

// IndoorLossPairedSeq is IndoorLossPaired of the readings rs yields,
// which it ranges over twice (each time the same, in the same order):
// a caller holding its readings in another form need not copy them all
// into PlaceResiduals (48 bytes each, tens of millions for a national
// month).
func IndoorLossPairedSeq(rs iter.Seq[PlaceResidual]) IndoorFit {
	fit, _ := IndoorLossPairedContext(context.Background(), rs)
	return fit
}

// IndoorLossPairedContext is IndoorLossPairedSeq stopping with ctx's error
// once ctx is done (the fit returned is then not to be used): the EM
// steps over every paired reading up to 2,000 times, a minute and more
// for a province's month of millions of tests, and a cancelled run waited
// for it.
func IndoorLossPairedContext(ctx context.Context, rs iter.Seq[PlaceResidual]) (IndoorFit, error) {
	type place struct{ out, in bool }
	seen := map[IndoorPlace]place{}
	for r := range rs {
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
	for r := range rs {
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
	if err := ctx.Err(); err != nil {
		return fit, err
	}
	if fit.Pairs < MinIndoorPairs || fit.Pairs-fit.Censored < MinIndoorPairs/3 {
		return fit, nil
	}
	_, l, so, si, stopped := tobitGroups(obs, len(idx), true, ctx.Done())
	if stopped {
		return fit, ctx.Err()
	}
	fit.LossDB, fit.Fitted = max(0, l), true
	fit.OutdoorSDDB, fit.IndoorSDDB, fit.SpreadDB = so, si, math.Sqrt(max(0, si*si-so*so))
	return fit, nil
}

// tobitObs is one observation of tobitGroups: a value (or an upper bound
// on it) of a group, indoor or not.
type tobitObs struct {
	group         int32
	y             float64
	indoor, upper bool
}

// tobitGroups fits y = m_g − L·indoor + e, e ~ N(0, s_out²) outdoors and
// N(0, s_in²) indoors, with y known only as an upper bound for the upper
// observations, by EM, and returns the levels m_g, L, s_out and s_in.
// With reml false they are the maximum-likelihood estimates.
// Every group must hold an exact outdoor observation (its level is then
// bounded); the start is the exact observations' least squares. The M
// step is weighted least squares (weights 1/s²); with reml its variances
// are divided by their degrees of freedom — each group's level takes one,
// shared between its outdoor and indoor observations by their weight, and
// the loss one of the indoor ones (restricted maximum likelihood's
// correction: without it a place's one or two readings fit their own
// level and read the spread near 0). It stops when L and the spreads move less than 10⁻⁹
// dB, or after 2,000 steps. It stops early, with stopped set, once done
// is closed (nil: never).
func tobitGroups(obs []tobitObs, groups int, reml bool, done <-chan struct{}) (m []float64, loss, sOut, sIn float64, stopped bool) {
	isDone := func() bool {
		select {
		case <-done:
			stopped = true
		default:
		}
		return stopped
	}
	m = make([]float64, groups)
	e := make([]float64, len(obs))  // E[y] given the current parameters
	e2 := make([]float64, len(obs)) // E[y²]
	for i, o := range obs {
		e[i], e2[i] = o.y, o.y*o.y
	}
	sOut, sIn = 1, 1
	wsum := make([]float64, groups)
	wout := make([]float64, groups)
	wy := make([]float64, groups)
	nin := make([]float64, groups)
	mstep := func(exactOnly bool) {
		use := func(o tobitObs) bool { return !exactOnly || !o.upper }
		wo, wi := 1/(sOut*sOut), 1/(sIn*sIn)
		// Weighted least squares in m and L at fixed spreads: each level
		// is its group's weighted mean, the indoor values raised by L,
		// m_g(L) = A_g + B_g·L with A_g = Σ w·E[y] / Σ w and B_g =
		// w_in·n_in,g / Σ w; and L is the indoor values' mean shortfall
		// from their levels, L = (1/k)·Σ_in (m_g(L) − E[y]). Put together,
		// L = Σ_in (A_g − E[y]) / (k − Σ_in B_g): the fixed point that
		// alternating the two steps converges to, solved in one pass.
		// k − Σ_in B_g > 0 whenever a group holds an outdoor
		// observation (then B_g < 1).
		clear(wsum)
		clear(wout)
		clear(wy)
		clear(nin)
		var sumIn, k float64 // Σ_in E[y], the indoor observations used
		for i, o := range obs {
			if !use(o) {
				continue
			}
			if o.indoor {
				wsum[o.group] += wi
				wy[o.group] += wi * e[i]
				nin[o.group]++
				sumIn += e[i]
				k++
			} else {
				wsum[o.group] += wo
				wout[o.group] += wo
				wy[o.group] += wo * e[i]
			}
		}
		if k > 0 {
			var sumA, sumB float64
			for g := range m {
				if nin[g] > 0 {
					sumA += nin[g] * wy[g] / wsum[g]
					sumB += nin[g] * nin[g] * wi / wsum[g]
				}
			}
			loss = (sumA - sumIn) / (k - sumB)
		}
		for g := range m {
			m[g] = (wy[g] + wi*nin[g]*loss) / wsum[g]
		}
		var rssOut, rssIn, nOut, nIn float64
		for i, o := range obs {
			if !use(o) {
				continue
			}
			mu := m[o.group]
			r := e2[i] - 2*e[i]*mu + mu*mu
			if o.indoor {
				r = e2[i] - 2*e[i]*(mu-loss) + (mu-loss)*(mu-loss)
				rssIn += r
				nIn++
			} else {
				rssOut += r
				nOut++
			}
		}
		var dfOut, dfIn float64
		if reml {
			for g := range m {
				if wsum[g] > 0 {
					dfOut += wout[g] / wsum[g]
				}
			}
			dfIn = float64(groups) - dfOut + 1
		}
		sOut = math.Sqrt(max(rssOut/max(nOut-dfOut, 1), 1e-6))
		if nIn > 0 {
			sIn = math.Sqrt(max(rssIn/max(nIn-dfIn, 1), 1e-6))
		}
	}
	mstep(true)
	mstep(true) // again with the first spreads as weights
	for range 2000 {
		if isDone() {
			return
		}
		for i, o := range obs {
			if !o.upper {
				continue
			}
			mu, sd := m[o.group], sOut
			if o.indoor {
				mu, sd = mu-loss, sIn
			}
			a := (o.y - mu) / sd
			l := radiomap.MillsRatio(a)
			e[i] = mu - sd*l
			e2[i] = sd*sd*max(0, 1-a*l-l*l) + e[i]*e[i]
		}
		l0, o0, i0 := loss, sOut, sIn
		mstep(false)
		if math.Abs(loss-l0) < 1e-9 && math.Abs(sOut-o0) < 1e-9 && math.Abs(sIn-i0) < 1e-9 {
			break
		}
	}
	return m, loss, sOut, sIn, false
}

// tobitUpper returns the maximum-likelihood mean and standard deviation of
// a normal sample some of whose values are known only as upper bounds
// (upper[i]: the value is at most x[i]): tobitGroups with one group and no
// indoor observations. x must hold an exact value.
func tobitUpper(x []float64, upper []bool) (mu, sigma float64) {
	obs := make([]tobitObs, len(x))
	for i, v := range x {
		obs[i] = tobitObs{y: v, upper: upper[i]}
	}
	m, _, sigma, _, _ := tobitGroups(obs, 1, false, nil)
	return m[0], sigma
}
