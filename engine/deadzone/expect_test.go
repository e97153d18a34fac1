package deadzone

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// village returns a village decided by its own verdict P(dead) p at cut.
func expectVillage(id, province string, p, households, cut float64) VillageStatus {
	v := VillageStatus{Village: Village{ID: id, Households: households}, Province: province, HasVerdict: true, Verdict: Verdict{PDead: p}}
	v.Level = Covered
	if p >= cut {
		v.Level = NoSignal
	}
	return v
}

func TestExpectListKnownAnswer(t *testing.T) {
	vs := []VillageStatus{
		expectVillage("a", "01", 0.9, 100, 0.5),
		expectVillage("b", "01", 0.6, 50, 0.5),
		expectVillage("c", "02", 0.3, 10, 0.5),
		expectVillage("d", "02", 0.1, 200, 0.5),
		// Decided by its hexes: counted, no expectation.
		{Village: Village{ID: "e", Households: 40}, Province: "02", Level: Only2G},
		{Village: Village{ID: "f", Households: 40}, Level: Covered},
	}
	e := ExpectList(vs)
	want := ListExpectation{Villages: 6, WithPDead: 4, Listed: 2, ListedByHexes: 1,
		ExpectedDead: 1.9, ExpectedDeadListed: 1.5, HouseholdsListed: 150,
		ExpectedHouseholdsDead: 90 + 30 + 3 + 20, ExpectedHouseholdsDeadListed: 120}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
	if e.Villages != want.Villages || e.WithPDead != want.WithPDead || e.Listed != want.Listed || e.ListedByHexes != want.ListedByHexes ||
		!near(e.ExpectedDead, want.ExpectedDead) || !near(e.ExpectedDeadListed, want.ExpectedDeadListed) || !near(e.HouseholdsListed, want.HouseholdsListed) ||
		!near(e.ExpectedHouseholdsDead, want.ExpectedHouseholdsDead) || !near(e.ExpectedHouseholdsDeadListed, want.ExpectedHouseholdsDeadListed) {
		t.Fatalf("ExpectList = %+v, want %+v", e, want)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"missed", e.ExpectedMissed(), 0.4},
		{"households missed", e.ExpectedHouseholdsMissed(), 23},
		{"precision", e.Precision(), 0.75},
		{"recall", e.Recall(), 1.5 / 1.9},
		{"F1", e.F1(), 3 / 3.9},
	} {
		if !near(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	by := ExpectByProvince(vs)
	if len(by) != 3 || by[0].Code != "" || by[1].Code != "01" || by[2].Code != "02" {
		t.Fatalf("ExpectByProvince codes: %+v", by)
	}
	if by[1].Listed != 2 || !near(by[1].ExpectedDead, 1.5) || by[2].ListedByHexes != 1 || by[2].Listed != 0 || !near(by[2].ExpectedDead, 0.4) || by[0].Villages != 1 || by[0].WithPDead != 0 {
		t.Errorf("ExpectByProvince = %+v", by)
	}
	// Nothing listed, nothing expected: no precision, recall or F1 (not 0
	// or 1).
	none := ExpectList([]VillageStatus{expectVillage("z", "01", 0, 10, 0.5)})
	if !math.IsNaN(none.Precision()) || !math.IsNaN(none.Recall()) || !math.IsNaN(none.F1()) || none.ExpectedMissed() != 0 {
		t.Errorf("empty list: precision %v recall %v F1 %v missed %v, want NaN, NaN, NaN, 0", none.Precision(), none.Recall(), none.F1(), none.ExpectedMissed())
	}
}

// TestExpectListAgainstSimulatedTruth draws the villages' truth from their
// P(dead) many times — independently, and correlated through a shared
// Gaussian component as neighbouring villages' shadowing is — and checks
// the expectations against the simulated means: E[TP], E[dead] and the
// precision exactly (within sampling error) in both cases; recall and F1,
// ratios of expectations, within 0.02 of the mean ratio for a list of
// about 25 expected dead villages.
func TestExpectListAgainstSimulatedTruth(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	const n = 400
	var vs []VillageStatus
	for i := range n {
		// Most villages served beyond doubt, a band uncertain, a few dead.
		var p float64
		switch u := rng.Float64(); {
		case u < 0.88:
			p = 0.02 * rng.Float64()
		case u < 0.97:
			p = 0.05 + 0.7*rng.Float64()
		default:
			p = 0.8 + 0.2*rng.Float64()
		}
		vs = append(vs, expectVillage(string(rune('A'+i%26))+string(rune('a'+i/26)), "01", p, 50, 0.5))
	}
	e := ExpectList(vs)
	if e.ExpectedDead < 15 || e.ExpectedDead > 40 {
		t.Fatalf("test set expects %.1f dead villages; want about 25", e.ExpectedDead)
	}
	norm := distuv.UnitNormal
	for _, rho := range []float64{0, 0.6} {
		const draws = 20000
		var sumTP, sumDead, sumPrec, sumRec, sumF1 float64
		var nRec int
		for range draws {
			// Village i is dead when √ρ·z + √(1−ρ)·ε_i ≤ Φ⁻¹(p_i): P = p_i
			// for each, correlated across villages for ρ > 0.
			z := rng.NormFloat64()
			tp, dead := 0, 0
			for _, v := range vs {
				x := math.Sqrt(rho)*z + math.Sqrt(1-rho)*rng.NormFloat64()
				if x <= norm.Quantile(v.Verdict.PDead) {
					dead++
					if v.WithoutSignal() {
						tp++
					}
				}
			}
			sumTP += float64(tp)
			sumDead += float64(dead)
			sumPrec += float64(tp) / float64(e.Listed)
			if dead > 0 {
				sumRec += float64(tp) / float64(dead)
				nRec++
			}
			sumF1 += 2 * float64(tp) / float64(e.Listed+dead)
		}
		// Standard errors: Σ p(1−p) bounds the variance of a count of
		// independent villages; correlation widens it, so allow 6× the
		// independent SE.
		var v0, vl float64
		for _, v := range vs {
			p := v.Verdict.PDead
			v0 += p * (1 - p)
			if v.WithoutSignal() {
				vl += p * (1 - p)
			}
		}
		tol := func(variance float64) float64 { return 6 * math.Sqrt(variance/draws) * (1 + 3*rho) }
		if got := sumDead / draws; math.Abs(got-e.ExpectedDead) > tol(v0) {
			t.Errorf("ρ %.1f: mean dead %.3f, expected %.3f", rho, got, e.ExpectedDead)
		}
		if got := sumTP / draws; math.Abs(got-e.ExpectedDeadListed) > tol(vl) {
			t.Errorf("ρ %.1f: mean true positives %.3f, expected %.3f", rho, got, e.ExpectedDeadListed)
		}
		if got := sumPrec / draws; math.Abs(got-e.Precision()) > tol(vl)/float64(e.Listed) {
			t.Errorf("ρ %.1f: mean precision %.4f, expected %.4f", rho, got, e.Precision())
		}
		if rho == 0 {
			if got := sumRec / float64(nRec); math.Abs(got-e.Recall()) > 0.02 {
				t.Errorf("mean recall %.4f, ratio of expectations %.4f", got, e.Recall())
			}
			if got := sumF1 / draws; math.Abs(got-e.F1()) > 0.02 {
				t.Errorf("mean F1 %.4f, ratio of expectations %.4f", got, e.F1())
			}
		}
	}
}
