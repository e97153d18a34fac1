package radiomap

import "math"

// rootOfDecreasing returns the root of a decreasing function g, given with
// its derivative by derivs (g(x), g′(x) with g′ < 0), from x0: Newton's
// steps, each kept inside the bracket of the points tried so far (a point
// where g > 0 bounds the root below, one where g < 0 above) and replaced
// by the bracket's midpoint when it would leave it. For a concave
// log-posterior (g its derivative) a Newton step from either side lands
// on the root's side of the point it starts from, so the bracket only
// shrinks. It stops when a step moves x by less than 10⁻¹⁰ or the
// bracket is narrower than 10⁻⁹ — the bisection's tolerance it replaces,
// reached here in a handful of evaluations instead of about 35.
func rootOfDecreasing(derivs func(x float64) (g, dg float64), x0 float64) float64 {
	lo, hi := math.Inf(-1), math.Inf(1)
	x := x0
	for range 200 {
		g, dg := derivs(x)
		switch {
		case g > 0:
			lo = x
		case g < 0:
			hi = x
		default:
			return x
		}
		next := x - g/dg
		if math.IsNaN(next) || math.IsInf(next, 0) {
			// Only a broken derivative: step away by 1 towards the root.
			next = x - math.Copysign(1, -g)
		}
		if math.Abs(next-x) < 1e-10 {
			return next
		}
		if !(next > lo && next < hi) {
			// Both ends are known here: a step from lo goes up, one
			// from hi down, so it can only leave through the other end.
			next = 0.5 * (lo + hi)
		}
		if hi-lo < 1e-9 {
			return next
		}
		x = next
	}
	return x
}

// maximize returns a point of [a, b] where f is largest, by Brent's
// method (R. P. Brent, Algorithms for Minimization without Derivatives,
// 1973, ch. 5): golden-section steps, and parabolic steps through the
// three best points where they fall inside the bracket and shrink it fast
// enough. For a smooth unimodal f it needs far fewer evaluations than
// golden section alone (10–20 against about 40 to narrow a bracket of 4
// to 10⁻⁸). It stops when x is within 2·(tol·|x| + 10⁻¹⁰) of the bracket's
// middle and the bracket is that narrow; tol should not be below about
// 10⁻⁸ (the square root of the float64 precision: near a maximum f is
// flat to second order).
func maximize(f func(float64) float64, a, b, tol float64) float64 {
	const cgold = 0.3819660112501051 // (3 − √5)/2
	const zeps = 1e-10
	neg := func(x float64) float64 { return -f(x) }
	x := a + cgold*(b-a)
	w, v := x, x
	fx := neg(x)
	fw, fv := fx, fx
	var d, e float64
	for range 500 {
		xm := 0.5 * (a + b)
		tol1 := tol*math.Abs(x) + zeps
		tol2 := 2 * tol1
		if math.Abs(x-xm) <= tol2-0.5*(b-a) {
			return x
		}
		golden := true
		if math.Abs(e) > tol1 {
			// A parabola through x, w and v.
			r := (x - w) * (fx - fv)
			q := (x - v) * (fx - fw)
			p := (x-v)*q - (x-w)*r
			q = 2 * (q - r)
			if q > 0 {
				p = -p
			}
			q = math.Abs(q)
			etemp := e
			e = d
			if !math.IsNaN(p) && !math.IsNaN(q) && math.Abs(p) < math.Abs(0.5*q*etemp) && p > q*(a-x) && p < q*(b-x) {
				golden = false
				d = p / q
				if u := x + d; u-a < tol2 || b-u < tol2 {
					d = math.Copysign(tol1, xm-x)
				}
			}
		}
		if golden {
			if x >= xm {
				e = a - x
			} else {
				e = b - x
			}
			d = cgold * e
		}
		u := x + d
		if math.Abs(d) < tol1 {
			u = x + math.Copysign(tol1, d)
		}
		fu := neg(u)
		if fu <= fx {
			if u >= x {
				a = x
			} else {
				b = x
			}
			v, w, x = w, x, u
			fv, fw, fx = fw, fx, fu
			continue
		}
		if u < x {
			a = u
		} else {
			b = u
		}
		switch {
		case fu <= fw || w == x:
			v, w = w, u
			fv, fw = fw, fu
		case fu <= fv || v == x || v == w:
			v, fv = u, fu
		}
	}
	return x
}
