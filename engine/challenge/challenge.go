package challenge

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"gonum.org/v1/gonum/stat/distuv"
)

// Claim is one hex a carrier claims to cover with one technology.
type Claim struct {
	Cell    hexgrid.Cell // at Config.Res
	Carrier engine.Carrier
	Tech    engine.Tech
}

// Test is one submitted speed or signal test.
type Test struct {
	TimeUnixMs int64 // UTC
	// Cell is the test's hex at Config.Res+1; when zero, Lon and Lat
	// (WGS84 degrees) are indexed.
	Cell        hexgrid.Cell
	Lon, Lat    float64
	Carrier     engine.Carrier
	Tech        engine.Tech
	SignalDBm   float64 // NaN when absent (service none)
	Service     engine.Service
	Environment engine.Environment
}

// Verdict is the outcome for one claimed hex.
type Verdict uint8

// Verdicts.
const (
	// Insufficient: the tests neither meet every threshold nor show the
	// claim holds (too few, badly spread, or negatives too close in time).
	Insufficient Verdict = iota
	// Upheld: tests meet the geographic threshold and their negative share
	// is not significantly above NullShare.
	Upheld
	// Challenged: a successful challenge; every threshold is met.
	Challenged
)

func (v Verdict) String() string {
	switch v {
	case Insufficient:
		return "insufficient"
	case Upheld:
		return "upheld"
	case Challenged:
		return "challenged"
	}
	return fmt.Sprintf("invalid(%d)", uint8(v))
}

// Result is the adjudication of one claimed hex with the numbers behind it.
type Result struct {
	Claim
	Verdict Verdict
	// Reason lists the thresholds not met, "; "-separated; empty when
	// challenged.
	Reason string
	// Tests counted (daytime, outdoor or vehicle, valid); Excluded are the
	// other tests of this claim.
	Tests, Excluded int
	Negatives       int
	// Children is how many of the 7 children hold counted tests; bit d of
	// ChildMask is set for the child with H3 digit d.
	Children  int
	ChildMask uint8
	// First and last negative test times (UTC); 0 without negatives.
	FirstNegativeUnixMs, LastNegativeUnixMs int64
	SpanHours                               float64
	// PValue is P(X ≥ Negatives | Tests, NullShare); NaN without tests.
	PValue float64
	// The three thresholds.
	GeographicMet, TemporalMet, VolumeMet bool
}

// Rollup is the verdict on a coarser parent of claimed hexes.
type Rollup struct {
	Cell    hexgrid.Cell
	Carrier engine.Carrier
	Tech    engine.Tech
	Res     int
	// ChildrenChallenged and ChildrenUpheld count its children (at the
	// next finer resolution) with those verdicts.
	ChildrenChallenged, ChildrenUpheld int
	// Verdict: Challenged when ≥ RollupMin children are; else Upheld when
	// ≥ RollupMin children are decided (upheld or challenged), the
	// parent's evidence then reaching as far as a hex's geographic
	// threshold asks of its children; else Insufficient. A parent with
	// no test, or whose children's tests are too few to decide any of
	// them, is never Upheld.
	Verdict    Verdict
	Challenged bool // Verdict == Challenged
	// The evidence under the parent: ChildrenWithTests of its 7 children
	// hold counted tests; Tests and Negatives are the sums, and the first
	// and last negative times the earliest and latest, over the claimed
	// hexes it holds (0 without negatives).
	ChildrenWithTests                       int
	Tests, Negatives                        int
	FirstNegativeUnixMs, LastNegativeUnixMs int64
	// Excluded sums the claimed hexes' tests not counted (Result.Excluded).
	Excluded int
}

// evidence is what a roll-up sums of the hexes under it.
type evidence struct {
	tests, negatives int
	first, last      int64 // 0 without negatives
	excluded         int
}

func (e *evidence) add(o evidence) {
	e.tests += o.tests
	e.excluded += o.excluded
	e.negatives += o.negatives
	if o.first != 0 && (e.first == 0 || o.first < e.first) {
		e.first = o.first
	}
	e.last = max(e.last, o.last)
}

// parentSum is one parent's count of challenged and upheld children and
// of children with tests, and the evidence under it.
type parentSum struct {
	challenged, upheld, withTests int
	ev                            evidence
}

func (s *parentSum) add(c levelKey) {
	switch c.verdict {
	case Challenged:
		s.challenged++
	case Upheld:
		s.upheld++
	}
	if c.ev.tests > 0 {
		s.withTests++
	}
	s.ev.add(c.ev)
}

// Report is the outcome of Adjudicate.
type Report struct {
	Hexes   []Result // claims with at least one test, by carrier, tech, cell
	Parents []Rollup // by resolution (finest first), carrier, tech, cell
	// Unmatched tests fall in no claimed (hex, carrier, tech); Invalid
	// tests have no usable cell, carrier or technology.
	Unmatched, Invalid int
}

// Counts are a report's claims with tests and those challenged, each also
// as the distinct hexes they lie in (a hex is claimed once per carrier and
// technology).
type Counts struct {
	Claims, Challenged          int
	ClaimHexes, ChallengedHexes int
}

// Counts counts the report's claims (Hexes) and their hexes.
func (r Report) Counts() Counts {
	var c Counts
	claimed, challenged := map[hexgrid.Cell]bool{}, map[hexgrid.Cell]bool{}
	for _, h := range r.Hexes {
		c.Claims++
		claimed[h.Cell] = true
		if h.Verdict == Challenged {
			c.Challenged++
			challenged[h.Cell] = true
		}
	}
	c.ClaimHexes, c.ChallengedHexes = len(claimed), len(challenged)
	return c
}

// ErrClaim is returned for a claim that is not a valid cell at Config.Res.
var ErrClaim = errors.New("challenge: invalid claim")

type key struct {
	cell    hexgrid.Cell
	carrier engine.Carrier
	tech    engine.Tech
}

// acc is a claimed key's result being decided, with its first and last
// negative times.
type acc struct {
	Result
	first, last int64
}

// Adjudicate decides every claimed hex that has tests. A test counts when
// it was taken between cfg.DayStart and cfg.DayEnd local time, outdoors or
// in a vehicle (unknown and indoor environments are excluded), with a
// usable result: service none or emergency (negative), or a signal in
// engine.SignalRange of its technology or censored below its reporting
// floor (engine.AcceptedSignal; negative when below
// cfg.Thresholds.Covered, as a censored reading always is). A hex is
// challenged when its counted tests meet
//
//   - the geographic threshold: tests in ≥ MinChildren of its children;
//   - the temporal threshold: first and last negatives ≥ MinSpan apart;
//   - the volume threshold: ≥ MinNegatives negatives and P(X ≥ negatives |
//     tests, NullShare) < Alpha (one-sided exact binomial test).
//
// It is upheld when the geographic threshold is met and the negative share
// is not significant, and insufficient otherwise. Parents are rolled up
// from Res-1 to RollupRes: a parent is challenged when ≥ RollupMin of its
// children (at the next finer resolution) are, upheld when ≥ RollupMin
// are decided (upheld or challenged) but fewer are challenged, and
// insufficient otherwise.
func Adjudicate(claims []Claim, tests []Test, cfg Config) (Report, error) {
	if err := cfg.Validate(); err != nil {
		return Report{}, err
	}
	for _, c := range claims {
		if !c.Cell.Valid() || c.Cell.Resolution() != cfg.Res {
			return Report{}, fmt.Errorf("%w: cell %v for %s %s is not a valid cell at resolution %d", ErrClaim, c.Cell, c.Carrier, c.Tech, cfg.Res)
		}
	}
	fine := cfg.Res + 1
	// Index the tests given by position, in one batch.
	var lon, lat []float64
	var at []int
	for i, t := range tests {
		if t.Cell == 0 {
			lon, lat, at = append(lon, t.Lon), append(lat, t.Lat), append(at, i)
		}
	}
	indexed := make([]hexgrid.Cell, len(lon))
	if err := hexgrid.IndexInto(indexed, lon, lat, fine); err != nil {
		return Report{}, fmt.Errorf("challenge: index tests: %w", err)
	}
	cellOf := make([]hexgrid.Cell, len(tests))
	for j, i := range at {
		cellOf[i] = indexed[j]
	}
	tally, err := NewTally(cfg)
	if err != nil {
		return Report{}, err
	}
	for i, t := range tests {
		c := t.Cell
		if c == 0 {
			c = cellOf[i]
		}
		tally.Add(t, c)
	}
	return AdjudicateTally(claims, tally, cfg)
}

// classify reports whether a test is negative, and ok false when it has
// no usable result.
func classify(t Test, cfg Config) (negative, ok bool) {
	switch t.Service {
	case engine.ServiceNone, engine.ServiceEmergency:
		return true, true
	case engine.ServiceOK:
		if !engine.AcceptedSignal(t.Tech, t.SignalDBm) { // false for NaN
			return false, false
		}
		return t.SignalDBm < cfg.Thresholds.Covered(t.Tech), true
	}
	return false, false
}

func decide(a *acc, cfg Config) Result {
	r := a.Result
	r.PValue = math.NaN()
	if r.Negatives > 0 {
		r.FirstNegativeUnixMs, r.LastNegativeUnixMs = a.first, a.last
		r.SpanHours = float64(a.last-a.first) / 3.6e6
	}
	if r.Tests > 0 {
		r.PValue = UpperTail(r.Negatives, r.Tests, cfg.NullShare)
	}
	significant := r.Tests > 0 && r.PValue < cfg.Alpha
	r.GeographicMet = r.Children >= cfg.MinChildren
	r.TemporalMet = r.Negatives >= 2 && a.last-a.first >= cfg.MinSpan.Milliseconds()
	r.VolumeMet = r.Negatives >= cfg.MinNegatives && significant
	// The reasons, "; "-separated, built with strconv (a national month
	// decides millions of keys): the text fmt's verbs gave (%d, %v of the
	// span, %.2f, %g, %.4g), which TestDecideReasons checks.
	var buf [256]byte
	why := buf[:0]
	if r.Tests == 0 {
		why = reasonPart(why, "no counted tests (")
		why = strconv.AppendInt(why, int64(r.Excluded), 10)
		why = append(why, " excluded: night, indoor or unknown environment, or no usable result)"...)
	}
	if !r.GeographicMet {
		why = reasonPart(why, "geographic: tests in ")
		why = strconv.AppendInt(why, int64(r.Children), 10)
		why = append(why, " of 7 children, need "...)
		why = strconv.AppendInt(why, int64(cfg.MinChildren), 10)
	}
	if !r.TemporalMet {
		if r.Negatives < 2 {
			why = reasonPart(why, "temporal: ")
			why = strconv.AppendInt(why, int64(r.Negatives), 10)
			why = append(why, " negative tests, need 2 at least "...)
			why = append(why, cfg.MinSpan.String()...)
			why = append(why, " apart"...)
		} else {
			// As a duration to the millisecond, as the times are: 3.9999997
			// h read "4.00 h, need 4h0m0s".
			why = reasonPart(why, "temporal: negatives span ")
			why = append(why, (time.Duration(r.LastNegativeUnixMs-r.FirstNegativeUnixMs) * time.Millisecond).String()...)
			why = append(why, ", need "...)
			why = append(why, cfg.MinSpan.String()...)
		}
	}
	if r.Tests > 0 && !r.VolumeMet {
		if r.Negatives < cfg.MinNegatives {
			why = reasonPart(why, "volume: ")
			why = strconv.AppendInt(why, int64(r.Negatives), 10)
			why = append(why, " negative tests, need "...)
			why = strconv.AppendInt(why, int64(cfg.MinNegatives), 10)
		}
		if !significant {
			why = reasonPart(why, "volume: ")
			why = strconv.AppendInt(why, int64(r.Negatives), 10)
			why = append(why, " of "...)
			why = strconv.AppendInt(why, int64(r.Tests), 10)
			why = append(why, " negative, not significantly above "...)
			why = strconv.AppendFloat(why, cfg.NullShare, 'g', -1, 64)
			why = append(why, " (p = "...)
			why = strconv.AppendFloat(why, r.PValue, 'g', 4, 64)
			why = append(why, ')')
		}
	}
	r.Reason = string(why)
	switch {
	case r.GeographicMet && r.TemporalMet && r.VolumeMet:
		r.Verdict = Challenged
	case r.GeographicMet && r.Tests > 0 && !significant:
		r.Verdict = Upheld
	default:
		r.Verdict = Insufficient
	}
	return r
}

// reasonPart appends text to a reason list, after "; " unless first.
func reasonPart(why []byte, text string) []byte {
	if len(why) > 0 {
		why = append(why, "; "...)
	}
	return append(why, text...)
}

// rollup counts challenged children per parent, resolution by resolution,
// and sums the evidence under each.
func rollup(hexes []Result, cfg Config) []Rollup {
	var out []Rollup
	level := make([]levelKey, 0, len(hexes))
	for _, h := range hexes {
		level = append(level, levelKey{key{h.Cell, h.Carrier, h.Tech}, h.Verdict,
			evidence{h.Tests, h.Negatives, h.FirstNegativeUnixMs, h.LastNegativeUnixMs, h.Excluded}})
	}
	for res := cfg.Res - 1; res >= cfg.RollupRes; res-- {
		keys, sums := parentCounts(level, res)
		next := make([]levelKey, 0, len(keys))
		for i, k := range keys {
			s := sums[i]
			v := Insufficient
			switch {
			case s.challenged >= cfg.RollupMin:
				v = Challenged
			case s.challenged+s.upheld >= cfg.RollupMin:
				v = Upheld
			}
			out = append(out, Rollup{Cell: k.cell, Carrier: k.carrier, Tech: k.tech, Res: res,
				ChildrenChallenged: s.challenged, ChildrenUpheld: s.upheld, Verdict: v, Challenged: v == Challenged,
				ChildrenWithTests: s.withTests, Tests: s.ev.tests, Negatives: s.ev.negatives, Excluded: s.ev.excluded,
				FirstNegativeUnixMs: s.ev.first, LastNegativeUnixMs: s.ev.last})
			next = append(next, levelKey{k, v, s.ev})
		}
		level = next
	}
	return out
}

// levelKey is a key of one resolution of the rollup, its verdict, and
// the evidence under it.
type levelKey struct {
	key
	verdict Verdict
	ev      evidence
}

// parentCounts returns the distinct parents at res of the level's keys,
// in cmpKey's order, with how many of each one's children are
// challenged. Keys sorted by cmpKey have their parents in that order too,
// each parent's children together (an H3 index orders the cells of one
// resolution by their parents' digits first), so one pass over the runs
// gives them; keys out of that order are counted through a map and
// sorted.
func parentCounts(level []levelKey, res int) ([]key, []parentSum) {
	parent := func(c levelKey) key { return key{hexgrid.FastParent(c.cell, res), c.carrier, c.tech} }
	less := func(a, b key) int { return cmpKey(Claim{a.cell, a.carrier, a.tech}, Claim{b.cell, b.carrier, b.tech}) }
	keys := make([]key, 0, len(level)/4+1)
	var sums []parentSum
	for _, c := range level {
		p := parent(c)
		if n := len(keys); n == 0 || keys[n-1] != p {
			if n > 0 && less(keys[n-1], p) >= 0 {
				return parentCountsUnordered(level, parent, less)
			}
			keys = append(keys, p)
			sums = append(sums, parentSum{})
		}
		sums[len(sums)-1].add(c)
	}
	return keys, sums
}

// parentCountsUnordered is parentCounts for a level out of cmpKey's order.
func parentCountsUnordered(level []levelKey, parent func(levelKey) key, less func(a, b key) int) ([]key, []parentSum) {
	sum := map[key]*parentSum{}
	var keys []key
	for _, c := range level {
		p := parent(c)
		s := sum[p]
		if s == nil {
			keys = append(keys, p)
			s = &parentSum{}
			sum[p] = s
		}
		s.add(c)
	}
	slices.SortFunc(keys, less)
	sums := make([]parentSum, len(keys))
	for i, k := range keys {
		sums[i] = *sum[k]
	}
	return keys, sums
}

func cmpKey(a, b Claim) int {
	if c := strings.Compare(string(a.Carrier), string(b.Carrier)); c != 0 {
		return c
	}
	if a.Tech != b.Tech {
		return int(a.Tech) - int(b.Tech)
	}
	switch {
	case a.Cell < b.Cell:
		return -1
	case a.Cell > b.Cell:
		return 1
	}
	return 0
}

// upperTail sums the binomial probabilities of k..n (0 < k ≤ n).
func upperTail(k, n int, p float64) float64 {
	b := distuv.Binomial{N: float64(n), P: p}
	s := 0.0
	for i := n; i >= k; i-- { // smallest terms first
		s += b.Prob(float64(i))
	}
	return min(s, 1)
}
