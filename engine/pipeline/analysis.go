package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/calfile"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/population"
	"github.com/lomsong/lomsong/engine/predict"
	"github.com/lomsong/lomsong/geodata"
	"github.com/lomsong/lomsong/internal/plural"
	"github.com/paulmach/orb"
)

// CalibrationNone as AnalysisRequest.Calibration predicts uncalibrated.
const CalibrationNone = "none"

// AnalysisRequest is what an analysis of a dataset is asked for with:
// the choices a command's flags (or the service's defaults) make.
// AnalysisOptions turns it into the CoverageOptions every stage runs
// with.
type AnalysisRequest struct {
	// Res is the H3 analysis resolution.
	Res int
	// Boundaries are the areas the pass over the measurements counts
	// each speed test in (CoverageOptions.SpeedAreas).
	Boundaries *geodata.BoundarySet
	// PopulationTable says Population holds a population table's rows
	// (lomsong population's population.csv): households per hex, the
	// environment classes and, without Province, the analysis area.
	// Without one the dataset's villages give them.
	PopulationTable bool
	Population      []population.Cell
	// Province limits the analysis to a unit's hexes and those of its
	// villages by the border; nil: the populated hexes.
	Province *geodata.Unit
	// Villages are the dataset's villages when the caller has read them
	// (nil: read from the store).
	Villages []engine.Village
	// Calibration is the calibration file to apply: a path,
	// CalibrationNone, or "" for the dataset's calibration.json when it
	// exists.
	Calibration string
	// Period is the month of measurements analysed, which must have
	// some (a *NoPeriodDataError otherwise). Without it, LatestPeriod
	// takes the latest month with measurements (none in a dataset
	// without any: prediction only); without either, every month.
	Period       string
	LatestPeriod bool
	// Fitting asks for the options a calibration is fitted with: no
	// calibration applied, and with Period or LatestPeriod a dataset
	// without measurements refused (ErrNoMeasurements).
	Fitting bool
}

// Analysis is what AnalysisOptions decided: the options, what it read to
// decide them, and what to say about them.
type Analysis struct {
	Options CoverageOptions
	// Villages are the dataset's villages.
	Villages []engine.Village
	// Calibration is the calibration applied, or none and why.
	Calibration CalibrationInUse
	// OffAirMasts are the calibration file's masts off the air with
	// their evidence, for reports.
	OffAirMasts []predict.OffAirMast
	// Notices are what the decisions call for saying, in order.
	Notices []AnalysisNotice
}

// Uncalibrated says why an analysis predicts without a calibration.
type Uncalibrated int

const (
	// Calibrated: a file is applied (or Fitting: none is asked for).
	Calibrated Uncalibrated = iota
	// UncalibratedAsked: the request said CalibrationNone.
	UncalibratedAsked
	// UncalibratedNoFile: no calibration.json in the dataset.
	UncalibratedNoFile
)

// CalibrationInUse is the calibration file applied: its path, SHA-256 and
// the months it was fitted on (calfile.File.Months), or none (Path empty)
// and why.
type CalibrationInUse struct {
	Path, SHA256 string
	Months       []string
	Why          Uncalibrated
}

// NoticeKind is what an AnalysisNotice says.
type NoticeKind int

const (
	// NoticeVillagePopulation: no population table; households and
	// environment classes from the dataset's Count villages.
	NoticeVillagePopulation NoticeKind = iota + 1
	// NoticeNoPopulation: no population table and no villages, with
	// sites: every point is predicted as open country.
	NoticeNoPopulation
	// NoticeNoMeasurements: LatestPeriod in a dataset without
	// measurements: prediction only, every verdict the model's.
	NoticeNoMeasurements
	// NoticeLatestPeriod: LatestPeriod took Periods[0].
	NoticeLatestPeriod
	// NoticeUncalibrated: predicting uncalibrated, with sites
	// (Analysis.Calibration.Why says why).
	NoticeUncalibrated
	// NoticeCalibrationSourcesGone: the file at Path was fitted on
	// sources the dataset no longer holds, Items (their SHA-256's first
	// 16 hex digits), though on some it holds.
	NoticeCalibrationSourcesGone
	// NoticeCalibrationUsed: the file at Path is applied; it was fitted
	// on Months; NotFitted summarises the fits it could not make
	// (calfile.File.NotFittedSummary); Carriers are the carriers with a
	// site in the register.
	NoticeCalibrationUsed
	// NoticeCalibrationOtherMonth: the file was fitted on Months, none
	// of Periods analysed.
	NoticeCalibrationOtherMonth
	// NoticeCalibrationUnregistered: the file has fits, Items ("carrier
	// tech"), for carriers with no site in the register.
	NoticeCalibrationUnregistered
	// NoticeCalibrationSourcesAdded: the dataset's sources Items came in
	// after the file was fitted, in its months.
	NoticeCalibrationSourcesAdded
	// NoticeCalibrationOtherPopulation: the file was fitted under
	// another population (another table, or the villages changed).
	NoticeCalibrationOtherPopulation
	// NoticeCalibrationOtherResolution: the file was fitted at FileRes,
	// the analysis is at Res.
	NoticeCalibrationOtherResolution
	// NoticeCalibrationEarlierBuild: the file records no sources it was
	// fitted on (fitted_on_sources): an earlier lomsong wrote it, without
	// the off-air check either when it has no off_air. Its fits are
	// applied; which files came in since cannot be told.
	NoticeCalibrationEarlierBuild
)

var noticeNames = map[NoticeKind]string{
	NoticeVillagePopulation:          "village population",
	NoticeNoPopulation:               "no population",
	NoticeNoMeasurements:             "no measurements",
	NoticeLatestPeriod:               "latest period",
	NoticeUncalibrated:               "uncalibrated",
	NoticeCalibrationSourcesGone:     "calibration sources gone",
	NoticeCalibrationUsed:            "calibration used",
	NoticeCalibrationOtherMonth:      "calibration of another month",
	NoticeCalibrationUnregistered:    "calibration of unregistered carriers",
	NoticeCalibrationSourcesAdded:    "sources added since the calibration",
	NoticeCalibrationOtherPopulation: "calibration under another population",
	NoticeCalibrationOtherResolution: "calibration at another resolution",
	NoticeCalibrationEarlierBuild:    "calibration by an earlier build",
}

func (k NoticeKind) String() string {
	if s, ok := noticeNames[k]; ok {
		return s
	}
	return fmt.Sprintf("notice %d", int(k))
}

// AnalysisNotice is one thing AnalysisOptions found to say: its kind and
// the fields that kind uses (NoticeKind's constants name them).
type AnalysisNotice struct {
	Kind            NoticeKind
	Path            string
	Count           int
	Months, Periods []string
	Items           []string
	NotFitted       string
	Carriers        map[engine.Carrier]bool
	Res, FileRes    int
	// NoOffAir: the calibration file has no off-air check (an earlier
	// build's).
	NoOffAir bool
}

// ErrNoMeasurements is AnalysisOptions' refusal of a calibration's
// options (Fitting, with Period or LatestPeriod) for a dataset without
// measurements.
var ErrNoMeasurements = fmt.Errorf("the dataset has no measurements: measurements %w", ErrMissingData)

// ForeignCalibrationError refuses a calibration file fitted on none of
// the dataset's sources: another dataset's fits, and its masts off the
// air, would be applied to this one's register.
type ForeignCalibrationError struct {
	Path, Dataset string
	// Gone are the file's sources, none in the dataset (their SHA-256's
	// first 16 hex digits).
	Gone []string
}

func (e *ForeignCalibrationError) Error() string {
	return fmt.Sprintf("%s was fitted on none of the sources of %s (its %s, sha256 %s, %s not in it): another dataset's calibration",
		e.Path, e.Dataset, plural.Count(len(e.Gone), "source", "sources"), strings.Join(e.Gone, ", "), plural.Noun(len(e.Gone), "is", "are"))
}

// UnitAreaError is AnalysisOptions' error for a Province whose area
// cannot be made at the resolution (UnitArea's error, Err: one wrapping
// engine.ErrInvalidConfig is too fine a resolution for its outline).
type UnitAreaError struct {
	Unit geodata.Unit
	Res  int
	Err  error
}

func (e *UnitAreaError) Error() string { return e.Err.Error() }
func (e *UnitAreaError) Unwrap() error { return e.Err }

// AnalysisOptions returns the options the dataset in store is analysed
// with for req, the one place that decides them (the commands' flags and
// the service's releases both come here): the default options at
// req.Res; households per hex and environment classes from the
// population table or the villages, and where in each hex its people
// live; the analysis cells (the province's, or the populated hexes); the
// months of measurements; and, unless Fitting, the calibration file
// applied, refused when it was fitted on none of the dataset's sources
// (*ForeignCalibrationError), with notices of one fitted on sources
// retracted since, before sources added since, on another month, under
// another population, at another resolution, or with fits for carriers
// with no site. The notices found before a refusal come with it (the
// Analysis is never nil).
func AnalysisOptions(store *dataset.Store, req AnalysisRequest) (*Analysis, error) {
	an := &Analysis{}
	opt, err := DefaultCoverageOptions(req.Res)
	if err != nil {
		return an, err
	}
	noSites := len(store.Parts("sites", nil, nil)) == 0
	// The pass over the measurements counts each speed test for the
	// area of Boundaries its point lies in (the scorecard's areas).
	opt.SpeedAreas = req.Boundaries
	villages := req.Villages
	if villages == nil {
		if villages, err = store.Villages(); err != nil {
			return an, err
		}
	}
	an.Villages = villages
	var pop []population.Cell
	if req.PopulationTable {
		pop = req.Population
		opt.Population = pop
	} else if len(villages) > 0 {
		// Without a population table the villages table gives households
		// per hex, and so the environment at every point: every stage
		// (calibrate, coverage, deadzones) must see the same
		// environments, or a calibration fitted under one is applied
		// under another.
		if pop, err = VillagePopulation(villages, req.Res); err != nil {
			return an, err
		}
		opt.Population = pop
		an.notice(AnalysisNotice{Kind: NoticeVillagePopulation, Count: len(villages)})
	}
	// The villages say where in each populated hex its people live, for
	// the environment of every point (the same for every stage).
	if len(villages) > 0 && len(opt.Population) > 0 {
		opt.Places = VillagePlaces(villages)
	}
	if len(opt.Population) == 0 && !noSites {
		// Without people anywhere every point is open country: town
		// predictions come out tens of dB too strong, and a calibration
		// fitted so carries that bias. Without sites nothing is
		// predicted.
		an.notice(AnalysisNotice{Kind: NoticeNoPopulation})
	}
	switch {
	case req.Province != nil:
		// The province's hexes, and those of its villages by the border.
		points := make([]orb.Point, len(villages))
		for i, v := range villages {
			points[i] = orb.Point{v.Lon, v.Lat}
		}
		if opt.Area, err = UnitArea(*req.Province, req.Res, points); err != nil {
			an.Options = opt
			return an, &UnitAreaError{Unit: *req.Province, Res: req.Res, Err: err}
		}
		opt.Cells = opt.Area.Cells
	case len(pop) > 0:
		// A finer table's cells count by their hex at the analysis
		// resolution (a coarser one is refused by the stages).
		for _, p := range pop {
			if r := p.Cell.Resolution(); p.Population > 0 && r >= req.Res {
				opt.Cells = append(opt.Cells, hexgrid.FastParent(p.Cell, req.Res))
			}
		}
		slices.Sort(opt.Cells)
		opt.Cells = slices.Compact(opt.Cells)
	}
	an.Options = opt
	if err := an.choosePeriod(store, req); err != nil {
		return an, err
	}
	if req.Fitting {
		return an, nil
	}
	return an, an.calibrate(store, req, noSites)
}

func (an *Analysis) notice(n AnalysisNotice) { an.Notices = append(an.Notices, n) }

// choosePeriod sets the months of measurements analysed (req.Period,
// req.LatestPeriod).
func (an *Analysis) choosePeriod(store *dataset.Store, req AnalysisRequest) error {
	have := store.Periods()
	switch {
	case req.Fitting && len(have) == 0 && (req.Period != "" || req.LatestPeriod):
		// Refused before anything is said of verdicts resting on the
		// prediction alone: a calibration makes none.
		return ErrNoMeasurements
	case req.Period != "":
		if !slices.Contains(have, req.Period) {
			return &NoPeriodDataError{Period: req.Period, Have: have}
		}
		an.Options.Aggregate.Periods = []string{req.Period}
	case !req.LatestPeriod:
	case len(have) == 0:
		// No test corrects the model: its bias (a few dB, sites down but
		// registered) is unknown, and P(dead) only says what the
		// uncalibrated prediction says.
		an.notice(AnalysisNotice{Kind: NoticeNoMeasurements})
	default:
		p := have[len(have)-1]
		an.Options.Aggregate.Periods = []string{p}
		an.notice(AnalysisNotice{Kind: NoticeLatestPeriod, Periods: []string{p}})
	}
	return nil
}

// calibrate applies the calibration file req asks for, or the dataset's
// calibration.json when it has one, and checks it against the dataset.
func (an *Analysis) calibrate(store *dataset.Store, req AnalysisRequest, noSites bool) error {
	opt := &an.Options
	path := req.Calibration
	if path == "" {
		if p := filepath.Join(store.Dir(), "calibration.json"); fileExists(p) {
			path = p
		}
	}
	switch path {
	case CalibrationNone:
		an.Calibration = CalibrationInUse{Why: UncalibratedAsked}
	case "":
		an.Calibration = CalibrationInUse{Why: UncalibratedNoFile}
	}
	if an.Calibration.Why != Calibrated {
		if !noSites {
			// Said as a calibration in force is: which fits a stage's
			// predictions carry. Without sites nothing is predicted.
			an.notice(AnalysisNotice{Kind: NoticeUncalibrated})
		}
		return nil
	}
	cfile, applied, err := calfile.ReadCalibrationFile(path)
	if err != nil {
		return err
	}
	opt.Calibrations, opt.SiteOffsets, opt.OffAir = applied.Calibrations, applied.SiteOffsets, applied.OffAir
	an.OffAirMasts = applied.OffAirMasts
	if gone := sourcesGone(store, cfile.FittedOn); len(gone) > 0 && len(gone) == len(cfile.FittedOn) {
		// Another dataset's fits (and its masts off the air) would be
		// applied to this one's register.
		return &ForeignCalibrationError{Path: path, Dataset: store.Dir(), Gone: gone}
	} else if len(gone) > 0 {
		an.notice(AnalysisNotice{Kind: NoticeCalibrationSourcesGone, Path: path, Items: gone})
	}
	registered := map[engine.Carrier]bool{}
	for _, p := range store.Parts("sites", nil, nil) {
		registered[engine.Carrier(p.Carrier)] = true
	}
	months := cfile.Months(store.Manifest().Sources)
	an.Calibration = CalibrationInUse{Path: path, SHA256: applied.SHA256, Months: months}
	an.notice(AnalysisNotice{Kind: NoticeCalibrationUsed, Path: path, Months: months, NotFitted: cfile.NotFittedSummary(), Carriers: registered})
	if ps := opt.Aggregate.Periods; len(months) > 0 && len(ps) > 0 && !slices.ContainsFunc(ps, func(p string) bool { return slices.Contains(months, p) }) {
		// A calibration of another month (calibrate without a month fits
		// the latest): its fits and masts off the air are that month's
		// networks.
		an.notice(AnalysisNotice{Kind: NoticeCalibrationOtherMonth, Path: path, Months: months, Periods: ps})
	}
	var strangers []string
	for _, f := range opt.Calibrations {
		if len(registered) > 0 && !registered[f.Carrier] {
			strangers = append(strangers, string(f.Carrier)+" "+f.Tech.String())
		}
	}
	if len(strangers) > 0 {
		// A typo ("viettell") left the carrier it meant uncalibrated.
		an.notice(AnalysisNotice{Kind: NoticeCalibrationUnregistered, Path: path, Items: strangers})
	}
	if len(cfile.FittedOn) == 0 {
		// Written before calibrate recorded its sources: it was read as
		// though every register came in after it, naming the registers
		// it was fitted on and not the files that did come in since.
		an.notice(AnalysisNotice{Kind: NoticeCalibrationEarlierBuild, Path: path, NoOffAir: cfile.OffAir == nil})
	} else if added := sourcesAdded(store, cfile.FittedOn, months, opt.Aggregate.Periods); len(added) > 0 {
		// Files added after the file was made: a carrier's dump left its
		// network uncalibrated and its masts unchecked for being off the
		// air, and nothing said so.
		an.notice(AnalysisNotice{Kind: NoticeCalibrationSourcesAdded, Path: path, Items: added})
	}
	if key, ok := populationKeyAt(*opt, req, an.Villages, cfile.Resolution); cfile.Population != "" && ok && cfile.Population != key {
		// Its offsets were fitted to predictions in other environments
		// (another table, or the villages changed).
		an.notice(AnalysisNotice{Kind: NoticeCalibrationOtherPopulation, Path: path})
	}
	if cfile.Resolution != 0 && cfile.Resolution != req.Res {
		// The fits are of hex medians at the file's resolution: at
		// another, the offsets hold roughly, not exactly.
		an.notice(AnalysisNotice{Kind: NoticeCalibrationOtherResolution, Path: path, FileRes: cfile.Resolution, Res: req.Res})
	}
	return nil
}

// populationKeyAt returns PopulationKey of opt as calibrate recorded it
// at resolution res (the calibration file's; 0, a file written without
// one, is this analysis'): without a population table the villages'
// households count in their hexes at the analysis resolution
// (VillagePopulation), so the same villages make another key at another
// resolution, and only the resolution differs (said apart). A table's
// cells are its own at every resolution. ok is false when the villages
// cannot be placed at res: nothing to compare.
func populationKeyAt(opt CoverageOptions, req AnalysisRequest, villages []engine.Village, res int) (key string, ok bool) {
	if res == 0 || res == req.Res || req.PopulationTable || len(villages) == 0 {
		return PopulationKey(opt), true
	}
	pop, err := VillagePopulation(villages, res)
	if err != nil {
		return "", false
	}
	opt.Population = pop
	return PopulationKey(opt), true
}

// sourcesAdded names the dataset's sources a calibration fitted on
// fittedOn in the months calMonths did not read though it would now: site
// registers, and the measurements of the months analysed (periods; nil:
// every month) among calMonths (a calibration of another month is applied
// knowingly, not stale).
func sourcesAdded(store *dataset.Store, fittedOn, calMonths, periods []string) []string {
	read := map[string]bool{}
	for _, sha := range fittedOn {
		read[sha] = true
	}
	var out []string
	for _, src := range store.Manifest().Sources {
		if read[src.SHA256] {
			continue
		}
		switch {
		case src.Kind == "sites":
			out = append(out, "the register "+src.Name)
		case src.Kind == "measurements" && slices.ContainsFunc(src.Parts, func(p dataset.Part) bool {
			return slices.Contains(calMonths, p.Period) && (len(periods) == 0 || slices.Contains(periods, p.Period))
		}):
			out = append(out, src.Name)
		}
	}
	return out
}

// sourcesGone returns the first 16 hex digits of each of shas the
// dataset no longer holds.
func sourcesGone(store *dataset.Store, shas []string) []string {
	var gone []string
	for _, sha := range shas {
		if _, ok := store.Lookup(sha); !ok {
			gone = append(gone, sha[:min(16, len(sha))]+"…")
		}
	}
	return gone
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
