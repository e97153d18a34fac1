package scorecard

import (
	"math"
	"testing"
)

// Known answers: with every p equal the count is binomial (Binomial(10,
// 0.3): P(K = 3) = 120·0.3³·0.7⁷ = 0.266827932, P(K ≤ 0) = 0.7¹⁰ =
// 0.0282475249, its 5% and 95% quantiles 1 and 5); two fair coins give
// 1/4, 1/2, 1/4; probabilities 0.2, 0.5 and 0.9 give by hand
// P(0) = 0.8·0.5·0.1 = 0.04, P(1) = 0.2·0.5·0.1 + 0.8·0.5·0.1 + 0.8·0.5·0.9
// = 0.41, P(2) = 0.2·0.5·0.1 + 0.2·0.5·0.9 + 0.8·0.5·0.9 = 0.46,
// P(3) = 0.2·0.5·0.9 = 0.09.
func TestCountPMF(t *testing.T) {
	close := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
	b := CountPMF([]float64{0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3})
	if !close(b[3], 0.266827932) || !close(b[0], 0.0282475249) {
		t.Errorf("Binomial(10, 0.3): %v", b)
	}
	if lo, hi := CountInterval(b, 0.90); lo != 1 || hi != 5 {
		t.Errorf("Binomial(10, 0.3) 90%%: [%v, %v], want [1, 5]", lo, hi)
	}
	if !close(CountMean(b), 3) {
		t.Errorf("mean %v", CountMean(b))
	}
	c := CountPMF([]float64{0.5, 0.5})
	if len(c) != 3 || !close(c[0], 0.25) || !close(c[1], 0.5) || !close(c[2], 0.25) {
		t.Errorf("two coins: %v", c)
	}
	h := CountPMF([]float64{0.2, 0.5, 0.9, 0, math.NaN()})
	for k, want := range []float64{0.04, 0.41, 0.46, 0.09} {
		if !close(h[k], want) {
			t.Errorf("P(%d) = %v, want %v", k, h[k], want)
		}
	}
	// The sum of two areas is their convolution: Binomial(10, 0.3) twice
	// is Binomial(20, 0.3), whose P(K = 6) = 38760·0.3⁶·0.7¹⁴ = 0.191638982.
	s := Convolve(b, b)
	if math.Abs(s[6]-0.191638982) > 1e-9 {
		t.Errorf("Binomial(20, 0.3) P(6) = %v", s[6])
	}
	// Certain outcomes: a zero-width interval at the count.
	if lo, hi := CountInterval(CountPMF([]float64{1, 1, 0, 0}), 0.9); lo != 2 || hi != 2 {
		t.Errorf("certain: [%v, %v]", lo, hi)
	}
	// Many villages with small p_dead: the support stays short.
	ps := make([]float64, 100000)
	for i := range ps {
		ps[i] = 0.001
	}
	if m := CountPMF(ps); len(m) > 400 || math.Abs(CountMean(m)-100) > 1e-4 {
		t.Errorf("100,000 villages at 0.001: support %d, mean %v", len(m), CountMean(m))
	}
}
