package deadzone

import (
	"slices"
	"strings"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// GapHex is a populated hex where one carrier has no 3G, 4G or 5G.
type GapHex struct {
	Cell       hexgrid.Cell
	Carrier    engine.Carrier
	Households float64
	Population float64
	// Others are the carriers that cover the hex with 3G/4G/5G, by name:
	// the gap closes by sharing or roaming. Empty: nobody covers it.
	Others []engine.Carrier
	Admin  Admin // zero without Input.Admin
}

// Shareable reports whether another carrier covers the hex.
func (g GapHex) Shareable() bool { return len(g.Others) > 0 }

// GapTotals sums one carrier's gaps over an area.
type GapTotals struct {
	Carrier engine.Carrier
	Code    string // the unit's code; empty for the national total
	// Shareable*: hexes another carrier covers (closable by sharing or
	// roaming). Nobody*: hexes no carrier covers with 3G/4G/5G.
	ShareableHexes      int
	ShareableHouseholds float64
	ShareablePopulation float64
	NobodyHexes         int
	NobodyHouseholds    float64
	NobodyPopulation    float64
}

func (t *GapTotals) add(g GapHex) {
	if g.Shareable() {
		t.ShareableHexes++
		t.ShareableHouseholds += g.Households
		t.ShareablePopulation += g.Population
	} else {
		t.NobodyHexes++
		t.NobodyHouseholds += g.Households
		t.NobodyPopulation += g.Population
	}
}

// GapReport is the per-carrier gap analysis.
type GapReport struct {
	Hexes      []GapHex    // by carrier, then cell
	ByCarrier  []GapTotals // national totals, by carrier (every carrier, even without gaps)
	ByProvince []GapTotals // by province code, then carrier; needs Input.Admin
	ByCommune  []GapTotals // by commune code, then carrier; needs Input.Admin
}

// Gaps lists, for every carrier, the hexes with more than zero households
// where that carrier has no 3G, 4G or 5G, split into those another carrier
// covers and those nobody covers, with totals per carrier, province and
// commune. A hex whose P(dead) (Input.PDead) is at or above the cut is a
// gap of every carrier that nobody covers, whatever the coverage
// predicted for a carrier there. The carriers are those of Input.Coverage and Input.Carriers.
func Gaps(in Input) (GapReport, error) {
	w, err := newWorld(in)
	if err != nil {
		return GapReport{}, err
	}
	var rep GapReport
	nat := make([]GapTotals, len(w.carriers))
	type key struct {
		code string
		ci   int
	}
	prov, comm := map[key]*GapTotals{}, map[key]*GapTotals{}
	unit := func(m map[key]*GapTotals, code string, ci int) *GapTotals {
		t := m[key{code, ci}]
		if t == nil {
			t = &GapTotals{Carrier: w.carriers[ci], Code: code}
			m[key{code, ci}] = t
		}
		return t
	}
	// A hex the verdict finds dead (P(dead) at or above the cut) is
	// every carrier's gap, and no other carrier covers it: the verdict
	// from every test near it wins over a carrier's predicted service
	// there, as in hexes.csv and the best state. carrier_gaps.csv listed
	// such hexes as closable by sharing, which the plan refuses to buy.
	// A hex without a verdict keeps its coverage (where it is dead, no
	// carrier covers it there either).
	dead := make([]bool, len(w.pop))
	for i, p := range w.pop {
		pd, verdict := w.pDead[p.Cell]
		dead[i] = p.Households > 0 && verdict && pd >= w.cut
	}
	for ci, c := range w.carriers {
		nat[ci].Carrier = c
		for i, p := range w.pop {
			if p.Households <= 0 {
				continue
			}
			masks := w.cover[p.Cell]
			covers := masks != nil && masks[ci]&bitData != 0
			if !dead[i] && covers {
				continue
			}
			g := GapHex{Cell: p.Cell, Carrier: c, Households: p.Households, Population: p.Population, Admin: in.Admin[p.Cell]}
			for k, m := range masks {
				if m&bitData != 0 && !dead[i] {
					g.Others = append(g.Others, w.carriers[k])
				}
			}
			rep.Hexes = append(rep.Hexes, g)
			nat[ci].add(g)
			if g.Admin.Province != "" {
				unit(prov, g.Admin.Province, ci).add(g)
			}
			if g.Admin.Commune != "" {
				unit(comm, g.Admin.Commune, ci).add(g)
			}
		}
	}
	rep.ByCarrier = nat
	rep.ByProvince = sortedTotals(prov)
	rep.ByCommune = sortedTotals(comm)
	return rep, nil
}

func sortedTotals[K comparable](m map[K]*GapTotals) []GapTotals {
	out := make([]GapTotals, 0, len(m))
	for _, t := range m {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b GapTotals) int {
		if c := strings.Compare(a.Code, b.Code); c != 0 {
			return c
		}
		return strings.Compare(string(a.Carrier), string(b.Carrier))
	})
	return out
}
