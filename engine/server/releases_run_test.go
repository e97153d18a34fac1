package server

import (
	"context"
	"encoding/csv"
	"math"
	"net/http"
	"time"

	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/engine/pipeline"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/calfile"
	"github.com/lomsong/lomsong/engine/coverage"
	"github.com/lomsong/lomsong/engine/predict"
)

// releaseManifest is what a test reads of a release's release.json.
type releaseManifest struct {
	Files       map[string]string  `json:"files"`
	Calibration string             `json:"calibration"`
	Stages      []ReleaseStage     `json:"stages"`
	Passes      int64              `json:"measurement_passes"`
	ExactTotals map[string]float64 `json:"exact_totals"`
}

func (ts *testService) manifest(t *testing.T, rl Release) releaseManifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ts.dir, StateDir, "releases", fmt.Sprintf("%04d-%s", rl.Number, rl.Period), "release.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m releaseManifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// shiftMonth moves the measurements of a CSV from October 2024 to
// September 2024, keeping the days 02–29 (a day that exists in both months
// whatever the time zone).
func shiftMonth(t *testing.T, b []byte) []byte {
	t.Helper()
	lines := strings.SplitAfter(string(b), "\n")
	out := lines[0]
	n := 0
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, "2024-10-") || len(l) < 10 || l[8:10] < "02" || l[8:10] > "29" {
			continue
		}
		out += "2024-09-" + l[len("2024-10-"):]
		n++
	}
	if n < 100 {
		t.Fatalf("only %d measurements to shift (first line %.80q)", n, lines[min(1, len(lines)-1)])
	}
	return []byte(out)
}

func targetOf(t *testing.T, ts *testService, period, month string) (status, reason string) {
	t.Helper()
	code, b := ts.call(t, "laichau", "GET", "/api/v1/releases/"+period+"/provinces/12/scorecard", "/api/v1/releases/{period}/provinces/{code}/scorecard", nil, "")
	var card struct {
		Rows []struct {
			Period  string
			Targets []struct{ Target, Status, Reason string }
		}
	}
	if err := json.Unmarshal(b, &card); err != nil || code != 200 {
		t.Fatalf("scorecard: %d %v %.300s", code, err, b)
	}
	for _, r := range card.Rows {
		if r.Period == month {
			return r.Targets[0].Status, r.Targets[0].Reason
		}
	}
	t.Fatalf("scorecard of %s has no row for %s", period, month)
	return "", ""
}

// A release runs its month through the saved stages: publishing the same
// month again with nothing new certified reads every stage back and makes
// no pass over the measurements, with the same files; the scorecard scores
// target 1 of an earlier month from that month's saved dead zones once it
// was published; the campaign is planned per province and a province sees
// its own; a calibration file in the dataset calibrates the release.
func TestReleaseStagesScorecardCampaignCalibration(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	ids := []struct {
		user string
		id   int64
	}{
		{"cuc", ts.submit(t, "cuc", "villages", "villages.csv", f.villages)},
		{"cuc", ts.submit(t, "cuc", "subscriptions", "subscriptions.csv", f.subs)},
		{"vt", ts.submit(t, "vt", "sites", "sites.csv", f.sites["viettel"])},
		{"vt", ts.submit(t, "vt", "measurements", "oct.csv", f.measurements["viettel"])},
		{"vt", ts.submit(t, "vt", "measurements", "sep.csv", shiftMonth(t, f.measurements["viettel"]))},
	}
	for _, x := range ids {
		if s := ts.wait(t, x.user, x.id); s.Status != "accepted" {
			t.Fatalf("submission %d: %+v", x.id, s)
		}
		if code := ts.certify(t, x.user, x.id); code != 200 {
			t.Fatalf("certify %d: %d", x.id, code)
		}
	}

	// October first: September's dead zones were never run, so its
	// target 1 is unknown, with the reason.
	r1 := ts.release(t, "2024-10")
	if r1.Status != "published" {
		t.Fatalf("release 1: %+v", r1)
	}
	// Two passes: October's run, and September's for the speed trend
	// (target 5), saved for September's own run.
	m1 := ts.manifest(t, r1)
	if m1.Passes != 2 || len(m1.Stages) < 3 || m1.Calibration != "" {
		t.Fatalf("release 1 run: %+v", m1)
	}
	for _, st := range m1.Stages {
		if st.Current || st.ReadBack || st.Why == "" {
			t.Errorf("release 1, a first run, read back stage %+v", st)
		}
	}
	if st, why := targetOf(t, ts, "2024-10", "2024-09"); st != "unknown" || !strings.Contains(why, "no current saved dead zones for 2024-09") {
		t.Errorf("September before its release: %s %q", st, why)
	}
	if st, _ := targetOf(t, ts, "2024-10", "2024-10"); st == "unknown" {
		t.Error("target 1 of the release's own month is unknown")
	}

	// The same content as the direct computation the releases made before
	// they ran through the saved stages (pipeline.MonthDeadZones).
	store, err := dataset.Open(ts.dir)
	if err != nil {
		t.Fatal(err)
	}
	opt, _, err := releaseRunOptions(store, "2024-10")
	if err != nil {
		t.Fatal(err)
	}
	direct, missing, err := pipeline.MonthDeadZones(context.Background(), store, opt.DeadZones, penetration.Period{Year: 2024, Month: time.October})
	if err != nil || missing != "" {
		t.Fatalf("direct: %v %s", err, missing)
	}
	rl1, err := ts.s.readVillages(Release{Number: r1.Number, folder: fmt.Sprintf("%04d-2024-10", r1.Number)})
	if err != nil || len(rl1) != len(direct.Villages.Villages) || len(rl1) == 0 {
		t.Fatalf("villages: %d released, %d direct, %v", len(rl1), len(direct.Villages.Villages), err)
	}
	without := 0
	for i, v := range direct.Villages.Villages {
		r := rl1[i]
		if r.ID != v.ID || r.WithoutSignal != v.WithoutSignal() || (r.PDead == nil) != !v.HasVerdict ||
			(r.PDead != nil && math.Abs(*r.PDead-v.Verdict.PDead) > 5e-5) {
			t.Fatalf("village %s: released %+v, direct %+v", v.ID, r, v)
		}
		if r.WithoutSignal {
			without++
		}
	}
	t.Logf("%d villages, %d without signal, the same as the direct computation", len(rl1), without)

	// Households are whole numbers in every release file, by the same rule
	// as the CLI's tables; the manifest keeps the exact sums.
	var exact float64
	for i, v := range direct.Villages.Villages {
		exact += v.Households
		if rl1[i].Households != pipeline.WholeCount(v.Households) {
			t.Fatalf("village %s: %v households released, %v exact", v.ID, rl1[i].Households, v.Households)
		}
	}
	if got := m1.ExactTotals["villages.households"]; math.Abs(got-exact) > 1e-6*max(1, exact) {
		t.Errorf("exact_totals villages.households = %v, want %v (%v)", got, exact, m1.ExactTotals)
	}
	if _, ok := m1.ExactTotals["gaps.households"]; !ok {
		t.Errorf("exact_totals has no gaps.households: %v", m1.ExactTotals)
	}
	folder := filepath.Join(ts.dir, StateDir, "releases", fmt.Sprintf("%04d-2024-10", r1.Number))
	for _, name := range []string{"villages.csv", "carrier_gaps.csv"} {
		f, err := os.Open(filepath.Join(folder, name))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil || len(rows) < 2 {
			t.Fatalf("%s: %d rows, %v", name, len(rows), err)
		}
		col := slices.Index(rows[0], "households")
		if col < 0 {
			t.Fatalf("%s: no households column: %q", name, rows[0])
		}
		for _, r := range rows[1:] {
			if _, err := strconv.ParseInt(r[col], 10, 64); err != nil {
				t.Fatalf("%s: households %q is not a whole number: %q", name, r[col], r)
			}
		}
		// The gaps' and villages' provinces are named right after their
		// codes, as lomsong run --out names them; a release attributes no
		// communes, so commune_name, right after commune, is empty.
		p, c := slices.Index(rows[0], "province"), slices.Index(rows[0], "commune")
		if p < 0 || p+1 >= len(rows[0]) || rows[0][p+1] != "province_name" {
			t.Fatalf("%s: no province_name right after province: %q", name, rows[0])
		}
		if c < 0 || c+1 >= len(rows[0]) || rows[0][c+1] != "commune_name" {
			t.Fatalf("%s: no commune_name right after commune: %q", name, rows[0])
		}
		for _, r := range rows[1:] {
			if r[p] != "12" || r[p+1] != "Lai Châu" {
				t.Fatalf("%s: province %q named %q, want 12 Lai Châu", name, r[p], r[p+1])
			}
			if r[c+1] != "" {
				t.Fatalf("%s: commune %q named %q, want no name", name, r[c], r[c+1])
			}
		}
	}

	// The release's card says the month it was made for, as the
	// scorecard command's does (the notebook shows that month).
	var card struct {
		Period string `json:"period"`
	}
	if b, err := os.ReadFile(filepath.Join(folder, "scorecard.json")); err != nil || json.Unmarshal(b, &card) != nil || card.Period != "2024-10" {
		t.Errorf("scorecard.json period %q (%v), want 2024-10", card.Period, err)
	}

	// September, then October again: October is read back entirely and
	// September's target 1 is known.
	r2 := ts.release(t, "2024-09")
	if r2.Status != "published" {
		t.Fatalf("September: %+v", r2)
	}
	if m2 := ts.manifest(t, r2); m2.Passes != 0 {
		t.Errorf("September made %d passes over the measurements; October's release saved its pass", m2.Passes)
	}
	r3 := ts.release(t, "2024-10")
	m3 := ts.manifest(t, r3)
	// Stages whose outputs are only inputs of current later stages (the
	// per-carrier predictions) are not opened at all: fewer may be listed.
	if r3.Status != "published" || m3.Passes != 0 || len(m3.Stages) == 0 || len(m3.Stages) > len(m1.Stages) ||
		!slices.ContainsFunc(m3.Stages, func(st ReleaseStage) bool { return st.Stage == "deadzones" }) {
		t.Fatalf("release 3: %+v %+v", r3, m3)
	}
	for _, st := range m3.Stages {
		if !st.Current {
			t.Errorf("release 3 computed stage %+v again with nothing new", st)
		}
		// The measure stage is current and not needed (coverage and dead
		// zones were current): it was not read, and must not say so.
		if notNeeded := st.Stage == "measure"; st.ReadBack == notNeeded {
			t.Errorf("release 3 stage %+v: read back %v, want %v", st, st.ReadBack, !notNeeded)
		}
	}
	for name, sum := range m1.Files {
		if name != "scorecard.json" && m3.Files[name] != sum {
			t.Errorf("%s differs between the computed and the read-back run", name)
		}
	}
	t.Logf("release 1 stages %+v; release 3 stages %+v", m1.Stages, m3.Stages)
	if st, why := targetOf(t, ts, "2024-10", "2024-09"); st == "unknown" {
		t.Errorf("September after its release is still unknown: %q", why)
	}
	// Each release's diff is against the release published before it:
	// October's first against nothing (September's, published after it,
	// was taken, and the diff of a published release changed with it),
	// September's against nothing (October is later), October's second
	// against its first.
	for _, c := range []struct {
		rl   Release
		prev int64
	}{{r1, 0}, {r2, 0}, {r3, r1.Number}} {
		code, b := ts.call(t, "cuc", "GET", fmt.Sprintf("/api/v1/releases/%s/diff?release=%d", c.rl.Period, c.rl.Number), "/api/v1/releases/{period}/diff", nil, "")
		var d struct {
			Previous int64 `json:"previous_release"`
		}
		json.Unmarshal(b, &d)
		if c.prev == 0 && (code != http.StatusNotFound || !strings.Contains(string(b), "no earlier month's was published before it")) ||
			c.prev != 0 && (code != http.StatusOK || d.Previous != c.prev) {
			t.Errorf("diff of release %d (%s): %d %.300s; want previous release %d (0: none, 404)", c.rl.Number, c.rl.Period, code, b, c.prev)
		}
	}

	// The campaign: a province reads its own rows only.
	code, b := ts.call(t, "cuc", "GET", "/api/v1/releases/2024-10/campaign", "/api/v1/releases/{period}/campaign", nil, "")
	var all struct {
		Release  int64
		Campaign ReleaseCampaign
	}
	if err := json.Unmarshal(b, &all); err != nil || code != 200 || all.Release != r3.Number || len(all.Campaign.Provinces) == 0 {
		t.Fatalf("campaign (ministry): %d %v %.300s", code, err, b)
	}
	if all.Campaign.Days != campaignDays || all.Campaign.Teams != campaignTeams || all.Campaign.DayHours != 8 {
		t.Errorf("campaign settings: %+v", all.Campaign)
	}
	var lc *ReleaseProvinceCampaign
	for i, p := range all.Campaign.Provinces {
		if p.Province == "12" {
			lc = &all.Campaign.Provinces[i]
		}
	}
	if lc == nil || len(lc.Ranked) == 0 || len(lc.Routes) == 0 {
		t.Fatalf("no campaign for Lai Châu: %.500s", b)
	}
	checkCampaign(t, *lc)
	if lc.ProvinceName != "Lai Châu" {
		t.Errorf("Lai Châu's campaign names province 12 %q", lc.ProvinceName)
	}
	if lc.StartLon < 102 || lc.StartLon > 104.5 || lc.StartLat < 21.5 || lc.StartLat > 23 {
		t.Errorf("Lai Châu's campaign starts at %g, %g, outside the province", lc.StartLon, lc.StartLat)
	}
	t.Logf("Lai Châu campaign: %d villages with a verdict, %d ranked, %d routes, value %g of risk %g", lc.Villages, len(lc.Ranked), len(lc.Routes), lc.Value, lc.RiskNow)
	code, b = ts.call(t, "laichau", "GET", "/api/v1/releases/2024-10/campaign", "/api/v1/releases/{period}/campaign", nil, "")
	var own struct {
		Province     string `json:"province"`
		ProvinceName string `json:"province_name"`
		Campaign     ReleaseCampaign
	}
	json.Unmarshal(b, &own)
	if code != 200 || len(own.Campaign.Provinces) != 1 || own.Campaign.Provinces[0].Province != "12" ||
		len(own.Campaign.Provinces[0].Ranked) != len(lc.Ranked) || own.Province != "12" || own.ProvinceName != "Lai Châu" {
		t.Fatalf("campaign (province 12): %d %.300s", code, b)
	}
	for _, c := range []struct {
		user, path string
		code       int
	}{
		{"laichau", "/api/v1/releases/2024-10/campaign?province=01", 403},
		{"vt", "/api/v1/releases/2024-10/campaign", 403},
		{"cuc", "/api/v1/releases/2024-10/campaign?province=99", 404},
		{"cuc", "/api/v1/releases/2023-01/campaign", 404},
		{"cuc", "/api/v1/releases/2024-10/campaign?province=12", 200},
		// A malformed month is a usage error, not a month without a release.
		{"cuc", "/api/v1/releases/2024-13/campaign", 400},
		{"cuc", "/api/v1/releases/abc/campaign", 400},
	} {
		if code, b := ts.call(t, c.user, "GET", c.path, "/api/v1/releases/{period}/campaign", nil, ""); code != c.code {
			t.Errorf("%s %s: %d, want %d (%.200s)", c.user, c.path, code, c.code, b)
		}
	}

	// A calibration file in the dataset calibrates the next release: the
	// measure passes and the best-server search (uncalibrated) are read
	// back, coverage is computed again with it.
	var cals []coverage.Calibration
	for _, tech := range []engine.Tech{engine.Tech2G, engine.Tech3G, engine.Tech4G, engine.Tech5G} {
		cals = append(cals, coverage.Calibration{Carrier: engine.Viettel, Tech: tech, N: 10,
			Fit: predict.Fit{N: 10, OffsetDB: -40, SigmaDB: 8}})
	}
	if err := calfile.WriteCalibrationFile(filepath.Join(ts.dir, "calibration.json"), calfile.New(8, false, cals, pipeline.DefaultMinPairs)); err != nil {
		t.Fatal(err)
	}
	r4 := ts.release(t, "2024-10")
	m4 := ts.manifest(t, r4)
	if r4.Status != "published" || m4.Calibration != "calibration.json" || m4.Passes != 0 {
		t.Fatalf("calibrated release: %+v %+v", r4, m4)
	}
	for _, st := range m4.Stages {
		if want := st.Stage == "measure" || st.Stage == "predictions"; st.ReadBack != want || st.Current != want {
			t.Errorf("calibrated release, stage %+v: read back %v, want %v", st, st.ReadBack, want)
		}
	}
	if m4.Files["villages.json"] == m3.Files["villages.json"] || m4.Files["hexes.json"] == m3.Files["hexes.json"] {
		t.Error("a calibration 40 dB down changed neither the villages nor the hexes")
	}
	// A broken calibration file refuses the release before it starts,
	// with its name.
	os.WriteFile(filepath.Join(ts.dir, "calibration.json"), []byte(`{"resolution":8,"calibrations":[{"carrier":"","tech":"4G"}]}`), 0o644)
	if code, b := ts.askRelease(t, "2024-10"); code != http.StatusConflict || !strings.Contains(b, "calibration.json") || !strings.Contains(b, "nothing was started") {
		t.Errorf("release with a broken calibration file: %d %s", code, b)
	}
}

// checkCampaign checks a province's plan for consistency: ranked best
// first, visits within the teams and days, routes listing the visited
// villages in their order.
func checkCampaign(t *testing.T, p ReleaseProvinceCampaign) {
	t.Helper()
	visited := map[string]ReleaseCampaignVisit{}
	var total float64
	for i, v := range p.Ranked {
		if v.Rank != i+1 || (i > 0 && v.Value > p.Ranked[i-1].Value) || v.Value <= 0 {
			t.Fatalf("ranking at %d: %+v", i, v)
		}
		if v.Team > 0 {
			if v.Team > campaignTeams || v.Day < 1 || v.Day > campaignDays || v.Order < 1 {
				t.Fatalf("visit outside the campaign: %+v", v)
			}
			visited[v.ID] = v
			total += v.Value
		}
	}
	n := 0
	for _, r := range p.Routes {
		if r.Hours > 8+1e-9 || len(r.Villages) == 0 {
			t.Fatalf("route %+v", r)
		}
		for i, id := range r.Villages {
			v, ok := visited[id]
			if !ok || v.Team != r.Team || v.Day != r.Day || v.Order != i+1 {
				t.Fatalf("route %d/%d lists %s at %d: %+v", r.Team, r.Day, id, i+1, v)
			}
			n++
		}
	}
	if n != len(visited) {
		t.Fatalf("%d villages on routes, %d visited", n, len(visited))
	}
	if d := total - p.Value; d > 1e-2 || d < -1e-2 {
		t.Errorf("plan value %g, visits sum to %g", p.Value, total)
	}
	if !slices.IsSortedFunc(p.Routes, func(a, b ReleaseCampaignRoute) int {
		if a.Day != b.Day {
			return a.Day - b.Day
		}
		return a.Team - b.Team
	}) {
		t.Error("routes not by day, then team")
	}
}

// A release lists the submissions whose rows it read: the ones certified
// when it opens the dataset (no certification under way), not the ones
// certified when it was asked for — a certification that finished in
// between was read and left out of the list.
func TestReleaseListsTheSubmissionsItRead(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	vil := ts.submit(t, "cuc", "villages", "villages.csv", f.villages)
	vts := ts.submit(t, "vt", "sites", "sites.csv", f.sites["viettel"])
	vtm := ts.submit(t, "vt", "measurements", "viettel.csv", f.measurements["viettel"])
	for _, c := range []struct {
		user string
		id   int64
	}{{"cuc", vil}, {"vt", vts}, {"vt", vtm}} {
		if s := ts.wait(t, c.user, c.id); s.Status != "accepted" {
			t.Fatalf("submission %d: %+v", c.id, s)
		}
	}
	for _, c := range []struct {
		user string
		id   int64
	}{{"cuc", vil}, {"vt", vts}} {
		if code := ts.certify(t, c.user, c.id); code != 200 {
			t.Fatalf("certify %d: %d", c.id, code)
		}
	}
	// A certification under way holds the dataset: the release is asked
	// for meanwhile, and the certification ends before it reads.
	ts.s.dsMu.Lock()
	code, b := ts.call(t, "cuc", "POST", "/api/v1/releases", "/api/v1/releases", strings.NewReader(`{"period":"2024-10"}`), "application/json")
	if code != 202 {
		ts.s.dsMu.Unlock()
		t.Fatalf("release: %d %s", code, b)
	}
	var asked Release
	json.Unmarshal(b, &asked)
	// The certification's work, as certify does it under the lock: the
	// rows into the dataset, then the status.
	certify := func() error {
		sub, err := scanSubmission(ts.s.db.QueryRow(`SELECT `+submissionCols+` FROM submissions WHERE id = ?`, vtm))
		if err != nil {
			return err
		}
		lim, err := recordedLimits(sub)
		if err != nil {
			return err
		}
		opt, err := ts.s.ingestOptions(sub, lim)
		if err != nil {
			return err
		}
		store, err := dataset.Open(ts.dir)
		if err != nil {
			return err
		}
		if _, err := store.IngestFile(context.Background(), ts.s.spoolPath(sub), opt); err != nil {
			return err
		}
		_, err = ts.s.db.Exec(`UPDATE submissions SET status = 'certified' WHERE id = ?`, vtm)
		return err
	}
	if err := certify(); err != nil {
		ts.s.dsMu.Unlock()
		t.Fatal(err)
	}
	ts.s.dsMu.Unlock()
	if !slices.Equal(asked.Submissions, []int64{vil, vts}) {
		t.Fatalf("asked for: submissions %v", asked.Submissions)
	}
	var rl Release
	deadline := time.Now().Add(120 * time.Second)
	for rl.Number == 0 {
		_, b := ts.call(t, "cuc", "GET", "/api/v1/releases", "/api/v1/releases", nil, "")
		var list struct{ Releases []Release }
		json.Unmarshal(b, &list)
		for _, r := range list.Releases {
			if r.Number == asked.Number && r.Status != "running" {
				rl = r
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("release still running")
		}
		time.Sleep(50 * time.Millisecond)
	}
	want := []int64{vil, vts, vtm}
	if !slices.Equal(rl.Submissions, want) {
		t.Fatalf("release %d (%s): submissions %v, want %v", rl.Number, rl.Status, rl.Submissions, want)
	}
	if rl.Status == "published" {
		b, err := os.ReadFile(filepath.Join(ts.dir, StateDir, "releases", fmt.Sprintf("%04d-%s", rl.Number, rl.Period), "release.json"))
		if err != nil {
			t.Fatal(err)
		}
		var m struct{ Submissions []int64 }
		if err := json.Unmarshal(b, &m); err != nil || !slices.Equal(m.Submissions, want) {
			t.Fatalf("release.json: submissions %v (%v)", m.Submissions, err)
		}
	}
}
