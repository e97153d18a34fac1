package scorecard

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Table writes a readable text table: one line per area and month with
// each target's value, interval, status and rank, then the alerts.
// Shares and changes are in percent; target 1 is a count.
func (c *Card) Table(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "period\tarea\t1 dead zones (%s)\t2 smartphone hh\t3 fibre hh\t4 2G-only\t5 speed YoY\tmet\n", c.Config.DeadZoneBasis)
	for _, r := range c.Rows {
		area := r.Area
		if n := c.Names[r.Area]; n != "" {
			area += " " + n
		}
		if r.National {
			area += " (national)"
		}
		fmt.Fprintf(tw, "%s\t%s", r.Period, area)
		for _, t := range Targets {
			fmt.Fprintf(tw, "\t%s%s", cell(r.Targets[t]), halfUnknown(r, t))
		}
		fmt.Fprintf(tw, "\t%s\n", metCell(r))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := c.unknownReasons(w); err != nil {
		return err
	}
	if err := c.notes(w); err != nil {
		return err
	}
	if err := c.intervals(w); err != nil {
		return err
	}
	var projected []string
	for _, r := range c.Rows {
		for _, t := range Targets {
			if r.Targets[t].HouseholdsProjected && r.Targets[t].Value == r.Targets[t].Value && !slices.Contains(projected, c.areaLabel(r.Area)) {
				projected = append(projected, c.areaLabel(r.Area))
			}
		}
	}
	if len(projected) > 0 {
		fmt.Fprintf(w, "\nhouseholds projected from the census (the area gives no household count of its own; interval: the projection's growth band): %s\n",
			strings.Join(projected, ", "))
	}
	if len(c.Alerts) > 0 {
		fmt.Fprintf(w, "\nalerts\n")
	}
	for _, a := range c.Alerts {
		line := fmt.Sprintf("%s %s %s: %s", a.Period, c.areaLabel(a.Area), a.Kind, a.Message)
		if len(a.Items) > 0 {
			line += " [" + strings.Join(a.Items, " ") + "]"
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	return nil
}

// areaLabel is an area's code followed by its name when the card has one
// ("22 Quảng Ninh"), as the table's rows show it, so that the lines under
// the table (alerts, households projected) can be read without looking
// the code up; the code alone when the card has no name for it.
func (c *Card) areaLabel(code string) string {
	if n := c.Names[code]; n != "" {
		return code + " " + n
	}
	return code
}

// metCell is a row's met column: the targets met out of those known,
// and how many are unknown ("3/5"; "0/2 (3 unknown)"; "0/0 (5 unknown)"),
// so that no data never reads as not met.
func metCell(r Row) string {
	s := fmt.Sprintf("%d/%d", r.Met, r.Met+r.NotMet)
	if r.Unknown > 0 {
		s += fmt.Sprintf(" (%d unknown)", r.Unknown)
	}
	return s
}

// unknownReasons lists why targets are unknown: each distinct reason once
// per target, with the number of rows it explains, in target order and
// then first appearance.
func (c *Card) unknownReasons(w io.Writer) error {
	return c.tally(w, "unknown (no data, never counted as not met)", func(x Result) []string {
		if x.Status != StatusUnknown {
			return nil
		}
		return []string{x.Reason}
	})
}

// notes lists the issues of the figures that are known (met or not met):
// what a figure leaves out or rests on (target 5's carriers and
// technologies with speed tests in one month only, a half of it unknown), each
// distinct issue once per target with the number of rows it concerns, in
// target order and then first appearance.
func (c *Card) notes(w io.Writer) error {
	return c.tally(w, "notes on the figures shown", func(x Result) []string {
		if x.Status == StatusUnknown {
			return nil // its reason is listed with the unknowns
		}
		return x.Issues
	})
}

// intervals says what the brackets of the figures shown are (a 95%
// Wilson interval, a 90% beta posterior, a sensitivity range), each kind
// once per target with the number of rows it is given for.
func (c *Card) intervals(w io.Writer) error {
	return c.tally(w, "intervals [lower, upper] shown", func(x Result) []string {
		if math.IsNaN(x.Value) && x.Interval != IntervalLowerBound {
			return nil
		}
		if s := IntervalText(x.Interval, x.Confidence); s != "" {
			return []string{s}
		}
		return nil
	})
}

// tally writes, under heading, each distinct text that texts gives a
// row's target once per target with the number of rows it was given for,
// in target order and then first appearance; nothing when there is none.
func (c *Card) tally(w io.Writer, heading string, texts func(Result) []string) error {
	type line struct {
		t    Target
		text string
		rows int
	}
	var ls []line
	for _, r := range c.Rows {
		for _, t := range Targets {
			for _, text := range texts(r.Targets[t]) {
				k := slices.IndexFunc(ls, func(q line) bool { return q.t == t && q.text == text })
				if k < 0 {
					ls = append(ls, line{t: t, text: text})
					k = len(ls) - 1
				}
				ls[k].rows++
			}
		}
	}
	if len(ls) == 0 {
		return nil
	}
	slices.SortStableFunc(ls, func(a, b line) int { return int(a.t) - int(b.t) })
	if _, err := fmt.Fprintf(w, "\n%s\n", heading); err != nil {
		return err
	}
	for _, q := range ls {
		rows := "row"
		if q.rows > 1 {
			rows = "rows"
		}
		if _, err := fmt.Fprintf(w, "  %d %s: %s (%d %s)\n", int(q.t)+1, q.t, q.text, q.rows, rows); err != nil {
			return err
		}
	}
	return nil
}

// halfUnknown says, for target 5 shown with one half unknown (the other
// below the goal decides it, or the fixed half is not required), which
// half the figure is and that the other is unknown: the cell would
// otherwise read as the target's whole figure.
func halfUnknown(r Row, t Target) string {
	if t != TargetSpeed {
		return ""
	}
	switch r.SpeedBasis() {
	case SpeedFixedAlone:
		return " (fixed alone; mobile unknown)"
	case SpeedMobileAlone:
		return " (mobile alone; fixed unknown)"
	}
	return ""
}

func mark(s Status) string {
	switch s {
	case StatusMet:
		return "met"
	case StatusNotMet:
		return "NOT MET"
	}
	return "unknown"
}

func cell(r Result) string {
	if math.IsNaN(r.Value) {
		if r.Target == TargetDeadZones && r.Status == StatusNotMet && !math.IsNaN(r.Lower) {
			return "≥ " + strconv.FormatFloat(r.Lower, 'f', 0, 64) + " " + mark(r.Status) // a lower bound (Partial)
		}
		return "? unknown"
	}
	var v string
	if r.Target == TargetDeadZones {
		v = strconv.FormatFloat(r.Value, 'f', 0, 64)
		if !math.IsNaN(r.Lower) && !math.IsNaN(r.Upper) && (r.Lower != r.Value || r.Upper != r.Value) {
			v += fmt.Sprintf(" [%.0f, %.0f]", r.Lower, r.Upper) // the villages truly without 3G/4G, 90%
		}
	} else {
		v = percent(r.Value) + "%"
		// No interval where it is not known (an impossible share), as
		// the files leave it empty.
		if !math.IsNaN(r.Lower) && !math.IsNaN(r.Upper) && (r.Lower != r.Value || r.Upper != r.Value) {
			v += " [" + percent(r.Lower) + ", " + percent(r.Upper) + "]"
		}
	}
	s := v + " " + mark(r.Status)
	if r.Rank > 0 {
		s += fmt.Sprintf(" #%d", r.Rank)
	}
	return s
}

// num formats a float for CSV: shortest exact representation, "" for NaN.
func num(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// CSVHeader returns the column names of WriteCSV: area, area_name (Card.Names;
// empty when the area has none), period, national,
// met, not_met, unknown, the parts of targets 1 (dead_zone_households
// rounded to whole households, as every table shows them) and 5, then for each
// target t: t_value, t_lower, t_upper, t_interval (what the bounds are:
// Result.Interval, e.g. "wilson"), t_confidence (its nominal coverage,
// empty when it is no confidence interval), t_goal, t_status,
// t_status_point, t_status_bound, t_change, t_rank, t_reason (why the
// status is unknown).
func CSVHeader() []string {
	h := []string{"area", "area_name", "period", "national", "met", "not_met", "unknown",
		"dead_zone_villages", "dead_zone_households", "speed_mobile_yoy", "speed_fixed_yoy"}
	for _, t := range Targets {
		for _, f := range []string{"value", "lower", "upper", "interval", "confidence", "goal", "status", "status_point", "status_bound", "change", "rank", "reason"} {
			h = append(h, t.String()+"_"+f)
		}
	}
	return h
}

// WriteCSV writes the rows as CSV with the CSVHeader columns. Missing
// values are empty cells; numbers use the shortest exact decimal form.
func (c *Card) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader()); err != nil {
		return err
	}
	for _, r := range c.Rows {
		rec := []string{r.Area, c.Names[r.Area], r.Period.String(), strconv.FormatBool(r.National),
			strconv.Itoa(r.Met), strconv.Itoa(r.NotMet), strconv.Itoa(r.Unknown),
			num(r.DeadZoneVillages), num(math.Round(r.DeadZoneHouseholds)), num(r.SpeedMobile), num(r.SpeedFixed)}
		for _, t := range Targets {
			x := r.Targets[t]
			rank := ""
			if x.Rank > 0 {
				rank = strconv.Itoa(x.Rank)
			}
			rec = append(rec, num(x.Value), num(x.Lower), num(x.Upper), string(x.Interval), confidence(x.Confidence), num(x.Goal), x.Status.String(),
				x.StatusPoint.String(), x.StatusBound.String(), num(x.Change), rank, x.Reason)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// confidence formats an interval's coverage for CSV: "" when 0 (no
// confidence interval).
func confidence(c float64) string {
	if c == 0 {
		return ""
	}
	return num(c)
}

// jsonNum is a float that marshals NaN as null.
type jsonNum float64

func (f jsonNum) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, float64(f), 'g', -1, 64), nil
}

type jsonResult struct {
	Target      string   `json:"target"`
	Value       jsonNum  `json:"value"`
	Lower       jsonNum  `json:"lower"`
	Upper       jsonNum  `json:"upper"`
	Interval    string   `json:"interval"`
	Confidence  jsonNum  `json:"confidence"`
	Method      string   `json:"method,omitempty"`
	Assumptions []string `json:"assumptions,omitempty"`
	Goal        jsonNum  `json:"goal"`
	Status      string   `json:"status"`
	StatusPoint string   `json:"status_point"`
	StatusBound string   `json:"status_bound"`
	Change      jsonNum  `json:"change"`
	Rank        *int     `json:"rank"`
	Issues      []string `json:"issues,omitempty"`
	Projected   bool     `json:"households_projected,omitempty"`
	Reason      string   `json:"reason,omitempty"`
}

type jsonRow struct {
	Area               string       `json:"area"`
	Name               string       `json:"name,omitempty"`
	Period             string       `json:"period"`
	National           bool         `json:"national"`
	Met                int          `json:"met"`
	NotMet             int          `json:"not_met"`
	Unknown            int          `json:"unknown"`
	DeadZoneVillages   jsonNum      `json:"dead_zone_villages"`
	DeadZoneHouseholds jsonNum      `json:"dead_zone_households"`
	SpeedMobile        jsonNum      `json:"speed_mobile_yoy"`
	SpeedFixed         jsonNum      `json:"speed_fixed_yoy"`
	Targets            []jsonResult `json:"targets"`
}

type jsonAlert struct {
	Area     string   `json:"area"`
	Name     string   `json:"name,omitempty"` // the area's (Card.Names), as its rows have it
	Period   string   `json:"period"`
	Kind     string   `json:"kind"`
	Target   string   `json:"target"`
	Items    []string `json:"items,omitempty"`
	Previous jsonNum  `json:"previous"`
	Current  jsonNum  `json:"current"`
	Message  string   `json:"message"`
	// NotLikeWithLike says why the months compared rest on other
	// evidence; absent when they are like with like.
	NotLikeWithLike string `json:"not_like_with_like,omitempty"`
}

type jsonRules struct {
	DeadZoneBasis     string  `json:"dead_zone_basis"`
	Rule              string  `json:"rule"`
	Precision         jsonNum `json:"precision"`
	SpeedRequireFixed bool    `json:"speed_require_fixed"`
	National          string  `json:"national"`
}

type jsonCard struct {
	Period   string         `json:"period,omitempty"`
	Rules    jsonRules      `json:"rules"`
	Rows     []jsonRow      `json:"rows"`
	Alerts   []jsonAlert    `json:"alerts"`
	Excluded []jsonExcluded `json:"excluded_areas,omitempty"`
	Summed   []jsonSummed   `json:"summed_onto_current_areas,omitempty"`
}

type jsonSummed struct {
	Period string `json:"period"`
	Rows   int    `json:"rows"`
	Areas  int    `json:"areas"`
	Into   int    `json:"into"`
	Why    string `json:"why"`
}

type jsonExcluded struct {
	Area string `json:"area"`
	Rows int    `json:"rows"`
	Why  string `json:"why"`
}

// WriteJSON writes the card as one indented JSON object {"period", "rules",
// "rows", "alerts"}; missing numbers are null. "period" is Card.Period, the
// month the card was made for (absent when zero: its rows' latest month
// need not be it). Field order is fixed, so equal cards
// give byte-identical output.
func (c *Card) WriteJSON(w io.Writer) error {
	rule := "point"
	if c.Config.Rule == RuleBound {
		rule = "bound"
	}
	out := jsonCard{Rules: jsonRules{DeadZoneBasis: c.Config.DeadZoneBasis.String(), Rule: rule,
		Precision: jsonNum(c.Config.Precision), SpeedRequireFixed: c.Config.SpeedRequireFixed, National: c.Config.National},
		Rows: make([]jsonRow, 0, len(c.Rows)), Alerts: make([]jsonAlert, 0, len(c.Alerts))}
	if !c.Period.IsZero() {
		out.Period = c.Period.String()
	}
	for _, r := range c.Rows {
		jr := jsonRow{Area: r.Area, Name: c.Names[r.Area], Period: r.Period.String(), National: r.National, Met: r.Met, NotMet: r.NotMet,
			Unknown: r.Unknown, DeadZoneVillages: jsonNum(r.DeadZoneVillages), DeadZoneHouseholds: jsonNum(math.Round(r.DeadZoneHouseholds)),
			SpeedMobile: jsonNum(r.SpeedMobile), SpeedFixed: jsonNum(r.SpeedFixed)}
		for _, t := range Targets {
			x := r.Targets[t]
			conf := jsonNum(x.Confidence)
			if x.Confidence == 0 {
				conf = jsonNum(math.NaN()) // null: no confidence interval
			}
			jr.Targets = append(jr.Targets, jsonResult{Target: t.String(), Value: jsonNum(x.Value), Lower: jsonNum(x.Lower),
				Upper: jsonNum(x.Upper), Interval: string(x.Interval), Confidence: conf, Method: x.Method, Assumptions: x.Assumptions, Goal: jsonNum(x.Goal), Status: x.Status.String(), StatusPoint: x.StatusPoint.String(),
				StatusBound: x.StatusBound.String(), Change: jsonNum(x.Change), Rank: rankPtr(x.Rank), Issues: x.Issues, Projected: x.HouseholdsProjected, Reason: x.Reason})
		}
		out.Rows = append(out.Rows, jr)
	}
	for _, a := range c.Alerts {
		out.Alerts = append(out.Alerts, jsonAlert{Area: a.Area, Name: c.Names[a.Area], Period: a.Period.String(), Kind: string(a.Kind),
			Target: a.Target.String(), Items: a.Items, Previous: jsonNum(a.Previous), Current: jsonNum(a.Current), Message: a.Message,
			NotLikeWithLike: a.NotLikeWithLike})
	}
	for _, x := range c.Excluded {
		out.Excluded = append(out.Excluded, jsonExcluded{Area: x.Area, Rows: x.Rows, Why: x.Why})
	}
	for _, x := range c.Summed {
		out.Summed = append(out.Summed, jsonSummed{Period: x.Period, Rows: x.Rows, Areas: x.Areas, Into: x.Into, Why: x.Why})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// rankPtr returns nil (JSON null) for rank 0 (unranked).
func rankPtr(r int) *int {
	if r == 0 {
		return nil
	}
	return &r
}
