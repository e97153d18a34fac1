package synth

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/parallel"
	"github.com/lomsong/lomsong/engine/predict"
)

// World is a generated demo world: the input tables lomsong reads and the
// ground truth they were drawn from.
type World struct {
	// Config is the effective configuration (defaults applied).
	Config Config
	// Areas are the output provinces, in code order.
	Areas []Area
	// Towns are the provincial capitals and district towns.
	Towns []Town
	// Roads are the random-walk roads the drive tests follow.
	Roads []Road
	// Villages is the villages table: urban neighbourhoods, rural villages
	// and remote hamlets, whose households add up to each 2019 province's
	// census households exactly.
	Villages []Village
	// Sites is the site register of every carrier: one row per sector and
	// technology, as the carriers declare it (positions may be off by
	// hundreds of metres, some sites registered active are down; the true
	// register is Truth.Sites).
	Sites []engine.Site
	// Measurements are the drive tests and crowd tests of the measurement
	// month.
	Measurements *engine.MeasurementBatch
	// Subscriptions is the subscriptions table, per area and period.
	Subscriptions []Subscription
	// Truth is what the tables were drawn from, for tests.
	Truth  Truth
	env    *envModel
	oracle oracleInput
}

// EnvAt returns the propagation environment class the world's signals were
// predicted with at each point (from the population density of its res-8
// cell).
func (w *World) EnvAt(lon, lat []float64) ([]predict.Env, error) {
	return w.env.classify(lon, lat)
}

// Truth is the ground truth of a world. The engine never sees it; tests
// compare the engine's findings with it.
type Truth struct {
	// Thresholds are the coverage levels the truth was judged at
	// (engine.DefaultThresholds).
	Thresholds engine.Thresholds `json:"-"`
	// Sites is the true register: World.Sites row for row (same ids and
	// order) with the true antenna positions and status. The signals were
	// predicted from it.
	Sites []engine.Site `json:"-"`
	// OffAir are the register's rows listed active that are truly down
	// (power or backhaul faults the carriers' register does not show), in
	// register order: what lomsong calibrate's off-air check should find.
	OffAir []predict.SiteRef `json:"-"`
	// Villages holds, per village (same order as World.Villages), its
	// environment, best 3G/4G signal and whether it is a dead zone.
	Villages []VillageTruth `json:"villages"`
	// Signals is the true signal per village, carrier and technology with
	// a site in range: the noiseless best-server prediction over active
	// sites plus the village's shadowing.
	Signals []VillageSignal `json:"signals"`
	// Penetration is the true fibre, smartphone and 2G-only shares per area
	// and period.
	Penetration []Penetration `json:"penetration"`
}

// VillageTruth is the true coverage of one village.
type VillageTruth struct {
	VillageID string `json:"village_id"`
	Kind      string `json:"kind"`
	Env       string `json:"env"`
	// Best3G4GMarginDB is the best (signal − covered threshold) over every
	// carrier's 3G and 4G; −999 when no 3G/4G site is in range.
	Best3G4GMarginDB float64 `json:"best_3g4g_margin_db"`
	// CoveredBy lists the carriers with 3G or 4G coverage, sorted.
	CoveredBy []engine.Carrier `json:"covered_by"`
	// Only2G is true when some carrier covers the village with 2G but none
	// with 3G or 4G.
	Only2G bool `json:"only_2g"`
	// DeadZone is true when no carrier covers it with 3G or 4G (lõm sóng).
	DeadZone bool `json:"dead_zone"`
}

// VillageSignal is the true signal of one carrier and technology at a
// village.
type VillageSignal struct {
	VillageID string         `json:"village_id"`
	Carrier   engine.Carrier `json:"carrier"`
	Tech      string         `json:"tech"`
	SignalDBm float64        `json:"signal_dbm"`
	SiteID    string         `json:"site_id"`
	Covered   bool           `json:"covered"`
}

// DeadZoneVillages returns the ids of the true dead-zone villages, in
// village order.
func (t *Truth) DeadZoneVillages() []string {
	var out []string
	for _, v := range t.Villages {
		if v.DeadZone {
			out = append(out, v.VillageID)
		}
	}
	return out
}

// Generate builds the world cfg describes. It is deterministic: the same
// Config gives the same world, whatever the number of workers. Errors wrap
// engine.ErrInvalidConfig for a bad configuration.
func Generate(cfg Config) (*World, error) {
	r, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	cfg = r.cfg
	w := &World{Config: cfg, Areas: r.areas}

	// Geography, province by province: each from its own random streams,
	// so the provinces run in parallel and the result is the same.
	provs := make([]*province, len(r.members))
	base := make([]int, len(r.members))
	towns := map[int]int{}
	for i, m := range r.members {
		// District-like indices continue across the members of an area;
		// 30 towns per member at most.
		base[i] = towns[m.area]
		towns[m.area] += 30
	}
	parallel.For(len(r.members), cfg.Workers, func(i int) {
		m := r.members[i]
		provs[i] = settle(cfg.Seed, m, r.areas[m.area].Code, base[i])
	})
	hhSize := map[string]float64{}
	nv := 0
	for _, p := range provs {
		nv += len(p.villages)
	}
	if nv > 0 {
		w.Villages = make([]Village, 0, nv)
	}
	for _, p := range provs {
		hhSize[p.m.census.Code] = p.hhSize
		w.Towns = append(w.Towns, p.towns...)
		w.Roads = append(w.Roads, p.roads...)
		w.Villages = append(w.Villages, p.villages...)
	}
	env, err := newEnvModel(w.Villages, hhSize)
	w.env = env
	if err != nil {
		return nil, err
	}
	sites, trueSites := make([][]engine.Site, len(provs)), make([][]engine.Site, len(provs))
	errs := make([]error, len(provs))
	cfg.progress(fmt.Sprintf("site registers (%d %s)", len(provs), map[bool]string{true: "province", false: "provinces"}[len(provs) == 1]))
	parallel.For(len(provs), cfg.Workers, func(i int) {
		p := provs[i]
		lon, lat := make([]float64, len(p.villages)), make([]float64, len(p.villages))
		for j, v := range p.villages {
			lon[j], lat[j] = v.Lon, v.Lat
		}
		envs, err := env.classify(lon, lat)
		if err != nil {
			errs[i] = err
			return
		}
		sites[i], trueSites[i] = buildSites(cfg.Seed, p, envs)
		if sd := cfg.SiteEIRPErrorDB; sd != 0 {
			for k := range trueSites[i] {
				id := trueSites[i][k].SiteID
				trueSites[i][k].EIRPDBm += sd * rand.New(rand.NewPCG(cfg.Seed, fnvString("eirp/"+id))).NormFloat64()
			}
		}
	})
	ns := 0
	for i := range provs {
		if errs[i] != nil {
			return nil, errs[i]
		}
		ns += len(sites[i])
	}
	w.Sites = make([]engine.Site, 0, ns)
	truth := make([]engine.Site, 0, ns)
	for i := range provs {
		w.Sites = append(w.Sites, sites[i]...)
		truth = append(truth, trueSites[i]...)
		sites[i], trueSites[i] = nil, nil
	}
	if cfg.ServingCells {
		for i := range w.Sites {
			w.Sites[i].Cell = ServingCellOf(w.Sites[i].SiteID)
		}
	}
	var carriers []engine.Carrier
	for _, p := range profiles {
		carriers = append(carriers, p.carrier)
	}
	sh := newShadowing(cfg.Seed, carriers)
	remoteness := map[string]float64{}
	for _, p := range provs {
		remoteness[p.m.census.Code] = p.remoteness
	}
	cfg.progress(fmt.Sprintf("true signal at %d villages from %d sectors", len(w.Villages), len(truth)))
	if w.Truth, err = villageTruth(cfg, w.Villages, truth, env, sh, remoteness, &w.oracle); err != nil {
		return nil, err
	}
	w.Truth.Sites = truth
	for i := range w.Sites {
		if w.Sites[i].Status == engine.StatusActive && truth[i].Status == engine.StatusDown {
			w.Truth.OffAir = append(w.Truth.OffAir, predict.SiteRef{Carrier: w.Sites[i].Carrier, SiteID: w.Sites[i].SiteID})
		}
	}
	cfg.progress("measurements (drive and crowd tests of every carrier)")
	if w.Measurements, w.oracle.obs, err = measurements(cfg, provs, w.Sites, truth, env, sh); err != nil {
		return nil, err
	}
	w.Subscriptions, w.Truth.Penetration = subscriptions(cfg, r.areas, provs)
	return w, nil
}

// progress reports the start of a phase of Generate (Config.Progress).
func (c Config) progress(phase string) {
	if c.Progress != nil {
		c.Progress(phase)
	}
}

// villageTruth is the true signal at every village point: the same field
// (true sites, shadowing, valleys) the measurements are drawn from. It
// fills the oracle's village keys (oracle.go).
func villageTruth(cfg Config, villages []Village, sites []engine.Site, env *envModel, sh *shadowing, remoteness map[string]float64, or *oracleInput) (Truth, error) {
	th := engine.DefaultThresholds()
	t := Truth{Thresholds: th}
	lon, lat := make([]float64, len(villages)), make([]float64, len(villages))
	terrain := make([]float64, len(villages))
	for i, v := range villages {
		lon[i], lat[i], terrain[i] = v.Lon, v.Lat, remoteness[v.Province]
	}
	envs, err := env.classify(lon, lat)
	if err != nil {
		return t, err
	}
	f, err := predictField(sh, sites, lon, lat, envs, terrain, nil, cfg.Workers)
	if err != nil {
		return t, fmt.Errorf("synth: village signals: %w", err)
	}
	t.Villages = make([]VillageTruth, len(villages))
	if n := f.res.Len(); n > 0 {
		t.Signals = make([]VillageSignal, n) // village i's at f.start[i]
	}
	// Village i's 3G/4G pairs go to keys[keyStart[i]:keyStart[i+1]].
	or.keyStart = make([]int32, len(villages)+1)
	for i := range villages {
		k := or.keyStart[i]
		for r := f.start[i]; r < f.start[i+1]; r++ {
			if tech := f.res.Tech[r]; tech == engine.Tech3G || tech == engine.Tech4G {
				k++
			}
		}
		or.keyStart[i+1] = k
	}
	if k := or.keyStart[len(villages)]; k > 0 {
		or.keys = make([]oracleKey, k)
	}
	// The villages in parallel blocks, each writing its own places.
	const block = 1024
	parallel.Ranges(len(villages), block, cfg.Workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			v := &villages[i]
			vt := VillageTruth{VillageID: v.ID, Kind: v.Kind.String(), Env: envs[i].String(), Best3G4GMarginDB: -999}
			has2G := false
			k := or.keyStart[i]
			for r := f.start[i]; r < f.start[i+1]; r++ {
				tech := f.res.Tech[r]
				sig := math.Round(f.true_[r]*10) / 10
				cov := sig >= th.Covered(tech)
				t.Signals[r] = VillageSignal{VillageID: v.ID, Carrier: f.res.Carrier[r], Tech: tech.String(),
					SignalDBm: sig, SiteID: sites[f.res.Site[r]].SiteID, Covered: cov}
				switch tech {
				case engine.Tech2G:
					has2G = has2G || cov
				case engine.Tech3G, engine.Tech4G:
					or.keys[k] = oracleKey{carrier: carrierMask(f.res.Carrier[r]), tech: tech, det: float32(f.true_[r] - f.shadow_[r]), sd: float32(f.sd_[r])}
					k++
					vt.Best3G4GMarginDB = max(vt.Best3G4GMarginDB, math.Round((sig-th.Covered(tech))*10)/10)
					if cov && (len(vt.CoveredBy) == 0 || vt.CoveredBy[len(vt.CoveredBy)-1] != f.res.Carrier[r]) {
						vt.CoveredBy = append(vt.CoveredBy, f.res.Carrier[r])
					}
				}
			}
			vt.DeadZone = len(vt.CoveredBy) == 0
			vt.Only2G = vt.DeadZone && has2G
			t.Villages[i] = vt
		}
	})
	return t, nil
}
