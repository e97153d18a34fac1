package plan

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// lpBound bounds the optimum by the LP relaxation of the budgeted coverage
// problem over the affordable options (see Solution.LPBound). Elements
// covered by the same set of options are merged into one group (their y
// are equal at some optimum, so merging keeps the optimum). It reports
// false when there are more than maxGroups groups.
//
// The LP, with costs scaled by the budget B, is
//
//	max Σ h_g y_g  s.t.  y_g − Σ_{i∋g} x_i ≤ 0,  Σ (c_i/B) x_i ≤ 1,
//	                     x_i ≤ 1,  y_g ≤ 1,  x, y ≥ 0
//
// solved by a dense tableau simplex with Bland's rule (which cannot cycle)
// and a pivot cap. The bound returned is not the primal objective but the
// dual one: with the final duals u clipped to u ≥ 0 and every variable at
// most 1, weak duality gives
//
//	OPT_LP ≤ bᵀu + Σ_j max(0, c_j − (Aᵀu)_j)
//
// for any u ≥ 0, so the bound stays valid under rounding and even if the
// pivot cap stops the simplex early (it is then merely looser). Tests check
// the value against gonum's lp.Simplex. (lp.Simplex itself is not used
// here: it has no iteration limit and refactorises the basis densely at
// every pivot, which took minutes on 30-option instances.)
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
	// Columns: x (n), y (m), then one slack per row.
	rows := m + 1 + n + m
	nc := n + m
	cols := nc + rows
	A := make([][]float64, rows) // structural part, kept for the dual bound
	for r := range A {
		A[r] = make([]float64, nc)
	}
	b := make([]float64, rows)
	c := make([]float64, nc)
	for g := range m {
		A[g][n+g] = 1
		for _, k := range gopts[g] {
			A[g][k] = -1
		}
		c[n+g] = gh[g]
	}
	for k, i := range opts {
		A[m][k] = s.cost[i] / s.budget
	}
	b[m] = 1
	for k := range n {
		A[m+1+k][k] = 1
		b[m+1+k] = 1
	}
	for g := range m {
		A[m+1+n+g][n+g] = 1
		b[m+1+n+g] = 1
	}
	u := simplexDuals(A, b, c, cols, 50*(rows+cols))
	bound := 0.0
	for r := range rows {
		bound += b[r] * u[r]
	}
	for j := range nc {
		red := c[j]
		for r := range rows {
			red -= A[r][j] * u[r]
		}
		bound += max(0, red)
	}
	return bound, true
}

// simplexDuals maximises cᵀz s.t. Az ≤ b, z ≥ 0 (b ≥ 0, so the slack
// basis is feasible) with a dense tableau, Bland's entering and leaving
// rules and at most maxPivots pivots, and returns the row duals clipped to
// ≥ 0 (the reduced costs of the slack columns).
func simplexDuals(A [][]float64, b, c []float64, cols, maxPivots int) []float64 {
	rows, nc := len(A), len(c)
	const eps = 1e-11
	T := make([][]float64, rows+1) // last row: objective (reduced costs); last column: rhs
	for r := range rows {
		T[r] = make([]float64, cols+1)
		copy(T[r], A[r])
		T[r][nc+r] = 1
		T[r][cols] = b[r]
	}
	obj := make([]float64, cols+1)
	for j := range nc {
		obj[j] = -c[j]
	}
	T[rows] = obj
	basis := make([]int, rows)
	for r := range basis {
		basis[r] = nc + r
	}
	for range maxPivots {
		enter := -1
		for j := range cols {
			if obj[j] < -eps {
				enter = j
				break
			}
		}
		if enter < 0 {
			break
		}
		leave, best := -1, math.Inf(1)
		for r := range rows {
			if a := T[r][enter]; a > eps {
				q := T[r][cols] / a
				if q < best || q == best && basis[r] < basis[leave] {
					leave, best = r, q
				}
			}
		}
		if leave < 0 { // unbounded: impossible with every variable ≤ 1
			break
		}
		pr := T[leave]
		inv := 1 / pr[enter]
		for j := range pr {
			pr[j] *= inv
		}
		pr[enter] = 1
		for r := range T {
			if r == leave {
				continue
			}
			row := T[r]
			f := row[enter]
			if f == 0 {
				continue
			}
			for j, v := range pr {
				if v != 0 {
					row[j] -= f * v
				}
			}
			row[enter] = 0
		}
		basis[leave] = enter
	}
	u := make([]float64, rows)
	for r := range rows {
		u[r] = max(0, obj[nc+r])
	}
	return u
}
