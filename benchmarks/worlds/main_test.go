package main

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buildLomsong builds the lomsong binary of this module into dir, as a
// user builds it, and returns its path.
func buildLomsong(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "lomsong")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/lomsong")
	cmd.Dir = moduleRoot()
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return bin
}

// TestSmallWorld runs a 60-village world through the built binary: every
// command exits 0, every village has a verdict, the scores lie in [0, 1]
// (run checks it and fails otherwise) and the world lands in its range of
// dead villages.
func TestSmallWorld(t *testing.T) {
	if testing.Short() {
		t.Skip("builds lomsong and runs a world")
	}
	dir := t.TempDir()
	bin := buildLomsong(t, dir)
	res := filepath.Join(dir, "RESULTS.md")
	if err := run("1", 60, filepath.Join(dir, "out"), bin, res); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| A | lomsong |", "| A | plain rule |", "| A | lomsong, calibrate --off-air=false |"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("RESULTS.md lacks %q", want)
		}
	}
}

// TestGenerateDeterministic: the same seed gives the same world, and the
// dead villages land in 17–29 per 420.
func TestGenerateDeterministic(t *testing.T) {
	w1, err := Generate(7, 40)
	if err != nil {
		t.Fatal(err)
	}
	w2, err := Generate(7, 40)
	if err != nil {
		t.Fatal(err)
	}
	if len(w1.Masts) != len(w2.Masts) || len(w1.Villages) != len(w2.Villages) {
		t.Fatalf("seed 7 twice: %d/%d masts, %d/%d villages", len(w1.Masts), len(w2.Masts), len(w1.Villages), len(w2.Villages))
	}
	for i := range w1.Masts {
		a, b := w1.Masts[i], w2.Masts[i]
		if a.ID != b.ID || a.P != b.P || a.Reg != b.Reg || a.Down != b.Down || a.EIRP != b.EIRP || a.Has != b.Has {
			t.Fatalf("mast %d differs", i)
		}
	}
	lo, hi := deadRange(len(w1.Villages))
	dead := 0
	for i, v := range w1.Villages {
		m1, _, _ := w1.truth(v.P).Margin()
		m2, _, _ := w2.truth(w2.Villages[i].P).Margin()
		if m1 != m2 {
			t.Fatalf("village %s: margin %g then %g", v.ID, m1, m2)
		}
		if m1 < 0 {
			dead++
		}
	}
	if dead < lo || dead > hi {
		t.Errorf("%d dead villages of %d, want %d–%d", dead, len(w1.Villages), lo, hi)
	}
}

// TestPhysics pins the pieces of the link budget to their published values.
func TestPhysics(t *testing.T) {
	// ITU-R P.526 J(ν): 0 at ν ≤ −0.78, about 6 dB at ν = 0, about 13.5 dB at ν = 1.
	if knifeJ(-1) != 0 {
		t.Errorf("J(-1) = %g, want 0", knifeJ(-1))
	}
	if j := knifeJ(0); math.Abs(j-6.0) > 0.1 {
		t.Errorf("J(0) = %g, want ≈ 6.0", j)
	}
	if j := knifeJ(1); math.Abs(j-13.9) > 0.2 {
		t.Errorf("J(1) = %g, want ≈ 13.9", j)
	}
	// COST-231 Hata at 1800 MHz, 1 km, hb 30 m, hm 1.5 m: 136.2 dB urban
	// (medium city), less the suburban correction 11.9 dB.
	if l := hata(1800, 1000, 30); math.Abs(l-124.3) > 0.3 {
		t.Errorf("hata(1800, 1 km, 30 m) = %g, want ≈ 124.3", l)
	}
	// 3GPP sector: 0 dB on boresight at the tilt, −3 dB at 32.5° off, 20 dB cap.
	if g := sectorGain(0, 5, 5); g != 0 {
		t.Errorf("boresight gain %g", g)
	}
	if g := sectorGain(32.5, 5, 5); math.Abs(g+3) > 1e-9 {
		t.Errorf("gain at 32.5° = %g, want −3", g)
	}
	if g := sectorGain(180, 60, 5); g != -20 {
		t.Errorf("back lobe %g, want −20", g)
	}
	// A clear path has no diffraction loss; a ridge in the middle does.
	xs := []float64{0, 1000, 2000}
	if e := deygoutEdges(xs, []float64{100, 0, 100}); diffLoss(e, 1800) != 0 {
		t.Errorf("clear path: loss %g", diffLoss(e, 1800))
	}
	if e := deygoutEdges(xs, []float64{100, 200, 100}); diffLoss(e, 1800) < 20 {
		t.Errorf("100 m ridge mid-path: loss %g, want > 20 dB", diffLoss(e, 1800))
	}
}
