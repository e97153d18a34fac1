package challenge

import (
	"fmt"
	"math/bits"
	"slices"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// Tally holds what adjudication needs of the tests, per (cell at
// Config.Res, carrier, tech): counted and excluded tests, negatives, the
// children hit and the first and last negative times. It is built while
// the measurements are scanned (Add), so its memory grows with the keys,
// not the tests; tallies of disjoint tests merge (Merge), and
// AdjudicateTally decides claims from it exactly as Adjudicate decides
// them from the tests (Adjudicate is AdjudicateTally of the tests' tally).
type Tally struct {
	cfg     Config
	accs    map[key]*TallyEntry
	invalid int
}

// TallyEntry is the tally of one key.
type TallyEntry struct {
	Cell    hexgrid.Cell // at Config.Res
	Carrier engine.Carrier
	Tech    engine.Tech
	// Tests are counted tests (daytime, outdoor or vehicle, usable
	// result); Excluded the key's other tests.
	Tests, Excluded, Negatives int
	// ChildMask has bit d set for the child (H3 digit d) with counted tests.
	ChildMask uint8
	// FirstNegative and LastNegative are the first and last negative
	// test times (Unix ms, UTC); 0 without negatives.
	FirstNegative, LastNegative int64
}

// TallyState is a tally's content, to save and restore it (NewTallyFrom).
type TallyState struct {
	Entries []TallyEntry // sorted by carrier, tech, cell
	Invalid int
}

// NewTally starts an empty tally for cfg.
func NewTally(cfg Config) (*Tally, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Tally{cfg: cfg, accs: map[key]*TallyEntry{}}, nil
}

// NewTallyFrom restores a tally saved with State, for cfg.
func NewTallyFrom(cfg Config, st TallyState) (*Tally, error) {
	t, err := NewTally(cfg)
	if err != nil {
		return nil, err
	}
	t.invalid = st.Invalid
	for i := range st.Entries {
		e := st.Entries[i]
		k := key{e.Cell, e.Carrier, e.Tech}
		if t.accs[k] != nil {
			return nil, fmt.Errorf("challenge: tally lists %v %s %s twice", e.Cell, e.Carrier, e.Tech)
		}
		t.accs[k] = &e
	}
	return t, nil
}

// Add tallies one test whose hex at Config.Res+1 is fine (0 when its
// position could not be indexed: an invalid test, as are tests without
// carrier or a valid technology).
func (t *Tally) Add(test Test, fine hexgrid.Cell) {
	if !fine.Valid() || fine.Resolution() != t.cfg.Res+1 || test.Carrier == "" || !test.Tech.Valid() {
		t.invalid++
		return
	}
	k := key{hexgrid.FastParent(fine, t.cfg.Res), test.Carrier, test.Tech}
	a := t.accs[k]
	if a == nil {
		a = &TallyEntry{Cell: k.cell, Carrier: k.carrier, Tech: k.tech}
		t.accs[k] = a
	}
	negative, ok := classify(test, t.cfg)
	if !ok || !t.cfg.daytime(test.TimeUnixMs) ||
		(test.Environment != engine.EnvOutdoor && test.Environment != engine.EnvVehicle) {
		a.Excluded++
		return
	}
	a.Tests++
	a.ChildMask |= 1 << fine.ChildDigit()
	if negative {
		if a.Negatives == 0 || test.TimeUnixMs < a.FirstNegative {
			a.FirstNegative = test.TimeUnixMs
		}
		if a.Negatives == 0 || test.TimeUnixMs > a.LastNegative {
			a.LastNegative = test.TimeUnixMs
		}
		a.Negatives++
	}
}

// Merge adds the tests of o (tallied with the same configuration) to t.
func (t *Tally) Merge(o *Tally) {
	t.invalid += o.invalid
	for k, b := range o.accs {
		a := t.accs[k]
		if a == nil {
			c := *b
			t.accs[k] = &c
			continue
		}
		if b.Negatives > 0 {
			if a.Negatives == 0 || b.FirstNegative < a.FirstNegative {
				a.FirstNegative = b.FirstNegative
			}
			if a.Negatives == 0 || b.LastNegative > a.LastNegative {
				a.LastNegative = b.LastNegative
			}
		}
		a.Tests += b.Tests
		a.Excluded += b.Excluded
		a.Negatives += b.Negatives
		a.ChildMask |= b.ChildMask
	}
}

// Len returns the number of keys tallied.
func (t *Tally) Len() int { return len(t.accs) }

// State returns the tally's content, entries sorted by carrier, tech and
// cell.
func (t *Tally) State() TallyState {
	st := TallyState{Invalid: t.invalid, Entries: make([]TallyEntry, 0, len(t.accs))}
	for _, a := range t.accs {
		st.Entries = append(st.Entries, *a)
	}
	slices.SortFunc(st.Entries, func(a, b TallyEntry) int {
		return cmpKey(Claim{a.Cell, a.Carrier, a.Tech}, Claim{b.Cell, b.Carrier, b.Tech})
	})
	return st
}

// AdjudicateTally decides every claimed hex with tests from a tally, as
// Adjudicate does from the tests themselves. The tally's configuration
// (resolution, day window, thresholds) is the one that counted the tests;
// cfg's thresholds of decision (children, span, volume, roll-up) apply.
// Unmatched counts the tallied tests of keys that are not claimed.
func AdjudicateTally(claims []Claim, t *Tally, cfg Config) (Report, error) {
	if err := cfg.Validate(); err != nil {
		return Report{}, err
	}
	if cfg.Res != t.cfg.Res || cfg.UTCOffset != t.cfg.UTCOffset || cfg.DayStart != t.cfg.DayStart ||
		cfg.DayEnd != t.cfg.DayEnd || cfg.Thresholds != t.cfg.Thresholds {
		return Report{}, fmt.Errorf("challenge: the tests were tallied with another resolution, day window or thresholds: %w", engine.ErrInvalidConfig)
	}
	claimed := make(map[key]bool, len(claims))
	var rep Report
	for _, c := range claims {
		if !c.Cell.Valid() || c.Cell.Resolution() != cfg.Res {
			return Report{}, fmt.Errorf("%w: cell %v for %s %s is not a valid cell at resolution %d", ErrClaim, c.Cell, c.Carrier, c.Tech, cfg.Res)
		}
		k := key{c.Cell, c.Carrier, c.Tech}
		if claimed[k] {
			continue
		}
		claimed[k] = true
		if a := t.accs[k]; a != nil && a.Tests+a.Excluded > 0 {
			rep.Hexes = append(rep.Hexes, decide(&acc{Result: Result{Claim: c, Tests: a.Tests, Excluded: a.Excluded,
				Negatives: a.Negatives, Children: bits.OnesCount8(a.ChildMask), ChildMask: a.ChildMask},
				first: a.FirstNegative, last: a.LastNegative}, cfg))
		}
	}
	for k, a := range t.accs {
		if !claimed[k] {
			rep.Unmatched += a.Tests + a.Excluded
		}
	}
	rep.Invalid = t.invalid
	slices.SortFunc(rep.Hexes, func(a, b Result) int { return cmpKey(a.Claim, b.Claim) })
	rep.Parents = rollup(rep.Hexes, cfg)
	return rep, nil
}
