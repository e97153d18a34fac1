package report

import (
	"html/template"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// Map geometry: the map fits a box of mapMaxW × mapMaxH viewBox units with
// mapPad units of margin; coordinates are written in tenths of a unit.
// A strip of mapScaleH units under the map holds the scale bar.
const (
	mapMaxW, mapMaxH, mapPad = 1000.0, 1000.0, 10.0
	mapScaleH                = 28.0
)

// Colours of the hex states: a blue–yellow–red scheme that stays apart
// for the common colour-vision deficiencies (ColorBrewer RdYlBu), grey for
// no data.
var stateColour = [numStates]string{
	StateNoData:    "#d9d9d9",
	StateCovered:   "#4575b4",
	StateWeak:      "#fee090",
	StateUncovered: "#d73027",
}

// projection is an equirectangular projection scaled by the cosine of the
// mean latitude, y flipped, fitted to a viewBox:
//
//	x = pad + (lon − minLon)·k·cos φ,  y = pad + (maxLat − lat)·k
//
// where φ is the middle latitude of the bound.
type projection struct {
	minLon, maxLat float64
	kx, ky         float64 // viewBox units per degree of lon and lat
	w, h           float64 // viewBox size
}

// fit returns the projection that fits b into maxW × maxH with pad units
// of margin on each side, keeping the aspect ratio.
func fit(b orb.Bound, maxW, maxH, pad float64) projection {
	cos := math.Cos((b.Min[1] + b.Max[1]) / 2 * math.Pi / 180)
	dx := (b.Max[0] - b.Min[0]) * cos
	dy := b.Max[1] - b.Min[1]
	k := math.Inf(1)
	if dx > 0 {
		k = (maxW - 2*pad) / dx
	}
	if dy > 0 {
		k = min(k, (maxH-2*pad)/dy)
	}
	if math.IsInf(k, 1) { // a single point
		k = 1
	}
	return projection{minLon: b.Min[0], maxLat: b.Max[1], kx: k * cos, ky: k,
		w: dx*k + 2*pad, h: dy*k + 2*pad}
}

// xy projects a lon/lat point to viewBox units.
func (p projection) xy(q orb.Point) (x, y float64) {
	return mapPad + (q[0]-p.minLon)*p.kx, mapPad + (p.maxLat-q[1])*p.ky
}

// tenths projects q to whole tenths of a viewBox unit.
func (p projection) tenths(q orb.Point) (int64, int64) {
	x, y := p.xy(q)
	return int64(math.Round(x * 10)), int64(math.Round(y * 10))
}

// kmPerUnit is the ground distance of one viewBox unit, in km.
func (p projection) kmPerUnit() float64 { return 111.32 / p.ky }

// num formats v with at most one decimal ("12.5", "3", "-0.4").
func num(v float64) string {
	r := math.Round(v*10) / 10
	if r == 0 {
		return "0"
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// pathWriter writes compact SVG path data: coordinates in tenths of a
// unit, each subpath moved to relative to the previous subpath's start
// ("m") and drawn with relative lines ("l"), leading zeros dropped.
type pathWriter struct {
	b          *strings.Builder
	started    bool
	sx, sy     int64 // start of the current subpath
	buf        []byte
	lastNumEnd bool
}

// tenth writes n tenths as a decimal, separated from the previous number
// by a space unless the sign separates it.
func (w *pathWriter) tenth(n int64) {
	b := w.buf[:0]
	neg := n < 0
	if neg {
		n = -n
	}
	ip, fp := n/10, n%10
	if neg {
		b = append(b, '-')
	} else if w.lastNumEnd {
		b = append(b, ' ')
	}
	if ip != 0 || fp == 0 {
		b = strconv.AppendInt(b, ip, 10)
	}
	if fp != 0 {
		b = append(b, '.', byte('0'+fp))
	}
	w.buf = b
	w.b.Write(b)
	w.lastNumEnd = true
}

func (w *pathWriter) cmd(c byte) {
	w.b.WriteByte(c)
	w.lastNumEnd = false
}

// ring writes one closed subpath through pts (tenths), dropping repeated
// points and a closing point equal to the first.
func (w *pathWriter) ring(xs, ys []int64) {
	n := len(xs)
	for n > 1 && xs[n-1] == xs[0] && ys[n-1] == ys[0] {
		n--
	}
	if n == 0 {
		return
	}
	if !w.started {
		w.cmd('M')
		w.tenth(xs[0])
		w.tenth(ys[0])
		w.started = true
	} else {
		w.cmd('m')
		w.tenth(xs[0] - w.sx)
		w.tenth(ys[0] - w.sy)
	}
	w.sx, w.sy = xs[0], ys[0]
	px, py := xs[0], ys[0]
	first := true
	for i := 1; i < n; i++ {
		if xs[i] == px && ys[i] == py {
			continue
		}
		if first {
			w.cmd('l')
			first = false
		}
		w.tenth(xs[i] - px)
		w.tenth(ys[i] - py)
		px, py = xs[i], ys[i]
	}
	w.cmd('z')
}

// square writes a closed square subpath of side 2·half centred on (x, y),
// all in tenths.
func (w *pathWriter) square(x, y, half int64) {
	x, y = x-half, y-half
	if !w.started {
		w.cmd('M')
		w.tenth(x)
		w.tenth(y)
		w.started = true
	} else {
		w.cmd('m')
		w.tenth(x - w.sx)
		w.tenth(y - w.sy)
	}
	w.sx, w.sy = x, y
	w.cmd('h')
	w.tenth(2 * half)
	w.cmd('v')
	w.tenth(2 * half)
	w.cmd('h')
	w.tenth(-2 * half)
	w.cmd('z')
}

// ringBuf projects rings into reusable coordinate buffers.
type ringBuf struct {
	p      projection
	xs, ys []int64
}

func (r *ringBuf) project(ring orb.Ring) ([]int64, []int64) {
	r.xs, r.ys = r.xs[:0], r.ys[:0]
	for _, q := range ring {
		x, y := r.p.tenths(q)
		r.xs = append(r.xs, x)
		r.ys = append(r.ys, y)
	}
	return r.xs, r.ys
}

// polygonPath returns the path data of a multipolygon's rings.
func polygonPath(p projection, mp orb.MultiPolygon) string {
	var b strings.Builder
	w := pathWriter{b: &b}
	rb := ringBuf{p: p}
	for _, poly := range mp {
		for _, ring := range poly {
			w.ring(rb.project(ring))
		}
	}
	return b.String()
}

// mapBound is the bound of the map's areas (outline, hexes, zones); the
// bound of its points when it has no areas; ok false when it is empty.
func mapBound(m *Map) (orb.Bound, bool) {
	var b orb.Bound
	ok := false
	add := func(q orb.Point) {
		if math.IsNaN(q[0]) || math.IsNaN(q[1]) || math.IsInf(q[0], 0) || math.IsInf(q[1], 0) {
			return
		}
		if !ok {
			b, ok = orb.Bound{Min: q, Max: q}, true
			return
		}
		b = b.Extend(q)
	}
	for _, poly := range m.Outline {
		for _, r := range poly {
			for _, q := range r {
				add(q)
			}
		}
	}
	for _, h := range m.Hexes {
		for _, q := range h.Boundary {
			add(q)
		}
	}
	for _, z := range m.DeadZones {
		for _, poly := range z.Outline {
			for _, r := range poly {
				for _, q := range r {
					add(q)
				}
			}
		}
	}
	if !ok {
		for _, v := range m.Villages {
			add(v.Point)
		}
		for _, s := range m.Sites {
			add(s)
		}
	}
	return b, ok
}

// mapSVG renders m as one inline SVG: province outline, hexes merged into
// one path per state, dead-zone outlines, sites, villages without signal
// and a scale bar. It returns what it drew, for the legend; ok is false
// when the map has nothing to draw.
func mapSVG(m *Map, title string) (svg template.HTML, drawn mapCounts, ok bool) {
	bound, ok := mapBound(m)
	if !ok {
		return "", drawn, false
	}
	p := fit(bound, mapMaxW, mapMaxH, mapPad)
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 ` + num(p.w) + ` ` + num(p.h+mapScaleH) +
		`" role="img" font-family="sans-serif" font-size="12"><title>` + esc(title) + "</title>\n")
	outline := polygonPath(p, m.Outline)
	if d := outline; d != "" {
		b.WriteString(`<path fill="#f7f7f7" fill-rule="evenodd" stroke="none" d="` + d + `"/>` + "\n")
	}
	// Hexes: one path per state, in state order.
	rb := ringBuf{p: p}
	for s := State(0); s < numStates; s++ {
		var pb strings.Builder
		w := pathWriter{b: &pb}
		for _, h := range m.Hexes {
			if h.State != s {
				continue
			}
			drawn.states[s]++
			w.ring(rb.project(h.Boundary))
		}
		if pb.Len() > 0 {
			b.WriteString(`<path class="hex-` + stateClass(s) + `" fill="` + stateColour[s] +
				`" stroke="` + stateColour[s] + `" stroke-width="0.3" d="` + pb.String() + `"/>` + "\n")
		}
	}
	if d := outline; d != "" {
		b.WriteString(`<path fill="none" stroke="#444" stroke-width="1.2" stroke-linejoin="round" d="` + d + `"/>` + "\n")
	}
	// Sites are small grey marks under the dead-zone outlines: a
	// country's register puts thousands in a province's frame (7,219 in
	// Hà Nội's), and black squares of 6 units with a white border
	// covered a quarter of the map, the hexes' colours and the outlines
	// of the zones among them.
	inside := func(q orb.Point) bool { return bound.Contains(q) }
	if len(m.Sites) > 0 {
		var pb strings.Builder
		w := pathWriter{b: &pb}
		for _, s := range m.Sites {
			if inside(s) {
				x, y := p.tenths(s)
				w.square(x, y, siteHalf)
				drawn.sites++
			}
		}
		if pb.Len() > 0 {
			b.WriteString(`<path fill="` + siteColour + `" stroke="none" d="` + pb.String() + `"><title>sites</title></path>` + "\n")
		}
	}
	for _, z := range m.DeadZones {
		d := polygonPath(p, z.Outline)
		if d == "" {
			continue
		}
		b.WriteString(`<path fill="none" stroke="#000" stroke-width="2" stroke-linejoin="round" d="` + d + `"><title>` +
			esc(z.ID) + `</title></path>` + "\n")
	}
	if len(m.Villages) > 0 {
		// Uncertain villages first, so a dead village beside one stays on top.
		styles := []struct{ class, attrs string }{
			{"village-uncertain", `fill="#fff" stroke="#e66101" stroke-width="1.5" stroke-dasharray="3 2"`},
			{"village", `fill="#fff" stroke="#000" stroke-width="1.5"`},
			{"village-dead", `fill="#000" stroke="#fff" stroke-width="1"`},
		}
		for _, st := range styles {
			open := false
			for _, v := range m.Villages {
				if villageClass(v.Status, v.WithoutSignal) != st.class || !inside(v.Point) {
					continue
				}
				if !open {
					b.WriteString(`<g class="` + st.class + `" ` + st.attrs + ">\n")
					open = true
				}
				x, y := p.xy(v.Point)
				drawn.villages++
				if drawn.villageClass == nil {
					drawn.villageClass = map[string]int{}
				}
				drawn.villageClass[st.class]++
				title := v.Name
				if s := verdictText(v.Status, v.WithoutSignal); s != "" {
					title += ": " + s
				}
				if v.Status != "" && !math.IsNaN(v.PDead) {
					title += ", p_dead " + decimal(v.PDead, 2)
				}
				b.WriteString(`<circle cx="` + num(x) + `" cy="` + num(y) + `" r="5"><title>` + esc(title) + `</title></circle>` + "\n")
			}
			if open {
				b.WriteString("</g>\n")
			}
		}
	}
	// A dead zone drawn smaller than a village's mark (a zone of one or
	// two hexes on a province's map) lies hidden under the marks of its
	// villages: it is circled, above them, so that every zone the legend
	// counts can be seen.
	for _, z := range m.DeadZones {
		if polygonPath(p, z.Outline) == "" {
			continue
		}
		zb := z.Outline.Bound()
		x0, y0 := p.xy(zb.Min)
		x1, y1 := p.xy(zb.Max)
		w, h := math.Abs(x1-x0), math.Abs(y1-y0)
		if math.Max(w, h) >= zoneRingBelow {
			continue
		}
		r := math.Max(zoneRingR, math.Hypot(w, h)/2+3)
		b.WriteString(`<circle class="zone-ring" fill="none" stroke="#000" stroke-width="2" cx="` + num((x0+x1)/2) + `" cy="` +
			num((y0+y1)/2) + `" r="` + num(r) + `"><title>` + esc(z.ID) + `</title></circle>` + "\n")
		drawn.zoneRings++
	}
	scaleBar(&b, p)
	b.WriteString("</svg>")
	return template.HTML(b.String()), drawn, true
}

// A site's mark is a square of 2·siteHalf tenths of a unit (3 units,
// about 2.5 px on a map shown 820 px wide) in siteColour.
const (
	siteHalf   = 15
	siteColour = "#636363"
)

// A dead zone whose outline spans less than zoneRingBelow viewBox units is
// circled with a ring of at least zoneRingR units: a village's mark is a
// circle of radius 5 with a 1.5-unit stroke, which hides a one-hex zone
// (about 7 units across on a province's map) drawn beneath it.
const (
	zoneRingBelow = 24
	zoneRingR     = 9
)

// mapCounts counts what a map drew: hexes per state, villages and sites
// (points outside the map's bound are left out).
type mapCounts struct {
	states          [numStates]int
	villages, sites int
	// villageClass counts villages drawn per class (villageClass).
	villageClass map[string]int
	// zoneRings counts the dead zones circled, too small to be seen.
	zoneRings int
}

// scaleBar draws a bar of a round length near a fifth of the map's width
// in its lower left corner.
func scaleBar(b *strings.Builder, p projection) {
	km := niceStep(p.kmPerUnit() * p.w / 5)
	if !(km > 0) || math.IsInf(km, 0) {
		return
	}
	l := km / p.kmPerUnit()
	x, y := mapPad, p.h+mapScaleH/2
	b.WriteString(`<g class="scale"><path fill="none" stroke="#000" stroke-width="1.5" d="M` + num(x) + ` ` + num(y-6) +
		`v6h` + num(l) + `v-6"/><text x="` + num(x+l+4) + `" y="` + num(y) + `">` + label(km) + ` km</text></g>` + "\n")
}

func stateClass(s State) string {
	if s == StateNoData {
		return "nodata"
	}
	return s.String()
}

// esc escapes text for HTML and XML content and attributes.
func esc(s string) string { return template.HTMLEscapeString(clean(s)) }

// clean drops control characters (other than tab and newline) that XML
// forbids.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexFunc(s, isCtl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isCtl(r) {
			return -1
		}
		return r
	}, s)
}

func isCtl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f || r == 0xfffe || r == 0xffff
}
