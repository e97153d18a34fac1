package pipeline

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/calfile"
	"github.com/lomsong/lomsong/engine/coverage"
	"github.com/lomsong/lomsong/engine/predict"
)

func noticeKinds(an *Analysis) []NoticeKind {
	var out []NoticeKind
	for _, n := range an.Notices {
		out = append(out, n.Kind)
	}
	return out
}

func noticeOf(an *Analysis, k NoticeKind) (AnalysisNotice, bool) {
	for _, n := range an.Notices {
		if n.Kind == k {
			return n, true
		}
	}
	return AnalysisNotice{}, false
}

// AnalysisOptions decides a month's options from the request alone: the
// villages' households and places, the populated hexes, the latest month;
// the dataset's calibration.json applied when it exists, with notices of
// what it finds, and refused when it was fitted on none of the dataset's
// sources.
func TestAnalysisOptionsCalibrationChecks(t *testing.T) {
	store := diskStoreOf(t, worldVillages, worldTests(false))
	own := []string{strings.Repeat("a1", 32), strings.Repeat("c3", 32)} // the sites and measurements
	foreign := strings.Repeat("ee", 32)
	req := AnalysisRequest{Res: 8, LatestPeriod: true}

	an, err := AnalysisOptions(store, req)
	if err != nil {
		t.Fatal(err)
	}
	if want := []NoticeKind{NoticeVillagePopulation, NoticeLatestPeriod, NoticeUncalibrated}; !slices.Equal(noticeKinds(an), want) {
		t.Errorf("notices %v, want %v", noticeKinds(an), want)
	}
	opt := an.Options
	if !slices.Equal(opt.Aggregate.Periods, []string{"2026-10"}) || len(opt.Population) == 0 || len(opt.Places) != len(worldVillages) ||
		len(opt.Cells) == 0 || an.Calibration.Why != UncalibratedNoFile || len(opt.Calibrations) != 0 {
		t.Fatalf("uncalibrated options: periods %v, %d population cells, %d places, %d cells, calibration %+v",
			opt.Aggregate.Periods, len(opt.Population), len(opt.Places), len(opt.Cells), an.Calibration)
	}
	for _, c := range opt.Cells {
		if c.Resolution() != 8 {
			t.Fatalf("cell %v at resolution %d, want 8", c, c.Resolution())
		}
	}

	path := filepath.Join(store.Dir(), "calibration.json")
	cals := []coverage.Calibration{{Carrier: engine.Viettel, Tech: engine.Tech4G, N: 10, Fit: predict.Fit{N: 10, OffsetDB: -3, SigmaDB: 7}},
		{Carrier: "viettell", Tech: engine.Tech3G, N: 10, Fit: predict.Fit{N: 10, OffsetDB: -2, SigmaDB: 7}}}
	write := func(res int, fittedOn ...string) {
		t.Helper()
		f := calfile.New(res, false, cals, DefaultMinPairs)
		f.FittedOn, f.FittedOnPeriods = fittedOn, []string{"2026-10"}
		if err := calfile.WriteCalibrationFile(path, f); err != nil {
			t.Fatal(err)
		}
	}

	// Fitted on the dataset's own sources: applied, its misspelt
	// carrier named.
	write(8, own...)
	if an, err = AnalysisOptions(store, req); err != nil {
		t.Fatal(err)
	}
	if an.Calibration.Path != path || len(an.Options.Calibrations) != 2 || an.Calibration.SHA256 == "" {
		t.Fatalf("calibration applied: %+v, %d fits", an.Calibration, len(an.Options.Calibrations))
	}
	if want := []NoticeKind{NoticeVillagePopulation, NoticeLatestPeriod, NoticeCalibrationUsed, NoticeCalibrationUnregistered}; !slices.Equal(noticeKinds(an), want) {
		t.Errorf("notices %v, want %v", noticeKinds(an), want)
	}
	if n, _ := noticeOf(an, NoticeCalibrationUnregistered); !slices.Equal(n.Items, []string{"viettell 3G"}) {
		t.Errorf("unregistered carriers %q", n.Items)
	}

	// One of its sources gone, at another resolution: applied, said.
	write(9, own[0], foreign)
	if an, err = AnalysisOptions(store, req); err != nil {
		t.Fatal(err)
	}
	if n, ok := noticeOf(an, NoticeCalibrationSourcesGone); !ok || !slices.Equal(n.Items, []string{"eeeeeeeeeeeeeeee…"}) {
		t.Errorf("sources gone: %+v (%v)", n, noticeKinds(an))
	}
	if n, ok := noticeOf(an, NoticeCalibrationSourcesAdded); !ok || len(n.Items) != 1 {
		t.Errorf("the measurements the file did not read: %+v (%v)", n, noticeKinds(an))
	}
	if n, ok := noticeOf(an, NoticeCalibrationOtherResolution); !ok || n.FileRes != 9 || n.Res != 8 {
		t.Errorf("another resolution: %+v (%v)", n, noticeKinds(an))
	}

	// Fitted on none of them: another dataset's, refused, with what was
	// said before.
	write(8, foreign, strings.Repeat("ff", 32))
	an, err = AnalysisOptions(store, req)
	var fe *ForeignCalibrationError
	if !errors.As(err, &fe) || fe.Path != path || len(fe.Gone) != 2 {
		t.Fatalf("another dataset's calibration: %v", err)
	}
	if want := []NoticeKind{NoticeVillagePopulation, NoticeLatestPeriod}; !slices.Equal(noticeKinds(an), want) {
		t.Errorf("notices before the refusal %v, want %v", noticeKinds(an), want)
	}
	// Unless no calibration is asked for.
	if an, err = AnalysisOptions(store, AnalysisRequest{Res: 8, LatestPeriod: true, Calibration: CalibrationNone}); err != nil || an.Calibration.Why != UncalibratedAsked {
		t.Fatalf("--calibration none: %v %+v", err, an.Calibration)
	}

	// A month without measurements.
	_, err = AnalysisOptions(store, AnalysisRequest{Res: 8, Period: "2026-09"})
	var nd *NoPeriodDataError
	if !errors.As(err, &nd) || nd.Period != "2026-09" || !slices.Equal(nd.Have, []string{"2026-10"}) {
		t.Fatalf("a month without measurements: %v", err)
	}
}
