package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/challenge"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/lomsong/lomsong/engine/pipeline"
	"github.com/lomsong/lomsong/engine/report"
	"github.com/lomsong/lomsong/geodata"
	"github.com/lomsong/lomsong/internal/plural"
	"github.com/paulmach/orb/geojson"
)

const deadzonesSynopsis = `deadzones --dataset DIR --out DIR [flags]

Finds the populated places without 3G/4G ("lõm sóng"). Every village and populated
hex centre gets P(dead): the probability that no carrier's 3G, 4G or 5G reaches its
threshold there, from the calibrated prediction plus a radio map of the residuals of
every nearby test (carriers share a terrain component; no-service rows and readings
at the floor are upper bounds). A place is without signal when P(dead) is at least
the cut, 0.5 by default or 1/(1+C) with --miss-cost C; a 2G-only place is dead.
P(dead) is the share of 2,000 Monte Carlo draws from the posterior (seeded by the
place's id), drawn again up to 16,000 times when it lies within three standard
errors of the cut, so that the draws' own noise rarely decides the side: its last
digits near the cut can differ between two cuts. At
a hex centre a decisive measured hex verdict (as lomsong coverage decides it)
stands. Dead hexes that touch form a zone.
Households per hex come from --population (lomsong population) or, without it,
from the villages table; then (and with a table holding the villages' own
households in their hexes, as one made from their points does) a hex holding
villages takes their households-
weighted P(dead) (the share of its households expected without 3G/4G) instead of
its centre's, its carriers' service from their points too (a key serves the hex
when its households-weighted P(signal ≥ threshold) there exceeds 1 − cut), and
their province and commune: zones and carrier gaps follow the villages' own
verdicts (a hex is in a zone when one of its villages is without signal, and the
zone counts those villages' households, never a served village's; a carrier
serves the hex by its households-weighted service, so a zone hex whose other
villages a carrier serves has its other carriers' gaps there closable by
sharing with it: the sharing serves those villages, not the zone's).
With --province, the run analyses the province's hexes and reports its villages
(and any outside every province), each with its own verdict. The province's hexes
are those attributed to it, so that province runs add up to the whole: with the
villages as the population, a hex holding villages is theirs (wherever its centre
lies); with another population, a hex is the province's its centre lies in (a
border hex holding one of its villages may be a neighbour's, and its zone too).
Without --province, the places with no site and no tested hex within about
8–25 km (their resolution-5 cell or a neighbour of it) are not analysed when
their province holds no site of the register and no outdoor test of the month
(as --province refuses it) or when they lie outside every province (another
country's, a coarse outline's coast and islands): left out (neither dead nor
served), listed on stdout and in deadzones_meta.json (not_analysed), the
province's scorecard target 1 unknown. A unit without a site of its own is
otherwise analysed near its neighbours' (a commune, with communes as the
boundaries).

Writes to OUT:
  deadzones.geojson   zone outlines with every column of deadzones.csv, and the
                      province and commune of the largest share (province,
                      commune: codes)
  deadzones.csv       one row per zone: id (stable), hexes, area, households without
                      3G/4G, centroid, provinces and communes touched (CODE=SHARE,
                      largest share first: "12=0.75 14=0.25"), each followed by
                      the name of its first (province_name, commune_name),
                      villages in its hexes and how
                      many of them are served (villages_served; villages_uncertain
                      of those, on an uncertain verdict), nearest active
                      site per carrier, whether 2G reaches part of it, its hexes'
                      p_dead (households-weighted mean, and the least)
  hexes.csv           each analysed populated hex: centre, households, p_dead at its
                      centre from the same radio map as the villages (its villages'
                      households-weighted p_dead when they are the population),
                      status, zone, and the households its zone counts
                      (dead_zone_households); its province and commune, each code
                      followed by its name (province_name, commune_name). With the
                      villages as the population a hex is dead only as far as its
                      villages are: it is in a zone when one of its villages is
                      without signal, and counts the households of those villages,
                      never a served one's
  carrier_gaps.csv    per carrier, populated hexes it does not serve: closable by
                      sharing/roaming (another carrier serves it) or not; judged
                      where p_dead is (the centre, or the hex's villages): a hex
                      whose p_dead is at or above the cut is every carrier's
                      gap, nobody's to share; the
                      hex's province and commune, each code followed by its name
                      (province_name, commune_name)
  villages.csv        each village's verdict at its own point: p_dead, status
                      (confirmed_served ≤ 0.05 < likely_served ≤ 0.2 < uncertain < 0.8 ≤
                      likely_dead < 0.95 ≤ confirmed_dead), the best carrier/tech with
                      its posterior mean and σ, tests and no-service rows within 300 m,
                      the nearest test; level covered, 2g-only, no-signal, or
                      uncertain (counted as served on a p_dead above 0.2); with
                      --villages-by-hex, from its hex and the hexes within --radius-m;
                      its province and commune (a commune of the province the village's
                      point lies in: its own commune_code when --communes has it
                      there, else the commune holding the point — or, for a
                      point in none of them, the one holding most of its
                      resolution-10 cell, about 66 m an edge: a gap between
                      simplified borders —; without --communes, its own
                      commune_code, unchecked), each code followed by its name
                      (province_name, commune_name), and how (attribution:
                      commune_code, point, province_only — in a province but no
                      commune of it, or no commune code —, outside_all_units)
  radiomap.json       the residual field's model (variogram fit, then its level and
                      each key's mean fitted with the censored tests), the clutter
                      correction the tests show (clutter_offsets: an offset by the
                      population density around a point, on knots from 1 to
                      100,000 people per km², linear between them), the
                      observations behind it (mean_fit_observations: those the means
                      and the correction were fitted on — a phone's 2G/3G readings,
                      there only where its 4G failed, are kriged but left out of
                      them), the indoor loss and its spread, the noise of phones and
                      scanners, the cut and the Monte Carlo draws
  challenges.csv      per claimed hex with tests: the FCC-style verdict and the numbers
                      behind it (tests 06:00–22:00 local, outdoors or in vehicles;
                      ≥ 4 of 7 children, 2 negatives ≥ 4 h apart, ≥ 5 negatives with
                      a share significantly above 10%), and roll-ups to res 7 and 6
                      (challenged when ≥ 4 of 7 children are; upheld when ≥ 4 are
                      decided, challenged or upheld; else insufficient);
                      first_negative_ms and last_negative_ms are the first and last
                      negative test's time in Unix milliseconds (UTC), empty, as
                      negative_span_hours is, without a negative test; excluded:
                      the claim's tests not counted (at night, indoors or of no
                      environment, or without a usable result)
  deadzones_meta.json the exact (unrounded) sums of the household and population
                      columns: the tables give households and people as whole
                      numbers, each row rounded to the nearest; and the provinces
                      not analysed (not_analysed: code, name, populated hexes,
                      households, villages, why); expected_from_p_dead: what the
                      villages' p_dead expect of the list, whole and by
                      province (villages truly without 3G/4G expected in all,
                      among those listed and among those counted served, the
                      list's expected precision, recall and F1; p_dead taken as
                      calibrated; stdout says it too); provenance: the build, the
                      dataset manifest's SHA-256, the month analysed and the
                      calibration (file, SHA-256, months fitted on; or none, why);
                      metadata (also deadzones.geojson's "metadata" member): the
                      provenance with the coverage rules (thresholds, test,
                      resolution), the cell rule of the tests (lomsong.cell_rule:
                      a test counts in the res-R parent of its res-R+1 cell) and
                      of the villages (lomsong.village_cell_rule: their point's
                      cell at res R)
The CSV files are UTF-8 without a byte-order mark (comma-separated, a header
row): Excel shows the villages' Vietnamese names when villages.csv is opened
through Data > From Text/CSV with File origin "65001: Unicode (UTF-8)" (opened
by a double-click, Excel reads it in the Windows code page: "Báº£n" for "Bản").
Codes and ids are text: read province, commune and commune_code as text
(pandas: dtype=str; QGIS: untick "Detect field types") or "01" becomes 1.
Names are those of the boundary sets the month was attributed with (--boundaries,
--communes); a commune name is empty without --communes (a village's own
commune_code names no commune) and for a code the set does not hold.
The province columns hold the units of --boundaries: with a set of communes
given there (to analyse a commune), each is a commune's code and name, not its
province's, and commune is as without --communes.
The command prints the dead-zone households and villages without signal per
unit of --boundaries (its first column says which: province, commune, or unit
when the file's full names do not say) and the ten largest zones.`

const deadzonesExample = `  lomsong deadzones --dataset lomsong-demo/dataset --province "lai chau" --out lomsong-demo/deadzones
  lomsong deadzones --dataset ./ds --population ./pop/population.csv \
      --communes ../shared/data/vn_communes_2025.geojson --out ./dz`

func runDeadzones(ctx context.Context, args []string, e *env) error {
	fs := newFlags("deadzones", deadzonesSynopsis, deadzonesExample, e)
	var cf coverageFlags
	cf.register(fs)
	cf.registerPeriod(fs)
	out := fs.String("out", "", "output `directory`")
	communes, communeParent := registerCommunes(fs, "GeoJSON `file` of communes (e.g. ../shared/data/vn_communes_2025.geojson) to attribute hexes to")
	radius := fs.Float64("radius-m", 500, "with --villages-by-hex, a village takes the best service of the hexes within this `distance` of its point")
	byHex := fs.Bool("villages-by-hex", false, "decide villages from their hexes instead of a prediction at each village's point")
	served := fs.Float64("served-reliability", 0.5, "a hex or village counts as served when the probability that some carrier's 3G/4G/5G reaches the threshold is at least this `probability` (higher flags more places as dead zones); the cut is 1 − this")
	missCost := fs.Float64("miss-cost", 0, "`cost` of missing a dead village relative to a false alarm: the cut on P(dead) becomes 1/(1+cost) (instead of --served-reliability)")
	claims := fs.String("claims", "", "`file` of carrier-claimed coverage (CSV or any format ingest reads): cell,carrier,tech; default: the prediction. Invalid rows go to OUT/claims.quarantine.csv, a file with more than 5% of them is refused, its rejected rows in OUT/rejected/ (check it first with lomsong validate --kind claims)")
	if err := parseFlagsNoArgs(fs, args, e); err != nil {
		return err
	}
	if *out == "" {
		fs.Usage()
		return usageError{"deadzones: --out DIR is required"}
	}
	cut, err := deadzone.CutFromServedReliability(*served)
	if err != nil {
		return usageError{fmt.Sprintf("deadzones: --served-reliability %g: want a probability between 0 and 1 (at least 1e-15 from either end)", *served)}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if given["radius-m"] && !*byHex {
		return usageError{"deadzones: --radius-m applies to --villages-by-hex only (without it each village is decided at its own point)"}
	}
	if given["miss-cost"] { // also 0, which is refused, not taken as unset
		if given["served-reliability"] {
			return usageError{"deadzones: give --miss-cost or --served-reliability, not both"}
		}
		c, err := missCostCut("deadzones", *missCost)
		if err != nil {
			return err
		}
		cut = c
	}
	if err := inputFilesReadable(fs); err != nil {
		return err
	}
	if err := outDirUsable("deadzones", *out, "deadzones.csv, villages.csv and the other dead-zone files"); err != nil {
		return err
	}
	if err := outOutsideDataset("deadzones", *out, cf.dataset); err != nil {
		return err
	}
	if err := outputsFree(*out, "deadzones", deadzoneOutputs(*claims != ""), *claims, *communes, cf.population, cf.calibration, cf.bounds.boundaries); err != nil {
		return err
	}
	if err := setUnlocked(*out, "deadzones"); err != nil {
		return err
	}
	store, copt, area, provinces, err := cf.prepare(e, false)
	if err != nil {
		return err
	}
	opt := pipeline.DeadZoneOptions{Coverage: copt, Provinces: provinces, Villages: deadzone.VillageOptions{RadiusM: *radius},
		Challenge: challenge.DefaultConfig(), VillagesByHex: *byHex, Cut: cut}
	if err := opt.Villages.Validate(); err != nil {
		return usageError{err.Error()}
	}
	if opt.Communes, err = loadCommunes(e, *communes, *communeParent, provinces); err != nil {
		return err
	}
	var claimsTable *dataset.ArgTable
	if *claims != "" {
		ccfg := ingest.Defaults("", e.now())
		ccfg.CellRes = cf.res // a claim names an analysis hex
		rows, t, err := dataset.ReadClaims(ctx, *claims, ccfg)
		if err != nil {
			return err
		}
		if err := checkArgTable(e, t, "claims.quarantine.csv", *out); err != nil {
			return err
		}
		opt.Claims, claimsTable = pipeline.ClaimsOf(rows), t
	}
	prog := startProgress(e, "deadzones: measurements")
	opt.Coverage.Aggregate.Progress = prog.set
	res, err := pipeline.DeadZones(ctx, store, opt)
	prog.end()
	if err != nil {
		return err
	}
	if err := checkCommunesGiven(e.stderr, res, opt.Communes, provinces, *communes); err != nil {
		return err
	}
	prov, err := cf.provenance(e)
	if err != nil {
		return err
	}
	withPeriods(prov, opt.Coverage.Aggregate.Periods)
	if *claims != "" {
		// Which claims challenges.csv adjudicated (without --claims, the
		// prediction's coverage, as lomsong run's).
		prov["lomsong.claims"] = *claims
		if sum, err := dataset.SHA256File(*claims); err == nil {
			prov["lomsong.claims_sha256"] = sum
		}
	}
	if err := writeSet(ctx, *out, "deadzones", func(stage string) error {
		if err := writeArgQuarantine(stage, claimsTable, "claims.quarantine.csv"); err != nil {
			return err
		}
		return writeDeadzones(stage, res, prov, provinces, opt.Communes)
	}, *claims, *communes, cf.population, cf.calibration, cf.bounds.boundaries); err != nil {
		return err
	}
	if err := clearRejected(*out, "claims.quarantine.csv"); err != nil {
		return err
	}
	printDeadzoneSummary(e.stdout, res, provinces, opt.Communes, area, cf.popSource, cf.provinceCode)
	if *claims != "" {
		printClaimsRead(e.stdout, *claims, claimsTable, opt.Claims, res.Challenges)
	}
	files := "deadzones.geojson,deadzones.csv,carrier_gaps.csv,villages.csv,hexes.csv,challenges.csv,radiomap.json,deadzones_meta.json"
	if claimsTable != nil {
		files += ",claims.quarantine.csv"
	}
	fmt.Fprintf(e.stdout, "wrote %s/{%s}\n", *out, files)
	return nil
}

// printClaimsRead says what became of a --claims file: its rows, the
// distinct claims (hex, carrier, technology) they make (spellings of one
// carrier or technology are one claim), how many have tests of the month
// and so a row of challenges.csv, and how many none, so are not
// adjudicated (a claim of a carrier no test names, a misspelt one
// included, is among them).
func printClaimsRead(w io.Writer, path string, t *dataset.ArgTable, claims []challenge.Claim, rep challenge.Report) {
	distinct := map[challenge.Claim]bool{}
	for _, c := range claims {
		distinct[c] = true
	}
	with := rep.Counts().Claims
	fmt.Fprintf(w, "claims of %s: %s accepted, %s (hex, carrier, technology); %d with tests of the month (challenges.csv), %d without a test: not adjudicated\n",
		path, plural.Count(t.Report.Accepted, "row", "rows"), plural.Count(len(distinct), "claim", "claims"), with, len(distinct)-with)
}

// deadzoneOutputs names the files writeDeadzones always writes, with the
// claims' quarantine when claims are read (for outputsFree).
func deadzoneOutputs(claims bool) []string {
	names := []string{"deadzones.geojson", "deadzones.csv", "carrier_gaps.csv", "villages.csv", "hexes.csv", "challenges.csv", "radiomap.json", "deadzones_meta.json"}
	if claims {
		names = append(names, "claims.quarantine.csv")
	}
	return names
}

// villageCellRule says which hexagon a village counts in at analysis
// resolution res: its point's cell, unlike a test (cellRule). The
// dead-zone metadata records it as lomsong.village_cell_rule; coverage
// --help states it.
func villageCellRule(res int) string {
	return fmt.Sprintf("a village's cell (villages.csv cell, and the hex its households count in when the villages are the population) is LatLngToCell of its point at res %d", res)
}

// deadzonesMeta is the dead-zone outputs' metadata: the coverage rules
// the verdicts were made with (thresholds, test, σ, resolution, as
// coverage's metadata records them), which hexagon a test counts in
// (lomsong.cell_rule) and which one a village's point does, and prov.
func deadzonesMeta(res *pipeline.DeadZoneResult, prov map[string]string) map[string]string {
	meta := map[string]string{}
	if res.Coverage != nil {
		meta = res.Coverage.Config.Metadata() // with lomsong.cell_rule
		r := res.Coverage.Config.Resolution
		meta["lomsong.village_cell_rule"] = villageCellRule(r)
	}
	meta["lomsong.table"] = "deadzones"
	maps.Copy(meta, prov)
	return meta
}

// writeDeadzones writes the dead-zone outputs into out (a staging folder of
// writeSet); prov (coverageFlags.provenance) goes into deadzones_meta.json
// and, with the rules (deadzonesMeta), into its "metadata" and
// deadzones.geojson's "metadata" member. The names of provinces and
// communes (the boundary sets the month was attributed with; communes nil
// without --communes) stand beside their codes in deadzones.csv,
// carrier_gaps.csv, villages.csv, hexes.csv and deadzones.geojson.
func writeDeadzones(out string, res *pipeline.DeadZoneResult, prov map[string]string, provinces, communes *geodata.BoundarySet) error {
	meta := deadzonesMeta(res, prov)
	fc := geojson.NewFeatureCollection()
	fc.ExtraMembers = geojson.Properties{"metadata": meta}
	zoneCols := zoneNames(pipeline.ZoneTable(res.Zones, res.Villages), res.Zones, provinces, communes)
	for i, z := range res.Zones {
		mp, err := hexgrid.Outline(z.Cells)
		if err != nil {
			return err
		}
		f := geojson.NewFeature(mp)
		f.Properties["zone_id"] = z.ID
		f.Properties["households"] = math.Round(z.Households)
		f.Properties["population"] = math.Round(z.Population)
		f.Properties["hexes"] = len(z.Cells)
		f.Properties["area_km2"] = round4(z.AreaKm2) // as deadzones.csv and the exports: a hex is 0.74 km², tenths would blur it
		f.Properties["villages"] = len(z.Villages)
		f.Properties["villages_served"] = len(z.Served)
		f.Properties["partly_2g"] = z.Partly2G
		if !math.IsNaN(z.PDeadMean) {
			f.Properties["p_dead_mean"] = math.Round(z.PDeadMean*1e4) / 1e4
			f.Properties["p_dead_min"] = math.Round(z.PDeadMin*1e4) / 1e4
		}
		if len(z.Provinces) > 0 {
			f.Properties["province"] = z.Provinces[0].Code
			f.Properties["province_name"] = pipeline.UnitName(provinces, z.Provinces[0].Code)
		}
		if len(z.Communes) > 0 {
			f.Properties["commune"] = z.Communes[0].Code
			f.Properties["commune_name"] = pipeline.UnitName(communes, z.Communes[0].Code)
		}
		// Every other column of deadzones.csv, as it has it: the centroid,
		// the provinces and communes with their shares, villages_uncertain,
		// village_ids, nearest_sites, carriers_2g; null for no value (the
		// p_dead of a zone without one).
		for _, c := range zoneCols {
			if _, set := f.Properties[c.Name]; !set {
				v, err := columnValue(c, i)
				if err != nil {
					return err
				}
				f.Properties[c.Name] = v
			}
		}
		fc.Append(f)
	}
	if err := writeJSONFile(filepath.Join(out, "deadzones.geojson"), fc); err != nil {
		return err
	}
	tables := []struct {
		name string
		cols func() ([]arrowio.Column, error)
	}{
		{"deadzones.csv", func() ([]arrowio.Column, error) {
			return zoneCols, nil
		}},
		{"carrier_gaps.csv", func() ([]arrowio.Column, error) { return pipeline.NamedGapTable(res.Gaps, provinces, communes) }},
		{"villages.csv", func() ([]arrowio.Column, error) {
			return pipeline.NamedVillageTable(res.Villages, provinces, communes), nil
		}},
		{"hexes.csv", func() ([]arrowio.Column, error) { return pipeline.NamedHexTable(res, provinces, communes) }},
		{"challenges.csv", func() ([]arrowio.Column, error) { return pipeline.ChallengeTable(res.Challenges), nil }},
	}
	if err := writeJSONFile(filepath.Join(out, "radiomap.json"), res.RadioMap); err != nil {
		return err
	}
	totals := map[string]float64{}
	for _, t := range tables {
		cols, err := t.cols()
		if err != nil {
			return err
		}
		cols = pipeline.WholeCounts(cols, strings.TrimSuffix(t.name, ".csv"), totals, "households", "population")
		if err := writeAtomic(filepath.Join(out, t.name), func(f *dataset.AtomicFile) error { return writeCols(f, cols) }); err != nil {
			return err
		}
	}
	return writeJSONFile(filepath.Join(out, "deadzones_meta.json"), map[string]any{
		"counts":               pipeline.ExactTotalsNote,
		"exact_totals":         totals,
		"expected_from_p_dead": expectedJSON(res.Villages.Villages),
		"metadata":             meta,
		"not_analysed":         notAnalysedJSON(res.NoData),
		"provenance":           prov,
	})
}

// expectedNote says what deadzones_meta.json's expected_from_p_dead holds
// (deadzone.ListExpectation).
const expectedNote = "what the villages' own p_dead expect of the list of villages without 3G/4G (villages.csv without_signal), " +
	"taking p_dead as calibrated: expected_dead = sum of p_dead, expected_dead_listed = its sum over the listed villages, " +
	"expected_missed = the difference (villages truly without 3G/4G expected among those counted served); expected_precision is exact " +
	"under that assumption, expected_recall and expected_f1 are ratios of expectations; villages decided by their hexes (no p_dead) " +
	"are counted in listed_without_p_dead and enter no expectation; null where a figure has nothing to count"

// expectedJSON is deadzones_meta.json's expected_from_p_dead: the whole
// list's expectation and each province's (deadzone.ExpectList,
// deadzone.ExpectByProvince).
func expectedJSON(villages []deadzone.VillageStatus) map[string]any {
	by := deadzone.ExpectByProvince(villages)
	provinces := make([]map[string]any, 0, len(by))
	for _, u := range by {
		m := expectationJSON(u.ListExpectation)
		m["province"] = u.Code
		provinces = append(provinces, m)
	}
	return map[string]any{"note": expectedNote, "villages": expectationJSON(deadzone.ExpectList(villages)), "by_province": provinces}
}

// expectationJSON writes e's counts, its expectations to two decimals
// (households to the nearest) and its ratios to four; a ratio with
// nothing to count is null, never 0 or 1.
func expectationJSON(e deadzone.ListExpectation) map[string]any {
	ratio := func(v float64) any {
		if math.IsNaN(v) {
			return nil
		}
		return math.Round(v*1e4) / 1e4
	}
	two := func(v float64) float64 { return math.Round(v*100) / 100 }
	return map[string]any{
		"villages": e.Villages, "villages_with_p_dead": e.WithPDead, "listed": e.Listed, "listed_without_p_dead": e.ListedByHexes,
		"expected_dead": two(e.ExpectedDead), "expected_dead_listed": two(e.ExpectedDeadListed), "expected_missed": two(e.ExpectedMissed()),
		"households_listed": math.Round(e.HouseholdsListed), "expected_households_dead": math.Round(e.ExpectedHouseholdsDead),
		"expected_households_missed": math.Round(e.ExpectedHouseholdsMissed()),
		"expected_precision":         ratio(e.Precision()), "expected_recall": ratio(e.Recall()), "expected_f1": ratio(e.F1()),
	}
}

// zoneNames puts beside deadzones.csv's provinces and communes (each
// zone's units, largest share first) the name of the first of them:
// province_name and commune_name, as deadzones.geojson's province and
// commune are the first's code.
func zoneNames(cols []arrowio.Column, zones []deadzone.Zone, provinces, communes *geodata.BoundarySet) []arrowio.Column {
	pn, cn := make([]string, len(zones)), make([]string, len(zones))
	for i, z := range zones {
		if len(z.Provinces) > 0 {
			pn[i] = pipeline.UnitName(provinces, z.Provinces[0].Code)
		}
		if len(z.Communes) > 0 {
			cn[i] = pipeline.UnitName(communes, z.Communes[0].Code)
		}
	}
	out := make([]arrowio.Column, 0, len(cols)+2)
	for _, c := range cols {
		out = append(out, c)
		switch c.Name {
		case "provinces":
			out = append(out, arrowio.Column{Name: "province_name", String: pn})
		case "communes":
			out = append(out, arrowio.Column{Name: "commune_name", String: cn})
		}
	}
	return out
}

// notAnalysedJSON lists the areas a run left out (pipeline.NoDataArea) as
// deadzones_meta.json's and plan.json's not_analysed.
func notAnalysedJSON(areas []pipeline.NoDataArea) []map[string]any {
	out := make([]map[string]any, 0, len(areas))
	for _, a := range areas {
		out = append(out, map[string]any{"province": a.Code, "name": a.Name, "populated_hexes": a.Hexes,
			"households": math.Round(a.Households), "villages": a.Villages, "why": a.Why})
	}
	return out
}

func round1(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }

// unitLevel names the units of the boundary set the month was attributed
// with, as the summary's first column: "province" for the embedded sets,
// "commune" for a set of communes given as --boundaries (its units, not
// provinces, fill the tables' province columns), "unit" for a file whose
// units' full names do not say their level (geodata.LoadBoundaries).
func unitLevel(set *geodata.BoundarySet) string {
	switch {
	case set == nil:
		return "province"
	case set.Level == "":
		return "unit"
	}
	return set.Level
}

// printDeadzoneSummary prints the run's zones and, per province, the
// dead-zone households (by each hex's province) and villages without
// signal. single, when set, is the one province analysed: its row alone,
// and the headline counts its part (a zone of its analysis can lie in a
// neighbour's hexes), where the run decided other provinces' villages
// only on the way.
func printDeadzoneSummary(w io.Writer, res *pipeline.DeadZoneResult, provinces, communes *geodata.BoundarySet, area, popSource, single string) {
	if popSource == "" {
		popSource = "the villages table"
	}
	type row struct {
		hh, pop                      float64
		villages, without, uncertain int
	}
	per := map[string]*row{}
	get := func(code string) *row {
		if per[code] == nil {
			per[code] = &row{}
		}
		return per[code]
	}
	// The households the zones count in each hex (those of its villages
	// without signal when they are the population), and their people.
	deadHH := res.DeadHouseholds()
	for _, p := range res.Population {
		if d, ok := deadHH[p.Cell]; ok {
			r := get(res.Admin[p.Cell].Province)
			r.hh += d
			if p.Households > 0 {
				r.pop += p.Population * d / p.Households
			}
		}
	}
	for _, c := range res.Villages.ByProvince {
		r := get(c.Code)
		r.villages, r.without, r.uncertain = c.Villages, c.WithoutSignal, c.Uncertain
	}
	// The villages outside every province (ByProvince leaves them out)
	// are the unattributed row's, counted as deadzone counts a province's.
	outside := 0
	var none deadzone.VillageCount
	for _, v := range res.Villages.Villages {
		if v.Attribution == deadzone.AttributedOutside {
			outside++
		}
		if v.Province == "" {
			none.Add(v)
		}
	}
	if none.Villages > 0 {
		r := get("")
		r.villages, r.without, r.uncertain = none.Villages, none.WithoutSignal, none.Uncertain
	}
	if single == "" {
		var hh, pop float64
		for _, z := range res.Zones {
			hh += z.Households
			pop += z.Population
		}
		fmt.Fprintf(w, "dead zones over %s (households from %s): %s, %.0f households, %.0f people\n", area, popSource, plural.Count(len(res.Zones), "zone", "zones"), hh, pop)
	} else {
		zones := 0
		for _, z := range res.Zones {
			if slices.ContainsFunc(z.Cells, func(c hexgrid.Cell) bool { return res.Admin[c].Province == single }) {
				zones++
			}
		}
		r := get(single)
		fmt.Fprintf(w, "dead zones over %s (households from %s): %s with hexes in it, %.0f households, %.0f people in its dead hexes\n",
			area, popSource, plural.Count(zones, "zone", "zones"), r.hh, r.pop)
	}
	codes := make([]string, 0, len(per))
	for c := range per {
		if single == "" || c == single {
			codes = append(codes, c)
		}
	}
	slices.Sort(codes)
	expected := map[string]deadzone.ListExpectation{}
	for _, u := range deadzone.ExpectByProvince(res.Villages.Villages) {
		expected[u.Code] = u.ListExpectation
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, unitLevel(provinces)+"\t\tdead-zone households\tvillages\twithout 3G/4G\tuncertain, counted served\texpected missed\t")
	for _, c := range codes {
		name := "(unattributed)"
		if u, ok := provinces.ByCode(c); ok {
			name = u.Name
		}
		r := per[c]
		missed := "–" // no village of it has a p_dead
		if e := expected[c]; e.WithPDead > 0 {
			missed = fmt.Sprintf("%.1f", e.ExpectedMissed())
		}
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%d\t%d\t%d\t%s\t\n", c, name, r.hh, r.villages, r.without, r.uncertain, missed)
	}
	tw.Flush()
	if single != "" {
		printExpectation(w, expected[single])
	} else {
		printExpectation(w, deadzone.ExpectList(res.Villages.Villages))
	}
	if outside > 0 {
		fmt.Fprintf(w, "%s outside every province and commune (attribution %s in villages.csv)\n", plural.Count(outside, "village lies", "villages lie"), deadzone.AttributedOutside)
	}
	if provinces != nil && provinces.Coarse != "" && len(res.Villages.Villages) > 0 {
		// Said wherever villages were placed with them: near a border a
		// village may lie outside them, or in the neighbour's outline.
		fmt.Fprintf(w, "provinces from %s: a village near a border may be outside them or in a neighbour; --boundaries FILE takes accurate outlines (e.g. ../shared/data/vn_provinces_2025.geojson)\n",
			provinces.Coarse)
	}
	printNoData(w, res.NoData)
	printUntested(w, res.Untested, provinces)
	if len(res.Zones) > 0 {
		fmt.Fprintln(w, "\nlargest zones by households:")
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "zone\thouseholds\thexes\tkm²\tcommune\tvillages\tnearest sites")
		for i, z := range res.Zones {
			if i == 10 {
				break
			}
			commune := ""
			if len(z.Communes) > 0 {
				// Its name beside the code, as deadzones.csv and the
				// report give it (--communes; none without).
				commune = strings.TrimSpace(z.Communes[0].Code + " " + pipeline.UnitName(communes, z.Communes[0].Code))
			} else if len(z.Provinces) > 0 {
				// As the report and the GeoPackage name it, with the
				// province it lies in.
				commune = report.NoCommune + ", province " + z.Provinces[0].Code
			}
			var ns []string
			for _, d := range z.Nearest {
				ns = append(ns, fmt.Sprintf("%s %.1f km", d.Carrier, d.DistanceM/1000))
			}
			fmt.Fprintf(tw, "%s\t%.0f\t%d\t%.1f\t%s\t%d\t%s\n", z.ID, z.Households, len(z.Cells), z.AreaKm2, commune, len(z.Villages), strings.Join(ns, ", "))
		}
		tw.Flush()
	}
	c := res.Challenges.Counts()
	fmt.Fprintf(w, "\nchallenges: %s (hex, carrier, technology) with tests in %s; %d successfully challenged, in %s\n",
		plural.Count(c.Claims, "claim", "claims"), plural.Count(c.ClaimHexes, "hex", "hexes"), c.Challenged, plural.Count(c.ChallengedHexes, "hex", "hexes"))
}

// printExpectation says what the villages' p_dead expect of the list
// (deadzone.ListExpectation): how many listed are truly without 3G/4G, how
// many more are expected among the villages counted served.
func printExpectation(w io.Writer, e deadzone.ListExpectation) {
	if e.WithPDead == 0 {
		return
	}
	fmt.Fprintf(w, "p_dead expects %.1f of the %s with a p_dead truly without 3G/4G: %.1f of the %s listed",
		e.ExpectedDead, plural.Count(e.WithPDead, "village", "villages"), e.ExpectedDeadListed, plural.Count(e.Listed, "village", "villages"))
	if p := e.Precision(); !math.IsNaN(p) {
		fmt.Fprintf(w, " (expected precision %.2f)", p)
	}
	fmt.Fprintf(w, ", %.1f among those counted served", e.ExpectedMissed())
	// A recall of the 0.0 villages expected dead (a p_dead sum below
	// 0.05, as printed) is 0/0 to the reader: not said.
	if r := e.Recall(); !math.IsNaN(r) && e.ExpectedDead >= 0.05 {
		fmt.Fprintf(w, " (expected recall %.2f)", r)
	}
	fmt.Fprintln(w, "; deadzones_meta.json, expected_from_p_dead")
}

// printUntested names the provinces analysed from their sites alone,
// with no test of the month in them (pipeline.DeadZoneResult.Untested).
func printUntested(w io.Writer, codes []string, provinces *geodata.BoundarySet) {
	if len(codes) == 0 {
		return
	}
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = strings.TrimSpace(c + " " + pipeline.UnitName(provinces, c))
	}
	fmt.Fprintf(w, "warning: no test of the month in %s (%s): %s verdicts rest on the prediction alone, and the scorecard leaves %s target 1 unknown\n",
		plural.Count(len(codes), "province", "provinces"), strings.Join(names, ", "), plural.Noun(len(codes), "its", "their"), plural.Noun(len(codes), "its", "their"))
}

// printNoData names the provinces a run over every province did not score:
// people live there but no site or test of their own lies there; their
// places with no site or test near are left out (pipeline.NoDataArea).
func printNoData(w io.Writer, areas []pipeline.NoDataArea) {
	if len(areas) == 0 {
		return
	}
	var hh float64
	var hexes, villages, provinces int
	outside := ""
	for _, a := range areas {
		hh += a.Households
		hexes += a.Hexes
		villages += a.Villages
		if a.Code == "" {
			outside = " and places outside every province"
		} else {
			provinces++
		}
	}
	// Most areas are left out for want of measurements and sites; an area
	// left out for another reason says its own.
	fmt.Fprintf(w, "not scored, no measurements or sites of the month of their own unless said (provinces: %d%s); left out, with no site or test near (populated hexes: %d, households: %.0f, villages: %d; no dead zone is reported there, nor an all-clear):\n",
		provinces, outside, hexes, hh, villages)
	for i, a := range areas {
		if i == 10 {
			fmt.Fprintf(w, "  … %d more in deadzones_meta.json (not_analysed)\n", len(areas)-10)
			break
		}
		why := ""
		if a.Why != pipeline.NoDataWhy && a.Why != pipeline.OutsideWhy {
			why = " — " + a.Why
		}
		fmt.Fprintf(w, "  %s %s: populated hexes %d, households %.0f, villages %d%s\n", a.Code, a.Name, a.Hexes, a.Households, a.Villages, why)
	}
}

// openTable opens a small CSV table with a header, checks that the
// required columns are present, and returns the reader positioned at the
// first row and the header's column positions (lower-cased names). It
// reads the file as every input is read (ingest.NewCSV): gzip-compressed
// or not, with or without a byte-order mark, comma, semicolon or tab
// delimited, Excel's "sep=" line; a plain comma reader refused a
// villages.csv saved as Excel's "CSV UTF-8" (its BOM) as missing its
// first column.
func openTable(path string, required ...string) (*os.File, *tableReader, map[string]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, err
	}
	r, _, err := ingest.MaybeGunzip(f)
	if err != nil {
		f.Close()
		return nil, nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	c, err := ingest.NewCSV(r, ingest.CSVOptions{})
	if errors.Is(err, ingest.ErrEmptyInput) {
		f.Close()
		return nil, nil, nil, refusedError{fmt.Errorf("%s: %w", path, ingest.ErrEmptyInput)}
	}
	if err != nil {
		f.Close()
		return nil, nil, nil, refusedError{fmt.Errorf("%s: %w", path, err)}
	}
	idx := map[string]int{}
	for i, h := range c.Header() {
		idx[strings.ToLower(h)] = i
	}
	for _, col := range required {
		if _, ok := idx[col]; !ok {
			f.Close()
			return nil, nil, nil, fmt.Errorf("%s: column %q missing (want %s): %w", path, col, strings.Join(required, ","), engine.ErrMissingColumn)
		}
	}
	return f, &tableReader{c: c}, idx, nil
}

// tableReader reads openTable's rows.
type tableReader struct{ c *ingest.CSV }

// Read returns the next row, or io.EOF after the last; a row that cannot
// be read is an error naming its line.
func (t *tableReader) Read() ([]string, error) {
	if !t.c.Next() {
		if err := t.c.Err(); err != nil {
			return nil, fmt.Errorf("line %d: %w", t.c.Line(), err)
		}
		return nil, io.EOF
	}
	if err := t.c.RowErr(); err != nil {
		return nil, fmt.Errorf("line %d: %w", t.c.Line(), err)
	}
	return t.c.Record(), nil
}

// Line is the file's line of the row Read returned last.
func (t *tableReader) Line() int64 { return t.c.Line() }

// checkCommunesGiven says, per province, how many villages got
// no commune because the commune file (path) has no commune of that
// province at all — communes of another year's provinces (the 2025
// communes under the 2019 provinces): exit 0 and silence left a former
// province's villages all without a commune.
//
// A file that gave none of the villages a commune (the communes of another
// province) is refused (deadzone.CheckCommunes): every commune figure
// would be empty.
func checkCommunesGiven(w io.Writer, res *pipeline.DeadZoneResult, communes, provinces *geodata.BoundarySet, path string) error {
	if res == nil || communes == nil {
		return nil
	}
	places := make([]deadzone.PlaceAdmin, len(res.Villages.Villages))
	for i, v := range res.Villages.Villages {
		places[i] = deadzone.PlaceAdmin{Province: v.Province, Commune: v.Commune}
	}
	g := deadzone.CheckCommunes(places, communes)
	if err := communesRefused(g.Err(), path); err != nil {
		return err
	}
	for _, code := range slices.Sorted(maps.Keys(g.Unheld)) {
		name := code
		if u, ok := provinces.ByCode(code); ok {
			name = fmt.Sprintf("%s (%s)", u.Name, code)
		}
		fmt.Fprintf(w, "warning: %s of %s got no commune: %s has no commune of that province (communes of another year's provinces? give --boundaries of the same year)\n",
			plural.Count(g.Unheld[code], "village", "villages"), name, path)
	}
	return nil
}

// communesRefused is err refused as data (exit 3) naming the commune file
// (path) when it is a *deadzone.NoCommuneGivenError, a file that gave none
// of the villages a commune; err as it is otherwise.
func communesRefused(err error, path string) error {
	var none *deadzone.NoCommuneGivenError
	if errors.As(err, &none) {
		return refusedError{fmt.Errorf("%s %w", path, none)}
	}
	return err
}

// missCostCut returns the cut on P(dead) of --miss-cost C
// (deadzone.CutFromMissCost), or the usage error of command cmd naming
// the flag.
func missCostCut(cmd string, c float64) (float64, error) {
	cut, err := deadzone.CutFromMissCost(c)
	if err != nil {
		return 0, usageError{fmt.Sprintf("%s: --miss-cost %g: want a positive number, at least 1e-15 (the cut 1/(1+C) must stay below 1)", cmd, c)}
	}
	return cut, nil
}
