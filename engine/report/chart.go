package report

import (
	"html/template"
	"math"
	"strconv"
	"strings"

	"github.com/lomsong/lomsong/engine/plan"
)

// niceStep returns the smallest of 1, 2 or 5 times a power of ten that is
// at least x (x > 0).
func niceStep(x float64) float64 {
	if !(x > 0) || math.IsInf(x, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// label formats an axis value: whole numbers with thousands separators,
// others with up to four significant decimals.
func label(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return group(int64(v))
	}
	s := strconv.FormatFloat(v, 'f', 4, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// group formats n with comma thousands separators.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// frame maps data to chart pixels and draws axes and grid.
type frame struct {
	w, h                     float64
	left, right, top, bottom float64
	x0, x1, y0, y1           float64 // data ranges
}

func (f frame) px(v float64) float64 {
	if f.x1 == f.x0 {
		return (f.left + f.w - f.right) / 2
	}
	return f.left + (v-f.x0)/(f.x1-f.x0)*(f.w-f.left-f.right)
}

func (f frame) py(v float64) float64 {
	return f.h - f.bottom - (v-f.y0)/(f.y1-f.y0)*(f.h-f.top-f.bottom)
}

// yRange sets y0, y1 to round multiples of a step around lo..hi and
// returns the step.
func (f *frame) yRange(lo, hi float64) float64 {
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		lo, hi = 0, 1
	}
	if hi-lo < 1e-9 {
		d := max(math.Abs(hi)*0.1, 0.01)
		if lo == 0 {
			hi = d
		} else {
			lo, hi = lo-d, hi+d
		}
	}
	step := niceStep((hi - lo) / 4)
	f.y0 = math.Floor(lo/step+1e-9) * step
	f.y1 = math.Ceil(hi/step-1e-9) * step
	if f.y1 <= f.y0 {
		f.y1 = f.y0 + step
	}
	return step
}

func (f frame) open(b *strings.Builder, title string) {
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="` + num(f.w) + `" height="` + num(f.h) +
		`" viewBox="0 0 ` + num(f.w) + ` ` + num(f.h) + `" role="img" font-family="sans-serif" font-size="11"><title>` +
		esc(title) + "</title>\n")
}

// yAxis draws horizontal grid lines and their labels.
func (f frame) yAxis(b *strings.Builder, step float64, fmtTick func(float64) string) {
	for k := 0; ; k++ {
		v := f.y0 + float64(k)*step
		if v > f.y1+step/2 {
			break
		}
		y := num(f.py(v))
		b.WriteString(`<line x1="` + num(f.left) + `" y1="` + y + `" x2="` + num(f.w-f.right) + `" y2="` + y +
			`" stroke="#e5e5e5"/><text x="` + num(f.left-4) + `" y="` + num(f.py(v)+4) + `" text-anchor="end" fill="#444">` +
			esc(fmtTick(v)) + "</text>\n")
	}
	b.WriteString(`<path fill="none" stroke="#666" d="M` + num(f.left) + ` ` + num(f.top) + `V` + num(f.h-f.bottom) +
		`H` + num(f.w-f.right) + `"/>` + "\n")
}

// trend is one target's series over consecutive months.
type trend struct {
	title   string
	labels  []string     // one per month
	points  []trendPoint // one per month; NaN value = unknown
	goal    float64      // NaN: no goal line
	goalTxt string
	tick    func(float64) string
	zero    bool // the axis starts at zero or below
}

// trendPoint is a month's value and interval; atLeast marks a value that
// is only a lower bound (a national count from the provinces analysed),
// drawn as a hollow point.
type trendPoint struct {
	v, lo, hi float64
	atLeast   bool
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// trendSVG renders a small line chart: the interval band where bounds are
// given, the values as a line broken at unknown months (marked "?" on the
// axis), points, and the goal as a dashed line.
func trendSVG(t trend) template.HTML {
	// top leaves a line between the title and the plot, where a goal at
	// the plot's top (100%) has its label clear of the data under it.
	f := frame{w: 330, h: 200, left: 52, right: 30, top: 36, bottom: 40, x0: 0, x1: float64(len(t.points) - 1)}
	lo, hi := math.Inf(1), math.Inf(-1)
	see := func(v float64) {
		if finite(v) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	for _, p := range t.points {
		if finite(p.v) {
			see(p.v)
			see(p.lo)
			see(p.hi)
		}
	}
	see(t.goal)
	if t.zero && lo > 0 {
		lo = 0
	}
	step := f.yRange(lo, hi)
	var b strings.Builder
	f.open(&b, t.title)
	b.WriteString(`<text x="` + num(f.left) + `" y="14" font-size="12" font-weight="bold">` + esc(t.title) + "</text>\n")
	f.yAxis(&b, step, t.tick)
	// X labels: at most four (a month label is about 45 px of the 248 px
	// plot: five or six overlapped), always the last.
	n := len(t.points)
	every := (n + 3) / 4
	for i := 0; i < n; i++ {
		if i != n-1 && (i%every != 0 || n-1-i < every) {
			continue
		}
		b.WriteString(`<text x="` + num(f.px(float64(i))) + `" y="` + num(f.h-f.bottom+14) + `" text-anchor="middle" fill="#444">` +
			esc(t.labels[i]) + "</text>\n")
	}
	// Interval band, one piece per run of months with both bounds.
	var band strings.Builder
	for i := 0; i < n; {
		if !(finite(t.points[i].v) && finite(t.points[i].lo) && finite(t.points[i].hi)) {
			i++
			continue
		}
		j := i
		for j < n && finite(t.points[j].v) && finite(t.points[j].lo) && finite(t.points[j].hi) {
			j++
		}
		if j-i == 1 {
			x := num(f.px(float64(i)))
			b.WriteString(`<path stroke="#9ecae1" stroke-width="6" d="M` + x + ` ` + num(f.py(t.points[i].lo)) + `V` + num(f.py(t.points[i].hi)) + `"/>` + "\n")
		} else {
			for k := i; k < j; k++ {
				c := 'L'
				if k == i {
					c = 'M'
				}
				band.WriteString(string(c) + num(f.px(float64(k))) + ` ` + num(f.py(t.points[k].hi)))
			}
			for k := j - 1; k >= i; k-- {
				band.WriteString(`L` + num(f.px(float64(k))) + ` ` + num(f.py(t.points[k].lo)))
			}
			band.WriteString("Z")
		}
		i = j
	}
	if band.Len() > 0 {
		b.WriteString(`<path fill="#c6dbef" stroke="none" d="` + band.String() + `"/>` + "\n")
	}
	// Labels drawn over the data go last, on a white halo (paint-order:
	// the stroke under the fill), so that points and lines never hide them.
	const halo = ` stroke="#fff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"`
	var labels strings.Builder
	if finite(t.goal) && t.goal >= f.y0 && t.goal <= f.y1 {
		y := num(f.py(t.goal))
		b.WriteString(`<line x1="` + num(f.left) + `" y1="` + y + `" x2="` + num(f.w-f.right) + `" y2="` + y +
			`" stroke="#d55e00" stroke-width="1.5" stroke-dasharray="5 3"/>` + "\n")
		tx, ty, anchor, clear := f.goalLabel(t)
		text := `<text x="` + num(tx) + `" y="` + num(ty) + `" text-anchor="` + anchor + `" fill="#a33f00"` + halo + `>` + esc(t.goalTxt) + "</text>\n"
		if clear {
			labels.WriteString(text)
		} else {
			// Nowhere free of data (values hugging the goal): under the
			// line and points, which stay visible over it.
			b.WriteString(text)
		}
	}
	var line, dots, hollow strings.Builder
	unknown := false
	for i, p := range t.points {
		x := num(f.px(float64(i)))
		if !finite(p.v) {
			// Below the month labels: on the plot's floor it sat on the
			// goal's label ("goal 0").
			b.WriteString(`<text x="` + x + `" y="` + num(f.h-f.bottom+27) + `" text-anchor="middle" fill="#888">?</text>` + "\n")
			unknown = true
			continue
		}
		c := "L"
		if i == 0 || !finite(t.points[i-1].v) {
			c = "M"
		}
		y := num(f.py(p.v))
		line.WriteString(c + x + ` ` + y)
		if p.atLeast {
			hollow.WriteString(`<circle cx="` + x + `" cy="` + y + `" r="3"><title>at least ` + esc(t.tick(p.v)) + `</title></circle>`)
		} else {
			dots.WriteString(`<circle cx="` + x + `" cy="` + y + `" r="2.5"/>`)
		}
	}
	if line.Len() > 0 {
		b.WriteString(`<path fill="none" stroke="#08519c" stroke-width="2" d="` + line.String() + `"/>` + "\n")
		b.WriteString(`<g fill="#08519c">` + dots.String() + "</g>\n")
		if hollow.Len() > 0 {
			b.WriteString(`<g fill="#fff" stroke="#08519c" stroke-width="1.5">` + hollow.String() + "</g>\n")
			note := "○ at least (lower bound)"
			if unknown {
				note += "; ? unknown"
			}
			b.WriteString(`<text x="` + num(f.left) + `" y="` + num(f.h-4) + `" fill="#444" font-size="10">` + esc(note) + "</text>\n")
		}
	} else {
		// In the middle of the plot, or, when the goal's line runs
		// there (an axis centred on the goal, as with no value to
		// show), in the middle of the larger part beside it.
		top, bottom := f.top, f.h-f.bottom
		y := (top + bottom) / 2
		if finite(t.goal) && t.goal >= f.y0 && t.goal <= f.y1 {
			if gy := f.py(t.goal); math.Abs(gy-y) < 14 {
				if gy-top > bottom-gy {
					y = (top + gy) / 2
				} else {
					y = (gy + bottom) / 2
				}
			}
		}
		labels.WriteString(`<text x="` + num((f.left+f.w-f.right)/2) + `" y="` + num(y) +
			`" text-anchor="middle" fill="#666"` + halo + `>unknown in every month</text>` + "\n")
	}
	b.WriteString(labels.String())
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// trendTitleBottom is the lowest y a trend chart's title reaches (its
// baseline 14, bold 12 px, and descent).
const trendTitleBottom = 17.0

// goalLabel places the goal's label on its line where it hides no data:
// at the plot's right end above the line, else below it, else at the
// left end above or below (above is skipped where it would reach the
// title, below when the line runs on the x axis). It returns the text's
// baseline position and anchor, and whether the place is clear of the
// data; where none is, the place covering the fewest marks, to be drawn
// under the data.
func (f frame) goalLabel(t trend) (x, y float64, anchor string, clear bool) {
	gy := f.py(t.goal)
	w := 6.5 * float64(len([]rune(t.goalTxt))) // 11 px sans-serif, generously
	const asc, desc = 9.0, 2.0
	type place struct {
		x, y   float64
		anchor string
	}
	var places []place
	for _, end := range []place{{x: f.w - f.right, anchor: "end"}, {x: f.left + 3, anchor: "start"}} {
		// Above the line, the label's top stays below the title's
		// descent (baseline 14, bold 12 px): a goal at the plot's top
		// has it in the line between them.
		if above := gy - 4; above-asc >= trendTitleBottom+2 {
			places = append(places, place{end.x, above, end.anchor})
		}
		if below := gy + 12; below <= f.h-f.bottom-2 {
			places = append(places, place{end.x, below, end.anchor})
		}
	}
	// The data the label could cover: every value and interval, and the
	// line and band between consecutive known months.
	var pts [][3]float64 // x, y and how far the mark reaches around it
	for i, p := range t.points {
		if !finite(p.v) {
			continue
		}
		x := f.px(float64(i))
		pts = append(pts, [3]float64{x, f.py(p.v), 4}) // the point, r 2.5 to 3
		for _, b := range []float64{p.lo, p.hi} {
			if finite(b) {
				pts = append(pts, [3]float64{x, f.py(b), 3}) // a lone month's bar is 6 px wide
			}
		}
		if i > 0 && finite(t.points[i-1].v) {
			q := t.points[i-1]
			x0 := f.px(float64(i - 1))
			for _, ends := range [][2]float64{{q.v, p.v}, {q.lo, p.lo}, {q.hi, p.hi}} {
				if !finite(ends[0]) || !finite(ends[1]) {
					continue
				}
				y0, y1 := f.py(ends[0]), f.py(ends[1])
				for k := 1; k < 8; k++ {
					a := float64(k) / 8
					pts = append(pts, [3]float64{x0 + a*(x-x0), y0 + a*(y1-y0), 1.5})
				}
			}
		}
	}
	best, fewest := -1, 0
	for i, pl := range places {
		x0, x1 := pl.x-w, pl.x
		if pl.anchor == "start" {
			x0, x1 = pl.x, pl.x+w
		}
		n := 0
		for _, q := range pts {
			if q[0] >= x0-q[2] && q[0] <= x1+q[2] && q[1] >= pl.y-asc-q[2] && q[1] <= pl.y+desc+q[2] {
				n++
			}
		}
		if n == 0 {
			return pl.x, pl.y, pl.anchor, true
		}
		if best < 0 || n < fewest {
			best, fewest = i, n
		}
	}
	if best >= 0 {
		return places[best].x, places[best].y, places[best].anchor, false
	}
	return f.w - f.right, gy - 4, "end", false
}

// planSVG renders the households-versus-budget curve: budget in billion
// VND (tỷ đồng) across, households up, the budget as a dotted vertical
// line (or, off the scale, named at the right edge: plan.BudgetAxis) and
// the upper bound as a dashed horizontal line.
func planSVG(c *PlanCurve) template.HTML {
	f := frame{w: 640, h: 360, left: 72, right: 24, top: 30, bottom: 50}
	maxY, spent := max(c.UpperBound, 0), 0.0
	for _, p := range c.Points {
		if finite(p.CostVND) && finite(p.Households) {
			spent, maxY = max(spent, p.CostVND/1e9), max(maxY, p.Households)
		}
	}
	// 39.8 bn spent of 500 filled the left 8% of the chart.
	maxX, offScale := plan.BudgetAxis(max(c.BudgetVND/1e9, 0), spent)
	xStep := niceStep(maxX / 6)
	f.x0, f.x1 = 0, max(xStep, math.Ceil(maxX/xStep-1e-9)*xStep)
	step := f.yRange(0, maxY)
	var b strings.Builder
	f.open(&b, "Households reached vs. budget")
	f.yAxis(&b, step, label)
	for k := 0; float64(k)*xStep <= f.x1+xStep/2; k++ {
		v := float64(k) * xStep
		b.WriteString(`<text x="` + num(f.px(v)) + `" y="` + num(f.h-f.bottom+16) + `" text-anchor="middle" fill="#444">` + label(v) + "</text>\n")
	}
	b.WriteString(`<text x="` + num((f.left+f.w-f.right)/2) + `" y="` + num(f.h-10) + `" text-anchor="middle">Budget (billion VND, tỷ đồng)</text>` + "\n")
	b.WriteString(`<text x="14" y="` + num((f.top+f.h-f.bottom)/2) + `" text-anchor="middle" transform="rotate(-90 14 ` +
		num((f.top+f.h-f.bottom)/2) + `)">Households newly covered</text>` + "\n")
	switch {
	case offScale:
		b.WriteString(`<text x="` + num(f.w-f.right) + `" y="` + num(f.top-6) + `" text-anchor="end" fill="#333">budget ` +
			Money(c.BudgetVND) + ` VND, off the scale: nothing more to buy →</text>` + "\n")
	case c.BudgetVND > 0:
		x := num(f.px(c.BudgetVND / 1e9))
		b.WriteString(`<path stroke="#555" stroke-dasharray="2 3" d="M` + x + ` ` + num(f.top) + `V` + num(f.h-f.bottom) +
			`"/><text x="` + x + `" y="` + num(f.top-6) + `" text-anchor="end" fill="#333">budget</text>` + "\n")
	}
	if c.UpperBound > 0 {
		y := num(f.py(c.UpperBound))
		b.WriteString(`<path stroke="#d55e00" stroke-dasharray="5 3" d="M` + num(f.left) + ` ` + y + `H` + num(f.w-f.right) +
			`"/><text x="` + num(f.w-f.right) + `" y="` + num(f.py(c.UpperBound)-4) + `" text-anchor="end" fill="#a33f00">upper bound ` +
			label(math.Round(c.UpperBound)) + "</text>\n")
	}
	var line, dots strings.Builder
	for _, p := range c.Points {
		if !finite(p.CostVND) || !finite(p.Households) {
			continue
		}
		x, y := num(f.px(p.CostVND/1e9)), num(f.py(p.Households))
		if line.Len() == 0 {
			line.WriteString("M" + x + " " + y)
		} else {
			line.WriteString("L" + x + " " + y)
		}
		if len(c.Points) <= 200 {
			dots.WriteString(`<circle cx="` + x + `" cy="` + y + `" r="2.5"/>`)
		}
	}
	if line.Len() > 0 {
		b.WriteString(`<path fill="none" stroke="#08519c" stroke-width="2" d="` + line.String() + `"/>` + "\n")
		b.WriteString(`<g fill="#08519c">` + dots.String() + "</g>\n")
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// Money formats an amount in đồng for people: 2.65bn, 772.1M, 950000
// (two decimals in billions, one in millions, whole đồng below; "-" for
// NaN).
func Money(v float64) string {
	switch a := math.Abs(v); {
	case math.IsNaN(v):
		return "-"
	case a >= 1e9:
		return strconv.FormatFloat(v/1e9, 'f', 2, 64) + "bn"
	case a >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', 1, 64) + "M"
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}
