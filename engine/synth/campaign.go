package synth

import (
	"fmt"
	"math"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/geodata"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

// CampaignVisit is one village a measuring team tests on one day of a
// campaign (for example a visit of an engine/campaign plan).
type CampaignVisit struct {
	VillageID string
	// Team, Day and Order are 1-based: the team, the campaign day and the
	// village's place in the team's route that day.
	Team, Day, Order int
}

// CampaignConfig configures World.Campaign. Zero fields take the
// documented defaults.
type CampaignConfig struct {
	// Seed selects the measurement noise and test points. Default the
	// world's seed.
	Seed uint64
	// Start is the first day of the campaign: day d is the local (UTC+7)
	// calendar day Start + d − 1. Default the first day of the month after
	// the world's measurement month.
	Start time.Time
	// PointsPerVillage is the number of test points at a village: its own
	// point and the others spread uniformly over a disc of RadiusKm around
	// it. Default 20.
	PointsPerVillage int
	// RadiusKm is the radius of the walk around a village. Default 0.5.
	RadiusKm float64
	// MeasureHours is the time a team spends at a village; its tests are
	// spread evenly over it. Default 1.5.
	MeasureHours float64
	// ArrivalHour is the local hour at which a team reaches its first
	// village; it reaches the village of order k at ArrivalHour +
	// (k − 1)·GapHours. Defaults 8 and 2.
	ArrivalHour, GapHours float64
}

func (c CampaignConfig) withDefaults(w *World) CampaignConfig {
	if c.Seed == 0 {
		c.Seed = w.Config.Seed
	}
	if c.Start.IsZero() {
		c.Start = w.Config.MeasurementMonth.Add(1).Start()
	}
	if c.PointsPerVillage == 0 {
		c.PointsPerVillage = 20
	}
	if c.RadiusKm == 0 {
		c.RadiusKm = 0.5
	}
	if c.MeasureHours == 0 {
		c.MeasureHours = 1.5
	}
	if c.ArrivalHour == 0 {
		c.ArrivalHour = 8
	}
	if c.GapHours == 0 {
		c.GapHours = 2
	}
	return c
}

// Campaign carries out a measurement campaign in the world: at each
// visited village a team walks PointsPerVillage test points (the village's
// own point first, then points spread uniformly over a disc of RadiusKm)
// with a multi-technology scanner for every carrier that has an active site
// in the village's province in the register, testing each technology that
// carrier has deployed there. The signal is the world's truth (signal.go
// and shadow.go: best server over the true register's active sites, the
// seed's spatially correlated shadowing and the valleys of the province's
// terrain, so a test at a village's own point sees exactly the village's
// Truth.Signals) with the drive-test scanner's 3 dB noise; scanners report
// down to engine.MinSignalDBm, and a technology with no site in range is a
// no-service test. Tests are outdoor, source drive, device class scanner,
// device id "camp-<carrier code>-t<team>".
//
// The tests of a visit fall between its arrival (ArrivalHour + (Order −
// 1)·GapHours, local time, on campaign day Day) and MeasureHours later;
// a visit that would end after 22:00 is an error, as is an unknown
// village or a team, day or order below 1 (wrapping
// engine.ErrInvalidValue). Rows come in visit order, then point, carrier
// and technology. A visit's points and noise depend only on the seed, the
// village and the day, so the result is deterministic and a visit's tests
// do not change with the other visits. The timestamps lie after the
// world's measurement month by default: ingest them with a Now after the
// campaign.
func (w *World) Campaign(visits []CampaignVisit, cfg CampaignConfig) (*engine.MeasurementBatch, error) {
	cfg = cfg.withDefaults(w)
	switch {
	case cfg.PointsPerVillage < 1:
		return nil, fmt.Errorf("synth campaign: %d points per village: %w", cfg.PointsPerVillage, engine.ErrInvalidConfig)
	case !(cfg.RadiusKm > 0 && cfg.RadiusKm <= 10):
		return nil, fmt.Errorf("synth campaign: radius %g km outside (0, 10]: %w", cfg.RadiusKm, engine.ErrInvalidConfig)
	case !(cfg.MeasureHours > 0 && cfg.GapHours > 0 && cfg.ArrivalHour >= 0):
		return nil, fmt.Errorf("synth campaign: measure %g h, gap %g h, arrival %g h: %w", cfg.MeasureHours, cfg.GapHours, cfg.ArrivalHour, engine.ErrInvalidConfig)
	}
	index := make(map[string]int, len(w.Villages))
	for i, v := range w.Villages {
		if _, ok := index[v.ID]; !ok {
			index[v.ID] = i
		}
	}
	// What each carrier has deployed (active) per 2019 province, as the
	// world's drive tests decide what their scanners look for.
	deployed := deployedTechs(w.Sites)
	day0 := time.Date(cfg.Start.In(ICT).Year(), cfg.Start.In(ICT).Month(), cfg.Start.In(ICT).Day(), 0, 0, 0, 0, ICT)
	type visitPlan struct {
		v       Village
		team    int
		startMs int64
		first   int // index of its first point
	}
	plans := make([]visitPlan, len(visits))
	var lon, lat []float64
	for k, vis := range visits {
		i, ok := index[vis.VillageID]
		if !ok {
			return nil, fmt.Errorf("synth campaign: visit %d: village %q is not in the world: %w", k, vis.VillageID, engine.ErrInvalidValue)
		}
		if vis.Team < 1 || vis.Day < 1 || vis.Order < 1 {
			return nil, fmt.Errorf("synth campaign: visit %d (%s): team %d, day %d, order %d: want ≥ 1: %w",
				k, vis.VillageID, vis.Team, vis.Day, vis.Order, engine.ErrInvalidValue)
		}
		arrive := cfg.ArrivalHour + float64(vis.Order-1)*cfg.GapHours
		if arrive+cfg.MeasureHours > 22 {
			return nil, fmt.Errorf("synth campaign: visit %d (%s): order %d ends at %.1f h, after 22:00: %w",
				k, vis.VillageID, vis.Order, arrive+cfg.MeasureHours, engine.ErrInvalidValue)
		}
		v := w.Villages[i]
		dayStart := day0.AddDate(0, 0, vis.Day-1)
		plans[k] = visitPlan{v: v, team: vis.Team, first: len(lon),
			startMs: dayStart.UnixMilli() + int64(arrive*3600000)}
		rng := newRand(cfg.Seed, fmt.Sprintf("campaign/%s/%d", v.ID, vis.Day))
		centre := orb.Point{v.Lon, v.Lat}
		for p := range cfg.PointsPerVillage {
			q := centre
			if p > 0 {
				q = moveKm(centre, rng.Float64()*360, cfg.RadiusKm*math.Sqrt(rng.Float64()))
			}
			lon = append(lon, round6(q[0]))
			lat = append(lat, round6(q[1]))
		}
	}
	// The world's field, rebuilt as Generate builds it: the environment
	// classes from the villages, the seed's shadowing, each province's
	// terrain factor, the true register.
	hhSize := map[string]float64{}
	for _, c := range geodata.Census2019() {
		hhSize[c.Code] = c.AvgHouseholdSize()
	}
	env, err := newEnvModel(w.Villages, hhSize)
	if err != nil {
		return nil, err
	}
	envs, err := env.classify(lon, lat)
	if err != nil {
		return nil, err
	}
	remoteness, err := provinceRemoteness()
	if err != nil {
		return nil, err
	}
	terrain := make([]float64, len(lon))
	for _, pl := range plans {
		for p := range cfg.PointsPerVillage {
			terrain[pl.first+p] = remoteness[pl.v.Province]
		}
	}
	var carriers []engine.Carrier
	for _, p := range profiles {
		carriers = append(carriers, p.carrier)
	}
	truth := w.Truth.Sites
	if truth == nil {
		truth = w.Sites
	}
	f, err := predictField(newShadowing(w.Config.Seed, carriers), truth, lon, lat, envs, terrain, nil, w.Config.Workers)
	if err != nil {
		return nil, fmt.Errorf("synth campaign: %w", err)
	}
	th := engine.DefaultThresholds()
	b := &engine.MeasurementBatch{}
	stepMs := int64(cfg.MeasureHours * 3600000 / float64(cfg.PointsPerVillage))
	for k, pl := range plans {
		rng := newRand(cfg.Seed, fmt.Sprintf("campaign/noise/%s/%d", pl.v.ID, visits[k].Day))
		dep := deployed[pl.v.Province]
		for p := range cfg.PointsPerVillage {
			i := pl.first + p
			ts := pl.startMs + int64(p)*stepMs
			for _, prof := range profiles {
				d, ok := dep[prof.carrier]
				if !ok {
					continue
				}
				device := fmt.Sprintf("camp-%s-t%02d", prof.code, pl.team)
				for _, t := range []engine.Tech{engine.Tech2G, engine.Tech3G, engine.Tech4G, engine.Tech5G} {
					if !d[t] {
						continue
					}
					m := engine.Measurement{TimeUnixMs: ts, Carrier: prof.carrier, Tech: t, Lon: lon[i], Lat: lat[i],
						Source: engine.SourceDrive, DeviceID: device, DeviceClass: engine.DeviceScanner,
						Environment: engine.EnvOutdoor}
					ts += 7
					sig := f.at(i, prof.carrier, t) + driveNoiseDB*rng.NormFloat64()
					fillSignal(&m, sig, engine.MinSignalDBm, th, rng, envs[i], p%4 == 0)
					b.Append(m)
				}
			}
		}
	}
	return b, nil
}

// provinceRemoteness is each 2019 province's remoteness (settle.go) from
// its census population and outline area, as Generate computes it: the
// terrain factor of its valleys.
func provinceRemoteness() (map[string]float64, error) {
	set, err := geodata.Provinces2019()
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, c := range geodata.Census2019() {
		u, ok := set.ByCode(c.Code)
		if !ok {
			continue
		}
		out[c.Code] = remotenessOf(float64(c.Population) / (geo.Area(u.Geometry) / 1e6))
	}
	return out, nil
}
