package synth

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/predict"
)

// handTruth: six villages, three dead; B and D within 3 dB of the
// threshold (not decidable).
func handTruth() *Truth {
	return &Truth{Villages: []VillageTruth{
		{VillageID: "A", Best3G4GMarginDB: -10, DeadZone: true},
		{VillageID: "B", Best3G4GMarginDB: -1, DeadZone: true},
		{VillageID: "C", Best3G4GMarginDB: 20},
		{VillageID: "D", Best3G4GMarginDB: 2},
		{VillageID: "E", Best3G4GMarginDB: -999, DeadZone: true},
		{VillageID: "F", Best3G4GMarginDB: 5},
	}}
}

func TestEvaluateVillagesByHand(t *testing.T) {
	verdicts := []VillageVerdict{
		{"E", true, 1.0, 0}, // order does not matter
		{"A", true, 0.9, 3},
		{"B", false, 0.3, 12},
		{"C", false, 0.05, 0},
		{"D", true, 0.6, 1},
		// F has no verdict: not found
	}
	ev, err := EvaluateVillages(handTruth(), verdicts)
	if err != nil {
		t.Fatal(err)
	}
	// All: true A B E, found A D E, correct A E.
	if want := (Scores{Villages: 6, True: 3, Found: 3, Correct: 2, Precision: 2.0 / 3, Recall: 2.0 / 3, F1: 2.0 / 3}); !closeScores(ev.Scores, want) {
		t.Errorf("all: %+v, want %+v", ev.Scores, want)
	}
	// Decidable (|margin| ≥ 3): A C E F; true A E, found A E.
	if want := (Scores{Villages: 4, True: 2, Found: 2, Correct: 2, Precision: 1, Recall: 1, F1: 1}); !closeScores(ev.Decidable, want) {
		t.Errorf("decidable: %+v, want %+v", ev.Decidable, want)
	}
	if !reflect.DeepEqual(ev.Missed, []string{"B"}) || !reflect.DeepEqual(ev.Spurious, []string{"D"}) || ev.NoVerdict != 1 {
		t.Errorf("missed %v spurious %v without verdict %d", ev.Missed, ev.Spurious, ev.NoVerdict)
	}
	// Brier: (0.1² + 0.7² + 0.05² + 0.6² + 0²)/5 = 0.8625/5; decidable
	// A C E: (0.01 + 0.0025 + 0)/3.
	if ev.PDeadVillages != 5 || ev.Brier == nil || math.Abs(*ev.Brier-0.1725) > 1e-12 ||
		ev.BrierDecidable == nil || math.Abs(*ev.BrierDecidable-0.0125/3) > 1e-12 {
		t.Errorf("brier %v decidable %v over %d", deref(ev.Brier), deref(ev.BrierDecidable), ev.PDeadVillages)
	}
	// By tests within 300 m: none (C, E), 1–9 (A, D), 10 or more (B);
	// F has no verdict and so no band.
	if len(ev.ByEvidence) != 3 {
		t.Fatalf("%d evidence bands", len(ev.ByEvidence))
	}
	for k, want := range []struct {
		lo, hi int
		all    Scores
		dec    *Scores
		brier  float64
	}{
		{0, 0, Scores{Villages: 2, True: 1, Found: 1, Correct: 1, Precision: 1, Recall: 1, F1: 1},
			&Scores{Villages: 2, True: 1, Found: 1, Correct: 1, Precision: 1, Recall: 1, F1: 1}, (0 + 0.0025) / 2},
		{1, 9, Scores{Villages: 2, True: 1, Found: 2, Correct: 1, Precision: 0.5, Recall: 1, F1: 2.0 / 3},
			&Scores{Villages: 1, True: 1, Found: 1, Correct: 1, Precision: 1, Recall: 1, F1: 1}, (0.01 + 0.36) / 2},
		{10, -1, Scores{Villages: 1, True: 1, Found: 0, Correct: 0, Precision: 1, Recall: 0, F1: 0},
			nil, 0.49}, // B is within 3 dB of the threshold
	} {
		b := ev.ByEvidence[k]
		hi := -1
		if b.MaxTests != nil {
			hi = *b.MaxTests
		}
		if b.MinTests != want.lo || hi != want.hi || !closeScores(b.All, want.all) ||
			(b.Decidable == nil) != (want.dec == nil) || want.dec != nil && !closeScores(*b.Decidable, *want.dec) ||
			b.Brier == nil || math.Abs(*b.Brier-want.brier) > 1e-12 {
			t.Errorf("band %d: %d–%d all %+v decidable %+v brier %v", k, b.MinTests, hi, b.All, b.Decidable, deref(b.Brier))
		}
	}
	if len(ev.Reliability) != ReliabilityBins {
		t.Fatalf("%d reliability bins", len(ev.Reliability))
	}
	want := map[int][4]float64{ // bin: villages, dead, mean p, observed share
		0: {1, 0, 0.05, 0},
		3: {1, 1, 0.3, 1},
		6: {1, 0, 0.6, 0},
		9: {2, 2, 0.95, 1}, // 1.0 falls in the last bin
	}
	for b, r := range ev.Reliability {
		if math.Abs(r.PLower-float64(b)/10) > 1e-12 || math.Abs(r.PUpper-float64(b+1)/10) > 1e-12 {
			t.Errorf("bin %d bounds %g…%g", b, r.PLower, r.PUpper)
		}
		w, ok := want[b]
		if !ok {
			if r.Villages != 0 || r.MeanPDead != nil || r.ObservedDeadShare != nil {
				t.Errorf("bin %d should be empty: %+v", b, r)
			}
			continue
		}
		if r.Villages != int(w[0]) || r.Dead != int(w[1]) || r.MeanPDead == nil || math.Abs(*r.MeanPDead-w[2]) > 1e-12 ||
			r.ObservedDeadShare == nil || *r.ObservedDeadShare != w[3] {
			t.Errorf("bin %d: %+v mean %v share %v, want %v", b, r, deref(r.MeanPDead), deref(r.ObservedDeadShare), w)
		}
	}
}

func TestEvaluateVillagesWithoutPDead(t *testing.T) {
	nan := math.NaN()
	ev, err := EvaluateVillages(handTruth(), []VillageVerdict{{"A", true, nan, -1}, {"C", true, nan, -1}})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Brier != nil || ev.BrierDecidable != nil || ev.Reliability != nil || ev.PDeadVillages != 0 {
		t.Fatalf("without p_dead: brier %v reliability %v", ev.Brier, ev.Reliability)
	}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"brier"`, `"reliability"`, `"brier_decidable"`} {
		if strings.Contains(string(b), k) {
			t.Errorf("JSON has %s without p_dead: %s", k, b)
		}
	}
	for _, k := range []string{`"true_dead_zone_villages":3`, `"found_without_signal":2`, `"correct":1`, `"precision":0.5`, `"decidable":{`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("JSON lacks %s: %s", k, b)
		}
	}
	// Recall 1/3, precision 1/2: F1 = 2·(1/2)(1/3)/(5/6) = 0.4.
	if math.Abs(ev.F1-0.4) > 1e-12 {
		t.Errorf("F1 %g, want 0.4", ev.F1)
	}
}

func TestEvaluateVillagesEdges(t *testing.T) {
	// Nothing dead and nothing found: no false claim, nothing missed.
	ev, err := EvaluateVillages(&Truth{Villages: []VillageTruth{{VillageID: "X", Best3G4GMarginDB: 9}}},
		[]VillageVerdict{{"X", false, 0, -1}})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Precision != 1 || ev.Recall != 1 || ev.F1 != 1 || *ev.Brier != 0 {
		t.Errorf("%+v", ev)
	}
	// Everything wrong: F1 0.
	ev, _ = EvaluateVillages(handTruth(), []VillageVerdict{{"C", true, 1, -1}})
	if ev.Precision != 0 || ev.Recall != 0 || ev.F1 != 0 {
		t.Errorf("%+v", ev.Scores)
	}
	for name, vs := range map[string][]VillageVerdict{
		"unknown village": {{"Z", true, 0.5, -1}},
		"twice":           {{"A", true, 0.5, -1}, {"A", false, 0.5, -1}},
		"p above 1":       {{"A", true, 1.5, -1}},
		"p negative":      {{"A", true, -0.1, -1}},
	} {
		if _, err := EvaluateVillages(handTruth(), vs); !errors.Is(err, engine.ErrInvalidValue) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestReadVillageVerdictsCSV(t *testing.T) {
	vs, err := ReadVillageVerdictsCSV(strings.NewReader("\ufeffvillage_id,name,without_signal,p_dead\nA,\"Bản A, x\",true,0.75\nB,b,false,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0] != (VillageVerdict{"A", true, 0.75, -1}) || vs[1].VillageID != "B" || vs[1].WithoutSignal || !math.IsNaN(vs[1].PDead) {
		t.Fatalf("%+v", vs)
	}
	vs, err = ReadVillageVerdictsCSV(strings.NewReader("village_id,without_signal,tests_300m\nA,false,7\n"))
	if err != nil || len(vs) != 1 || vs[0].TestsNearby != 7 {
		t.Fatalf("%+v %v", vs, err)
	}
	vs, err = ReadVillageVerdictsCSV(strings.NewReader("village_id,without_signal\nA,false\n"))
	if err != nil || len(vs) != 1 || !math.IsNaN(vs[0].PDead) {
		t.Fatalf("%+v %v", vs, err)
	}
	for name, in := range map[string]string{
		"empty":          "",
		"no column":      "village_id,status\nA,covered\n",
		"bad bool":       "village_id,without_signal\nA,maybe\n",
		"bad p":          "village_id,without_signal,p_dead\nA,true,high\n",
		"p out of range": "village_id,without_signal,p_dead\nA,true,1.2\n",
		"bad count":      "village_id,without_signal,tests_300m\nA,true,some\n",
		"negative count": "village_id,without_signal,tests_300m\nA,true,-2\n",
	} {
		if _, err := ReadVillageVerdictsCSV(strings.NewReader(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestEvaluateDefaultWorld: the truth judged against itself is perfect,
// and the decidable villages are those 3 dB or more from the threshold.
func TestEvaluateDefaultWorld(t *testing.T) {
	w := world(t)
	var vs []VillageVerdict
	dec := 0
	for _, v := range w.Truth.Villages {
		p := 0.0
		if v.DeadZone {
			p = 1
		}
		vs = append(vs, VillageVerdict{v.VillageID, v.DeadZone, p, -1})
		if math.Abs(v.Best3G4GMarginDB) >= 3 {
			dec++
		}
	}
	ev, err := EvaluateVillages(&w.Truth, vs)
	if err != nil {
		t.Fatal(err)
	}
	if ev.F1 != 1 || ev.Decidable.F1 != 1 || *ev.Brier != 0 || ev.Decidable.Villages != dec || dec == len(vs) || dec == 0 {
		t.Errorf("%+v (decidable %d of %d)", ev.Scores, dec, len(vs))
	}
}

func closeScores(a, b Scores) bool {
	near := func(x, y float64) bool { return math.Abs(x-y) < 1e-12 }
	return a.Villages == b.Villages && a.True == b.True && a.Found == b.Found && a.Correct == b.Correct &&
		near(a.Precision, b.Precision) && near(a.Recall, b.Recall) && near(a.F1, b.F1)
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestTruthOffAirAndEvaluateOffAir(t *testing.T) {
	w := world(t)
	if len(w.Truth.OffAir) == 0 {
		t.Fatal("the default world has no mast down while listed active")
	}
	at := map[predict.SiteRef]int{}
	for i, s := range w.Sites {
		at[predict.SiteRef{Carrier: s.Carrier, SiteID: s.SiteID}] = i
	}
	for _, r := range w.Truth.OffAir {
		i := at[r]
		if w.Sites[i].Status != engine.StatusActive || w.Truth.Sites[i].Status != engine.StatusDown {
			t.Fatalf("%v: listed %v, truly %v", r, w.Sites[i].Status, w.Truth.Sites[i].Status)
		}
	}
	// Finding one row of a true mast finds the mast; a row of another mast
	// is a false find.
	e := EvaluateOffAir(w.Sites, w.Truth.OffAir, nil)
	if e.True == 0 || e.True > len(w.Truth.OffAir) || e.Found != 0 || e.Recall != 0 {
		t.Fatalf("nothing found: %+v", e)
	}
	var other predict.SiteRef
	for _, s := range w.Sites {
		if r := (predict.SiteRef{Carrier: s.Carrier, SiteID: s.SiteID}); s.Status == engine.StatusActive && !slices.Contains(w.Truth.OffAir, r) {
			other = r
			break
		}
	}
	e2 := EvaluateOffAir(w.Sites, w.Truth.OffAir, []predict.SiteRef{w.Truth.OffAir[0], other})
	if e2.Found != 2 || e2.Correct != 1 || e2.Precision != 0.5 || math.Abs(e2.Recall-1/float64(e.True)) > 1e-12 {
		t.Fatalf("one true, one false: %+v (true masts %d)", e2, e.True)
	}
}
