package radiomap

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/optimize"

	"github.com/lomsong/lomsong/engine"
)

// ErrTooFewObs marks a fit without enough exact tests or pairs to
// estimate a semivariogram.
var ErrTooFewObs = errors.New("radiomap: too few observations to fit")

// FitOptions tune Fit. The zero value gives the defaults.
type FitOptions struct {
	// MaxPairs bounds the pairs of tests sampled. 0 means 200,000.
	MaxPairs int `json:"max_pairs"`
	// BinWidthM is the width of the distance bins in metres. 0 means
	// MaxDistM/50.
	BinWidthM float64 `json:"bin_width_m"`
	// MaxDistM is the largest pair distance used, in metres. 0 means 5000
	// (the default neighbourhood of Options).
	MaxDistM float64 `json:"max_dist_m"`
	// Seed seeds the pair sampling.
	Seed uint64 `json:"seed"`
}

// Defaults and limits of Fit.
const (
	DefaultMaxPairs = 200_000
	DefaultFitDistM = 5000.0
	defaultBins     = 50
	// MinFitObs is the fewest exact tests Fit accepts.
	MinFitObs = 30
	// MinBinPairs is the fewest pairs a bin needs to enter the fit.
	MinBinPairs = 30
	// maxAnchorShare: an anchor contributes at most MaxPairs/maxAnchorShare
	// pairs (10 of the default 200,000; at least 2; MaxPairs over the
	// exact tests when there are fewer), so the sample spreads over that
	// many anchors, every test of a province's month. Pairs of one anchor
	// share its residual: spread over about 600 anchors of up to a
	// thousand pairs each, the shared range fitted to five demo provinces
	// drawn from one generator (one true field model) ranged from 334 m
	// to 1,515 m; over every test, 304–350 m.
	maxAnchorShare = 20000
)

// Validate reports whether o is usable (zero fields take defaults). The
// error wraps engine.ErrInvalidConfig.
func (o FitOptions) Validate() error {
	if o.MaxPairs < 0 {
		return fmt.Errorf("radiomap: MaxPairs = %d, want ≥ 0: %w", o.MaxPairs, engine.ErrInvalidConfig)
	}
	if !(o.MaxDistM >= 0) || math.IsInf(o.MaxDistM, 1) {
		return fmt.Errorf("radiomap: fit MaxDistM = %v, want finite and ≥ 0: %w", o.MaxDistM, engine.ErrInvalidConfig)
	}
	if !(o.BinWidthM >= 0) || math.IsInf(o.BinWidthM, 1) {
		return fmt.Errorf("radiomap: BinWidthM = %v, want finite and ≥ 0: %w", o.BinWidthM, engine.ErrInvalidConfig)
	}
	d := o.MaxDistM
	if d == 0 {
		d = DefaultFitDistM
	}
	if o.BinWidthM > d {
		return fmt.Errorf("radiomap: BinWidthM = %v above MaxDistM = %v: %w", o.BinWidthM, d, engine.ErrInvalidConfig)
	}
	return nil
}

func (o FitOptions) withDefaults() FitOptions {
	if o.MaxPairs == 0 {
		o.MaxPairs = DefaultMaxPairs
	}
	if o.MaxDistM == 0 {
		o.MaxDistM = DefaultFitDistM
	}
	if o.BinWidthM == 0 {
		o.BinWidthM = o.MaxDistM / defaultBins
	}
	return o
}

// VariogramBin is one bin of an empirical semivariogram.
type VariogramBin struct {
	// SameKey: pairs of one key (semivariogram of r_k); otherwise pairs of
	// two keys (pseudo cross-semivariogram of residuals centred per key),
	// of one carrier (SameCarrier) or of two.
	SameKey     bool    `json:"same_key"`
	SameCarrier bool    `json:"same_carrier"`
	LoM         float64 `json:"lo_m"` // the bin's distance interval [LoM, HiM)
	HiM         float64 `json:"hi_m"`
	DistM       float64 `json:"dist_m"` // mean distance of its pairs
	// SemivarianceDB2 is the mean over pairs of ½(r_i − r_j)² − ½(τ_i² +
	// τ_j²), τ being each test's NoiseDB: the semivariance of tests with
	// the nugget alone.
	SemivarianceDB2 float64 `json:"semivariance_db2"`
	Pairs           int     `json:"pairs"`
	Used            bool    `json:"used"` // entered the fit (Pairs ≥ MinBinPairs)
}

// KeyMean is the mean exact residual of one key, the centre Fit takes
// off before cross-key pairs (a calibration bias shows here).
type KeyMean struct {
	Key    Key     `json:"key"`
	MeanDB float64 `json:"mean_db"`
	Tests  int     `json:"tests"`
}

// FitReport describes a fit for the outputs' metadata.
type FitReport struct {
	Options FitOptions     `json:"options"` // with defaults filled in
	Bins    []VariogramBin `json:"bins"`
	// Pairs sampled in all; of them, pairs of one key and of two keys.
	Pairs      int       `json:"pairs"`
	SamePairs  int       `json:"same_key_pairs"`
	CrossPairs int       `json:"cross_key_pairs"`
	Exact      int       `json:"exact"`    // tests used
	Censored   int       `json:"censored"` // censored tests (not used)
	Anchors    int       `json:"anchors"`  // tests whose neighbourhoods were sampled
	KeyMeans   []KeyMean `json:"key_means"`
	// SharedIdentified is false when no cross-key bin was usable: the
	// shared and own parts cannot be told apart and Fit attributes the
	// whole structured variance to the own part (no evidence moves
	// between keys), with SharedSillDB2 = 0.
	SharedIdentified bool `json:"shared_identified"`
	// CarrierIdentified is false when no bin of pairs of two technologies
	// of one carrier was usable: the carrier component is then left out
	// (CarrierSillDB2 = 0).
	CarrierIdentified bool  `json:"carrier_identified"`
	Model             Model `json:"model"`
	// Objective is the weighted sum of squares at the optimum,
	// Σ N_b·(γ̂_b/γ(h_b) − 1)².
	Objective float64 `json:"objective"`
}

// Fit estimates a Model from the Exact tests in obs (Upper tests are
// counted and ignored).
//
// Pairs: tests are taken as anchors in the order of a seeded hash of their
// place and key; each anchor pairs with the tests not yet visited within
// MaxDistM (at most MaxPairs over the exact tests, or over 20,000 when
// there are more, and at least 2: those of least pair hash, a seeded
// sample that a test added or taken out changes by that test alone, so
// the fit moves with the data instead of being drawn again; half of them
// from within MaxDistM/5 when there are enough there, since short lags
// are rare among all pairs and pin the nugget) until MaxPairs pairs are
// drawn. Which pairs are drawn depends on positions only, so each bin's
// mean stays an unbiased estimate of the semivariance at its distance. Cost: O(n log n) for the index plus the pairs and the
// neighbourhoods visited, bounded by MaxPairs in dense data.
//
// Semivariograms: each pair adds ½(r_i − r_j)² − ½(τ_i² + τ_j²) to its
// distance bin, of one key, of two technologies of one carrier, or of two
// carriers (residuals of two keys centred by their key's mean). The
// model's semivariograms (Model.SemivariogramRel) are
// γ_same(h) = N + S_s(1 − e^(−h/a_s)) + S_c(1 − e^(−h/a_c)) + S_o(1 − e^(−h/a_o)),
// γ_carrier(h) = N + S_o + S_s(1 − e^(−h/a_s)) + S_c(1 − e^(−h/a_c)) and
// γ_other(h) = N + S_o + S_c + S_s(1 − e^(−h/a_s)): the curve of two
// carriers rises only with the shared part, that of one carrier's two
// technologies with the shared and carrier parts, and their starting
// levels separate the parts. The cross-key forms assume every key has the
// same sills.
//
// Fit: weighted least squares with Cressie's (1985) weights,
// min Σ_b N_b·(γ̂_b/γ(h_b; θ) − 1)² over the bins with at least MinBinPairs
// pairs, by Nelder–Mead from several starts, sills and nugget in log
// scale, ranges between the shortest lag of a used bin (at least
// BinWidthM/10) and MaxDistM: a shorter range is indistinguishable from
// nugget, a longer one not identified by pairs at most MaxDistM apart.
// With fewer than two usable bins of two carriers the shared part is not
// identified (FitReport.SharedIdentified) and is left out; with fewer than
// two of one carrier's two technologies, likewise the carrier part
// (FitReport.CarrierIdentified); their variance then goes to the parts
// that remain.
//
// Errors: ErrTooFewObs with fewer than MinFitObs exact tests or fewer
// than 3 usable same-key bins; engine.ErrInvalidConfig for bad options;
// engine.ErrInvalidValue for a bad observation.
func Fit(obs []Obs, opt FitOptions) (Model, FitReport, error) {
	if err := opt.Validate(); err != nil {
		return Model{}, FitReport{}, err
	}
	opt = opt.withDefaults()
	if err := checkObs(obs); err != nil {
		return Model{}, FitReport{}, err
	}
	rep := FitReport{Options: opt}
	exact := 0
	for _, o := range obs {
		if o.Censor == Exact {
			exact++
		}
	}
	// The exact tests, as indices into obs: a copy of each (64 bytes)
	// would double a national month's tests while the pairs are sampled.
	ex := make([]int32, 0, exact)
	for i, o := range obs {
		if o.Censor == Exact {
			ex = append(ex, int32(i))
		} else {
			rep.Censored++
		}
	}
	rep.Exact = len(ex)
	if len(ex) < MinFitObs {
		return Model{}, rep, fmt.Errorf("%w: %d exact tests, need %d", ErrTooFewObs, len(ex), MinFitObs)
	}

	// Per-key means, for centring the cross-key pairs.
	keyIdx := map[Key]int{}
	for _, e := range ex {
		o := &obs[e]
		i, ok := keyIdx[o.Key]
		if !ok {
			i = len(rep.KeyMeans)
			keyIdx[o.Key] = i
			rep.KeyMeans = append(rep.KeyMeans, KeyMean{Key: o.Key})
		}
		rep.KeyMeans[i].MeanDB += o.ResidualDB
		rep.KeyMeans[i].Tests++
	}
	kid := make([]int32, len(ex))
	centred := make([]float64, len(ex))
	for i, e := range ex {
		kid[i] = int32(keyIdx[obs[e].Key])
	}
	for i := range rep.KeyMeans {
		rep.KeyMeans[i].MeanDB /= float64(rep.KeyMeans[i].Tests)
	}
	for i, e := range ex {
		centred[i] = obs[e].ResidualDB - rep.KeyMeans[kid[i]].MeanDB
	}
	slices.SortFunc(rep.KeyMeans, func(a, b KeyMean) int {
		return cmp.Or(cmp.Compare(a.Key.Carrier, b.Key.Carrier), cmp.Compare(a.Key.Tech, b.Key.Tech))
	})

	// Pair sampling.
	nb := int(math.Ceil(opt.MaxDistM / opt.BinWidthM))
	type acc struct {
		h, g float64
		n    int
	}
	same := make([]acc, nb)
	cross := make([]acc, nb)
	carrier := make([]acc, nb)
	pos := make([][3]float64, len(ex))
	for i, e := range ex {
		pos[i] = xyz(obs[e].Lon, obs[e].Lat)
	}
	tr := newTree(pos)
	// Anchors in the order of a seeded hash of each test's place and key
	// (ties: input order), and each anchor's pairs the candidates of
	// least pair hash: a test's place in the sample is its
	// own, not its index's, so tests added or taken out move only the
	// pairs they touch and the fit drifts with them instead of being
	// drawn again (a carrier's late dump of 43 tests, with a permutation
	// of the indices, moved the shared range from 1,529 m to 376 m and
	// the verdicts of villages 20 km away).
	hx := make([]uint64, len(ex))
	for i, e := range ex {
		hx[i] = testHash(&obs[e], opt.Seed)
	}
	order := make([]int32, len(ex))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return cmp.Or(cmp.Compare(hx[a], hx[b]), cmp.Compare(a, b)) })
	visited := make([]bool, len(ex))
	maxC2 := chord2Of(opt.MaxDistM)
	perAnchor := max(2, opt.MaxPairs/min(len(ex), maxAnchorShare))
	nearC2 := chord2Of(opt.MaxDistM / 5)
	var cand []int32
	var cd []float64
	var pick []picked
	for _, a := range order {
		if rep.Pairs >= opt.MaxPairs {
			break
		}
		visited[a] = true
		cand, cd = cand[:0], cd[:0]
		tr.within(pos[a], maxC2, func(j int32, c2 float64) {
			if !visited[j] {
				cand = append(cand, j)
				cd = append(cd, c2)
			}
		})
		if len(cand) == 0 {
			continue
		}
		rep.Anchors++
		// Near candidates (within MaxDistM/5) first: short lags, which
		// pin the nugget and the short ranges, are rare among all pairs.
		// Half the anchor's budget goes to them, the rest to far ones.
		nNear := 0
		for i := range cand {
			if cd[i] <= nearC2 {
				cand[i], cand[nNear] = cand[nNear], cand[i]
				cd[i], cd[nNear] = cd[nNear], cd[i]
				nNear++
			}
		}
		nFar := len(cand) - nNear
		budget := min(perAnchor, opt.MaxPairs-rep.Pairs)
		takeNear := min(nNear, max(budget/2, budget-nFar))
		takeFar := min(nFar, budget-takeNear)
		sample(hx, hx[a], cand[:nNear], cd[:nNear], takeNear, &pick)
		sample(hx, hx[a], cand[nNear:], cd[nNear:], takeFar, &pick)
		oa := &obs[ex[a]]
		ta := oa.NoiseDB * oa.NoiseDB
		for i := range cand {
			if i >= takeNear && i < nNear || i >= nNear+takeFar {
				continue
			}
			j := cand[i]
			h := arcM(cd[i])
			b := int(h / opt.BinWidthM)
			if b >= nb {
				continue // beyond MaxDistM by rounding
			}
			ob := &obs[ex[j]]
			noise := 0.5 * (ta + ob.NoiseDB*ob.NoiseDB)
			if kid[a] == kid[j] {
				d := oa.ResidualDB - ob.ResidualDB
				same[b].h += h
				same[b].g += 0.5*d*d - noise
				same[b].n++
				rep.SamePairs++
			} else {
				bins := cross
				if oa.Key.Carrier == ob.Key.Carrier {
					bins = carrier
				}
				d := centred[a] - centred[j]
				bins[b].h += h
				bins[b].g += 0.5*d*d - noise
				bins[b].n++
				rep.CrossPairs++
			}
			rep.Pairs++
		}
	}

	var usedSame, usedCross, usedCarrier int
	for _, class := range []Relation{SameKey, OtherCarrier, SameCarrier} {
		bins := map[Relation][]acc{SameKey: same, OtherCarrier: cross, SameCarrier: carrier}[class]
		for b, ac := range bins {
			if ac.n == 0 {
				continue
			}
			vb := VariogramBin{
				SameKey: class == SameKey, SameCarrier: class == SameCarrier,
				LoM: float64(b) * opt.BinWidthM, HiM: min(float64(b+1)*opt.BinWidthM, opt.MaxDistM),
				DistM: ac.h / float64(ac.n), SemivarianceDB2: ac.g / float64(ac.n), Pairs: ac.n,
				Used: ac.n >= MinBinPairs,
			}
			if vb.Used {
				switch class {
				case SameKey:
					usedSame++
				case OtherCarrier:
					usedCross++
				default:
					usedCarrier++
				}
			}
			rep.Bins = append(rep.Bins, vb)
		}
	}
	if usedSame < 3 {
		return Model{}, rep, fmt.Errorf("%w: %d same-key distance bins with %d pairs or more, need 3", ErrTooFewObs, usedSame, MinBinPairs)
	}
	rep.SharedIdentified = usedCross >= 2
	rep.CarrierIdentified = usedCarrier >= 2
	m, obj := fitWLS(rep.Bins, rep.SharedIdentified, rep.CarrierIdentified, opt)
	rep.Model, rep.Objective = m, obj
	return m, rep, nil
}

// relation is the key relation of a bin's pairs.
func (b VariogramBin) relation() Relation {
	switch {
	case b.SameKey:
		return SameKey
	case b.SameCarrier:
		return SameCarrier
	}
	return OtherCarrier
}

// fitWLS minimises the Cressie-weighted sum of squares over the used bins.
func fitWLS(bins []VariogramBin, shared, carrier bool, opt FitOptions) (Model, float64) {
	var used []VariogramBin
	plateau, first := 0.0, math.Inf(1)
	firstH := math.Inf(1)
	var plateauN int
	for _, b := range bins {
		if !b.Used {
			continue
		}
		used = append(used, b)
		if b.SameKey {
			if b.DistM < firstH {
				firstH, first = b.DistM, b.SemivarianceDB2
			}
			if b.DistM >= opt.MaxDistM/2 {
				plateau += b.SemivarianceDB2
				plateauN++
			}
		}
	}
	if plateauN == 0 { // all usable bins are short: take the largest
		for _, b := range used {
			if b.SameKey {
				plateau = max(plateau, b.SemivarianceDB2)
			}
		}
	} else {
		plateau /= float64(plateauN)
	}
	plateau = max(plateau, 1e-6)
	first = min(max(first, 0.01*plateau), plateau)

	// A range below the shortest lag seen looks like nugget; it is not
	// identified, and the lower bound keeps the fit from trading nugget for
	// such a range.
	shortest := math.Inf(1)
	for _, b := range used {
		shortest = min(shortest, b.DistM)
	}
	loA, hiA := math.Log(max(opt.BinWidthM/10, shortest)), math.Log(opt.MaxDistM)
	if loA >= hiA {
		loA = hiA - 1
	}
	rangeOf := func(p float64) float64 { return math.Exp(loA + (hiA-loA)/(1+math.Exp(-p))) }
	rangeParam := func(a float64) float64 {
		u := (math.Log(a) - loA) / (hiA - loA)
		u = min(max(u, 1e-6), 1-1e-6)
		return math.Log(u / (1 - u))
	}
	// Parameters, in order: the shared sill and range (when identified),
	// the carrier sill and range (when identified), the own sill and
	// range, the nugget; sills and nugget in log scale.
	model := func(x []float64) Model {
		var m Model
		i := 0
		if shared {
			m.SharedSillDB2, m.SharedRangeM = math.Exp(x[i]), rangeOf(x[i+1])
			i += 2
		}
		if carrier {
			m.CarrierSillDB2, m.CarrierRangeM = math.Exp(x[i]), rangeOf(x[i+1])
			i += 2
		}
		m.OwnSillDB2, m.OwnRangeM, m.NuggetDB2 = math.Exp(x[i]), rangeOf(x[i+1]), math.Exp(x[i+2])
		return m
	}
	obj := func(x []float64) float64 {
		m := model(x)
		s := 0.0
		for _, b := range used {
			g := m.SemivariogramRel(b.DistM, b.relation())
			r := b.SemivarianceDB2/g - 1
			s += float64(b.Pairs) * r * r
		}
		if math.IsNaN(s) {
			return math.Inf(1)
		}
		return s
	}

	// Starts: nugget a share of the first bin, structured variance split
	// between the components and ranges over a small grid (the carrier
	// and own parts starting shorter than the shared one).
	nug := max(0.5*first, 1e-3*plateau)
	structured := max(plateau-nug, 1e-3*plateau)
	var starts [][]float64
	for _, a := range []float64{opt.MaxDistM / 20, opt.MaxDistM / 6, opt.MaxDistM / 2} {
		for _, split := range []float64{0.3, 0.7} {
			for _, ratio := range []float64{0.5, 1} {
				if !shared && !carrier && (split != 0.3 || ratio != 1) {
					continue // one start per range
				}
				var x []float64
				rest := structured
				if shared {
					x = append(x, math.Log(split*rest), rangeParam(a))
					rest *= 1 - split
				}
				if carrier {
					x = append(x, math.Log(0.5*rest), rangeParam(ratio*a))
					rest *= 0.5
				}
				x = append(x, math.Log(rest), rangeParam(ratio*a), math.Log(nug))
				starts = append(starts, x)
			}
		}
	}
	best, bestF := starts[0], math.Inf(1)
	for _, x0 := range starts {
		// Two restarts from the optimum guard against Nelder–Mead's early
		// collapse of the simplex.
		x := x0
		for range 3 {
			res, err := optimize.Minimize(optimize.Problem{Func: obj}, x, &optimize.Settings{
				FuncEvaluations: 4000,
				Converger:       &optimize.FunctionConverge{Absolute: 1e-10, Relative: 1e-10, Iterations: 200},
			}, &optimize.NelderMead{})
			if res == nil || (err != nil && res.F >= obj(x)) {
				break
			}
			x = res.X
		}
		if f := obj(x); f < bestF {
			best, bestF = x, f
		}
	}
	return model(best), bestF
}

// picked is a candidate of an anchor's pairs with its pair hash.
type picked struct {
	h uint64
	j int32
	d float64
}

// sample writes the k candidates of least pair hash (pairHash of the
// anchor's hash ha and the candidate's) to the front, in that order,
// keeping cand and cd in step (the entries after them are not kept);
// buf is scratch. The choice depends on the tests' hashes alone: a
// candidate added to the list displaces at most one. Cost: one hash per candidate, and an insertion into the k kept
// for the few that beat the largest kept.
func sample(hx []uint64, ha uint64, cand []int32, cd []float64, k int, buf *[]picked) {
	if k >= len(cand) || k <= 0 {
		return
	}
	p := (*buf)[:0]
	for i, j := range cand {
		x := picked{pairHash(ha, hx[j]), j, cd[i]}
		if len(p) == k && !x.less(p[k-1]) {
			continue
		}
		if len(p) < k {
			p = append(p, x)
		} else {
			p[k-1] = x
		}
		for m := len(p) - 1; m > 0 && p[m].less(p[m-1]); m-- {
			p[m], p[m-1] = p[m-1], p[m]
		}
	}
	// The caller reads the first k alone: the others are left as they
	// are (some of them overwritten).
	for i, x := range p {
		cand[i], cd[i] = x.j, x.d
	}
	*buf = p
}

func (a picked) less(b picked) bool { return a.h < b.h || a.h == b.h && a.j < b.j }

// testHash is a seeded hash of a test's place and key (SplitMix64's
// finaliser over its coordinates' bits, carrier and technology).
func testHash(o *Obs, seed uint64) uint64 {
	h := mix64(seed ^ 0x7261646d6170) // "radmap"
	h = mix64(h ^ math.Float64bits(o.Lon))
	h = mix64(h ^ math.Float64bits(o.Lat))
	for i := 0; i < len(o.Key.Carrier); i++ {
		h = mix64(h ^ uint64(o.Key.Carrier[i]))
	}
	return mix64(h ^ uint64(o.Key.Tech)<<56)
}

// pairHash orders an anchor's candidates by their own hash and the
// anchor's.
func pairHash(ha, hb uint64) uint64 { return mix64(ha ^ mix64(hb+0x9e3779b97f4a7c15)) }

// mix64 is SplitMix64's finaliser (Steele, Lea and Flood 2014).
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
