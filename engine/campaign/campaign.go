package campaign

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/lomsong/lomsong/engine"
	"github.com/paulmach/orb"
)

// Village is a village with its dead-zone probability.
type Village struct {
	engine.Village
	// PDead is the probability that the village is a dead zone, in [0, 1].
	PDead float64
}

// Config configures Build. Zero fields take the documented defaults
// (Defaults); Days has none and must be set.
type Config struct {
	// Teams is the number of measuring teams. Default 1.
	Teams int
	// Days is the number of working days of every team. Required, ≥ 1.
	Days int
	// DayHours is the time budget of a team-day (travel and tests), hours.
	// Default 8.
	DayHours float64
	// MeasureHours is the time a team spends testing at one village,
	// hours. Default 1.5.
	MeasureHours float64
	// SpeedKmh is the travel speed along the detoured distance, km/h.
	// Default 30.
	SpeedKmh float64
	// DetourFactor multiplies great-circle distances into road distances.
	// Default 1.4; at least 1.
	DetourFactor float64
	// MissCost is the cost of declaring a dead village served, relative to
	// a false alarm's 1 (C in doc.go). Default 1.
	MissCost float64
	// ResidualError is the probability that the tests of a village still
	// give the wrong verdict (ε in doc.go), in [0, 0.5). Default 0.05; a
	// negative value means 0 (tests settle the verdict).
	ResidualError float64
	// Start is where the teams start (lon, lat). The zero point means
	// unset: the village nearest the mean lon/lat of the villages
	// (DefaultStart).
	Start orb.Point
	// ReturnToBase makes every team-day a round trip from Start; otherwise
	// a team lodges where its day ends.
	ReturnToBase bool
}

// Defaults returns c with zero fields set to the documented defaults.
func (c Config) Defaults() Config {
	if c.Teams == 0 {
		c.Teams = 1
	}
	if c.DayHours == 0 {
		c.DayHours = 8
	}
	if c.MeasureHours == 0 {
		c.MeasureHours = 1.5
	}
	if c.SpeedKmh == 0 {
		c.SpeedKmh = 30
	}
	if c.DetourFactor == 0 {
		c.DetourFactor = 1.4
	}
	if c.MissCost == 0 {
		c.MissCost = 1
	}
	switch {
	case c.ResidualError == 0:
		c.ResidualError = 0.05
	case c.ResidualError < 0:
		c.ResidualError = 0
	}
	return c
}

// Validate checks the configuration with defaults applied. Errors wrap
// engine.ErrInvalidConfig.
func (c Config) Validate() error {
	c = c.Defaults()
	bad := func(format string, a ...any) error {
		return fmt.Errorf("campaign: "+format+": %w", append(a, engine.ErrInvalidConfig)...)
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case c.Teams < 1:
		return bad("teams %d: want at least 1", c.Teams)
	case c.Days < 1:
		return bad("days %d: want at least 1", c.Days)
	case !finite(c.DayHours) || c.DayHours <= 0 || c.DayHours > 24:
		return bad("day hours %g: want (0, 24]", c.DayHours)
	case !finite(c.MeasureHours) || c.MeasureHours <= 0 || c.MeasureHours > c.DayHours:
		return bad("measure hours %g: want (0, day hours %g]", c.MeasureHours, c.DayHours)
	case !finite(c.SpeedKmh) || c.SpeedKmh <= 0:
		return bad("speed %g km/h: want > 0", c.SpeedKmh)
	case !finite(c.DetourFactor) || c.DetourFactor < 1:
		return bad("detour factor %g: want ≥ 1", c.DetourFactor)
	case !finite(c.MissCost) || c.MissCost <= 0:
		return bad("miss cost %g: want > 0", c.MissCost)
	case !(c.ResidualError >= 0 && c.ResidualError < 0.5):
		return bad("residual error %g: want [0, 0.5)", c.ResidualError)
	case !validPoint(c.Start):
		return bad("start %v: want lon in [-180, 180], lat in [-90, 90]", c.Start)
	}
	return nil
}

func validPoint(p orb.Point) bool {
	return p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90
}

// Value returns the Bayes risk of a village's verdict now and after a test
// day, in expected misclassified households weighted by the miss cost,
// and the value of the test, riskNow − riskAfter (doc.go):
//
//	riskNow   = h · min(C·p, 1−p)
//	riskAfter = h · [min(C·p·(1−ε), (1−p)·ε) + min(C·p·ε, (1−p)·(1−ε))]
//
// It expects h ≥ 0, p in [0, 1], C > 0 and ε in [0, 0.5).
func Value(households, pDead, missCost, residualError float64) (riskNow, riskAfter, value float64) {
	a, b, e := missCost*pDead, 1-pDead, residualError
	riskNow = households * min(a, b)
	riskAfter = households * (min(a*(1-e), b*e) + min(a*e, b*(1-e)))
	value = riskNow - riskAfter
	if value <= 1e-12*households*max(a, b) {
		value = 0
	}
	return riskNow, riskAfter, value
}

// Visit is one village of the ranking.
type Visit struct {
	Village
	// Row is the village's index in Build's input.
	Row int
	// RiskNow, RiskAfter and Value are Value's results for the village.
	RiskNow, RiskAfter, Value float64
	// Team and Day (1-based) of the visit, and Order, its place in the
	// day's route (1 = first village); all 0 when it is not chosen.
	Team, Day, Order int
}

// Chosen reports whether the village is visited.
func (v Visit) Chosen() bool { return v.Team > 0 }

// Route is one team-day.
type Route struct {
	Team, Day int
	// Start is where the day begins; End where it ends (the last village,
	// or Start with ReturnToBase).
	Start, End orb.Point
	// Rows are the visited villages (indexes into Build's input) in order.
	Rows []int
	// LengthKm is the estimated travel distance: great-circle legs (with
	// the return to Start under ReturnToBase) times the detour factor.
	LengthKm float64
	// TravelHours, MeasureHours and their sum Hours, which is at most
	// Config.DayHours.
	TravelHours, MeasureHours, Hours float64
	// Value is the sum of the visited villages' values.
	Value float64
}

// Plan is a measurement campaign.
type Plan struct {
	// Config is the effective configuration (defaults applied, Start
	// resolved).
	Config Config
	// Ranked are the villages with a positive value, best first (doc.go).
	Ranked []Visit
	// Routes are the team-days that visit a village, by day, then team.
	Routes []Route
	// Value is the total value of the visited villages; RiskNow the total
	// risk of every village now.
	Value, RiskNow float64
}

// Build plans a campaign over villages (doc.go). A village with an
// invalid position, households or probability is an error wrapping
// engine.ErrInvalidValue; a bad configuration one wrapping
// engine.ErrInvalidConfig.
func Build(villages []Village, cfg Config) (*Plan, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.Defaults()
	for i, v := range villages {
		switch {
		case math.IsNaN(v.Lon) || math.IsNaN(v.Lat) || !validPoint(orb.Point{v.Lon, v.Lat}):
			return nil, fmt.Errorf("campaign: village %q (row %d): position %g, %g: %w", v.ID, i, v.Lon, v.Lat, engine.ErrInvalidValue)
		case !(v.Households >= 0) || math.IsInf(v.Households, 0):
			return nil, fmt.Errorf("campaign: village %q (row %d): households %g: %w", v.ID, i, v.Households, engine.ErrInvalidValue)
		case !(v.PDead >= 0 && v.PDead <= 1):
			return nil, fmt.Errorf("campaign: village %q (row %d): p_dead %g outside [0, 1]: %w", v.ID, i, v.PDead, engine.ErrInvalidValue)
		}
	}
	if cfg.Start == (orb.Point{}) {
		cfg.Start = DefaultStart(villages)
	}
	p := &Plan{Config: cfg}
	visits := make([]Visit, len(villages))
	for i, v := range villages {
		now, after, val := Value(v.Households, v.PDead, cfg.MissCost, cfg.ResidualError)
		visits[i] = Visit{Village: v, Row: i, RiskNow: now, RiskAfter: after, Value: val}
		p.RiskNow += now
	}
	var cands []int
	for i := range visits {
		if visits[i].Value > 0 {
			cands = append(cands, i)
		}
	}
	// By value, largest first: no candidate after one whose value per
	// measuring hour is below the best ratio so far can beat it.
	slices.SortStableFunc(cands, func(a, b int) int { return cmp.Compare(visits[b].Value, visits[a].Value) })
	pl := planner{cfg: cfg, visits: visits, chosen: make([]bool, len(visits)), cands: cands}
	// A team-day visits at least one village or none: teams beyond the
	// candidates have nothing to do, and once every candidate is planned,
	// or a whole day plans nothing (nothing moved, so every later day is
	// the same), the days left are idle. So the work is bounded by the
	// candidates, whatever Teams and Days say.
	teams := min(cfg.Teams, len(cands))
	left := len(cands)
	at := make([]orb.Point, teams)
	for t := range at {
		at[t] = cfg.Start
	}
	for day := 1; day <= cfg.Days && left > 0; day++ {
		planned := false
		for team := 1; team <= teams && left > 0; team++ {
			r := pl.day(at[team-1])
			if len(r.Rows) == 0 {
				continue
			}
			planned = true
			left -= len(r.Rows)
			r.Team, r.Day = team, day
			for k, row := range r.Rows {
				visits[row].Team, visits[row].Day, visits[row].Order = team, day, k+1
				r.Value += visits[row].Value
			}
			p.Value += r.Value
			if !cfg.ReturnToBase {
				at[team-1] = r.End
			}
			p.Routes = append(p.Routes, r)
		}
		if !planned {
			break
		}
	}
	for _, i := range cands {
		p.Ranked = append(p.Ranked, visits[i])
	}
	slices.SortStableFunc(p.Ranked, func(a, b Visit) int {
		if c := cmp.Compare(b.Value, a.Value); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Households, a.Households); c != 0 {
			return c
		}
		if c := cmp.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return cmp.Compare(a.Row, b.Row)
	})
	return p, nil
}

// DefaultStart is where a campaign starts when Config.Start is unset: the
// position of the village nearest (great circle) the villages' mean lon,
// lat (Centroid), ties to the earlier one; the zero point when there are
// none. The mean itself may be no place a team can start from: that of
// the villages of a country shaped as Viet Nam is lies in Laos, that of
// a province along a curved coast in the sea.
func DefaultStart(villages []Village) orb.Point {
	c := Centroid(villages)
	best, bd := c, math.Inf(1)
	for _, v := range villages {
		p := orb.Point{v.Lon, v.Lat}
		if d := GreatCircleKm(c, p); d < bd {
			best, bd = p, d
		}
	}
	return best
}

// Centroid is the mean lon, lat of the villages (the zero point when
// there are none).
func Centroid(villages []Village) orb.Point {
	var c orb.Point
	if len(villages) == 0 {
		return c
	}
	for _, v := range villages {
		c[0] += v.Lon
		c[1] += v.Lat
	}
	c[0] /= float64(len(villages))
	c[1] /= float64(len(villages))
	return c
}

// planner fills team-days one after another.
type planner struct {
	cfg    Config
	visits []Visit
	chosen []bool
	cands  []int // rows with a positive value, by value (largest first)
}

// day plans one team-day starting at start.
func (pl *planner) day(start orb.Point) Route {
	cfg := pl.cfg
	startNode := len(pl.visits)
	pt := func(i int) orb.Point {
		if i == startNode {
			return start
		}
		return orb.Point{pl.visits[i].Lon, pl.visits[i].Lat}
	}
	dist := func(i, j int) float64 { return GreatCircleKm(pt(i), pt(j)) }
	closed := cfg.ReturnToBase
	hoursPerKm := cfg.DetourFactor / cfg.SpeedKmh
	hours := func(route []int) float64 {
		return PathLength(route, dist, closed)*hoursPerKm + float64(len(route)-1)*cfg.MeasureHours
	}
	// Any route through a village is at least as long as the straight
	// way there (and back under ReturnToBase): villages farther cannot fit
	// this day.
	legs := 1.0
	if closed {
		legs = 2
	}
	var reach []int
	for _, i := range pl.cands {
		if !pl.chosen[i] && legs*dist(startNode, i)*hoursPerKm+cfg.MeasureHours <= cfg.DayHours {
			reach = append(reach, i)
		}
	}
	route := []int{startNode}
	cur := 0.0
	skip := map[int]bool{} // rows that fitted by estimate but not exactly
	fill := func() int {
		added := 0
		for {
			best, bestPos := -1, 0
			var bestRatio float64
			for _, i := range reach {
				if best >= 0 && pl.visits[i].Value/cfg.MeasureHours < bestRatio {
					break
				}
				if pl.chosen[i] || skip[i] {
					continue
				}
				ins, pos := insertion(route, i, dist, closed)
				extra := ins*hoursPerKm + cfg.MeasureHours
				if cur+extra > cfg.DayHours {
					continue
				}
				ratio := pl.visits[i].Value / extra
				if best < 0 || better(ratio, pl.visits[i], bestRatio, pl.visits[best]) {
					best, bestPos, bestRatio = i, pos, ratio
				}
			}
			if best < 0 {
				return added
			}
			route = slices.Insert(route, bestPos, best)
			h := hours(route)
			if h > cfg.DayHours {
				route = slices.Delete(route, bestPos, bestPos+1)
				skip[best] = true
				continue
			}
			cur = h
			pl.chosen[best] = true
			added++
		}
	}
	for {
		added := fill()
		if len(route) > 2 {
			nn := improve(NearestNeighbour(startNode, route[1:], dist), dist, closed)
			ins := improve(slices.Clone(route), dist, closed)
			if PathLength(ins, dist, closed) >= PathLength(nn, dist, closed)-twoOptEps {
				route = nn
			} else {
				route = ins
			}
			cur = hours(route)
		}
		if added == 0 {
			break
		}
	}
	r := Route{Start: start, End: start, Rows: slices.Clone(route[1:])}
	if len(r.Rows) > 0 && !closed {
		r.End = pt(route[len(route)-1])
	}
	r.LengthKm = PathLength(route, dist, closed) * cfg.DetourFactor
	r.TravelHours = r.LengthKm / cfg.SpeedKmh
	r.MeasureHours = float64(len(r.Rows)) * cfg.MeasureHours
	r.Hours = r.TravelHours + r.MeasureHours
	return r
}

// better reports whether candidate (ratio, v) beats the best so far: a
// higher value per hour, then a higher value, then a smaller ID, then an
// earlier row.
func better(ratio float64, v Visit, bestRatio float64, b Visit) bool {
	if ratio != bestRatio {
		return ratio > bestRatio
	}
	if v.Value != b.Value {
		return v.Value > b.Value
	}
	if v.ID != b.ID {
		return v.ID < b.ID
	}
	return v.Row < b.Row
}

// insertion returns the cheapest extra distance of inserting node into
// route (whose first node stays first) and the position to insert it at;
// ties go to the earliest position.
func insertion(route []int, node int, dist func(i, j int) float64, closed bool) (float64, int) {
	best, pos := math.Inf(1), 0
	for k := 1; k <= len(route); k++ {
		prev := route[k-1]
		var extra float64
		switch {
		case k < len(route):
			extra = dist(prev, node) + dist(node, route[k]) - dist(prev, route[k])
		case closed:
			extra = dist(prev, node) + dist(node, route[0]) - dist(prev, route[0])
		default:
			extra = dist(prev, node)
		}
		if extra < best {
			best, pos = extra, k
		}
	}
	return best, pos
}
