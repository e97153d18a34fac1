package challenge

import (
	"fmt"
	"maps"
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
	cfg Config
	// accs holds each key's counts in a map whose keys and values hold no
	// pointer (a carrier is an index into carriers): hashed and compared
	// as memory, and not scanned by the collector — one is updated per
	// test of a month.
	accs     map[tallyKey]tallyAcc
	carriers []engine.Carrier
	index    map[engine.Carrier]uint16
	last     engine.Carrier // the carrier of the last test added, and its index
	lastIdx  uint16
	invalid  int
}

// tallyKey is a key of a Tally: a cell, a carrier's index in
// Tally.carriers and a technology.
type tallyKey struct {
	cell    hexgrid.Cell
	carrier uint16
	tech    engine.Tech
}

// tallyAcc is the counts of one key (TallyEntry without the key).
type tallyAcc struct {
	tests, excluded, negatives  int
	childMask                   uint8
	firstNegative, lastNegative int64
}

// carrierIndex returns c's index in t.carriers (a month has a few
// carriers; an index holds 65,536), adding it when new (the
// tally is being built: not safe for concurrent use).
func (t *Tally) carrierIndex(c engine.Carrier) uint16 {
	if c == t.last && len(t.carriers) > 0 {
		return t.lastIdx
	}
	i, ok := t.index[c]
	if !ok {
		i = uint16(len(t.carriers))
		t.carriers = append(t.carriers, c)
		t.index[c] = i
	}
	t.last, t.lastIdx = c, i
	return i
}

// entry returns the TallyEntry of key k with counts a.
func (t *Tally) entry(k tallyKey, a tallyAcc) TallyEntry {
	return TallyEntry{Cell: k.cell, Carrier: t.carriers[k.carrier], Tech: k.tech, Tests: a.tests, Excluded: a.excluded,
		Negatives: a.negatives, ChildMask: a.childMask, FirstNegative: a.firstNegative, LastNegative: a.lastNegative}
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
	return &Tally{cfg: cfg, accs: map[tallyKey]tallyAcc{}, index: map[engine.Carrier]uint16{}}, nil
}

// NewTallyFrom restores a tally saved with State, for cfg.
func NewTallyFrom(cfg Config, st TallyState) (*Tally, error) {
	t, err := NewTally(cfg)
	if err != nil {
		return nil, err
	}
	t.invalid = st.Invalid
	for _, e := range st.Entries {
		ci := t.carrierIndex(e.Carrier)
		k := tallyKey{e.Cell, ci, e.Tech}
		if _, dup := t.accs[k]; dup {
			return nil, fmt.Errorf("challenge: tally lists %v %s %s twice", e.Cell, e.Carrier, e.Tech)
		}
		t.accs[k] = tallyAcc{tests: e.Tests, excluded: e.Excluded, negatives: e.Negatives, childMask: e.ChildMask,
			firstNegative: e.FirstNegative, lastNegative: e.LastNegative}
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
	ci := t.carrierIndex(test.Carrier)
	k := tallyKey{hexgrid.FastParent(fine, t.cfg.Res), ci, test.Tech}
	a := t.accs[k]
	negative, ok := classify(test, t.cfg)
	if !ok || !t.cfg.daytime(test.TimeUnixMs) ||
		(test.Environment != engine.EnvOutdoor && test.Environment != engine.EnvVehicle) {
		a.excluded++
		t.accs[k] = a
		return
	}
	a.tests++
	a.childMask |= 1 << fine.ChildDigit()
	if negative {
		if a.negatives == 0 || test.TimeUnixMs < a.firstNegative {
			a.firstNegative = test.TimeUnixMs
		}
		if a.negatives == 0 || test.TimeUnixMs > a.lastNegative {
			a.lastNegative = test.TimeUnixMs
		}
		a.negatives++
	}
	t.accs[k] = a
}

// Merge adds the tests of o (tallied with the same configuration) to t.
func (t *Tally) Merge(o *Tally) {
	t.invalid += o.invalid
	// o's carrier indices in t.
	idx := make([]uint16, len(o.carriers))
	for i, c := range o.carriers {
		idx[i] = t.carrierIndex(c)
	}
	for ok, b := range o.accs {
		k := tallyKey{ok.cell, idx[ok.carrier], ok.tech}
		a, had := t.accs[k]
		if !had {
			t.accs[k] = b
			continue
		}
		if b.negatives > 0 {
			if a.negatives == 0 || b.firstNegative < a.firstNegative {
				a.firstNegative = b.firstNegative
			}
			if a.negatives == 0 || b.lastNegative > a.lastNegative {
				a.lastNegative = b.lastNegative
			}
		}
		a.tests += b.tests
		a.excluded += b.excluded
		a.negatives += b.negatives
		a.childMask |= b.childMask
		t.accs[k] = a
	}
}

// Len returns the number of keys tallied.
func (t *Tally) Len() int { return len(t.accs) }

// State returns the tally's content, entries sorted by carrier, tech and
// cell.
func (t *Tally) State() TallyState {
	st := TallyState{Invalid: t.invalid, Entries: make([]TallyEntry, 0, len(t.accs))}
	for k, a := range t.accs {
		st.Entries = append(st.Entries, t.entry(k, a))
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
	// Claims are keyed as the tally's keys; a carrier the tally does not
	// know takes an index after its own (claimed, never matched).
	index := maps.Clone(t.index) // read only: adjudications may share a tally
	var lastC engine.Carrier
	var lastI uint16
	var rep Report
	if n := min(len(claims), len(t.accs)); n > 0 {
		rep.Hexes = make([]Result, 0, n) // at most one per tallied key
	}
	for i, c := range claims {
		if !c.Cell.Valid() || c.Cell.Resolution() != cfg.Res {
			return Report{}, fmt.Errorf("%w: cell %v for %s %s is not a valid cell at resolution %d", ErrClaim, c.Cell, c.Carrier, c.Tech, cfg.Res)
		}
		ci := lastI
		if i == 0 || c.Carrier != lastC {
			var known bool
			if ci, known = index[c.Carrier]; !known {
				ci = uint16(len(index))
				index[c.Carrier] = ci
			}
			lastC, lastI = c.Carrier, ci
		}
		k := tallyKey{c.Cell, ci, c.Tech}
		if a, ok := t.accs[k]; ok && a.tests+a.excluded > 0 {
			rep.Hexes = append(rep.Hexes, decide(&acc{Result: Result{Claim: c, Tests: a.tests, Excluded: a.excluded,
				Negatives: a.negatives, Children: bits.OnesCount8(a.childMask), ChildMask: a.childMask},
				first: a.firstNegative, last: a.lastNegative}, cfg))
		}
	}
	// A key claimed twice is decided once: its results are equal and,
	// sorted, adjacent. The tests of keys not claimed are the tally's
	// less those decided (a claimed key without tests adds none).
	slices.SortFunc(rep.Hexes, func(a, b Result) int { return cmpKey(a.Claim, b.Claim) })
	rep.Hexes = slices.CompactFunc(rep.Hexes, func(a, b Result) bool { return cmpKey(a.Claim, b.Claim) == 0 })
	for _, a := range t.accs {
		rep.Unmatched += a.tests + a.excluded
	}
	for i := range rep.Hexes {
		rep.Unmatched -= rep.Hexes[i].Tests + rep.Hexes[i].Excluded
	}
	rep.Invalid = t.invalid
	if len(rep.Hexes) == 0 {
		rep.Hexes = nil // as when none was sized
	}
	rep.Parents = rollup(rep.Hexes, cfg)
	return rep, nil
}
