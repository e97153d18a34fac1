package coverage

import (
	"fmt"
	"sort"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/internal/plural"
)

// Why a network has no calibration (Unfitted.Reason).
const (
	// UnfittedNoTests: sites on the air in the register, no test of the
	// network in the measurements read.
	UnfittedNoTests = "no_tests"
	// UnfittedNoSites: tests of the network, but no site of it on the air
	// in the register: nothing predicted to compare them with.
	UnfittedNoSites = "no_sites"
	// UnfittedFewTests: tests of the network, but no hex with MinTests
	// valid outdoor tests, which a pair needs.
	UnfittedFewTests = "few_tests"
	// UnfittedNoPrediction: hexes with enough tests, but no site of the
	// network reaches any of them.
	UnfittedNoPrediction = "no_prediction"
)

// Unfitted is a network (carrier and technology) of the register or of
// the measurements that Calibrate gave no calibration, and why: its
// predictions and σ stay the model's.
type Unfitted struct {
	Carrier engine.Carrier
	Tech    engine.Tech
	// Reason is one of UnfittedNoTests, UnfittedNoSites,
	// UnfittedFewTests and UnfittedNoPrediction.
	Reason string
	// Hexes counts the hexes with tests of the network, Tests its valid
	// outdoor and in-vehicle tests in them, and Enough the hexes with at
	// least MinTests (Config.MinTests) of those.
	Hexes    int
	Tests    int64
	Enough   int
	MinTests int64
}

// Why says Reason in words, with the counts behind it.
func (u Unfitted) Why() string {
	switch u.Reason {
	case UnfittedNoTests:
		return "sites in the register but no test in the months read"
	case UnfittedNoSites:
		return fmt.Sprintf("tests in %s but no site of it on the air in the register: nothing predicted to compare them with", plural.Count(u.Hexes, "hex", "hexes"))
	case UnfittedFewTests:
		return fmt.Sprintf("%s in %s, none with the %d a measured hex needs", plural.Count(u.Tests, "outdoor test", "outdoor tests"), plural.Count(u.Hexes, "hex", "hexes"), u.MinTests)
	case UnfittedNoPrediction:
		return fmt.Sprintf("%s with enough tests, but no site of it in the register reaches them", plural.Count(u.Enough, "hex", "hexes"))
	}
	return u.Reason
}

// Unfit returns the networks without a calibration in cals: those of the
// register's sites on the air (status active) and those measured, each
// with the reason Calibrate made
// no calibration of it, sorted by carrier then technology. measured and
// cfg are what cals were fitted from (Calibrate makes a calibration of
// every network with a hex of enough tests and a prediction there).
func Unfit(sites []engine.Site, measured []aggregate.Row, cals []Calibration, cfg Config) []Unfitted {
	fitted := map[CarrierTech]bool{}
	for _, c := range cals {
		fitted[CarrierTech{c.Carrier, c.Tech}] = true
	}
	site := map[CarrierTech]bool{}
	var onAir []CarrierTech
	for _, st := range sites {
		if k := (CarrierTech{st.Carrier, st.Tech}); st.Status == engine.StatusActive && !site[k] {
			site[k] = true
			onAir = append(onAir, k)
		}
	}
	out := map[CarrierTech]*Unfitted{}
	get := func(k CarrierTech) *Unfitted {
		u := out[k]
		if u == nil {
			u = &Unfitted{Carrier: k.Carrier, Tech: k.Tech, MinTests: cfg.MinTests}
			out[k] = u
		}
		return u
	}
	for _, m := range measured {
		k := CarrierTech{m.Carrier, m.Tech}
		if fitted[k] {
			continue
		}
		u := get(k)
		u.Hexes++
		u.Tests += m.Outdoor.Tests
		if m.Outdoor.Tests >= cfg.MinTests {
			u.Enough++
		}
	}
	for k, u := range out {
		switch {
		case !site[k]:
			u.Reason = UnfittedNoSites
		case u.Enough == 0:
			u.Reason = UnfittedFewTests
		default:
			u.Reason = UnfittedNoPrediction
		}
	}
	for _, k := range onAir {
		if !fitted[k] && out[k] == nil {
			get(k).Reason = UnfittedNoTests
		}
	}
	list := make([]Unfitted, 0, len(out))
	for _, u := range out {
		list = append(list, *u)
	}
	sort.Slice(list, func(i, j int) bool {
		return lessCT(CarrierTech{list[i].Carrier, list[i].Tech}, CarrierTech{list[j].Carrier, list[j].Tech})
	})
	return list
}
