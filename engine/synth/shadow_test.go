package synth

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// correlationAt estimates E[f(x)f(x+h)] at |h| = d over n random points of
// a 100 km square and random directions, for the field f.
func correlationAt(rng *rand.Rand, f func(x, y float64) float64, d float64, n int) float64 {
	var s float64
	for range n {
		x, y := 1e5*rng.Float64(), 1e5*rng.Float64()
		th := 2 * math.Pi * rng.Float64()
		s += f(x, y) * f(x+d*math.Cos(th), y+d*math.Sin(th))
	}
	return s / float64(n)
}

// TestGaussFieldCorrelation: the fields' correlation at distance d is
// exp(−d/dcorr), averaged over seeds (tolerance 0.03) and in a single
// field (0.1), and their marginal is standard normal.
func TestGaussFieldCorrelation(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, dc := range []float64{linkDecorrM, sharedDecorrM} {
		const seeds, n = 24, 2000
		for _, q := range []float64{0, 0.25, 0.5, 1, 2, 4} {
			d := q * dc
			want := math.Exp(-q)
			var avg float64
			for k := range seeds {
				f := newGaussField(newRand(uint64(k+1), "test"), dc)
				c := correlationAt(rng, f.at, d, n)
				if k == 0 && math.Abs(c-want) > 0.1 {
					t.Errorf("dcorr %g m, one field: correlation at %g m is %.3f, want %.3f ± 0.1", dc, d, c, want)
				}
				avg += c / seeds
			}
			if math.Abs(avg-want) > 0.03 {
				t.Errorf("dcorr %g m: correlation at %g m is %.3f over %d fields, want exp(−%g) = %.3f ± 0.03", dc, d, avg, seeds, q, want)
			}
		}
	}
	// Marginal of one field over space: mean 0, sd 1, normal tails.
	f := newGaussField(newRand(9, "test"), linkDecorrM)
	var s, s2 float64
	beyond := 0
	const n = 20000
	for range n {
		z := f.at(1e6*rng.Float64(), 1e6*rng.Float64())
		s += z
		s2 += z * z
		if math.Abs(z) > 1.96 {
			beyond++
		}
	}
	mean, sd := s/n, math.Sqrt(s2/n-(s/n)*(s/n))
	if math.Abs(mean) > 0.05 || math.Abs(sd-1) > 0.05 {
		t.Errorf("field mean %.3f sd %.3f, want 0 and 1", mean, sd)
	}
	if share := float64(beyond) / n; math.Abs(share-0.05) > 0.01 {
		t.Errorf("%.3f of values beyond ±1.96, want 0.05 ± 0.01", share)
	}
}

// TestShadowingShares: at one point, two carriers' shadowing correlate
// sharedShare, two technologies of one carrier sharedShare +
// (1−sharedShare)·carrierShare; each has unit variance; a seed gives the
// same shadowing every time.
func TestShadowingShares(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const seeds, n = 20, 2000
	var vv, ww, vw, vt float64
	for k := range seeds {
		sh := newShadowing(uint64(k+1), []engine.Carrier{engine.Viettel, engine.MobiFone})
		for range n {
			x, y := 1e5*rng.Float64(), 1e5*rng.Float64()
			zl := sh.shared.at(x, y)
			c1, c2 := math.NaN(), math.NaN()
			a := sh.z(x, y, zl, engine.Viettel, engine.Tech4G, &c1)
			b := sh.z(x, y, zl, engine.MobiFone, engine.Tech4G, &c2)
			c := sh.z(x, y, zl, engine.Viettel, engine.Tech3G, &c1)
			vv += a * a
			ww += b * b
			vw += a * b
			vt += a * c
		}
	}
	m := float64(seeds * n)
	if math.Abs(vv/m-1) > 0.05 || math.Abs(ww/m-1) > 0.05 {
		t.Errorf("variances %.3f %.3f, want 1", vv/m, ww/m)
	}
	if got := vw / m; math.Abs(got-sharedShare) > 0.05 {
		t.Errorf("carriers correlate %.3f, want %.2f", got, sharedShare)
	}
	if got, want := vt/m, sharedShare+(1-sharedShare)*carrierShare; math.Abs(got-want) > 0.05 {
		t.Errorf("technologies of a carrier correlate %.3f, want %.3f", got, want)
	}
	a, b := newShadowing(7, []engine.Carrier{engine.Viettel}), newShadowing(7, []engine.Carrier{engine.Viettel, engine.VinaPhone})
	z1, z2 := math.NaN(), math.NaN()
	if sa, sb := a.z(1234, -5678, a.shared.at(1234, -5678), engine.Viettel, engine.Tech4G, &z1),
		b.z(1234, -5678, b.shared.at(1234, -5678), engine.Viettel, engine.Tech4G, &z2); sa != sb {
		t.Errorf("same seed, other carriers: %g then %g", sa, sb)
	}
	c := newShadowing(8, []engine.Carrier{engine.Viettel})
	if a.shared.at(1234, -5678) == c.shared.at(1234, -5678) {
		t.Error("seed does not change the field")
	}
}

func TestProject(t *testing.T) {
	x, y := project(projLon0, projLat0)
	if math.Abs(x) > 1e-6 || math.Abs(y) > 1e-6 {
		t.Errorf("origin maps to %g, %g", x, y)
	}
	// One degree of latitude is 111.195 km on the mean sphere; one degree
	// of longitude at 21° N is 111.195·cos 21° = 103.810 km.
	_, y1 := project(projLon0, projLat0+1)
	if math.Abs(y1-111195) > 1 {
		t.Errorf("1° of latitude = %g m", y1)
	}
	xa, _ := project(105, 21)
	xb, _ := project(106, 21)
	if math.Abs(xb-xa-103810) > 5 {
		t.Errorf("1° of longitude at 21° N = %g m", xb-xa)
	}
}

func TestValleys(t *testing.T) {
	for _, c := range []struct{ q, want float64 }{{0, 1}, {0.6, 1}, {0.8, 0.5}, {0.9, 0.15625}, {1, 0}, {1.5, 0}} {
		if got := valleyProfile(c.q); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("valleyProfile(%g) = %g, want %g", c.q, got, c.want)
		}
	}
	sh := newShadowing(1, nil)
	found, cells := 0, 0
	for j := int64(-20); j < 20; j++ {
		for i := int64(-20); i < 20; i++ {
			cells++
			v, ok := sh.valleyAt(i, j)
			if !ok {
				continue
			}
			found++
			if v.depthDB < valleyMinDB || v.depthDB > valleyMaxDB || v.r < valleyMinRM || v.r > valleyMaxRM ||
				v.cx < float64(i)*valleySpacingM || v.cx >= float64(i+1)*valleySpacingM {
				t.Fatalf("valley %+v of cell %d,%d out of its ranges", v, i, j)
			}
			// The centre, seen from a site 20 km away: the full depth
			// (or a deeper overlapping valley's); from a site inside: no
			// loss from it.
			held := sh.valleysHolding(nil, v.cx, v.cy)
			if got := valleyLossDB(held, v.cx+20000, v.cy); got < v.depthDB {
				t.Fatalf("valley %+v: loss %g at its centre", v, got)
			}
			if got := valleyLossDB(held[:0:0], v.cx+20000, v.cy); got != 0 {
				t.Fatalf("no valley, loss %g", got)
			}
			// From a site inside it, valleyInsideShare of the loss.
			for _, o := range sh.valleysHolding(nil, v.cx+0.3*v.r, v.cy) {
				if o.cx == v.cx && o.cy == v.cy {
					if l := valleyLossDB([]valley{o}, v.cx-0.3*v.r, v.cy); math.Abs(l-valleyInsideShare*v.depthDB) > 1e-9 {
						t.Fatalf("valley %+v, site inside it: %g dB, want %g", v, l, valleyInsideShare*v.depthDB)
					}
					if l := valleyLossDB([]valley{o}, v.cx+v.r+10, v.cy); l != v.depthDB {
						t.Fatalf("valley %+v at 0.3 of its radius: %g dB, want the full depth", v, l)
					}
				}
			}
			v2, _ := sh.valleyAt(i, j)
			if v2 != v {
				t.Fatal("valleys are not deterministic")
			}
		}
	}
	if share := float64(found) / float64(cells); math.Abs(share-valleyProb) > 0.05 {
		t.Errorf("%.2f of lattice cells hold a valley, want %.2f", share, valleyProb)
	}
}

func TestCosTurns(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	worst := 0.0
	for i := range 200000 {
		var x float64
		switch i % 3 {
		case 0:
			x = rng.Float64()*2 - 1
		case 1:
			x = (rng.Float64()*2 - 1) * 1e4
		default:
			x = (rng.Float64()*2 - 1) * 1e7
		}
		worst = max(worst, math.Abs(cosTurns(x)-math.Cos(2*math.Pi*x)))
	}
	if worst > 1e-8 {
		t.Errorf("cosTurns differs from math.Cos by up to %g", worst)
	}
	for _, c := range []struct{ t, want float64 }{{0, 1}, {0.25, 0}, {0.5, -1}, {0.75, 0}, {1, 1}, {-0.5, -1}, {1.0 / 6, 0.5}, {1.0 / 3, -0.5}} {
		if got := cosTurns(c.t); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("cosTurns(%g) = %.12f, want %g", c.t, got, c.want)
		}
	}
}

func BenchmarkGaussField(b *testing.B) {
	f := newGaussField(newRand(1, "bench"), linkDecorrM)
	var s float64
	x := 0.0
	for b.Loop() {
		s += f.at(x, 12345)
		x += 37
	}
	_ = s
}

// TestValleysDarkenVillages: in the default (mountainous) world, villages
// deep in a valley are dead zones far more often than the others.
func TestValleysDarkenVillages(t *testing.T) {
	w := world(t)
	sh := newShadowing(w.Config.Seed, nil)
	var in, inDead, out, outDead int
	for i, v := range w.Villages {
		x, y := project(v.Lon, v.Lat)
		deep := false
		for _, o := range sh.valleysHolding(nil, x, y) {
			deep = deep || o.depthDB >= valleyMinDB
		}
		dead := w.Truth.Villages[i].DeadZone
		if deep {
			in++
			if dead {
				inDead++
			}
		} else {
			out++
			if dead {
				outDead++
			}
		}
	}
	pin, pout := float64(inDead)/float64(in), float64(outDead)/float64(out)
	t.Logf("dead zones: %d of %d villages deep in a valley (%.3f), %d of %d elsewhere (%.3f)", inDead, in, pin, outDead, out, pout)
	if in < 20 || pin < 2*pout {
		t.Errorf("valleys do not darken villages: %.3f of %d in valleys dead, %.3f elsewhere", pin, in, pout)
	}
}
