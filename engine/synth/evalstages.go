package synth

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"sync"

	"github.com/lomsong/lomsong/engine"
)

// PenetrationEvaluation compares one target's estimates with the truth.
type PenetrationEvaluation struct {
	Target   string  `json:"target"`
	N        int     `json:"area_months"`
	MAE      float64 `json:"mean_absolute_error"`
	Coverage float64 `json:"interval_coverage"`
	Interval string  `json:"interval"`
}

// EvaluatePenetration reads a scorecard table (CSV: columns area, period,
// national, and PREFIX_value, PREFIX_lower, PREFIX_upper for smartphone,
// fibre and 2g_only) and scores its per-area estimates against the true
// shares: the mean absolute error and the share of area-months whose
// interval holds the truth (with 1e-9 of slack). National rows, areas and
// periods the truth lacks, and unknown (non-numeric) estimates are
// skipped.
func EvaluatePenetration(scorecard io.Reader, truth []Penetration) ([]PenetrationEvaluation, error) {
	rows, err := readTable(scorecard)
	if err != nil {
		return nil, err
	}
	col := func(name string) int { return slices.Index(rows[0], name) }
	type key struct{ area, period string }
	tr := map[key]Penetration{}
	for _, p := range truth {
		tr[key{p.AreaCode, p.Period}] = p
	}
	targets := []struct {
		name, prefix, interval string
		truth                  func(Penetration) float64
	}{
		{"households with a smartphone", "smartphone", "90% (model sensitivity, or beta posterior with surveys)", func(p Penetration) float64 { return p.HouseholdSmartphoneShare }},
		{"households with fibre", "fibre", "administrative counts", func(p Penetration) float64 { return p.FiberShare }},
		{"2G-only phones", "2g_only", "95% Wilson", func(p Penetration) float64 { return p.Only2GShare }},
	}
	var out []PenetrationEvaluation
	ia, ip, in := col("area"), col("period"), col("national")
	for _, t := range targets {
		iv, il, iu := col(t.prefix+"_value"), col(t.prefix+"_lower"), col(t.prefix+"_upper")
		if iv < 0 || il < 0 || iu < 0 || ia < 0 || ip < 0 || in < 0 {
			return nil, fmt.Errorf("scorecard: columns for %s missing: %w", t.prefix, engine.ErrInvalidValue)
		}
		ev := PenetrationEvaluation{Target: t.name, Interval: t.interval}
		var sum float64
		var held int
		for _, r := range rows[1:] {
			p, ok := tr[key{r[ia], r[ip]}]
			if !ok || r[in] == "true" {
				continue
			}
			v, err1 := strconv.ParseFloat(r[iv], 64)
			lo, err2 := strconv.ParseFloat(r[il], 64)
			hi, err3 := strconv.ParseFloat(r[iu], 64)
			if err1 != nil || err2 != nil || err3 != nil {
				continue // unknown
			}
			x := t.truth(p)
			ev.N++
			sum += math.Abs(v - x)
			if lo-1e-9 <= x && x <= hi+1e-9 {
				held++
			}
		}
		if ev.N > 0 {
			ev.MAE, ev.Coverage = sum/float64(ev.N), float64(held)/float64(ev.N)
		}
		out = append(out, ev)
	}
	return out, nil
}

// SignalEvaluation is the error of one estimate of the signal at villages,
// for one carrier's technology: a bias that differs between technologies
// (a calibration fitted on tests that chose their technology, say) is not
// averaged away.
type SignalEvaluation struct {
	Estimate string  `json:"estimate"`
	Carrier  string  `json:"carrier"`
	Tech     string  `json:"tech"`
	N        int     `json:"pairs"`
	BiasDB   float64 `json:"bias_db"`
	RMSEDB   float64 `json:"rmse_db"`
}

// EvaluateSignals compares, per carrier and technology, the signal estimated in a
// village's hex with the true signal at the village: each coverage
// table's predicted_dbm (named by its key in coverage), and the measured
// median (median_dbm of rows whose source is "measured", from the first
// table by name). villages is a table with village_id and cell; coverage
// tables have cell, carrier, tech, predicted_dbm, median_dbm and source.
// Bias is estimate − truth. Results are sorted by estimate, carrier and
// technology.
func EvaluateSignals(villages io.Reader, coverage map[string]io.Reader, truth []VillageSignal) ([]SignalEvaluation, error) {
	vrows, err := readTable(villages)
	if err != nil {
		return nil, err
	}
	vid, vcell := slices.Index(vrows[0], "village_id"), slices.Index(vrows[0], "cell")
	if vid < 0 || vcell < 0 {
		return nil, fmt.Errorf("villages: village_id/cell columns missing: %w", engine.ErrInvalidValue)
	}
	// Keys as numbers: a village hex is its index among the villages'
	// hexes, a carrier and a technology their index among the truth's
	// (a coverage row of another can match no true signal).
	cellIdx := map[string]int{}
	villageCell := make(map[string]int, len(vrows)-1)
	for _, r := range vrows[1:] {
		if r[vcell] == "" {
			villageCell[r[vid]] = -1 // no hex: no estimate
			continue
		}
		i, ok := cellIdx[r[vcell]]
		if !ok {
			i = len(cellIdx)
			cellIdx[r[vcell]] = i
		}
		villageCell[r[vid]] = i
	}
	carrierIdx, techIdx := map[string]int{}, map[string]int{}
	for _, t := range truth {
		if _, ok := carrierIdx[string(t.Carrier)]; !ok {
			carrierIdx[string(t.Carrier)] = len(carrierIdx)
		}
		if _, ok := techIdx[t.Tech]; !ok {
			techIdx[t.Tech] = len(techIdx)
		}
	}
	key := func(cell, carrier, tech int) uint64 { return uint64(cell)<<32 | uint64(carrier)<<16 | uint64(tech) }
	type acc struct {
		n       int
		sum, sq float64
	}
	accs := map[[3]string]*acc{}
	var order [][3]string
	add := func(estimate, carrier, tech string, d float64) {
		k := [3]string{estimate, carrier, tech}
		a := accs[k]
		if a == nil {
			a = &acc{}
			accs[k] = a
			order = append(order, k)
		}
		a.n++
		a.sum += d
		a.sq += d * d
	}
	names := make([]string, 0, len(coverage))
	for n := range coverage {
		names = append(names, n)
	}
	slices.Sort(names)
	// The tables are read on goroutines of their own (a country's has a
	// million rows, of which only the villages' hexes are kept); the sums
	// below run in the order of names and truth, as read one by one.
	type table struct {
		pred, meas map[uint64]float64
		err        error
	}
	tables := make([]table, len(names))
	var wg sync.WaitGroup
	for n, name := range names {
		wg.Go(func() {
			tables[n].pred, tables[n].meas, tables[n].err = readCoverageAt(coverage[name], func(cell, carrier, tech string) (uint64, bool) {
				c, ok1 := cellIdx[cell]
				k, ok2 := carrierIdx[carrier]
				t, ok3 := techIdx[tech]
				return key(c, k, t), ok1 && ok2 && ok3
			})
			if tables[n].err != nil {
				tables[n].err = fmt.Errorf("coverage %s: %w", name, tables[n].err)
			}
		})
	}
	wg.Wait()
	// Each true signal's key, or none.
	keys := make([]uint64, len(truth))
	has := make([]bool, len(truth))
	for i, t := range truth {
		c, ok := villageCell[t.VillageID]
		if !ok || c < 0 {
			continue
		}
		keys[i], has[i] = key(c, carrierIdx[string(t.Carrier)], techIdx[t.Tech]), true
	}
	measuredDone := false
	for n, name := range names {
		tb := tables[n]
		if tb.err != nil {
			return nil, tb.err
		}
		for i, t := range truth {
			if !has[i] {
				continue
			}
			if v, ok := tb.pred[keys[i]]; ok {
				add(name, string(t.Carrier), t.Tech, v-t.SignalDBm)
			}
			if v, ok := tb.meas[keys[i]]; ok && !measuredDone {
				add("measured median", string(t.Carrier), t.Tech, v-t.SignalDBm)
			}
		}
		measuredDone = true
	}
	slices.SortFunc(order, func(a, b [3]string) int { return slices.Compare(a[:], b[:]) })
	out := make([]SignalEvaluation, 0, len(order))
	for _, k := range order {
		a := accs[k]
		out = append(out, SignalEvaluation{Estimate: k[0], Carrier: k[1], Tech: k[2], N: a.n, BiasDB: a.sum / float64(a.n), RMSEDB: math.Sqrt(a.sq / float64(a.n))})
	}
	return out, nil
}

// readCoverageAt streams a coverage table, keeping the predicted_dbm of
// every row keyOf accepts, and the median_dbm of those measured.
func readCoverageAt(r io.Reader, keyOf func(cell, carrier, tech string) (uint64, bool)) (pred, meas map[uint64]float64, err error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	h, err := cr.Read()
	if err != nil {
		return nil, nil, err
	}
	ic, ik, it, ip, im, is := slices.Index(h, "cell"), slices.Index(h, "carrier"), slices.Index(h, "tech"),
		slices.Index(h, "predicted_dbm"), slices.Index(h, "median_dbm"), slices.Index(h, "source")
	if min(ic, ik, it, ip, im, is) < 0 {
		return nil, nil, fmt.Errorf("columns missing: %w", engine.ErrInvalidValue)
	}
	pred, meas = map[uint64]float64{}, map[uint64]float64{}
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return pred, meas, nil
		}
		if err != nil {
			return nil, nil, err
		}
		k, ok := keyOf(row[ic], row[ik], row[it])
		if !ok {
			continue
		}
		if v, err := strconv.ParseFloat(row[ip], 64); err == nil {
			pred[k] = v
		}
		if row[is] == "measured" {
			if v, err := strconv.ParseFloat(row[im], 64); err == nil {
				meas[k] = v
			}
		}
	}
}

// readTable reads a whole CSV table with its header.
func readTable(r io.Reader) ([][]string, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("empty table: %w", engine.ErrInvalidValue)
	}
	return rows, nil
}
