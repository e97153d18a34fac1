package calfile

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/coverage"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/predict"
)

// golden is a file as lomsong calibrate writes it: the keys of the format
// before it moved here, in the same order, NaN as null, and since then
// each fit's applied (and not_applied when not).
const golden = `{"resolution":8,"with_slope":true,"calibrations":[{"carrier":"viettel","tech":"4G","hexes":12,"censored":1,"bias_db":-3.5,"rmse_before_db":6.25,"rmse_after_db":4,"offset_db":-3.5,"slope_db_per_decade":1.5,"ref_log10_distance_m":3.1,"slope_fitted":true,"sigma_db":4,"applied":true},{"carrier":"mobifone","tech":"3G","hexes":0,"censored":0,"bias_db":null,"rmse_before_db":null,"rmse_after_db":null,"offset_db":0,"slope_db_per_decade":0,"ref_log10_distance_m":0,"slope_fitted":false,"sigma_db":0,"applied":false,"not_applied":"fitted on 0 measured hexes; a fit is applied from 10: the model's prediction and σ stay"}],"site_networks":[{"carrier":"viettel","tech":"4G","measurements":40,"sites":3,"mean_db":-2,"within_site_sigma_db":5,"between_site_tau_db":null}],"site_attribution":{"measurements":50,"no_signal":2,"censored":1,"by_cell_id":30,"by_pci_arfcn":5,"by_node_id":2,"by_best_server":10,"ids_not_in_register":1,"no_prediction":0},"site_offsets":[{"carrier":"viettel","tech":"4G","site_id":"VT-1","measurements":20,"by_id":18,"mean_residual_db":-6,"shrinkage_weight":0.8,"offset_db":-5.2,"deviation_db":-3.2}]}
`

func TestRoundTripIsByteForByte(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.json")
	if err := os.WriteFile(in, []byte(golden), 0o644); err != nil {
		t.Fatal(err)
	}
	f, a, err := ReadCalibrationFile(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Calibrations) != 2 || a.Calibrations[0].Carrier != engine.Viettel || a.Calibrations[0].Fit.OffsetDB != -3.5 ||
		a.Calibrations[0].Fit.SlopeDB != 1.5 || !a.Calibrations[0].Fit.SlopeFitted || a.Calibrations[0].N != 12 {
		t.Fatalf("calibrations: %+v", a.Calibrations)
	}
	if !math.IsNaN(a.Calibrations[1].BiasDB) {
		t.Errorf("null bias read as %v, want NaN", a.Calibrations[1].BiasDB)
	}
	// The file's identity, for the outputs made with it: the SHA-256 of
	// its bytes (sha256sum's).
	if sum := sha256.Sum256([]byte(golden)); a.SHA256 != hex.EncodeToString(sum[:]) || len(a.SHA256) != 64 {
		t.Errorf("SHA256 %q, want %x", a.SHA256, sum)
	}
	if len(a.SiteOffsets) != 1 || a.SiteOffsets[0].SiteID != "VT-1" || a.SiteOffsets[0].DeviationDB != -3.2 {
		t.Fatalf("site offsets: %+v", a.SiteOffsets)
	}
	out := filepath.Join(dir, "out.json")
	if err := WriteCalibrationFile(out, f); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != golden {
		t.Errorf("rewritten file differs:\n got %s\nwant %s", b, golden)
	}
}

func TestNewAndSetSites(t *testing.T) {
	cals := []coverage.Calibration{{Carrier: engine.Viettel, Tech: engine.Tech4G, N: 12, Censored: 1, BiasDB: -3.5, RMSEBeforeDB: 6.25,
		RMSEAfterDB: 4, Fit: predict.Fit{N: 12, OffsetDB: -3.5, SlopeDB: 1.5, RefLog10D: 3.1, SlopeFitted: true, SigmaDB: 4}},
		{Carrier: engine.MobiFone, Tech: engine.Tech3G, BiasDB: math.NaN(), RMSEBeforeDB: math.NaN(), RMSEAfterDB: math.NaN()}}
	f := New(8, true, cals, 10)
	f.SetSites(&predict.SiteCalibration{
		Networks: []predict.SiteNetwork{{Carrier: engine.Viettel, Tech: engine.Tech4G, N: 40, Sites: 3, MeanDB: -2, SigmaDB: 5, TauDB: math.NaN()}},
		Counts:   predict.SiteCounts{Rows: 50, NoSignal: 2, Censored: 1, ByCellID: 30, ByPCIARFCN: 5, ByNodeID: 2, ByBestServer: 10, IDsUnmatched: 1},
		Sites: []predict.SiteOffset{{Carrier: engine.Viettel, Tech: engine.Tech4G, SiteID: "VT-1", N: 20, ByID: 18, MeanResidualDB: -6,
			Weight: 0.8, OffsetDB: -5.2, DeviationDB: -3.2}},
	})
	out := filepath.Join(t.TempDir(), "calibration.json")
	if err := WriteCalibrationFile(out, f); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	if string(b) != golden {
		t.Errorf("written file:\n got %s\nwant %s", b, golden)
	}
}

func TestBadEntriesNameFileAndEntry(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ name, body, want string }{
		{"carrier", `{"resolution":8,"calibrations":[{"carrier":"","tech":"4G"}]}`, "calibrations[0]"},
		{"tech", `{"resolution":8,"calibrations":[{"carrier":"viettel","tech":"7G"}]}`, "calibrations[0]"},
		{"offset", `{"resolution":8,"calibrations":[],"site_offsets":[{"carrier":"viettel","tech":"4G","site_id":"A","offset_db":null,"deviation_db":1}]}`, "site_offsets[0]"},
		{"json", `{"resolution":`, "unexpected end"},
		{"twice", `{"resolution":8,"calibrations":[{"carrier":"viettel","tech":"4G","offset_db":-2},{"carrier":"Viettel","tech":"4G","offset_db":3}]}`,
			"calibrations[1]: viettel 4G fitted again (calibrations[0])"},
		{"huge offset", `{"resolution":8,"calibrations":[{"carrier":"viettel","tech":"4G","offset_db":1e6}]}`, "offset_db 1e+06 beyond ±60 dB"},
		{"p_off_air", `{"resolution":8,"calibrations":[],"off_air":{"masts_weighed":1,"masts":[{"carrier":"viettel","site_ids":["A"],"p_off_air":7}],"networks":[]}}`,
			"p_off_air 7 is not a probability"},
		// A key left out would read as 0 (σ 0 dB: every prediction
		// certain); null is the documented "the model's own value".
		{"no sigma", `{"resolution":8,"calibrations":[{"carrier":"viettel","tech":"4G","hexes":12,"offset_db":-2,"slope_db_per_decade":null,"ref_log10_distance_m":null}]}`,
			`calibrations[0] has no "sigma_db"`},
		// Hand edits refused naming the file: a negative σ (it passed, then
		// stopped coverage without the file's name), a misspelt key (its
		// value was left unread) and a resolution H3 has not.
		{"negative sigma", `{"resolution":8,"calibrations":[{"carrier":"viettel","tech":"4G","sigma_db":-5}]}`, "sigma_db -5: a standard deviation is not negative"},
		{"misspelt key", `{"resolution":8,"calibrations":[{"carrier":"viettel","tech":"4G","offsett_db":30}]}`, `unknown field "offsett_db"`},
		{"resolution 99", `{"resolution":99,"calibrations":[]}`, "resolution 99: an H3 resolution is 0..15"},
		{"bare", `{}`, `no "calibrations" list`},
		{"no resolution", `{"calibrations":[]}`, `no "resolution"`},
	} {
		p := filepath.Join(dir, c.name+".json")
		os.WriteFile(p, []byte(c.body), 0o644)
		_, _, err := ReadCalibrationFile(p)
		if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want it to name %s and %s", c.name, err, p, c.want)
		}
	}
	if _, _, err := ReadCalibrationFile(filepath.Join(dir, "absent.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("absent file: %v", err)
	}
}

// A file written before fits said whether they are applied reads as
// before: the stages decide from the hexes, not from the file's word.
func TestFileWithoutAppliedReads(t *testing.T) {
	p := filepath.Join(t.TempDir(), "calibration.json")
	old := `{"resolution":8,"with_slope":false,"calibrations":[{"carrier":"viettel","tech":"4G","hexes":12,"censored":0,"bias_db":-3.5,"rmse_before_db":6,"rmse_after_db":4,"offset_db":-3.5,"slope_db_per_decade":0,"ref_log10_distance_m":3,"slope_fitted":false,"sigma_db":4},{"carrier":"mobifone","tech":"4G","hexes":3,"censored":0,"bias_db":9,"rmse_before_db":10,"rmse_after_db":2,"offset_db":9,"slope_db_per_decade":0,"ref_log10_distance_m":3,"slope_fitted":false,"sigma_db":2,"applied":true}]}`
	if err := os.WriteFile(p, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	_, a, err := ReadCalibrationFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Calibrations) != 2 || !a.Calibrations[0].Applies(10) || a.Calibrations[1].Applies(10) {
		t.Errorf("applies: %v %v, want true false (3 hexes, whatever the file says)", a.Calibrations[0].Applies(10), a.Calibrations[1].Applies(10))
	}
}

// TestMonths: the months a file was fitted on are the ones it records;
// a file written before it recorded them has the months of its
// measurement sources' parts (a source crossing a month's end names both,
// the best an older file can say).
func TestMonths(t *testing.T) {
	sources := []dataset.Source{
		{SHA256: "reg", Kind: "sites", Parts: []dataset.Part{{Kind: "sites"}}},
		{SHA256: "oct", Kind: "measurements", Parts: []dataset.Part{{Period: "2024-10"}}},
		{SHA256: "sep", Kind: "measurements", Parts: []dataset.Part{{Period: "2024-10"}, {Period: "2024-09"}}},
	}
	for _, tc := range []struct {
		name string
		f    File
		want []string
	}{
		{"recorded", File{FittedOn: []string{"reg", "sep"}, FittedOnPeriods: []string{"2024-09"}}, []string{"2024-09"}},
		{"recorded, other month", File{FittedOn: []string{"oct", "reg", "sep"}, FittedOnPeriods: []string{"2024-10"}}, []string{"2024-10"}},
		{"recorded unsorted", File{FittedOnPeriods: []string{"2024-10", "2024-09", "2024-10"}}, []string{"2024-09", "2024-10"}},
		{"older file: the parts' months", File{FittedOn: []string{"reg", "sep"}}, []string{"2024-09", "2024-10"}},
		{"older file, source gone", File{FittedOn: []string{"reg", "gone"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f.Months(sources); !slices.Equal(got, tc.want) {
				t.Errorf("Months = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestFittedOnPeriods: the months are written and read back, and a
// month that is not YYYY-MM is refused naming the entry.
func TestFittedOnPeriods(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.json")
	f := New(8, false, nil, 10)
	f.FittedOnPeriods = []string{"2024-09"}
	if err := WriteCalibrationFile(path, f); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), `"fitted_on_periods":["2024-09"]`) {
		t.Errorf("written: %s", b)
	}
	got, _, err := ReadCalibrationFile(path)
	if err != nil || !slices.Equal(got.FittedOnPeriods, []string{"2024-09"}) {
		t.Fatalf("read back: %+v, %v", got, err)
	}
	for _, bad := range []string{"2024-9", "2024-13", "Sep 2024", ""} {
		os.WriteFile(path, []byte(`{"resolution":8,"with_slope":false,"calibrations":[],"fitted_on_periods":["2024-10",`+strconv.Quote(bad)+`]}`), 0o644)
		if _, _, err := ReadCalibrationFile(path); !errors.Is(err, engine.ErrInvalidValue) || !strings.Contains(err.Error(), "fitted_on_periods[1]") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// TestOffAirSharedSiteIDs: an off-air mast whose site_id a mast elsewhere
// also carries keeps it in the file (shared_site_ids), and the rows read
// back name that id at the mast's position only.
func TestOffAirSharedSiteIDs(t *testing.T) {
	r := &predict.OffAirResult{
		Masts: []predict.OffAirMast{{Carrier: engine.Viettel, SiteIDs: []string{"A3", "A4"}, SharedIDs: []string{"A3"}, Lon: 105.8, Lat: 21,
			Observations: 5, Informative: 5, POff: 0.99, OffAir: true}},
		Shared: []predict.SharedSiteID{{Carrier: engine.Viettel, SiteID: "A3", Masts: 2, ApartM: 10000.4}},
	}
	f := New(8, false, nil, 10)
	f.SetOffAir(r)
	path := filepath.Join(t.TempDir(), "c.json")
	if err := WriteCalibrationFile(path, f); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"shared_site_ids":[{"carrier":"viettel","site_id":"A3","masts":2,"apart_m":10000}]`) {
		t.Fatalf("file: %s", b)
	}
	_, a, err := ReadCalibrationFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []predict.SiteRef{{Carrier: engine.Viettel, SiteID: "A3", Placed: true, Lon: 105.8, Lat: 21}, {Carrier: engine.Viettel, SiteID: "A4"}}
	if !slices.Equal(a.OffAir, want) {
		t.Fatalf("rows set down %+v, want %+v", a.OffAir, want)
	}
}

// TestNotFittedRoundTrip: the networks without a calibration are written
// with their reason and read back; the summary groups them by reason; a
// fit whose every hex is censored says so, not "fitted on 0 hexes".
func TestNotFittedRoundTrip(t *testing.T) {
	f := New(8, false, []coverage.Calibration{{Carrier: engine.Viettel, Tech: engine.Tech4G, N: 0, Censored: 6}}, 10)
	if why := f.Calibrations[0].NotApplied; !strings.Contains(why, "each of its 6 measured hexes reads below the no-service level") {
		t.Errorf("censored-only fit: not_applied %q", why)
	}
	f.SetNotFitted([]coverage.Unfitted{
		{Carrier: engine.MobiFone, Tech: engine.Tech2G, Reason: coverage.UnfittedNoTests},
		{Carrier: engine.VinaPhone, Tech: engine.Tech4G, Reason: coverage.UnfittedNoSites, Hexes: 7, Tests: 30, Enough: 2},
		{Carrier: engine.Viettel, Tech: engine.Tech3G, Reason: coverage.UnfittedFewTests, Hexes: 3, Tests: 4, MinTests: 5},
		{Carrier: engine.Viettel, Tech: engine.Tech4G, Reason: coverage.UnfittedFewTests, Hexes: 1, Tests: 1, MinTests: 5},
	})
	path := filepath.Join(t.TempDir(), "calibration.json")
	if err := WriteCalibrationFile(path, f); err != nil {
		t.Fatal(err)
	}
	back, _, err := ReadCalibrationFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back.NotFitted, f.NotFitted) {
		t.Errorf("read back %+v, want %+v", back.NotFitted, f.NotFitted)
	}
	want := "no test in the months read: mobifone 2G; tests but no site on the air in the register: vinaphone 4G (7 tested hexes); no hex with enough outdoor tests: viettel 3G (4 outdoor tests in 3 tested hexes), viettel 4G (1 outdoor test in 1 tested hex)"
	if got := back.NotFittedSummary(); got != want {
		t.Errorf("summary\n got %q\nwant %q", got, want)
	}
	if got := (&File{}).NotFittedSummary(); got != "" {
		t.Errorf("no network unfitted: %q", got)
	}
}

func TestReadAnotherJSONFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "manifest.json")
	if err := os.WriteFile(path, []byte(`{"version":1,"sources":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := ReadCalibrationFile(path)
	if err == nil || !strings.Contains(err.Error(), path+": not a calibration file") || !errors.Is(err, engine.ErrInvalidValue) {
		t.Errorf("err = %v", err)
	}
}

// A file that is not JSON at all (the site register given for the
// calibration) is said not to be a calibration file; it read "invalid
// character 's' looking for beginning of value". A calibration file cut
// short keeps the JSON error, which says where.
func TestReadNotJSON(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "sites.csv")
	if err := os.WriteFile(csv, []byte("site_id,carrier,lon,lat\nS1,viettel,103.4,22.4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := ReadCalibrationFile(csv)
	if err == nil || !strings.Contains(err.Error(), csv+": not a calibration file (lomsong calibrate writes one, a JSON file") || !errors.Is(err, engine.ErrInvalidValue) {
		t.Errorf("err = %v", err)
	}
	cut := filepath.Join(dir, "calibration.json")
	if err := os.WriteFile(cut, []byte(`{"resolution": 8, "calibrations": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadCalibrationFile(cut); err == nil || strings.Contains(err.Error(), "not a calibration file") {
		t.Errorf("cut short: %v", err)
	}
}

func TestIsCalibration(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{golden, true},
		{"\ufeff" + `{"resolution":8,"calibrations":[]}`, true},
		{`{"version":1,"sources":[]}`, false}, // a dataset's manifest
		{"lon,lat,population\n1,2,3\n", false},
		{`{"resolution":8}`, false},
		{"", false},
	} {
		if got := IsCalibration([]byte(c.in)); got != c.want {
			t.Errorf("IsCalibration(%.40q) = %v, want %v", c.in, got, c.want)
		}
	}
}

// TestNotAppliedReasonCounts checks that one measured hex is said in the
// singular.
func TestNotAppliedReasonCounts(t *testing.T) {
	if got := NotAppliedReason(coverage.Calibration{N: 1}, 10); !strings.HasPrefix(got, "fitted on 1 measured hex; a fit is applied from 10") {
		t.Errorf("one hex: %q", got)
	}
	if got := NotAppliedReason(coverage.Calibration{Censored: 1}, 10); !strings.HasPrefix(got, "its one measured hex reads below") {
		t.Errorf("one censored hex: %q", got)
	}
}
