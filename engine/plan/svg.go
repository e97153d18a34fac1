package plan

import (
	"math"
	"strconv"
	"strings"
)

// budgetOffScale is how many times the plan's spending a budget may be
// and still be drawn to scale on a chart of the plan's curve (BudgetAxis).
const budgetOffScale = 2

// BudgetAxis returns where a chart of the plan's curve ends its budget
// axis, for a budget and the plan's spending (in one unit), and whether
// the budget is off the scale: a budget more than budgetOffScale times
// the spending (nothing more to buy) is not drawn to scale but named at
// the chart's edge, the axis ending a quarter past the spending (under a
// 10¹⁵ đồng budget every point of the curve stood on the y-axis).
// CurveSVG and the report's chart draw by it.
func BudgetAxis(budget, spent float64) (end float64, offScale bool) {
	if spent > 0 && budget > budgetOffScale*spent {
		return spent * 1.25, true
	}
	return max(budget, spent), false
}

// CurveSVG renders the plan's households-versus-budget curve as a
// self-contained SVG line chart (640×400 px): budget in billion VND (tỷ
// đồng) across, households up, tick labels on both axes, the budget as a
// dotted vertical line (or, off the scale, named at the right edge:
// BudgetAxis) and the upper bound on the optimum as a dashed
// horizontal line. It uses no scripts, external fonts or stylesheets (the
// generic sans-serif family), and the same plan always gives the same
// bytes.
func CurveSVG(p Plan) string {
	const (
		w, h                   = 640.0, 400.0
		left, right, top, bott = 72.0, 24.0, 40.0, 56.0
	)
	spent := p.TotalCostVND / 1e9
	maxY := max(p.UpperBound, p.TotalHouseholds)
	for _, c := range p.Curve {
		spent = max(spent, c.CostVND/1e9)
		maxY = max(maxY, c.Households)
	}
	maxX, offScale := BudgetAxis(p.BudgetVND/1e9, spent)
	xStep, yStep := niceStep(maxX), niceStep(maxY)
	maxX = max(xStep, math.Ceil(maxX/xStep)*xStep)
	maxY = max(yStep, math.Ceil(maxY/yStep)*yStep)
	px := func(v float64) float64 { return left + v/maxX*(w-left-right) }
	py := func(v float64) float64 { return h - bott - v/maxY*(h-top-bott) }

	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="640" height="400" viewBox="0 0 640 400" font-family="sans-serif" font-size="11">` + "\n")
	b.WriteString(`<rect width="640" height="400" fill="white"/>` + "\n")
	b.WriteString(`<text x="320" y="22" text-anchor="middle" font-size="14">Households reached vs. budget</text>` + "\n")
	// Grid, ticks and labels.
	for k := 0; float64(k)*xStep <= maxX+xStep/2; k++ {
		v := float64(k) * xStep
		x := num(px(v))
		b.WriteString(`<line x1="` + x + `" y1="` + num(top) + `" x2="` + x + `" y2="` + num(h-bott) + `" stroke="#e5e5e5"/>` + "\n")
		b.WriteString(`<text x="` + x + `" y="` + num(h-bott+16) + `" text-anchor="middle">` + label(v) + `</text>` + "\n")
	}
	for k := 0; float64(k)*yStep <= maxY+yStep/2; k++ {
		v := float64(k) * yStep
		y := num(py(v))
		b.WriteString(`<line x1="` + num(left) + `" y1="` + y + `" x2="` + num(w-right) + `" y2="` + y + `" stroke="#e5e5e5"/>` + "\n")
		b.WriteString(`<text x="` + num(left-6) + `" y="` + num(py(v)+4) + `" text-anchor="end">` + label(v) + `</text>` + "\n")
	}
	b.WriteString(`<line x1="` + num(left) + `" y1="` + num(h-bott) + `" x2="` + num(w-right) + `" y2="` + num(h-bott) + `" stroke="black"/>` + "\n")
	b.WriteString(`<line x1="` + num(left) + `" y1="` + num(top) + `" x2="` + num(left) + `" y2="` + num(h-bott) + `" stroke="black"/>` + "\n")
	b.WriteString(`<text x="` + num((left+w-right)/2) + `" y="` + num(h-14) + `" text-anchor="middle">Budget (billion VND)</text>` + "\n")
	b.WriteString(`<text x="16" y="` + num((top+h-bott)/2) + `" text-anchor="middle" transform="rotate(-90 16 ` + num((top+h-bott)/2) + `)">Households</text>` + "\n")
	// Budget and upper bound.
	switch {
	case offScale:
		b.WriteString(`<text x="` + num(w-right) + `" y="` + num(top-4) + `" text-anchor="end" fill="#555">budget ` +
			label(p.BudgetVND/1e9) + ` bn VND, off the scale: nothing more to buy →</text>` + "\n")
	case p.BudgetVND > 0:
		x := num(px(p.BudgetVND / 1e9))
		b.WriteString(`<line x1="` + x + `" y1="` + num(top) + `" x2="` + x + `" y2="` + num(h-bott) + `" stroke="#888" stroke-dasharray="2 3"/>` + "\n")
		b.WriteString(`<text x="` + x + `" y="` + num(top-4) + `" text-anchor="end" fill="#555">budget</text>` + "\n")
	}
	if p.UpperBound > 0 {
		y := num(py(p.UpperBound))
		b.WriteString(`<line x1="` + num(left) + `" y1="` + y + `" x2="` + num(w-right) + `" y2="` + y + `" stroke="#c0392b" stroke-dasharray="6 4"/>` + "\n")
		b.WriteString(`<text x="` + num(left+4) + `" y="` + num(py(p.UpperBound)-4) + `" fill="#c0392b">upper bound on optimum</text>` + "\n")
	}
	// The curve.
	b.WriteString(`<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="`)
	for i, c := range p.Curve {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(num(px(c.CostVND/1e9)) + "," + num(py(c.Households)))
	}
	b.WriteString(`"/>` + "\n</svg>\n")
	return b.String()
}

// niceStep returns a tick step of 1, 2 or 5 × 10^k giving about five ticks
// up to max.
func niceStep(max float64) float64 {
	if !(max > 0) || math.IsInf(max, 0) {
		return 1
	}
	raw := max / 5
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func label(v float64) string {
	s := strconv.FormatFloat(v, 'f', 6, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
