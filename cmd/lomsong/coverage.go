package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/calfile"
	"github.com/lomsong/lomsong/engine/coverage"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/export"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/pipeline"
	"github.com/lomsong/lomsong/engine/predict"
	"github.com/lomsong/lomsong/geodata"
	"github.com/lomsong/lomsong/internal/plural"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// coverageFlags are shared by coverage, calibrate and the later stages.
type coverageFlags struct {
	dataset     string
	res         int
	province    string
	population  string
	calibration string
	bounds      boundaryFlags
	// period is the month of measurements to use; latestPeriod (set by
	// registerPeriod) makes prepare select it, by default the latest month
	// with measurements.
	period       periodFlag
	latestPeriod bool
	// popSource says where households per hex came from (set by prepare).
	popSource string
	// provinceCode is the code of the --province unit (set by prepare,
	// which looks it up; empty without --province).
	provinceCode string
	// sitesOptional lets a dataset without sites through (the scorecard's
	// targets 2–5 need none).
	sitesOptional bool
	// offAir are the calibration file's off-air masts with their evidence
	// (set by prepare), for the report.
	offAir []predict.OffAirMast
	// store and periods are the dataset prepare opened and the months of
	// measurements it analyses, for the outputs' provenance (outputMeta).
	store   *dataset.Store
	periods []string
	// mustSave makes a stage the dataset cannot save an error (lomsong
	// run, whose purpose is the saved month); the other commands warn and
	// go on with the output computed (dataset.Store.OnUnsaved).
	mustSave bool
	// cal is the calibration the stage predicts with, or none and why
	// (set by prepare), for the outputs' metadata.
	cal calibrationUse
	// boundsForProvinceOnly marks a command that reads the boundary set
	// only to find --province (coverage, calibrate): a boundary file
	// holding no village of the dataset is then said, not refused.
	boundsForProvinceOnly bool
}

// calibrationUse is the calibration a stage predicts with: its file's
// path, SHA-256 and the months it was fitted on, or none (Path empty)
// and why.
type calibrationUse struct {
	Path, SHA256 string
	Months       []string
	// Uncalibrated says why there is none: "--calibration none", or no
	// DATASET/calibration.json.
	Uncalibrated string
}

// metadata adds the calibration to an output's metadata:
// lomsong.calibration (the file's path, or "none"), and for a file its
// lomsong.calibration_sha256 and lomsong.calibration_fitted_on (months,
// comma-separated; "none recorded" for a file that names none), for none
// lomsong.calibration_uncalibrated (why).
func (u calibrationUse) metadata(m map[string]string) {
	if u.Path == "" {
		m["lomsong.calibration"] = "none"
		m["lomsong.calibration_uncalibrated"] = u.Uncalibrated
		return
	}
	m["lomsong.calibration"] = u.Path
	m["lomsong.calibration_sha256"] = u.SHA256
	m["lomsong.calibration_fitted_on"] = "none recorded"
	if len(u.Months) > 0 {
		m["lomsong.calibration_fitted_on"] = strings.Join(u.Months, ", ")
	}
}

// provenance returns what an output's metadata records of where it came
// from (addProvenance: the build and the dataset's manifest; the
// calibration, calibrationUse.metadata) for an output written after
// prepare.
func (c *coverageFlags) provenance(e *env) (map[string]string, error) {
	prov := map[string]string{}
	if err := addProvenance(e.stderr, prov, c.store, c.periods); err != nil {
		return nil, err
	}
	c.cal.metadata(prov)
	return prov, nil
}

// withPeriods adds to prov the months of measurements analysed:
// lomsong.periods, comma-separated, "none" for prediction only.
func withPeriods(prov map[string]string, periods []string) {
	prov["lomsong.periods"] = "none"
	if len(periods) > 0 {
		prov["lomsong.periods"] = strings.Join(periods, ", ")
	}
}

// errNothingToCalibrate refuses calibrate on a dataset without
// measurements.
var errNothingToCalibrate = fmt.Errorf("calibrate: the dataset has no measurements to calibrate against (ingest a measurement file first): measurements %w", pipeline.ErrMissingData)

// boundsHoldVillages refuses (exit 3) a --boundaries file none of whose
// areas holds a village of the dataset: another place's outlines (another
// province's, a file of the wrong country). Every village would lie
// outside every province, unattributed, and those far from any site left
// unanalysed: a run, a scorecard or a report without a province, not an
// answer. A command that reads the boundaries only for --province
// (boundsForProvinceOnly) goes on, saying so. The embedded sets and a
// dataset without villages are not checked here.
func (c *coverageFlags) boundsHoldVillages(e *env, set *geodata.BoundarySet, villages []engine.Village) error {
	if !c.bounds.isFile() || len(villages) == 0 {
		return nil
	}
	for _, v := range villages {
		if _, ok := set.Locate(orb.Point{v.Lon, v.Lat}); ok {
			return nil
		}
	}
	v := villages[0]
	what := fmt.Sprintf("--boundaries %s: no village of the dataset falls inside its %s (none of the %s of %s, e.g. %s at %.5f, %.5f)",
		c.bounds.boundaries, plural.Count(set.Len(), "area", "areas"), plural.Count(len(villages), "village", "villages"), c.dataset, v.ID, v.Lon, v.Lat)
	if c.boundsForProvinceOnly {
		use := "the result is the same without them"
		if c.province != "" {
			use = "the area analysed is --province's, with no village in it"
		}
		fmt.Fprintf(e.stderr, "warning: %s; this command reads the boundaries only to find --province: %s\n", what, use)
		return nil
	}
	return refusedError{fmt.Errorf("%s: are they another place's? Every village would lie outside every area, unattributed; give the boundaries of the dataset's area (the default is the 34 provinces of 2025)", what)}
}

// registerPeriod adds --period for the commands that analyse one month of
// measurements; without it prepare takes the latest month with measurements.
func (c *coverageFlags) registerPeriod(fs *flag.FlagSet) {
	c.latestPeriod = true
	fs.Var(&c.period, "period", "use only the measurements of this `month` (YYYY-MM; default: the latest month with measurements)")
}

// register adds the analysis flags, the boundary-set flags included.
func (c *coverageFlags) register(fs *flag.FlagSet) {
	c.bounds.register(fs)
	fs.StringVar(&c.dataset, "dataset", "", "dataset `directory` (sites and measurements)")
	fs.IntVar(&c.res, "res", defaultRes, "H3 analysis `resolution`")
	fs.StringVar(&c.province, "province", "", "limit the analysis to this province (code or name, e.g. \"lai chau\" or 12)")
	fs.StringVar(&c.population, "population", "", "population table `file` from lomsong population (population.csv): households per hex, the population density that sets the propagation environment (rural to dense urban, blended between classes near their density cut-offs), and the analysis area without --province (default: from the dataset's villages table)")
	fs.StringVar(&c.calibration, "calibration", "", "calibration `file` from lomsong calibrate (default: DATASET/calibration.json when it exists; \"none\" to predict uncalibrated)")
}

// prepare opens the dataset and the boundary set and builds the coverage
// options: analysis cells from the province (or the populated hexes),
// households and environment classes from the population table (or the
// villages), calibrations. It returns the store, the options, a
// description of the area and the boundary set.
func (c *coverageFlags) prepare(e *env, calibrate bool) (*dataset.Store, pipeline.CoverageOptions, string, *geodata.BoundarySet, error) {
	set, err := c.bounds.load()
	if err != nil {
		return nil, pipeline.CoverageOptions{}, "", nil, err
	}
	store, opt, area, err := c.prepareCoverage(e, calibrate, set)
	if err != nil {
		return nil, opt, "", nil, err
	}
	return store, opt, area, set, nil
}

// prepareCoverage is prepare with the boundary set loaded: the flags make
// a pipeline.AnalysisRequest, pipeline.AnalysisOptions (the one rule the
// service's releases follow too) decides the options, and its notices and
// refusals are said here in the command's words.
func (c *coverageFlags) prepareCoverage(e *env, calibrate bool, set *geodata.BoundarySet) (*dataset.Store, pipeline.CoverageOptions, string, error) {
	var opt pipeline.CoverageOptions
	if c.dataset == "" {
		return nil, opt, "", usageError{"--dataset DIR is required"}
	}
	var unit geodata.Unit
	if c.province != "" {
		var err error
		if unit, err = lookupAreaProvince(set, c.province); err != nil {
			return nil, opt, "", err
		}
		c.provinceCode = unit.Code
	}
	store, err := openForAnalysis(e, c.dataset)
	if err != nil {
		return nil, opt, "", err
	}
	if !c.mustSave {
		var mu sync.Mutex
		store.OnUnsaved(func(ref dataset.StageRef, err error) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(e.stderr, "warning: stage %s computed for this command and not saved: %v (a reader without write access to %s; lomsong run by its owner saves the month for every command)\n",
				ref, err, c.dataset)
		})
	}
	// A saved output found damaged is computed again (or the command
	// refuses, as for one never saved): named here, not passed over.
	var dmu sync.Mutex
	store.OnDamagedStage(func(ref dataset.StageRef, err error) {
		dmu.Lock()
		defer dmu.Unlock()
		fmt.Fprintf(e.stderr, "warning: saved output of stage %s is damaged and not used: %v (lomsong dataset verify %s checks every saved output and part)\n",
			ref, err, shellQuote(c.dataset))
	})
	noSites := len(store.Parts("sites", nil, nil)) == 0
	if noSites && !c.sitesOptional {
		// No data to answer with: refused (exit 3), as a month without
		// measurements is.
		return nil, opt, "", refusedError{fmt.Errorf("%s: no sites in the dataset: ingest a site register first (lomsong ingest --dataset %s sites.csv)", c.dataset, shellQuote(c.dataset))}
	}
	// The resolution is checked first (a usage error), the boundaries
	// and the population table next, in the order their flags are read.
	if _, err := pipeline.DefaultCoverageOptions(c.res); err != nil {
		return nil, opt, "", usageError{"--res: " + err.Error()}
	}
	// The villages: households per hex without a population table, where
	// each populated hex's people live, and a province's border hexes.
	villages, err := store.Villages()
	if err != nil {
		return nil, opt, "", err
	}
	if err := c.boundsHoldVillages(e, set, villages); err != nil {
		return nil, opt, "", err
	}
	// Every command gives the same set to the pass over the measurements,
	// which counts each speed test for the area of --boundaries its point
	// lies in (the scorecard's areas), and reads the same saved pass.
	req := pipeline.AnalysisRequest{Res: c.res, Boundaries: set, Villages: villages, Calibration: c.calibration,
		LatestPeriod: c.latestPeriod, Fitting: calibrate}
	if c.population != "" {
		f, err := os.Open(c.population)
		if err != nil {
			return nil, opt, "", err
		}
		req.Population, err = pipeline.ReadPopulationCSV(f)
		f.Close()
		if err != nil {
			return nil, opt, "", fmt.Errorf("%s: %w", c.population, err)
		}
		req.PopulationTable = true
		c.popSource = "the population table " + c.population
	}
	if c.province != "" {
		req.Province = &unit
	}
	if c.latestPeriod && c.period.set {
		req.Period = c.period.p.String()
	}
	an, err := pipeline.AnalysisOptions(store, req)
	opt = an.Options
	c.sayAnalysis(e, an)
	var nd *pipeline.NoPeriodDataError
	var foreign *pipeline.ForeignCalibrationError
	var ae *pipeline.UnitAreaError
	switch {
	case err == nil:
	case errors.Is(err, pipeline.ErrNoMeasurements):
		return nil, opt, "", errNothingToCalibrate
	case errors.As(err, &nd):
		return nil, opt, "", refusedError{fmt.Errorf("no measurements in period %s in %s (months with measurements: %s)", nd.Period, c.dataset, monthList(nd.Have))}
	case errors.As(err, &foreign):
		// Another dataset's fits (and its masts off the air) would be
		// applied to this one's register.
		// The engine's words (the store is c.dataset as given), and what
		// to do.
		return nil, opt, "", refusedError{fmt.Errorf("%w? run lomsong calibrate --dataset %s, or give --calibration none", foreign, shellQuote(c.dataset))}
	case errors.As(err, &ae) && errors.Is(ae.Err, engine.ErrInvalidConfig):
		// Too fine a resolution for the unit's outline.
		return nil, opt, "", usageError{fmt.Sprintf("--res %d with --province %q: %v", c.res, c.province, ae.Err)}
	case errors.As(err, &ae):
		return nil, opt, "", ae.Err
	default:
		return nil, opt, "", err
	}
	area := "the measured and populated hexes"
	switch {
	case opt.Area != nil:
		area = fmt.Sprintf("%s, %d hexes", opt.Area, len(opt.Cells))
	case len(opt.Population) > 0:
		area = fmt.Sprintf("%d populated hexes", len(opt.Cells))
	}
	c.store, c.periods = store, opt.Aggregate.Periods
	return store, opt, area, nil
}

// outputMeta is outputMeta of the dataset prepare opened.
func (c *coverageFlags) outputMeta(e *env) (export.Meta, error) {
	return outputMeta(e.stderr, c.store, c.periods)
}

// sayAnalysis says on stderr what pipeline.AnalysisOptions found to say of
// the options (its notices, in order), and keeps the calibration applied
// (or none and why) and its masts off the air for the outputs.
func (c *coverageFlags) sayAnalysis(e *env, an *pipeline.Analysis) {
	cal := an.Calibration
	switch cal.Why {
	case pipeline.UncalibratedAsked:
		c.cal = calibrationUse{Uncalibrated: "--calibration none"}
	case pipeline.UncalibratedNoFile:
		c.cal = calibrationUse{Uncalibrated: "no calibration.json in the dataset"}
	default:
		if cal.Path != "" {
			c.cal = calibrationUse{Path: cal.Path, SHA256: cal.SHA256, Months: cal.Months}
			c.offAir = an.OffAirMasts
		}
	}
	opt := an.Options
	w, ds := e.stderr, shellQuote(c.dataset)
	for _, n := range an.Notices {
		switch n.Kind {
		case pipeline.NoticeVillagePopulation:
			c.popSource = "the villages table"
			fmt.Fprintf(w, "no --population: households and environment classes from the dataset's %d villages\n", n.Count)
		case pipeline.NoticeNoPopulation:
			fmt.Fprintf(w, "warning: no population table and no villages in the dataset: every point is predicted as open country (rural); give --population or ingest a villages table\n")
		case pipeline.NoticeNoMeasurements:
			fmt.Fprintln(w, "period: none (the dataset has no measurements; prediction only)")
			fmt.Fprintln(w, "warning: no measurements: every verdict rests on the uncalibrated prediction alone; its p_dead and confirmed_/likely_ classes are the model's, not evidence (a site registered but down is served in it): ingest tests, or a calibration of another month (--calibration)")
		case pipeline.NoticeLatestPeriod:
			fmt.Fprintf(w, "period: %s (latest with measurements)\n", n.Periods[0])
		case pipeline.NoticeUncalibrated:
			fmt.Fprintf(w, "predicting uncalibrated (%s): the propagation models' predictions and σ as they are, no mast checked for being off the air; lomsong calibrate --dataset %s fits them to the tests\n",
				c.cal.Uncalibrated, ds)
		case pipeline.NoticeCalibrationSourcesGone:
			fmt.Fprintf(w, "warning: %s was fitted on %s not in the dataset now (retracted since, or never in it: sha256 %s): its fits still carry their rows; run lomsong calibrate --dataset %s again\n",
				n.Path, plural.Count(len(n.Items), "source", "sources"), strings.Join(n.Items, ", "), ds)
		case pipeline.NoticeCalibrationUsed:
			fitted := ""
			if len(n.Months) > 0 {
				fitted = "; fitted on " + strings.Join(n.Months, ", ")
			}
			notFitted := ""
			if n.NotFitted != "" {
				notFitted = "; not fitted, " + n.NotFitted
			}
			fmt.Fprintf(w, "using calibration %s (%s%s; %d per-site offsets, %d sector rows of masts off the air%s)\n",
				n.Path, calibrationInForce(opt.Calibrations, opt.MinPairs, n.Carriers), notFitted, len(opt.SiteOffsets), len(opt.OffAir), fitted)
		case pipeline.NoticeCalibrationOtherMonth:
			fmt.Fprintf(w, "note: %s was fitted on %s, not on %s analysed here; lomsong calibrate --dataset %s --period %s fits this month\n",
				n.Path, strings.Join(n.Months, ", "), strings.Join(n.Periods, ", "), ds, n.Periods[0])
		case pipeline.NoticeCalibrationUnregistered:
			fmt.Fprintf(w, "warning: %s has fits for carriers with no site in the register: %s (a misspelt carrier? the one meant runs uncalibrated)\n",
				n.Path, strings.Join(n.Items, ", "))
		case pipeline.NoticeCalibrationSourcesAdded:
			fmt.Fprintf(w, "warning: %s was made before these files came into the dataset: %s; their rows are in no fit nor off-air check; run lomsong calibrate --dataset %s again\n",
				n.Path, strings.Join(n.Items, ", "), ds)
		case pipeline.NoticeCalibrationEarlierBuild:
			what := "it does not record the files it was fitted on"
			if n.NoOffAir {
				what = "it records neither the files it was fitted on nor an off-air check (no mast is predicted as down)"
			}
			fmt.Fprintf(w, "warning: %s was written by an earlier lomsong: %s; its fits are applied, and whether files came into the dataset since cannot be told; run lomsong calibrate --dataset %s again for this build's fits\n",
				n.Path, what, ds)
		case pipeline.NoticeCalibrationOtherPopulation:
			fmt.Fprintf(w, "warning: %s was fitted under another population (another --population table, or another villages table): every point's environment, hence its prediction, differs; run lomsong calibrate --dataset %s with this run's --population\n",
				n.Path, ds)
		case pipeline.NoticeCalibrationOtherResolution:
			fmt.Fprintf(w, "warning: %s was fitted at resolution %d and this run is at %d; run lomsong calibrate --res %d for fits of this resolution\n",
				n.Path, n.FileRes, n.Res, n.Res)
		default:
			fmt.Fprintf(w, "note: %s\n", n.Kind)
		}
	}
}

// monthList lists the months a dataset has measurements in, for an error
// refusing another month: "none" when it has none.
func monthList(have []string) string {
	if len(have) == 0 {
		return "none"
	}
	return strings.Join(have, ", ")
}

// lookupProvince finds --province in the boundary set; a name that is not
// found is a usage error with the nearest names, or with the province a
// former one merged into.
func lookupProvince(set *geodata.BoundarySet, q string) (geodata.Unit, error) {
	return lookupUnit(set, q, "--province")
}

// lookupAreaProvince is lookupProvince for the commands that analyse an
// area and take --boundaries: a name the embedded province sets do not
// hold, nor anything near it, may be a commune's ("Sìn Hồ", 03478), which
// those commands analyse with a commune set as --boundaries; the error
// says so.
func lookupAreaProvince(set *geodata.BoundarySet, q string) (geodata.Unit, error) {
	u, err := lookupProvince(set, q)
	var nf *geodata.NotFoundError
	if _, lerr := set.Lookup(q); err != nil && errors.As(lerr, &nf) && nf.Former == nil && len(nf.Nearest) == 0 && set.Coarse != "" {
		return u, usageError{err.Error() + "; a commune is analysed with a set of communes as --boundaries, e.g. --boundaries ../shared/data/vn_communes_2025.geojson"}
	}
	return u, err
}

// lookupUnit finds the unit q names in set; one it names none of, or
// several, is a usage error (exit 2) naming flag (when not empty) and q,
// with the nearest names, the unit a former province merged into, or,
// for a name given with a kind its unit has not ("Thành phố Lai Châu"),
// what that unit is and how to name it.
func lookupUnit(set *geodata.BoundarySet, q, flag string) (geodata.Unit, error) {
	u, err := set.Lookup(q)
	var nf *geodata.NotFoundError
	var amb *geodata.AmbiguousError
	what, use := fmt.Sprintf("%q", q), "use %q"
	if flag != "" {
		what, use = flag+" "+what, "use "+flag+" %q"
	}
	switch {
	case err == nil:
		return u, nil
	case errors.As(err, &nf) && nf.OtherKind != nil:
		// "Thành phố Lai Châu": the city, not the province of its name.
		o := nf.OtherKind
		verb, became, forWhat, name := "is", "", o.Name+" itself", o.Name
		if !strings.HasPrefix(o.Is, "a ") {
			forWhat = o.Is + " itself"
		}
		if o.Former != nil {
			verb, became, forWhat, name = "was", ", and "+o.Former.Became(), o.Former.Into.Name, o.Former.Into.Name
		}
		return u, usageError{fmt.Sprintf("%s: no such unit in %s: %s (%s) %s %s, not a %s%s; for %s "+use,
			what, setName(set), o.Name, o.Code, verb, o.Is, o.Kind, became, forWhat, name)}
	case errors.As(err, &nf) && nf.Former != nil:
		f := nf.Former
		return u, usageError{fmt.Sprintf("%s: %s %s; "+use, what, f.Name, f.Became(), f.Into.Name)}
	case errors.As(err, &nf) && len(nf.Nearest) > 0:
		names := make([]string, len(nf.Nearest))
		for i, n := range nf.Nearest {
			names[i] = fmt.Sprintf("%q (%s)", n.Name, n.Code)
		}
		return u, usageError{fmt.Sprintf("%s: no such unit in %s; did you mean %s?", what, setName(set), strings.Join(names, " or "))}
	case errors.As(err, &nf):
		return u, usageError{fmt.Sprintf("%s: no such unit in %s (lomsong areas lists them)", what, setName(set))}
	case errors.As(err, &amb):
		return u, usageError{fmt.Sprintf("%s: %v; give the code", what, err)}
	}
	return u, err
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// polygon makes a GeoJSON polygon of one ring.
func polygon(r orb.Ring) orb.Polygon { return orb.Polygon{r} }

// coverageSynopsis names the default thresholds from engine.DefaultThresholds,
// their one owner, and the cell rules at the default resolution from
// cellRule and villageCellRule, theirs.
var coverageSynopsis = coverageHelp(engine.DefaultThresholds(), defaultRes)

// defaultRes is the H3 analysis resolution of the commands that decide
// coverage (--res).
const defaultRes = 8

func coverageHelp(th engine.Thresholds, res int) string {
	return fmt.Sprintf(`coverage --dataset DIR --out DIR [flags]

Decides coverage per H3 hex, carrier and technology from measured and predicted
evidence. A test or a prediction reaches the threshold at RSRP ≥ %g dBm (4G, 5G),
RSCP ≥ %g dBm (3G) or RSSI ≥ %g dBm (2G); below %g, %g and %g dBm it is
without service. A hex × carrier × tech with at least 5 valid outdoor/in-vehicle
tests is decided by its measurements: uncovered when the share of tests below
threshold is significantly above 10%% (one-sided exact binomial test at 95%%,
i.e. it fails 90%% cell-edge reliability), weak when the share is above 10%%
without significance, covered otherwise. Elsewhere the best
server's predicted signal (path-loss model, 3GPP sector antenna, link budget;
calibrated by lomsong calibrate when available) minus 1.28σ is compared with the
threshold; where no site of the carrier reaches the hex either, it is uncovered
by rule (source rule). Writes OUT/coverage.{parquet,csv} (one row per hex, carrier
and tech with its evidence: source measured, predicted or rule), OUT/coverage_best.{csv,geojson} (per hex: the best 3G/4G/5G
state of any carrier, for QGIS: this stage's decision from the hex's tests or
its prediction; lomsong export's coverage_best layer and the report's map
show a dead zone's hexes uncovered whatever this stage decided, the dead-zone
verdict from every test near them winning, so they count more hexes
uncovered than this file), and OUT/coverage_meta.json (thresholds, σ,
resolution; the propagation model per technology, band and environment; the
defaults given to sites the register leaves without band, EIRP, height, tilt or
beamwidth, with how many sites took each). The Parquet metadata,
coverage_meta.json's metadata and the GeoJSON files' "metadata" member record
the calibration used (its path, SHA-256 and the months it was fitted on), or
"none" and why, with the dataset manifest's SHA-256. Without a calibration (--calibration none, or no
DATASET/calibration.json) stderr says "predicting uncalibrated".

Which hexagon a row counts in, at the default --res %d (at another R, read R
for %d and R+1 for %d): a test, as lomsong aggregate places it (recorded in the
metadata as lomsong.cell_rule, at the R used):
  %s;
a village:
  %s.`, th.Covered(engine.Tech4G), th.Covered(engine.Tech3G), th.Covered(engine.Tech2G),
		th.NoService(engine.Tech4G), th.NoService(engine.Tech3G), th.NoService(engine.Tech2G),
		res, res, res+1, cellRule(res), villageCellRule(res))
}

const coverageExample = `  lomsong coverage --dataset lomsong-demo/dataset --province "lai chau" --out lomsong-demo/coverage
  lomsong coverage --dataset ./ds --population ./pop/population.csv --res 8 --out ./cov`

func runCoverage(ctx context.Context, args []string, e *env) error {
	fs := newFlags("coverage", coverageSynopsis, coverageExample, e)
	cf := coverageFlags{boundsForProvinceOnly: true}
	cf.register(fs)
	cf.registerPeriod(fs)
	out := fs.String("out", "", "output `directory`")
	layers := fs.String("geojson-layers", "", "also write one GeoJSON of hex states per `carrier:tech` (comma-separated, e.g. viettel:4G,mobifone:4G; \"all\" for every pair)")
	if err := parseFlagsNoArgs(fs, args, e); err != nil {
		return err
	}
	if *out == "" {
		fs.Usage()
		return usageError{"coverage: --out DIR is required"}
	}
	if err := inputFilesReadable(fs); err != nil {
		return err
	}
	if err := outDirUsable("coverage", *out, "coverage.csv, coverage_best.geojson and the other coverage files"); err != nil {
		return err
	}
	if err := outOutsideDataset("coverage", *out, cf.dataset); err != nil {
		return err
	}
	named, err := layerList(*layers, nil)
	if err != nil {
		return err
	}
	// The files written whatever the month holds; "all" names its layers
	// only once the states are known (writeSet checks those).
	covOutputs := []string{"coverage.parquet", "coverage.csv", "coverage_best.csv", "coverage_best.geojson", "coverage_meta.json"}
	for _, l := range named {
		covOutputs = append(covOutputs, fmt.Sprintf("coverage_%s_%s.geojson", l[0], l[1]))
	}
	if err := outputsFree(*out, "coverage", covOutputs, cf.population, cf.calibration, cf.bounds.boundaries); err != nil {
		return err
	}
	if err := setUnlocked(*out, "coverage"); err != nil {
		return err
	}
	store, opt, area, _, err := cf.prepare(e, false)
	if err != nil {
		return err
	}
	prog := startProgress(e, "coverage: measurements")
	opt.Aggregate.Progress = prog.set
	res, err := pipeline.CoverageStates(ctx, store, opt)
	elapsed := prog.end()
	if err != nil {
		return err
	}
	prov, err := cf.provenance(e)
	if err != nil {
		return err
	}
	if err := checkLayers(e, *layers, res.States); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "coverage: %s (hex, carrier, technology) decided in %.1fs; writing the tables to %s\n", plural.Count(len(res.States), "state", "states"), elapsed.Seconds(), *out)
	restore := writePhase() // the tables below: a million rows for the country
	err = writeSet(ctx, *out, "coverage", func(stage string) error { return writeCoverage(stage, res, opt.Predict, *layers, prov) },
		cf.population, cf.calibration, cf.bounds.boundaries)
	restore()
	if err != nil {
		return err
	}
	printCoverageSummary(e, res, area, opt.Cells, opt.Area != nil, elapsed.Seconds())
	warnTestedWithoutSite(e, res)
	fmt.Fprintf(e.stdout, "wrote %s\n", filepath.Join(*out, "coverage.{parquet,csv}, coverage_best.{csv,geojson}, coverage_meta.json"))
	return nil
}

// warnTestedWithoutSite names, per carrier, the hexes with tests (too few
// to decide) that no site of the register reaches: coverage's rule calls
// them uncovered (source rule), whatever their few tests
// read — most often because the carrier's sites are not in the register.
func warnTestedWithoutSite(e *env, res *pipeline.CoverageResult) {
	// Distinct hexes per carrier: a hex counts once whatever its
	// technologies (the states are per hex, carrier and technology).
	cells := map[engine.Carrier]map[hexgrid.Cell]bool{}
	var carriers []engine.Carrier
	tested := map[engine.Carrier]bool{}
	for _, st := range res.States {
		if st.Tests > 0 {
			tested[st.Carrier] = true
		}
		if st.Source == coverage.Rule && st.Tests > 0 {
			if cells[st.Carrier] == nil {
				cells[st.Carrier] = map[hexgrid.Cell]bool{}
				carriers = append(carriers, st.Carrier)
			}
			cells[st.Carrier][st.Cell] = true
		}
	}
	for _, c := range unmeasuredCarriers(res.Sites, tested) {
		fmt.Fprintf(e.stderr, "warning: %s: sites in the register but no tests in the month: its coverage is predicted only (uncalibrated unless calibrate fitted it on another month)\n", c)
	}
	slices.Sort(carriers)
	for _, c := range carriers {
		why := "no site of it in the register reaches them"
		if !slices.ContainsFunc(res.Sites, func(s engine.Site) bool { return s.Carrier == c }) {
			why = "it has no site in the register: ingest its sites"
		}
		fmt.Fprintf(e.stderr, "warning: %s: %s with tests, too few to decide, and no prediction %s uncovered by rule, whatever the tests read (%s)\n",
			c, plural.Count(len(cells[c]), "hex", "hexes"), isAre(len(cells[c])), why)
	}
}

// unmeasuredCarriers returns, sorted, the carriers with an active site in
// the register and no test (tested) in the month.
func unmeasuredCarriers(sites []engine.Site, tested map[engine.Carrier]bool) []engine.Carrier {
	var out []engine.Carrier
	for _, s := range sites {
		if s.Status == engine.StatusActive && !tested[s.Carrier] && !slices.Contains(out, s.Carrier) {
			out = append(out, s.Carrier)
		}
	}
	slices.Sort(out)
	return out
}

// writeCoverage writes the coverage outputs into out (a staging folder of
// writeSet): the tables with the rules and prov (provenance, calibration)
// as their metadata, the GeoJSON files with it as a "metadata" member,
// and coverage_meta.json with it, the propagation models and the site
// defaults the predictions of res.Sites were made with (pcfg).
func writeCoverage(out string, res *pipeline.CoverageResult, pcfg predict.Config, layers string, prov map[string]string) error {
	meta := res.Config.Metadata()
	meta["lomsong.table"] = "coverage"
	maps.Copy(meta, prov)
	cols, err := pipeline.CoverageTable(res.States)
	if err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(out, "coverage.parquet"), func(f *dataset.AtomicFile) error { return arrowio.WriteTable(f, cols, meta) }); err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(out, "coverage.csv"), func(f *dataset.AtomicFile) error { return writeCols(f, cols) }); err != nil {
		return err
	}
	best := coverage.BestByHex(res.States)
	bcols, err := pipeline.BestTable(best)
	if err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(out, "coverage_best.csv"), func(f *dataset.AtomicFile) error { return writeCols(f, bcols) }); err != nil {
		return err
	}
	fc, err := bestGeoJSON(best, bcols)
	if err != nil {
		return err
	}
	fc.ExtraMembers = geojson.Properties{"metadata": meta}
	if err := writeJSONFile(filepath.Join(out, "coverage_best.geojson"), fc); err != nil {
		return err
	}
	if layers != "" {
		list, err := layerList(layers, res.States)
		if err != nil {
			return err
		}
		for _, l := range list {
			carrier, tech := l[0], l[1]
			fc, err := coverage.FeatureCollection(res.States, func(s coverage.State) bool {
				return string(s.Carrier) == carrier && s.Tech.String() == tech
			})
			if err != nil {
				return err
			}
			fc.ExtraMembers = geojson.Properties{"metadata": meta}
			if err := writeJSONFile(filepath.Join(out, fmt.Sprintf("coverage_%s_%s.geojson", carrier, tech)), fc); err != nil {
				return err
			}
		}
	}
	m := map[string]any{"metadata": meta, "rows_read": res.RowsRead, "states": len(res.States), "hexes": len(best),
		"sites": len(res.Sites), "sites_down": siteIDs(res), "sites_rejected": res.Rejected,
		"sites_height_clamped": res.HeightClamped,
		"models":               modelsMeta(pcfg.ModelsInUse(res.Sites)), "site_defaults": siteDefaultsMeta(pcfg.SiteDefaults(res.Sites))}
	return writeJSONFile(filepath.Join(out, "coverage_meta.json"), m)
}

// modelUse is a predict.ModelUse in coverage_meta.json: the propagation
// model per environment class of a technology and band, and its sites.
type modelUse struct {
	Tech    string            `json:"tech"`
	BandMHz float64           `json:"band_mhz"`
	Sites   int               `json:"sites"`
	Models  map[string]string `json:"models"` // by environment: rural, suburban, urban, dense-urban
}

func modelsMeta(us []predict.ModelUse) []modelUse {
	out := make([]modelUse, len(us))
	for i, u := range us {
		ms := map[string]string{}
		for e, m := range u.Models {
			ms[predict.Env(e).String()] = m.String()
		}
		out[i] = modelUse{Tech: u.Tech.String(), BandMHz: u.BandMHz, Sites: u.Sites, Models: ms}
	}
	return out
}

// siteDefault is a predict.SiteDefault in coverage_meta.json: a value
// the register left empty, the default predicted with and the sites
// (sector rows) that took it.
type siteDefault struct {
	Tech  string  `json:"tech"`
	Field string  `json:"field"`
	Value float64 `json:"value"`
	Sites int     `json:"sites"`
}

func siteDefaultsMeta(ds []predict.SiteDefault) []siteDefault {
	out := make([]siteDefault, len(ds))
	for i, d := range ds {
		out[i] = siteDefault{Tech: d.Tech.String(), Field: d.Field, Value: d.Value, Sites: d.Sites}
	}
	return out
}

func siteIDs(res *pipeline.CoverageResult) []string {
	out := []string{}
	for _, s := range res.Down {
		out = append(out, fmt.Sprintf("%s (%s %s)", s.SiteID, s.Carrier, s.Tech))
	}
	return out
}

// checkLayers refuses a --geojson-layers carrier the coverage has no hex
// of (a misspelt name would otherwise give an empty layer that reads as
// "no coverage"), naming the carriers it has; a known carrier's
// technology without hexes (no such sites) is written empty, with a
// warning.
func checkLayers(e *env, spec string, states []coverage.State) error {
	list, err := layerList(spec, states)
	if err != nil || spec == "all" {
		return err
	}
	have := map[string]bool{}
	var carriers []string
	pairs := map[[2]string]bool{}
	for _, s := range states {
		if c := string(s.Carrier); !have[c] {
			have[c] = true
			carriers = append(carriers, c)
		}
		pairs[[2]string{string(s.Carrier), s.Tech.String()}] = true
	}
	slices.Sort(carriers)
	for _, l := range list {
		switch {
		case !have[l[0]]:
			return usageError{fmt.Sprintf("coverage: --geojson-layers %s:%s: no coverage of carrier %q here (carriers: %s)", l[0], l[1], l[0], strings.Join(carriers, ", "))}
		case !pairs[l]:
			fmt.Fprintf(e.stderr, "coverage: warning: layer %s:%s has no hexes (no %s site of %s in the area); written empty\n", l[0], l[1], l[1], l[0])
		}
	}
	return nil
}

// layerList expands --geojson-layers into (carrier, tech) pairs.
func layerList(spec string, states []coverage.State) ([][2]string, error) {
	var out [][2]string
	if spec == "" {
		return nil, nil
	}
	if spec == "all" {
		seen := map[[2]string]bool{}
		for _, s := range states {
			k := [2]string{string(s.Carrier), s.Tech.String()}
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
		sortPairs(out)
		return out, nil
	}
	for _, p := range strings.Split(spec, ",") {
		c, t, ok := strings.Cut(strings.TrimSpace(p), ":")
		if !ok {
			return nil, usageError{fmt.Sprintf("coverage: --geojson-layers %q: want carrier:tech pairs, e.g. viettel:4G", p)}
		}
		// Parsed names are slugs and known technologies, so a layer's file
		// name never leaves --out.
		carrier, err := engine.ParseCarrier(c)
		if err != nil {
			return nil, usageError{fmt.Sprintf("coverage: --geojson-layers %q: %v", p, err)}
		}
		tech, err := engine.ParseTech(t)
		if err != nil {
			return nil, usageError{fmt.Sprintf("coverage: --geojson-layers %q: %v", p, err)}
		}
		out = append(out, [2]string{string(carrier), tech.String()})
	}
	return out, nil
}

func sortPairs(p [][2]string) {
	slices.SortFunc(p, func(a, b [2]string) int { return cmp.Or(strings.Compare(a[0], b[0]), strings.Compare(a[1], b[1])) })
}

// bestGeoJSON renders the per-hex best state as hex polygons with
// properties ready for styling in QGIS or a browser: every column of
// coverage_best.csv (cols, pipeline.BestTable of best), with the row's
// value, and the state's fill colour.
func bestGeoJSON(best []coverage.Best, cols []arrowio.Column) (*geojson.FeatureCollection, error) {
	fc := geojson.NewFeatureCollection()
	for i, b := range best {
		ring, err := b.Cell.Boundary()
		if err != nil {
			return nil, err
		}
		f := geojson.NewFeature(polygon(ring))
		for _, c := range cols {
			v, err := columnValue(c, i)
			if err != nil {
				return nil, err
			}
			f.Properties[c.Name] = v
		}
		f.Properties["fill"] = b.State.Fill()
		fc.Append(f)
	}
	return fc, nil
}

// columnValue is row i of a table column as a GeoJSON property: its
// string, number or boolean; null for a null row or a NaN or infinite
// number. A column of another kind is a programmer's error.
func columnValue(c arrowio.Column, i int) (any, error) {
	if c.Null != nil && c.Null[i] {
		return nil, nil
	}
	switch {
	case c.String != nil:
		return c.String[i], nil
	case c.Float64 != nil:
		if v := c.Float64[i]; !math.IsNaN(v) && !math.IsInf(v, 0) {
			return v, nil
		}
		return nil, nil
	case c.Int64 != nil:
		return c.Int64[i], nil
	case c.Bool != nil:
		return c.Bool[i], nil
	}
	return nil, fmt.Errorf("column %s: no string, number or boolean values for a GeoJSON property", c.Name)
}

// writeJSONFile writes v as JSON to path, atomically. A GeoJSON feature
// collection has its coordinates rounded first, in place, to
// export.GeoJSONDecimals (RFC 7946 §11.2): every GeoJSON file lomsong
// writes is written here. It is written as it marshals, by
// export.WriteFeatureCollection: its features marshalled on every core
// and streamed, a country's hundred thousand hexes never held whole.
func writeJSONFile(path string, v any) error {
	if fc, ok := v.(*geojson.FeatureCollection); ok {
		export.RoundGeoJSON(fc)
		return writeAtomic(path, func(f *dataset.AtomicFile) error { return export.WriteFeatureCollection(f, fc) })
	}
	return writeAtomic(path, func(f *dataset.AtomicFile) error {
		if m, ok := v.(json.Marshaler); ok {
			// A value that marshals itself is written as it marshals: an
			// Encoder would read its whole output again to compact it, a
			// second pass for the same bytes.
			b, err := m.MarshalJSON()
			if err != nil {
				return err
			}
			_, err = f.Write(append(b, '\n'))
			return err
		}
		enc := json.NewEncoder(f)
		return enc.Encode(v)
	})
}

// printCoverageSummary prints the summary of a coverage of the analysis
// hexes cells (the area's, or the populated ones; the measured hexes are
// analysed too): the hexes counted are those of the files.
func printCoverageSummary(e *env, res *pipeline.CoverageResult, area string, cells []hexgrid.Cell, limited bool, secs float64) {
	rows := fmt.Sprintf("%d measurement rows", res.RowsRead)
	if limited {
		rows = fmt.Sprintf("%d measurement rows in its hexes (of %d read)", res.AreaRows, res.RowsRead)
	}
	inFiles := map[hexgrid.Cell]bool{}
	for _, s := range res.States {
		inFiles[s.Cell] = true
	}
	asked := 0
	for _, c := range cells {
		if inFiles[c] {
			asked++
		}
	}
	switch more := len(inFiles) - asked; {
	case len(cells) == 0:
		area = fmt.Sprintf("the %d measured hexes", len(inFiles))
	case more > 0:
		// The measured hexes are analysed too: the files hold them.
		area += fmt.Sprintf(" and %d more with tests (%d hexes in the files)", more, len(inFiles))
	}
	// The (hex, site) pairs computed are not said: a month whose search
	// was extended by a late dump's points computed other pairs than one
	// searched at once, for the same rows (pipeline.extendSearch).
	fmt.Fprintf(e.stdout, "coverage over %s: %s, %d sites (%d down), in %.1fs\n",
		area, rows, len(res.Sites), len(res.Down), secs)
	if none := len(cells) - asked; none > 0 {
		fmt.Fprintf(e.stdout, "%d of the %d hexes asked for have no state (no site of any carrier in reach, no test): not in the files\n", none, len(cells))
	}
	type key struct{ carrier, tech string }
	counts := map[key]*[4]int{}
	var keys []key
	for _, s := range res.States {
		k := key{string(s.Carrier), s.Tech.String()}
		if counts[k] == nil {
			counts[k] = &[4]int{}
			keys = append(keys, k)
		}
		counts[k][s.State]++
		if s.Source == coverage.Measured {
			counts[k][0]++
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(strings.Compare(a.carrier, b.carrier), strings.Compare(a.tech, b.tech))
	})
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "carrier\ttech\tcovered\tweak\tuncovered\tmeasured\t")
	for _, k := range keys {
		c := counts[k]
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t\n", k.carrier, k.tech, c[coverage.Covered], c[coverage.Weak], c[coverage.Uncovered], c[0])
	}
	tw.Flush()
	if len(res.Rejected) > 0 {
		fmt.Fprintf(e.stdout, "%d sites could not be evaluated (see coverage_meta.json)\n", len(res.Rejected))
	}
	if n := len(res.HeightClamped); n > 0 {
		fmt.Fprintf(e.stdout, "%d sites' register heights lie outside the propagation models' %g–%g m: predicted at the nearer bound (sites_height_clamped in coverage_meta.json)\n",
			n, predict.BaseHeightMinM, predict.BaseHeightMaxM)
	}
}

const calibrateSynopsis = `calibrate --dataset DIR [flags]

Fits the prediction error per carrier and technology on hexes with at least 5
outdoor tests: an offset (and with --slope a slope against log-distance) by least
squares, the location variability σ of the residuals, and RMSE before and after.
Writes the fits to DATASET/calibration.json (or --out FILE), which lomsong
coverage then applies; the report says how much each carrier's register over-
(negative bias) or under-predicts the measured signal. A fit from fewer than 10
measured hexes is written for the record but not applied (too few to trust: that
carrier's predictions and σ stay the model's); the table's "applied" column, the
file's "applied" and "not_applied" and every stage's "using calibration" line
say which fits are in force; the file's "not_fitted" lists the networks of the
register or of the tests without a fit, and why (no test, no site on the air,
no hex with enough tests, no site reaching them). A network whose tests from instruments (scanners;
feature phones for 2G) reach 10 such hexes is fitted on those alone (the
"tests" column, the file's "evidence"): a phone reads the technology it camped
on — 3G where its 4G failed, 4G where 4G held — so its levels of a technology
are of places the signal chose, and a fit on them lowers 3G and leaves 4G high.

First it checks the register against the tests for masts listed active that are
off the air (a power or backhaul fault the register does not show): for each
mast — a carrier's sectors sharing a site_id or a position — the tests it is
predicted to serve best are weighed as "on the air" (about its prediction)
against "off" (about what the other masts give, or no service where none
reaches), counting the tests within 200 m of each other once, and — since
registers place masts hundreds of metres off — against "on the air up to 800 m
from its registered position". A mast whose posterior probability of being off
reaches 0.5 (prior 5 %) on at least three informative tests is listed in the
file's off_air section and predicted as down by every later stage.
--off-air=false keeps the register as it is.

With --per-site it also fits an offset per site: each outdoor or
in-vehicle measurement is tied to the site that served it — by its serving
cell's cell_id, PCI+ARFCN or node_id where the site register has the same
identifiers, else to the predicted best server — and each site's mean error is
shrunk toward its network's mean by how many measurements it has (empirical
Bayes). Coverage adds a site's deviation from its network's mean to the hexes
it serves. It pays where sites are individually wrong (an EIRP, height or
azimuth off in the register) and measurements name their serving cell; on the
demo world, whose register errors are positions, not powers, it changes the
village signal RMSE by at most 0.1 dB, so it is not the default.`

const calibrateExample = `  lomsong calibrate --dataset lomsong-demo/dataset --province "lai chau"
  lomsong calibrate --dataset ./ds --slope --out ./calibration.json
  lomsong calibrate --dataset ./ds --per-site`

func runCalibrate(ctx context.Context, args []string, e *env) error {
	fs := newFlags("calibrate", calibrateSynopsis, calibrateExample, e)
	cf := coverageFlags{boundsForProvinceOnly: true}
	cf.register(fs)
	cf.registerPeriod(fs)
	slope := fs.Bool("slope", false, "also fit a slope against log10(distance)")
	perSite := fs.Bool("per-site", false, "also fit per-site offsets: measurements tied to their serving site by the serving cell's identifiers where the site register has them, else to the best server, shrunk toward each network's mean")
	out := fs.String("out", "", "calibration `file` to write (default DATASET/calibration.json)")
	offAir := fs.Bool("off-air", true, "check the register against the tests for masts listed active that are off the air; stages then predict those as down (--off-air=false keeps the register as it is)")
	if err := parseFlagsNoArgs(fs, args, e); err != nil {
		return err
	}
	if fi, err := os.Stat(*out); *out != "" && err == nil && fi.IsDir() {
		return usageError{fmt.Sprintf("calibrate: --out %s is a directory; it names the calibration file to write (e.g. %s)", *out, filepath.Join(*out, "calibration.json"))}
	}
	if err := inputFilesReadable(fs); err != nil {
		return err
	}
	if *out != "" && !sameFile(*out, filepath.Join(cf.dataset, "calibration.json")) {
		// The dataset's own calibration.json is the one file of the
		// dataset an --out may name; another there (in measurements/ or
		// stages/) was written, and dataset verify then failed on a file
		// the manifest does not list.
		if err := outOutsideDataset("calibrate", filepath.Dir(*out), cf.dataset); err != nil {
			return usageError{fmt.Sprintf("calibrate: --out %s is inside the dataset %s: write it to DATASET/calibration.json (the default, which every command reads) or outside the dataset", *out, cf.dataset)}
		}
	}
	if err := calibrationWritable(*out, cf.dataset); err != nil {
		return err
	}
	if err := calibrationReplaceable(*out, cf.dataset); err != nil {
		return err
	}
	store, opt, _, _, err := cf.prepare(e, true)
	if err != nil {
		return err
	}
	if len(store.Parts("measurements", nil, nil)) == 0 {
		return errNothingToCalibrate
	}
	t0 := time.Now()
	var oa *predict.OffAirResult
	if *offAir {
		fmt.Fprintln(e.stderr, "calibrate: weighing the masts listed active against their tests (off-air check)")
		phase := func(p string) {
			fmt.Fprintf(e.stderr, "calibrate: off-air check: %s (at %.1fs)\n", p, time.Since(t0).Seconds())
		}
		if oa, err = pipeline.OffAirSites(ctx, store, opt, predict.OffAirOptions{}, phase); err != nil {
			return err
		}
		opt.OffAir = oa.Refs()
	}
	fmt.Fprintf(e.stderr, "calibrate: predicting the measured and populated hexes (at %.1fs)\n", time.Since(t0).Seconds())
	res, err := pipeline.CalibrationInputs(ctx, store, opt)
	if err != nil {
		return err
	}
	cals, err := coverage.Calibrate(res.Measured, res.NotChosen, res.Predicted, res.Config, *slope, opt.MinPairs)
	if err != nil {
		return err
	}
	tested := map[engine.Carrier]bool{}
	for _, m := range res.Measured {
		tested[m.Carrier] = true
	}
	for _, c := range unmeasuredCarriers(res.Sites, tested) {
		fmt.Fprintf(e.stderr, "calibrate: warning: %s: sites in the register but no measurements in the month: nothing to fit; its coverage stays predicted by the uncalibrated model\n", c)
	}
	path := *out
	if path == "" {
		path = filepath.Join(cf.dataset, "calibration.json")
	}
	file := calfile.New(cf.res, *slope, cals, opt.MinPairs)
	file.SetNotFitted(coverage.Unfit(res.Sites, res.Measured, cals, res.Config))
	file.FittedOn = fittedOn(store, opt.Aggregate.Periods)
	// The months read, not those of the sources' parts: a dump crossing
	// a month's end is read for one month only.
	file.FittedOnPeriods = slices.Sorted(slices.Values(opt.Aggregate.Periods))
	file.Population = pipeline.PopulationKey(opt)
	if oa != nil {
		file.SetOffAir(oa)
	}
	var sc *predict.SiteCalibration
	if *perSite {
		if sc, err = pipeline.SiteCalibration(ctx, store, opt); err != nil {
			return err
		}
		file.SetSites(sc)
	}
	if len(cals) == 0 {
		// Written all the same (with --off-air=false it resets an earlier
		// calibration), but not as if it calibrated something.
		fmt.Fprintf(e.stderr, "calibrate: warning: no carrier and technology has enough measured hexes with a prediction to fit (%d measured hex-carrier-technology keys in all): the file corrects no prediction", len(res.Measured))
		if oa != nil && len(oa.Off()) > 0 {
			fmt.Fprint(e.stderr, "; it lists masts off the air")
		}
		fmt.Fprintln(e.stderr)
	}
	if err := writeCalibration(path, file); err != nil {
		return err
	}
	printCalibration(e.stdout, cals, opt.MinPairs)
	if nf := file.NotFittedSummary(); nf != "" {
		fmt.Fprintf(e.stdout, "not fitted (predictions and σ stay the model's; reasons in %s): %s\n", path, nf)
	}
	if oa != nil {
		printOffAir(e.stdout, oa, path)
	}
	if sc != nil {
		printSiteCalibration(e.stdout, sc)
	}
	fmt.Fprintf(e.stdout, "wrote %s\n", path)
	if def := filepath.Join(cf.dataset, "calibration.json"); *out != "" && filepath.Clean(*out) != filepath.Clean(def) {
		fmt.Fprintf(e.stdout, "the dataset's commands read %s unless given --calibration %s\n", def, path)
	}
	return nil
}

// calibrationReplaceable refuses, before any work, a calibration file to
// write (out, or DATASET/calibration.json) where a file that is not a
// calibration file stands: --out naming the dataset's manifest.json or
// the --population table replaced it with the fits, and the dataset or
// the input was lost.
func calibrationReplaceable(out, dataset string) error {
	path := out
	if path == "" {
		if fi, err := os.Stat(dataset); dataset == "" || err != nil || !fi.IsDir() {
			return nil // refused for want of --dataset, or as no dataset, by prepare
		}
		path = filepath.Join(dataset, "calibration.json")
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, iofs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !calfile.IsCalibration(b) {
		return usageError{fmt.Sprintf("calibrate: %s is there and is not a calibration file (no \"resolution\" and \"calibrations\"): not replaced, nothing written; give --out a new file or a calibration file", path)}
	}
	return nil
}

// calibrationWritable refuses, before any work, a calibration file to
// write (out, or DATASET/calibration.json) whose folder calibrate could
// not write in: a file where that folder or one of its parents would be
// (a usage error), or, in the nearest folder of that path there is, no
// right to create a file (a read-only file system, another user's
// folder, the dataset of a user who may only read it), said naming
// --out or the dataset. Both were found only once the month was
// computed, as "open DIR/.calibration.json.tmp-NNN: permission denied"
// naming a temporary file, or "open FILE/x.json: not a directory".
func calibrationWritable(out, dataset string) error {
	path := out
	if path == "" {
		if dataset == "" {
			return nil // refused for want of --dataset by prepare
		}
		path = filepath.Join(dataset, "calibration.json")
	}
	for p := filepath.Dir(filepath.Clean(path)); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		switch {
		case err == nil && !fi.IsDir() && out == "":
			return nil // not a dataset: said as such by prepare
		case err == nil && !fi.IsDir():
			return usageError{fmt.Sprintf("calibrate: --out %s: %s is a file, not a folder; --out names the calibration file to write", out, p)}
		case err == nil:
			if err := canCreateIn(p); err != nil {
				if out == "" {
					return fmt.Errorf("calibrate: cannot write %s: cannot write in the folder %s: %w; nothing was computed: run calibrate as the dataset's owner, or give --out FILE elsewhere (and that file as --calibration FILE to the commands that apply it)", path, p, err)
				}
				return fmt.Errorf("calibrate: --out %s: cannot write in the folder %s: %w; nothing was computed", out, p, err)
			}
			return nil
		}
		if filepath.Dir(p) == p {
			return nil
		}
	}
}

// writeCalibration writes the calibration file as a single output (the
// temporaries of an earlier interrupted write removed first).
func writeCalibration(path string, f *calfile.File) error {
	if err := removeFileTemps(filepath.Dir(path), []string{filepath.Base(path)}); err != nil && !errors.Is(err, iofs.ErrNotExist) {
		return err
	}
	return calfile.WriteCalibrationFile(path, f)
}

func printSiteCalibration(w io.Writer, sc *predict.SiteCalibration) {
	c := sc.Counts
	fmt.Fprintf(w, "per-site offsets: %d measurements; tied to their site by cell_id %d, PCI+ARFCN %d, node_id %d, best server %d (%d named a cell the register lacks); left out: %d without signal, %d censored, %d without a prediction\n",
		c.Rows, c.ByCellID, c.ByPCIARFCN, c.ByNodeID, c.ByBestServer, c.IDsUnmatched, c.NoSignal, c.Censored, c.NoPrediction)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "carrier\ttech\tmeasurements\tsites\tmean dB\twithin σ dB\tbetween τ dB\t")
	for _, n := range sc.Networks {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%+.1f\t%.1f\t%.1f\t\n", n.Carrier, n.Tech, n.N, n.Sites, n.MeanDB, n.SigmaDB, n.TauDB)
	}
	tw.Flush()
}

func printOffAir(w io.Writer, oa *predict.OffAirResult, path string) {
	off := oa.Off()
	fmt.Fprintf(w, "off the air: %d of %d masts weighed (listed active, but the tests they should serve best read tens of dB below them); predicted as down by the commands that read %s\n",
		len(off), len(oa.Masts), path)
	if len(off) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "carrier\tmast (first site id)\tsectors\tlon\tlat\tobservations\tmedian residual dB\tP(off air)\t")
	for _, m := range off {
		// A mast judged on bounds alone (no-service rows, readings at the
		// floor where it should serve) has no exact residual to take the
		// median of: said so, never "NaN".
		med := "bounds only"
		if !math.IsNaN(m.MedianResidualDB) {
			med = fmt.Sprintf("%+.1f", m.MedianResidualDB)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.5f\t%.5f\t%d\t%s\t%.3f\t\n", m.Carrier, m.SiteIDs[0], len(m.SiteIDs), m.Lon, m.Lat,
			m.Observations, med, m.POff)
	}
	tw.Flush()
	fmt.Fprintln(w, "a mast whose tests read tens of dB below its register is down, or its register is wrong (EIRP, height, azimuth, position): check the register before sending a crew")
}

func printCalibration(w io.Writer, cals []coverage.Calibration, minPairs int) {
	// A fit without a level (every hex censored) has no figures: a dash,
	// never "NaN".
	dB := func(format string, v float64) string {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "–"
		}
		return fmt.Sprintf(format, v)
	}
	var censoredOnly []string
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "carrier\ttech\ttests\thexes\tcensored\tbias dB\tRMSE before\tRMSE after\tσ dB\toffset\tslope\tapplied\t")
	for _, c := range cals {
		applied := "yes"
		if !c.Applies(minPairs) {
			applied = "no"
		}
		tests := "every"
		if c.Evidence == coverage.EvidenceNotChosen {
			tests = "instrument"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", c.Carrier, c.Tech, tests, c.N, c.Censored,
			dB("%+.1f", c.BiasDB), dB("%.1f", c.RMSEBeforeDB), dB("%.1f", c.RMSEAfterDB), dB("%.1f", c.Fit.SigmaDB),
			dB("%+.1f", c.Fit.OffsetDB), dB("%.1f", c.Fit.SlopeDB), applied)
		if c.N == 0 && c.Censored > 0 {
			censoredOnly = append(censoredOnly, fmt.Sprintf("%s %s (%d)", c.Carrier, c.Tech, c.Censored))
		}
	}
	tw.Flush()
	if len(censoredOnly) > 0 {
		fmt.Fprintf(w, "no level to fit (\"–\"): every measured hex's median is below the no-service level: %s\n", strings.Join(censoredOnly, ", "))
	}
	fmt.Fprintln(w, "bias = mean(measured − predicted): negative means the site register over-predicts")
	fmt.Fprintln(w, "tests: \"instrument\" fits on the tests whose technology the device did not choose (scanners; feature phones' 2G), where they give enough hexes: a phone reads 3G where its 4G failed and 4G where it held, so its readings of each technology are of places the signal chose; \"every\" fits on all outdoor tests")
	if skipped := notApplied(cals, minPairs); len(skipped) > 0 {
		fmt.Fprintf(w, "not applied, fitted on fewer than %d measured hexes (their predictions and σ stay the model's): %s\n", minPairs, strings.Join(skipped, ", "))
	}
}

// notApplied names the fits the stages leave out for too few hexes:
// "carrier tech (hexes)".
func notApplied(cals []coverage.Calibration, minPairs int) []string {
	var out []string
	for _, c := range cals {
		switch {
		case c.Applies(minPairs):
		case c.Censored > 0:
			// Hexes whose median is below the no-service level give no
			// level to fit: said apart, not as a fit of 0 hexes alone.
			out = append(out, fmt.Sprintf("%s %s (%d; %d more below the no-service level)", c.Carrier, c.Tech, c.N, c.Censored))
		default:
			out = append(out, fmt.Sprintf("%s %s (%d)", c.Carrier, c.Tech, c.N))
		}
	}
	return out
}

// calibrationInForce says which of a file's fits the stages apply: "N
// carrier/technology fits applied", and those left out for too few hexes.
// A fit of a carrier with no site in the register (registered, when not
// empty) corrects nothing and is not counted as applied (a warning names
// it).
func calibrationInForce(cals []coverage.Calibration, minPairs int, registered map[engine.Carrier]bool) string {
	skipped := notApplied(cals, minPairs)
	applied := 0
	for _, c := range cals {
		if c.Applies(minPairs) && (len(registered) == 0 || registered[c.Carrier]) {
			applied++
		}
	}
	s := fmt.Sprintf("%d carrier/technology fits applied", applied)
	if len(skipped) > 0 {
		s += fmt.Sprintf("; not applied, fewer than %d measured hexes: %s", minPairs, strings.Join(skipped, ", "))
	}
	return s
}

// setName names a boundary set in messages: a file's set has no name.
func setName(set *geodata.BoundarySet) string {
	if set.Name == "" {
		return "the boundaries given"
	}
	return set.Name
}

// fittedOn returns the SHA-256 of the sources a calibration reads: the
// site registers', and the measurements' with parts in periods (every
// period when none), sorted.
func fittedOn(store *dataset.Store, periods []string) []string {
	var out []string
	for _, src := range store.Manifest().Sources {
		switch src.Kind {
		case "sites":
			out = append(out, src.SHA256)
		case "measurements":
			if slices.ContainsFunc(src.Parts, func(p dataset.Part) bool { return len(periods) == 0 || slices.Contains(periods, p.Period) }) {
				out = append(out, src.SHA256)
			}
		}
	}
	slices.Sort(out)
	return out
}
