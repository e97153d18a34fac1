package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/campaign"
	"github.com/lomsong/lomsong/engine/challenge"
	"github.com/lomsong/lomsong/engine/coverage"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/export"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/engine/pipeline"
	"github.com/lomsong/lomsong/engine/scorecard"
	"github.com/lomsong/lomsong/geodata"
	"github.com/lomsong/lomsong/internal/shellquote"
	"github.com/paulmach/orb/geojson"
)

// Release is one published (or attempted) monthly release.
type Release struct {
	Number      int64   `json:"number"`
	Period      string  `json:"period"`
	Status      string  `json:"status"` // running, published, failed
	CreatedBy   string  `json:"created_by"`
	CreatedAt   string  `json:"created_at"`
	FinishedAt  string  `json:"finished_at,omitempty"`
	Submissions []int64 `json:"submissions"` // the certified submissions it was computed from
	SHA256      string  `json:"sha256,omitempty"`
	Error       string  `json:"error,omitempty"`
	folder      string
}

// ReleaseVillage is one village of a release.
type ReleaseVillage struct {
	ID            string   `json:"village_id"`
	Name          string   `json:"name"`
	Province      string   `json:"province"`
	ProvinceName  string   `json:"province_name"` // as ReleaseGap's
	CommuneCode   string   `json:"commune_code"`
	Lon           float64  `json:"lon"`
	Lat           float64  `json:"lat"`
	Households    float64  `json:"households"`
	Level         string   `json:"level"`
	WithoutSignal bool     `json:"without_signal"`
	PDead         *float64 `json:"p_dead"`
	Status        string   `json:"status,omitempty"`
	BestCarrier   string   `json:"best_carrier,omitempty"`
	BestTech      string   `json:"best_tech,omitempty"`
	Tests300m     int      `json:"tests_300m"`
	NoService300m int      `json:"no_service_300m"`
}

// ReleaseGap is a populated hex where one carrier has no 3G/4G/5G; when
// another carrier covers it (gap another_carrier_covers), CoveredBy names
// those carriers, by name only.
type ReleaseGap struct {
	Cell       string   `json:"cell"`
	Lon        float64  `json:"lon"`
	Lat        float64  `json:"lat"`
	Carrier    string   `json:"carrier"`
	Gap        string   `json:"gap"`
	CoveredBy  []string `json:"covered_by"`
	Households float64  `json:"households"`
	Province   string   `json:"province"`
	// ProvinceName is the province's 2025 name, in the release's
	// file and, named again from the code, in every answer: also of
	// releases written before the files had it. A release names no
	// commune.
	ProvinceName string `json:"province_name"`
	Commune      string `json:"commune"`
}

// ReleaseHex is one analysis hex of a release: its best 3G/4G/5G state
// over the carriers (covered, weak, uncovered, or unknown) and the state of
// every (carrier, technology) the coverage decided.
//
// Boundary is the cell's outline, lon, lat pairs rounded to
// boundaryDigits decimals, counter-clockwise, the first vertex not
// repeated (6 for a hexagon, up to 10 where the cell crosses an
// icosahedron edge). Releases written before it was added have none.
type ReleaseHex struct {
	Cell     string          `json:"cell"`
	Lon      float64         `json:"lon"`
	Lat      float64         `json:"lat"`
	Boundary [][2]float64    `json:"boundary,omitempty"`
	Province string          `json:"province"`
	Best     string          `json:"best"`
	States   []ReleaseHexKey `json:"states"`
}

// ReleaseHexKey is one (carrier, technology) state of a hex.
type ReleaseHexKey struct {
	Carrier string `json:"carrier"`
	Tech    string `json:"tech"`
	State   string `json:"state"`
}

// boundaryDigits is the decimals a hex boundary's degrees keep: 1e-6° is
// about 0.1 m, far below a hex's edge, and the file and the response
// stay small.
const boundaryDigits = 6

// hexBoundary returns c's outline as ReleaseHex.Boundary holds it.
func hexBoundary(c hexgrid.Cell) ([][2]float64, error) {
	ring, err := c.Boundary()
	if err != nil {
		return nil, err
	}
	scale := math.Pow10(boundaryDigits)
	out := make([][2]float64, 0, len(ring))
	for _, p := range ring[:max(len(ring)-1, 0)] {
		out = append(out, [2]float64{math.Round(p[0]*scale) / scale, math.Round(p[1]*scale) / scale})
	}
	return out, nil
}

// releaseHexes groups the coverage states by hex, in cell order, each with
// its boundary.
func releaseHexes(dz *pipeline.DeadZoneResult) ([]ReleaseHex, error) {
	out := []ReleaseHex{}
	if dz.Coverage == nil {
		return out, nil
	}
	by := map[hexgrid.Cell]int{}
	best := map[hexgrid.Cell]coverage.Level{}
	for _, st := range dz.Coverage.States {
		i, ok := by[st.Cell]
		if !ok {
			ctr, err := st.Cell.Center()
			if err != nil {
				return nil, err
			}
			bnd, err := hexBoundary(st.Cell)
			if err != nil {
				return nil, err
			}
			i = len(out)
			by[st.Cell] = i
			out = append(out, ReleaseHex{Cell: st.Cell.String(), Lon: ctr[0], Lat: ctr[1], Boundary: bnd, Province: dz.Admin[st.Cell].Province})
		}
		out[i].States = append(out[i].States, ReleaseHexKey{Carrier: string(st.Carrier), Tech: st.Tech.String(), State: st.State.String()})
		if st.Tech.String() != "2G" && st.State > best[st.Cell] {
			best[st.Cell] = st.State
		}
	}
	for i := range out {
		c, _ := hexgrid.Parse(out[i].Cell)
		out[i].Best = best[c].String()
		slices.SortFunc(out[i].States, func(a, b ReleaseHexKey) int {
			if a.Carrier != b.Carrier {
				return strings.Compare(a.Carrier, b.Carrier)
			}
			return strings.Compare(a.Tech, b.Tech)
		})
	}
	slices.SortFunc(out, func(a, b ReleaseHex) int { return strings.Compare(a.Cell, b.Cell) })
	return out, nil
}

// monthRun is what one month's run yields for a release.
type monthRun struct {
	dz   *pipeline.DeadZoneResult
	card *scorecard.Card // nil without subscriptions
	// sum is pipeline.Run's summary: which stages were read back.
	sum *pipeline.RunSummary
	// scans are the passes over the measurements of the whole month: the
	// run's and the speed trend's (months whose pass was not saved yet).
	scans dataset.ScanStats
	// calibration is the calibration file applied ("" when none).
	calibration string
	// notices are what pipeline.AnalysisOptions found to say of the
	// month's options (a calibration of another month, fitted before
	// sources added since, ...), for the log.
	notices []pipeline.AnalysisNotice
	// campaign is the release's measurement campaign per province.
	campaign *ReleaseCampaign
}

// releaseRes is the analysis resolution of a release.
const releaseRes = 8

// releaseRunOptions are the options a release runs a month with, those of
// lomsong run with its defaults, decided by the one rule every command
// decides them by (pipeline.AnalysisOptions): resolution 8, households and
// environment classes from the dataset's villages, the analysis over the
// populated hexes, the 34 provinces of 2025, the default verdict cut, the
// predictions calibrated by DIR/calibration.json when it exists (as every
// command calibrates them by default), and refused as lomsong run refuses
// it when it was fitted on none of the dataset's sources (another
// dataset's: a *pipeline.ForeignCalibrationError). So a release and
// lomsong run on the same dataset read each other's saved stages. It
// returns what the rule decided (the calibration applied, and what it
// found to say).
func releaseRunOptions(store *dataset.Store, period string) (pipeline.RunOptions, *pipeline.Analysis, error) {
	provinces, err := geodata.Provinces2025()
	if err != nil {
		return pipeline.RunOptions{}, nil, err
	}
	// As the commands' default --boundaries.
	an, err := pipeline.AnalysisOptions(store, pipeline.AnalysisRequest{Res: releaseRes, Boundaries: provinces, Period: period})
	opt := pipeline.RunOptions{Period: period, DeadZones: pipeline.DeadZoneOptions{Coverage: an.Options, Provinces: provinces,
		Villages: deadzone.DefaultVillageOptions(), Challenge: challenge.DefaultConfig(),
		// No release file holds the challenges: no claim to adjudicate.
		Claims: []challenge.Claim{}}}
	return opt, an, err
}

// runMonth computes the month p from the release dataset: the one place
// the service calls the engine's pipeline. The month runs through
// pipeline.Run with lomsong run's options (releaseRunOptions): every
// stage reads the saved output of the one before, and a stage whose
// inputs are unchanged since an earlier release (or lomsong run) is read
// back, not computed. A month without sites, measurements or villages is
// refused with the reason. With subscriptions, the scorecard scores every
// month of the subscriptions, target 1 from the saved dead zones of the
// months up to p (earlierDeadZones), target 5 from each month's saved
// pass over the measurements (made and saved for a month that has none
// yet, with the options the month's own run reads it with).
func runMonth(ctx context.Context, store *dataset.Store, p penetration.Period) (*monthRun, error) {
	if err := releasable(store, p); err != nil {
		return nil, err
	}
	opt, an, err := monthOptions(store, p)
	if err != nil {
		return nil, err
	}
	sum, err := pipeline.Run(ctx, store, opt)
	if err != nil {
		return nil, err
	}
	run := &monthRun{dz: sum.DeadZones, sum: sum, notices: an.Notices}
	if an.Calibration.Path != "" {
		run.calibration = filepath.Base(an.Calibration.Path)
	}
	defer func() { run.scans = store.Scans() }()
	if run.campaign, err = releaseCampaign(sum.DeadZones); err != nil {
		return nil, err
	}
	if len(store.Parts("subscriptions", nil, nil)) == 0 {
		return run, nil
	}
	figures, missing, err := earlierDeadZones(ctx, store, opt, p)
	if err != nil {
		return nil, err
	}
	figures[p] = pipeline.DeadZoneFigures(sum.DeadZones)
	sopt := pipeline.DefaultScorecardOptions(opt.DeadZones.Provinces, "provinces2025", 1)
	sopt.DeadZones, sopt.DeadZonesMissing, sopt.Period = figures, missing, p
	// The card of the month as lomsong scorecard --period makes it: every
	// province scored in the month, one without data in a row of
	// unknowns saying so.
	sopt.EveryArea = []penetration.Period{p}
	speedOpt := opt.DeadZones.Coverage
	sopt.Coverage = &speedOpt
	if run.card, err = pipeline.Scorecard(ctx, store, sopt); err != nil {
		return nil, err
	}
	return run, nil
}

// monthOptions returns the options a release runs month p with
// (releaseRunOptions), or why the month is not released: its calibration
// file refused (another dataset's, as lomsong run refuses it, or one that
// cannot be read) or an input the month lacks (sites, its measurements,
// households: a *NoDataError). A request for the release is refused with
// it before a release number is used; a release started while a
// certification held the dataset fails with it.
func monthOptions(store *dataset.Store, p penetration.Period) (pipeline.RunOptions, *pipeline.Analysis, error) {
	opt, an, err := releaseRunOptions(store, p.String())
	var nd *pipeline.NoPeriodDataError
	var foreign *pipeline.ForeignCalibrationError
	switch {
	case errors.As(err, &foreign):
		return opt, an, fmt.Errorf("no release for %s: %w, not applied to this dataset's register (lomsong run refuses it too): fit this dataset's with lomsong calibrate --dataset %s, or remove %s",
			p, err, shellquote.Quote(store.Dir()), shellquote.Quote(foreign.Path))
	case err != nil && !errors.As(err, &nd):
		return opt, an, fmt.Errorf("no release for %s: %w", p, err)
	}
	// A month without measurements is said as what the month lacks.
	why, merr := pipeline.MonthInputsMissing(store, opt.DeadZones, p)
	if merr != nil {
		return opt, an, fmt.Errorf("no release for %s: %w", p, merr)
	}
	if why != "" {
		return opt, an, &NoDataError{Period: p.String(), Why: why}
	}
	return opt, an, err
}

// earlierDeadZones returns target 1's figures for the months before p
// that have subscriptions or measurements: each read back from that
// month's saved stages (pipeline.Run ReadOnly with the release's options
// opt for that month, saved by that month's release or by lomsong run),
// never computed. A
// month whose saved dead zones are missing or not current (its data
// changed since) is unknown, with the reason; so are the months after p.
func earlierDeadZones(ctx context.Context, store *dataset.Store, opt pipeline.RunOptions, p penetration.Period) (map[penetration.Period]map[string]*scorecard.DeadZones, map[penetration.Period]string, error) {
	figures := map[penetration.Period]map[string]*scorecard.DeadZones{}
	missing := map[penetration.Period]string{}
	subs, err := store.Subscriptions()
	if err != nil {
		return nil, nil, err
	}
	months := map[penetration.Period]bool{}
	for _, x := range subs {
		q, err := penetration.ParsePeriod(x.Period)
		if err != nil {
			return nil, nil, fmt.Errorf("subscriptions period %q: %w", x.Period, err)
		}
		months[q] = true
	}
	for _, x := range store.Periods() {
		q, err := penetration.ParsePeriod(x)
		if err != nil {
			return nil, nil, fmt.Errorf("measurements period %q: %w", x, err)
		}
		months[q] = true
	}
	for q := range months {
		if q == p {
			continue
		}
		if p.Before(q) {
			missing[q] = fmt.Sprintf("the release of %s scores the months up to its own", p)
			continue
		}
		why, err := pipeline.MonthInputsMissing(store, opt.DeadZones, q)
		if err != nil {
			return nil, nil, err
		}
		if why != "" {
			missing[q] = why
			continue
		}
		qopt := opt
		qopt.Period, qopt.ReadOnly = q.String(), true
		sum, err := pipeline.Run(ctx, store, qopt)
		var ns *pipeline.NotSavedError
		if errors.As(err, &ns) {
			missing[q] = fmt.Sprintf("no current saved dead zones for %s (stage %s: %s): publish %s (or lomsong run --period %s) first", q, ns.Stage, ns.Why, q, q)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		figures[q] = pipeline.DeadZoneFigures(sum.DeadZones)
	}
	return figures, missing, nil
}

// releasable refuses a release of p from a dataset that the analysis
// commands would refuse or warn of, by the engine's checks and in their
// words: a manifest that no longer describes the parts
// (dataset.Store.CheckListed: a part's entry lost, a record edited to
// another period, carrier or kind), part files it does not list
// (dataset.Store.UnlistedNote: lomsong run warns and leaves their rows
// out; a release, published for good, is not made without them), and a
// part the release reads missing or not its recorded size
// (pipeline.DamagedInputs, lomsong run's and lomsong scorecard's warning:
// the month's measurements and the registers, and with subscriptions,
// whose scorecard reads the other months' saved dead zones and passes,
// every month's measurements). A stage read back would publish what was
// computed from such a part before it went. It reads the manifest and
// the parts' sizes, not their bytes.
func releasable(store *dataset.Store, p penetration.Period) error {
	if err := store.CheckListed(); err != nil {
		return fmt.Errorf("no release for %s: %w", p, err)
	}
	note, err := store.UnlistedNote()
	if err != nil {
		return err
	}
	if note != "" {
		return fmt.Errorf("no release for %s: %s; a release is published for good and is not made without them", p, note)
	}
	// The scorecard is made when the dataset holds subscriptions (runMonth).
	withScorecard := len(store.Parts("subscriptions", nil, nil)) > 0
	if note := pipeline.DamagedInputs(store, p.String(), withScorecard); note != "" {
		return fmt.Errorf("no release for %s: %s", p, note)
	}
	return nil
}

// NoDataError is a month that cannot be released: what it lacks.
type NoDataError struct{ Period, Why string }

func (e *NoDataError) Error() string {
	return fmt.Sprintf("no release for %s: %s in the certified data", e.Period, e.Why)
}

const releaseCols = `number, period, status, created_by, created_at, finished_at, folder, submissions, sha256, error`

func scanRelease(row interface{ Scan(...any) error }) (Release, error) {
	var rl Release
	var fin sql.NullString
	var subs string
	if err := row.Scan(&rl.Number, &rl.Period, &rl.Status, &rl.CreatedBy, &rl.CreatedAt, &fin, &rl.folder, &subs, &rl.SHA256, &rl.Error); err != nil {
		return rl, err
	}
	rl.FinishedAt = fin.String
	if err := json.Unmarshal([]byte(subs), &rl.Submissions); err != nil {
		return rl, err
	}
	if rl.Submissions == nil {
		rl.Submissions = []int64{}
	}
	return rl, nil
}

func (s *Server) createRelease(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Period string `json:"period"`
	}
	var raw bytes.Buffer
	dec := json.NewDecoder(io.TeeReader(jsonBody(w, r, s.opt.UploadIdle), &raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			writeError(w, http.StatusRequestEntityTooLarge, "the body is over %d bytes", maxJSONBody)
			return
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			writeError(w, http.StatusRequestTimeout, "the body stalled, %v: send the request again", err)
			return
		}
		writeError(w, http.StatusBadRequest, `body: want {"period": "YYYY-MM"}: %v`, err)
		return
	}
	if _, err := dec.Token(); err != io.EOF {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			// Whitespace after the object ran over the limit.
			writeError(w, http.StatusRequestEntityTooLarge, "the body is over %d bytes", maxJSONBody)
			return
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			writeError(w, http.StatusRequestTimeout, "the body stalled, %v: send the request again", err)
			return
		}
		writeError(w, http.StatusBadRequest, `body: want {"period": "YYYY-MM"} alone, found more after it`)
		return
	}
	if k := repeatedKey(raw.Bytes()); k != "" {
		// encoding/json takes the last, and the month released would be
		// one the request also asked not to release.
		writeError(w, http.StatusBadRequest, `body: %q given more than once: give it once`, k)
		return
	}
	if !calendarMonth(req.Period) {
		writeError(w, http.StatusBadRequest, "period %q: want a calendar month YYYY-MM", req.Period)
		return
	}
	p, _ := penetration.ParsePeriod(req.Period)
	u := userOf(r)
	now := s.opt.Now()
	// The list as of the request, by the rule the build lists what it
	// reads (feeds): not those retracted from the dataset since their
	// certification, nor a later month's measurements.
	store, err := dataset.Open(s.opt.Dataset)
	if err != nil {
		s.internal(w, err)
		return
	}
	// A month without measurements in the certified data cannot be
	// released: refused now, rather than started, numbered and failed.
	// Checked before the transaction below, which holds the state
	// database's write lock: the options read the villages.
	// Unless a certification is under way (it holds dsMu or waits for
	// it): the release reads the dataset after it, and it may bring the
	// month's measurements (the run then says what the month lacks). Such
	// a release is numbered before the checks, which are made on the
	// data it will read, and fails with their error: it is listed, failed
	// with the reason, so that no number is missing without one.
	if s.dsMu.TryRLock() {
		cur, err := dataset.Open(s.opt.Dataset) // as it is with no certification under way
		s.dsMu.RUnlock()
		if err != nil {
			s.internal(w, err)
			return
		}
		// A dataset the analysis commands would refuse, or warn of, is
		// refused here, before a number is used (releasable).
		if err := releasable(cur, p); err != nil {
			s.log.Warn("release refused", "period", p.String(), "user", u.Name, "err", err)
			writeError(w, http.StatusConflict, "%v; nothing was started", err)
			return
		}
		if months := measuredMonths(cur); !slices.Contains(months, p.String()) {
			with := "it holds none of any month: certify a month's measurements first"
			if len(months) > 0 {
				with = "months with measurements: " + strings.Join(months, ", ")
			}
			writeError(w, http.StatusConflict, "no release for %s: no measurements of %s in the certified data (%s); nothing was started", p, p, with)
			return
		}
		// Nor is a release numbered that its calibration file or a
		// missing input would fail at once: a request refused publishes
		// nothing and leaves no gap among the release numbers.
		if _, _, err := monthOptions(cur, p); err != nil {
			s.log.Warn("release refused", "period", p.String(), "user", u.Name, "err", err)
			msg := err.Error()
			if damagedDataset(err) {
				msg = fmt.Sprintf("no release for %s: the release dataset cannot be read (%s): %s", p, err, damagedPartsAdvice)
			}
			writeError(w, http.StatusConflict, "%s; nothing was started", msg)
			return
		}
	}
	tx, err := s.db.BeginTx(r.Context(), nil)
	if err != nil {
		s.internal(w, err)
		return
	}
	defer tx.Rollback()
	// One release is computed at a time. The refusal names the one under
	// way and what to do, so that a second request (a double click, two
	// operators) learns which release holds it and when to ask again.
	var (
		runNum           int64
		runPeriod, runBy string
		runAt            string
	)
	switch err := tx.QueryRowContext(r.Context(), `SELECT number, period, created_by, created_at FROM releases WHERE status = 'running' ORDER BY number LIMIT 1`).Scan(&runNum, &runPeriod, &runBy, &runAt); {
	case err == nil:
		writeError(w, http.StatusConflict, "release %d (%s, asked for by %s at %s) is being computed, and one release is computed at a time: nothing was started; follow it with GET /api/v1/releases and ask for %s again once it is published or failed",
			runNum, runPeriod, runBy, parseTime(runAt).Format(time.RFC3339), p)
		return
	case !errors.Is(err, sql.ErrNoRows):
		s.internal(w, err)
		return
	}
	subs, err := certifiedSubmissions(r.Context(), tx, func(sha string) bool { return feeds(store, sha, p.String()) })
	if err != nil {
		s.internal(w, err)
		return
	}
	sj, _ := json.Marshal(subs)
	res, err := tx.ExecContext(r.Context(), `INSERT INTO releases (period, status, created_by, created_at, submissions) VALUES (?, 'running', ?, ?, ?)`,
		p.String(), u.Name, nowText(now), string(sj))
	if err != nil {
		s.internal(w, err)
		return
	}
	num, _ := res.LastInsertId()
	if err := appendAudit(r.Context(), tx, now, u.Name, "release.start", strconv.FormatInt(num, 10), "", "period="+p.String()); err != nil {
		s.internal(w, err)
		return
	}
	if err := tx.Commit(); err != nil {
		s.internal(w, err)
		return
	}
	rl := Release{Number: num, Period: p.String(), Status: "running", CreatedBy: u.Name, CreatedAt: nowText(now), Submissions: subs}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		s.publish(s.bgCtx, rl, p)
	}()
	writeJSON(w, http.StatusAccepted, rl)
}

// repeatedKey returns a key the JSON object b gives more than once
// (compared without regard to case, as encoding/json matches a field's
// name), or "" when none is.
func repeatedKey(b []byte) string {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return ""
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return ""
		}
		k, _ := t.(string)
		if seen[strings.ToLower(k)] {
			return k
		}
		seen[strings.ToLower(k)] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return ""
		}
	}
	return ""
}

// measuredMonths returns the months the dataset holds measurements of,
// in order.
func measuredMonths(store *dataset.Store) []string {
	var months []string
	for _, p := range store.Parts("measurements", nil, nil) {
		if p.Period != "" && !slices.Contains(months, p.Period) {
			months = append(months, p.Period)
		}
	}
	slices.Sort(months)
	return months
}

// certifiedSubmissions returns the ids of the certified submissions, in
// order (never nil); with held, only those whose bytes it holds (a
// submission retracted from the release dataset on the command line is
// not read by a release).
func certifiedSubmissions(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, held func(sha string) bool) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, COALESCE(NULLIF(dataset_sha256, ''), sha256) FROM submissions WHERE status = 'certified' ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	subs := []int64{}
	for rows.Next() {
		var id int64
		var sha string
		if err := rows.Scan(&id, &sha); err != nil {
			return nil, err
		}
		if held == nil || held(sha) {
			subs = append(subs, id)
		}
	}
	return subs, rows.Err()
}

// feeds reports whether the dataset holds the source of SHA-256 sha and
// whether it can feed a release of period: a register, villages or
// subscriptions (no period) feed every month; measurements their own
// month and the later ones (a month's trends read earlier months), never
// an earlier month's release.
func feeds(store *dataset.Store, sha, period string) bool {
	src, ok := store.Lookup(sha)
	if !ok {
		return false
	}
	for _, p := range src.Parts {
		if p.Period == "" || p.Period <= period {
			return true
		}
	}
	return false
}

// publish computes a release and freezes it in serve/releases/NNNN-YYYY-MM:
// the files are written into a staging folder, made read-only, and the
// folder is renamed into place; then the release row is marked published.
func (s *Server) publish(ctx context.Context, rl Release, p penetration.Period) {
	folder := fmt.Sprintf("%04d-%s", rl.Number, rl.Period)
	sum, subs, err := s.build(ctx, rl, p, folder)
	now := s.opt.Now()
	status, msg := "published", ""
	if err != nil {
		status, msg = "failed", err.Error()
		if damagedDataset(err) {
			// A part altered or removed under the service: said with what
			// mends it, as a certification over it is.
			msg = fmt.Sprintf("the release dataset cannot be read (%s): %s, then ask for the release again", err, damagedPartsAdvice)
		}
		if ctx.Err() != nil {
			// Close stopped it: what went wrong is the stop, not the
			// "context canceled" the run returned, and it reads as a
			// release found running at start-up after a crash does.
			msg = releaseInterrupted
		}
		folder = ""
		// The log says what the release record says (an operator reading
		// "context canceled" would not know the stop was the cause).
		s.log.Warn("release failed", "number", rl.Number, "period", rl.Period, "err", msg)
	} else {
		s.log.Info("release published", "number", rl.Number, "period", rl.Period, "sha256", sum)
	}
	tx, err := s.db.Begin()
	if err != nil {
		s.log.Error("release", "err", err)
		return
	}
	defer tx.Rollback()
	if subs == nil {
		subs = rl.Submissions
	}
	sj, _ := json.Marshal(subs)
	if _, err := tx.Exec(`UPDATE releases SET status = ?, finished_at = ?, folder = ?, sha256 = ?, error = ?, submissions = ? WHERE number = ?`,
		status, nowText(now), folder, sum, msg, string(sj), rl.Number); err != nil {
		s.log.Error("release", "err", err)
		return
	}
	if err := appendAudit(context.Background(), tx, now, rl.CreatedBy, "release."+status, strconv.FormatInt(rl.Number, 10), sum, msg); err != nil {
		s.log.Error("release", "err", err)
		return
	}
	if err := tx.Commit(); err != nil {
		s.log.Error("release", "err", err)
	}
}

// build runs the month and writes the release folder; it returns the
// SHA-256 of the release's manifest (release.json) and the certified
// submissions the release read (nil when it failed before reading).
func (s *Server) build(ctx context.Context, rl Release, p penetration.Period, folder string) (string, []int64, error) {
	s.dsMu.RLock()
	defer s.dsMu.RUnlock()
	// Read through a path that no longer leads to the dataset, the month
	// would have no data, or a part would be missing half-way.
	if err := s.datasetHere(); err != nil {
		return "", nil, err
	}
	// A certification whose rows are in the dataset but whose outcome
	// could not be recorded is recorded first, or the release does not
	// run: it would read rows of a submission that reads accepted.
	if err := s.recordLateCertifications(ctx); err != nil {
		return "", nil, fmt.Errorf("a certification written to the release dataset is not recorded yet, and cannot be now: %w", err)
	}
	// The submissions certified now, with no certification under way (it
	// holds dsMu): the ones whose rows the dataset opened below holds. A
	// certification that finished after the request listed them is read
	// too, and listed; one retracted from the dataset since is not.
	store, err := dataset.Open(s.opt.Dataset)
	if err != nil {
		return "", nil, err
	}
	subs, err := certifiedSubmissions(ctx, s.db, func(sha string) bool { return feeds(store, sha, rl.Period) })
	if err != nil {
		return "", nil, err
	}
	rl.Submissions = subs
	sum, err := s.buildFolder(ctx, rl, p, folder)
	if herr := s.datasetHere(); err != nil && herr != nil {
		return "", subs, herr
	}
	return sum, subs, err
}

// buildFolder is build with dsMu held.
func (s *Server) buildFolder(ctx context.Context, rl Release, p penetration.Period, folder string) (string, error) {
	store, err := dataset.Open(s.opt.Dataset)
	if err != nil {
		return "", err
	}
	run, err := runMonth(ctx, store, p)
	if err != nil {
		return "", err
	}
	readBack, notRead := 0, 0
	for _, st := range run.sum.Stages {
		switch {
		case st.NotRead:
			notRead++
		case st.Reused:
			readBack++
		}
	}
	s.log.Info("release month run", "number", rl.Number, "period", rl.Period, "stages", len(run.sum.Stages), "read_back", readBack,
		"current_not_read", notRead,
		"measurement_passes", run.scans.Scans, "rows", run.scans.Rows, "calibration", run.calibration, "seconds", run.sum.Elapsed.Seconds())
	for _, n := range run.notices {
		s.log.Info("release month options", "number", rl.Number, "period", rl.Period, "notice", n.Kind.String(), "path", n.Path,
			"months", n.Months, "items", n.Items)
	}
	root := filepath.Join(s.state, "releases")
	stage, err := os.MkdirTemp(root, ".tmp-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(stage)
	dz := run.dz
	// Each province code a person reads is named beside it, from the 2025
	// provinces the month was attributed with (a release attributes no
	// communes: it names none).
	provinces, err := provinces2025()
	if err != nil {
		return "", err
	}
	// Whole households in every file; their exact sums in the manifest.
	totals := map[string]float64{}
	vs := make([]ReleaseVillage, 0, len(dz.Villages.Villages))
	for _, v := range dz.Villages.Villages {
		rv := ReleaseVillage{ID: v.ID, Name: v.Name, Province: v.Province, ProvinceName: pipeline.UnitName(provinces, v.Province), CommuneCode: v.CommuneCode, Lon: v.Lon, Lat: v.Lat,
			Households: pipeline.WholeCount(v.Households), Level: v.Level.String(), WithoutSignal: v.WithoutSignal()}
		if v.HasVerdict {
			pd := deadzone.RoundPDead(v.Verdict.PDead, 4, dz.Villages.Cut)
			rv.PDead, rv.Status = &pd, deadzone.StatusOf(v.Verdict.PDead).String()
			if v.Verdict.Best.Tech.Valid() {
				rv.BestCarrier, rv.BestTech = string(v.Verdict.Best.Carrier), v.Verdict.Best.Tech.String()
			}
		}
		if v.HasNearby {
			rv.Tests300m, rv.NoService300m = v.Nearby.Tests, v.Nearby.NoService
		}
		vs = append(vs, rv)
	}
	if err := writeJSONAtomic(filepath.Join(stage, "villages.json"), vs); err != nil {
		return "", err
	}
	fc := geojson.NewFeatureCollection()
	for _, z := range dz.Zones {
		mp, err := hexgrid.Outline(z.Cells)
		if err != nil {
			return "", err
		}
		f := geojson.NewFeature(mp)
		f.Properties["zone_id"] = z.ID
		f.Properties["households"] = pipeline.WholeCount(z.Households)
		totals["deadzones.households"] += z.Households
		f.Properties["hexes"] = len(z.Cells)
		f.Properties["area_km2"] = math.Round(z.AreaKm2*10) / 10
		totals["deadzones.area_km2"] += z.AreaKm2
		f.Properties["villages"] = len(z.Villages)
		codes, names := []string{}, []string{}
		for _, u := range z.Provinces {
			codes = append(codes, u.Code)
			names = append(names, pipeline.UnitName(provinces, u.Code))
		}
		// The names in the codes' order: province_names[i] names provinces[i].
		f.Properties["provinces"], f.Properties["province_names"] = codes, names
		fc.Append(f)
	}
	// Coordinates to export.GeoJSONDecimals, as every GeoJSON lomsong
	// writes: the hex vertices' 15 to 17 decimals measure nothing.
	if err := writeJSONAtomic(filepath.Join(stage, "deadzones.geojson"), export.RoundGeoJSON(fc)); err != nil {
		return "", err
	}
	rgaps := make([]ReleaseGap, 0, len(dz.Gaps.Hexes))
	for _, h := range dz.Gaps.Hexes {
		ctr, err := h.Cell.Center()
		if err != nil {
			return "", err
		}
		g := ReleaseGap{Cell: h.Cell.String(), Lon: ctr[0], Lat: ctr[1], Carrier: string(h.Carrier), Gap: "nobody_covers",
			CoveredBy: []string{}, Households: pipeline.WholeCount(h.Households), Province: h.Admin.Province,
			ProvinceName: pipeline.UnitName(provinces, h.Admin.Province), Commune: h.Admin.Commune}
		if h.Shareable() {
			g.Gap = "another_carrier_covers"
		}
		for _, c := range h.Others {
			g.CoveredBy = append(g.CoveredBy, string(c))
		}
		rgaps = append(rgaps, g)
	}
	if err := writeJSONAtomic(filepath.Join(stage, "gaps.json"), rgaps); err != nil {
		return "", err
	}
	hexes, err := releaseHexes(dz)
	if err != nil {
		return "", err
	}
	if err := writeJSONAtomic(filepath.Join(stage, "hexes.json"), hexes); err != nil {
		return "", err
	}
	// Named as lomsong run --out names them (a release attributes no
	// communes: commune_name is empty, in villages.csv too).
	gaps, err := pipeline.NamedGapTable(dz.Gaps, provinces, nil)
	if err != nil {
		return "", err
	}
	for name, cols := range map[string]func() error{
		"villages.csv": func() error {
			return writeCSVAtomic(filepath.Join(stage, "villages.csv"),
				pipeline.WholeCounts(pipeline.NamedVillageTable(dz.Villages, provinces, nil), "villages", totals, "households", "population"))
		},
		"carrier_gaps.csv": func() error {
			return writeCSVAtomic(filepath.Join(stage, "carrier_gaps.csv"), pipeline.WholeCounts(gaps, "gaps", totals, "households", "population"))
		},
	} {
		if err := cols(); err != nil {
			return "", fmt.Errorf("%s: %w", name, err)
		}
	}
	if err := writeJSONAtomic(filepath.Join(stage, "campaign.json"), run.campaign); err != nil {
		return "", err
	}
	names := []string{"villages.json", "villages.csv", "deadzones.geojson", "carrier_gaps.csv", "gaps.json", "hexes.json", "campaign.json"}
	if run.card != nil {
		f, err := dataset.CreateAtomic(filepath.Join(stage, "scorecard.json"))
		if err != nil {
			return "", err
		}
		if err := run.card.WriteJSON(f); err != nil {
			f.Abort()
			return "", err
		}
		if err := f.Commit(); err != nil {
			return "", err
		}
		names = append(names, "scorecard.json")
	}
	manifest := map[string]any{"number": rl.Number, "period": rl.Period, "created_by": rl.CreatedBy, "created_at": rl.CreatedAt,
		"submissions": rl.Submissions, "dataset_sources": len(store.Manifest().Sources), "sources": releaseSources(store.Manifest()), "files": map[string]string{},
		"calibration": run.calibration, "stages": releaseStages(run.sum), "measurement_passes": run.scans.Scans,
		"counts": pipeline.ExactTotalsNote, "exact_totals": totals}
	files := manifest["files"].(map[string]string)
	for _, name := range names {
		sum, err := dataset.SHA256File(filepath.Join(stage, name))
		if err != nil {
			return "", err
		}
		files[name] = sum
	}
	mj, _ := json.MarshalIndent(manifest, "", "  ")
	mj = append(mj, '\n')
	if err := dataset.WriteFileAtomic(filepath.Join(stage, "release.json"), mj); err != nil {
		return "", err
	}
	entries, err := os.ReadDir(stage)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		if err := os.Chmod(filepath.Join(stage, e.Name()), 0o444); err != nil {
			return "", err
		}
	}
	if err := dataset.SyncDir(stage); err != nil {
		return "", err
	}
	if err := os.Chmod(stage, 0o555); err != nil {
		return "", err
	}
	if err := os.Rename(stage, filepath.Join(root, folder)); err != nil {
		return "", err
	}
	if err := dataset.SyncDir(root); err != nil {
		return "", err
	}
	h := sha256.Sum256(mj)
	return hex.EncodeToString(h[:]), nil
}

// ReleaseStage is what the month's run did for one stage: its saved
// output was current (Current) and read back (ReadBack), or current and
// not needed, because every stage after it was current too (Current
// without ReadBack); or the stage was computed (neither), and Why says
// why.
type ReleaseStage struct {
	Stage    string `json:"stage"`
	Carrier  string `json:"carrier,omitempty"`
	Current  bool   `json:"current"`
	ReadBack bool   `json:"read_back"`
	Why      string `json:"why,omitempty"`
}

func releaseStages(sum *pipeline.RunSummary) []ReleaseStage {
	out := []ReleaseStage{}
	for _, st := range sum.Stages {
		out = append(out, ReleaseStage{Stage: st.Stage, Carrier: st.Carrier, Current: st.Reused && !st.Missing,
			ReadBack: st.Reused && !st.NotRead, Why: st.Why})
	}
	return out
}

func writeJSONAtomic(path string, v any) error {
	f, err := dataset.CreateAtomic(path)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(f).Encode(v); err != nil {
		f.Abort()
		return err
	}
	return f.Commit()
}

func writeCSVAtomic(path string, cols []arrowio.Column) error {
	f, err := dataset.CreateAtomic(path)
	if err != nil {
		return err
	}
	if err := pipeline.WriteCSV(f, cols); err != nil {
		f.Abort()
		return err
	}
	return f.Commit()
}

func (s *Server) listReleases(w http.ResponseWriter, r *http.Request) {
	rows, err := s.db.QueryContext(r.Context(), `SELECT `+releaseCols+` FROM releases ORDER BY number`)
	if err != nil {
		s.internal(w, err)
		return
	}
	defer rows.Close()
	out := []Release{}
	for rows.Next() {
		rl, err := scanRelease(rows)
		if err != nil {
			s.internal(w, err)
			return
		}
		out = append(out, rl)
	}
	writeJSON(w, http.StatusOK, map[string]any{"releases": out})
}

// releaseOf returns the latest published release of the request's
// {period}, writing 404 when there is none.
func (s *Server) releaseOf(w http.ResponseWriter, r *http.Request) (Release, bool) {
	period := r.PathValue("period")
	if !calendarMonth(period) {
		// A usage error, not a month without a release.
		writeError(w, http.StatusBadRequest, "period %q: want a calendar month YYYY-MM", period)
		return Release{}, false
	}
	if r.URL.Query().Has("release") {
		return s.releaseNumbered(w, r, period)
	}
	rl, err := scanRelease(s.db.QueryRowContext(r.Context(), `SELECT `+releaseCols+` FROM releases
		WHERE period = ? AND status = 'published' ORDER BY number DESC LIMIT 1`, period))
	if errors.Is(err, sql.ErrNoRows) {
		// Why there is none, when a release of the month was asked for:
		// a reader polling while it is computed hears that it comes.
		why := ""
		last, err := scanRelease(s.db.QueryRowContext(r.Context(), `SELECT `+releaseCols+` FROM releases
			WHERE period = ? ORDER BY number DESC LIMIT 1`, period))
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			s.internal(w, err)
			return rl, false
		case last.Status == "running":
			why = fmt.Sprintf(": release %d of it is being computed (asked for at %s); read it once GET /api/v1/releases shows it published",
				last.Number, parseTime(last.CreatedAt).Format(time.RFC3339))
		case last.Status == "failed":
			why = fmt.Sprintf(": release %d of it failed (%s)", last.Number, last.Error)
		}
		writeError(w, http.StatusNotFound, "no published release for %q%s", period, why)
		return rl, false
	}
	if err != nil {
		s.internal(w, err)
		return rl, false
	}
	return rl, true
}

// releaseNumbered is the release ?release=N of period, published: an
// earlier release of the month than its latest (one a late dump's
// republication superseded) read as it was published, its files never
// changing. A number that is no release, a release of another month, and
// one not published are 404 saying which; one that is no number 400.
func (s *Server) releaseNumbered(w http.ResponseWriter, r *http.Request, period string) (Release, bool) {
	q := r.URL.Query().Get("release")
	n, ok := parseNumber(q)
	if !ok {
		writeError(w, http.StatusBadRequest, "release %q: want a release number written as the list writes it (1, 2, …; GET /api/v1/releases lists them)", q)
		return Release{}, false
	}
	rl, err := scanRelease(s.db.QueryRowContext(r.Context(), `SELECT `+releaseCols+` FROM releases WHERE number = ?`, n))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		writeError(w, http.StatusNotFound, "no release %d (GET /api/v1/releases lists them)", n)
		return rl, false
	case err != nil:
		s.internal(w, err)
		return rl, false
	case rl.Period != period:
		writeError(w, http.StatusNotFound, "release %d is of %s, not %s: ask for it under /api/v1/releases/%s/", n, rl.Period, period, rl.Period)
		return rl, false
	case rl.Status == "running":
		writeError(w, http.StatusNotFound, "release %d of %s is being computed (asked for at %s); read it once GET /api/v1/releases shows it published",
			n, period, parseTime(rl.CreatedAt).Format(time.RFC3339))
		return rl, false
	case rl.Status != "published":
		writeError(w, http.StatusNotFound, "release %d of %s failed (%s): it was never published", n, period, rl.Error)
		return rl, false
	}
	return rl, true
}

// calendarMonth reports whether s is a month written YYYY-MM.
func calendarMonth(s string) bool {
	p, err := penetration.ParsePeriod(s)
	return err == nil && p.Year >= 1000 && p.String() == s
}

// provinceScope checks the request's {code} against the user's scope: the
// ministry reads every province, a province user its own, a carrier none
// of the province pages.
func (s *Server) provinceScope(w http.ResponseWriter, r *http.Request) (string, bool) {
	code := r.PathValue("code")
	return code, s.inScope(w, userOf(r), code)
}

// inScope checks a province code asked for against the 34 provinces of
// 2025 (404) and the user's scope: the ministry reads every province, a
// province user its own, a carrier none (403). On failure it has written
// the response.
func (s *Server) inScope(w http.ResponseWriter, u User, code string) bool {
	set, err := provinces2025()
	if err != nil {
		s.internal(w, err)
		return false
	}
	if _, ok := set.ByCode(code); !ok {
		// A province named rather than coded (the name its user was
		// registered with, or a code without its leading zero), or a
		// former one, is told the code to ask for.
		hint := ""
		var nf *geodata.NotFoundError
		switch un, err := set.Lookup(code); {
		case err == nil:
			hint = fmt.Sprintf(": %s is province %s, and the request takes its code", un.Name, un.Code)
		case errors.As(err, &nf) && nf.Former != nil:
			hint = fmt.Sprintf(": %s (%s) %s; ask for %s", nf.Former.Name, nf.Former.Code, nf.Former.Became(), nf.Former.Into.Code)
		}
		writeError(w, http.StatusNotFound, "no province with code %q among the 34 provinces of 2025%s", code, hint)
		return false
	}
	switch {
	case u.Role == RoleMinistry:
	case u.Role == RoleProvince && u.Province == code:
	default:
		writeError(w, http.StatusForbidden, "province %s is outside your scope", code)
		return false
	}
	return true
}

// releaseVillagesOf resolves the request's release and reads its villages;
// on failure it has written the response (404, 500) and ok is false.
func (s *Server) releaseVillagesOf(w http.ResponseWriter, r *http.Request) (rl Release, vs []ReleaseVillage, ok bool) {
	if rl, ok = s.releaseOf(w, r); !ok {
		return rl, nil, false
	}
	vs, err := s.readVillages(rl)
	if err != nil {
		s.internal(w, err)
		return rl, nil, false
	}
	return rl, vs, true
}

func (s *Server) readVillages(rl Release) ([]ReleaseVillage, error) {
	var vs []ReleaseVillage
	if err := s.readReleaseJSON(rl, "villages.json", &vs); err != nil {
		return nil, err
	}
	// Named from the code, for releases written before villages.json
	// named their provinces too.
	for i := range vs {
		vs[i].ProvinceName = provinceName(vs[i].Province)
	}
	return vs, nil
}

// readReleaseJSON decodes the file name of release rl into v. A file that
// cannot be read returns the os error as it is (errors.Is
// os.ErrNotExist: the release has none); one that does not decode, an
// error naming the release and the file.
func (s *Server) readReleaseJSON(rl Release, name string, v any) error {
	b, err := os.ReadFile(filepath.Join(s.state, "releases", rl.folder, name))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("release %d: %s: %w", rl.Number, name, err)
	}
	return nil
}

// provincesOf returns the provinces some village of the published release
// rl lies in, read from its villages once per release.
func (s *Server) provincesOf(rl Release) (map[string]bool, error) {
	s.provincesMu.Lock()
	defer s.provincesMu.Unlock()
	if p, ok := s.provinces[rl.Number]; ok {
		return p, nil
	}
	vs, err := s.readVillages(rl)
	if err != nil {
		return nil, err
	}
	p := map[string]bool{}
	for _, v := range vs {
		p[v.Province] = true
	}
	if s.provinces == nil {
		s.provinces = map[int64]map[string]bool{}
	}
	s.provinces[rl.Number] = p
	return p, nil
}

// assess sets m's "assessed" for province code in release rl, and for a
// province none of whose villages is in the release "note" too: every
// province answer says so, as its empty lists are "not known", never
// "none". On an error nothing is set and the response is written (500).
func (s *Server) assess(w http.ResponseWriter, m map[string]any, rl Release, code string) bool {
	provinces, err := s.provincesOf(rl)
	if err != nil {
		s.internal(w, err)
		return false
	}
	m["assessed"] = provinces[code]
	if !provinces[code] {
		m["note"] = fmt.Sprintf("not assessed in release %d: no village of the release lies in province %s, so its dead zones are not known", rl.Number, code)
	}
	return true
}

func (s *Server) releaseVillages(w http.ResponseWriter, r *http.Request) {
	code, ok := s.provinceScope(w, r)
	if !ok {
		return
	}
	rl, all, ok := s.releaseVillagesOf(w, r)
	if !ok {
		return
	}
	vs := []ReleaseVillage{}
	for _, v := range all {
		if v.Province == code {
			vs = append(vs, v)
		}
	}
	switch r.URL.Query().Get("format") {
	case "", "json":
		// A province none of whose villages is in the release was not
		// assessed: its empty lists are "not known", not "no dead zones".
		body := map[string]any{"release": rl.Number, "period": rl.Period, "province": code, "name": provinceName(code), "villages": vs}
		if !s.assess(w, body, rl, code) {
			return
		}
		writeJSON(w, http.StatusOK, body)
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		writeVillagesCSV(w, vs)
	default:
		writeError(w, http.StatusBadRequest, "format %q: want json or csv", r.URL.Query().Get("format"))
	}
}

// writeVillagesCSV writes vs as CSV, each village's province named right
// after its code (province_name), as the JSON answer names it.
func writeVillagesCSV(w io.Writer, vs []ReleaseVillage) {
	cw := csv.NewWriter(w)
	cw.Write([]string{"village_id", "name", "province", "province_name", "commune_code", "lon", "lat", "households", "level", "without_signal",
		"p_dead", "status", "best_carrier", "best_tech", "tests_300m", "no_service_300m"})
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, v := range vs {
		pd := ""
		if v.PDead != nil {
			pd = f(*v.PDead)
		}
		cw.Write([]string{v.ID, v.Name, v.Province, provinceName(v.Province), v.CommuneCode, f(v.Lon), f(v.Lat), f(v.Households), v.Level,
			strconv.FormatBool(v.WithoutSignal), pd, v.Status, v.BestCarrier, v.BestTech, strconv.Itoa(v.Tests300m), strconv.Itoa(v.NoService300m)})
	}
	cw.Flush()
}

func (s *Server) releaseDeadzones(w http.ResponseWriter, r *http.Request) {
	code, ok := s.provinceScope(w, r)
	if !ok {
		return
	}
	rl, ok := s.releaseOf(w, r)
	if !ok {
		return
	}
	fc, err := s.readZones(rl)
	if err != nil {
		s.internal(w, err)
		return
	}
	out := geojson.NewFeatureCollection()
	for _, f := range fc.Features {
		codes, _ := f.Properties["provinces"].([]any)
		if slices.Contains(codes, any(code)) {
			// Each code named in its order (province_names), also
			// in releases written before deadzones.geojson named them.
			names := make([]string, len(codes))
			for i, c := range codes {
				c, _ := c.(string)
				names[i] = provinceName(c)
			}
			f.Properties["province_names"] = names
			out.Append(f)
		}
	}
	// Foreign members (RFC 7946 §6.1): an empty collection of a province
	// not assessed is "not known", not "no dead zones".
	out.ExtraMembers = geojson.Properties{}
	if !s.assess(w, out.ExtraMembers, rl, code) {
		return
	}
	writeCompactJSON(w, "application/geo+json", out)
}

// readExactTotals returns the release manifest's exact totals (the sums of
// the unrounded figures its files round), empty for a release without.
func (s *Server) readExactTotals(rl Release) (map[string]float64, error) {
	var m struct {
		Totals map[string]float64 `json:"exact_totals"`
	}
	if err := s.readReleaseJSON(rl, "release.json", &m); err != nil {
		return nil, err
	}
	return m.Totals, nil
}

// readZones reads a release's dead zones (deadzones.geojson).
func (s *Server) readZones(rl Release) (*geojson.FeatureCollection, error) {
	b, err := os.ReadFile(filepath.Join(s.state, "releases", rl.folder, "deadzones.geojson"))
	if err != nil {
		return nil, err
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		return nil, fmt.Errorf("release %d: deadzones.geojson: %w", rl.Number, err)
	}
	return fc, nil
}

// releaseDiff compares the period's release with the one before it in
// time (the same month's previous release, else the latest earlier
// month's): villages newly without signal and newly served.
// A province user sees its own province's villages only, the ministry
// every province's or one's (?province=CODE); a carrier none.
func (s *Server) releaseDiff(w http.ResponseWriter, r *http.Request) {
	want, rl, ok := s.provinceRelease(w, r, "the village diff")
	if !ok {
		return
	}
	// The release before it in time: of the same month published before
	// it (a late dump's republication), else of the latest earlier month
	// as published before it; never a later month's, whenever that was
	// published, nor one published after it (an earlier month published
	// again later), so that a release's diff stays as it was published.
	// Releases are made one at a time: numbers are in publication order.
	prev, err := scanRelease(s.db.QueryRowContext(r.Context(), `SELECT `+releaseCols+` FROM releases
		WHERE status = 'published' AND period <= ? AND number < ? ORDER BY period DESC, number DESC LIMIT 1`,
		rl.Period, rl.Number))
	if errors.Is(err, sql.ErrNoRows) {
		writeError(w, http.StatusNotFound, "release %d (%s) is the first of its month, and no earlier month's was published before it: there is nothing to compare it with", rl.Number, rl.Period)
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	cur, err := s.readVillages(rl)
	if err != nil {
		s.internal(w, err)
		return
	}
	old, err := s.readVillages(prev)
	if err != nil {
		s.internal(w, err)
		return
	}
	d := diffVillages(old, cur, func(v ReleaseVillage) bool { return want == "" || v.Province == want })
	body := map[string]any{"release": rl.Number, "period": rl.Period, "previous_release": prev.Number,
		"previous_period": prev.Period, "newly_dead": d.dead, "newly_served": d.served}
	if err := s.sourcesDiff(body, prev, rl); err != nil {
		s.internal(w, err)
		return
	}
	if want != "" {
		body["province"], body["province_name"] = want, provinceName(want)
		if !s.assess(w, body, rl, want) {
			return
		}
	}
	writeJSON(w, http.StatusOK, body)
}

type villageDiff struct{ dead, served []ReleaseVillage }

// diffVillages lists the villages of cur (kept by keep) without signal now
// that were served in old, or absent from it ("newly dead"), and those
// served now that were without signal in old ("newly served"); by id.
func diffVillages(old, cur []ReleaseVillage, keep func(ReleaseVillage) bool) villageDiff {
	before := map[string]bool{} // id → without signal
	for _, v := range old {
		before[v.ID] = v.WithoutSignal
	}
	d := villageDiff{dead: []ReleaseVillage{}, served: []ReleaseVillage{}}
	for _, v := range cur {
		if !keep(v) {
			continue
		}
		was, known := before[v.ID]
		switch {
		case v.WithoutSignal && (!known || !was):
			d.dead = append(d.dead, v)
		case !v.WithoutSignal && known && was:
			d.served = append(d.served, v)
		}
	}
	byID := func(a, b ReleaseVillage) int {
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	}
	slices.SortFunc(d.dead, byID)
	slices.SortFunc(d.served, byID)
	return d
}

// releaseScorecard sends the province's rows and alerts of the release's
// scorecard (every month of the subscriptions; target 1 of this month
// only). A release computed without subscriptions has none: 404.
func (s *Server) releaseScorecard(w http.ResponseWriter, r *http.Request) {
	code, ok := s.provinceScope(w, r)
	if !ok {
		return
	}
	rl, ok := s.releaseOf(w, r)
	if !ok {
		return
	}
	var card struct {
		Rules  any              `json:"rules"`
		Rows   []map[string]any `json:"rows"`
		Alerts []map[string]any `json:"alerts"`
	}
	err := s.readReleaseJSON(rl, "scorecard.json", &card)
	if errors.Is(err, os.ErrNotExist) {
		writeError(w, http.StatusNotFound, "release %d has no scorecard: no subscriptions were certified", rl.Number)
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	keep := func(in []map[string]any) []map[string]any {
		out := []map[string]any{}
		for _, x := range in {
			if x["area"] == code {
				out = append(out, x)
			}
		}
		return out
	}
	// The province's name beside its code, as its rows have it (name;
	// a release written before they had one has it here alone).
	body := map[string]any{"release": rl.Number, "period": rl.Period, "province": code, "name": provinceName(code),
		"rules": card.Rules, "rows": keep(card.Rows), "alerts": keep(card.Alerts), "assessed": true}
	rows := body["rows"].([]map[string]any)
	if len(rows) == 0 {
		// The card has no row of the province (a release published
		// before the card scored every province): its targets are not
		// known (no subscription rows of it were certified).
		body["assessed"], body["note"] = false, fmt.Sprintf("not assessed in release %d: the certified subscriptions have no row of province %s, so its targets are not known", rl.Number, code)
	} else if why, known := cardRowsKnown(rows); !known {
		// Its rows are unknowns alone: the month's row of a province
		// without subscriptions, villages or speed tests.
		body["assessed"], body["note"] = false, fmt.Sprintf("not assessed in release %d: no target of province %s is known (%s)", rl.Number, code, why)
	}
	writeJSON(w, http.StatusOK, body)
}

// cardRowsKnown reports whether a target of the scorecard rows is known
// (its status other than unknown) and, when none is, the first unknown
// target's reason.
func cardRowsKnown(rows []map[string]any) (string, bool) {
	why := ""
	for _, r := range rows {
		targets, _ := r["targets"].([]any)
		for _, x := range targets {
			t, _ := x.(map[string]any)
			if t["status"] != "unknown" {
				return "", true
			}
			if reason, _ := t["reason"].(string); why == "" && reason != "" {
				why = reason
			}
		}
	}
	return why, false
}

// releaseGaps sends the carrier gaps of the period's latest release: a
// carrier its own (with, by name only, the carriers that cover each gap),
// a province those in its province, the ministry all (or one carrier's
// with ?carrier=).
func (s *Server) releaseGaps(w http.ResponseWriter, r *http.Request) {
	rl, ok := s.releaseOf(w, r)
	if !ok {
		return
	}
	var all []ReleaseGap
	if err := s.readReleaseJSON(rl, "gaps.json", &all); err != nil {
		s.internal(w, err)
		return
	}
	u := userOf(r)
	want := r.URL.Query().Get("carrier")
	if want != "" {
		c, err := engine.ParseCarrier(want)
		if err != nil {
			writeError(w, http.StatusBadRequest, "carrier %q: %v", want, err)
			return
		}
		want = string(c)
		if u.Role == RoleCarrier && want != string(u.Carrier) {
			writeError(w, http.StatusForbidden, "the gaps of %s are not yours", want)
			return
		}
	}
	// A carrier the release does not know is not answered with an empty
	// list, which reads as "no gaps": a misspelt ?carrier is 404, and a
	// carrier user's own carrier absent from the release (no data of it
	// certified yet, or registered under another spelling) is not
	// assessed, and said so. Every carrier of the analysis appears in the
	// gaps, as the carrier of its own or as covering another's, whenever
	// there is any gap.
	known := map[string]bool{}
	for _, g := range all {
		known[g.Carrier] = true
		for _, o := range g.CoveredBy {
			known[o] = true
		}
	}
	absent := func(c string) string {
		if len(known) == 0 || known[c] {
			return ""
		}
		return fmt.Sprintf("%q: not in release %d (carriers: %s)", c, rl.Number, strings.Join(slices.Sorted(maps.Keys(known)), ", "))
	}
	// A carrier user asking for its own carrier by name is answered as
	// without it: not assessed, said so (it was 404 one way, 200 the other).
	own := u.Role == RoleCarrier && want == string(u.Carrier)
	if why := absent(want); want != "" && why != "" && !own {
		writeError(w, http.StatusNotFound, "carrier %s", why)
		return
	}
	keep := func(g ReleaseGap) bool {
		switch {
		case want != "" && g.Carrier != want:
			return false
		case u.Role == RoleCarrier:
			return g.Carrier == string(u.Carrier)
		case u.Role == RoleProvince:
			return g.Province == u.Province
		}
		return true
	}
	out := []ReleaseGap{}
	for _, g := range all {
		if keep(g) {
			g.ProvinceName = provinceName(g.Province)
			out = append(out, g)
		}
	}
	body := map[string]any{"release": rl.Number, "period": rl.Period, "gaps": out}
	if u.Role == RoleCarrier {
		body["carrier"], body["assessed"] = string(u.Carrier), true
		if why := absent(string(u.Carrier)); why != "" {
			body["assessed"], body["note"] = false, "your carrier "+why+": its gaps are not known"
		}
	}
	if u.Role == RoleProvince {
		// The province's own gaps: none listed is "none" only when the
		// province was assessed.
		body["province"], body["province_name"] = u.Province, provinceName(u.Province)
		if !s.assess(w, body, rl, u.Province) {
			return
		}
	}
	writeJSON(w, http.StatusOK, body)
}

func provinces2025() (*geodata.BoundarySet, error) { return geodata.Provinces2025() }

// provinceName is the name of a 2025 province, "" for a code it has not.
func provinceName(code string) string {
	set, err := provinces2025()
	if err != nil {
		return ""
	}
	return pipeline.UnitName(set, code)
}

// releaseHexesOf sends the province's hexes of the period's latest release.
func (s *Server) releaseHexesOf(w http.ResponseWriter, r *http.Request) {
	code, ok := s.provinceScope(w, r)
	if !ok {
		return
	}
	rl, ok := s.releaseOf(w, r)
	if !ok {
		return
	}
	var all []ReleaseHex
	if err := s.readReleaseJSON(rl, "hexes.json", &all); err != nil {
		s.internal(w, err)
		return
	}
	out := []ReleaseHex{}
	for _, h := range all {
		if h.Province == code {
			out = append(out, h)
		}
	}
	// Compact, like deadzones.geojson: the boundaries are most of the
	// body, and indenting puts each of their numbers on a line.
	body := map[string]any{"release": rl.Number, "period": rl.Period, "province": code, "province_name": provinceName(code), "hexes": out}
	if !s.assess(w, body, rl, code) {
		return
	}
	writeCompactJSON(w, "application/json; charset=utf-8", body)
}

// The campaign a release plans, per province: the days and teams of the
// month's measuring campaign. lomsong campaign has no default for --days;
// a release takes the 20 working days of a month (its example's figure)
// and the command's default of one team, and campaign.Config's defaults
// for the rest (8-hour days, 1.5 h per village, 30 km/h, detour 1.4,
// miss cost 1, whose cut 0.5 is the release's verdict cut, residual error
// 0.05), starting from the village nearest the province's villages' mean
// position (campaign.DefaultStart).
const (
	campaignDays  = 20
	campaignTeams = 1
)

// ReleaseCampaign is a release's measurement campaign: where to measure
// next, one plan per province (campaign.Build over the province's
// villages with a verdict, as lomsong campaign --dataset --province plans
// it from the same verdict).
type ReleaseCampaign struct {
	Days          int                       `json:"days"`
	Teams         int                       `json:"teams"`
	DayHours      float64                   `json:"day_hours"`
	MeasureHours  float64                   `json:"measure_hours"`
	SpeedKmh      float64                   `json:"speed_kmh"`
	DetourFactor  float64                   `json:"detour_factor"`
	MissCost      float64                   `json:"miss_cost"`
	ResidualError float64                   `json:"residual_error"`
	Provinces     []ReleaseProvinceCampaign `json:"provinces"`
}

// ReleaseProvinceCampaign is one province's campaign.
type ReleaseProvinceCampaign struct {
	Province string `json:"province"`
	// ProvinceName is the province's 2025 name, in the release's file
	// and, named again from the code, in every answer (as ReleaseGap's).
	ProvinceName string `json:"province_name"`
	// Villages counts the province's villages with a verdict; Ranked
	// those with a positive value, best first.
	Villages int `json:"villages_with_verdict"`
	// StartLon, StartLat are where the teams start: the village nearest
	// the mean position of the province's villages with a verdict.
	StartLon float64                `json:"start_lon"`
	StartLat float64                `json:"start_lat"`
	RiskNow  float64                `json:"risk_now"`
	Value    float64                `json:"value"`
	Ranked   []ReleaseCampaignVisit `json:"ranked"`
	Routes   []ReleaseCampaignRoute `json:"routes"`
}

// ReleaseCampaignVisit is one ranked village (campaign.csv's columns);
// team, day and order are 0 when it is not visited.
type ReleaseCampaignVisit struct {
	Rank       int     `json:"rank"`
	ID         string  `json:"village_id"`
	Name       string  `json:"name"`
	Commune    string  `json:"commune"`
	Lon        float64 `json:"lon"`
	Lat        float64 `json:"lat"`
	Households float64 `json:"households"`
	PDead      float64 `json:"p_dead"`
	Value      float64 `json:"value"`
	Team       int     `json:"team"`
	Day        int     `json:"day"`
	Order      int     `json:"order"`
}

// ReleaseCampaignRoute is one team-day: the villages in visiting order.
type ReleaseCampaignRoute struct {
	Team        int      `json:"team"`
	Day         int      `json:"day"`
	Villages    []string `json:"villages"`
	LengthKm    float64  `json:"length_km"`
	TravelHours float64  `json:"travel_hours"`
	Hours       float64  `json:"hours"`
	Value       float64  `json:"value"`
}

func round(v float64, digits int) float64 {
	m := math.Pow(10, float64(digits))
	return math.Round(v*m) / m
}

// releaseCampaign plans the campaign of every province with villages that
// have a verdict, provinces by code.
func releaseCampaign(dz *pipeline.DeadZoneResult) (*ReleaseCampaign, error) {
	cfg := campaign.Config{Days: campaignDays, Teams: campaignTeams}.Defaults()
	out := &ReleaseCampaign{Days: cfg.Days, Teams: cfg.Teams, DayHours: cfg.DayHours, MeasureHours: cfg.MeasureHours, SpeedKmh: cfg.SpeedKmh,
		DetourFactor: cfg.DetourFactor, MissCost: cfg.MissCost, ResidualError: cfg.ResidualError, Provinces: []ReleaseProvinceCampaign{}}
	byProvince := map[string][]campaign.Village{}
	for _, v := range dz.Villages.Villages {
		if !v.HasVerdict || v.Province == "" {
			continue
		}
		byProvince[v.Province] = append(byProvince[v.Province], campaign.Village{Village: engine.Village{ID: v.ID, Name: v.Name,
			CommuneCode: v.CommuneCode, Lon: v.Lon, Lat: v.Lat, Households: v.Households}, PDead: v.Verdict.PDead})
	}
	codes := slices.Sorted(func(yield func(string) bool) {
		for c := range byProvince {
			if !yield(c) {
				return
			}
		}
	})
	for _, code := range codes {
		vs := byProvince[code]
		plan, err := campaign.Build(vs, cfg)
		if err != nil {
			return nil, fmt.Errorf("campaign of province %s: %w", code, err)
		}
		pc := ReleaseProvinceCampaign{Province: code, ProvinceName: provinceName(code), Villages: len(vs), StartLon: round(plan.Config.Start[0], 6), StartLat: round(plan.Config.Start[1], 6), RiskNow: round(plan.RiskNow, 4), Value: round(plan.Value, 4),
			Ranked: make([]ReleaseCampaignVisit, 0, len(plan.Ranked)), Routes: make([]ReleaseCampaignRoute, 0, len(plan.Routes))}
		for i, v := range plan.Ranked {
			pc.Ranked = append(pc.Ranked, ReleaseCampaignVisit{Rank: i + 1, ID: v.ID, Name: v.Name, Commune: v.CommuneCode, Lon: v.Lon, Lat: v.Lat,
				Households: pipeline.WholeCount(v.Households), PDead: round(v.PDead, 4), Value: round(v.Value, 4), Team: v.Team, Day: v.Day, Order: v.Order})
		}
		for _, r := range plan.Routes {
			ids := make([]string, len(r.Rows))
			for i, row := range r.Rows {
				ids[i] = vs[row].ID
			}
			pc.Routes = append(pc.Routes, ReleaseCampaignRoute{Team: r.Team, Day: r.Day, Villages: ids, LengthKm: round(r.LengthKm, 1),
				TravelHours: round(r.TravelHours, 2), Hours: round(r.Hours, 2), Value: round(r.Value, 4)})
		}
		out.Provinces = append(out.Provinces, pc)
	}
	return out, nil
}

// provinceParam returns the province a request is for: its ?province=CODE
// (a ministry user's choice; a province user's own or refused), a
// province user's own without it, or "" for a ministry user's every
// province. It answers 404 for a code that is no province of 2025 and 403
// for another province than a province user's, and returns false then.
func (s *Server) provinceParam(w http.ResponseWriter, r *http.Request, u User) (string, bool) {
	want := r.URL.Query().Get("province")
	if want != "" && !s.inScope(w, u, want) {
		return "", false
	}
	if u.Role == RoleProvince {
		want = u.Province
	}
	return want, true
}

// provinceRelease reads what a ministry or province request for a
// release's villages is for: the province (provinceParam) and the period's
// release. A carrier is refused (what names the answer it asked for).
func (s *Server) provinceRelease(w http.ResponseWriter, r *http.Request, what string) (string, Release, bool) {
	u := userOf(r)
	if u.Role == RoleCarrier {
		writeError(w, http.StatusForbidden, "%s is for the ministry and the provinces", what)
		return "", Release{}, false
	}
	want, ok := s.provinceParam(w, r, u)
	if !ok {
		return "", Release{}, false
	}
	rl, ok := s.releaseOf(w, r)
	return want, rl, ok
}

// releaseCampaignOf sends the campaign of the period's latest release: the
// ministry every province's (or one with ?province=CODE), a province user
// its own province's only; carriers none. A release published before
// releases planned campaigns has none: 404.
func (s *Server) releaseCampaignOf(w http.ResponseWriter, r *http.Request) {
	want, rl, ok := s.provinceRelease(w, r, "the measurement campaign")
	if !ok {
		return
	}
	var c ReleaseCampaign
	err := s.readReleaseJSON(rl, "campaign.json", &c)
	if errors.Is(err, os.ErrNotExist) {
		writeError(w, http.StatusNotFound, "release %d has no campaign: it was published before releases planned one", rl.Number)
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	kept := []ReleaseProvinceCampaign{}
	for _, p := range c.Provinces {
		if want == "" || p.Province == want {
			p.ProvinceName = provinceName(p.Province)
			kept = append(kept, p)
		}
	}
	c.Provinces = kept
	body := map[string]any{"release": rl.Number, "period": rl.Period, "campaign": c}
	if want != "" {
		// One province's campaign: none planned is "not assessed" when
		// none of its villages is in the release (nothing to measure is
		// not known there).
		body["province"], body["province_name"] = want, provinceName(want)
		if !s.assess(w, body, rl, want) {
			return
		}
	}
	writeJSON(w, http.StatusOK, body)
}

// releaseFile serves a file of a published release byte for byte as it
// was written: release.json (its manifest, whose SHA-256 the list of
// releases gives) or a file the manifest lists with its SHA-256, so that
// a copy kept by the ministry can be checked against what was published.
func (s *Server) releaseFile(w http.ResponseWriter, r *http.Request) {
	rl, ok := s.releaseOf(w, r)
	if !ok {
		return
	}
	name := r.PathValue("name")
	if name != "release.json" {
		var man struct {
			Files map[string]string `json:"files"`
		}
		if err := s.readReleaseJSON(rl, "release.json", &man); err != nil {
			s.internal(w, err)
			return
		}
		if _, listed := man.Files[name]; !listed {
			names := slices.Sorted(maps.Keys(man.Files))
			writeError(w, http.StatusNotFound, "release %d of %s has no file %q: its files are release.json, %s", rl.Number, rl.Period, name, strings.Join(names, ", "))
			return
		}
	}
	b, err := os.ReadFile(filepath.Join(s.state, "releases", rl.folder, name))
	if err != nil {
		s.internal(w, err)
		return
	}
	ctype := "application/json"
	switch {
	case strings.HasSuffix(name, ".csv"):
		ctype = "text/csv; charset=utf-8"
	case strings.HasSuffix(name, ".geojson"):
		ctype = "application/geo+json"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}
