package report

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/engine/scorecard"
	"github.com/paulmach/orb"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func est(v, lo, hi float64) *penetration.Estimate {
	return &penetration.Estimate{Value: v, Lower: lo, Upper: hi}
}

// testCard is three months of two provinces: Hà Giang improves, Lai Châu
// lacks smartphone data in the last month and its fibre regresses.
func testCard(t testing.TB) *scorecard.Card {
	t.Helper()
	var in []scorecard.AreaInput
	for m := 1; m <= 3; m++ {
		p := penetration.Period{Year: 2025, Month: time.Month(6 + m)}
		f := float64(m)
		in = append(in, scorecard.AreaInput{Area: "02", Period: p, Households: 230_000,
			DeadZones:         &scorecard.DeadZones{Villages: 20 - 3*f, Households: 1900 - 200*f, Hexes: []string{"88a", "88b"}[:1+m%2], VillageIDs: []string{"V1"}},
			Smartphone:        est(0.80+0.01*f, 0.78+0.01*f, 0.82+0.01*f),
			Fibre:             est(0.70+0.02*f, 0.69+0.02*f, 0.71+0.02*f),
			TwoGOnly:          est(0.06-0.005*f, 0.055-0.005*f, 0.065-0.005*f),
			MobileSubscribers: 400_000, Only2GSubscribers: (0.06 - 0.005*f) * 400_000,
			SpeedMobile: est(0.25+0.03*f, 0.2+0.03*f, 0.3+0.03*f), SpeedFixed: est(0.4, 0.35, 0.45)})
		lc := scorecard.AreaInput{Area: "12", Period: p, Households: 110_000,
			DeadZones: &scorecard.DeadZones{Villages: 40, Households: 5000},
			Fibre:     est(0.6-0.02*f, 0.58-0.02*f, 0.62-0.02*f),
			TwoGOnly:  est(0.08, 0.07, 0.09), MobileSubscribers: 200_000, Only2GSubscribers: 16_000}
		if m < 3 {
			lc.Smartphone = est(0.7, 0.68, 0.72)
		}
		in = append(in, lc)
	}
	card, err := scorecard.Build(in, scorecard.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return card
}

// hexGrid returns cols × rows pointy-top hexagons of circumradius r
// degrees of latitude from (lon0, lat0), closed rings, with states from
// state(i).
func hexGrid(lon0, lat0, r float64, cols, rows int, state func(i int) State) []Hex {
	cos := math.Cos(lat0 * math.Pi / 180)
	hs := make([]Hex, 0, cols*rows)
	for j := 0; j < rows; j++ {
		for i := 0; i < cols; i++ {
			cx := lon0 + (math.Sqrt(3)*r*(float64(i)+0.5*float64(j%2)))/cos
			cy := lat0 + 1.5*r*float64(j)
			ring := make(orb.Ring, 0, 7)
			for k := 0; k < 6; k++ {
				a := math.Pi/6 + float64(k)*math.Pi/3
				ring = append(ring, orb.Point{cx + r*math.Cos(a)/cos, cy + r*math.Sin(a)})
			}
			ring = append(ring, ring[0])
			hs = append(hs, Hex{Boundary: ring, State: state(len(hs))})
		}
	}
	return hs
}

func square(lon0, lat0, lon1, lat1 float64) orb.Polygon {
	return orb.Polygon{{{lon0, lat0}, {lon1, lat0}, {lon1, lat1}, {lon0, lat1}, {lon0, lat0}}}
}

func testReport(t testing.TB) *Report {
	hexes := hexGrid(104.9, 22.7, 0.02, 8, 6, func(i int) State {
		switch {
		case i%11 == 3:
			return StateUncovered
		case i%7 == 2:
			return StateWeak
		case i == 47:
			return StateNoData
		}
		return StateCovered
	})
	return &Report{
		Title:       "Báo cáo lõm sóng — tháng 9/2025",
		GeneratedAt: "2025-10-05 08:00 ICT",
		Period:      "2025-09",
		BoundarySet: "34 provinces (2025)",
		Notes:       []string{"Population from WorldPop 2020, scaled to the 2019 census.", "Demo data."},
		Areas:       []Area{{"02", "Hà Giang"}, {"12", "Lai Châu"}, {"VN", "Việt Nam"}},
		Scorecard:   testCard(t),
		DeadZones: []DeadZone{
			{ID: "DZ-88a", Households: 412, Hexes: 7, AreaKm2: 5.16, Villages: 2, Communes: []string{"Lũng Cú", "Má Lé"},
				Nearest: []NearestSite{{"Viettel", "VT-0012", 4200}, {"VNPT", "VN-77", 6900}}},
			{ID: "DZ-88b", Households: 96.4, Hexes: 2, AreaKm2: 1.47, Villages: -1, Communes: []string{"Sủng Là"}},
		},
		Provinces: []Province{{
			Code: "02",
			Map: &Map{
				Outline:   orb.MultiPolygon{square(104.88, 22.68, 105.25, 22.96)},
				Hexes:     hexes,
				DeadZones: []ZoneOutline{{ID: "DZ-88a", Outline: orb.MultiPolygon{{hexes[3].Boundary}}}},
				Villages:  []Place{{Name: "Thôn Lô Lô Chải", Point: orb.Point{105.0, 22.75}}},
				Sites:     []orb.Point{{105.1, 22.8}, {105.15, 22.85}, {106.5, 22.8}}, // the last is outside
			},
			DeadZones: []DeadZone{{ID: "DZ-88a", Households: 412, Hexes: 7, AreaKm2: 5.16, Villages: 2}},
			Notes:     []string{"Measurements from two drive tests."},
		}, {Code: "12"}},
		Plan: &PlanCurve{BudgetVND: 50e9, UpperBound: 3100,
			Points: []CurvePoint{{0, 0}, {8e9, 1200}, {19e9, 2100}, {33e9, 2600}, {47e9, 2850}}},
	}
}

func render(t testing.TB, r *Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// checkXML parses s strictly as XML and fails on the first error.
func checkXML(t *testing.T, what string, s []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(s))
	d.Strict = true
	depth, roots := 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: not well-formed XML: %v", what, err)
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	if depth != 0 || roots != 1 {
		t.Fatalf("%s: %d root elements, depth %d at the end", what, roots, depth)
	}
}

var external = regexp.MustCompile(`(?i)(\b(src|href|xlink:href|action|poster|data)\s*=\s*["']?\s*(https?:|//|data:|javascript:))|@import|url\(|<script|<link|<iframe|<img|<object|<embed`)

func checkOffline(t *testing.T, html []byte) {
	t.Helper()
	if m := external.Find(html); m != nil {
		t.Errorf("external reference or active content: %q", m)
	}
}

var svgRe = regexp.MustCompile(`(?s)<svg[ >].*?</svg>`)

func TestWellFormedAndOffline(t *testing.T) {
	html := render(t, testReport(t))
	checkXML(t, "page", html)
	checkOffline(t, html)
	svgs := svgRe.FindAll(html, -1)
	// National trends 5, plan 1, province 02: map 1 + trends 5, province 12: trends 5.
	if len(svgs) != 17 {
		t.Errorf("%d SVG elements, want 17", len(svgs))
	}
	for i, s := range svgs {
		checkXML(t, "svg "+string(rune('A'+i)), s)
	}
	for _, want := range []string{
		`id="summary"`, `id="scorecard"`, `id="alerts"`, `id="deadzones"`, `id="plan"`, `id="province-1"`, `id="notes"`,
		"Hà Giang", "Lũng Cú", "VT-0012 (4.2 km)", "Dead zone (lõm sóng) outline: 1", "Village counted without 3G/4G, not confirmed (likely, uncertain at or above the cut, or without a probability): 1", "Sites in the frame (of any province): 2",
		"New dead-zone hexes", "Regression: Households with fibre", "Data period: <strong>2025-09</strong>",
		"rank 1 of 2", "▼ -3 villages since last month (better)", "▼ -2.0 pp since last month (worse)",
	} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestNoExternalDetector(t *testing.T) {
	for _, bad := range []string{`<img src="http://x/y.png"/>`, `<a href="//cdn.example/x">`, `@import "x.css";`,
		`background:url(http://x)`, `<script>alert(1)</script>`, `<link rel="stylesheet" href="https://x"/>`} {
		if external.FindString(bad) == "" {
			t.Errorf("detector misses %q", bad)
		}
	}
	if m := external.FindString(`<a href="#province-1">x</a><svg xmlns="http://www.w3.org/2000/svg">`); m != "" {
		t.Errorf("detector flags in-page anchor or namespace: %q", m)
	}
}

func TestUnknownIsNotZero(t *testing.T) {
	p := penetration.Period{Year: 2025, Month: 9}
	card, err := scorecard.Build([]scorecard.AreaInput{{Area: "12", Period: p, Households: math.NaN()}}, scorecard.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	html := string(render(t, &Report{Title: "t", Scorecard: card}))
	checkXML(t, "page", []byte(html))
	// Every target of both rows (area and national) is unknown: the
	// national row's five cells, and the area on the line of the areas
	// without any figure.
	if n := strings.Count(html, `<span class="status unknown">unknown ?</span> <strong>unknown</strong>`); n != 5 {
		t.Errorf("%d unknown table cells, want 5", n)
	}
	if !strings.Contains(html, `<strong>every target unknown in 1 area</strong> (none counted as met or not met): 12<br/>`) {
		t.Errorf("area 12 is not on the line of the areas without figures")
	}
	for _, bad := range []string{"0.0%", ">0 villages", "met ✓", "not met ✗"} {
		if strings.Contains(html, bad) {
			t.Errorf("unknown data shown as %q", bad)
		}
	}
}

// A previous month without data gives "no data for …", never a change.
func TestNoChangeAgainstAMonthWithoutData(t *testing.T) {
	aug, sep := penetration.Period{Year: 2024, Month: 9}, penetration.Period{Year: 2024, Month: 10}
	prev := scorecard.AreaInput{Area: "12", Period: aug, Households: 1000, Fibre: est(0.5, 0.5, 0.5)}
	prev.Missing[scorecard.TargetDeadZones] = "no measurements in 2024-09"
	cur := scorecard.AreaInput{Area: "12", Period: sep, Households: 1000, Fibre: est(0.6, 0.6, 0.6),
		DeadZones: &scorecard.DeadZones{Villages: 5}}
	card, err := scorecard.Build([]scorecard.AreaInput{prev, cur}, scorecard.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	html := string(render(t, &Report{Title: "t", Period: "2024-10", Scorecard: card, Areas: []Area{{"12", "Lai Châu"}}}))
	checkXML(t, "page", []byte(html))
	if !strings.Contains(html, "no data for 2024-09: no change shown") || strings.Contains(html, "villages since last month") {
		t.Errorf("dead-zone change against a month without data:\n%s", html)
	}
	if !strings.Contains(html, "&#43;10.0 pp since last month (better)") {
		t.Errorf("fibre, known in both months, lost its change")
	}
	if !strings.Contains(html, "unknown, so no change shown") || !strings.Contains(html, "no subscriptions for 2024-10") ||
		strings.Contains(html, "no data for 2024-10") {
		t.Errorf("an unknown target of the month lacks its reason, or says no data beside it")
	}
}

// A national dead-zone count over areas of which one was not assessed is
// a lower bound: "at least", not met, never a total.
func TestPartialNationalDeadZones(t *testing.T) {
	oct := penetration.Period{Year: 2024, Month: 10}
	a := scorecard.AreaInput{Area: "12", Period: oct, Households: 1000, DeadZones: &scorecard.DeadZones{Villages: 3}}
	b := scorecard.AreaInput{Area: "14", Period: oct, Households: 1000, DeadZones: &scorecard.DeadZones{NoVillages: true, NoHouseholds: true}}
	card, err := scorecard.Build([]scorecard.AreaInput{a, b}, scorecard.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	html := string(render(t, &Report{Title: "t", Period: "2024-10", Scorecard: card, Areas: []Area{{"12", "Lai Châu"}, {"14", "Sơn La"}}}))
	checkXML(t, "page", []byte(html))
	if !strings.Contains(html, "at least 3 villages") || !strings.Contains(html, "areas not assessed are not counted") {
		t.Errorf("national lower bound not shown as one:\n%s", html)
	}
}

func TestEscaping(t *testing.T) {
	evil := `Bắc Kạn <script>alert("x")</script> & 'Đắk Lắk'`
	r := testReport(t)
	r.Title = evil
	r.Areas = append(r.Areas, Area{"02", evil})
	r.Areas[0].Name = evil
	r.Provinces[0].Map.Villages[0].Name = evil
	r.Provinces[0].Map.DeadZones[0].ID = evil
	r.DeadZones[0].Communes = []string{evil, "bad\x01control\xffbyte"}
	r.Notes = append(r.Notes, evil)
	html := render(t, r)
	checkXML(t, "page", html)
	checkOffline(t, html)
	if bytes.Contains(html, []byte("<script")) {
		t.Fatal("unescaped <script> in output")
	}
	want := `Bắc Kạn &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;Đắk Lắk&#39;`
	if n := bytes.Count(html, []byte(want)); n < 8 {
		t.Errorf("escaped name found %d times, want at least 8", n)
	}
	if !bytes.Contains(html, []byte("badcontrol\uFFFDbyte")) {
		t.Error("control character or invalid byte not cleaned")
	}
	for _, s := range svgRe.FindAll(html, -1) {
		checkXML(t, "svg", s)
	}
}

func TestDeterministic(t *testing.T) {
	a := render(t, testReport(t))
	b := render(t, testReport(t))
	if !bytes.Equal(a, b) {
		t.Fatal("two renders of the same report differ")
	}
}

func TestProjectionKnownAnswers(t *testing.T) {
	// A 1° square at 20–21°N: cos 20.5° = 0.936672189, so the width is
	// 980 · 0.936672 + 20 = 937.94 and the height 1000.
	b := orb.Bound{Min: orb.Point{105, 20}, Max: orb.Point{106, 21}}
	p := fit(b, 1000, 1000, 10)
	cos := math.Cos(20.5 * math.Pi / 180)
	near := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %.12g, want %.12g", name, got, want)
		}
	}
	near("width", p.w, 980*cos+20)
	near("height", p.h, 1000)
	for _, c := range []struct {
		q    orb.Point
		x, y float64
	}{
		{orb.Point{105, 21}, 10, 10},
		{orb.Point{106, 21}, 10 + 980*cos, 10},
		{orb.Point{106, 20}, 10 + 980*cos, 990},
		{orb.Point{105.5, 20.5}, 10 + 490*cos, 500},
	} {
		x, y := p.xy(c.q)
		near("x", x, c.x)
		near("y", y, c.y)
	}
	// A wide box is limited by its width: 2° × 0.5° at the equator.
	p = fit(orb.Bound{Min: orb.Point{0, -0.25}, Max: orb.Point{2, 0.25}}, 1000, 1000, 10)
	near("wide width", p.w, 1000)
	near("wide height", p.h, 0.5*490*math.Cos(0)+20)

	// The square as a map outline: path data in tenths, relative lines.
	m := &Map{Outline: orb.MultiPolygon{square(105, 20, 106, 21)}}
	svg, _, ok := mapSVG(m, "square")
	if !ok {
		t.Fatal("empty map")
	}
	// (105,20)→(10,990); east 917.9 (979.94 rounds to 917.9 from 927.94−10);
	// north 980 up; west back.
	if want := `d="M10 990l917.9 0 0-980-917.9 0z"`; !strings.Contains(string(svg), want) {
		t.Errorf("outline path: want %s in\n%s", want, svg)
	}
	if want := `viewBox="0 0 937.9 1028"`; !strings.Contains(string(svg), want) {
		t.Errorf("want %s in\n%s", want, svg)
	}
}

func TestPathWriter(t *testing.T) {
	var b strings.Builder
	w := pathWriter{b: &b}
	w.ring([]int64{5, 25, 25, 5}, []int64{10, 10, -3, 10})
	w.ring([]int64{100, 101, 100}, []int64{100, 100, 100})
	w.square(0, 0, 30)
	if got, want := b.String(), "M.5 1l2 0 0-1.3z"+"m9.5 9l.1 0z"+"m-13-13h6v6h-6z"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestMapSize(t *testing.T) {
	for _, c := range []struct {
		hexes    int
		maxBytes int
	}{{10_000, 1 << 20}, {20_000, 2 << 20}} {
		cols := 100
		hs := hexGrid(103.5, 21.5, 0.0045, cols, c.hexes/cols, func(i int) State { return State(1 + (i/37+i%5)%3) })
		r := &Report{Title: "size", Provinces: []Province{{Code: "X", Map: &Map{Hexes: hs}}}}
		html := render(t, r)
		t.Logf("%d hexes: page %d bytes (%.0f bytes per hex)", c.hexes, len(html), float64(len(html))/float64(c.hexes))
		if len(html) > c.maxBytes {
			t.Errorf("%d hexes: page %d bytes, want at most %d", c.hexes, len(html), c.maxBytes)
		}
		if c.hexes == 10_000 {
			checkXML(t, "page", html)
		}
	}
}

func TestGolden(t *testing.T) {
	html := render(t, testReport(t))
	path := filepath.Join("testdata", "report.html")
	if *update {
		if err := os.WriteFile(path, html, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(html, want) {
		t.Errorf("output differs from %s (run go test -update and review the file in a browser)", path)
	}
}

func TestNilAndEmpty(t *testing.T) {
	if err := Write(io.Discard, nil); err == nil {
		t.Error("nil report: no error")
	}
	html := render(t, &Report{Title: "empty", Provinces: []Province{{Code: "01", Map: &Map{}}}})
	checkXML(t, "page", html)
	if bytes.Contains(html, []byte("<svg")) {
		t.Error("empty map drew an SVG")
	}
}

// Villages are drawn and listed by their verdict's class: a confirmed
// dead village filled, a likely dead one hollow, an uncertain one dashed
// and named uncertain with its p_dead; the legend counts each class; the
// table lists them in the given order with their evidence, unknown
// numbers as "unknown", never 0.
func TestVillagesByStatus(t *testing.T) {
	p := &Province{Code: "02", Name: "Hà Giang",
		Map: &Map{Outline: orb.MultiPolygon{{{{104.9, 22.7}, {105.1, 22.7}, {105.1, 22.9}, {104.9, 22.9}, {104.9, 22.7}}}},
			Villages: []Place{
				{Name: "Thôn A", Point: orb.Point{105.0, 22.75}, Status: "confirmed_dead", PDead: 0.99, WithoutSignal: true},
				{Name: "Thôn B", Point: orb.Point{105.0, 22.80}, Status: "likely_dead", PDead: 0.85, WithoutSignal: true},
				{Name: "Thôn C", Point: orb.Point{105.0, 22.85}, Status: "uncertain", PDead: 0.41},
				// Uncertain but over the cut (0.5): counted without 3G/4G.
				{Name: "Thôn E", Point: orb.Point{105.05, 22.85}, Status: "uncertain", PDead: 0.62, WithoutSignal: true},
			}},
		Villages: []VillageRow{
			{ID: "V1", Name: "Thôn A", Commune: "Lũng Cú", Households: 40, Status: "confirmed_dead", WithoutSignal: true, PDead: 0.99,
				Best: "viettel 3G", BestMeanDBm: -112, BestSigmaDB: 3, Tests: 12, NoService: 5, NearestTestM: 20},
			{ID: "V3", Name: "Thôn C", Commune: "Lũng Cú", Households: 25, Status: "uncertain", PDead: 0.41,
				Best: "mobifone 4G", BestMeanDBm: -106, BestSigmaDB: 7, NearestTestM: math.NaN()},
			{ID: "V9", Name: "Thôn D", Households: 10, PDead: math.NaN(), BestMeanDBm: math.NaN(), BestSigmaDB: math.NaN(), NearestTestM: math.NaN(), WithoutSignal: true},
			{ID: "V5", Name: "Thôn E", Commune: "Lũng Cú", Households: 30, Status: "uncertain", WithoutSignal: true, PDead: 0.62,
				Best: "viettel 3G", BestMeanDBm: -101, BestSigmaDB: 6, NearestTestM: math.NaN()},
		}}
	var buf bytes.Buffer
	if err := Write(&buf, &Report{Title: "t", Provinces: []Province{*p}}); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{
		`class="village-dead"`, `class="village-uncertain"`, `stroke-dasharray="3 2"`,
		"Thôn C: uncertain, p_dead 0.41", "Thôn A: confirmed without 3G/4G, p_dead 0.99",
		"Village confirmed without 3G/4G (p_dead ≥ 0.95): 1",
		"Village counted without 3G/4G, not confirmed (likely, uncertain at or above the cut, or without a probability): 2",
		"Village uncertain, counted as served (0.2 &lt; p_dead, below the cut): 1",
		`<td class="village" data-label="Verdict">uncertain, counted without 3G/4G</td>`,
		"Villages without 3G/4G or uncertain", `<td class="village-uncertain" data-label="Verdict">uncertain</td>`, "-106 ± 7 dBm", "12 (5 no service)",
		"Thôn D (V9)", "<td class=\"num\" data-label=\"p_dead\">unknown</td>",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	a, c := strings.Index(html, "Thôn A (V1)"), strings.Index(html, "Thôn C (V3)")
	if a < 0 || c < a {
		t.Errorf("table order: Thôn A at %d, Thôn C at %d", a, c)
	}
}

// TestFilesSection checks the links to files beside the report: relative,
// escaped, in their own section and in the navigation; none without files.
func TestFilesSection(t *testing.T) {
	r := testReport(t)
	if html := render(t, r); bytes.Contains(html, []byte(`id="files"`)) {
		t.Error("a files section without files")
	}
	r.Files = []File{{Name: "lomsong-2025-09.gpkg", Href: "export/lomsong-2025-09.gpkg", Text: "GeoPackage <all layers>"}}
	html := render(t, r)
	checkXML(t, "page", html)
	checkOffline(t, html)
	for _, want := range []string{`<section id="files">`, `<a href="export/lomsong-2025-09.gpkg">lomsong-2025-09.gpkg</a>: GeoPackage &lt;all layers&gt;`, `href="#files"`} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestMoney(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{{2.6544e9, "2.65bn"}, {772082, "772082"}, {772.1e6, "772.1M"}, {-3.2e6, "-3.2M"}, {999999, "999999"}, {1e9, "1.00bn"}, {math.NaN(), "-"}} {
		if got := Money(c.v); got != c.want {
			t.Errorf("Money(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

// TestOffAirSection: the off-air masts get their section (escaped, the
// area by name, the left-out count) and none without masts.
func TestOffAirSection(t *testing.T) {
	r := &Report{Title: "t", Areas: []Area{{Code: "12", Name: "Lai Châu"}}, OffAir: []OffAirMast{
		{Carrier: "viettel", Mast: "VTL<1>", Sectors: 9, Area: "12", Lon: 103.17093, Lat: 22.2432, Observations: 6, MedianResidualDB: -15.84, POff: 0.7681},
		{Carrier: "mobifone", Mast: "MBF-2", Sectors: 3, Lon: 105, Lat: 21, Observations: 4, MedianResidualDB: math.NaN(), POff: 0.5},
	}, OffAirMore: 1234}
	var b bytes.Buffer
	if err := Write(&b, r); err != nil {
		t.Fatal(err)
	}
	h := b.String()
	for _, want := range []string{`id="offair"`, "VTL&lt;1&gt;", "Lai Châu", "22.24320, 103.17093", "-15.8 dB", "0.768", "… and 1,234 more", `href="#offair"`} {
		if !strings.Contains(h, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	r.OffAir, r.OffAirMore = nil, 0
	b.Reset()
	if err := Write(&b, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), `id="offair"`) {
		t.Error("an off-air section without masts")
	}
}

// A share's change that rounds to 0.0 pp is no change: no arrow, not
// "worse" (a −0.02 pp change read "▼ 0.0 pp since last month (worse)").
func TestChangeRoundingToZeroIsNoChange(t *testing.T) {
	sep, oct := penetration.Period{Year: 2024, Month: 9}, penetration.Period{Year: 2024, Month: 10}
	prev := scorecard.AreaInput{Area: "12", Period: sep, Households: 1000, Fibre: est(0.5002, 0.5002, 0.5002)}
	cur := scorecard.AreaInput{Area: "12", Period: oct, Households: 1000, Fibre: est(0.5, 0.5, 0.5)}
	card, err := scorecard.Build([]scorecard.AreaInput{prev, cur}, scorecard.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	html := string(render(t, &Report{Title: "t", Period: "2024-10", Scorecard: card, Areas: []Area{{"12", "Lai Châu"}}}))
	if strings.Contains(html, "0.0 pp since last month (worse)") || !strings.Contains(html, "no change since last month") {
		t.Errorf("a −0.02 pp change:\n%s", html)
	}
}

// TestPlanSectionAmounts: amounts are said in the unit that shows them
// (50.0 billion, 40.0 million, not "0.0 billion"), and a budget that funds
// nothing is said in words, with no curve drawn.
func TestPlanSectionAmounts(t *testing.T) {
	r := testReport(t)
	page := string(render(t, r))
	if !strings.Contains(page, "The plan reaches 2,850 households for 47.0 billion VND within a budget of 50.0 billion VND") {
		t.Errorf("plan text: %.300s", page[strings.Index(page, `id="plan"`):])
	}
	// Nothing funded, for each reason: the budget, no option, no dead
	// zone (which read "give a larger --budget" too).
	for _, c := range []struct {
		plan *PlanCurve
		want string
	}{
		{&PlanCurve{BudgetVND: 4e7, Points: []CurvePoint{{0, 0}}, Reachable: 120, Options: 3}, "No site or agreement fits within the budget of 40.0 million VND"},
		{&PlanCurve{BudgetVND: 4e7, Points: []CurvePoint{{0, 0}}, Reachable: 120}, "No candidate site or agreement reaches the 120 households of the dead zones: nothing to fund"},
		{&PlanCurve{BudgetVND: 4e7, Points: []CurvePoint{{0, 0}}}, "No dead zone (and no gap an agreement would serve): nothing to fund."},
	} {
		r.Plan = c.plan
		page = string(render(t, r))
		i := strings.Index(page, `id="plan"`)
		if i < 0 {
			t.Fatal("no plan section")
		}
		sec := page[i : i+strings.Index(page[i:], "</section>")]
		if !strings.Contains(sec, c.want) || strings.Contains(sec, "<svg") {
			t.Errorf("nothing funded, want %q: %s", c.want, sec)
		}
	}
	// No dead-zone households, yet villages without 3G/4G (a population
	// table that leaves them out): said so, not "no dead zone".
	r.Plan = &PlanCurve{BudgetVND: 4e7, Points: []CurvePoint{{0, 0}}}
	r.Provinces = append(r.Provinces, Province{Code: "99", Villages: []VillageRow{
		{ID: "V1", Name: "Bản Một", Status: "likely_dead", WithoutSignal: true, PDead: 0.9, BestMeanDBm: math.NaN(), BestSigmaDB: math.NaN(), NearestTestM: math.NaN()},
		{ID: "V2", Name: "Bản Hai", Status: "confirmed_dead", WithoutSignal: true, PDead: 1, BestMeanDBm: math.NaN(), BestSigmaDB: math.NaN(), NearestTestM: math.NaN()}}})
	page = string(render(t, r))
	i := strings.Index(page, `id="plan"`)
	sec := page[i : i+strings.Index(page[i:], "</section>")]
	if n := villagesWithoutSignal(r); !strings.Contains(sec, fmt.Sprintf("yet %d villages are without 3G/4G", n)) || n < 2 || strings.Contains(sec, "No dead zone (and no gap") {
		t.Errorf("no dead-zone households but villages without signal: %s", sec)
	}
	if got := vnd(1); got != "1 VND" {
		t.Errorf("vnd(1) = %q", got)
	}
}

// The ground between a map's hexes is named for what it is: on a map of
// populated hexes only (a report of every province) hexes with tests but
// no households are not drawn, not "no tests".
func TestLegendGround(t *testing.T) {
	outline := orb.MultiPolygon{{{{103, 22}, {104, 22}, {104, 23}, {103, 22}}}}
	text := func(m *Map) string {
		for _, it := range legend(m, mapCounts{}) {
			if it.Key == "outside" {
				return it.Text
			}
		}
		return ""
	}
	if got := text(&Map{Outline: outline, PopulatedOnly: true}); !strings.HasPrefix(got, "Not drawn: hexes without households") {
		t.Errorf("populated hexes only: %q", got)
	}
	if got := text(&Map{Outline: outline}); got != "Not analysed: no households and no tests" {
		t.Errorf("every hex: %q", got)
	}
}

// A province's villages past the first maxVillages are counted, and the
// note names where they all are: the report's folder holds no villages.csv.
func TestVillagesBeyondTheListAreNamed(t *testing.T) {
	vs := make([]VillageRow, maxVillages+3)
	for i := range vs {
		vs[i] = VillageRow{ID: "V" + strings.Repeat("1", i+1), Status: "likely_dead", WithoutSignal: true, PDead: 0.8}
	}
	rows, more := villageRows(vs)
	if len(rows) != maxVillages || !strings.HasPrefix(more, "and 3 more: ") || !strings.Contains(more, "lomsong deadzones") {
		t.Errorf("%d rows, note %q", len(rows), more)
	}
	if rows, more := villageRows(vs[:maxVillages]); len(rows) != maxVillages || more != "" {
		t.Errorf("exactly %d villages: %d rows, note %q", maxVillages, len(rows), more)
	}
}

// A dead-zone change between months measured on other carriers is shown
// with the scorecard's reason, not as better or worse (a November with
// two carriers' tests read "▼ -8 villages since last month (better)").
func TestDeadZoneChangeNotLikeWithLike(t *testing.T) {
	sep, oct := penetration.Period{Year: 2024, Month: 9}, penetration.Period{Year: 2024, Month: 10}
	all := []string{"mobifone", "vietnamobile", "viettel", "vinaphone"}
	for _, tc := range []struct {
		name   string
		before *scorecard.Evidence
		want   string
	}{
		{"carriers missing", &scorecard.Evidence{Carriers: []string{"mobifone", "viettel"}, Rows: 13907},
			"▲ &#43;2 villages since last month, not like with like: 2024-09 has no measurements of vietnamobile, vinaphone"},
		{"like with like", &scorecard.Evidence{Carriers: all, Rows: 18000}, "▲ &#43;2 villages since last month (worse)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prev := scorecard.AreaInput{Area: "12", Period: sep, Households: 1000,
				DeadZones: &scorecard.DeadZones{Villages: 1, Households: 10, VillageIDs: []string{"V1"}, Hexes: []string{"h1"}, Evidence: tc.before}}
			cur := scorecard.AreaInput{Area: "12", Period: oct, Households: 1000,
				DeadZones: &scorecard.DeadZones{Villages: 3, Households: 30, VillageIDs: []string{"V1", "V2", "V3"}, Hexes: []string{"h1", "h2"},
					Evidence: &scorecard.Evidence{Carriers: all, Rows: 19053}}}
			card, err := scorecard.Build([]scorecard.AreaInput{prev, cur}, scorecard.DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			html := string(render(t, &Report{Title: "t", Period: "2024-10", Scorecard: card, Areas: []Area{{"12", "Lai Châu"}}}))
			if !strings.Contains(html, tc.want) {
				t.Errorf("want %q in the page", tc.want)
			}
		})
	}
}

// A zone's villages judged served are shown beside its village count: its
// households are those without 3G/4G, not its served villages'.
func TestZoneServedVillages(t *testing.T) {
	zs := zones([]DeadZone{{ID: "DZ-1", Households: 192, Hexes: 1, Villages: 4, VillagesServed: 2}, {ID: "DZ-2", Households: 5, Hexes: 1, Villages: 1}})
	if got := zs[0].Villages; got != "4 (2 served)" {
		t.Errorf("villages %q, want %q", got, "4 (2 served)")
	}
	if got := zs[1].Villages; got != "1" {
		t.Errorf("villages %q, want %q", got, "1")
	}
}

// A zone's villages counted as served on an uncertain verdict are shown as
// uncertain beside its village count, as the villages table and the map
// show them, not as served ("2 (1 served)" stood beside a zone whose other
// village the table called uncertain).
func TestZoneUncertainVillagesNotServed(t *testing.T) {
	zs := zones([]DeadZone{
		{ID: "DZ-1", Households: 88, Hexes: 1, Villages: 2, VillagesServed: 1, VillagesUncertain: 1},
		{ID: "DZ-2", Households: 56, Hexes: 1, Villages: 4, VillagesServed: 3, VillagesUncertain: 1},
	})
	for i, want := range []string{"2 (1 uncertain)", "4 (2 served, 1 uncertain)"} {
		if got := zs[i].Villages; got != want {
			t.Errorf("zone %d: villages %q, want %q", i+1, got, want)
		}
	}
}

// The goal's label hides no value: with the last months' smartphone shares
// at 93–96% under a goal of 100%, "goal 100%" at the right end above the
// line sat on them (drawn last on its halo, it blotted out September's
// 96.4%, the month a regression alert compares with).
func TestGoalLabelHidesNoPoint(t *testing.T) {
	var tr trend
	tr.title, tr.goal, tr.goalTxt, tr.zero = "2. Households with a smartphone", 1, "goal 100%", true
	tr.tick = func(v float64) string { return label(100*v) + "%" }
	for i, v := range []float64{0.85, 0.86, 0.88, 0.90, 0.92, 0.93, 0.93, 0.90, 0.93, 0.964, 0.934} {
		tr.labels = append(tr.labels, fmt.Sprintf("2024-%02d", i))
		tr.points = append(tr.points, trendPoint{v: v, lo: v - 0.02, hi: min(v+0.02, 1)})
	}
	svg := string(trendSVG(tr))
	m := regexp.MustCompile(`<text x="([0-9.]+)" y="([0-9.]+)" text-anchor="(start|end)" fill="#a33f00"[^>]*>goal 100%</text>`).FindStringSubmatch(svg)
	if m == nil {
		t.Fatalf("no goal label in %s", svg)
	}
	x, _ := strconv.ParseFloat(m[1], 64)
	y, _ := strconv.ParseFloat(m[2], 64)
	x0, x1 := x-60, x
	if m[3] == "start" {
		x0, x1 = x, x+60
	}
	at := strings.Index(svg, m[0])
	for _, c := range regexp.MustCompile(`<circle cx="([0-9.]+)" cy="([0-9.]+)"`).FindAllStringSubmatchIndex(svg, -1) {
		cx, _ := strconv.ParseFloat(svg[c[2]:c[3]], 64)
		cy, _ := strconv.ParseFloat(svg[c[4]:c[5]], 64)
		// A point under the label's box must be drawn after it (over it).
		if cx >= x0-3 && cx <= x1+3 && cy >= y-12 && cy <= y+5 && c[0] < at {
			t.Errorf("goal label at (%s, %s, %s) covers the point at (%.1f, %.1f)", m[1], m[2], m[3], cx, cy)
		}
	}
}

// Where a place on the goal's line is free of data, the label goes there,
// over everything: 2G-only phones falling from 21% to 7.4% under a goal of
// 5% leave room below the line, where above it at the right end the label
// sat on the last months.
func TestGoalLabelFreePlace(t *testing.T) {
	var tr trend
	tr.title, tr.goal, tr.goalTxt, tr.zero = "4. 2G-only phones", 0.05, "goal 5%", true
	tr.tick = func(v float64) string { return label(100*v) + "%" }
	for i, v := range []float64{0.21, 0.19, 0.17, 0.15, 0.13, 0.11, 0.10, 0.09, 0.085, 0.078, 0.074} {
		tr.labels = append(tr.labels, fmt.Sprintf("2024-%02d", i))
		tr.points = append(tr.points, trendPoint{v: v, lo: v - 0.001, hi: v + 0.001})
	}
	svg := string(trendSVG(tr))
	m := regexp.MustCompile(`<text x="([0-9.]+)" y="([0-9.]+)" text-anchor="(start|end)" fill="#a33f00"[^>]*>goal 5%</text>`).FindStringSubmatch(svg)
	if m == nil {
		t.Fatalf("no goal label in %s", svg)
	}
	if strings.Index(svg, m[0]) < strings.LastIndex(svg, "<circle") {
		t.Errorf("a goal label with a free place is drawn under the data")
	}
	x, _ := strconv.ParseFloat(m[1], 64)
	y, _ := strconv.ParseFloat(m[2], 64)
	x0, x1 := x-50, x
	if m[3] == "start" {
		x0, x1 = x, x+50
	}
	for _, c := range regexp.MustCompile(`<circle cx="([0-9.]+)" cy="([0-9.]+)"`).FindAllStringSubmatch(svg, -1) {
		cx, _ := strconv.ParseFloat(c[1], 64)
		cy, _ := strconv.ParseFloat(c[2], 64)
		if cx >= x0-3 && cx <= x1+3 && cy >= y-12 && cy <= y+5 {
			t.Errorf("goal label at (%s, %s, %s) covers the point at (%.1f, %.1f)", m[1], m[2], m[3], cx, cy)
		}
	}
}

// The areas without any figure for the month are one line of the
// scorecard table, after the areas with figures, naming each and the
// reason: a national report of one province's data had 33 rows of five
// cells each repeating "no data for the area in 2024-10 (…)", five
// screens burying the one province with figures.
func TestScorecardTableAreasWithoutFigures(t *testing.T) {
	p := penetration.Period{Year: 2025, Month: 9}
	in := []scorecard.AreaInput{{Area: "12", Period: p, Households: 110_000,
		DeadZones: &scorecard.DeadZones{Villages: 4, Households: 500},
		Fibre:     est(0.6, 0.58, 0.62), TwoGOnly: est(0.08, 0.07, 0.09), MobileSubscribers: 200_000, Only2GSubscribers: 16_000},
		{Area: "01", Period: p, Households: math.NaN()}, {Area: "04", Period: p, Households: math.NaN()}}
	card, err := scorecard.Build(in, scorecard.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	r := &Report{Title: "t", Scorecard: card, Areas: []Area{{Code: "01", Name: "Hà Nội"}, {Code: "04", Name: "Cao Bằng"}, {Code: "12", Name: "Lai Châu"}}}
	html := string(render(t, r))
	checkXML(t, "page", []byte(html))
	row := regexp.MustCompile(`<tr class="nodata"><td colspan="7">.*?</td></tr>`).FindAllString(html, -1)
	if len(row) != 1 {
		t.Fatalf("%d lines of areas without figures, want 1: %q", len(row), row)
	}
	for _, want := range []string{"every target unknown in 2 areas", "01 Hà Nội, 04 Cao Bằng", "2. Households with a smartphone: no subscriptions for 2025-09"} {
		if !strings.Contains(row[0], want) {
			t.Errorf("line %q lacks %q", row[0], want)
		}
	}
	if strings.Contains(html, "<td>01 Hà Nội</td>") || !strings.Contains(html, "Lai Châu</td>") {
		t.Errorf("rows: an area without figures has its own row, or the one with figures has none")
	}
}

// A target's interval says what it is in the page, as the scorecard's
// table and files do: "interval 3.1 to 4.2%" did not say whether it was a
// 95% Wilson interval or a sensitivity range, which is no confidence
// interval at all.
func TestIntervalSaysWhatItIs(t *testing.T) {
	oct := penetration.Period{Year: 2024, Month: 10}
	twoG := penetration.TwoGOnlyShare(penetration.Subscription{MobileSubscribers: 5000, Only2GSubscribers: 180}, 0.95)
	smart := penetration.Estimate{Value: 0.9, Lower: 0.85, Upper: 0.95, Interval: penetration.IntervalSensitivity, Method: penetration.MethodSmartphoneModel}
	in := scorecard.AreaInput{Area: "12", Period: oct, Households: 1000, TwoGOnly: &twoG, Smartphone: &smart,
		Only2GSubscribers: 180, MobileSubscribers: 5000}
	card, err := scorecard.Build([]scorecard.AreaInput{in}, scorecard.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	html := string(render(t, &Report{Title: "t", Period: "2024-10", Scorecard: card, Areas: []Area{{"12", "Lai Châu"}}}))
	for _, want := range []string{"95% Wilson score interval (binomial counts): 3.1 to 4.2%",
		"sensitivity range over a model parameter&#39;s plausible values (not a confidence interval): 85.0 to 95.0%"} {
		if !strings.Contains(html, want) {
			t.Errorf("want %q in the page", want)
		}
	}
}
