package pipeline

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/coverage"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/engine/plan"
	"github.com/lomsong/lomsong/engine/predict"
	"github.com/lomsong/lomsong/engine/report"
	"github.com/lomsong/lomsong/engine/scorecard"
	"github.com/lomsong/lomsong/geodata"
	"github.com/paulmach/orb"
)

// reportVillage is a village's row of the report and whether the report
// shows it: villages without signal and villages counted as served on an
// uncertain verdict (deadzone.VillageStatus.Uncertain, as villages.csv's
// level "uncertain" and every count of them), which are shown as such
// rather than as served.
//
// p_dead is given to the report's two decimals, never across its status
// band or the cut (deadzone.RoundPDead): 0.9475 is shown 0.94, not 0.95
// beside "likely without 3G/4G".
func reportVillage(v deadzone.VillageStatus, cut float64) (report.VillageRow, bool) {
	// The commune attributed, as villages.csv gives it: empty when the
	// village's own code names no commune of its province in --communes
	// and its point lies in none (province_only), never that code.
	row := report.VillageRow{ID: v.ID, Name: v.Name, Commune: v.Commune, Households: v.Households, WithoutSignal: v.WithoutSignal(),
		PDead: math.NaN(), BestMeanDBm: math.NaN(), BestSigmaDB: math.NaN(), NearestTestM: math.NaN()}
	show := row.WithoutSignal || v.Uncertain()
	if v.HasVerdict {
		vd := v.Verdict
		row.PDead, row.Status = deadzone.RoundPDead(vd.PDead, 2, cut), deadzone.StatusOf(vd.PDead).String()
		if vd.Best.Tech.Valid() {
			row.Best = string(vd.Best.Carrier) + " " + vd.Best.Tech.String()
			row.BestMeanDBm, row.BestSigmaDB = vd.BestMeanDBm, vd.BestSigmaDB
		}
	}
	if v.HasNearby {
		row.Tests, row.NoService = v.Nearby.Tests, v.Nearby.NoService
		if !math.IsInf(v.Nearby.NearestTestM, 0) {
			row.NearestTestM = v.Nearby.NearestTestM
		}
	}
	return row, show
}

// sortVillageRows orders villages most likely dead first (those without a
// probability, decided without signal by their hexes, count as 1), then
// by households, then id.
func sortVillageRows(rows []report.VillageRow) []report.VillageRow {
	p := func(r report.VillageRow) float64 {
		if math.IsNaN(r.PDead) {
			return 1
		}
		return r.PDead
	}
	slices.SortStableFunc(rows, func(a, b report.VillageRow) int {
		return cmp.Or(cmp.Compare(p(b), p(a)), cmp.Compare(b.Households, a.Households), cmp.Compare(a.ID, b.ID))
	})
	return rows
}

// reportZone adapts a dead zone for the report; uncertain is the number
// of its villages counted as served on an uncertain verdict
// (deadzone.ZonesUncertain), shown as uncertain, not served.
func reportZone(z deadzone.Zone, uncertain int) report.DeadZone {
	d := report.DeadZone{ID: z.ID, Households: z.Households, Hexes: len(z.Cells), AreaKm2: z.AreaKm2, Villages: len(z.Villages), VillagesServed: len(z.Served),
		VillagesUncertain: uncertain}
	for _, c := range z.Communes {
		d.Communes = append(d.Communes, c.Code)
	}
	for _, n := range z.Nearest {
		d.Nearest = append(d.Nearest, report.NearestSite{Carrier: string(n.Carrier), SiteID: n.SiteID, DistanceM: n.DistanceM})
	}
	return d
}

// BuildReport adapts a month's results (dead zones, scorecard, plan) into
// the report's plain structs (engine/report writes them as HTML): every
// dead zone (the page lists the top ones and counts the rest), the
// investment curve, and per province (by dead-zone households) its
// zones, its villages without signal or uncertain, and a map for the
// first maxMaps.
// single, when not empty, is the code of the one province the analysis
// covered. It reads no clock: the caller sets GeneratedAt.
func BuildReport(dz *DeadZoneResult, card *scorecard.Card, pr *PlanResult, provinces *geodata.BoundarySet,
	p penetration.Period, maxMaps int, single string) (*report.Report, error) {
	r := &report.Report{Title: "lomsong — mobile coverage, dead zones and the five targets", Period: p.String(),
		BoundarySet: provinces.Name}
	r.Scorecard = card
	r.Carriers = reportCarriers(dz.Coverage)
	for _, u := range provinces.Units() {
		r.Areas = append(r.Areas, report.Area{Code: u.Code, Name: u.Name})
	}
	uncertain := deadzone.ZonesUncertain(dz.Zones, dz.Villages)
	for i, z := range dz.Zones {
		r.DeadZones = append(r.DeadZones, reportZone(z, uncertain[i]))
	}
	cur := &report.PlanCurve{BudgetVND: pr.Plan.BudgetVND, UpperBound: plan.WholeBound(pr.Plan.UpperBound),
		Reachable: pr.Plan.DeadHouseholds, Options: len(pr.Candidates) + len(pr.Sharing)}
	for _, c := range pr.Plan.Curve {
		cur.Points = append(cur.Points, report.CurvePoint{CostVND: c.CostVND, Households: c.Households})
	}
	r.Plan = cur
	r.Notes = []string{
		"Coverage per hex: measured where a hex has at least 5 outdoor or in-vehicle tests (one-sided binomial test at 95% against 90% cell-edge reliability), otherwise the best server's calibrated prediction minus 1.28σ against the threshold (4G/5G RSRP −105 dBm, 3G RSCP −100 dBm).",
		"A dead zone is a populated hex where no carrier serves 3G, 4G or 5G; a 2G-only hex is a dead zone. Whether a carrier serves a hex is decided from all the evidence: a decisive measured verdict stands, otherwise every test in the hex updates the calibrated prediction, and the hex is served when the result reaches the threshold. The map colours show the coverage layer, whose bar is 90% cell-edge reliability, so a dead-zone outline can sit on a hex drawn as weak; a hex of a dead zone is drawn uncovered whatever the coverage layer predicted.",
		"Where the households are the villages', a hex is dead only as far as its villages are: a dead zone counts the households of its villages without signal, and beside its village count those of its villages counted as served: judged served, or uncertain (0.2 < p_dead, below the cut).",
	}
	if len(pr.Plan.Steps) > 0 {
		// The curve's note only where a curve is drawn.
		// The budget is not repeated here: the plan's section says it in
		// the page's unit (500.0 billion VND), which report.Money's
		// "500.00bn" was not.
		r.Notes = append(r.Notes, fmt.Sprintf("Investment curve: the dashed line bounds what any plan within the budget could reach (gap %.1f%%, %s).", 100*pr.Plan.Gap, pr.Plan.BoundMethod))
	}
	// Province sections: the provinces holding populated hexes, by
	// dead-zone households.
	best := dz.BestByHex()
	bestOf := make(map[hexgrid.Cell]coverage.Best, len(best))
	for _, b := range best {
		bestOf[b.Cell] = b
	}
	type provAcc struct {
		code    string
		cells   []hexgrid.Cell
		deadHH  float64
		zones   []int
		village []report.Place
		rows    []report.VillageRow
		// communes counts the province's villages per commune code
		// attributed ("" for none), as communes_summary does.
		communes map[string]*deadzone.VillageCount
	}
	acc := map[string]*provAcc{}
	get := func(code string) *provAcc {
		if acc[code] == nil {
			acc[code] = &provAcc{code: code}
		}
		return acc[code]
	}
	if single != "" {
		// A one-province report maps every analysed hex of the province.
		for _, b := range best {
			get(single).cells = append(get(single).cells, b.Cell)
		}
	} else {
		for _, pc := range dz.Population {
			if code := dz.Admin[pc.Cell].Province; code != "" {
				get(code).cells = append(get(code).cells, pc.Cell)
			}
		}
	}
	// A zone is listed and drawn in every province it extends into (it
	// was only in the one with the largest share, while the scorecard
	// counts each province's part of its households); provinces are
	// ordered by the households of their own dead hexes, as the scorecard
	// counts them (a zone's share of hexes times its households credited
	// a national zone's millions to the provinces with most of its area).
	for i, z := range dz.Zones {
		for _, u := range z.Provinces {
			if single != "" && u.Code != single {
				continue
			}
			get(u.Code).zones = append(get(u.Code).zones, i)
		}
	}
	for code, d := range DeadZoneFigures(dz) {
		if acc[code] != nil && (single == "" || code == single) {
			acc[code].deadHH = d.Households
		}
	}
	for _, v := range dz.Villages.Villages {
		row, show := reportVillage(v, dz.Villages.Cut)
		// A one-province report shows that province's villages only: the
		// run decides every village (for the radio map), but analyses
		// the province's hexes alone.
		if show && v.Province != "" && (single == "" || v.Province == single) {
			a := get(v.Province)
			a.village = append(a.village, report.Place{Name: v.Name, Point: orb.Point{v.Lon, v.Lat}, Status: row.Status, PDead: row.PDead,
				WithoutSignal: row.WithoutSignal})
			a.rows = append(a.rows, row)
		}
	}
	// Each province section's communes, counted by deadzone's rule
	// (VillageCount.Add), for its provinces only: a province with no
	// section gets none for its villages.
	for _, v := range dz.Villages.Villages {
		a := acc[v.Province]
		if a == nil || v.Province == "" {
			continue
		}
		if a.communes == nil {
			a.communes = map[string]*deadzone.VillageCount{}
		}
		c := a.communes[v.Commune]
		if c == nil {
			c = &deadzone.VillageCount{Code: v.Commune}
			a.communes[v.Commune] = c
		}
		c.Add(v)
	}
	expected := map[string]deadzone.ListExpectation{}
	for _, u := range deadzone.ExpectByProvince(dz.Villages.Villages) {
		expected[u.Code] = u.ListExpectation
	}
	codes := make([]string, 0, len(acc))
	for c := range acc {
		codes = append(codes, c)
	}
	slices.SortFunc(codes, func(a, b string) int {
		if acc[a].deadHH != acc[b].deadHH {
			if acc[a].deadHH > acc[b].deadHH {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	var marks []orb.Point // the active sites' places, for the maps
	for i, code := range codes {
		a := acc[code]
		prov := report.Province{Code: code, Name: code}
		u, ok := provinces.ByCode(code)
		if ok {
			prov.Name = u.Name
		}
		for _, zi := range a.zones {
			z := reportZone(dz.Zones[zi], uncertain[zi])
			for _, u := range dz.Zones[zi].Provinces {
				if u.Code == code {
					continue
				}
				other := u.Code
				if o, ok := provinces.ByCode(u.Code); ok {
					other = o.Name
				}
				z.AlsoIn = append(z.AlsoIn, fmt.Sprintf("%s, %.0f%% of its hexes", other, 100*u.Share))
			}
			prov.DeadZones = append(prov.DeadZones, z)
		}
		prov.Villages = sortVillageRows(a.rows)
		for _, c := range a.communes {
			prov.Communes = append(prov.Communes, report.CommuneRow{Code: c.Code, Villages: c.Villages, WithoutSignal: c.WithoutSignal,
				Only2G: c.Only2G, Uncertain: c.Uncertain, HouseholdsWithoutSignal: c.HouseholdsWithoutSignal, HouseholdsUncertain: c.HouseholdsUncertain})
		}
		slices.SortFunc(prov.Communes, func(a, b report.CommuneRow) int { return strings.Compare(a.Code, b.Code) })
		if e, ok := expected[code]; ok && e.WithPDead > 0 {
			prov.Expected = &report.Expectation{WithPDead: e.WithPDead, Listed: e.Listed, Dead: e.ExpectedDead, DeadListed: e.ExpectedDeadListed, Missed: e.ExpectedMissed()}
		}
		if i < maxMaps && ok {
			m := &report.Map{Outline: u.Geometry, Villages: a.village, PopulatedOnly: single == ""}
			for _, c := range a.cells {
				ring, err := c.Boundary()
				if err != nil {
					return nil, err
				}
				m.Hexes = append(m.Hexes, report.Hex{Boundary: ring, State: reportState(bestOf[c])})
			}
			for _, zi := range a.zones {
				mp, err := hexgrid.Outline(dz.Zones[zi].Cells)
				if err != nil {
					return nil, err
				}
				m.DeadZones = append(m.DeadZones, report.ZoneOutline{ID: dz.Zones[zi].ID, Outline: mp})
			}
			if marks == nil {
				marks = activeSitePoints(dz.Coverage.Sites)
			}
			m.Sites = siteMarks(marks, u.Bound)
			prov.Map = m
		}
		r.Provinces = append(r.Provinces, prov)
	}
	return r, nil
}

// NameCommunes gives the report's villages and dead zones their
// communes' names from communes, the boundary set they were attributed
// with (lomsong run --communes), as the export's commune_name does: a
// provincial department reads its communes by name. A code the set does
// not hold (a village's own commune_code, outside every commune) stays as
// it is. Each province section gains a row of no village for each of its
// communes in the set that no village lies in. Nothing changes without a
// set.
func NameCommunes(r *report.Report, communes *geodata.BoundarySet) {
	if communes == nil {
		return
	}
	name := func(code string) string {
		if u, ok := communes.ByCode(code); ok && u.Name != "" {
			return u.Name
		}
		return code
	}
	zones := func(zs []report.DeadZone) {
		for i := range zs {
			for j, c := range zs[i].Communes {
				zs[i].Communes[j] = name(c)
			}
		}
	}
	zones(r.DeadZones)
	for i := range r.Provinces {
		zones(r.Provinces[i].DeadZones)
		for j := range r.Provinces[i].Villages {
			v := &r.Provinces[i].Villages[j]
			v.Commune = name(v.Commune)
		}
		pr := &r.Provinces[i]
		listed := map[string]bool{}
		for j := range pr.Communes {
			c := &pr.Communes[j]
			listed[c.Code] = true
			if n := name(c.Code); n != c.Code {
				c.Name = n
			}
		}
		// The province's communes without a village in the data: rows of
		// no village, so the page says they were not judged instead of
		// leaving them out (communes_summary lists them too).
		added := false
		for _, u := range communes.Units() {
			if u.ParentCode == pr.Code && !listed[u.Code] {
				pr.Communes = append(pr.Communes, report.CommuneRow{Code: u.Code, Name: u.Name})
				added = true
			}
		}
		if added {
			slices.SortFunc(pr.Communes, func(a, b report.CommuneRow) int { return strings.Compare(a.Code, b.Code) })
		}
	}
}

// reportCarriers returns the carriers a coverage result read, by name:
// each one's active site sectors, those of them the best server of a
// coverage state (a place analysed, for its technology), and its valid
// outdoor and in-vehicle tests (the coverage states' Tests). Never nil: an
// empty list says none.
func reportCarriers(cov *CoverageResult) []report.CarrierEvidence {
	by := map[engine.Carrier]*report.CarrierEvidence{}
	get := func(c engine.Carrier) *report.CarrierEvidence {
		if by[c] == nil {
			by[c] = &report.CarrierEvidence{Carrier: string(c)}
		}
		return by[c]
	}
	if cov != nil {
		for _, s := range cov.Sites {
			if s.Status == engine.StatusActive {
				get(s.Carrier).Sectors++
			}
		}
		serving := map[[2]string]bool{}
		for _, st := range cov.States {
			if st.Tests > 0 {
				get(st.Carrier).Tests += st.Tests
			}
			if st.ServingSite != "" && !serving[[2]string{string(st.Carrier), st.ServingSite}] {
				serving[[2]string{string(st.Carrier), st.ServingSite}] = true
				get(st.Carrier).Serving++
			}
		}
	}
	out := make([]report.CarrierEvidence, 0, len(by))
	for _, c := range by {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b report.CarrierEvidence) int { return strings.Compare(a.Carrier, b.Carrier) })
	return out
}

// ReportOffAir returns the report's rows of the masts off the air: the
// most likely off first (then the most tested), at most max, each placed
// in its province (only those of province single when it is not empty);
// and how many were left out.
func ReportOffAir(masts []predict.OffAirMast, provinces *geodata.BoundarySet, single string, max int) ([]report.OffAirMast, int) {
	type placed struct {
		m    predict.OffAirMast
		code string // its province
	}
	var ms []placed
	for _, m := range masts {
		code := ""
		if provinces != nil {
			if u, ok := provinces.Locate(orb.Point{m.Lon, m.Lat}); ok {
				code = u.Code
			}
		}
		if single == "" || code == single {
			ms = append(ms, placed{m, code})
		}
	}
	slices.SortStableFunc(ms, func(x, y placed) int {
		a, b := x.m, y.m
		return cmp.Or(cmp.Compare(b.POff, a.POff), cmp.Compare(b.Observations, a.Observations),
			cmp.Compare(a.Carrier, b.Carrier), strings.Compare(a.SiteIDs[0], b.SiteIDs[0]))
	})
	more := 0
	if len(ms) > max {
		ms, more = ms[:max], len(ms)-max
	}
	out := make([]report.OffAirMast, len(ms))
	for i, p := range ms {
		m := p.m
		out[i] = report.OffAirMast{Carrier: string(m.Carrier), Mast: m.SiteIDs[0], Sectors: len(m.SiteIDs), Area: p.code, Lon: m.Lon, Lat: m.Lat,
			Observations: m.Observations, MedianResidualDB: m.MedianResidualDB, POff: m.POff}
	}
	return out, more
}

func reportState(b coverage.Best) report.State {
	if b.Cell == 0 {
		return report.StateNoData
	}
	switch b.State {
	case coverage.Covered:
		return report.StateCovered
	case coverage.Weak:
		return report.StateWeak
	}
	return report.StateUncovered
}

// siteMarks returns one point per active physical site (sectors and
// technologies at one position collapse) inside the bound.
func siteMarks(marks []orb.Point, b orb.Bound) []orb.Point {
	var out []orb.Point
	i, _ := slices.BinarySearchFunc(marks, b.Min[0], func(p orb.Point, lon float64) int { return cmp.Compare(p[0], lon) })
	for ; i < len(marks) && marks[i][0] <= b.Max[0]; i++ {
		if b.Contains(marks[i]) {
			out = append(out, marks[i])
		}
	}
	return out
}

// activeSitePoints returns the places of the active sites, each once,
// sorted by longitude then latitude: what siteMarks takes a map's marks
// from (a register's hundreds of thousands of sectors are read once, not
// once per province map).
func activeSitePoints(sites []engine.Site) []orb.Point {
	var out []orb.Point
	for _, s := range sites {
		if s.Status == engine.StatusActive {
			out = append(out, orb.Point{s.Lon, s.Lat})
		}
	}
	slices.SortFunc(out, func(a, b orb.Point) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	return slices.CompactFunc(out, func(a, b orb.Point) bool { return a == b })
}
