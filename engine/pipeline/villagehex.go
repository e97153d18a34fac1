package pipeline

import (
	"math"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"gonum.org/v1/gonum/stat/distuv"
)

// pServe is P(signal ≥ the covered threshold of its technology) of key pi
// of post.
func pServe(post deadzone.Posterior, pi int, th engine.Thresholds) float64 {
	return distuv.UnitNormal.Survival((th.Covered(post.Keys[pi].Tech) - post.MeanDBm[pi]) / max(post.SigmaDB(pi), 1e-9))
}

// markServed is the per-key service rule of one hex's rows (the carrier
// gaps' view): a row whose P(serve) exceeds 1 − cut serves (so a hex one
// key serves is never dead), a 2G row when more likely than not; serve[o]
// is row o's P(serve), NaN when not judged (a key the posterior lacks, or
// measured uncovered). A hex with P(dead) below the cut that no 3G/4G row
// serves (measured covered or by the rule) marks row best as serving
// (none when best < 0).
func markServed(rows []deadzone.HexCoverage, serve []float64, best int, pDead, cut float64) {
	anyServed := false
	for o := range rows {
		bar := 1 - cut
		if rows[o].Tech == engine.Tech2G {
			bar = 0.5
		}
		if serve[o] > bar {
			rows[o].Covered = true
		}
		anyServed = anyServed || (rows[o].Covered && rows[o].Tech != engine.Tech2G)
	}
	if !anyServed && pDead < cut && best >= 0 {
		rows[best].Covered = true
	}
}

// villageCells returns the hexes holding a village with households: when
// the population is the villages', those hexes' households are their
// villages', so they are judged at their villages' points, not at their
// centres (where nobody may live).
func villageCells(dv []deadzone.Village, cells []hexgrid.Cell) map[hexgrid.Cell]bool {
	out := map[hexgrid.Cell]bool{}
	for i, v := range dv {
		if c := cells[i]; c != 0 && v.Households > 0 {
			out[c] = true
		}
	}
	return out
}

// villageHexes carries the service of the hexes judged at their villages
// from the villages' verdicts to the hexes' per-key rows.
type villageHexes struct {
	hc    []deadzone.HexCoverage  // the per-key view of hexVerdicts (read-only until served)
	rows  map[hexgrid.Cell][2]int // a judged hex's rows [first, last) in hc
	cells []hexgrid.Cell          // village i's hex
	serve [][]float32             // village i's P(serve) of each row of its hex; nil: none
}

// newVillageHexes prepares the hexes of at (villageCells) whose rows are
// in hc; cells[i] is village i's hex.
func newVillageHexes(hc []deadzone.HexCoverage, at map[hexgrid.Cell]bool, cells []hexgrid.Cell) *villageHexes {
	vh := &villageHexes{hc: hc, rows: map[hexgrid.Cell][2]int{}, cells: cells, serve: make([][]float32, len(cells))}
	for i := 0; i < len(hc); {
		j := i
		for j < len(hc) && hc[j].Cell == hc[i].Cell {
			j++
		}
		if at[hc[i].Cell] {
			vh.rows[hc[i].Cell] = [2]int{i, j}
		}
		i = j
	}
	return vh
}

// serveAt records village i's P(serve) of each row of its hex from its
// posterior (0 for a key the posterior lacks). Safe for concurrent use
// with other villages.
func (vh *villageHexes) serveAt(i int, post deadzone.Posterior, th engine.Thresholds) {
	r, ok := vh.rows[vh.cells[i]]
	if !ok {
		return
	}
	rows := vh.hc[r[0]:r[1]]
	q := make([]float32, len(rows))
	for o, row := range rows {
		for pi, k := range post.Keys {
			if k.Carrier == row.Carrier && k.Tech == row.Tech {
				q[o] = float32(pServe(post, pi, th))
			}
		}
	}
	vh.serve[i] = q
}

// served marks the rows of the hexes judged at their villages by
// markServed with each row's households-weighted P(serve) over the
// hex's villages (the expected share of its households the key serves,
// as the hex's P(dead) is the expected share without 3G/4G,
// villageHexPDead): one rule for a hex's P(dead) and its carriers'
// service, so a dead hex is no carrier's served hex and a served one is
// some carrier's. The villages' posteriors hold the hex's tests, so the
// hex's own measured state does not stand beside them (as it does not
// for its P(dead)); the best row is the 3G/4G row of the largest
// P(serve), the first of equals in the rows' order.
func (vh *villageHexes) served(hc []deadzone.HexCoverage, dv []deadzone.Village, pDead map[hexgrid.Cell]float64, cut float64) {
	type acc struct {
		hh float64
		q  []float64
	}
	sums := map[hexgrid.Cell]*acc{}
	var order []hexgrid.Cell
	for i, v := range dv {
		q := vh.serve[i]
		if q == nil || !(v.Households > 0) {
			continue
		}
		c := vh.cells[i]
		a := sums[c]
		if a == nil {
			a = &acc{q: make([]float64, len(q))}
			sums[c] = a
			order = append(order, c)
		}
		a.hh += v.Households
		for o, x := range q {
			a.q[o] += v.Households * float64(x)
		}
	}
	for _, c := range order {
		a, r := sums[c], vh.rows[c]
		pd, ok := pDead[c]
		if !ok {
			pd = math.NaN()
		}
		rows := hc[r[0]:r[1]]
		serve := make([]float64, len(rows))
		best := -1
		for o := range rows {
			rows[o].Covered = false
			serve[o] = a.q[o] / a.hh
			if rows[o].Tech != engine.Tech2G && rows[o].Tech.Valid() && (best < 0 || serve[o] > serve[best]) {
				best = o
			}
		}
		markServed(rows, serve, best, pd, cut)
	}
}
