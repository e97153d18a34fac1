package plan

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// lpBound solves the LP relaxation of the budgeted coverage problem over
// the affordable options (see Solution.LPBound). Elements covered by the
// same set of options are merged into one group (their y are equal at some
// optimum, so merging keeps the optimum). It reports false when there are
// more than maxGroups groups or the simplex fails.
//
// Standard form for gonum's lp.Simplex (minimise cᵀz, Az = b, z ≥ 0), with
// costs scaled by the budget:
//
//	y_g − Σ_{i∋g} x_i + s_g = 0      (groups)
//	Σ (c_i/B) x_i + t        = 1      (budget)
//	x_i + u_i                = 1      (options)
//	y_g + v_g                = 1      (groups)
//
// The slacks s, t, u, v form a feasible starting basis (x = y = 0).
func (s *solver) lpBound(maxGroups int) (float64, bool) {
	if s.budget <= 0 {
		return 0, false
	}
	opts := s.affordable
	n := len(opts)
	if n == 0 {
		return 0, true
	}
	// Group elements by their covering options.
	coverers := map[int32][]int{}
	for k, i := range opts {
		for _, j := range s.inst.Options[i].Covers {
			coverers[j] = append(coverers[j], k)
		}
	}
	elems := make([]int32, 0, len(coverers))
	for j := range coverers {
		elems = append(elems, j)
	}
	slices.Sort(elems)
	groupOf := map[string]int{}
	var gh []float64
	var gopts [][]int
	var sb strings.Builder
	for _, j := range elems {
		sb.Reset()
		for _, k := range coverers[j] {
			sb.WriteString(strconv.Itoa(k))
			sb.WriteByte(',')
		}
		key := sb.String()
		g, ok := groupOf[key]
		if !ok {
			g = len(gh)
			groupOf[key] = g
			gh = append(gh, 0)
			gopts = append(gopts, coverers[j])
			if len(gh) > maxGroups {
				return 0, false
			}
		}
		gh[g] += s.inst.Households[j]
	}
	m := len(gh)
	rows := 2*m + 1 + n
	cols := n + m + m + 1 + n + m
	xo, yo, so, to, uo, vo := 0, n, n+m, n+2*m, n+2*m+1, 2*n+2*m+1
	A := mat.NewDense(rows, cols, nil)
	b := make([]float64, rows)
	c := make([]float64, cols)
	for g := range m {
		A.Set(g, yo+g, 1)
		for _, k := range gopts[g] {
			A.Set(g, xo+k, -1)
		}
		A.Set(g, so+g, 1)
		c[yo+g] = -gh[g]
	}
	for k, i := range opts {
		A.Set(m, xo+k, s.cost[i]/s.budget)
	}
	A.Set(m, to, 1)
	b[m] = 1
	for k := range n {
		A.Set(m+1+k, xo+k, 1)
		A.Set(m+1+k, uo+k, 1)
		b[m+1+k] = 1
	}
	for g := range m {
		A.Set(m+1+n+g, yo+g, 1)
		A.Set(m+1+n+g, vo+g, 1)
		b[m+1+n+g] = 1
	}
	basic := make([]int, 0, rows)
	for g := range m {
		basic = append(basic, so+g)
	}
	basic = append(basic, to)
	for k := range n {
		basic = append(basic, uo+k)
	}
	for g := range m {
		basic = append(basic, vo+g)
	}
	opt, _, err := lp.Simplex(c, A, b, 1e-10, basic)
	if err != nil || math.IsNaN(opt) {
		return 0, false
	}
	return -opt, true
}
