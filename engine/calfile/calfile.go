// Package calfile is the calibration file's format: what lomsong
// calibrate writes (DATASET/calibration.json by default) and what every
// stage that predicts signal reads — lomsong coverage, deadzones, run and
// the service's releases alike.
//
// It is a package of its own, not part of engine/predict, because the
// file holds coverage.Calibration values (the fit with its bias and RMSE
// against measured hexes), and engine/coverage imports predict: predict
// cannot import coverage back, and predict stays pure (no I/O).
//
// The JSON is one object: resolution, with_slope, calibrations (one per
// carrier and technology), and with per-site offsets site_networks,
// site_attribution and site_offsets. Numbers that are not finite (a fit
// without pairs has NaN bias and RMSE) are written as null and read back
// as NaN.
package calfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/coverage"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/predict"
	"github.com/lomsong/lomsong/internal/plural"
)

// File is a calibration file.
type File struct {
	Resolution   int           `json:"resolution"`
	WithSlope    bool          `json:"with_slope"`
	Calibrations []Calibration `json:"calibrations"`
	// NotFitted are the networks of the register or of the measurements
	// without a calibration, and why (coverage.Unfit): their predictions
	// and σ stay the model's. Files written before the field have none.
	NotFitted []NotFitted `json:"not_fitted,omitempty"`
	// Per-site offsets (predict.CalibrateSites): the networks' summaries,
	// how measurements were attributed, and one offset per site.
	SiteNetworks []SiteNetwork `json:"site_networks,omitempty"`
	Attribution  *SiteCounts   `json:"site_attribution,omitempty"`
	SiteOffsets  []SiteOffset  `json:"site_offsets,omitempty"`
	// OffAir is the off-air check (predict.OffAir): the masts listed
	// active that the tests show off the air, which every stage then
	// predicts as down.
	OffAir *OffAir `json:"off_air,omitempty"`
	// FittedOn are the SHA-256 of the dataset's sources the fits read
	// (the register's, and the measurements' of the months fitted): a
	// stage using the file warns when one is no longer in the dataset
	// (retracted), as the fits still carry its rows.
	FittedOn []string `json:"fitted_on_sources,omitempty"`
	// FittedOnPeriods are the months (YYYY-MM, sorted) whose measurements
	// the fits read, as calibrate selected them. A source's parts may
	// span more months than were read (a dump crossing a month's end):
	// the months are the ones fitted, not its parts'. Files written
	// before the field have none; Months derives theirs.
	FittedOnPeriods []string `json:"fitted_on_periods,omitempty"`
	// Population identifies the population the fits were made under (the
	// table's cells and the villages placing their people: each point's
	// environment, hence its prediction): a stage under another warns.
	Population string `json:"population,omitempty"`
}

// Months returns the months the fits were made on: FittedOnPeriods, or
// for a file written without them, the months of the parts of the
// measurement sources among FittedOn still in sources (which name a
// month the fits did not read when a source's rows cross a month's end),
// sorted.
func (f *File) Months(sources []dataset.Source) []string {
	if len(f.FittedOnPeriods) > 0 {
		out := slices.Clone(f.FittedOnPeriods)
		slices.Sort(out)
		return slices.Compact(out)
	}
	var out []string
	for _, src := range sources {
		if src.Kind == "measurements" && slices.Contains(f.FittedOn, src.SHA256) {
			for _, p := range src.Parts {
				if p.Period != "" && !slices.Contains(out, p.Period) {
					out = append(out, p.Period)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// OffAir is the off-air check in the file: how many masts were weighed
// and the ones judged off the air, with their evidence.
type OffAir struct {
	MastsWeighed int            `json:"masts_weighed"`
	Masts        []OffAirMast   `json:"masts"`
	Networks     []OffAirSpread `json:"networks"`
	// SharedSiteIDs are the register's site ids whose rows stand at
	// masts farther apart than predict.MastSpreadM (a mistyped or reused
	// id): weighed, and set down, as separate masts.
	SharedSiteIDs []SharedSiteID `json:"shared_site_ids,omitempty"`
}

// SharedSiteID is predict.SharedSiteID in the file.
type SharedSiteID struct {
	Carrier string  `json:"carrier"`
	SiteID  string  `json:"site_id"`
	Masts   int     `json:"masts"`
	ApartM  float64 `json:"apart_m"`
}

// OffAirMast is predict.OffAirMast in the file.
type OffAirMast struct {
	Carrier          string   `json:"carrier"`
	SiteIDs          []string `json:"site_ids"`
	Lon              float64  `json:"lon"`
	Lat              float64  `json:"lat"`
	Observations     int      `json:"observations"`
	Informative      int      `json:"informative"`
	Readings         int      `json:"readings"`
	MedianResidualDB Float    `json:"median_residual_db"`
	LogLR            Float    `json:"log_likelihood_ratio"`
	LevelsLogLR      Float    `json:"levels_log_likelihood_ratio"`
	POff             Float    `json:"p_off_air"`
	// SharedIDs are those of its site_ids that masts elsewhere also carry
	// (predict.OffAirMast.SharedIDs): only their rows at this mast's
	// position are set down.
	SharedIDs []string `json:"shared_site_ids,omitempty"`
}

// OffAirSpread is predict.OffAirNetwork in the file.
type OffAirSpread struct {
	Carrier      string `json:"carrier"`
	Tech         string `json:"tech"`
	Observations int    `json:"observations"`
	// Bounds are the "at most" observations counted with the levels in
	// OffsetDB (predict.OffAirNetwork).
	Bounds   int   `json:"bounds"`
	OffsetDB Float `json:"offset_db"`
	SigmaDB  Float `json:"sigma_db"`
	// MastSpreadDB is the spread of the masts' own offsets (τ) and
	// WithinSigmaDB a mast's tests' spread around its own offset
	// (predict.OffAirNetwork).
	MastSpreadDB  Float `json:"mast_spread_db"`
	WithinSigmaDB Float `json:"within_mast_sigma_db"`
	// BoundsOnly: no test of the network read a level; it was weighed
	// with offset 0 and an assumed spread (predict.OffAirNetwork).
	BoundsOnly bool `json:"bounds_only,omitempty"`
}

// SetOffAir adds the off-air check to the file: the masts judged off the
// air (all of r's masts weighed are counted).
func (f *File) SetOffAir(r *predict.OffAirResult) {
	oa := &OffAir{MastsWeighed: len(r.Masts), Masts: []OffAirMast{}, Networks: make([]OffAirSpread, len(r.Networks))}
	for _, m := range r.Off() {
		oa.Masts = append(oa.Masts, OffAirMast{Carrier: string(m.Carrier), SiteIDs: m.SiteIDs, Lon: m.Lon, Lat: m.Lat,
			Observations: m.Observations, Informative: m.Informative, Readings: m.Readings,
			MedianResidualDB: Float(m.MedianResidualDB), LogLR: Float(m.LogLR), LevelsLogLR: Float(m.LevelsLogLR), POff: Float(m.POff), SharedIDs: m.SharedIDs})
	}
	for _, d := range r.Shared {
		oa.SharedSiteIDs = append(oa.SharedSiteIDs, SharedSiteID{Carrier: string(d.Carrier), SiteID: d.SiteID, Masts: d.Masts, ApartM: math.Round(d.ApartM)})
	}
	for i, n := range r.Networks {
		oa.Networks[i] = OffAirSpread{Carrier: string(n.Carrier), Tech: n.Tech.String(), Observations: n.Observations, Bounds: n.Bounds,
			OffsetDB: Float(n.OffsetDB), SigmaDB: Float(n.SigmaDB), MastSpreadDB: Float(n.MastSpreadDB), WithinSigmaDB: Float(n.WithinSigmaDB),
			BoundsOnly: n.BoundsOnly}
	}
	f.OffAir = oa
}

// OffAirMasts returns the off-air masts with their evidence (none when
// the file has no check). An entry without a known carrier or site ids
// is an error naming it.
func (f *File) OffAirMasts() ([]predict.OffAirMast, error) {
	if f.OffAir == nil {
		return nil, nil
	}
	out := make([]predict.OffAirMast, len(f.OffAir.Masts))
	for i, m := range f.OffAir.Masts {
		carrier, err := engine.ParseCarrier(m.Carrier)
		if err != nil {
			return nil, fmt.Errorf("off_air.masts[%d]: %w", i, err)
		}
		if len(m.SiteIDs) == 0 {
			return nil, fmt.Errorf("off_air.masts[%d]: no site_ids: %w", i, engine.ErrInvalidValue)
		}
		if p := float64(m.POff); !math.IsNaN(p) && !(p >= 0 && p <= 1) {
			return nil, fmt.Errorf("off_air.masts[%d]: p_off_air %g is not a probability: %w", i, p, engine.ErrInvalidValue)
		}
		out[i] = predict.OffAirMast{Carrier: carrier, SiteIDs: m.SiteIDs, Lon: m.Lon, Lat: m.Lat,
			Observations: m.Observations, Informative: m.Informative, Readings: m.Readings,
			MedianResidualDB: float64(m.MedianResidualDB), LogLR: float64(m.LogLR), LevelsLogLR: float64(m.LevelsLogLR), POff: float64(m.POff), OffAir: true, SharedIDs: m.SharedIDs}
	}
	return out, nil
}

// SiteNetwork is predict.SiteNetwork in the file.
type SiteNetwork struct {
	Carrier string `json:"carrier"`
	Tech    string `json:"tech"`
	N       int    `json:"measurements"`
	Sites   int    `json:"sites"`
	MeanDB  Float  `json:"mean_db"`
	SigmaDB Float  `json:"within_site_sigma_db"`
	TauDB   Float  `json:"between_site_tau_db"`
}

// SiteCounts is predict.SiteCounts in the file.
type SiteCounts struct {
	Rows         int `json:"measurements"`
	NoSignal     int `json:"no_signal"`
	Censored     int `json:"censored"`
	ByCellID     int `json:"by_cell_id"`
	ByPCIARFCN   int `json:"by_pci_arfcn"`
	ByNodeID     int `json:"by_node_id"`
	ByBestServer int `json:"by_best_server"`
	IDsUnmatched int `json:"ids_not_in_register"`
	NoPrediction int `json:"no_prediction"`
}

// SiteOffset is predict.SiteOffset in the file.
type SiteOffset struct {
	Carrier        string `json:"carrier"`
	Tech           string `json:"tech"`
	SiteID         string `json:"site_id"`
	N              int    `json:"measurements"`
	ByID           int    `json:"by_id"`
	MeanResidualDB Float  `json:"mean_residual_db"`
	Weight         Float  `json:"shrinkage_weight"`
	OffsetDB       Float  `json:"offset_db"`
	DeviationDB    Float  `json:"deviation_db"`
}

// Calibration is coverage.Calibration in the file.
type Calibration struct {
	Carrier      string `json:"carrier"`
	Tech         string `json:"tech"`
	N            int    `json:"hexes"`
	Censored     int    `json:"censored"`
	BiasDB       Float  `json:"bias_db"`
	RMSEBeforeDB Float  `json:"rmse_before_db"`
	RMSEAfterDB  Float  `json:"rmse_after_db"`
	OffsetDB     Float  `json:"offset_db"`
	SlopeDB      Float  `json:"slope_db_per_decade"`
	RefLog10D    Float  `json:"ref_log10_distance_m"`
	SlopeFitted  bool   `json:"slope_fitted"`
	SigmaDB      Float  `json:"sigma_db"`
	// Evidence names the tests the fit was made on (coverage.Calibration.
	// Evidence): "not_chosen" (instruments, feature phones' 2G) or "all".
	Evidence string `json:"evidence,omitempty"`
	// Applied says whether the stages apply the fit, and NotApplied why
	// not: a fit from fewer hexes than the stages need
	// (coverage.Calibration.Applies) is kept in the file for the record,
	// but leaves its network's predictions as the model gives them. Both
	// are written for the reader; the stages decide again from hexes when
	// they read the file.
	Applied    bool   `json:"applied"`
	NotApplied string `json:"not_applied,omitempty"`
}

// New returns the file of carrier/technology fits made at resolution res,
// each marked applied or not as the stages decide with minPairs
// (pipeline.DefaultMinPairs).
func New(res int, withSlope bool, cals []coverage.Calibration, minPairs int) *File {
	f := &File{Resolution: res, WithSlope: withSlope, Calibrations: make([]Calibration, len(cals))}
	for i, c := range cals {
		f.Calibrations[i] = Calibration{Carrier: string(c.Carrier), Tech: c.Tech.String(), N: c.N, Censored: c.Censored,
			BiasDB: Float(c.BiasDB), RMSEBeforeDB: Float(c.RMSEBeforeDB), RMSEAfterDB: Float(c.RMSEAfterDB),
			OffsetDB: Float(c.Fit.OffsetDB), SlopeDB: Float(c.Fit.SlopeDB), RefLog10D: Float(c.Fit.RefLog10D),
			SlopeFitted: c.Fit.SlopeFitted, SigmaDB: Float(c.Fit.SigmaDB), Evidence: c.Evidence, Applied: c.Applies(minPairs)}
		if !f.Calibrations[i].Applied {
			f.Calibrations[i].NotApplied = NotAppliedReason(c, minPairs)
		}
	}
	return f
}

// NotFitted is coverage.Unfitted in the file: a network without a
// calibration, the reason (coverage.UnfittedNoTests, UnfittedNoSites,
// UnfittedFewTests, UnfittedNoPrediction) and its evidence, in words too.
type NotFitted struct {
	Carrier string `json:"carrier"`
	Tech    string `json:"tech"`
	Reason  string `json:"reason"`
	Why     string `json:"why"`
	Hexes   int    `json:"measured_hexes"`
	Tests   int64  `json:"outdoor_tests"`
}

// SetNotFitted records the networks without a calibration.
func (f *File) SetNotFitted(us []coverage.Unfitted) {
	f.NotFitted = make([]NotFitted, len(us))
	for i, u := range us {
		f.NotFitted[i] = NotFitted{Carrier: string(u.Carrier), Tech: u.Tech.String(), Reason: u.Reason, Why: u.Why(), Hexes: u.Hexes, Tests: u.Tests}
	}
}

// NotFittedSummary says which networks have no calibration, grouped by
// reason, in the file's order: "no test in the months read: mobifone 2G,
// mobifone 3G; tests but no site on the air in the register: viettel 4G
// (976 hexes)"; "" when there are none.
func (f *File) NotFittedSummary() string {
	groups := []struct{ reason, say string }{
		{coverage.UnfittedNoTests, "no test in the months read"},
		{coverage.UnfittedNoSites, "tests but no site on the air in the register"},
		{coverage.UnfittedFewTests, "no hex with enough outdoor tests"},
		{coverage.UnfittedNoPrediction, "no site reaches its hexes with enough tests"},
	}
	var parts []string
	for _, g := range groups {
		var names []string
		for _, n := range f.NotFitted {
			if n.Reason != g.reason {
				continue
			}
			name := n.Carrier + " " + n.Tech
			// Hexes counts the hexes with any test of the network, Tests
			// only its outdoor and in-vehicle ones: "270 tests in 372
			// hexes" read as fewer tests than hexes.
			switch n.Reason {
			case coverage.UnfittedNoSites, coverage.UnfittedNoPrediction:
				name += fmt.Sprintf(" (%s)", plural.Count(n.Hexes, "tested hex", "tested hexes"))
			case coverage.UnfittedFewTests:
				name += fmt.Sprintf(" (%s in %s)", plural.Count(n.Tests, "outdoor test", "outdoor tests"), plural.Count(n.Hexes, "tested hex", "tested hexes"))
			}
			names = append(names, name)
		}
		if len(names) > 0 {
			parts = append(parts, g.say+": "+strings.Join(names, ", "))
		}
	}
	for _, n := range f.NotFitted {
		if !slices.ContainsFunc(groups, func(g struct{ reason, say string }) bool { return g.reason == n.Reason }) {
			// A reason of a later build, said as the file says it.
			parts = append(parts, fmt.Sprintf("%s %s: %s", n.Carrier, n.Tech, n.Why))
		}
	}
	return strings.Join(parts, "; ")
}

// NotAppliedReason says why a fit is not applied: the stages need minPairs
// measured hexes for a network's fit.
func NotAppliedReason(c coverage.Calibration, minPairs int) string {
	if c.N == 0 && c.Censored > 0 {
		return fmt.Sprintf("%s below the no-service level (censored): no level to fit; the model's prediction and σ stay", plural.Noun(c.Censored, "its one measured hex reads", fmt.Sprintf("each of its %d measured hexes reads", c.Censored)))
	}
	return fmt.Sprintf("fitted on %s; a fit is applied from %d: the model's prediction and σ stay", plural.Count(c.N, "measured hex", "measured hexes"), minPairs)
}

// SetSites adds per-site offsets to the file.
func (f *File) SetSites(sc *predict.SiteCalibration) {
	f.SiteNetworks = make([]SiteNetwork, len(sc.Networks))
	for i, n := range sc.Networks {
		f.SiteNetworks[i] = SiteNetwork{Carrier: string(n.Carrier), Tech: n.Tech.String(), N: n.N, Sites: n.Sites,
			MeanDB: Float(n.MeanDB), SigmaDB: Float(n.SigmaDB), TauDB: Float(n.TauDB)}
	}
	c := sc.Counts
	f.Attribution = &SiteCounts{Rows: c.Rows, NoSignal: c.NoSignal, Censored: c.Censored, ByCellID: c.ByCellID, ByPCIARFCN: c.ByPCIARFCN,
		ByNodeID: c.ByNodeID, ByBestServer: c.ByBestServer, IDsUnmatched: c.IDsUnmatched, NoPrediction: c.NoPrediction}
	f.SiteOffsets = make([]SiteOffset, len(sc.Sites))
	for i, o := range sc.Sites {
		f.SiteOffsets[i] = SiteOffset{Carrier: string(o.Carrier), Tech: o.Tech.String(), SiteID: o.SiteID, N: o.N, ByID: o.ByID,
			MeanResidualDB: Float(o.MeanResidualDB), Weight: Float(o.Weight), OffsetDB: Float(o.OffsetDB), DeviationDB: Float(o.DeviationDB)}
	}
}

// Fits returns the carrier/technology calibrations, as coverage applies
// them. An unknown carrier or technology is an error naming the entry.
//
// A carrier and technology fitted twice (which entry applied would depend
// on their order) and an offset, slope or σ beyond maxFitDB are errors
// too: calibrate writes neither, and a hand-edited 1e6 dB offset would
// silently turn every prediction of a network into no signal or full
// signal.
func (f *File) Fits() ([]coverage.Calibration, error) {
	out := make([]coverage.Calibration, len(f.Calibrations))
	seen := map[string]int{}
	for i, c := range f.Calibrations {
		carrier, err := engine.ParseCarrier(c.Carrier)
		if err != nil {
			return nil, fmt.Errorf("calibrations[%d]: %w", i, err)
		}
		tech, err := engine.ParseTech(c.Tech)
		if err != nil {
			return nil, fmt.Errorf("calibrations[%d]: %w", i, err)
		}
		k := string(carrier) + " " + tech.String()
		if j, ok := seen[k]; ok {
			return nil, fmt.Errorf("calibrations[%d]: %s fitted again (calibrations[%d]): %w", i, k, j, engine.ErrInvalidValue)
		}
		seen[k] = i
		for _, v := range []struct {
			name string
			x    Float
		}{{"offset_db", c.OffsetDB}, {"slope_db_per_decade", c.SlopeDB}, {"sigma_db", c.SigmaDB}} {
			if x := float64(v.x); math.Abs(x) > maxFitDB {
				return nil, fmt.Errorf("calibrations[%d] (%s): %s %g beyond ±%g dB: %w", i, k, v.name, x, float64(maxFitDB), engine.ErrInvalidValue)
			}
		}
		if s := float64(c.SigmaDB); s < 0 {
			// Refused here, naming the file, not later by the coverage
			// stage without it (null keeps the model's own σ).
			return nil, fmt.Errorf("calibrations[%d] (%s): sigma_db %g: a standard deviation is not negative (null keeps the model's own): %w", i, k, s, engine.ErrInvalidValue)
		}
		out[i] = coverage.Calibration{Carrier: carrier, Tech: tech, N: c.N, Censored: c.Censored, Evidence: c.Evidence,
			BiasDB: float64(c.BiasDB), RMSEBeforeDB: float64(c.RMSEBeforeDB), RMSEAfterDB: float64(c.RMSEAfterDB),
			Fit: predict.Fit{N: c.N, OffsetDB: float64(c.OffsetDB), SlopeDB: float64(c.SlopeDB), RefLog10D: float64(c.RefLog10D),
				SlopeFitted: c.SlopeFitted, SigmaDB: float64(c.SigmaDB), RMSEBeforeDB: float64(c.RMSEBeforeDB), RMSEAfterDB: float64(c.RMSEAfterDB)}}
	}
	return out, nil
}

// Offsets returns the per-site offsets (none when the file has none). An
// entry without a site id or with a non-finite offset or deviation is an
// error naming it.
func (f *File) Offsets() ([]predict.SiteOffset, error) {
	out := make([]predict.SiteOffset, len(f.SiteOffsets))
	for i, o := range f.SiteOffsets {
		carrier, err := engine.ParseCarrier(o.Carrier)
		if err != nil {
			return nil, fmt.Errorf("site_offsets[%d]: %w", i, err)
		}
		tech, err := engine.ParseTech(o.Tech)
		if err != nil {
			return nil, fmt.Errorf("site_offsets[%d]: %w", i, err)
		}
		if math.IsNaN(float64(o.OffsetDB)) || math.IsNaN(float64(o.DeviationDB)) || o.SiteID == "" {
			return nil, fmt.Errorf("site_offsets[%d] (%q): a site id and finite offset_db and deviation_db are required: %w", i, o.SiteID, engine.ErrInvalidValue)
		}
		out[i] = predict.SiteOffset{Carrier: carrier, Tech: tech, SiteID: o.SiteID, N: o.N, ByID: o.ByID,
			MeanResidualDB: float64(o.MeanResidualDB), Weight: float64(o.Weight), OffsetDB: float64(o.OffsetDB), DeviationDB: float64(o.DeviationDB)}
	}
	return out, nil
}

// maxFitDB bounds a fit's offset, slope (per decade) and σ: a
// calibration moves a model by a few to a few tens of dB.
const maxFitDB = 60

// Applied is what a stage applies from a calibration file.
type Applied struct {
	Calibrations []coverage.Calibration
	SiteOffsets  []predict.SiteOffset
	OffAir       []predict.SiteRef
	// OffAirMasts are the off-air masts with their evidence, for reports.
	OffAirMasts []predict.OffAirMast
	// SHA256 is the hex SHA-256 of the file's bytes as read: which
	// calibration an output was made with (coverage_meta.json records
	// it with the path).
	SHA256 string
}

// ReadCalibrationFile reads the calibration file at path and checks its
// entries; errors name the file and the entry.
func ReadCalibrationFile(path string) (*File, *Applied, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	sum := sha256.Sum256(b)
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // a byte-order mark (Notepad's) is no JSON error
	var keys map[string]json.RawMessage
	if json.Unmarshal(b, &keys) == nil && len(keys) > 0 && keys["resolution"] == nil && keys["calibrations"] == nil {
		// Another JSON file (a dataset's manifest.json): said as such,
		// not as a misspelt key of a calibration file.
		return nil, nil, fmt.Errorf("%s: not a calibration file (no \"resolution\" and \"calibrations\"; lomsong calibrate writes one): %w", path, engine.ErrInvalidValue)
	}
	var f File
	if err := json.Unmarshal(b, &f); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) && syn.Offset <= 1 {
			// Not JSON from its first character (a CSV given for the
			// calibration): "invalid character 's' looking for beginning
			// of value" did not say what the file should have been.
			return nil, nil, fmt.Errorf("%s: not a calibration file (lomsong calibrate writes one, a JSON file; this one does not start as JSON): %w", path, engine.ErrInvalidValue)
		}
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	// A misspelt key of a hand-edited file ("offsett_db") would leave the
	// value it meant unread.
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(new(File)); err != nil {
		return nil, nil, fmt.Errorf("%s: %w (lomsong calibrate writes the file: edit its values, not its keys)", path, err)
	}
	if f.Resolution < 0 || f.Resolution > 15 {
		return nil, nil, fmt.Errorf("%s: resolution %d: an H3 resolution is 0..15: %w", path, f.Resolution, engine.ErrInvalidValue)
	}
	for i, p := range f.FittedOnPeriods {
		if t, err := time.Parse("2006-01", p); err != nil || t.Format("2006-01") != p {
			return nil, nil, fmt.Errorf("%s: fitted_on_periods[%d] %q: a month is YYYY-MM: %w", path, i, p, engine.ErrInvalidValue)
		}
	}
	var a Applied
	if a.Calibrations, err = f.Fits(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if a.SiteOffsets, err = f.Offsets(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if a.OffAirMasts, err = f.OffAirMasts(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := checkKeys(b); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	// The rows to set down, as calibrate itself derives them.
	a.OffAir = (&predict.OffAirResult{Masts: a.OffAirMasts}).Refs()
	a.SHA256 = hex.EncodeToString(sum[:])
	return &f, &a, nil
}

// checkKeys refuses a file without the keys calibrate always writes and
// the stages read: a key left out of a hand-edited file would read as 0
// (a σ of 0 dB makes every prediction of the network certain), where
// null is the documented "not fitted" (the model's own value).
func checkKeys(b []byte) error {
	var raw struct {
		Calibrations *[]map[string]json.RawMessage `json:"calibrations"`
		Resolution   json.RawMessage               `json:"resolution"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	switch {
	case raw.Calibrations == nil:
		return fmt.Errorf("no \"calibrations\" list (lomsong calibrate writes one, empty when nothing was fitted): %w", engine.ErrInvalidValue)
	case raw.Resolution == nil:
		return fmt.Errorf("no \"resolution\": %w", engine.ErrInvalidValue)
	}
	for i, c := range *raw.Calibrations {
		for _, k := range []string{"carrier", "tech", "hexes", "offset_db", "slope_db_per_decade", "ref_log10_distance_m", "sigma_db"} {
			if _, ok := c[k]; !ok {
				return fmt.Errorf("calibrations[%d] has no %q (null keeps the model's own value): %w", i, k, engine.ErrInvalidValue)
			}
		}
	}
	return nil
}

// IsCalibration reports whether b is a JSON object with the keys
// calibrate always writes ("resolution" and "calibrations"): a file a
// calibration may replace. Anything else at the path is another file
// (a dataset's manifest, an input table) that must not be.
func IsCalibration(b []byte) bool {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")), &raw); err != nil {
		return false
	}
	_, res := raw["resolution"]
	_, cals := raw["calibrations"]
	return res && cals
}

// WriteCalibrationFile writes f to path atomically (a temporary file
// beside it, fsynced and renamed into place): one line of JSON.
func WriteCalibrationFile(path string, f *File) error {
	af, err := dataset.CreateAtomic(path)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(af).Encode(f); err != nil {
		af.Abort()
		return fmt.Errorf("%s: %w", path, err)
	}
	return af.Commit()
}

// Float writes NaN and infinities as null and reads null as NaN.
type Float float64

// MarshalJSON implements json.Marshaler.
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(v)
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *Float) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = Float(math.NaN())
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = Float(v)
	return nil
}
