package report

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/engine/scorecard"
	"github.com/lomsong/lomsong/internal/plural"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// Limits on what a page lists, to keep it readable.
const (
	maxAlertItems = 12 // ids listed per alert
	maxCommunes   = 4  // communes listed per dead zone
	maxZones      = 20 // dead zones listed in the whole report's table
	maxVillages   = 40 // villages listed per province
	maxNoData     = 60 // areas named per line of areas without figures
	maxTrendMonth = 36 // months in a trend chart
)

// NoCommune stands in a villages table's Commune column, and a dead
// zone's Communes, for a place no commune was attributed to (the village's
// own code names no commune of its province in the commune set and its
// point lies in none, or it has no code): the name the GeoPackage's
// communes_summary gives the row of such places.
const NoCommune = "(no commune)"

// Write renders r as one self-contained HTML page to w: inline CSS and
// SVG, no scripts and no external fonts, images, styles or links, so it
// opens in a browser without a network. The markup is also well-formed
// XML (XHTML). All text from r is escaped. The same r always gives the
// same bytes. The page is rendered in memory and written with one Write.
func Write(w io.Writer, r *Report) error {
	if r == nil {
		return errors.New("report: nil report")
	}
	p := build(r)
	var buf bytes.Buffer
	if err := page.Execute(&buf, p); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

type view struct {
	Title, GeneratedAt, Period, BoundarySet string
	Nav                                     []link
	Glance                                  *glance
	Table                                   *table
	Trends                                  []template.HTML
	Alerts                                  []alertView
	HasCard                                 bool
	Zones                                   []zoneView
	ZonesMore                               string
	Plan                                    template.HTML
	PlanText                                string
	Provinces                               []provView
	Notes, Rules                            []string
	Files                                   []File
	OffAir                                  []offAirView
	OffAirMore                              string
	// Carriers lists the carriers analysed with their evidence;
	// CarriersNote says what that means for the dead zones.
	Carriers, CarriersNote string
	// AlertsNote says which targets known this month were not compared
	// with the month before, so raised no alert (empty: all were).
	AlertsNote string
	// ProvinceNav links the province sections in alphabetical order as
	// Vietnamese sorts names (provNav), each with its figure of target
	// 1; ProvinceNavText introduces them.
	ProvinceNav     []provLink
	ProvinceNavText string
}

type offAirView struct {
	Carrier, Mast, Sectors, Area, Position, Observations, Residual, POff string
}

type link struct{ ID, Text string }

// provLink is a province's link at the top of the page: Count is its
// figure of target 1 in the month ("31 villages", "unknown"), empty when
// the report has no scorecard.
type provLink struct{ ID, Text, Count string }

type tile struct {
	Name, Goal, Value, Interval, Status, StatusText, Change, ChangeClass, Rank string
	Reason                                                                     string // why the status is unknown
	// Notes are the issues of a known figure (met or not met) that the
	// scorecard lists under "notes on the figures shown": a count problem
	// found in the inputs, what the figure leaves out.
	Notes string
	// IntervalKind and IntervalRange are Interval's two halves, "95%
	// Wilson score interval (binomial counts)" and "3.1 to 4.2%", the
	// kind said once in the head of a scorecard table's column when most
	// of its rows share it (shared).
	IntervalKind, IntervalRange string
	// Shared, in a scorecard table's head, are the texts most of the
	// column's cells share, said there once instead of in each cell.
	Shared []string
	// Label, in a scorecard table's cell, is its column's name, the
	// cell's data-label: on a narrow screen each row is laid out as a
	// card of label and value lines.
	Label string
}

type glance struct {
	Area, Period, Met string
	Tiles             []tile
}

type table struct {
	Period string
	Head   []tile
	Rows   []tableRow
	// NoData are the areas with every target unknown, one line per set
	// of reasons, after Rows: 33 rows of five cells each repeating "no
	// data for the area" buried the one province with figures.
	NoData []noDataRow
}

// noDataRow is a set of areas without any figure for the month, and why.
type noDataRow struct {
	Areas  []link // ID empty where the area has no section
	Reason string
	// Count is the number of such areas (CountText as the page writes
	// it); More says how many of them Areas leaves out (the first
	// maxNoData are named).
	Count           int
	CountText, More string
}

type tableRow struct {
	National         bool
	Link, Code, Name string
	Cells            []tile
	Met              string
}

type alertView struct{ Period, Area, Kind, Message, Items string }

type zoneView struct {
	Rank                                                     int
	ID, Households, Hexes, Area, Villages, Communes, Nearest string
}

type legendItem struct{ Key, Text string }

type provView struct {
	ID, Code, Name string
	Glance         *glance
	Map            template.HTML
	Legend         []legendItem
	Trends         []template.HTML
	Alerts         []alertView
	HasCard        bool
	Zones          []zoneView
	Villages       []villageView
	MoreVillages   string
	Expected       string
	Communes       []communeView
	CommunesNote   string
	Notes          []string
	AlertsNote     string
}

type rankKey struct {
	target scorecard.Target
	period penetration.Period
}

type rowKey struct {
	area   string
	period penetration.Period
}

// builder holds the lookups of one rendering.
type builder struct {
	r      *Report
	card   *scorecard.Card
	names  map[string]string
	rows   map[rowKey]int
	ranked map[rankKey]int // number of ranked areas per target and month
	period penetration.Period
}

func build(r *Report) view {
	b := &builder{r: r, card: r.Scorecard, names: map[string]string{}, rows: map[rowKey]int{}, ranked: map[rankKey]int{}}
	for _, a := range r.Areas {
		b.names[a.Code] = clean(a.Name)
	}
	// The card names the areas the boundary set does not hold, the national
	// row first (Việt Nam), which the page would otherwise show by its code
	// alone ("At a glance: VN", "VN (national)").
	if r.Scorecard != nil {
		for code, n := range r.Scorecard.Names {
			if b.names[code] == "" && n != "" {
				b.names[code] = clean(n)
			}
		}
	}
	v := view{Title: clean(r.Title), GeneratedAt: clean(r.GeneratedAt), Period: clean(r.Period), BoundarySet: clean(r.BoundarySet)}
	if b.card != nil && len(b.card.Rows) > 0 {
		v.HasCard = true
		for i, row := range b.card.Rows {
			b.rows[rowKey{row.Area, row.Period}] = i
			for t, res := range row.Targets {
				if res.Rank > 0 {
					b.ranked[rankKey{scorecard.Target(t), row.Period}]++
				}
			}
		}
		b.period = b.card.Rows[len(b.card.Rows)-1].Period
		if p, err := penetration.ParsePeriod(r.Period); err == nil {
			if _, ok := b.anyRow(p); ok {
				b.period = p
			}
		}
		if v.Period == "" {
			v.Period = b.period.String()
		}
		national := b.card.Config.National
		v.Glance = b.glance(national)
		v.Table = b.table()
		v.Trends = b.trends(national)
		v.Alerts = b.alerts("")
		v.AlertsNote = b.uncompared("")
		v.Nav = append(v.Nav, link{"summary", "At a glance"}, link{"scorecard", "Scorecard"}, link{"alerts", "Alerts"})
		v.Rules = b.rules()
	}
	v.Carriers, v.CarriersNote = carriers(r.Carriers)
	if len(r.DeadZones) > 0 {
		zs := r.DeadZones
		if len(zs) > maxZones {
			zs = zs[:maxZones]
			v.ZonesMore = fmt.Sprintf("… and %s more: every dead zone is in deadzones.csv, which lomsong deadzones and lomsong run --out write.", count(float64(len(r.DeadZones)-maxZones)))
		}
		v.Zones = zones(zs)
		v.Nav = append(v.Nav, link{"deadzones", "Top dead zones"})
	}
	for _, m := range r.OffAir {
		area := clean(m.Area)
		if n := b.names[m.Area]; n != "" {
			area = n
		}
		res := "–"
		if finite(m.MedianResidualDB) {
			res = fmt.Sprintf("%+.1f dB", m.MedianResidualDB)
		}
		v.OffAir = append(v.OffAir, offAirView{Carrier: clean(m.Carrier), Mast: clean(m.Mast), Sectors: count(float64(m.Sectors)), Area: area,
			Position: fmt.Sprintf("%.5f, %.5f", m.Lat, m.Lon), Observations: count(float64(m.Observations)), Residual: res,
			POff: decimal(m.POff, 3)})
	}
	if len(v.OffAir) > 0 {
		v.Nav = append(v.Nav, link{"offair", "Masts off the air"})
		if r.OffAirMore > 0 {
			v.OffAirMore = fmt.Sprintf("… and %s more: the calibration file (off_air) lists every one.", count(float64(r.OffAirMore)))
		}
	}
	if r.Plan != nil && len(r.Plan.Points) > 0 {
		last := r.Plan.Points[len(r.Plan.Points)-1]
		if last.Households > 0 || last.CostVND > 0 {
			v.Plan = planSVG(r.Plan)
			v.PlanText = fmt.Sprintf("The plan reaches %s households for %s", count(last.Households), vnd(last.CostVND))
			if r.Plan.BudgetVND > 0 {
				v.PlanText += fmt.Sprintf(" within a budget of %s", vnd(r.Plan.BudgetVND))
			}
			if r.Plan.UpperBound > 0 {
				v.PlanText += fmt.Sprintf("; no plan within the budget reaches more than %s", count(r.Plan.UpperBound))
			}
			v.PlanText += "."
		} else {
			// Nothing funded: said, not drawn as an empty curve, and why.
			switch n := villagesWithoutSignal(r); {
			case r.Plan.Reachable <= 0 && n > 0:
				// Villages without 3G/4G, yet no dead-zone households: their
				// hexes hold none in the population the run counted (a table
				// that leaves them out). Not "no dead zone".
				v.PlanText = fmt.Sprintf("No dead zone holds households in the population this run counted, yet %s %s without 3G/4G (the villages table below): their hexes have no households in that population (a --population table that leaves them out?), so the plan has nothing to fund there until they are counted.",
					count(float64(n)), plural.Noun(n, "village is", "villages are"))
			case r.Plan.Reachable <= 0:
				v.PlanText = "No dead zone (and no gap an agreement would serve): nothing to fund."
			case r.Plan.Options == 0:
				v.PlanText = fmt.Sprintf("No candidate site or agreement reaches the %s households of the dead zones: nothing to fund (lomsong plan --candidates FILE adds sites to weigh).", count(r.Plan.Reachable))
			default:
				v.PlanText = fmt.Sprintf("No site or agreement fits within the budget of %s: nothing is funded (give a larger --budget).", vnd(r.Plan.BudgetVND))
			}
		}
		if r.Plan.CostModel != "" && r.Plan.Options > 0 {
			// The costs the figures above rest on: a plan priced with
			// other figures (lomsong plan --costs) is another plan.
			v.PlanText += " " + r.Plan.CostModel
		}
		v.Nav = append(v.Nav, link{"plan", "Investment plan"})
	}
	for i, pr := range r.Provinces {
		pv := provView{ID: "province-" + strconv.Itoa(i+1), Code: clean(pr.Code), Name: clean(pr.Name)}
		if pv.Name == "" {
			pv.Name = b.name(pr.Code)
		}
		if v.HasCard {
			pv.HasCard = true
			pv.Glance = b.glance(pr.Code)
			pv.Trends = b.trends(pr.Code)
			pv.Alerts = b.alerts(pr.Code)
			pv.AlertsNote = b.uncompared(pr.Code)
		}
		if pr.Map != nil {
			svg, drawn, ok := mapSVG(pr.Map, "Map of "+pv.Name+": best 3G/4G coverage per hexagon")
			if ok {
				pv.Map = svg
				pv.Legend = legend(pr.Map, drawn)
			}
		}
		pv.Zones = zones(pr.DeadZones)
		pv.Villages, pv.MoreVillages = villageRows(pr.Villages)
		pv.Expected = expectedText(pr.Expected)
		pv.Communes, pv.CommunesNote = communeRows(pr.Communes)
		pv.Notes = cleanAll(pr.Notes)
		v.Provinces = append(v.Provinces, pv)
	}
	v.ProvinceNav, v.ProvinceNavText = b.provNav(r.Provinces, v.Provinces)
	v.Files = r.Files
	if len(v.Files) > 0 {
		v.Nav = append(v.Nav, link{"files", "GIS files"})
	}
	v.Notes = cleanAll(r.Notes)
	if len(v.Notes) > 0 || len(v.Rules) > 0 {
		v.Nav = append(v.Nav, link{"notes", "Notes"})
	}
	return v
}

// provNav links the province sections in alphabetical order of their
// names as Vietnamese sorts them (a before ă before â, d before đ, tones
// after letters: Cà Mau, Cao Bằng, Cần Thơ, Đà Nẵng), ties by code then
// by section, so a user finds their province by name; the sections keep
// the order given (usually most households without 3G/4G first). Each
// link says the province's figure of target 1 in the month, as the
// scorecard table does ("unknown" where it has none), when the report
// has a scorecard.
func (b *builder) provNav(prs []Province, pvs []provView) ([]provLink, string) {
	if len(pvs) == 0 {
		return nil, ""
	}
	order := make([]int, len(pvs))
	for i := range order {
		order[i] = i
	}
	// A Collator keeps buffers: one per rendering, so that Write stays
	// safe for concurrent use.
	col := collate.New(language.Vietnamese)
	slices.SortStableFunc(order, func(i, j int) int {
		return cmp.Or(col.CompareString(pvs[i].Name, pvs[j].Name), strings.Compare(pvs[i].Code, pvs[j].Code))
	})
	out := make([]provLink, 0, len(pvs))
	for _, i := range order {
		l := provLink{ID: pvs[i].ID, Text: pvs[i].Name}
		if b.card != nil && len(b.card.Rows) > 0 {
			l.Count = "unknown"
			if row, ok := b.row(prs[i].Code, b.period); ok {
				l.Count = b.cell(row, scorecard.TargetDeadZones).Value
			}
		}
		out = append(out, l)
	}
	text := plural.Noun(len(out), "Province", "Provinces, A–Z")
	if out[0].Count != "" {
		text += plural.Noun(len(out), ", with its count", ", each with its count") + " without 3G/4G in " + b.period.String() + " (target 1)"
	}
	return out, text + ":"
}

func cleanAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = clean(s)
	}
	return out
}

// name returns "Name" for a named code, otherwise the code.
func (b *builder) name(code string) string {
	if n := b.names[code]; n != "" {
		return n
	}
	return clean(code)
}

func (b *builder) anyRow(p penetration.Period) (int, bool) {
	for i, row := range b.card.Rows {
		if row.Period == p {
			return i, true
		}
	}
	return 0, false
}

func (b *builder) row(area string, p penetration.Period) (*scorecard.Row, bool) {
	i, ok := b.rows[rowKey{area, p}]
	if !ok {
		return nil, false
	}
	return &b.card.Rows[i], true
}

// hasData reports whether target t of area has a figure in month p.
func (b *builder) hasData(area string, p penetration.Period, t scorecard.Target) bool {
	r, ok := b.row(area, p)
	return ok && finite(r.Targets[t].Value)
}

// Target names, in the ministry's order.
var targetNames = [scorecard.NumTargets]string{
	"No 3G/4G dead zones",
	"Households with a smartphone",
	"Households with fibre",
	"2G-only phones",
	"Speeds up year on year",
}

func higherBetter(t scorecard.Target) bool {
	return t == scorecard.TargetSmartphone || t == scorecard.TargetFibre || t == scorecard.TargetSpeed
}

// decimal formats v with d decimals and thousands separators.
// vnd renders an amount of đồng in the unit that shows it: billions
// with one decimal from 1 billion, millions below, whole đồng below a
// million (a 40-million budget is not "0.0 billion").
func vnd(v float64) string {
	switch a := math.Abs(v); {
	case !finite(v):
		return "unknown"
	case a >= 1e9:
		return decimal(v/1e9, 1) + " billion VND"
	case a >= 1e6:
		return decimal(v/1e6, 1) + " million VND"
	}
	return decimal(v, 0) + " VND"
}

func decimal(v float64, d int) string {
	if !finite(v) {
		return "unknown"
	}
	// Rounded as the scorecard judges (half away from zero, as the
	// decimal reads): 29.95% is 30.0%, met, not 29.9%.
	s := strconv.FormatFloat(math.Abs(scorecard.RoundHalfAway(v, math.Pow10(-d))), 'f', d, 64)
	ip, fp, _ := strings.Cut(s, ".")
	n, _ := strconv.ParseInt(ip, 10, 64)
	out := group(n)
	if fp != "" {
		out += "." + fp
	}
	if v < 0 && strings.Trim(s, "0.") != "" {
		out = "-" + out
	}
	return out
}

func count(v float64) string { return decimal(v, 0) }

func signed(s string, v float64) string {
	if v > 0 {
		return "+" + s
	}
	return s
}

func (b *builder) unit(t scorecard.Target) string {
	if t == scorecard.TargetDeadZones {
		return b.card.Config.DeadZoneBasis.String()
	}
	return ""
}

// one returns a plural unit ("villages", "households") in the singular
// for a count shown as 1 or -1: "1 village", "-1 household".
func one(unit string, v float64) string {
	if count(math.Abs(v)) == "1" {
		return strings.TrimSuffix(unit, "s")
	}
	return unit
}

func (b *builder) value(t scorecard.Target, v float64) string {
	switch {
	case !finite(v):
		return "unknown"
	case t == scorecard.TargetDeadZones:
		return count(v) + " " + one(b.unit(t), v)
	case t == scorecard.TargetSpeed:
		return signed(decimal(100*v, 1), v) + "%"
	}
	return decimal(100*v, 1) + "%"
}

func (b *builder) goal(t scorecard.Target, g float64) string {
	switch t {
	case scorecard.TargetDeadZones:
		return "goal: 0 " + b.unit(t)
	case scorecard.TargetTwoGOnly:
		return "goal: below " + decimal(100*g, 0) + "%"
	case scorecard.TargetSpeed:
		return "goal: +" + decimal(100*g, 0) + "% or more"
	}
	return "goal: " + decimal(100*g, 0) + "% or more"
}

func (b *builder) cell(row *scorecard.Row, t scorecard.Target) tile {
	res := row.Targets[t]
	c := tile{Name: targetNames[t], Goal: b.goal(t, res.Goal), Value: b.value(t, res.Value)}
	switch res.Status {
	case scorecard.StatusMet:
		c.Status, c.StatusText = "met", "met ✓"
	case scorecard.StatusNotMet:
		c.Status, c.StatusText = "notmet", "not met ✗"
	default:
		c.Status, c.StatusText = "unknown", "unknown ?"
	}
	switch {
	case !finite(res.Value) || !finite(res.Lower) || !finite(res.Upper) || (res.Lower == res.Value && res.Upper == res.Value):
	case t == scorecard.TargetDeadZones:
		c.IntervalKind = "villages truly without 3G/4G, 90% range from their p_dead (widened to hold the list)"
		c.IntervalRange = decimal(res.Lower, 0) + " to " + decimal(res.Upper, 0)
		c.Interval = c.IntervalKind + ": " + c.IntervalRange
	default:
		// Say what the interval is: a 95% Wilson interval, a 90% beta
		// posterior, a sensitivity range that is no confidence interval.
		c.IntervalRange = decimal(100*res.Lower, 1) + " to " + decimal(100*res.Upper, 1) + "%"
		c.Interval = "interval " + c.IntervalRange
		if s := scorecard.IntervalText(res.Interval, res.Confidence); s != "" {
			c.IntervalKind = s
			c.Interval = s + ": " + c.IntervalRange
		}
	}
	c.Reason = res.Reason
	if res.Status != scorecard.StatusUnknown && len(res.Issues) > 0 {
		c.Notes = "note: " + strings.Join(res.Issues, "; ")
	}
	if t == scorecard.TargetSpeed && finite(res.Value) {
		// Which change the value is: both must rise by the goal.
		switch mob, fix := row.SpeedMobile, row.SpeedFixed; {
		case finite(mob) && finite(fix):
			c.Reason = "the smaller of mobile " + b.value(t, mob) + " and fixed " + b.value(t, fix)
		case finite(fix):
			c.Reason = "fixed broadband; mobile unknown (speed tests in this month and in the same month a year before are both needed)"
		case finite(mob):
			c.Reason = "mobile; fixed unknown (the subscriptions' fixed_median_dl_mbps)"
		}
	}
	if t == scorecard.TargetDeadZones && finite(res.Value) && c.Reason == "" {
		// Target 1 counts villages (or households): the tile gives the
		// other measure of the same places, which a planner weighs
		// (the scorecard leaves a measure it was not given NaN).
		if b.card.Config.DeadZoneBasis == scorecard.BasisHouseholds {
			if v := row.DeadZoneVillages; finite(v) {
				c.Reason = count(v) + " " + one("villages", v) + " without 3G/4G"
			}
		} else if h := row.DeadZoneHouseholds; finite(h) {
			c.Reason = count(h) + " " + one("households", h) + " without 3G/4G"
		}
	}
	partial := t == scorecard.TargetDeadZones && !finite(res.Value) && finite(res.Lower)
	if partial {
		// A lower bound: some areas were not assessed (scorecard.DeadZones.Partial).
		c.Value = "at least " + b.value(t, res.Lower)
	}
	prev := row.Period.AddMonths(-1)
	switch ch := res.Change; {
	case partial:
		c.Change, c.ChangeClass = "areas not assessed are not counted", "same"
	case !finite(res.Value):
		// The reason above says why the value is unknown (no data, or
		// none that aggregates); the change line says only its effect.
		c.Change, c.ChangeClass = "unknown, so no change shown", "same"
	case !finite(ch) && !b.hasData(row.Area, prev, t):
		// Changes compare only months that both have data.
		c.Change, c.ChangeClass = "no data for "+prev.String()+": no change shown", "same"
	case !finite(ch):
		c.Change, c.ChangeClass = "change since last month: unknown", "same"
	default:
		var s string
		shown := ch // the change as the page shows it: a share's to 0.1 pp
		if t == scorecard.TargetDeadZones {
			s = signed(count(ch), ch) + " " + one(b.unit(t), ch)
		} else {
			shown = math.Round(1000*ch) / 1000
			s = signed(decimal(100*ch, 1), ch) + " pp"
		}
		c.Change, c.ChangeClass = "no change since last month", "same"
		if math.Abs(shown) > 1e-12 {
			arrow, verdict := "▼ ", "worse"
			if ch > 0 {
				arrow = "▲ "
			}
			if (ch > 0) == higherBetter(t) {
				verdict = "better"
			}
			c.Change, c.ChangeClass = arrow+s+" since last month ("+verdict+")", verdict
			if why := res.ChangeNotLikeWithLike; why != "" {
				// Months measured on other evidence: the change is
				// shown, not judged.
				c.Change, c.ChangeClass = arrow+s+" since last month, "+why, "same"
			}
		}
	}
	if res.Rank > 0 {
		c.Rank = fmt.Sprintf("rank %d of %d", res.Rank, b.ranked[rankKey{t, row.Period}])
	}
	return c
}

func (b *builder) glance(area string) *glance {
	row, ok := b.row(area, b.period)
	if !ok {
		return nil
	}
	g := &glance{Area: b.name(area), Period: b.period.String(),
		Met: fmt.Sprintf("%d of 5 targets met, %d not met, %d unknown", row.Met, row.NotMet, row.Unknown)}
	for _, t := range scorecard.Targets {
		g.Tiles = append(g.Tiles, b.cell(row, t))
	}
	return g
}

// carriers says which carriers' data the analysis read ("mobifone (1,204
// site sectors, 310 serving the places analysed; 5,310 tests); viettel
// (…)") and what a carrier left out
// means; both empty when the report does not say.
func carriers(cs []CarrierEvidence) (string, string) {
	if cs == nil {
		return "", ""
	}
	if len(cs) == 0 {
		return "none", "No carrier's sites or tests were read: nothing is known to be covered."
	}
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprintf("%s (%s site sectors, %s serving the places analysed; %s tests)", clean(c.Carrier), group(int64(c.Sectors)), group(int64(c.Serving)), group(c.Tests))
	}
	note := "A place counts without 3G/4G when none of these carriers reaches it: a carrier whose sites and tests are not in the data is not counted, however well it serves."
	if len(cs) == 1 {
		note = "Only " + clean(cs[0].Carrier) + "'s data were read: a place counts without 3G/4G when " + clean(cs[0].Carrier) +
			" does not reach it, whether or not another carrier does; the dead zones and target 1 hold for this carrier alone."
	}
	return strings.Join(parts, "; "), note
}

// metCell is a table row's met column: the targets met out of those
// known, and how many are unknown ("2/5", "0/3 (2 unknown)"), as lomsong
// scorecard's table says it, so that no data never reads as not met.
func metCell(row *scorecard.Row) string {
	s := fmt.Sprintf("%d/%d", row.Met, row.Met+row.NotMet)
	if row.Unknown > 0 {
		s += fmt.Sprintf(" (%d unknown)", row.Unknown)
	}
	return s
}

func (b *builder) table() *table {
	tb := &table{Period: b.period.String()}
	for _, t := range scorecard.Targets {
		tb.Head = append(tb.Head, tile{Name: fmt.Sprintf("%d. %s", t+1, targetNames[t]), Goal: b.goal(t, goalOf(b.card.Config, t))})
	}
	ids := map[string]string{}
	for i, pr := range b.r.Provinces {
		if _, dup := ids[pr.Code]; !dup {
			ids[pr.Code] = "province-" + strconv.Itoa(i+1)
		}
	}
	for i := range b.card.Rows {
		row := &b.card.Rows[i]
		if row.Period != b.period {
			continue
		}
		tr := tableRow{National: row.National, Link: ids[row.Area], Code: clean(row.Area), Name: b.name(row.Area),
			Met: metCell(row)}
		if tr.Name == tr.Code {
			tr.Name = ""
		}
		for i, t := range scorecard.Targets {
			c := b.cell(row, t)
			c.Label = tb.Head[i].Name
			tr.Cells = append(tr.Cells, c)
		}
		if why, ok := noFigure(row, tr.Cells); ok {
			at := slices.IndexFunc(tb.NoData, func(n noDataRow) bool { return n.Reason == why })
			if at < 0 {
				tb.NoData = append(tb.NoData, noDataRow{Reason: why})
				at = len(tb.NoData) - 1
			}
			name := tr.Code
			if tr.Name != "" {
				name += " " + tr.Name
			}
			nd := &tb.NoData[at]
			nd.Count++
			nd.CountText = group(int64(nd.Count))
			if len(nd.Areas) < maxNoData {
				nd.Areas = append(nd.Areas, link{ID: tr.Link, Text: name})
			} else {
				// 3,285 communes of a commune report filled pages.
				nd.More = fmt.Sprintf(" and %s more (lomsong scorecard lists every area's row)", group(int64(nd.Count-len(nd.Areas))))
			}
			continue
		}
		tb.Rows = append(tb.Rows, tr)
	}
	shareColumns(tb)
	return tb
}

// shareColumns says once, in the head of a column, the text most of its
// cells repeat: the kind of interval ("90% credible interval of the beta
// posterior (model shrunk towards the survey)"), a change line ("no data
// for 2024-09: no change shown") or a reason ("fixed broadband; mobile
// unknown (…)"). Those cells keep their figures (the interval's range)
// and drop the text; a cell that says something else keeps it. At 34
// provinces the repeated texts made each row five lines taller than its
// figures, the table 5,000 px high on a desktop and 16,000 on a phone.
// A text is shared when at least minShared rows hold it and more than
// half of them do: a table of the nation and one province is left as it
// is.
func shareColumns(tb *table) {
	const minShared = 3
	n := len(tb.Rows)
	for i := range tb.Head {
		share := func(key func(c *tile) string, drop func(c *tile), say func(text string, all bool) string) {
			counts := map[string]int{}
			best, most := "", 0
			for r := range tb.Rows {
				k := key(&tb.Rows[r].Cells[i])
				if k == "" {
					continue
				}
				counts[k]++
				// The first text to reach the highest count wins ties:
				// the rows' order decides, not the map's.
				if counts[k] > most {
					best, most = k, counts[k]
				}
			}
			if most < minShared || 2*most <= n {
				return
			}
			for r := range tb.Rows {
				if c := &tb.Rows[r].Cells[i]; key(c) == best {
					drop(c)
				}
			}
			tb.Head[i].Shared = append(tb.Head[i].Shared, say(best, most == n))
		}
		every := func(text string, all bool) string {
			if all {
				return "Every row: " + text
			}
			return "Where a cell says nothing else: " + text
		}
		share(func(c *tile) string { return c.IntervalKind },
			func(c *tile) { c.Interval = c.IntervalRange },
			func(text string, all bool) string {
				if all {
					return "Interval in every row: " + text
				}
				return "Interval where a cell names no other: " + text
			})
		share(func(c *tile) string {
			if c.ChangeClass != "same" {
				return "" // a change judged better or worse is the row's own
			}
			return c.Change
		}, func(c *tile) { c.Change = "" }, every)
		share(func(c *tile) string { return c.Reason }, func(c *tile) { c.Reason = "" }, every)
	}
}

// noFigure says whether an area's row has no figure at all (every target
// unknown, none a lower bound), and why: the reason the five share, or
// each target's.
func noFigure(row *scorecard.Row, cells []tile) (string, bool) {
	if row.National {
		return "", false
	}
	var whys []string
	for i, t := range scorecard.Targets {
		res := row.Targets[t]
		if res.Status != scorecard.StatusUnknown || finite(res.Value) || finite(res.Lower) {
			return "", false
		}
		whys = append(whys, fmt.Sprintf("%d. %s: %s", t+1, targetNames[t], cells[i].Reason))
	}
	same := true
	for _, c := range cells[1:] {
		same = same && c.Reason == cells[0].Reason
	}
	if same {
		return cells[0].Reason, true
	}
	return strings.Join(whys, "; "), true
}

func (b *builder) trends(area string) []template.HTML {
	var first penetration.Period
	found := false
	for _, row := range b.card.Rows {
		if row.Area == area && !b.period.Before(row.Period) {
			first, found = row.Period, true
			break
		}
	}
	if !found {
		return nil
	}
	if n := (b.period.Year-first.Year)*12 + int(b.period.Month-first.Month) + 1; n > maxTrendMonth {
		first = b.period.AddMonths(1 - maxTrendMonth)
	}
	var months []penetration.Period
	for p := first; !b.period.Before(p); p = p.AddMonths(1) {
		months = append(months, p)
	}
	var out []template.HTML
	for _, t := range scorecard.Targets {
		tr := trend{title: fmt.Sprintf("%d. %s", t+1, targetNames[t]), goal: goalOf(b.card.Config, t)}
		for _, p := range months {
			tr.labels = append(tr.labels, p.String())
			pt := trendPoint{v: math.NaN(), lo: math.NaN(), hi: math.NaN()}
			if row, ok := b.row(area, p); ok {
				res := row.Targets[t]
				pt = trendPoint{v: res.Value, lo: res.Lower, hi: res.Upper}
				if t == scorecard.TargetDeadZones && !finite(res.Value) && finite(res.Lower) {
					// Only a lower bound is known (the national count
					// from the provinces analysed): drawn as "at least".
					pt = trendPoint{v: res.Lower, lo: math.NaN(), hi: math.NaN(), atLeast: true}
				}
			}
			tr.points = append(tr.points, pt)
		}
		switch t {
		case scorecard.TargetDeadZones:
			tr.goalTxt, tr.zero = "goal 0", true
			tr.tick = label
			tr.title += " (" + b.unit(t) + ")"
		default:
			tr.goalTxt = "goal " + decimal(100*tr.goal, 0) + "%"
			tr.tick = func(v float64) string { return label(math.Round(v*1000)/10) + "%" }
			tr.zero = t != scorecard.TargetSpeed
		}
		out = append(out, trendSVG(tr))
	}
	return out
}

// alerts lists the selected month's alerts of area ("" for all areas).
func (b *builder) alerts(area string) []alertView {
	var out []alertView
	for _, a := range b.card.Alerts {
		if a.Period != b.period || (area != "" && a.Area != area) {
			continue
		}
		av := alertView{Period: a.Period.String(), Area: b.name(a.Area), Message: clean(a.Message)}
		switch a.Kind {
		case scorecard.AlertNewDeadZoneHexes:
			av.Kind = "New dead-zone hexes"
		case scorecard.AlertNewDeadZoneVillages:
			av.Kind = "New villages without signal"
		case scorecard.AlertRegression:
			av.Kind = "Regression: " + targetNames[a.Target]
			// The kind names the target in words: its key
			// ("fibre: worse by …") is not said again.
			av.Message = clean(strings.TrimPrefix(a.Message, fmt.Sprintf("%s: ", a.Target)))
		default:
			av.Kind = clean(string(a.Kind))
		}
		items := a.Items
		more := 0
		if len(items) > maxAlertItems {
			items, more = items[:maxAlertItems], len(items)-maxAlertItems
		}
		av.Items = clean(strings.Join(items, ", "))
		if more > 0 {
			av.Items += fmt.Sprintf(" and %d more", more)
		}
		out = append(out, av)
	}
	return out
}

// uncompared says which targets known in the month were not compared with
// the month before (no figure for it, or figures of two kinds), so that no
// alert could be raised for them: "no alerts" is only an answer where a
// comparison was made. For one area, or for every area but the national
// row when area is empty. Empty when every known target was compared.
func (b *builder) uncompared(area string) string {
	var areas [scorecard.NumTargets][]string
	for i := range b.card.Rows {
		row := &b.card.Rows[i]
		if row.Period != b.period || (area == "" && row.National) || (area != "" && row.Area != area) {
			continue
		}
		for _, t := range scorecard.Targets {
			if res := row.Targets[t]; finite(res.Value) && !finite(res.Change) {
				areas[t] = append(areas[t], b.name(row.Area))
			}
		}
	}
	var parts []string
	for _, t := range scorecard.Targets {
		if len(areas[t]) == 0 {
			continue
		}
		part := fmt.Sprintf("%d. %s", t+1, targetNames[t])
		if area == "" {
			names := areas[t]
			more := ""
			if len(names) > maxAlertItems {
				names, more = names[:maxAlertItems], fmt.Sprintf(" and %d more", len(names)-maxAlertItems)
			}
			part += " (" + strings.Join(names, ", ") + more + ")"
		}
		parts = append(parts, part)
	}
	if len(parts) == 0 {
		return ""
	}
	return "Not compared with " + b.period.AddMonths(-1).String() + " (no figure for that month, or figures of another kind), so no alert could be raised for: " +
		strings.Join(parts, "; ") + "."
}

func (b *builder) rules() []string {
	cfg := b.card.Config
	rs := []string{"Unknown means the data are missing: it is shown as unknown and never counted as zero."}
	rs = append(rs, "Target 1 counts "+cfg.DeadZoneBasis.String()+" with no 3G/4G from any carrier; a place with 2G only counts as a dead zone.")
	if cfg.Rule == scorecard.RuleBound {
		rs = append(rs, "A target is met only when the conservative end of its interval meets the goal.")
	} else {
		rs = append(rs, "A target is judged on its point estimate; intervals show the uncertainty.")
	}
	if cfg.Precision > 0 {
		rs = append(rs, "Shares and changes are rounded to "+label(100*cfg.Precision)+" percentage point before they are compared with a goal and ranked.")
	}
	rs = append(rs, "Changes are since the previous month; pp means percentage points. Ranks order the month's areas, best first.")
	return rs
}

func zones(zs []DeadZone) []zoneView {
	var out []zoneView
	for i, z := range zs {
		id := z.ID
		if len(z.AlsoIn) > 0 {
			id += " (also in " + strings.Join(z.AlsoIn, "; ") + ")"
		}
		zv := zoneView{Rank: i + 1, ID: clean(id), Households: count(z.Households), Hexes: group(int64(z.Hexes)),
			Area: decimal(z.AreaKm2, 1), Villages: "unknown"}
		if z.Villages >= 0 {
			zv.Villages = group(int64(z.Villages))
			var parts []string
			if n := z.VillagesServed - z.VillagesUncertain; n > 0 {
				parts = append(parts, group(int64(n))+" served")
			}
			if z.VillagesUncertain > 0 {
				parts = append(parts, group(int64(z.VillagesUncertain))+" uncertain")
			}
			if len(parts) > 0 {
				zv.Villages += " (" + strings.Join(parts, ", ") + ")"
			}
		}
		cs := z.Communes
		switch {
		case len(cs) == 0:
			zv.Communes = NoCommune
		case len(cs) > maxCommunes:
			zv.Communes = clean(strings.Join(cs[:maxCommunes], ", ")) + fmt.Sprintf(" and %d more", len(cs)-maxCommunes)
		default:
			zv.Communes = clean(strings.Join(cs, ", "))
		}
		var ns []string
		for _, n := range z.Nearest {
			ns = append(ns, clean(strings.TrimSpace(n.Carrier+" "+n.SiteID))+" ("+decimal(n.DistanceM/1000, 1)+" km)")
		}
		zv.Nearest = strings.Join(ns, "; ")
		out = append(out, zv)
	}
	return out
}

type villageView struct {
	Name, Commune, Households, Status, StatusClass, PDead, Best, Signal, Tests, Nearest string
}

// statusText names a village's verdict class for people.
var statusText = map[string]string{
	"confirmed_dead":   "confirmed without 3G/4G",
	"likely_dead":      "likely without 3G/4G",
	"uncertain":        "uncertain",
	"likely_served":    "likely served",
	"confirmed_served": "confirmed served",
	"":                 "without 3G/4G",
}

// verdictText is a village's verdict as the villages table and the map's
// point say it: its class, and "counted without 3G/4G" for a village over
// the cut in a band short of "likely" (target 1 counts it all the same),
// "counted as served" for one below a cut above 0.8 in a band of "likely"
// or "confirmed" without 3G/4G (villages.csv's level "uncertain").
func verdictText(status string, withoutSignal bool) string {
	t, ok := statusText[status]
	if !ok {
		t = clean(status)
	}
	deadBand := status == "confirmed_dead" || status == "likely_dead"
	switch {
	case withoutSignal && status != "" && !deadBand:
		t += ", counted without 3G/4G"
	case !withoutSignal && deadBand:
		t += ", counted as served"
	}
	return t
}

func villageRows(vs []VillageRow) ([]villageView, string) {
	var out []villageView
	for i, v := range vs {
		if i == maxVillages {
			return out, fmt.Sprintf("and %d more: every village is in villages.csv, which lomsong deadzones and lomsong run --out write", len(vs)-maxVillages)
		}
		vv := villageView{Name: clean(v.Name), Commune: cmp.Or(clean(v.Commune), NoCommune), Households: count(v.Households),
			Status: verdictText(v.Status, v.WithoutSignal), StatusClass: villageClass(v.Status, v.WithoutSignal), PDead: "unknown", Signal: "unknown"}
		if v.ID != "" {
			vv.Name += " (" + clean(v.ID) + ")"
		}
		if !math.IsNaN(v.PDead) {
			vv.PDead = decimal(v.PDead, 2)
		}
		vv.Best = clean(v.Best)
		switch {
		case vv.Best != "":
		case math.IsNaN(v.PDead):
			vv.Best = "unknown" // no verdict at the village
		default:
			// The radio map has no carrier's 3G/4G/5G at the point: an
			// empty cell would read as a value left out.
			vv.Best = "none predicted"
		}
		if v.Best != "" && !math.IsNaN(v.BestMeanDBm) && !math.IsNaN(v.BestSigmaDB) {
			vv.Signal = decimal(v.BestMeanDBm, 0) + " ± " + decimal(v.BestSigmaDB, 0) + " dBm"
		}
		vv.Tests = group(int64(v.Tests))
		if v.NoService > 0 {
			vv.Tests += " (" + group(int64(v.NoService)) + " no service)"
		}
		switch {
		case !math.IsNaN(v.NearestTestM):
			vv.Nearest = group(int64(math.Round(v.NearestTestM))) + " m"
		case v.Tests == 0:
			// The search for the nearest test reaches a few hundred metres
			// (VillageRow.NearestTestM): beyond it a test is not looked
			// for, so "none" would say there is no test anywhere.
			vv.Nearest = "none within 300 m"
		default:
			vv.Nearest = "unknown"
		}
		out = append(out, vv)
	}
	return out, ""
}

// villageClass is the map and table class of a village: dead (confirmed),
// counted without 3G/4G (likely dead, uncertain but at or above the cut,
// or without signal with no probability), or uncertain and counted as
// served (below the cut whatever its band, as deadzone counts it);
// served villages are not drawn. The classes partition the villages the
// way target 1 counts them: the first two are its count.
func villageClass(status string, withoutSignal bool) string {
	switch {
	case status == "confirmed_dead" && withoutSignal:
		return "village-dead"
	case withoutSignal, status == "":
		// A village without a probability is listed only when without
		// signal.
		return "village"
	}
	return "village-uncertain"
}

func legend(m *Map, drawn mapCounts) []legendItem {
	texts := [numStates]string{
		StateNoData:    "No data",
		StateCovered:   "Covered (3G/4G)",
		StateWeak:      "Weak 3G/4G",
		StateUncovered: "Uncovered (no 3G/4G)",
	}
	var out []legendItem
	for _, s := range []State{StateCovered, StateWeak, StateUncovered, StateNoData} {
		if s == StateNoData && drawn.states[s] == 0 {
			continue
		}
		out = append(out, legendItem{Key: stateClass(s),
			Text: texts[s] + ": " + group(int64(drawn.states[s])) + plural.Noun(drawn.states[s], " hex", " hexes")})
	}
	switch {
	case len(m.Outline) > 0 && m.PopulatedOnly:
		// Hexes with tests but no households are analysed, not drawn:
		// said, not called untested.
		out = append(out, legendItem{Key: "outside", Text: "Not drawn: hexes without households (this report maps populated hexes; lomsong report --province maps every hex analysed)"})
	case len(m.Outline) > 0:
		// The province's ground under the hexes: where no hex is drawn,
		// nobody lives and nobody tested (not analysed).
		out = append(out, legendItem{Key: "outside", Text: "Not analysed: no households and no tests"})
	}
	if len(m.DeadZones) > 0 {
		text := "Dead zone (lõm sóng) outline: " + group(int64(len(m.DeadZones)))
		if drawn.zoneRings > 0 {
			text += plural.Noun(drawn.zoneRings, "; circled where smaller than a village's mark (1 zone)", "; circled where smaller than a village's mark ("+group(int64(drawn.zoneRings))+" zones)")
		}
		out = append(out, legendItem{Key: "zone", Text: text})
	}
	if n := drawn.villageClass["village-dead"]; n > 0 {
		out = append(out, legendItem{Key: "village-dead", Text: "Village confirmed without 3G/4G (p_dead ≥ 0.95): " + group(int64(n))})
	}
	if n := drawn.villageClass["village"]; n > 0 {
		out = append(out, legendItem{Key: "village", Text: "Village counted without 3G/4G, not confirmed (likely, uncertain at or above the cut, or without a probability): " + group(int64(n))})
	}
	if n := drawn.villageClass["village-uncertain"]; n > 0 {
		out = append(out, legendItem{Key: "village-uncertain", Text: "Village uncertain, counted as served (0.2 < p_dead, below the cut): " + group(int64(n))})
	}
	if drawn.sites > 0 {
		out = append(out, legendItem{Key: "site", Text: "Sites in the frame (of any province): " + group(int64(drawn.sites))})
	}
	return out
}

func goalOf(cfg scorecard.Config, t scorecard.Target) float64 {
	switch t {
	case scorecard.TargetSmartphone:
		return cfg.SmartphoneGoal
	case scorecard.TargetFibre:
		return cfg.FibreGoal
	case scorecard.TargetTwoGOnly:
		return cfg.TwoGOnlyGoal
	case scorecard.TargetSpeed:
		return cfg.SpeedGoal
	}
	return 0
}

// villagesWithoutSignal counts the villages the report's provinces list as
// without 3G/4G.
func villagesWithoutSignal(r *Report) int {
	n := 0
	for _, p := range r.Provinces {
		for _, v := range p.Villages {
			if v.WithoutSignal {
				n++
			}
		}
	}
	return n
}

// expectedText says what a province's villages' p_dead expect of its list
// of villages without 3G/4G; empty when none has a p_dead.
func expectedText(e *Expectation) string {
	if e == nil || e.WithPDead == 0 {
		return ""
	}
	served := e.WithPDead - e.Listed
	t := fmt.Sprintf("From their p_dead, about %.1f of the %s %s listed without 3G/4G are expected to be truly without, and about %.1f more among the %s %s counted served",
		e.DeadListed, group(int64(e.Listed)), plural.Noun(e.Listed, "village", "villages"), e.Missed, group(int64(served)), plural.Noun(served, "village", "villages"))
	if e.Dead > 0 {
		t += fmt.Sprintf(": the list is expected to hold about %.0f%% of the villages without 3G/4G", 100*e.DeadListed/e.Dead)
	}
	return t + " (villages decided by their own verdict; deadzones_meta.json, expected_from_p_dead)."
}
