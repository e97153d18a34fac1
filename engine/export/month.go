package export

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/pipeline"
	"github.com/lomsong/lomsong/engine/population"
	"github.com/lomsong/lomsong/engine/predict"
	"github.com/lomsong/lomsong/engine/report"
	"github.com/lomsong/lomsong/geodata"
	"github.com/lomsong/lomsong/internal/plural"
	"github.com/paulmach/orb"
)

// Meta describes where a Month came from. It is written into every
// format's metadata.
type Meta struct {
	// Period is the month (YYYY-MM); Province the code of the one province
	// analysed, empty for the whole dataset.
	Period   string `json:"period"`
	Province string `json:"province,omitempty"`
	// Resolution is the H3 analysis resolution.
	Resolution int `json:"h3_resolution"`
	// Version, Commit and BuildDate identify the lomsong build.
	Version   string `json:"lomsong_version"`
	Commit    string `json:"lomsong_commit"`
	BuildDate string `json:"lomsong_build_date"`
	// Dataset is the dataset folder and ManifestSHA256 the SHA-256 of its
	// manifest.json: the exact inputs the month was computed from.
	Dataset        string `json:"dataset"`
	ManifestSHA256 string `json:"dataset_manifest_sha256"`
	// Boundaries and CommuneBoundaries name the province and commune
	// boundary sets.
	Boundaries        string `json:"boundaries"`
	CommuneBoundaries string `json:"commune_boundaries,omitempty"`
	// Totals are exact (unrounded) sums of the counts the tables round,
	// by name (e.g. "dead_zone_households"); filled by Build.
	Totals map[string]float64 `json:"exact_totals"`
}

// CoverageHex is one hex × carrier × technology state.
type CoverageHex struct {
	Cell                         hexgrid.Cell
	Carrier, Tech, State, Source string
	Tests, Failures              int64
	MedianDBm, PredictedDBm      float64 // NaN when unknown
	SigmaDB, DistanceM           float64 // NaN when unknown
	ServingSite                  string
	Province, ProvinceName       string
	Commune, CommuneName         string
}

// BestHex is the best 3G/4G/5G state of any carrier in a hex, as the
// dead-zone analysis leaves it (pipeline.DeadZoneResult.BestByHex): the
// coverage stage's, except that a hex of a dead zone is uncovered with no
// carrier, technology or source.
type BestHex struct {
	Cell                         hexgrid.Cell
	State, Source, Carrier, Tech string
	Carriers                     string // space-separated carriers serving at least weakly
	Has2G                        bool
	Households, Population       int64
	Dead                         bool // the hex is part of a dead zone
	// PDead is the hex's probability of having no 3G/4G/5G (to 4
	// decimals) and Status its class (deadzone.StatusOf); NaN and "" for
	// a hex the dead-zone analysis did not decide (unpopulated).
	PDead                  float64
	Status                 string
	Province, ProvinceName string
	Commune, CommuneName   string
}

// Hex is a populated hex of the analysis with its dead-zone verdict.
type Hex struct {
	Cell                   hexgrid.Cell
	Households, Population int64
	// PDead is the probability of having no 3G/4G/5G (to 4 decimals),
	// Status its class (deadzone.StatusOf); NaN and "" when the hex was
	// not decided.
	PDead  float64
	Status string
	ZoneID string // the dead zone it belongs to, if any
	// DeadZoneHouseholds are its households the zone counts: those
	// without 3G/4G (pipeline.DeadZoneResult.DeadHouseholds); 0 outside
	// a zone.
	DeadZoneHouseholds     int64
	Province, ProvinceName string
	Commune, CommuneName   string
}

// Zone is a dead zone with its outline.
type Zone struct {
	ID              string
	Outline         orb.MultiPolygon
	Hexes, Villages int
	VillagesServed  int // of Villages, those counted as served (below the cut)
	// VillagesUncertain are those of VillagesServed counted as served on
	// an uncertain verdict (deadzone.ZonesUncertain), as the
	// communes_summary layer counts them: not judged served.
	VillagesUncertain      int
	AreaKm2                float64
	Households, Population int64
	Province, ProvinceName string
	Commune, CommuneName   string
	// Provinces and Communes are every unit the zone's households lie in,
	// with their shares (deadzone.FormatShares: "01=0.60 12=0.40"), as
	// deadzones.csv writes them; Province and Commune are the first.
	Provinces, Communes string
	Partly2G            bool
	Carriers2G          string
	NearestSites        string
}

// Village is a village's verdict at its point.
type Village struct {
	ID, Name              string
	Lon, Lat              float64
	Cell                  hexgrid.Cell
	Households            int64
	Level, Status         string
	PDead                 float64 // NaN for a village decided by its hexes
	WithoutSignal         bool
	BestCarrier, BestTech string
	// BestMeanDBm and BestSigmaDB are the posterior mean and σ of the
	// best carrier's technology at the village's point (to 0.1); NaN
	// without a verdict or without a 3G/4G/5G key.
	BestMeanDBm, BestSigmaDB float64
	// Tests300m and NoService300m count the tests, and the tests finding
	// no network, within 300 m; NearestTestM is the metres to the nearest
	// test when one lies within the search's reach, NaN otherwise (as
	// villages.csv).
	Tests300m, NoService300m int64
	NearestTestM             float64
	Commune, CommuneName     string
	Province, ProvinceName   string
	Attribution              string
	// GivenCommune is the village's own commune code as its table gives
	// it (villages.csv's commune_code), which Commune, the commune
	// attributed, may differ from with a commune set: another commune,
	// or none (province_only).
	GivenCommune string
}

// Site is one sector of the site register.
type Site struct {
	SiteID, Carrier, Tech string
	Lon, Lat              float64
	Cell                  hexgrid.Cell
	BandMHz, HeightM      float64
	Status, Backhaul      string
}

// SiteOffAir is the sites layer's status of a row the register lists
// active that the calibration's off-air check set down.
const SiteOffAir = "off_air"

// PlanPoint is a funded step of the investment plan.
type PlanPoint struct {
	Rank                                         int64
	Candidate, Source                            string
	Lon, Lat                                     float64
	Cell                                         hexgrid.Cell
	HouseholdsNewlyCovered, CumulativeHouseholds int64
	CostVND, CumulativeCostVND                   int64
	CostPerHouseholdVND                          int64 // 0 when no household is newly covered
	DeadHexesCovered                             int64
	Power, Backhaul                              string
	Province, ProvinceName                       string
	Commune, CommuneName                         string
}

// CommuneSummary counts villages and dead-zone households per commune.
type CommuneSummary struct {
	Code, Name             string
	Province, ProvinceName string
	// Outline is the commune's polygon from the commune boundary set; nil
	// when the month was built without one.
	Outline                         orb.MultiPolygon
	Villages, WithoutSignal, Only2G int64
	HouseholdsWithoutSignal         int64
	// Uncertain are the villages counted as served on an uncertain
	// verdict (deadzone.VillageStatus.Uncertain), not in WithoutSignal;
	// HouseholdsUncertain their households.
	Uncertain, HouseholdsUncertain int64
	DeadHexes                      int64
	DeadZoneHouseholds             int64
}

// Month is one month of results, ready to export.
type Month struct {
	Meta     Meta
	Coverage []CoverageHex
	Best     []BestHex
	Hexes    []Hex
	Zones    []Zone
	Villages []Village
	Sites    []Site
	Plan     []PlanPoint
	Communes []CommuneSummary
	// NoPlan says why Plan is empty when the month has a plan that funds
	// no site (no dead zone, no candidate, or none within the budget:
	// OverBudget); empty otherwise.
	NoPlan     string
	OverBudget bool
}

// Input is what Build reads: the month's dead zones (with the coverage
// behind them) and plan, and the boundary sets that name their codes.
type Input struct {
	DeadZones *pipeline.DeadZoneResult
	Plan      *pipeline.PlanResult
	// Provinces names province codes; Communes (optional) names commune
	// codes and gives the commune summaries their polygons.
	Provinces, Communes *geodata.BoundarySet
	Meta                Meta
	// OffAir names the register rows the calibration's off-air check set
	// down (CoverageOptions.OffAir): the sites layer gives them the status
	// off_air instead of down.
	OffAir []predict.SiteRef
}

// count is a count of households or people as a whole number, by the
// pipeline's rule (pipeline.WholeCount), which the CLI's tables and the
// service's release files share.
func count(v float64) int64 { return int64(pipeline.WholeCount(v)) }

// round rounds v to 1/scale (NaN and ±Inf stay as they are).
func round(v, scale float64) float64 { return math.Round(v*scale) / scale }

// dong rounds an amount to whole đồng (NaN or ±Inf → 0).
func dong(v float64) int64 { return count(v) }

func name(set *geodata.BoundarySet, code string) string {
	if set == nil || code == "" {
		return ""
	}
	if u, ok := set.ByCode(code); ok {
		return u.Name
	}
	return ""
}

// Build turns the month's results into a Month: rows in the engine's
// order (states by cell, carrier and tech; zones by households; villages
// by commune and id; plan by rank; communes by code), counts rounded to
// whole households and money to whole đồng with the exact totals in
// Meta.Totals.
func Build(in Input) (*Month, error) {
	dz, pr := in.DeadZones, in.Plan
	if dz == nil || dz.Coverage == nil {
		return nil, fmt.Errorf("export: no dead-zone results to export: %w", engine.ErrInvalidConfig)
	}
	m := &Month{Meta: in.Meta}
	m.Meta.Totals = map[string]float64{}
	if in.Provinces != nil {
		m.Meta.Boundaries = in.Provinces.Name
	}
	if in.Communes != nil {
		m.Meta.CommuneBoundaries = in.Communes.Name
	}
	pn := func(code string) string { return name(in.Provinces, code) }
	cn := func(code string) string { return name(in.Communes, code) }
	dead := map[hexgrid.Cell]bool{}
	for _, z := range dz.Zones {
		for _, c := range z.Cells {
			dead[c] = true
		}
	}
	deadHH := dz.DeadHouseholds()
	// Tables sized once: the country's coverage has a million rows, and a
	// slice grown by doubling holds up to twice that, and the copies.
	m.Coverage = make([]CoverageHex, 0, len(dz.Coverage.States))
	for _, s := range dz.Coverage.States {
		a := dz.Admin[s.Cell]
		m.Coverage = append(m.Coverage, CoverageHex{Cell: s.Cell, Carrier: string(s.Carrier), Tech: s.Tech.String(),
			State: s.State.String(), Source: s.Source.String(), Tests: s.Tests, Failures: s.Failures,
			MedianDBm: s.MedianDBm, PredictedDBm: s.PredictedDBm, SigmaDB: s.SigmaDB, DistanceM: s.DistanceM,
			ServingSite: s.ServingSite, Province: a.Province, ProvinceName: pn(a.Province), Commune: a.Commune, CommuneName: cn(a.Commune)})
	}
	pop := map[hexgrid.Cell][2]float64{}
	for _, p := range dz.Population {
		pop[p.Cell] = [2]float64{p.Households, p.Population}
	}
	var hexHH float64
	best := dz.BestByHex()
	m.Best = make([]BestHex, 0, len(best))
	for _, b := range best {
		a := dz.Admin[b.Cell]
		h := BestHex{Cell: b.Cell, State: b.State.String(), Carrier: string(b.Carrier), Has2G: b.Has2G, Dead: dead[b.Cell],
			Households: count(pop[b.Cell][0]), Population: count(pop[b.Cell][1]), PDead: math.NaN(),
			Province: a.Province, ProvinceName: pn(a.Province), Commune: a.Commune, CommuneName: cn(a.Commune)}
		if p, ok := dz.PDead[b.Cell]; ok && !math.IsNaN(p) {
			h.PDead, h.Status = deadzone.RoundPDead(p, 4, dz.RadioMap.Cut), deadzone.StatusOf(p).String()
		}
		hexHH += pop[b.Cell][0]
		if b.Tech != engine.TechUnknown {
			h.Tech, h.Source = b.Tech.String(), b.Source.String()
		}
		cs := make([]string, len(b.Carriers))
		for i, c := range b.Carriers {
			cs[i] = string(c)
		}
		h.Carriers = strings.Join(cs, " ")
		m.Best = append(m.Best, h)
	}
	m.Meta.Totals["coverage_best_households"] = hexHH
	zoneOf := map[hexgrid.Cell]string{}
	for _, z := range dz.Zones {
		for _, c := range z.Cells {
			zoneOf[c] = z.ID
		}
	}
	popCells := slices.Clone(dz.Population)
	slices.SortStableFunc(popCells, func(a, b population.Cell) int { return cmp.Compare(a.Cell, b.Cell) })
	var popHH float64
	m.Hexes = make([]Hex, 0, len(popCells))
	for _, p := range popCells {
		a := dz.Admin[p.Cell]
		h := Hex{Cell: p.Cell, Households: count(p.Households), Population: count(p.Population), PDead: math.NaN(), ZoneID: zoneOf[p.Cell],
			DeadZoneHouseholds: count(deadHH[p.Cell]),
			Province:           a.Province, ProvinceName: pn(a.Province), Commune: a.Commune, CommuneName: cn(a.Commune)}
		if v, ok := dz.PDead[p.Cell]; ok && !math.IsNaN(v) {
			h.PDead, h.Status = deadzone.RoundPDead(v, 4, dz.RadioMap.Cut), deadzone.StatusOf(v).String()
		}
		popHH += p.Households
		m.Hexes = append(m.Hexes, h)
	}
	m.Meta.Totals["hexes_households"] = popHH
	var zoneHH, zonePop float64
	uncertain := deadzone.ZonesUncertain(dz.Zones, dz.Villages)
	for i, z := range dz.Zones {
		outline, err := hexgrid.Outline(z.Cells)
		if err != nil {
			return nil, fmt.Errorf("export: zone %s: %w", z.ID, err)
		}
		o := Zone{ID: z.ID, Outline: outline, Hexes: len(z.Cells), Villages: len(z.Villages), VillagesServed: len(z.Served),
			VillagesUncertain: uncertain[i], AreaKm2: z.AreaKm2, Households: count(z.Households), Population: count(z.Population), Partly2G: z.Partly2G}
		zoneHH += z.Households
		zonePop += z.Population
		if len(z.Provinces) > 0 {
			o.Province = z.Provinces[0].Code
			o.ProvinceName = pn(o.Province)
		}
		if len(z.Communes) > 0 {
			o.Commune = z.Communes[0].Code
			o.CommuneName = cn(o.Commune)
		}
		o.Provinces, o.Communes = deadzone.FormatShares(z.Provinces), deadzone.FormatShares(z.Communes)
		var cs, ns []string
		for _, c := range z.Carriers2G {
			cs = append(cs, string(c))
		}
		for _, d := range z.Nearest {
			ns = append(ns, fmt.Sprintf("%s:%s:%.0fm", d.Carrier, d.SiteID, d.DistanceM))
		}
		o.Carriers2G, o.NearestSites = strings.Join(cs, " "), strings.Join(ns, " ")
		m.Zones = append(m.Zones, o)
	}
	m.Meta.Totals["dead_zone_households"] = zoneHH
	m.Meta.Totals["dead_zone_population"] = zonePop
	var villageHH float64
	m.Villages = make([]Village, 0, len(dz.Villages.Villages))
	for _, v := range dz.Villages.Villages {
		o := Village{ID: v.ID, Name: v.Name, Lon: v.Lon, Lat: v.Lat, Cell: v.Cell, Households: count(v.Households),
			Level: v.LevelName(), PDead: math.NaN(), BestMeanDBm: math.NaN(), BestSigmaDB: math.NaN(), NearestTestM: math.NaN(), WithoutSignal: v.WithoutSignal(),
			Commune: v.Commune, CommuneName: cn(v.Commune), Province: v.Province, ProvinceName: pn(v.Province), Attribution: v.Attribution,
			GivenCommune: v.CommuneCode}
		villageHH += v.Households
		if v.HasVerdict {
			o.PDead, o.Status = deadzone.RoundPDead(v.Verdict.PDead, 4, dz.Villages.Cut), deadzone.StatusOf(v.Verdict.PDead).String()
			if v.Verdict.Best.Tech.Valid() {
				o.BestCarrier, o.BestTech = string(v.Verdict.Best.Carrier), v.Verdict.Best.Tech.String()
				o.BestMeanDBm, o.BestSigmaDB = round(v.Verdict.BestMeanDBm, 10), round(v.Verdict.BestSigmaDB, 10)
			}
		}
		if v.HasNearby {
			o.Tests300m, o.NoService300m = int64(v.Nearby.Tests), int64(v.Nearby.NoService)
			if !math.IsInf(v.Nearby.NearestTestM, 0) {
				o.NearestTestM = math.Round(v.Nearby.NearestTestM)
			}
		}
		m.Villages = append(m.Villages, o)
	}
	m.Meta.Totals["village_households"] = villageHH
	res := m.Meta.Resolution
	if res == 0 {
		res = dz.Coverage.Config.Resolution
		m.Meta.Resolution = res
	}
	// The off-air check's rows by the refs' own rule (a site_id that
	// masts far apart share names one mast's rows), not by carrier and
	// site_id alone.
	offAir := predict.OffAirRows(dz.Coverage.Sites, in.OffAir)
	// A one-province month keeps the sites in the province and those
	// serving its hexes or named as a dead zone's nearest from across its
	// border (so that the zones' nearest_sites join to the layer), not
	// the whole register.
	var keepSite func(s engine.Site) bool
	if prov := m.Meta.Province; prov != "" && in.Provinces != nil {
		serving := map[string]bool{}
		for _, st := range dz.Coverage.States {
			if st.ServingSite != "" {
				serving[st.ServingSite] = true
			}
		}
		for _, z := range dz.Zones {
			for _, d := range z.Nearest {
				serving[d.SiteID] = true
			}
		}
		keepSite = func(s engine.Site) bool {
			if serving[s.SiteID] {
				return true
			}
			u, ok := in.Provinces.Locate(orb.Point{s.Lon, s.Lat})
			return ok && u.Code == prov
		}
	}
	m.Sites = make([]Site, 0, len(dz.Coverage.Sites))
	for i, s := range dz.Coverage.Sites {
		if keepSite != nil && !keepSite(s) {
			continue
		}
		o := Site{SiteID: s.SiteID, Carrier: string(s.Carrier), Tech: s.Tech.String(), Lon: s.Lon, Lat: s.Lat,
			BandMHz: s.BandMHz, HeightM: s.HeightM, Status: s.Status.String(), Backhaul: s.Backhaul.String()}
		if s.Status == engine.StatusDown && offAir[i] {
			o.Status = SiteOffAir
		}
		if c, err := hexgrid.Index(s.Lon, s.Lat, res); err == nil {
			o.Cell = c
		}
		m.Sites = append(m.Sites, o)
	}
	// By id, not in the register's order: the same register ingested
	// whole or as a later update moved rows (and their fids) between
	// exports of the same sites.
	slices.SortStableFunc(m.Sites, func(a, b Site) int {
		return cmp.Or(strings.Compare(a.SiteID, b.SiteID), strings.Compare(a.Carrier, b.Carrier), strings.Compare(a.Tech, b.Tech))
	})
	if pr != nil {
		var newHH float64
		for _, s := range pr.Plan.Steps {
			a := pr.Admin[s.CandidateID]
			o := PlanPoint{Rank: int64(s.Rank), Candidate: s.CandidateID, Source: s.Source.String(), Lon: s.Lon, Lat: s.Lat,
				HouseholdsNewlyCovered: count(s.NewlyCovered()), CumulativeHouseholds: count(s.CumHouseholds),
				CostVND: dong(s.CostVND), CumulativeCostVND: dong(s.CumCostVND), CostPerHouseholdVND: dong(s.CostPerHouseholdVND),
				DeadHexesCovered: int64(len(pr.Footprints[s.CandidateID])), Power: s.Power, Backhaul: s.Backhaul,
				Province: a[0], ProvinceName: pn(a[0]), Commune: a[1], CommuneName: cn(a[1])}
			newHH += s.NewlyCovered()
			if c, err := hexgrid.Index(s.Lon, s.Lat, res); err == nil {
				o.Cell = c
			}
			m.Plan = append(m.Plan, o)
		}
		m.Meta.Totals["plan_households_newly_covered"] = newHH
		m.Meta.Totals["plan_cost_vnd"] = pr.Plan.TotalCostVND
		if len(pr.Plan.Steps) == 0 {
			m.NoPlan, m.OverBudget = noPlan(dz, pr)
		}
	}
	communes, err := communeSummaries(dz, in.Provinces, in.Communes, deadHH)
	if err != nil {
		return nil, err
	}
	m.Communes = communes
	return m, nil
}

// communeSummaries counts villages (deadzone's per-commune counts) and
// dead hexes and their households without 3G/4G (deadHH, by each hex's
// commune) per commune code, with the commune's polygon when the commune
// set has it.
func communeSummaries(dz *pipeline.DeadZoneResult, provinces, communes *geodata.BoundarySet, deadHH map[hexgrid.Cell]float64) ([]CommuneSummary, error) {
	by := map[string]*CommuneSummary{}
	get := func(code string) *CommuneSummary {
		if by[code] == nil {
			by[code] = &CommuneSummary{Code: code}
		}
		return by[code]
	}
	for _, c := range dz.Villages.ByCommune {
		if c.Code == "" {
			continue
		}
		get(c.Code).setVillages(c)
	}
	exact := map[string]float64{}
	cells := make([]hexgrid.Cell, 0, len(deadHH))
	for c := range deadHH {
		cells = append(cells, c)
	}
	slices.Sort(cells)
	// Villages and dead hexes without a commune: one row per province
	// ("(no commune)", no outline), so that the summary's rows add up to
	// the villages layer and the dead hexes.
	// Their villages are counted as deadzone counts a commune's
	// (VillageCount.Add), by province, with exact households.
	type noCommune struct {
		s        *CommuneSummary
		villages deadzone.VillageCount
		dead     float64 // exact households
	}
	none := map[string]*noCommune{} // by province
	getNone := func(province string) *noCommune {
		if none[province] == nil {
			none[province] = &noCommune{s: &CommuneSummary{Name: NoCommune, Province: province}}
		}
		return none[province]
	}
	for _, v := range dz.Villages.Villages {
		if v.Commune == "" {
			getNone(v.Province).villages.Add(v)
		}
	}
	for _, c := range cells {
		code := dz.Admin[c].Commune
		if code == "" {
			n := getNone(dz.Admin[c].Province)
			n.s.DeadHexes++
			n.dead += deadHH[c]
			continue
		}
		get(code).DeadHexes++
		exact[code] += deadHH[c]
	}
	// Every commune of the commune set in a province the summary holds
	// (one with a village or a dead hex), with or without villages: a
	// commune without a village listed reads 0 villages and 0 dead-zone
	// households (its hexes were analysed as every other), not a hole in
	// the map.
	if communes != nil {
		held := map[string]bool{}
		for code, s := range by {
			pr := s.Province
			if u, ok := communes.ByCode(code); ok {
				pr = u.ParentCode
			}
			if pr == "" {
				pr = provinceOfCommune(dz, code)
			}
			held[pr] = true
		}
		for pr := range none {
			held[pr] = true
		}
		for _, u := range communes.Units() {
			if held[u.ParentCode] && u.ParentCode != "" {
				get(u.Code)
			}
		}
	}
	codes := make([]string, 0, len(by))
	for code := range by {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	out := make([]CommuneSummary, 0, len(codes))
	for _, code := range codes {
		s := by[code]
		s.DeadZoneHouseholds = count(exact[code])
		if communes != nil {
			if u, ok := communes.ByCode(code); ok {
				s.Name, s.Province, s.Outline = u.Name, u.ParentCode, u.Geometry
			}
		}
		if s.Province == "" {
			s.Province = provinceOfCommune(dz, code)
		}
		s.ProvinceName = name(provinces, s.Province)
		out = append(out, *s)
	}
	for _, pr := range slices.Sorted(maps.Keys(none)) {
		n := none[pr]
		n.s.setVillages(n.villages)
		n.s.DeadZoneHouseholds = count(n.dead)
		n.s.ProvinceName = name(provinces, pr)
		out = append(out, *n.s)
	}
	return out, nil
}

// setVillages takes the village counts of s from c, deadzone's count of
// the unit's villages, households as whole numbers.
func (s *CommuneSummary) setVillages(c deadzone.VillageCount) {
	s.Villages, s.WithoutSignal, s.Only2G = int64(c.Villages), int64(c.WithoutSignal), int64(c.Only2G)
	s.HouseholdsWithoutSignal = count(c.HouseholdsWithoutSignal)
	s.Uncertain, s.HouseholdsUncertain = int64(c.Uncertain), count(c.HouseholdsUncertain)
}

// noPlan says why a plan funds no site, and whether the budget is why.
func noPlan(dz *pipeline.DeadZoneResult, pr *pipeline.PlanResult) (string, bool) {
	var leftHexes int
	var leftHouseholds float64
	for _, a := range dz.NoData {
		leftHexes, leftHouseholds = leftHexes+a.Hexes, leftHouseholds+a.Households
	}
	switch {
	case len(dz.Zones) == 0 && len(dz.NoData) > 0:
		// The places the run left out were not analysed: no all-clear.
		are := "are"
		if leftHexes == 1 {
			are = "is"
		}
		return fmt.Sprintf("no dead zone in the places analysed, nothing to plan there; %s (%.0f households) left out, with no site or test near, %s not known to be served",
			plural.Count(leftHexes, "populated hex", "populated hexes"), leftHouseholds, are), false
	case len(dz.Zones) == 0:
		return "no dead zone, nothing to plan", false
	case len(pr.Candidates) == 0:
		return "no candidate site for the dead zones", false
	}
	none := fmt.Sprintf("none of the %d candidate sites fits", len(pr.Candidates))
	if len(pr.Candidates) == 1 {
		none = "the one candidate site does not fit"
	}
	return fmt.Sprintf("%s within the budget of %s VND", none, strconv.FormatFloat(pr.Plan.BudgetVND, 'f', 0, 64)), true
}

// NoCommune names a communes_summary row of the villages and dead hexes
// of a province that no commune was attributed to, as the report names
// such a village's commune.
const NoCommune = report.NoCommune

// provinceOfCommune returns the province of the first village attributed
// to the commune (villages are sorted by commune, then id).
func provinceOfCommune(dz *pipeline.DeadZoneResult, code string) string {
	for _, v := range dz.Villages.Villages {
		if v.Commune == code && v.Province != "" {
			return v.Province
		}
	}
	return ""
}
