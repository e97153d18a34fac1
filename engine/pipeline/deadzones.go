package pipeline

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/challenge"
	"github.com/lomsong/lomsong/engine/coverage"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/population"
	"github.com/lomsong/lomsong/engine/predict"
	"github.com/lomsong/lomsong/geodata"
	"github.com/paulmach/orb"
	"gonum.org/v1/gonum/stat/distuv"
)

// DeadZoneOptions control DeadZones.
type DeadZoneOptions struct {
	Coverage CoverageOptions
	// Provinces and Communes attribute hexes to units (Communes optional).
	Provinces, Communes *geodata.BoundarySet
	Villages            deadzone.VillageOptions
	Challenge           challenge.Config
	// Claims are carrier-submitted claimed (hex, carrier, tech); nil takes
	// every predicted (hex, carrier, tech) as claimed.
	Claims []challenge.Claim
	// ServedReliability is the probability of service at which a hex counts
	// as served for the dead-zone finding: the probability that some
	// carrier's 3G/4G/5G signal at a point of the hex reaches the threshold
	// (servedStates). Default 0.5: more likely served than not. The 90%
	// cell-edge margin of the coverage layer is the bar for claiming
	// coverage; for declaring a place without signal the likelier state is
	// the honest one. A decisive measured verdict (covered or uncovered)
	// stands.
	ServedReliability float64
	// MeasurementNoiseDB is the per-test noise used when tests are fused
	// with the prediction (default DefaultMeasurementNoiseDB).
	MeasurementNoiseDB float64
	// VillagesByHex decides villages from their hexes only (the hex's state,
	// and the best hex within Villages.RadiusM), instead of from a
	// prediction at each village's own point (villagePoints).
	VillagesByHex bool
}

// villagePoints returns the village-level decision for deadzone.Villages:
// the best server is predicted at each village's own point (not its hex's
// centre: near a site the signal changes by tens of dB across a hex),
// calibrated as the hexes are, updated by the outdoor tests of the village's
// hex, and the village is served when the probability that some carrier's
// 3G/4G/5G reaches the threshold is at least the reliability (as
// servedStates decides hexes); 2G alone makes it 2G-only.
func villagePoints(villages []deadzone.Village, cov *CoverageResult, opt DeadZoneOptions, res int) (func(deadzone.Village) (deadzone.Level, bool), error) {
	cells := make([]hexgrid.Cell, len(villages))
	for i, v := range villages {
		c, err := hexgrid.Index(v.Lon, v.Lat, res)
		if err != nil {
			return nil, fmt.Errorf("pipeline: village %s: %w", v.ID, err)
		}
		cells[i] = c
	}
	pts, err := points(cells, opt.Coverage.Population, opt.Coverage.EnvCuts, res)
	if err != nil {
		return nil, err
	}
	for i, v := range villages {
		pts.Lon[i], pts.Lat[i] = v.Lon, v.Lat
	}
	type key struct {
		c hexgrid.Cell
		k engine.Carrier
		t engine.Tech
	}
	measured := make(map[key]*aggregate.Row, len(cov.Measured))
	for i := range cov.Measured {
		r := &cov.Measured[i]
		measured[key{r.Cell, r.Carrier, r.Tech}] = r
	}
	type pred struct {
		k   engine.Carrier
		t   engine.Tech
		sig float64
		sd  float64
	}
	byVillage := make([][]pred, len(villages))
	if len(cov.Sites) > 0 {
		r, err := predict.BestServer(cov.Sites, pts, opt.Coverage.Predict)
		if err != nil {
			return nil, err
		}
		pc := make([]coverage.PredictedCell, r.Len())
		for j := range pc {
			pc[j] = coverage.PredictedCell{Cell: cells[r.Point[j]], Carrier: r.Carrier[j], Tech: r.Tech[j],
				SignalDBm: r.SignalDBm[j], SigmaDB: r.SigmaDB[j], DistanceM: r.DistanceM[j]}
		}
		pc = coverage.ApplyCalibration(pc, opt.Coverage.Calibrations, opt.Coverage.MinPairs)
		for j, p := range pc {
			i := r.Point[j]
			byVillage[i] = append(byVillage[i], pred{p.Carrier, p.Tech, p.SignalDBm, cov.Config.Sigma(p.Carrier, p.Tech, p.SigmaDB)})
		}
	}
	th := cov.Config.Thresholds
	reliability, noise, err := servedParams(opt.ServedReliability, opt.MeasurementNoiseDB)
	if err != nil {
		return nil, err
	}
	// Villages are found by id and position: ids are not required to be
	// unique across rows.
	type vkey struct {
		id       string
		lon, lat float64
	}
	index := make(map[vkey]int, len(villages))
	for i, v := range villages {
		index[vkey{v.ID, v.Lon, v.Lat}] = i
	}
	return func(v deadzone.Village) (deadzone.Level, bool) {
		i, ok := index[vkey{v.ID, v.Lon, v.Lat}]
		if !ok {
			return 0, false
		}
		none, only2G := 1.0, false
		for _, p := range byVillage[i] {
			st := coverage.State{Tech: p.t, PredictedDBm: p.sig, SigmaDB: p.sd}
			q := servedProbability(st, measured[key{cells[i], p.k, p.t}], th, noise)
			if p.t == engine.Tech2G {
				only2G = only2G || q >= reliability
				continue
			}
			none *= 1 - q
		}
		switch {
		case 1-none >= reliability:
			return deadzone.Covered, true
		case only2G:
			return deadzone.Only2G, true
		}
		return deadzone.NoSignal, true
	}, nil
}

// DeadZoneResult holds every dead-zone output.
type DeadZoneResult struct {
	Coverage   *CoverageResult
	Population []population.Cell
	Zones      []deadzone.Zone
	Gaps       deadzone.GapReport
	Villages   deadzone.VillageReport
	Challenges challenge.Report
	Admin      map[hexgrid.Cell]deadzone.Admin
	// PopulationFromVillages reports that households per hex came from the
	// villages table because no population was given.
	PopulationFromVillages bool
}

// servedParams applies the defaults of the serving rule (reliability 0.5,
// DefaultMeasurementNoiseDB) and checks the reliability.
func servedParams(reliability, noiseDB float64) (float64, float64, error) {
	if reliability == 0 {
		reliability = 0.5
	}
	if !(reliability > 0 && reliability < 1) {
		return 0, 0, fmt.Errorf("pipeline: served reliability %g outside (0, 1): %w", reliability, engine.ErrInvalidConfig)
	}
	if noiseDB == 0 {
		noiseDB = DefaultMeasurementNoiseDB
	}
	return reliability, noiseDB, nil
}

// servedStates turns fused coverage into the dead-zone view: whether each
// (hex, carrier, tech) serves the hex.
//
// A decisive measured verdict stands: covered serves, uncovered does not.
// Otherwise each (hex, carrier, tech) gets the probability that the signal
// reaches the threshold (servedProbability) and serves when it is at least
// the reliability; where no single carrier does but together they do
// (P(any) = 1 − Π(1 − p) over 3G/4G/5G ≥ reliability), the likeliest is
// marked as serving, so the hex is not a dead zone.
func servedStates(states []coverage.State, measured []aggregate.Row, th engine.Thresholds, reliability, noiseDB float64) ([]deadzone.HexCoverage, error) {
	reliability, noiseDB, err := servedParams(reliability, noiseDB)
	if err != nil {
		return nil, err
	}
	type key struct {
		c hexgrid.Cell
		k engine.Carrier
		t engine.Tech
	}
	rows := make(map[key]*aggregate.Row, len(measured))
	for i := range measured {
		r := &measured[i]
		rows[key{r.Cell, r.Carrier, r.Tech}] = r
	}
	out := make([]deadzone.HexCoverage, 0, len(states))
	prob := make([]float64, 0, len(states))
	for _, st := range states {
		var p float64
		switch {
		case st.Source == coverage.Measured && st.State == coverage.Covered:
			p = 1
		case st.Source == coverage.Measured && st.State == coverage.Uncovered:
			p = 0
		default:
			p = servedProbability(st, rows[key{st.Cell, st.Carrier, st.Tech}], th, noiseDB)
		}
		prob = append(prob, p)
		out = append(out, deadzone.HexCoverage{Cell: st.Cell, Carrier: st.Carrier, Tech: st.Tech, Covered: p >= reliability})
	}
	// A hex is served when the probability that at least one carrier's
	// 3G/4G/5G reaches the threshold is at least the reliability. The
	// carriers' shadowing is taken as independent (different sites and
	// paths), so P(any) = 1 − Π(1 − p). Where no single carrier reaches the
	// reliability but together they do, the likeliest server is marked as
	// serving, so the hex is not a dead zone; per-carrier gaps keep the
	// carriers' own decisions otherwise.
	for i := 0; i < len(states); {
		j := i
		none, best := 1.0, -1
		anyServed := false
		for ; j < len(states) && states[j].Cell == states[i].Cell; j++ {
			if states[j].Tech == engine.Tech2G {
				continue
			}
			none *= 1 - prob[j]
			anyServed = anyServed || out[j].Covered
			if best < 0 || prob[j] > prob[best] {
				best = j
			}
		}
		if !anyServed && best >= 0 && 1-none >= reliability {
			out[best].Covered = true
		}
		i = j
	}
	return out, nil
}

// servedProbability is the probability that the signal at a point of the
// hex reaches the covered threshold: a Gaussian update of the calibrated
// prediction N(predicted, σ²) with every outdoor test in the hex (each
// N(m, σ² + noise²); a no-service test counts at the no-service level,
// which is higher than its true value and so leans towards "served"),
// evaluated as Φ((mean − threshold)/sd). Without a prediction the tests
// alone decide; without either the probability is 0.
func servedProbability(st coverage.State, r *aggregate.Row, th engine.Thresholds, noiseDB float64) float64 {
	sigma := st.SigmaDB
	if math.IsNaN(sigma) || sigma <= 0 {
		sigma = 8
	}
	var w, wm float64
	if !math.IsNaN(st.PredictedDBm) {
		w, wm = 1/(sigma*sigma), st.PredictedDBm/(sigma*sigma)
	}
	if r != nil {
		wt := 1 / (sigma*sigma + noiseDB*noiseDB)
		if n := float64(r.OutdoorSignal.N); n > 0 {
			w += n * wt
			wm += n * wt * r.OutdoorSignal.MeanDBm
		}
		if n := float64(r.Outdoor.NoServiceRows); n > 0 {
			w += n * wt
			wm += n * wt * th.NoService(st.Tech)
		}
	}
	if w == 0 {
		return 0
	}
	mean, sd := wm/w, math.Sqrt(1/w)
	return distuv.UnitNormal.CDF((mean - th.Covered(st.Tech)) / sd)
}

// DefaultMeasurementNoiseDB is the per-test measurement noise assumed when
// fusing tests with a prediction (phones report RSRP within about ±4 dB
// of a scanner; 3GPP TS 36.133 allows ±6 dB absolute accuracy).
const DefaultMeasurementNoiseDB = 4

// DeadZones runs coverage, then finds dead zones, per-carrier gaps, the
// status of every village and the challenge verdicts.
//
// A dead zone is a populated hex that no carrier serves with 3G, 4G or 5G
// (see servedStates for what serves a hex).
func DeadZones(ctx context.Context, s *dataset.Store, opt DeadZoneOptions) (*DeadZoneResult, error) {
	villages, err := s.Villages()
	if err != nil {
		return nil, err
	}
	out := &DeadZoneResult{}
	res := opt.Coverage.Aggregate.Config.Resolution
	pop := opt.Coverage.Population
	if len(pop) == 0 {
		if len(villages) == 0 {
			return nil, fmt.Errorf("pipeline: dead zones need households per hex: give a population table or ingest a villages table: %w", engine.ErrInvalidConfig)
		}
		if pop, err = VillagePopulation(villages, res); err != nil {
			return nil, err
		}
		out.PopulationFromVillages = true
		opt.Coverage.Population = pop
	} else if pop, err = atResolution(pop, res); err != nil {
		return nil, err
	}
	if len(opt.Coverage.Cells) == 0 && opt.Coverage.Area != nil {
		opt.Coverage.Cells = opt.Coverage.Area.Cells
	}
	if len(opt.Coverage.Cells) == 0 {
		for _, p := range pop {
			if p.Households > 0 || p.Population > 0 {
				opt.Coverage.Cells = append(opt.Coverage.Cells, p.Cell)
			}
		}
	} else {
		// Keep only the population inside the analysis area.
		in := map[hexgrid.Cell]bool{}
		for _, c := range opt.Coverage.Cells {
			in[c] = true
		}
		pop = slices.DeleteFunc(slices.Clone(pop), func(p population.Cell) bool { return !in[p.Cell] })
	}
	out.Population = pop
	cov, err := Coverage(ctx, s, opt.Coverage)
	if err != nil {
		return nil, err
	}
	out.Coverage = cov
	hc, err := servedStates(cov.States, cov.Measured, cov.Config.Thresholds, opt.ServedReliability, opt.MeasurementNoiseDB)
	if err != nil {
		return nil, err
	}
	cells := make([]hexgrid.Cell, 0, len(pop))
	for _, p := range pop {
		cells = append(cells, p.Cell)
	}
	// Hexes and villages go to communes of their own province only.
	admin, err := deadzone.AdminCells(opt.Provinces, opt.Communes, cells)
	if err != nil {
		return nil, err
	}
	var communeProvince map[string]string
	if opt.Communes != nil {
		communeProvince = deadzone.ParentCodes(opt.Communes)
	}
	out.Admin = admin
	var carriers []engine.Carrier
	for _, st := range cov.Sites {
		carriers = append(carriers, st.Carrier)
	}
	slices.Sort(carriers)
	carriers = slices.Compact(carriers)
	dv := make([]deadzone.Village, len(villages))
	for i, v := range villages {
		dv[i] = deadzone.Village{ID: v.ID, Name: v.Name, CommuneCode: v.CommuneCode, Lon: v.Lon, Lat: v.Lat, Households: v.Households}
	}
	places := make([]deadzone.Place, len(dv))
	for i, v := range dv {
		places[i] = deadzone.Place{Point: orb.Point{v.Lon, v.Lat}, CommuneCode: v.CommuneCode}
	}
	vadmin, err := deadzone.AttributePlaces(opt.Provinces, opt.Communes, places)
	if err != nil {
		return nil, err
	}
	in := deadzone.Input{Population: pop, Coverage: hc, Carriers: carriers, Admin: admin,
		CommuneProvince: communeProvince, Villages: dv, VillageAdmin: vadmin, Sites: cov.Sites}
	if out.Zones, err = deadzone.Detect(in); err != nil {
		return nil, err
	}
	if out.Gaps, err = deadzone.Gaps(in); err != nil {
		return nil, err
	}
	if len(dv) > 0 {
		vopt := opt.Villages
		if !opt.VillagesByHex {
			if vopt.Local, err = villagePoints(dv, cov, opt, res); err != nil {
				return nil, err
			}
		}
		if out.Villages, err = deadzone.Villages(in, vopt); err != nil {
			return nil, err
		}
	}
	claims := opt.Claims
	if claims == nil {
		for _, p := range cov.Predicted {
			claims = append(claims, challenge.Claim{Cell: p.Cell, Carrier: p.Carrier, Tech: p.Tech})
		}
	}
	tests, err := challengeTests(ctx, s, opt.Coverage.Aggregate)
	if err != nil {
		return nil, err
	}
	ccfg := opt.Challenge
	ccfg.Res = res
	if out.Challenges, err = challenge.Adjudicate(claims, tests, ccfg); err != nil {
		return nil, err
	}
	return out, nil
}

// atResolution brings population cells to the analysis resolution:
// finer cells are summed into their parents; coarser ones are refused
// (spreading them evenly over children would invent where people live).
func atResolution(pop []population.Cell, res int) ([]population.Cell, error) {
	if len(pop) == 0 || pop[0].Cell.Resolution() == res {
		return pop, nil
	}
	agg, err := population.Aggregate(pop, res)
	if err != nil {
		return nil, fmt.Errorf("pipeline: population at H3 resolution %d for an analysis at %d: %w (give a table at the analysis resolution or finer)",
			pop[0].Cell.Resolution(), res, err)
	}
	return agg, nil
}

// VillagePopulation places each village's households in its hex; people
// are households × the census average household size of its province. It
// stands in for a population table when only villages are known.
func VillagePopulation(v []engine.Village, res int) ([]population.Cell, error) {
	sizer, err := geodata.HouseholdSizer()
	if err != nil {
		return nil, err
	}
	m := map[hexgrid.Cell]*population.Cell{}
	var order []hexgrid.Cell
	for _, x := range v {
		c, err := hexgrid.Index(x.Lon, x.Lat, res)
		if err != nil {
			return nil, err
		}
		size, ok := sizer([2]float64{x.Lon, x.Lat})
		if !ok || size <= 0 {
			size = geodata.NationalHouseholdSize2019
		}
		p := m[c]
		if p == nil {
			p = &population.Cell{Cell: c}
			m[c] = p
			order = append(order, c)
		}
		p.Households += x.Households
		p.Population += x.Households * size
	}
	slices.Sort(order)
	out := make([]population.Cell, len(order))
	for i, c := range order {
		out[i] = *m[c]
	}
	return out, nil
}

// challengeTests reads the measurements as challenge tests.
func challengeTests(ctx context.Context, s *dataset.Store, ao AggregateOptions) ([]challenge.Test, error) {
	var tests []challenge.Test
	err := s.ScanMeasurements(ctx, ao.Periods, ao.Carriers, func(b *engine.MeasurementBatch) error {
		for i := 0; i < b.Len(); i++ {
			tests = append(tests, challenge.Test{TimeUnixMs: b.TimeUnixMs[i], Lon: b.Lon[i], Lat: b.Lat[i],
				Carrier: b.Carrier[i], Tech: b.Tech[i], SignalDBm: b.SignalDBm[i], Service: b.Service[i], Environment: b.Environment[i]})
		}
		return nil
	}, arrowio.WithColumns("ts", "carrier", "tech", "lon", "lat", "signal_dbm", "service", "environment"))
	return tests, err
}

func shares(us []deadzone.UnitShare) string {
	parts := make([]string, len(us))
	for i, u := range us {
		parts[i] = fmt.Sprintf("%s:%.2f", u.Code, u.Share)
	}
	return strings.Join(parts, " ")
}

// ZoneTable shapes zones into result columns.
func ZoneTable(zones []deadzone.Zone) []arrowio.Column {
	n := len(zones)
	id, prov, comm, vills, nearest, c2g := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	hexes, nv := make([]int64, n), make([]int64, n)
	area, hh, pp, lon, lat := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	partly := make([]bool, n)
	for i, z := range zones {
		id[i], hexes[i], area[i], hh[i], pp[i] = z.ID, int64(len(z.Cells)), z.AreaKm2, z.Households, z.Population
		lon[i], lat[i] = z.Centroid[0], z.Centroid[1]
		prov[i], comm[i] = shares(z.Provinces), shares(z.Communes)
		vills[i], nv[i] = strings.Join(z.Villages, " "), int64(len(z.Villages))
		var ns []string
		for _, d := range z.Nearest {
			ns = append(ns, fmt.Sprintf("%s:%s:%.0fm", d.Carrier, d.SiteID, d.DistanceM))
		}
		nearest[i] = strings.Join(ns, " ")
		partly[i] = z.Partly2G
		var cs []string
		for _, c := range z.Carriers2G {
			cs = append(cs, string(c))
		}
		c2g[i] = strings.Join(cs, " ")
	}
	return []arrowio.Column{{Name: "zone_id", String: id}, {Name: "hexes", Int64: hexes}, {Name: "area_km2", Float64: area},
		{Name: "households", Float64: hh}, {Name: "population", Float64: pp}, {Name: "lon", Float64: lon}, {Name: "lat", Float64: lat},
		{Name: "provinces", String: prov}, {Name: "communes", String: comm}, {Name: "villages", Int64: nv}, {Name: "village_ids", String: vills},
		{Name: "nearest_sites", String: nearest}, {Name: "partly_2g", Bool: partly}, {Name: "carriers_2g", String: c2g}}
}

// GapTable shapes per-carrier gap hexes into result columns.
func GapTable(g deadzone.GapReport) ([]arrowio.Column, error) {
	n := len(g.Hexes)
	cell, carrier, kind, others, prov, comm := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	lon, lat, hh, pp := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i, h := range g.Hexes {
		ctr, err := h.Cell.Center()
		if err != nil {
			return nil, err
		}
		cell[i], carrier[i], lon[i], lat[i], hh[i], pp[i] = h.Cell.String(), string(h.Carrier), ctr[0], ctr[1], h.Households, h.Population
		kind[i] = "nobody_covers"
		if h.Shareable() {
			kind[i] = "another_carrier_covers"
		}
		var os []string
		for _, c := range h.Others {
			os = append(os, string(c))
		}
		others[i], prov[i], comm[i] = strings.Join(os, " "), h.Admin.Province, h.Admin.Commune
	}
	return []arrowio.Column{{Name: "cell", String: cell}, {Name: "lon", Float64: lon}, {Name: "lat", Float64: lat},
		{Name: "carrier", String: carrier}, {Name: "gap", String: kind}, {Name: "covered_by", String: others},
		{Name: "households", Float64: hh}, {Name: "population", Float64: pp}, {Name: "province", String: prov}, {Name: "commune", String: comm}}, nil
}

// VillageTable shapes village statuses into result columns.
func VillageTable(v deadzone.VillageReport) []arrowio.Column {
	n := len(v.Villages)
	id, name, commune, prov, cell, level := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	attributed, how := make([]string, n), make([]string, n)
	lon, lat, hh := make([]float64, n), make([]float64, n), make([]float64, n)
	without := make([]bool, n)
	for i, s := range v.Villages {
		id[i], name[i], commune[i], prov[i], level[i] = s.ID, s.Name, s.CommuneCode, s.Province, s.Level.String()
		if s.Cell != 0 {
			cell[i] = s.Cell.String()
		}
		lon[i], lat[i], hh[i], without[i] = s.Lon, s.Lat, s.Households, s.WithoutSignal()
		attributed[i], how[i] = s.Commune, s.Attribution
	}
	return []arrowio.Column{{Name: "village_id", String: id}, {Name: "name", String: name}, {Name: "commune_code", String: commune},
		{Name: "province", String: prov}, {Name: "lon", Float64: lon}, {Name: "lat", Float64: lat}, {Name: "households", Float64: hh},
		{Name: "cell", String: cell}, {Name: "status", String: level}, {Name: "without_signal", Bool: without},
		{Name: "commune", String: attributed}, {Name: "attribution", String: how}}
}

// ChallengeTable shapes challenge verdicts (hexes and roll-ups) into
// result columns.
func ChallengeTable(r challenge.Report) []arrowio.Column {
	n := len(r.Hexes) + len(r.Parents)
	cell, carrier, tech, verdict, reason := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	res, tests, neg, children := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	span, pv := make([]float64, n), make([]float64, n)
	first, last := make([]int64, n), make([]int64, n)
	for i, h := range r.Hexes {
		cell[i], carrier[i], tech[i], verdict[i], reason[i] = h.Cell.String(), string(h.Carrier), h.Tech.String(), h.Verdict.String(), h.Reason
		res[i], tests[i], neg[i], children[i] = int64(h.Cell.Resolution()), int64(h.Tests), int64(h.Negatives), int64(h.Children)
		span[i], pv[i], first[i], last[i] = h.SpanHours, h.PValue, h.FirstNegativeUnixMs, h.LastNegativeUnixMs
	}
	for j, p := range r.Parents {
		i := len(r.Hexes) + j
		cell[i], carrier[i], tech[i], res[i] = p.Cell.String(), string(p.Carrier), p.Tech.String(), int64(p.Res)
		verdict[i] = "upheld"
		if p.Challenged {
			verdict[i] = "challenged"
		}
		reason[i] = fmt.Sprintf("roll-up: %d of 7 children challenged", p.ChildrenChallenged)
		children[i], span[i], pv[i] = int64(p.ChildrenChallenged), math.NaN(), math.NaN()
	}
	return []arrowio.Column{{Name: "cell", String: cell}, {Name: "res", Int64: res}, {Name: "carrier", String: carrier},
		{Name: "tech", String: tech}, {Name: "verdict", String: verdict}, {Name: "reason", String: reason},
		{Name: "tests", Int64: tests}, {Name: "negatives", Int64: neg}, {Name: "children_with_tests", Int64: children},
		{Name: "negative_span_hours", Float64: span}, {Name: "p_value", Float64: pv},
		{Name: "first_negative_ms", Int64: first}, {Name: "last_negative_ms", Int64: last}}
}
