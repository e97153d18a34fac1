package synth

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/predict"
)

// DecidableMarginDB is the margin that makes a village decidable: its
// true best 3G/4G signal is at least this far from the covered threshold,
// above or below (a village with no 3G/4G site in range is decidable).
// Within it, measurement noise (3–4 dB per test) and the model's σ make a
// wrong verdict an honest mistake rather than a failure of the method.
const DecidableMarginDB = 3

// ReliabilityBins is the number of equal-width p_dead bins of the
// reliability table.
const ReliabilityBins = 10

// VillageVerdict is an engine's verdict on one village.
type VillageVerdict struct {
	VillageID string
	// WithoutSignal is the decision: the village is a dead zone.
	WithoutSignal bool
	// PDead is the probability that the village is a dead zone, in
	// [0, 1]; NaN when the verdict gives none.
	PDead float64
	// TestsNearby is the number of tests within 300 m of the village the
	// verdict rests on (villages.csv's tests_300m); −1 when the verdict
	// does not say.
	TestsNearby int
}

// evidenceBands are the lower bounds of the bands of TestsNearby that
// VillageEvaluation.ByEvidence scores apart: no test within 300 m, 1–9,
// 10 or more. Where the errors fall among them says whether more tests
// near the villages or a better use of the tests at hand would help.
var evidenceBands = []int{0, 1, 10}

// EvidenceScores are the scores of the villages whose verdicts rest on
// MinTests to MaxTests tests within 300 m (MaxTests absent: no upper
// bound). Decidable and Brier are absent when the band has no decidable
// village or no p_dead: an empty set scores nothing, not a perfect 1.
type EvidenceScores struct {
	MinTests  int      `json:"min_tests"`
	MaxTests  *int     `json:"max_tests,omitempty"`
	All       Scores   `json:"all"`
	Decidable *Scores  `json:"decidable,omitempty"`
	Brier     *float64 `json:"brier,omitempty"`
}

// Scores are the detection scores of dead-zone villages over a set of
// villages. Precision is Correct/Found (1 when nothing was found: no
// false claim), Recall Correct/True (1 when there is no dead zone to
// find), F1 their harmonic mean (0 when both are 0).
type Scores struct {
	Villages  int     `json:"villages"`
	True      int     `json:"true_dead_zone_villages"`
	Found     int     `json:"found_without_signal"`
	Correct   int     `json:"correct"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// ReliabilityBin is one row of the reliability table: the villages whose
// p_dead falls in [PLower, PUpper) (the last bin includes 1), the mean of
// their p_dead and the share of them truly dead. For a calibrated verdict
// the two agree within sampling error. Means are absent (nil) in an empty
// bin.
type ReliabilityBin struct {
	PLower            float64  `json:"p_lower"`
	PUpper            float64  `json:"p_upper"`
	Villages          int      `json:"villages"`
	Dead              int      `json:"dead"`
	MeanPDead         *float64 `json:"mean_p_dead,omitempty"`
	ObservedDeadShare *float64 `json:"observed_dead_share,omitempty"`
}

// VillageEvaluation scores village verdicts against a world's truth.
type VillageEvaluation struct {
	// Scores are over every village of the truth; a village without a
	// verdict counts as not found.
	Scores
	// Missed and Spurious are the false negatives and false positives,
	// sorted.
	Missed   []string `json:"missed"`
	Spurious []string `json:"spurious"`
	// NoVerdict counts the villages of the truth without a verdict.
	NoVerdict int `json:"villages_without_verdict"`
	// DecidableMarginDB is the margin of the decidable villages.
	DecidableMarginDB float64 `json:"decidable_margin_db"`
	// Decidable are the scores over the decidable villages only.
	Decidable Scores `json:"decidable"`
	// Brier is the mean of (p_dead − dead)² over the villages whose
	// verdict has a p_dead, BrierDecidable the same over the decidable
	// ones, PDeadVillages their number; absent when no verdict has one.
	PDeadVillages  int      `json:"p_dead_villages,omitempty"`
	Brier          *float64 `json:"brier,omitempty"`
	BrierDecidable *float64 `json:"brier_decidable,omitempty"`
	// Reliability is p_dead in ReliabilityBins bins against the observed
	// share of dead villages; absent when no verdict has a p_dead.
	Reliability []ReliabilityBin `json:"reliability,omitempty"`
	// Expected sets what the villages' p_dead expect of the list
	// (deadzone.ListExpectation, the dead-zone outputs'
	// expected_from_p_dead) beside what the truth says, over the villages
	// whose verdict has a p_dead; absent when none has.
	Expected *ExpectedCheck `json:"expected,omitempty"`
	// ByEvidence are the scores by the verdicts' TestsNearby — none, 1–9,
	// 10 or more tests within 300 m — absent unless every verdict gives
	// it. A village of the truth without a verdict is in no band.
	ByEvidence []EvidenceScores `json:"by_evidence,omitempty"`
}

// ExpectedCheck compares the list's expectations from p_dead with the
// truth, over the villages with a p_dead: Dead (Σ p_dead) against
// TrueDead, DeadListed (Σ p_dead over those found without signal)
// against CorrectListed, Missed (their difference) against TrueMissed.
type ExpectedCheck struct {
	Listed        int     `json:"listed"`
	Dead          float64 `json:"expected_dead"`
	TrueDead      int     `json:"true_dead"`
	DeadListed    float64 `json:"expected_dead_listed"`
	CorrectListed int     `json:"correct_listed"`
	Missed        float64 `json:"expected_missed"`
	TrueMissed    int     `json:"true_missed"`
}

// Decidable reports whether a village's truth is at least
// DecidableMarginDB from the covered threshold.
func (v VillageTruth) Decidable() bool {
	return math.Abs(v.Best3G4GMarginDB) >= DecidableMarginDB
}

// EvaluateVillages scores verdicts against truth: precision, recall and F1
// of the dead-zone villages found, over all villages and over the
// decidable ones, and, when verdicts carry p_dead, the Brier score and a
// reliability table. A verdict for a village the truth does not hold, a
// village given twice, or a p_dead outside [0, 1] is an error wrapping
// engine.ErrInvalidValue.
func EvaluateVillages(truth *Truth, verdicts []VillageVerdict) (VillageEvaluation, error) {
	byID := make(map[string]int, len(truth.Villages))
	for i, v := range truth.Villages {
		byID[v.VillageID] = i
	}
	verdict := make([]int, len(truth.Villages)) // index+1 into verdicts, 0 = none
	for j, v := range verdicts {
		i, ok := byID[v.VillageID]
		if !ok {
			return VillageEvaluation{}, fmt.Errorf("synth: verdict for village %q, which the truth does not hold: %w", v.VillageID, engine.ErrInvalidValue)
		}
		if verdict[i] != 0 {
			return VillageEvaluation{}, fmt.Errorf("synth: village %q has two verdicts: %w", v.VillageID, engine.ErrInvalidValue)
		}
		if !math.IsNaN(v.PDead) && !(v.PDead >= 0 && v.PDead <= 1) {
			return VillageEvaluation{}, fmt.Errorf("synth: village %q: p_dead %g outside [0, 1]: %w", v.VillageID, v.PDead, engine.ErrInvalidValue)
		}
		verdict[i] = j + 1
	}
	ev := VillageEvaluation{Missed: []string{}, Spurious: []string{}, DecidableMarginDB: DecidableMarginDB}
	var bins [ReliabilityBins]struct {
		n, dead int
		sumP    float64
	}
	var brier, brierDec float64
	var exp ExpectedCheck
	nDec := 0
	byEvidence := len(verdicts) > 0
	for _, v := range verdicts {
		byEvidence = byEvidence && v.TestsNearby >= 0
	}
	var bandBriers []brierSum
	if byEvidence {
		bandBriers = make([]brierSum, len(evidenceBands))
		for k, lo := range evidenceBands {
			b := EvidenceScores{MinTests: lo}
			if k+1 < len(evidenceBands) {
				b.MaxTests = ptr(evidenceBands[k+1] - 1)
			}
			ev.ByEvidence = append(ev.ByEvidence, b)
		}
	}
	for i, t := range truth.Villages {
		found, p := false, math.NaN()
		var band *EvidenceScores
		var bandBrier *brierSum
		if j := verdict[i]; j > 0 {
			v := &verdicts[j-1]
			found, p = v.WithoutSignal, v.PDead
			if byEvidence {
				k := evidenceBand(v.TestsNearby)
				band, bandBrier = &ev.ByEvidence[k], &bandBriers[k]
			}
		} else {
			ev.NoVerdict++
		}
		ev.Scores.add(t.DeadZone, found)
		if t.Decidable() {
			ev.Decidable.add(t.DeadZone, found)
		}
		if band != nil {
			band.All.add(t.DeadZone, found)
			if t.Decidable() {
				if band.Decidable == nil {
					band.Decidable = &Scores{}
				}
				band.Decidable.add(t.DeadZone, found)
			}
		}
		switch {
		case t.DeadZone && !found:
			ev.Missed = append(ev.Missed, t.VillageID)
		case !t.DeadZone && found:
			ev.Spurious = append(ev.Spurious, t.VillageID)
		}
		if math.IsNaN(p) {
			continue
		}
		y := 0.0
		if t.DeadZone {
			y = 1
		}
		ev.PDeadVillages++
		exp.Dead += p
		exp.TrueDead += int(y)
		if found {
			exp.Listed++
			exp.DeadListed += p
			exp.CorrectListed += int(y)
		}
		brier += (p - y) * (p - y)
		if bandBrier != nil {
			bandBrier.sum += (p - y) * (p - y)
			bandBrier.n++
		}
		if t.Decidable() {
			nDec++
			brierDec += (p - y) * (p - y)
		}
		b := min(ReliabilityBins-1, int(p*ReliabilityBins))
		bins[b].n++
		bins[b].sumP += p
		if t.DeadZone {
			bins[b].dead++
		}
	}
	ev.Scores.finish()
	ev.Decidable.finish()
	for k := range ev.ByEvidence {
		b := &ev.ByEvidence[k]
		b.All.finish()
		if b.Decidable != nil {
			b.Decidable.finish()
		}
		if s := bandBriers[k]; s.n > 0 {
			b.Brier = ptr(s.sum / float64(s.n))
		}
	}
	slices.Sort(ev.Missed)
	slices.Sort(ev.Spurious)
	if ev.PDeadVillages > 0 {
		ev.Brier = ptr(brier / float64(ev.PDeadVillages))
		if nDec > 0 {
			ev.BrierDecidable = ptr(brierDec / float64(nDec))
		}
		exp.Missed = max(0, exp.Dead-exp.DeadListed)
		exp.TrueMissed = exp.TrueDead - exp.CorrectListed
		ev.Expected = &exp
		ev.Reliability = make([]ReliabilityBin, ReliabilityBins)
		for b, x := range bins {
			r := ReliabilityBin{PLower: float64(b) / ReliabilityBins, PUpper: float64(b+1) / ReliabilityBins, Villages: x.n, Dead: x.dead}
			if x.n > 0 {
				r.MeanPDead = ptr(x.sumP / float64(x.n))
				r.ObservedDeadShare = ptr(float64(x.dead) / float64(x.n))
			}
			ev.Reliability[b] = r
		}
	}
	return ev, nil
}

func ptr[T any](x T) *T { return &x }

// brierSum accumulates a Brier score: the sum of squared errors and their
// count.
type brierSum struct {
	sum float64
	n   int
}

// evidenceBand returns the index of the band of evidenceBands that holds
// n tests (n ≥ 0).
func evidenceBand(n int) int {
	k := 0
	for k+1 < len(evidenceBands) && n >= evidenceBands[k+1] {
		k++
	}
	return k
}

func (s *Scores) add(dead, found bool) {
	s.Villages++
	if dead {
		s.True++
	}
	if found {
		s.Found++
		if dead {
			s.Correct++
		}
	}
}

func (s *Scores) finish() {
	s.Precision, s.Recall = ratio(s.Correct, s.Found), ratio(s.Correct, s.True)
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// readHeader reads the header of a CSV table (what names the table in
// errors) and returns the index of a column by name (−1 when absent;
// spaces and a byte-order mark ignored).
func readHeader(cr *csv.Reader, what string) (func(name string) int, error) {
	head, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: no header: %w", what, engine.ErrInvalidValue)
		}
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	head = slices.Clone(head) // a reader reusing records overwrites it
	return func(name string) int {
		return slices.IndexFunc(head, func(h string) bool { return strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")) == name })
	}, nil
}

// ReadVillageVerdictsCSV reads village verdicts from a CSV table with a
// header: village_id and without_signal (true|false) required, p_dead
// optional (empty = none), tests_300m optional (a whole number ≥ 0;
// TestsNearby −1 when the column is absent). Other columns are ignored.
func ReadVillageVerdictsCSV(r io.Reader) ([]VillageVerdict, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	col, err := readHeader(cr, "village verdicts")
	if err != nil {
		return nil, err
	}
	id, ws, pd, tn := col("village_id"), col("without_signal"), col("p_dead"), col("tests_300m")
	if id < 0 || ws < 0 {
		return nil, fmt.Errorf("village verdicts: village_id and without_signal columns required: %w", engine.ErrInvalidValue)
	}
	var out []VillageVerdict
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("village verdicts: %w", err)
		}
		v := VillageVerdict{VillageID: rec[id], PDead: math.NaN(), TestsNearby: -1}
		if v.WithoutSignal, err = strconv.ParseBool(rec[ws]); err != nil {
			return nil, fmt.Errorf("village verdicts: line %d: without_signal %q: %w", line, rec[ws], engine.ErrInvalidValue)
		}
		if pd >= 0 && rec[pd] != "" {
			if v.PDead, err = strconv.ParseFloat(rec[pd], 64); err != nil || !(v.PDead >= 0 && v.PDead <= 1) {
				return nil, fmt.Errorf("village verdicts: line %d: p_dead %q is not a probability: %w", line, rec[pd], engine.ErrInvalidValue)
			}
		}
		if tn >= 0 {
			if v.TestsNearby, err = strconv.Atoi(rec[tn]); err != nil || v.TestsNearby < 0 {
				return nil, fmt.Errorf("village verdicts: line %d: tests_300m %q is not a count: %w", line, rec[tn], engine.ErrInvalidValue)
			}
		}
		out = append(out, v)
	}
}

// ReadVillageSignalsCSV reads what WriteVillageSignalsCSV wrote (a header
// with VillageSignalColumns, in any order; signal_dbm with its 0.1 dB
// rounding; an empty site_id or covered is allowed).
func ReadVillageSignalsCSV(r io.Reader) ([]VillageSignal, error) {
	cr := csv.NewReader(r)
	col, err := readHeader(cr, "village signals")
	if err != nil {
		return nil, err
	}
	idx := make([]int, len(VillageSignalColumns))
	for i, name := range VillageSignalColumns {
		idx[i] = col(name)
		if idx[i] < 0 && (name == "village_id" || name == "carrier" || name == "tech" || name == "signal_dbm") {
			return nil, fmt.Errorf("village signals: no %s column: %w", name, engine.ErrInvalidValue)
		}
	}
	get := func(rec []string, i int) string {
		if idx[i] < 0 {
			return ""
		}
		return rec[idx[i]]
	}
	// Carriers, technologies and village ids repeat: one string each.
	strs := map[string]string{}
	intern := func(s string) string {
		if v, ok := strs[s]; ok {
			return v
		}
		strs[s] = s
		return s
	}
	var out []VillageSignal
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("village signals: %w", err)
		}
		s := VillageSignal{VillageID: intern(get(rec, 0)), Carrier: engine.Carrier(intern(get(rec, 1))), Tech: intern(get(rec, 2)), SiteID: get(rec, 4)}
		if s.SignalDBm, err = strconv.ParseFloat(get(rec, 3), 64); err != nil || math.IsNaN(s.SignalDBm) || math.IsInf(s.SignalDBm, 0) {
			return nil, fmt.Errorf("village signals: line %d: signal_dbm %q is not a number: %w", line, get(rec, 3), engine.ErrInvalidValue)
		}
		if c := get(rec, 5); c != "" {
			if s.Covered, err = strconv.ParseBool(c); err != nil {
				return nil, fmt.Errorf("village signals: line %d: covered %q: %w", line, c, engine.ErrInvalidValue)
			}
		}
		out = append(out, s)
	}
}

// OffAirEvaluation scores the masts called off the air against the ones
// truly down while listed active: per mast (predict.Masts on the
// register), a mast being off when any of its rows is.
type OffAirEvaluation struct {
	Masts     int     `json:"masts"`
	True      int     `json:"true_off_air"`
	Found     int     `json:"found"`
	Correct   int     `json:"correct"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
}

// EvaluateOffAir scores found (the rows of the masts called off the air)
// against truth (Truth.OffAir) over register, the register the engine
// read.
func EvaluateOffAir(register []engine.Site, truth, found []predict.SiteRef) OffAirEvaluation {
	mast, n := predict.Masts(register)
	isTrue, isFound := make([]bool, n), make([]bool, n)
	tr, fd := map[predict.SiteRef]bool{}, map[predict.SiteRef]bool{}
	for _, r := range truth {
		tr[r] = true
	}
	for _, r := range found {
		fd[r] = true
	}
	for i, s := range register {
		ref := predict.SiteRef{Carrier: s.Carrier, SiteID: s.SiteID}
		isTrue[mast[i]] = isTrue[mast[i]] || tr[ref]
		isFound[mast[i]] = isFound[mast[i]] || fd[ref]
	}
	e := OffAirEvaluation{Masts: n}
	for m := range n {
		if isTrue[m] {
			e.True++
		}
		if isFound[m] {
			e.Found++
			if isTrue[m] {
				e.Correct++
			}
		}
	}
	e.Precision, e.Recall = ratio(e.Correct, e.Found), ratio(e.Correct, e.True)
	return e
}
