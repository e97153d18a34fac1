package deadzone

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// Without bounds the Tobit estimate is the sample's mean and n-divided
// standard deviation.
func TestTobitUpperExact(t *testing.T) {
	x := []float64{1, 2, 3, 4, 10}
	mu, s := tobitUpper(x, make([]bool, len(x)))
	if mu != 4 || math.Abs(s-math.Sqrt(10)) > 1e-12 {
		t.Fatalf("tobitUpper = %g, %g; want 4, √10", mu, s)
	}
}

// With bounds, the EM's fixed point is the maximum of the Tobit
// log-likelihood Σ log φ((x−μ)/σ) − log σ + Σ log Φ((b−μ)/σ), found here
// by a fine grid search and a local refinement.
func TestTobitUpperMaximisesTheLikelihood(t *testing.T) {
	x := []float64{-3, -1.5, 0.2, 1, 2.5, -4, -4, -2}
	upper := []bool{false, false, false, false, false, true, true, true}
	ll := func(mu, s float64) float64 {
		v := 0.0
		for i, xi := range x {
			z := (xi - mu) / s
			if upper[i] {
				v += math.Log(0.5 * math.Erfc(-z/math.Sqrt2))
			} else {
				v += -0.5*z*z - math.Log(s)
			}
		}
		return v
	}
	bm, bs, best := 0.0, 0.0, math.Inf(-1)
	for mu := -6.0; mu <= 3; mu += 0.01 {
		for s := 0.5; s <= 6; s += 0.01 {
			if v := ll(mu, s); v > best {
				bm, bs, best = mu, s, v
			}
		}
	}
	for step := 0.005; step > 1e-7; step /= 2 {
		for _, d := range [][2]float64{{step, 0}, {-step, 0}, {0, step}, {0, -step}} {
			for ll(bm+d[0], bs+d[1]) > best {
				bm, bs = bm+d[0], bs+d[1]
				best = ll(bm, bs)
			}
		}
	}
	mu, s := tobitUpper(x, upper)
	if math.Abs(mu-bm) > 1e-4 || math.Abs(s-bs) > 1e-4 {
		t.Fatalf("tobitUpper = %.5f, %.5f; the likelihood's maximum is at %.5f, %.5f", mu, s, bm, bs)
	}
	if ll(mu, s) < best-1e-8 {
		t.Fatalf("log-likelihood %.9f at the estimate, %.9f at the maximum", ll(mu, s), best)
	}
}

// A sample of N(−12, 5²) whose values below −14 are known only as "≤ −14"
// (a third of it): the exact values' mean reads about −9.2, the Tobit
// estimate the truth.
func TestTobitUpperRecoversACensoredNormal(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 20000
	x, upper := make([]float64, n), make([]bool, n)
	var exact, ne float64
	for i := range x {
		v := -12 + 5*rng.NormFloat64()
		if v < -14 {
			x[i], upper[i] = -14, true
			continue
		}
		x[i] = v
		exact += v
		ne++
	}
	if m := exact / ne; m < -10 {
		t.Fatalf("exact values' mean %.2f: the sample is not censored enough to test", m)
	}
	mu, s := tobitUpper(x, upper)
	if math.Abs(mu+12) > 0.15 || math.Abs(s-5) > 0.15 {
		t.Fatalf("tobitUpper = %.3f, %.3f; want −12, 5", mu, s)
	}
}

// A world of places each with outdoor phone readings (± 3 dB about the
// place's level) and indoor ones 12 dB weaker (± 4 dB more between
// buildings), readings below the floor reported as bounds, indoors and
// out: the fit by place finds the loss, 12 dB, and its spread, 4 dB,
// where the unpaired medians — outdoor readings mostly at weak places,
// indoor survivors — read the loss low.
func TestIndoorLossPaired(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	base, err := hexgrid.Index(103.2, 22.4, IndoorPlaceRes)
	if err != nil {
		t.Fatal(err)
	}
	places, err := base.Disk(12)
	if err != nil {
		t.Fatal(err)
	}
	key := Key{Carrier: engine.Carrier("viettel"), Tech: engine.Tech4G}
	var rs []PlaceResidual
	var outAll, inExact []float64
	for i, c := range places {
		field := 8 * rng.NormFloat64()
		nOut := 1 + i%3
		if field < -5 {
			nOut = 4 // weak places measured outdoors more (a drive test's road)
		}
		for range nOut {
			r := field + 3*rng.NormFloat64()
			if r < -20 {
				rs = append(rs, PlaceResidual{Place: IndoorPlace{c, key}, ResidualDB: -20, Upper: true})
				continue
			}
			rs = append(rs, PlaceResidual{Place: IndoorPlace{c, key}, ResidualDB: r})
			outAll = append(outAll, r)
		}
		for range 2 {
			r := field - 12 + 4*rng.NormFloat64() + 3*rng.NormFloat64()
			if r < -20 {
				rs = append(rs, PlaceResidual{Place: IndoorPlace{c, key}, ResidualDB: -20, Indoor: true, Upper: true})
				continue
			}
			rs = append(rs, PlaceResidual{Place: IndoorPlace{c, key}, ResidualDB: r, Indoor: true})
			inExact = append(inExact, r)
		}
	}
	fit := IndoorLossPaired(rs)
	if !fit.Fitted || math.Abs(fit.LossDB-12) > 0.6 || fit.Censored == 0 || fit.Pairs > 2*len(places) || fit.Pairs < len(places) ||
		math.Abs(fit.SpreadDB-4) > 1 || math.Abs(fit.OutdoorSDDB-3) > 0.5 {
		t.Fatalf("paired fit %+v; want about 12 dB from up to %d pairs", fit, 2*len(places))
	}
	if naive := median(outAll) - median(inExact); naive > 10 {
		t.Fatalf("the unpaired medians read %.1f dB: the world does not show their bias", naive)
	}
	// Too few pairs: the default.
	if f := IndoorLossPaired(rs[:20]); f.Fitted || f.LossDB != DefaultIndoorLossDB {
		t.Fatalf("too few pairs: %+v", f)
	}
	// Indoor readings at places without outdoor ones pair with nothing.
	var lone []PlaceResidual
	for _, r := range rs {
		if r.Indoor {
			lone = append(lone, r)
		}
	}
	if f := IndoorLossPaired(lone); f.Fitted || f.Pairs != 0 {
		t.Fatalf("indoor readings alone: %+v", f)
	}
}

// median returns the median of v (mean of the middle two for even
// lengths) without modifying v.
func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// TestTobitGroupsLossKnownAnswers: with exact values only, the fit's M
// step is least squares in the levels and the loss. Each place with one
// outdoor and one indoor reading: the loss is the mean of the pairs'
// differences whatever the two spreads (m_g = (w_o·y_o + w_i·(y_i + L)) /
// (w_o + w_i) and L = mean(m_g − y_i) give L = mean(y_o − y_i)). With
// unbalanced places the estimates solve the normal equations: each level
// its group's weighted mean with the indoor readings raised by L, and L
// the indoor readings' mean shortfall from their levels.
func TestTobitGroupsLossKnownAnswers(t *testing.T) {
	pairs := [][2]float64{{-80, -95}, {-90, -99}, {-70, -91}, {-85, -96}, {-75, -88}}
	var obs []tobitObs
	want := 0.0
	for g, p := range pairs {
		obs = append(obs, tobitObs{group: int32(g), y: p[0]}, tobitObs{group: int32(g), y: p[1], indoor: true})
		want += (p[0] - p[1]) / float64(len(pairs))
	}
	if _, loss, _, _, _ := tobitGroups(obs, len(pairs), false, nil); math.Abs(loss-want) > 1e-9 {
		t.Errorf("paired places: loss %.12f, want the mean difference %.12f", loss, want)
	}
	// Unbalanced: 2 outdoor and 1 indoor, 1 and 3, 3 and 2.
	obs = []tobitObs{
		{group: 0, y: -80}, {group: 0, y: -84}, {group: 0, y: -97, indoor: true},
		{group: 1, y: -92}, {group: 1, y: -100, indoor: true}, {group: 1, y: -109, indoor: true}, {group: 1, y: -104, indoor: true},
		{group: 2, y: -70}, {group: 2, y: -75}, {group: 2, y: -73}, {group: 2, y: -90, indoor: true}, {group: 2, y: -81, indoor: true},
	}
	m, loss, so, si, _ := tobitGroups(obs, 3, false, nil)
	wo, wi := 1/(so*so), 1/(si*si)
	var d, k float64
	for g := range m {
		var wy, ws float64
		for _, o := range obs {
			if int(o.group) != g {
				continue
			}
			if o.indoor {
				wy, ws = wy+wi*(o.y+loss), ws+wi
				d, k = d+m[g]-o.y, k+1
			} else {
				wy, ws = wy+wo*o.y, ws+wo
			}
		}
		if math.Abs(m[g]-wy/ws) > 1e-9 {
			t.Errorf("level %d: %.12f, want its weighted mean %.12f", g, m[g], wy/ws)
		}
	}
	if math.Abs(loss-d/k) > 1e-9 {
		t.Errorf("loss %.12f, want the indoor readings' mean shortfall %.12f", loss, d/k)
	}
}

// BenchmarkTobitGroups: the indoor loss fit on 50,000 places of two
// outdoor and one or two indoor readings, a third of the indoor ones and
// a tenth of the outdoor ones censored at the reporting floor.
func BenchmarkTobitGroups(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 9))
	const places = 50000
	var obs []tobitObs
	for g := range places {
		level := -85 + 12*rng.NormFloat64()
		add := func(y float64, indoor bool) {
			upper := false
			if y < -115 {
				y, upper = -115, true
			}
			obs = append(obs, tobitObs{group: int32(g), y: y, indoor: indoor, upper: upper})
		}
		add(level+6*rng.NormFloat64(), false)
		obs = append(obs, tobitObs{group: int32(g), y: level + 6*rng.NormFloat64()}) // exact outdoor: every group holds one
		for range 1 + rng.IntN(2) {
			add(level-15+9*rng.NormFloat64(), true)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		tobitGroups(obs, places, true, nil)
	}
}
