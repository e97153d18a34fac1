package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Verdicts are precision, recall and F1 of "dead" (no 3G/4G at the
// village point) against the truth.
type Verdicts struct {
	TP, FP, FN, TN int
}

func (v Verdicts) Precision() float64 { return ratio(v.TP, v.TP+v.FP) }
func (v Verdicts) Recall() float64    { return ratio(v.TP, v.TP+v.FN) }
func (v Verdicts) F1() float64        { return ratio(2*v.TP, 2*v.TP+v.FP+v.FN) }

// ratio is NaN when the denominator is 0: undefined, never a 0 or a 1.
func ratio(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

func (v *Verdicts) add(truth, said bool) {
	switch {
	case truth && said:
		v.TP++
	case !truth && said:
		v.FP++
	case truth && !said:
		v.FN++
	default:
		v.TN++
	}
}

// Row is what villages.csv says of one village.
type Row struct {
	PDead      float64 // NaN when empty
	Without    bool
	Status     string
	Level      string
	BestKey    string
	BestMean   float64
	BestSigma  float64
	Tests300   string
	NoServ300  string
	NearestM   string
	HasVerdict bool
}

// Miss is one village the engine got wrong, with why.
type Miss struct {
	ID           string
	Kind         string  // miss (truly dead, said served) or false alarm
	Margin       float64 // true best 3G/4G level above its threshold
	TruthKey     string
	RegMargin    float64 // the register's median margin (masts listed active at their listed places, no shadowing)
	RegKey       string
	RegMastNote  string // the register-best mast: down (registered active), displaced, …
	TruthNote    string // the true best mast: displaced, added fill-in
	Outdoor300   int    // outdoor and in-vehicle tests within 300 m
	Indoor300    int
	NoServ300    int
	KeyTests     int     // outdoor/vehicle tests of the truly deciding carrier and technology within 300 m
	KeyMedian    float64 // their median
	Engine       Row
	EngineErrDB  float64 // engine posterior mean of its best key minus that key's true level at the point
	PlainVerdict string
	Cause        string
}

// Post sums the engine's posterior error (its best key's mean minus that
// key's true level at the village point).
type Post struct {
	N          int
	Sum, SumSq float64
	In90       int // truth within mean ± 1.645σ
}

// cause names the first of these that applies to a wrong verdict.
func cause(m Miss, regBest, truthBest *Mast) string {
	if m.Kind == "miss" {
		switch {
		case regBest != nil && regBest.Down && !regBest.CalledOff:
			return "down mast listed active, not found by the off-air check"
		case math.Abs(m.Margin) < 3:
			return "within 3 dB of the threshold"
		case m.Outdoor300 == 0:
			return "no outdoor test within 300 m; prediction too high"
		default:
			return "outdoor tests within 300 m; posterior still too high"
		}
	}
	switch {
	case truthBest != nil && truthBest.CalledOff && !truthBest.Down:
		return "serving mast on the air, set down by the off-air check"
	case math.Abs(m.Margin) < 3:
		return "within 3 dB of the threshold"
	case truthBest != nil && truthBest.Displace > 0:
		return "serving mast listed off its position"
	case m.Outdoor300 == 0:
		return "no outdoor test within 300 m; prediction too low"
	default:
		return "outdoor tests within 300 m; posterior still too low"
	}
}

type Report struct {
	Name       string
	Seed       int64
	P          Params
	Villages   int
	Masts      int
	MastsDown  int
	MastsMoved int
	MastsAdded int
	Sectors    int
	Drive      int
	Crowd      int
	Dead       int
	Decidable  int
	DeadDec    int
	Engine     Verdicts
	EngineDec  Verdicts
	Plain      Verdicts
	PlainDec   Verdicts
	Brier      float64
	BrierN     int
	BrierDec   float64
	Uncertain  int // villages whose level is "uncertain"
	// calibrate's applied 3G/4G fits: offset and σ ranges over networks.
	CalOffsetMin, CalOffsetMax, CalSigmaMin, CalSigmaMax float64
	// The off-air check (calibration.json's off_air): masts it set down,
	// how many of them truly are, and how many truly down masts it found.
	OffAirCalled    int
	OffAirTrue      int
	OffAirDisplaced int
	DownFound       int
	Misses          []Miss
	PostNear        Post // villages with an outdoor test within 300 m
	PostFar         Post // without
	// The same month with calibrate --off-air=false (the register as
	// listed): lomsong's verdicts and Brier.
	NoOffAir      Verdicts
	NoOffAirDec   Verdicts
	NoOffAirBrier float64
	Steps         []Step
	GenSeconds    float64
}

func readVillagesCSV(path string) (map[string]Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	hdr, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range hdr {
		col[h] = i
	}
	for _, need := range []string{"village_id", "p_dead", "without_signal", "status", "level", "best_carrier", "best_tech", "best_mean_dbm", "best_sigma_db", "tests_300m", "no_service_300m", "nearest_test_m"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("%s: no column %s (header: %s)", path, need, strings.Join(hdr, ","))
		}
	}
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return math.NaN()
		}
		return v
	}
	out := map[string]Row{}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		ws := rec[col["without_signal"]]
		var without bool
		switch ws {
		case "true", "1", "yes":
			without = true
		case "false", "0", "no":
		default:
			return nil, fmt.Errorf("%s line %d: without_signal %q is not a boolean", path, line, ws)
		}
		out[rec[col["village_id"]]] = Row{
			PDead:      num(rec[col["p_dead"]]),
			Without:    without,
			Status:     rec[col["status"]],
			Level:      rec[col["level"]],
			BestKey:    strings.Trim(rec[col["best_carrier"]]+":"+rec[col["best_tech"]], ":"),
			BestMean:   num(rec[col["best_mean_dbm"]]),
			BestSigma:  num(rec[col["best_sigma_db"]]),
			Tests300:   rec[col["tests_300m"]],
			NoServ300:  rec[col["no_service_300m"]],
			NearestM:   rec[col["nearest_test_m"]],
			HasVerdict: true,
		}
	}
	return out, nil
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func keyName(c, t int) string {
	if c < 0 {
		return "-"
	}
	return carriers[c] + ":" + techNames[t]
}

func mastNote(m *Mast) string {
	if m == nil {
		return ""
	}
	var n []string
	if m.Down {
		n = append(n, "down, listed active")
	}
	if m.Displace > 0 {
		n = append(n, fmt.Sprintf("listed %.0f m off", m.Displace))
	}
	if m.CalledOff {
		n = append(n, "called off the air")
	}
	if m.Added {
		n = append(n, "fill-in")
	}
	return strings.Join(n, ", ")
}

// Score reads DIR/deadzones/villages.csv and scores it against the truth.
func Score(w *World, tests []Test, dir string) (*Report, error) {
	rows, err := readVillagesCSV(filepath.Join(dir, "deadzones", "villages.csv"))
	if err != nil {
		return nil, err
	}
	rep := &Report{P: w.P, Villages: len(w.Villages), Masts: len(w.Masts)}
	for _, m := range w.Masts {
		rep.MastsDown += boolInt(m.Down)
		rep.MastsMoved += boolInt(m.Displace > 0)
		rep.MastsAdded += boolInt(m.Added)
		for t := range m.Has {
			rep.Sectors += 3 * boolInt(m.Has[t])
		}
	}
	for _, t := range tests {
		if t.Source == "drive" {
			rep.Drive++
		} else {
			rep.Crowd++
		}
	}
	if err := rep.offAir(w, filepath.Join(dir, "dataset", "calibration.json")); err != nil {
		return nil, err
	}
	var bsum, bdec float64
	for _, v := range w.Villages {
		row, ok := rows[v.ID]
		if !ok {
			return nil, fmt.Errorf("villages.csv has no row for village %s", v.ID)
		}
		lv := w.truth(v.P)
		margin, tc, tt := lv.Margin()
		dead := margin < 0
		decidable := math.Abs(margin) >= 3
		rep.Dead += boolInt(dead)
		rep.Decidable += boolInt(decidable)
		rep.DeadDec += boolInt(dead && decidable)
		if row.Level == "uncertain" {
			rep.Uncertain++
		}
		// Tests within 300 m.
		var out300, in300, ns300 int
		vals := map[[2]int][]float64{}
		for _, t := range tests {
			if dist(t.P, v.P) > 300 {
				continue
			}
			if t.Env == "indoor" {
				in300++
				continue
			}
			out300++
			if t.Service == "none" {
				ns300++
				if t.Class != "feature" {
					// A phone that found nothing: no 3G or 4G of its carrier.
					vals[[2]int{t.Carrier, 1}] = append(vals[[2]int{t.Carrier, 1}], math.Inf(-1))
					vals[[2]int{t.Carrier, 2}] = append(vals[[2]int{t.Carrier, 2}], math.Inf(-1))
				}
				continue
			}
			if t.Tech >= 1 {
				vals[[2]int{t.Carrier, t.Tech}] = append(vals[[2]int{t.Carrier, t.Tech}], t.Signal)
			}
		}
		// The plain rule: served when some carrier's 3G/4G median of the
		// outdoor tests within 300 m reaches its threshold; else the engine.
		plainServed := false
		for k, vs := range vals {
			if median(vs) >= techCovered[k[1]] {
				plainServed = true
			}
		}
		plainDead := row.Without
		plainWhy := "engine"
		if plainServed {
			plainDead, plainWhy = false, "served by tests"
		}
		rep.Engine.add(dead, row.Without)
		rep.Plain.add(dead, plainDead)
		if decidable {
			rep.EngineDec.add(dead, row.Without)
			rep.PlainDec.add(dead, plainDead)
		}
		if !math.IsNaN(row.PDead) {
			e := row.PDead - float64(boolInt(dead))
			bsum += e * e
			rep.BrierN++
			if decidable {
				bdec += e * e
			}
		}
		// The engine's posterior of its best key against that key's truth.
		errDB := math.NaN()
		if parts := strings.SplitN(row.BestKey, ":", 2); len(parts) == 2 && !math.IsNaN(row.BestMean) {
			for c, name := range carriers {
				for t, tn := range techNames {
					if name == parts[0] && tn == parts[1] && !math.IsInf(lv.L[c][t], -1) {
						errDB = row.BestMean - lv.L[c][t]
					}
				}
			}
		}
		if !math.IsNaN(errDB) {
			g := &rep.PostFar
			if out300 > 0 {
				g = &rep.PostNear
			}
			g.N++
			g.Sum += errDB
			g.SumSq += errDB * errDB
			if math.Abs(errDB) <= 1.645*row.BestSigma {
				g.In90++
			}
		}
		if dead == row.Without {
			continue
		}
		reg := w.register(v.P)
		rm, rc, rt := reg.Margin()
		mi := Miss{ID: v.ID, Margin: margin, TruthKey: keyName(tc, tt), RegMargin: rm, RegKey: keyName(rc, rt),
			Outdoor300: out300, Indoor300: in300, NoServ300: ns300, Engine: row, PlainVerdict: plainWhy, EngineErrDB: math.NaN()}
		mi.Kind = "false alarm"
		if dead {
			mi.Kind = "miss"
		}
		if rc >= 0 {
			mi.RegMastNote = mastNote(reg.Best[rc][rt])
		}
		if tc >= 0 {
			mi.TruthNote = mastNote(lv.Best[tc][tt])
			ks := vals[[2]int{tc, tt}]
			mi.KeyTests, mi.KeyMedian = len(ks), median(ks)
		}
		mi.EngineErrDB = errDB
		var regBest *Mast
		if rc >= 0 {
			regBest = reg.Best[rc][rt]
		}
		var truthBest *Mast
		if tc >= 0 {
			truthBest = lv.Best[tc][tt]
		}
		mi.Cause = cause(mi, regBest, truthBest)
		rep.Misses = append(rep.Misses, mi)
	}
	rep.Brier = bsum / float64(max(rep.BrierN, 1))
	rep.BrierDec = bdec / float64(max(rep.Decidable, 1))
	if rep.BrierN == 0 {
		rep.Brier = math.NaN()
	}
	return rep, nil
}

// scoreVariant scores another villages.csv of the same world (verdicts
// and Brier only).
func scoreVariant(w *World, path string) (Verdicts, Verdicts, float64, error) {
	var all, dec Verdicts
	rows, err := readVillagesCSV(path)
	if err != nil {
		return all, dec, 0, err
	}
	bs := 0.0
	for _, v := range w.Villages {
		row, ok := rows[v.ID]
		if !ok {
			return all, dec, 0, fmt.Errorf("%s has no row for village %s", path, v.ID)
		}
		if math.IsNaN(row.PDead) {
			return all, dec, 0, fmt.Errorf("%s: village %s has no p_dead", path, v.ID)
		}
		m, _, _ := w.truth(v.P).Margin()
		all.add(m < 0, row.Without)
		if math.Abs(m) >= 3 {
			dec.add(m < 0, row.Without)
		}
		e := row.PDead - float64(boolInt(m < 0))
		bs += e * e
	}
	return all, dec, bs / float64(len(w.Villages)), nil
}

// offAir reads the off-air check's masts from calibration.json and
// compares them with the world's.
func (r *Report) offAir(w *World, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var cal struct {
		Calibrations []struct {
			Carrier string  `json:"carrier"`
			Tech    string  `json:"tech"`
			Offset  float64 `json:"offset_db"`
			Sigma   float64 `json:"sigma_db"`
			Applied bool    `json:"applied"`
		} `json:"calibrations"`
		OffAir struct {
			Masts []struct {
				Carrier string   `json:"carrier"`
				SiteIDs []string `json:"site_ids"`
			} `json:"masts"`
		} `json:"off_air"`
	}
	if err := json.Unmarshal(b, &cal); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	r.CalOffsetMin, r.CalOffsetMax, r.CalSigmaMin, r.CalSigmaMax = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, c := range cal.Calibrations {
		if !c.Applied || (c.Tech != "3G" && c.Tech != "4G") {
			continue
		}
		r.CalOffsetMin, r.CalOffsetMax = math.Min(r.CalOffsetMin, c.Offset), math.Max(r.CalOffsetMax, c.Offset)
		r.CalSigmaMin, r.CalSigmaMax = math.Min(r.CalSigmaMin, c.Sigma), math.Max(r.CalSigmaMax, c.Sigma)
	}
	byID := map[string]*Mast{}
	for _, m := range w.Masts {
		byID[m.ID] = m
	}
	found := map[*Mast]bool{}
	for _, om := range cal.OffAir.Masts {
		r.OffAirCalled++
		for _, id := range om.SiteIDs {
			m, ok := byID[id]
			if !ok {
				return fmt.Errorf("%s: off-air site %q is not in the register written", path, id)
			}
			if !found[m] {
				found[m] = true
				r.OffAirTrue += boolInt(m.Down)
				r.OffAirDisplaced += boolInt(m.Displace > 0 && !m.Down)
			}
			m.CalledOff = true
		}
	}
	for _, m := range w.Masts {
		r.DownFound += boolInt(m.Down && found[m])
	}
	return nil
}

// Check fails the run when a score lies outside [0, 1] or a command did
// not exit 0; an undefined score (no village said dead, say) is NaN and
// shown as n/a, never taken as 0 or 1.
func (r *Report) Check() error {
	for _, s := range r.Steps {
		if s.Exit != 0 {
			return fmt.Errorf("lomsong %s exited %d", s.Command, s.Exit)
		}
	}
	for name, v := range map[string]float64{
		"precision": r.Engine.Precision(), "recall": r.Engine.Recall(), "F1": r.Engine.F1(),
		"decidable precision": r.EngineDec.Precision(), "decidable recall": r.EngineDec.Recall(), "decidable F1": r.EngineDec.F1(),
		"plain precision": r.Plain.Precision(), "plain recall": r.Plain.Recall(), "plain F1": r.Plain.F1(),
		"Brier": r.Brier, "decidable Brier": r.BrierDec, "off-air-off F1": r.NoOffAir.F1(), "off-air-off Brier": r.NoOffAirBrier,
	} {
		if !math.IsNaN(v) && (v < 0 || v > 1) {
			return fmt.Errorf("%s = %g outside [0, 1]", name, v)
		}
	}
	if r.BrierN != r.Villages {
		return fmt.Errorf("%d of %d villages have a p_dead", r.BrierN, r.Villages)
	}
	return nil
}

func f3(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

func f1(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	if math.IsInf(v, -1) {
		return "none"
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// Markdown renders the results.
func Markdown(reps []*Report, villages int, seeds string) string {
	var b strings.Builder
	var extra string
	if decorrScale != 1 {
		extra += fmt.Sprintf(" -decorr-scale %g", decorrScale)
	}
	if crowdMeanM != 150 {
		extra += fmt.Sprintf(" -crowd-mean-m %g", crowdMeanM)
	}
	fmt.Fprintf(&b, "Command: `go run ./benchmarks/worlds -seeds %s -villages %d%s`\n\n", seeds, villages, extra)
	b.WriteString("### Worlds\n\n| world | seed | villages | truly dead | decidable (dead) | masts (down / listed off / fill-in) | sectors | drive rows | crowd rows | σ dB (common share) | decorrelation m (common, carrier) |\n|---|---:|---:|---:|---:|---|---:|---:|---:|---|---|\n")
	for _, r := range reps {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d (%d) | %d (%d / %d / %d) | %d | %d | %d | %.1f (%.2f) | %.0f, %.0f |\n",
			r.Name, r.Seed, r.Villages, r.Dead, r.Decidable, r.DeadDec, r.Masts, r.MastsDown, r.MastsMoved, r.MastsAdded,
			r.Sectors, r.Drive, r.Crowd, r.P.SigmaTotalDB, r.P.LocShare, r.P.DecorrLocM, r.P.DecorrCarM)
	}
	b.WriteString("\n### lomsong calibrate: its 3G/4G fits and its off-air check (calibration.json)\n\n| world | applied offsets dB | σ dB | masts truly down (listed active) | masts set down by the check | of them truly down | of them on the air but listed off position | truly down masts found |\n|---|---|---|---:|---:|---:|---:|---:|\n")
	for _, r := range reps {
		fmt.Fprintf(&b, "| %s | %.1f … %.1f | %.1f … %.1f | %d | %d | %d | %d | %d |\n", r.Name, r.CalOffsetMin, r.CalOffsetMax, r.CalSigmaMin, r.CalSigmaMax,
			r.MastsDown, r.OffAirCalled, r.OffAirTrue, r.OffAirDisplaced, r.DownFound)
	}
	b.WriteString("\n### Scores (dead = positive)\n\n| world | verdicts | TP | FP | FN | precision | recall | F1 | decidable: precision | recall | F1 | Brier (all / decidable) |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, r := range reps {
		fmt.Fprintf(&b, "| %s | lomsong | %d | %d | %d | %s | %s | %s | %s | %s | %s | %s / %s |\n", r.Name,
			r.Engine.TP, r.Engine.FP, r.Engine.FN, f3(r.Engine.Precision()), f3(r.Engine.Recall()), f3(r.Engine.F1()),
			f3(r.EngineDec.Precision()), f3(r.EngineDec.Recall()), f3(r.EngineDec.F1()), f3(r.Brier), f3(r.BrierDec))
		fmt.Fprintf(&b, "| %s | lomsong, calibrate --off-air=false | %d | %d | %d | %s | %s | %s | %s | %s | %s | %s |\n", r.Name,
			r.NoOffAir.TP, r.NoOffAir.FP, r.NoOffAir.FN, f3(r.NoOffAir.Precision()), f3(r.NoOffAir.Recall()), f3(r.NoOffAir.F1()),
			f3(r.NoOffAirDec.Precision()), f3(r.NoOffAirDec.Recall()), f3(r.NoOffAirDec.F1()), f3(r.NoOffAirBrier))
		fmt.Fprintf(&b, "| %s | plain rule | %d | %d | %d | %s | %s | %s | %s | %s | %s | |\n", r.Name,
			r.Plain.TP, r.Plain.FP, r.Plain.FN, f3(r.Plain.Precision()), f3(r.Plain.Recall()), f3(r.Plain.F1()),
			f3(r.PlainDec.Precision()), f3(r.PlainDec.Recall()), f3(r.PlainDec.F1()))
	}
	b.WriteString("\n### lomsong's commands (exit code, seconds)\n\n| world | generate | ")
	if len(reps) > 0 {
		for _, s := range reps[0].Steps {
			b.WriteString(s.Command + " | ")
		}
	}
	b.WriteString("\n|---|---:|")
	if len(reps) > 0 {
		for range reps[0].Steps {
			b.WriteString("---:|")
		}
	}
	b.WriteString("\n")
	for _, r := range reps {
		fmt.Fprintf(&b, "| %s | %.1f |", r.Name, r.GenSeconds)
		for _, s := range r.Steps {
			fmt.Fprintf(&b, " %d, %.1f |", s.Exit, s.Seconds)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n### Why lomsong is wrong (first cause that applies, in this order)\n\n| kind | cause |")
	for _, r := range reps {
		b.WriteString(" " + r.Name + " |")
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---:|", len(reps)) + "\n")
	type kc struct{ kind, cause string }
	var keys []kc
	seen := map[kc]bool{}
	for _, r := range reps {
		for _, m := range r.Misses {
			k := kc{m.Kind, m.Cause}
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].kind != keys[j].kind {
			return keys[i].kind > keys[j].kind
		}
		return keys[i].cause < keys[j].cause
	})
	for _, k := range keys {
		fmt.Fprintf(&b, "| %s | %s |", k.kind, k.cause)
		for _, r := range reps {
			n := 0
			for _, m := range r.Misses {
				if m.Kind == k.kind && m.Cause == k.cause {
					n++
				}
			}
			fmt.Fprintf(&b, " %d |", n)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n### lomsong's posterior at the village point (its best key: mean − true level)\n\n| world | villages | outdoor test within 300 m | mean error dB | RMSE dB | truth within mean ± 1.645σ |\n|---|---:|---|---:|---:|---:|\n")
	for _, r := range reps {
		for _, g := range []struct {
			name string
			p    Post
		}{{"yes", r.PostNear}, {"no", r.PostFar}} {
			if g.p.N == 0 {
				continue
			}
			n := float64(g.p.N)
			fmt.Fprintf(&b, "| %s | %d | %s | %+.1f | %.1f | %.0f %% |\n", r.Name, g.p.N, g.name, g.p.Sum/n, math.Sqrt(g.p.SumSq/n), 100*float64(g.p.In90)/n)
		}
	}
	b.WriteString("\n### Misses and false alarms\n\n" +
		"margin: the true best 3G/4G level above its threshold at the village point (the key giving it); " +
		"register: the same from the register alone (masts listed active at their listed places, median path loss, no shadowing; its best mast's fault); " +
		"tests ≤300 m: outdoor+vehicle / indoor / no-service; key tests: outdoor tests of the truly deciding key within 300 m and their median; " +
		"lomsong: villages.csv's p_dead, status, best key, posterior mean ± σ, and that mean minus the key's true level.\n\n" +
		"| world | village | kind | cause | margin dB (key) | true best mast | register margin (key; mast) | tests ≤300 m | key tests (median) | p_dead | status | lomsong best: mean ± σ | mean − truth dB | plain rule |\n" +
		"|---|---|---|---|---|---|---|---|---|---:|---|---|---:|---|\n")
	for _, r := range reps {
		for _, m := range r.Misses {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s (%s) | %s | %s (%s; %s) | %d / %d / %d | %d (%s) | %s | %s | %s: %s ± %s | %s | %s |\n",
				r.Name, m.ID, m.Kind, m.Cause, f1(m.Margin), m.TruthKey, m.TruthNote, f1(m.RegMargin), m.RegKey, m.RegMastNote,
				m.Outdoor300, m.Indoor300, m.NoServ300, m.KeyTests, f1(m.KeyMedian), f3(m.Engine.PDead), m.Engine.Status,
				m.Engine.BestKey, f1(m.Engine.BestMean), f1(m.Engine.BestSigma), f1(m.EngineErrDB), m.PlainVerdict)
		}
	}
	return b.String()
}
