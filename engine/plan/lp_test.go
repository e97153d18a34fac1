package plan

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// gonumLP solves the same relaxation, without merging elements, with
// gonum's lp.Simplex in standard form (slacks s, t, u, v):
//
//	y_j − Σ x_i + s_j = 0,  Σ (c_i/B) x_i + t = 1,  x_i + u_i = 1,  y_j + v_j = 1.
func gonumLP(t *testing.T, inst Instance, budget float64) float64 {
	var opts []int
	for i, o := range inst.Options {
		if o.CostVND <= budget {
			opts = append(opts, i)
		}
	}
	n, m := len(opts), len(inst.Households)
	rows, cols := 2*m+1+n, 2*n+3*m+1
	xo, yo, so, to, uo, vo := 0, n, n+m, n+2*m, n+2*m+1, 2*n+2*m+1
	A := mat.NewDense(rows, cols, nil)
	b := make([]float64, rows)
	c := make([]float64, cols)
	for k, i := range opts {
		for _, j := range inst.Options[i].Covers {
			A.Set(int(j), xo+k, -1)
		}
		A.Set(m, xo+k, inst.Options[i].CostVND/budget)
		A.Set(m+1+k, xo+k, 1)
		A.Set(m+1+k, uo+k, 1)
		b[m+1+k] = 1
	}
	var basic []int
	for j := range m {
		A.Set(j, yo+j, 1)
		A.Set(j, so+j, 1)
		A.Set(m+1+n+j, yo+j, 1)
		A.Set(m+1+n+j, vo+j, 1)
		b[m+1+n+j] = 1
		c[yo+j] = -inst.Households[j]
		basic = append(basic, so+j)
	}
	A.Set(m, to, 1)
	b[m] = 1
	basic = append(basic, to)
	for k := range n {
		basic = append(basic, uo+k)
	}
	for j := range m {
		basic = append(basic, vo+j)
	}
	opt, _, err := lp.Simplex(c, A, b, 1e-10, basic)
	if err != nil {
		t.Fatalf("gonum simplex: %v", err)
	}
	return -opt
}

func TestLPBoundMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 4))
	for k := range 12 {
		inst, budget := randomInstance(rng, 5+rng.IntN(8), 10+rng.IntN(15))
		s := newSolver(&inst, budget)
		got, ok := s.lpBound(1000)
		if !ok {
			t.Fatalf("instance %d: no LP bound", k)
		}
		want := gonumLP(t, inst, budget)
		if math.Abs(got-want) > 1e-6*max(1, want) {
			t.Errorf("instance %d: LP bound %.9g, gonum %.9g", k, got, want)
		}
	}
}
