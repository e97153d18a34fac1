package coverage

import (
	"slices"
	"sort"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// Best is the best 3G/4G/5G coverage of one hex over every carrier: the
// input of dead-zone detection.
type Best struct {
	Cell hexgrid.Cell
	// State is the best level of any carrier's 3G, 4G or 5G state;
	// Uncovered when the hex has none (for example 2G states only).
	State Level
	// Source, Carrier and Tech identify the state that gave State; zero
	// values when the hex has no 3G/4G/5G state.
	Source  Source
	Carrier engine.Carrier
	Tech    engine.Tech
	// Carriers lists, sorted, the carriers with a 3G, 4G or 5G state of at
	// least Weak: the networks that serve the hex (with Weak, marginally).
	// A carrier missing here in a served hex has a gap that sharing or
	// roaming could close.
	Carriers []engine.Carrier
	// Has2G reports a 2G state of at least Weak from some carrier: with
	// State Uncovered, the hex is 2G-only.
	Has2G bool
}

// Served reports whether some carrier provides 3G, 4G or 5G service of at
// least Weak level. A populated hex that is not served is a dead zone (lõm
// sóng): DESIGN.md counts a hex as served when any carrier provides 3G or
// 4G (5G counts too, since every 5G phone falls back to 4G), and a 2G-only
// hex as a dead zone. Weak counts as served because it means the service
// works, with a failure share not significantly above the target
// (measured) or a margin-reduced signal above the no-service level
// (predicted); callers wanting a stricter rule test State == Covered.
func (b Best) Served() bool { return b.State >= Weak }

// BestByHex returns one Best per cell of states, sorted by cell. Among a
// cell's 3G/4G/5G states the best is the highest Level; ties prefer
// measured over predicted evidence, then the newer technology, then the
// carrier that sorts first, so the result does not depend on the order of
// states. 2G states never serve a hex; they set Has2G only.
func BestByHex(states []State) []Best {
	idx := make([]int, len(states))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return states[idx[a]].Cell < states[idx[b]].Cell })
	var out []Best
	for i := 0; i < len(idx); {
		cell := states[idx[i]].Cell
		b := Best{Cell: cell, State: Uncovered}
		var best *State
		for ; i < len(idx) && states[idx[i]].Cell == cell; i++ {
			s := &states[idx[i]]
			if s.Tech == engine.Tech2G {
				b.Has2G = b.Has2G || s.State >= Weak
				continue
			}
			if !s.Tech.Valid() {
				continue
			}
			if s.State >= Weak && !slices.Contains(b.Carriers, s.Carrier) {
				b.Carriers = append(b.Carriers, s.Carrier)
			}
			if best == nil || better(s, best) {
				best = s
			}
		}
		if best != nil {
			b.State, b.Source, b.Carrier, b.Tech = best.State, best.Source, best.Carrier, best.Tech
		}
		slices.Sort(b.Carriers)
		out = append(out, b)
	}
	return out
}

// better reports whether a beats b by level, then measured evidence, then
// newer technology, then carrier order.
func better(a, b *State) bool {
	switch {
	case a.State != b.State:
		return a.State > b.State
	case a.Source != b.Source:
		return a.Source == Measured
	case a.Tech != b.Tech:
		return a.Tech > b.Tech
	}
	return a.Carrier < b.Carrier
}
