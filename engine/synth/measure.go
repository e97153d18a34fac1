package synth

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/predict"
	"github.com/paulmach/orb"
)

// Measurement noise and losses, dB.
const (
	driveNoiseDB    = 3  // per-test measurement noise of a drive-test scanner
	crowdNoiseDB    = 4  // per-test noise of a phone
	indoorLossDB    = 12 // mean building penetration loss
	indoorLossSDDB  = 4
	crowdIndoor     = 0.45 // share of crowd tests taken indoors
	driveStepKm     = 0.3  // drive-test sampling interval at density 1
	crowdDevicesPer = 0.25 // crowd devices per village ≈ this × households^0.55 at density 1
	remoteUntested  = 0.7  // share of remote hamlets where nobody runs a crowd test app
)

// Where a village's phones test: at home and around it. A village's
// households cluster around its centre (the village point), so its crowd
// tests do too: each test is at a 2-D Gaussian offset from the point, of
// standard deviation per axis half the radius of the village's built-up
// disc (household count × householdPlotM2, so about 86% of tests fall
// inside that disc), at least minHomeSigmaKm and at most half the
// village's spread (0.3 km, 0.25 km in towns), truncated at the spread.
// householdPlotM2 is an assumption, not a measurement: a house with its
// yard and garden in a rural hamlet, about 1,000 m², puts a hamlet of 50
// households in a disc of 126 m radius (σ 63 m) and one of 200 in 252 m
// (σ 126 m). Tests scattered uniformly over the whole 300 m disc, as the
// demo drew them before, put half of them beyond 210 m of the point,
// where the per-link shadowing (linkDecorrM 100 m) has decorrelated: the
// village point was then mostly unobserved even where its people test.
const (
	householdPlotM2 = 1000
	minHomeSigmaKm  = 0.04
)

// homeSigmaKm is the per-axis σ of a village's crowd-test offsets.
func homeSigmaKm(households, spreadKm float64) float64 {
	r := math.Sqrt(max(households, 0)*householdPlotM2/math.Pi) / 1000
	return min(max(r/2, minHomeSigmaKm), spreadKm/2)
}

// truncRayleighKm maps u in [0, 1) to the distance from the centre of a
// 2-D Gaussian offset of per-axis σ sigmaKm conditioned on falling within
// maxKm (inverse CDF of the Rayleigh distribution truncated at maxKm).
func truncRayleighKm(sigmaKm, maxKm, u float64) float64 {
	top := -math.Expm1(-maxKm * maxKm / (2 * sigmaKm * sigmaKm))
	return sigmaKm * math.Sqrt(-2*math.Log1p(-u*top))
}

// drivePlan is one road driven by one carrier on one day.
type drivePlan struct {
	prov    int
	carrier engine.Carrier
	first   int // index of the road's first point
	n       int
	stepKm  float64
	device  string
	startMs int64
}

// crowdDevice is one phone living in one village.
type crowdDevice struct {
	prov    int
	point   int
	carrier engine.Carrier
	class   engine.DeviceClass
	id      string
	tests   int
}

// window is the span of the measurement month in which timestamps fall.
type window struct{ startMs, endMs int64 }

func measurementWindow(cfg Config) window {
	s := cfg.MeasurementMonth.Start()
	e := cfg.MeasurementMonth.Add(1).Start()
	if cfg.Now.Before(e) {
		e = cfg.Now
	}
	return window{s.UnixMilli(), e.UnixMilli()}
}

// crowdTime draws a test time: 90 % between 06:00 and 22:00 local time.
func (w window) crowdTime(rng *rand.Rand) int64 {
	days := (w.endMs - w.startMs) / 86400000
	for range 20 {
		d := rng.Int64N(max(1, days+1))
		var tod int64
		if rng.Float64() < 0.9 {
			tod = 6*3600000 + rng.Int64N(16*3600000)
		} else {
			tod = rng.Int64N(86400000)
		}
		t := w.startMs + d*86400000 + tod
		if t < w.endMs {
			return t
		}
	}
	return w.startMs + rng.Int64N(w.endMs-w.startMs)
}

// measurements builds the measurement batch of the world: what the
// scanners and phones measure of the true field (truth: the true register)
// where the carriers' register (sites) says they have deployed.
func measurements(cfg Config, provs []*province, sites, truth []engine.Site, env *envModel, sh *shadowing) (*engine.MeasurementBatch, []oracleObs, error) {
	win := measurementWindow(cfg)
	dens := cfg.MeasurementDensity
	// What each carrier has deployed (active) per province, to decide
	// which technologies its scanners and phones look for.
	deployed := deployedTechs(sites)

	var lon, lat, terrain []float64
	var remoteness float64 // of the province being planned
	addPt := func(p orb.Point) int {
		lon = append(lon, round6(p[0]))
		lat = append(lat, round6(p[1]))
		terrain = append(terrain, remoteness)
		return len(lon) - 1
	}
	var drives []drivePlan
	var devices []crowdDevice
	for pi, p := range provs {
		rng := newRand(cfg.Seed, "measure/plan/"+p.m.census.Code)
		remoteness = p.remoteness
		step := driveStepKm / dens
		for ri, r := range p.roads {
			first := len(lon)
			acc := step
			for k := 1; k < len(r.Line); k++ {
				a, b := r.Line[k-1], r.Line[k]
				seg := distKm(a, b)
				for acc <= seg {
					f := acc / seg
					q := orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}
					q = moveKm(q, rng.Float64()*360, 0.01*rng.Float64())
					if p.m.unit.Contains(q) {
						addPt(q)
					}
					acc += step
				}
				acc -= seg
			}
			n := len(lon) - first
			if n == 0 {
				continue
			}
			for ci, prof := range profiles[:3] {
				if ci > 0 && rng.Float64() > 0.7 {
					continue
				}
				durMs := int64(float64(n) * step / 40 * 3600000)
				days := (win.endMs - win.startMs - durMs - 8*3600000) / 86400000
				start := win.startMs + rng.Int64N(max(1, days))*86400000 + 7*3600000 + rng.Int64N(2*3600000)
				if start+durMs >= win.endMs {
					start = max(win.startMs, win.endMs-durMs-60000)
				}
				drives = append(drives, drivePlan{prov: pi, carrier: prof.carrier, first: first, n: n, stepKm: step,
					device: fmt.Sprintf("drive-%s-%s-%02d", prof.code, p.m.census.Code, ri%100), startMs: start})
			}
		}
		smart := 0.9 - 0.25*p.remoteness
		for vi, v := range p.villages {
			x := crowdDevicesPer * dens * math.Pow(float64(v.Households), 0.55)
			nd := int(x)
			if rng.Float64() < x-float64(nd) {
				nd++
			}
			if v.Kind == KindRemote && rng.Float64() < remoteUntested {
				nd = 0
			}
			spread := 0.3
			if v.Kind == KindUrban {
				spread = 0.25
			}
			sigma := homeSigmaKm(float64(v.Households), spread)
			for di := range nd {
				q := p.inside(rng, func() orb.Point {
					return moveKm(orb.Point{v.Lon, v.Lat}, rng.Float64()*360, truncRayleighKm(sigma, spread, rng.Float64()))
				})
				d := crowdDevice{prov: pi, point: addPt(q), tests: 1 + rng.IntN(4)}
				d.carrier = pickCarrier(rng, v.Kind == KindUrban && v.Households > 0)
				switch x := rng.Float64(); {
				case x < smart:
					d.class = engine.DeviceSmartphone
				case x < smart+0.04:
					d.class = engine.DeviceTablet
				default:
					d.class = engine.DeviceFeature
				}
				d.id = fmt.Sprintf("d%016x", splitmix(cfg.Seed^splitmix(uint64(vi)<<20|uint64(di))^fnvString(v.ID)))
				devices = append(devices, d)
			}
		}
	}

	envs, err := env.classify(lon, lat)
	if err != nil {
		return nil, nil, err
	}
	// Only the carriers that test at a point need its signal.
	want := make([]uint8, len(lon))
	for _, d := range drives {
		for i := d.first; i < d.first+d.n; i++ {
			want[i] |= carrierMask(d.carrier)
		}
	}
	for _, d := range devices {
		want[d.point] |= carrierMask(d.carrier)
	}
	f, err := predictField(sh, truth, lon, lat, envs, terrain, want, cfg.Workers)
	if err != nil {
		return nil, nil, err
	}
	th := engine.DefaultThresholds()
	b := &engine.MeasurementBatch{}
	// What the oracle sees of each exact reading (oracle.go).
	var obs []oracleObs
	observe := func(m *engine.Measurement, i int, noiseVar, meanLoss float64) {
		if math.IsNaN(m.SignalDBm) {
			return
		}
		r := f.row(i, m.Carrier, m.Tech)
		x, y := project(lon[i], lat[i])
		obs = append(obs, oracleObs{x: x, y: y, carrier: carrierMask(m.Carrier), tech: m.Tech, sd: float32(f.sd_[r]),
			o: float32(m.SignalDBm - (f.true_[r] - f.shadow_[r]) + meanLoss), noiseVar: float32(noiseVar)})
	}
	for di, d := range drives {
		p := provs[d.prov]
		rng := newRand(cfg.Seed, fmt.Sprintf("measure/drive/%d", di))
		dep := deployed[p.m.census.Code][d.carrier]
		for k := range d.n {
			i := d.first + k
			ts := d.startMs + int64(float64(k)*d.stepKm/(35+10*rng.Float64())*3600000)
			for _, t := range []engine.Tech{engine.Tech2G, engine.Tech3G, engine.Tech4G} {
				if !dep[t] {
					continue
				}
				m := engine.Measurement{TimeUnixMs: min(ts, win.endMs-1), Carrier: d.carrier, Tech: t, Lon: lon[i], Lat: lat[i],
					Source: engine.SourceDrive, DeviceID: d.device, DeviceClass: engine.DeviceScanner,
					Environment: engine.EnvVehicle}
				ts += 7
				sig := f.at(i, d.carrier, t) + driveNoiseDB*rng.NormFloat64()
				fillSignal(&m, sig, engine.MinSignalDBm, th, rng, envs[i], k%4 == 0)
				observe(&m, i, driveNoiseDB*driveNoiseDB, 0)
				if cfg.ServingCells && !math.IsNaN(m.SignalDBm) {
					if s := f.servingAt(i, d.carrier, t); s >= 0 {
						m.Serving = ServingCellOf(truth[s].SiteID)
					}
				}
				b.Append(m)
			}
		}
	}
	for di, d := range devices {
		rng := newRand(cfg.Seed, fmt.Sprintf("measure/crowd/%d", di))
		for range d.tests {
			m := engine.Measurement{TimeUnixMs: win.crowdTime(rng), Carrier: d.carrier, Lon: lon[d.point], Lat: lat[d.point],
				Source: engine.SourceCrowd, DeviceID: d.id, DeviceClass: d.class, Environment: engine.EnvOutdoor}
			loss, meanLoss, noiseVar := 0.0, 0.0, float64(crowdNoiseDB*crowdNoiseDB)
			if rng.Float64() < crowdIndoor {
				meanLoss, noiseVar = indoorLossDB, crowdNoiseDB*crowdNoiseDB+indoorLossSDDB*indoorLossSDDB
				m.Environment = engine.EnvIndoor
				loss = max(0, indoorLossDB+indoorLossSDDB*rng.NormFloat64())
			}
			techs := []engine.Tech{engine.Tech4G, engine.Tech3G, engine.Tech2G}
			if d.class == engine.DeviceFeature {
				techs = techs[2:]
			}
			m.Tech = techs[0]
			sig := math.NaN()
			for _, t := range techs {
				s := f.at(d.point, d.carrier, t) - loss + crowdNoiseDB*rng.NormFloat64()
				if s >= th.NoService(t) {
					m.Tech, sig = t, s
					break
				}
			}
			fillSignal(&m, sig, th.NoService(m.Tech), th, rng, envs[d.point], d.class != engine.DeviceFeature && rng.Float64() < 0.5)
			observe(&m, d.point, noiseVar, meanLoss)
			if cfg.ServingCells && !math.IsNaN(m.SignalDBm) {
				if s := f.servingAt(d.point, d.carrier, m.Tech); s >= 0 {
					m.Serving = ServingCellOf(truth[s].SiteID)
				}
			}
			b.Append(m)
		}
	}
	return b, obs, nil
}

func fnvString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return h
}

// pickCarrier draws a subscriber's carrier by market share; Vietnamobile
// only in towns.
func pickCarrier(rng *rand.Rand, urban bool) engine.Carrier {
	var total float64
	for _, p := range profiles {
		if p.carrier != engine.Vietnamobile || urban {
			total += p.marketShare
		}
	}
	x := rng.Float64() * total
	for _, p := range profiles {
		if p.carrier == engine.Vietnamobile && !urban {
			continue
		}
		if x < p.marketShare {
			return p.carrier
		}
		x -= p.marketShare
	}
	return engine.Viettel
}

// fillSignal sets the signal, or no service below floorDBm (a phone's
// no-service level; engine.MinSignalDBm for a scanner, which records
// readings below every reporting floor), and, when speed is set and a
// phone would have service, the quality, speed and latency columns.
func fillSignal(m *engine.Measurement, sig, floorDBm float64, th engine.Thresholds, rng *rand.Rand, env predict.Env, speed bool) {
	m.RSRQDB, m.SINRDB, m.DLMbps, m.ULMbps, m.LatencyMs = math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()
	if math.IsNaN(sig) || sig < floorDBm {
		m.Service = engine.ServiceNone
		m.SignalDBm = math.NaN()
		return
	}
	_, hi := engine.SignalRange(m.Tech)
	m.Service = engine.ServiceOK
	m.SignalDBm = math.Round(min(sig, hi)*10) / 10
	if sig < th.NoService(m.Tech) {
		return // a scanner's reading where no phone has service
	}
	load := 0.45 + 0.5*rng.Float64() // share of capacity left to this user
	if env >= predict.EnvUrban {
		load *= 0.7
	}
	switch m.Tech {
	case engine.Tech4G:
		sinr := max(-5, min(30, (m.SignalDBm+118)/2.2+3*rng.NormFloat64()))
		m.SINRDB = math.Round(sinr*10) / 10
		m.RSRQDB = math.Round(max(-19.5, min(-3, -7-6*(1-load)+1.5*rng.NormFloat64()))*10) / 10
		if speed {
			m.DLMbps = 80 * (1 - math.Exp(-max(0, sinr+6)/12)) * load
			m.LatencyMs = 25 + 35*rng.Float64()
		}
	case engine.Tech3G:
		if speed {
			m.DLMbps = 12 * (1 - math.Exp(-max(0, m.SignalDBm+115)/15)) * load
			m.LatencyMs = 60 + 90*rng.Float64()
		}
	case engine.Tech2G:
		if speed {
			m.DLMbps = 0.05 + 0.15*rng.Float64()
			m.LatencyMs = 300 + 400*rng.Float64()
		}
	}
	if speed {
		m.DLMbps = math.Round(max(0.05, m.DLMbps)*100) / 100
		m.ULMbps = math.Round(m.DLMbps*(0.15+0.2*rng.Float64())*100) / 100
		m.LatencyMs = math.Round(m.LatencyMs)
	}
}

// deployedTechs lists, per 2019 province code (characters 3–4 of a site id)
// and carrier, the technologies of its active sites: what the world's
// scanners and phones look for there.
func deployedTechs(sites []engine.Site) map[string]map[engine.Carrier][5]bool {
	deployed := map[string]map[engine.Carrier][5]bool{}
	for _, s := range sites {
		if s.Status != engine.StatusActive {
			continue
		}
		prov := s.SiteID[3:5]
		if deployed[prov] == nil {
			deployed[prov] = map[engine.Carrier][5]bool{}
		}
		d := deployed[prov][s.Carrier]
		d[s.Tech] = true
		deployed[prov][s.Carrier] = d
	}
	return deployed
}
