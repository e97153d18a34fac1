package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/challenge"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/export"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/lomsong/lomsong/engine/pipeline"
	"github.com/lomsong/lomsong/engine/plan"
	"github.com/lomsong/lomsong/engine/report"
	"github.com/lomsong/lomsong/geodata"
	"github.com/lomsong/lomsong/internal/plural"
	"github.com/paulmach/orb/geojson"
)

const planSynopsis = `plan --dataset DIR --budget VND --out DIR [flags]

Ranks universal-service fund investments by households newly covered per đồng.
It finds the dead zones (as lomsong deadzones does), places candidate sites for
every zone (larger zones get several) and adds any proposed in --candidates,
predicts each candidate's footprint over the dead hexes (standard rural new
build: 4G at 900 MHz on a 40 m tower, predicted signal − 1.28σ ≥ −105 dBm),
prices it with the cost model (tower and civil works, radio, grid or solar
power, fibre / microwave / satellite backhaul, operating cost over 10 years
discounted to present value; --costs overrides any figure), and solves the
budgeted maximum coverage: lazy greedy on marginal households per cost, guarded
by the best single affordable site, then improved by swaps (a funded site for an
unfunded one that covers more, or as much for less), with an upper bound on the optimum (the
online bound from the marginal gains, and the LP relaxation on small instances),
so the plan states how far from optimal it can be.

Writes OUT/plan.csv (rank, candidate, location, province and commune, each
code followed by its name (province_name: the boundary set's; commune: its
hex's as the villages table's commune_code gives it, commune_name empty —
lomsong plan takes no --communes: the plan that lomsong run --communes FILE
--budget B --out DIR writes, DIR/plan/plan.csv, names each commune from FILE),
dead-zone households newly
covered, households served by sharing (an agreement's row, with
--include-sharing; 0 on a site's), cumulative households (both), cost,
cumulative cost, cost per household),
OUT/curve.csv and OUT/curve.svg (this plan's households against its cumulative
cost, sites in cost-benefit order: a point is what the plan's first sites
cover, not the best plan at that budget; plan with that --budget for one, which
may fund other sites), OUT/footprints.geojson
(the dead hexes each funded site covers), OUT/sharing.csv (roaming or sharing
options where another carrier already covers a carrier's gap: one per carrier
and province, serving that carrier's customers in its gap hexes, counted as
those hexes' households; with --include-sharing the budget can buy them, each
closing only its own carrier's gaps, so a hex in two carriers' gaps counts once
for each agreement and a site never serves a gap hex), OUT/candidates.csv
(every option, the rank it is funded at or why it is not: a proposed site
whose footprint reaches no dead or uncertain hex is never funded) and
OUT/plan.json (totals, bound, gap, guarantee; not_analysed, when the dead-zone
run left places out for want of a site or test near them, as lomsong deadzones
lists them: the plan neither covers nor clears them). Households are whole numbers,
each row rounded to the nearest; plan.json keeps the exact totals (exact_totals).`

const planExample = `  lomsong plan --dataset lomsong-demo/dataset --budget 500e9 --province "lai chau" --out lomsong-demo/plan
  lomsong plan --dataset ./ds --budget 2e12 --candidates proposals.csv --costs costs.json --out ./plan`

func runPlan(ctx context.Context, args []string, e *env) error {
	fs := newFlags("plan", planSynopsis, planExample, e)
	var cf coverageFlags
	cf.register(fs)
	cf.registerPeriod(fs)
	out := fs.String("out", "", "output `directory`")
	budget := vndVar(fs, "budget", 0, "budget in `VND` (đồng), e.g. 500e9 or 500000000000, without thousands separators")
	candidates := fs.String("candidates", "", "`file` of proposed sites (CSV or any format ingest reads, gzip too): candidate_id,lon,lat[,tech,band_mhz,height_m,cost_vnd]; invalid rows go to OUT/candidates.quarantine.csv, a file with more than 5% of them is refused, its rejected rows in OUT/rejected/ (check it first with lomsong validate --kind candidates); sites outside the area analysed, beyond their reach of it, are set aside there too (a file of only such sites is refused), and sites reaching no dead or uncertain hex are named")
	costs := fs.String("costs", "", costsUsage)
	includeSharing := fs.Bool("include-sharing", false, "let the budget also buy sharing/roaming agreements (one per carrier and province; each serves only its own carrier's gaps)")
	shareAgreement := vndVar(fs, "sharing-agreement-vnd", pipeline.DefaultSharingAgreementVND, "fixed cost of one sharing/roaming agreement, `VND`")
	sharePerHex := vndVar(fs, "sharing-per-hex-vnd", pipeline.DefaultSharingPerHexVND, "cost per hex served under an agreement, `VND`")
	if err := parseFlagsNoArgs(fs, args, e); err != nil {
		return err
	}
	if *out == "" || *budget == 0 {
		fs.Usage()
		switch {
		case *out == "" && *budget == 0:
			return usageError{"plan: --out DIR and a positive --budget are required"}
		case *out == "":
			return usageError{"plan: --out DIR is required"}
		}
		given := false
		fs.Visit(func(f *flag.Flag) { given = given || f.Name == "budget" })
		if given {
			return usageError{"plan: --budget 0: want a positive budget in VND (e.g. 500e9)"}
		}
		return usageError{"plan: --budget VND is required (a positive budget, e.g. 500e9)"}
	}
	if err := budgetFlag("plan", *budget); err != nil {
		return err
	}
	if err := inputFilesReadable(fs); err != nil {
		return err
	}
	costModel, err := planCosts(e, *costs)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"sharing-agreement-vnd", *shareAgreement}, {"sharing-per-hex-vnd", *sharePerHex}} {
		// NaN and ±Inf are refused with every number flag (finiteFlags).
		if !(f.v >= 0 && f.v <= plan.MaxBudgetVND) {
			// Beyond the budget's cap the costs overflowed whole đồng.
			return usageError{fmt.Sprintf("plan: --%s %v: want an amount of VND from 0 to %g", f.name, f.v, float64(plan.MaxBudgetVND))}
		}
		if f.v != math.Trunc(f.v) {
			// Money is whole đồng, as --budget is: 765 hexes at 0.5
			// were written as 383 of them.
			return usageError{fmt.Sprintf("plan: --%s %v: want whole đồng (no fraction of a đồng)", f.name, f.v)}
		}
	}
	if err := outDirUsable("plan", *out, "plan.csv, plan.json and the other plan files"); err != nil {
		return err
	}
	if err := outOutsideDataset("plan", *out, cf.dataset); err != nil {
		return err
	}
	if err := outputsFree(*out, "plan", planOutputs(*candidates != ""), *candidates, cf.population, cf.calibration); err != nil {
		return err
	}
	if err := setUnlocked(*out, "plan"); err != nil {
		return err
	}
	store, copt, area, provinces, err := cf.prepare(e, false)
	if err != nil {
		return err
	}
	popt := pipeline.DefaultPlanOptions(*budget)
	popt.SharingAgreementVND, popt.SharingPerHexVND, popt.IncludeSharing = *shareAgreement, *sharePerHex, *includeSharing
	popt.Config.Costs = costModel
	var candTable *dataset.ArgTable
	if *candidates != "" {
		rows, t, err := dataset.ReadCandidates(ctx, *candidates, ingest.Defaults("", e.now()))
		if err != nil {
			return err
		}
		if err := checkArgTable(e, t, "candidates.quarantine.csv", *out); err != nil {
			return err
		}
		popt.Proposed, popt.ProposedFrom, candTable = pipeline.CandidatesOf(rows), *candidates, t
	}
	prog := startProgress(e, "plan: measurements")
	copt.Aggregate.Progress = prog.set
	// The month's saved dead zones and plan when current (lomsong run).
	dz, res, err := pipeline.DeadZonesAndPlan(ctx, store, pipeline.DeadZoneOptions{Coverage: copt, Provinces: provinces,
		Villages: deadzone.DefaultVillageOptions(), Challenge: challenge.DefaultConfig(), Claims: []challenge.Claim{}}, popt)
	prog.end()
	var outside *pipeline.ProposedOutsideError
	if errors.As(err, &outside) {
		// Every proposed candidate set aside: refused, their rows listed
		// as a table refused has its rejected rows listed.
		return refuseCandidates(candTable, outside, *out)
	}
	if err != nil {
		return err
	}
	if len(res.SetAside) > 0 {
		candTable.Rejects = slices.Concat(candTable.Rejects, res.SetAside)
		slices.SortStableFunc(candTable.Rejects, func(a, b ingest.Reject) int { return cmp.Compare(a.Line, b.Line) })
		first := res.SetAside[0]
		fmt.Fprintf(e.stderr, "%s: %d of %s %s outside the area analysed, beyond their reach: set aside, not planned; each with its line and distance in candidates.quarantine.csv among the outputs (first, line %d: %s)\n",
			*candidates, len(res.SetAside), plural.Count(len(popt.Proposed), "proposed candidate", "proposed candidates"), plural.Noun(len(res.SetAside), "lies", "lie"), first.Line, first.Detail)
	}
	prov, err := cf.outputMeta(e)
	if err != nil {
		return err
	}
	if err := writeSet(ctx, *out, "plan", func(stage string) error {
		if err := writeArgQuarantine(stage, candTable, "candidates.quarantine.csv"); err != nil {
			return err
		}
		return writePlan(stage, res, popt, prov, dz.NoData, provinces, nil)
	}, *candidates, cf.population, cf.calibration); err != nil {
		return err
	}
	if err := clearRejected(*out, "candidates.quarantine.csv"); err != nil {
		return err
	}
	p := res.Plan
	hh := res.Households()
	fmt.Fprintf(e.stdout, "plan over %s: %s, %.0f dead-zone households, %s (%d proposed)\n",
		area, plural.Count(len(dz.Zones), "dead zone", "dead zones"), hh.DeadZone, plural.Count(len(res.Candidates), "candidate", "candidates"), len(popt.Proposed)-len(res.SetAside))
	printNoData(e.stdout, dz.NoData)
	if n := len(res.SetAside); n > 0 {
		fmt.Fprintf(e.stdout, "%s set aside, outside the area analysed and beyond their reach (candidates.quarantine.csv): %s\n", plural.Count(n, "proposed candidate", "proposed candidates"), setAsideNames(res.SetAside, 10))
	}
	if n := len(res.Idle); n > 0 {
		names := strings.Join(res.Idle[:min(n, 10)], ", ")
		if n > 10 {
			names += fmt.Sprintf(" … %d more", n-10)
		}
		fmt.Fprintf(e.stdout, "%s %s no dead or uncertain hex, so %s funded (candidates.csv, why_not_funded): %s\n",
			plural.Count(n, "proposed candidate", "proposed candidates"), plural.Noun(n, "reaches", "reach"), plural.Noun(n, "it is not", "none is"), names)
	}
	if popt.IncludeSharing {
		fmt.Fprintf(e.stdout, "sharing included: %s offered over %.0f more households of carrier gaps another carrier covers (not dead zones: served by roaming, not newly covered)\n",
			plural.Count(len(res.Sharing), "agreement", "agreements"), hh.SharingGap)
		fmt.Fprintf(e.stdout, "budget %s VND: %s funded, %.0f dead-zone households newly covered; %s, %.0f households served by them; for %s VND in all\n",
			report.Money(p.BudgetVND), plural.Count(hh.Sites, "site", "sites"), hh.NewlyCovered, plural.Count(hh.Agreements, "sharing agreement", "sharing agreements"), hh.SharingServed, report.Money(p.TotalCostVND))
	} else {
		per := "" // no household, no cost per household ("- VND")
		if p.TotalHouseholds > 0 {
			per = fmt.Sprintf(" (%s VND per household)", report.Money(p.TotalCostVND/p.TotalHouseholds))
		}
		fmt.Fprintf(e.stdout, "budget %s VND: %s funded, %.0f households newly covered for %s VND%s\n",
			report.Money(p.BudgetVND), plural.Count(len(p.Steps), "site", "sites"), p.TotalHouseholds, report.Money(p.TotalCostVND), per)
	}
	// Villages without 3G/4G outside every dead zone: their hexes hold
	// no households in the population counted (villages of 0
	// households, a --population table that leaves them out), so no
	// zone and nothing to fund there; no all-clear either. A --province
	// run lists the villages outside every province and commune beside
	// its own; their hexes are not the province's, so they are said
	// apart (abroad), not as households the population left out.
	uncounted, abroad := 0, 0
	if len(dz.Zones) == 0 {
		for _, v := range dz.Villages.Villages {
			switch {
			case !v.WithoutSignal():
			case copt.Area != nil && v.Attribution == deadzone.AttributedOutside:
				abroad++
			default:
				uncounted++
			}
		}
	}
	outsideNote := ""
	if abroad > 0 {
		outsideNote = fmt.Sprintf("; %s without 3G/4G %s outside every province and commune (attribution %s in villages.csv), beyond the area analysed: not planned here",
			plural.Count(abroad, "village", "villages"), plural.Noun(abroad, "lies", "lie"), deadzone.AttributedOutside)
	}
	switch {
	case len(dz.Zones) == 0 && hh.SharingGap == 0 && uncounted > 0:
		left := ""
		if len(dz.NoData) > 0 {
			left = "; " + leftOutNote(dz.NoData)
		}
		fmt.Fprintf(e.stdout, "no dead zone holds households in the population counted, yet %s without 3G/4G (lomsong deadzones lists %s): %s no households in that population (0 households in the villages table, or a --population table that leaves %s out), so the plan has nothing to fund there until %s counted%s%s\n",
			plural.Count(uncounted, "village is", "villages are"), plural.Noun(uncounted, "it", "them"), plural.Noun(uncounted, "its hex holds", "their hexes hold"), plural.Noun(uncounted, "it", "them"), plural.Noun(uncounted, "it is", "they are"), left, outsideNote)
	case len(dz.Zones) == 0 && hh.SharingGap == 0 && len(dz.NoData) > 0:
		// The places left out were not analysed: no all-clear there.
		fmt.Fprintf(e.stdout, "no dead zone in the places analysed: nothing to plan there; %s%s\n", leftOutNote(dz.NoData), outsideNote)
	case len(dz.Zones) == 0 && hh.SharingGap == 0:
		fmt.Fprintf(e.stdout, "no dead zone in %s: nothing to plan%s\n", area, outsideNote)
	case len(p.Steps) == 0:
		fmt.Fprintln(e.stdout, nothingFunded(res, popt))
	case popt.IncludeSharing:
		fmt.Fprintf(e.stdout, "optimality: no plan within the budget reaches more than %.0f households, newly covered or served by sharing (%s); this plan is within %.1f%% of that bound; guarantee %s\n",
			plan.WholeBound(p.UpperBound), p.BoundMethod, 100*p.Gap, p.Guarantee)
	default:
		fmt.Fprintf(e.stdout, "optimality: no plan within the budget covers more than %.0f households (%s); this plan is within %.1f%% of that bound; guarantee %s\n",
			plan.WholeBound(p.UpperBound), p.BoundMethod, 100*p.Gap, p.Guarantee)
	}
	for i, s := range p.Steps {
		if i == 10 {
			fmt.Fprintf(e.stdout, "  … %d more in plan.csv\n", len(p.Steps)-10)
			break
		}
		fmt.Fprintf(e.stdout, "  %2d. %-24s %7.0f households  %8s VND  %8s VND/household\n", s.Rank, s.CandidateID, s.NewHouseholds, report.Money(s.CostVND), report.Money(s.CostPerHouseholdVND))
	}
	fmt.Fprintf(e.stdout, "wrote %s/{plan.csv,curve.csv,curve.svg,footprints.geojson,sharing.csv,candidates.csv,plan.json}\n", *out)
	return nil
}

// leftOutNote says what the dead-zone run left out (no site or test
// near): not known to be served, so no all-clear there.
func leftOutNote(noData []pipeline.NoDataArea) string {
	var hexes int
	var households float64
	for _, a := range noData {
		hexes, households = hexes+a.Hexes, households+a.Households
	}
	return fmt.Sprintf("the %s (%.0f households) left out, with no site or test near, %s not known to be served (plan.json, not_analysed)",
		plural.Count(hexes, "populated hex", "populated hexes"), households, plural.Noun(hexes, "is", "are"))
}

// nothingFunded says why a plan with options funds none: the cheapest
// option costs more than the budget (naming it and its cost), or no
// option that fits adds a household.
func nothingFunded(res *pipeline.PlanResult, popt pipeline.PlanOptions) string {
	id, cheapest := "", math.Inf(1)
	for _, c := range res.Candidates {
		if v, _, _ := popt.Config.Costs.CandidateVND(c); v < cheapest || v == cheapest && c.ID < id {
			id, cheapest = c.ID, v
		}
	}
	if popt.IncludeSharing {
		for _, s := range res.Sharing {
			if v := max(1, math.Round(s.CostVND())); v < cheapest || v == cheapest && s.ID < id {
				id, cheapest = s.ID, v
			}
		}
	}
	if cheapest > res.Plan.BudgetVND {
		budget, cost := report.Money(res.Plan.BudgetVND), report.Money(cheapest)
		if budget == cost {
			// Both round to 2.69bn: the đồng that part them said.
			budget, cost = strconv.FormatFloat(res.Plan.BudgetVND, 'f', 0, 64), strconv.FormatFloat(cheapest, 'f', 0, 64)
		}
		return fmt.Sprintf("no option fits within the budget of %s VND: the cheapest, %s, costs %s VND; raise --budget (candidates.csv gives each option's cost in why_not_funded)",
			budget, id, cost)
	}
	return "no option within the budget adds a household: candidates.csv says why of each (why_not_funded)"
}

// planOutputs names the files writePlan always writes, with the
// candidates' quarantine when proposed sites are read (for outputsFree).
func planOutputs(candidates bool) []string {
	names := []string{"plan.csv", "curve.csv", "curve.svg", "footprints.geojson", "sharing.csv", "candidates.csv", "plan.json"}
	if candidates {
		names = append(names, "candidates.quarantine.csv")
	}
	return names
}

// setAsideNames names the candidates of rows set aside (the first max,
// with their lines).
func setAsideNames(rs []ingest.Reject, max int) string {
	var names []string
	for i, r := range rs {
		if i == max {
			names = append(names, fmt.Sprintf("… %d more", len(rs)-max))
			break
		}
		id, _, _ := strings.Cut(strings.TrimPrefix(r.Detail, "candidate "), " ")
		names = append(names, fmt.Sprintf("%s (line %d)", id, r.Line))
	}
	return strings.Join(names, ", ")
}

// refuseCandidates refuses (exit 3) a plan whose proposed candidates all
// lie outside the area analysed, their rows (and the table's rejected
// ones) written into out/rejected/ as checkArgTable writes a refused
// table's.
func refuseCandidates(t *dataset.ArgTable, e *pipeline.ProposedOutsideError, out string) error {
	rows := &dataset.ArgTable{Path: t.Path, Report: t.Report, Rejects: slices.Concat(t.Rejects, e.Rejects)}
	slices.SortStableFunc(rows.Rejects, func(a, b ingest.Reject) int { return cmp.Compare(a.Line, b.Line) })
	dir := filepath.Join(out, "rejected")
	if werr := writeSet(context.Background(), dir, "rejected", func(stage string) error {
		return writeArgQuarantine(stage, rows, "candidates.quarantine.csv")
	}); werr != nil {
		return refusedError{fmt.Errorf("%w (its rows set aside could not be written: %v)", e, werr)}
	}
	return refusedError{fmt.Errorf("%w; each of its rows set aside, with its line and distance: %s", e, filepath.Join(dir, "candidates.quarantine.csv"))}
}

// writePlan writes the plan's outputs into out (a staging folder of
// writeSet).
// plan.json holds money in whole đồng and households as whole numbers,
// with the exact totals under exact_totals, and the build and dataset the
// plan came from (prov). plan.csv names each site's province and commune
// beside their codes from the boundary sets the month was attributed with
// (communes nil without --communes: no commune names).
func writePlan(out string, res *pipeline.PlanResult, opt pipeline.PlanOptions, prov export.Meta, notAnalysed []pipeline.NoDataArea, provinces, communes *geodata.BoundarySet) error {
	p := res.Plan
	n := len(p.Curve)
	cc, ch := make([]float64, n), make([]float64, n)
	for i, c := range p.Curve {
		cc[i], ch[i] = c.CostVND, c.Households
	}
	// Households are whole numbers; the exact totals are in plan.json
	// (cumulative columns have no meaningful sum: their last row is the
	// plan's households_newly_covered).
	totals := map[string]float64{}
	tables := map[string][]arrowio.Column{
		// Money in whole đồng, not 2.6686473180354433e+09.
		"plan.csv": pipeline.WithAreaNames(pipeline.WholeCounts(pipeline.WholeCounts(pipeline.PlanTable(res), "plan", totals, "households_newly_covered", "households_served_by_sharing"), "", nil,
			"cumulative_households", "cost_vnd", "cumulative_cost_vnd", "cost_per_household_vnd", "dead_hexes_covered"),
			provinces, communes),
		"curve.csv":      pipeline.WholeCounts([]arrowio.Column{{Name: "cost_vnd", Float64: cc}, {Name: "households", Float64: ch}}, "", nil, "households", "cost_vnd"),
		"sharing.csv":    pipeline.WholeCounts(pipeline.WholeCounts(pipeline.SharingTable(res, opt.IncludeSharing), "sharing", totals, "households"), "", nil, "cost_vnd"),
		"candidates.csv": pipeline.CandidateTable(res),
	}
	for _, name := range []string{"plan.csv", "curve.csv", "sharing.csv", "candidates.csv"} {
		cols := tables[name]
		if err := writeAtomic(filepath.Join(out, name), func(f *dataset.AtomicFile) error { return writeCols(f, cols) }); err != nil {
			return err
		}
	}
	if err := writeAtomic(filepath.Join(out, "curve.svg"), func(f *dataset.AtomicFile) error {
		_, err := io.WriteString(f, plan.CurveSVG(p))
		return err
	}); err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for _, s := range p.Steps {
		cells := res.Footprints[s.CandidateID]
		if len(cells) == 0 {
			continue
		}
		mp, err := hexgrid.Outline(cells)
		if err != nil {
			return err
		}
		f := geojson.NewFeature(mp)
		f.Properties["rank"] = s.Rank
		f.Properties["candidate"] = s.CandidateID
		f.Properties["households_newly_covered"] = math.Round(s.NewlyCovered())
		f.Properties["cost_vnd"] = math.Round(s.CostVND)
		fc.Append(f)
	}
	if err := writeJSONFile(filepath.Join(out, "footprints.geojson"), fc); err != nil {
		return err
	}
	hh := res.Households()
	summary := map[string]any{
		"budget_vnd": math.Round(p.BudgetVND), "sites_funded": hh.Sites, "households_newly_covered": math.Round(hh.NewlyCovered),
		"cost_vnd": math.Round(p.TotalCostVND), "dead_zone_households": math.Round(hh.DeadZone), "upper_bound_households": plan.WholeBound(p.UpperBound),
		"gap": p.Gap, "bound_method": p.BoundMethod, "guarantee": p.Guarantee, "guarantee_factor": p.GuaranteeFactor,
		"costs": opt.Config.Costs, "footprint": opt.Config.Footprint, "candidates": len(res.Candidates),
		"candidates_set_aside": len(res.SetAside), "candidates_reaching_no_dead_hex": append([]string{}, res.Idle...),
		"sharing_included": opt.IncludeSharing,
		"exact_totals": map[string]float64{"households_newly_covered": hh.NewlyCovered, "cost_vnd": p.TotalCostVND,
			"dead_zone_households": hh.DeadZone, "upper_bound_households": p.UpperBound,
			"plan.households_newly_covered": totals["plan.households_newly_covered"], "sharing.households": totals["sharing.households"]},
		"lomsong_version": prov.Version, "lomsong_commit": prov.Commit, "lomsong_build_date": prov.BuildDate,
		"dataset_manifest_sha256": prov.ManifestSHA256,
	}
	if len(notAnalysed) > 0 {
		// The places the dead-zone run left out (no site or test near):
		// the plan covers none of them, and is no all-clear for them.
		summary["not_analysed"] = notAnalysedJSON(notAnalysed)
	}
	if opt.IncludeSharing {
		// The agreements' households apart: not dead zones, not newly
		// covered (upper_bound_households and the curve count both).
		summary["sharing_agreements_funded"] = hh.Agreements
		summary["households_served_by_sharing"] = math.Round(hh.SharingServed)
		summary["sharing_gap_households"] = math.Round(hh.SharingGap)
	}
	return writeJSONFile(filepath.Join(out, "plan.json"), summary)
}

// costsUsage is the help of --costs, the same in every command that
// builds a plan (plan, run, report, export): a plan priced with other
// figures is another plan, so each takes the file lomsong plan took.
const costsUsage = "JSON `file` of the cost-model figures to change, each once, e.g. {\"radio_vnd\": 700000000, \"discount_rate\": 0.1} (the rest keep their defaults; plan.json's \"costs\" shows every figure used); give the file the plan was made with to plan, run, report and export alike"

// planCosts is the cost model a plan prices its sites with: the defaults,
// with the figures of the cost file at path (a --costs flag) changed;
// the defaults for no path. An unreadable or invalid file is an error
// naming it. A file that changes no figure ({}, or every figure at its
// default) is taken, and stderr says the default cost model is used: a
// user who gave one meant other figures.
func planCosts(e *env, path string) (plan.Costs, error) {
	if path == "" {
		return plan.DefaultCosts(), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return plan.Costs{}, err
	}
	c, err := plan.ParseCosts(b)
	if err != nil {
		return plan.Costs{}, fmt.Errorf("%s: %w", path, err)
	}
	if len(c.Changed()) == 0 {
		fmt.Fprintf(e.stderr, "warning: --costs %s changes no figure (it sets none, or each at its default): the default cost model is used\n", path)
	}
	return c, nil
}

// costModelText says, as a sentence of the report's plan section, what
// the plan's sites were priced with: the default cost model, or the
// figures the cost file at path changed, each with its default.
func costModelText(path string, c plan.Costs) string {
	changed := c.Changed()
	if path == "" || len(changed) == 0 {
		from := ""
		if path != "" {
			from = fmt.Sprintf(" (%s changes no figure)", path)
		}
		return fmt.Sprintf("Sites are priced with the default cost model%s; lomsong plan --costs FILE prices them with other figures, and report --costs FILE shows that plan.%s", from, weighed)
	}
	figs := make([]string, len(changed))
	for i, f := range changed {
		figs[i] = fmt.Sprintf("%s %s (default %s)", f.Name, strconv.FormatFloat(f.Value, 'f', -1, 64), strconv.FormatFloat(f.Default, 'f', -1, 64))
	}
	return fmt.Sprintf("Sites are priced with the cost model of %s: %s; every other figure its default.%s", path, strings.Join(figs, ", "), weighed)
}

// weighed says which options the plan of run, report and export weighs:
// the sites placed for the dead zones, not the proposed sites and
// sharing agreements only lomsong plan takes (--candidates,
// --include-sharing), whose plan is another.
const weighed = " The sites weighed are those placed for the dead zones; proposed sites (lomsong plan --candidates) and sharing agreements (--include-sharing) are weighed in lomsong plan's plan alone."

// vndFlag is an amount of đồng given on the command line: a number as
// strconv.ParseFloat reads it (500e9, 500000000000, 500_000_000_000).
// Thousands separators are refused with the amount written plainly:
// "500,000,000,000" and "500.000.000.000" (a parse error before) and
// "500.000", which reads as 500 đồng where Vietnamese writes five hundred
// thousand.
type vndFlag float64

// vndVar defines a flag of an amount of đồng (vndFlag).
func vndVar(fs *flag.FlagSet, name string, value float64, usage string) *float64 {
	p := new(float64)
	*p = value
	fs.Var((*vndFlag)(p), name, usage)
	return p
}

// thousands matches an amount written with thousands separators: groups
// of three digits after a first of one to three, each separated by one
// of , . space, no-break space, narrow no-break space or apostrophe.
var thousands = regexp.MustCompile(`^[+-]?[1-9][0-9]{0,2}(?:[,. \x{00a0}\x{202f}'][0-9]{3})+$`)

func (v *vndFlag) String() string {
	if v == nil {
		return "0"
	}
	return strconv.FormatFloat(float64(*v), 'g', -1, 64)
}

func (v *vndFlag) Get() any { return float64(*v) }

func (v *vndFlag) Set(s string) error {
	t := strings.TrimSpace(s)
	if thousands.MatchString(t) {
		plain := strings.Map(func(r rune) rune {
			if r == '+' || r == '-' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, t)
		f, err := strconv.ParseFloat(t, 64)
		if err == nil {
			// One dot before three digits: a decimal point to Go, a
			// thousands separator in Vietnamese.
			return fmt.Errorf("%s đồng, or %s with the dot separating thousands? Write %s without separators, or %s for %s đồng",
				strconv.FormatFloat(f, 'f', -1, 64), plain, plain, strconv.FormatFloat(f, 'f', 1, 64), strconv.FormatFloat(f, 'f', -1, 64))
		}
		return fmt.Errorf("write the amount in đồng without thousands separators: %s (or in e notation, e.g. 500e9)", plain)
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return fmt.Errorf("not an amount of đồng: write it as 500000000000 or 500e9")
	}
	*v = vndFlag(f)
	return nil
}

// budgetFlag checks a command's --budget by the plan's rule
// (plan.CheckBudget), as a usage error naming the flag.
func budgetFlag(cmd string, vnd float64) error {
	if plan.CheckBudget(vnd) != nil {
		return usageError{fmt.Sprintf("%s: --budget %g: want an amount of VND above 0, a whole number of đồng, at most %g", cmd, vnd, float64(plan.MaxBudgetVND))}
	}
	return nil
}
