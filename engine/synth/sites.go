package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/predict"
	"github.com/paulmach/orb"
)

// layer is one technology on one band.
type layer struct {
	tech engine.Tech
	band float64
	code string // in site ids: G09, U21, L18, L21
}

var (
	layerG09 = layer{engine.Tech2G, 900, "G09"}
	layerU21 = layer{engine.Tech3G, 2100, "U21"}
	layerL18 = layer{engine.Tech4G, 1800, "L18"}
	layerL21 = layer{engine.Tech4G, 2100, "L21"}
)

// carrierProfile is how densely and with which layers one carrier builds.
type carrierProfile struct {
	carrier engine.Carrier
	code    string
	// urban grid
	urbanSpacingKm float64
	minTownHH      int64 // towns with fewer urban households get no urban grid (capital always does)
	urbanLayers    []float64
	// rural: a site near every village without one of ours within radius
	ruralRadiusKm float64
	villageProb   float64
	remoteProb    float64 // scaled by the province's remoteness
	roadSpacingKm float64
	roadProb      float64
	ruralLayers   [4]float64 // G09, U21, L18, L21 probabilities
	remote2GOnly  float64    // share of remote-hamlet sites built 2G-only
	marketShare   float64
}

// profiles: Viettel dense everywhere, VinaPhone and MobiFone thinner,
// Vietnamobile in towns only.
var profiles = []carrierProfile{
	{carrier: engine.Viettel, code: "VTL", urbanSpacingKm: 0.7, urbanLayers: []float64{0.4, 0.6, 1, 0.45},
		ruralRadiusKm: 3, villageProb: 0.97, remoteProb: 0.12, roadSpacingKm: 8, roadProb: 0.6,
		ruralLayers: [4]float64{1, 0.85, 0.9, 0}, remote2GOnly: 0.3, marketShare: 0.55},
	{carrier: engine.VinaPhone, code: "VNP", urbanSpacingKm: 1.0, urbanLayers: []float64{0.35, 0.6, 1, 0.3},
		ruralRadiusKm: 5, villageProb: 0.55, remoteProb: 0.02, roadSpacingKm: 12, roadProb: 0.3,
		ruralLayers: [4]float64{1, 0.8, 0.7, 0}, remote2GOnly: 0.5, marketShare: 0.22},
	{carrier: engine.MobiFone, code: "MBF", urbanSpacingKm: 1.0, urbanLayers: []float64{0.35, 0.6, 1, 0.3},
		ruralRadiusKm: 5, villageProb: 0.5, remoteProb: 0.02, roadSpacingKm: 12, roadProb: 0.3,
		ruralLayers: [4]float64{1, 0.8, 0.7, 0}, remote2GOnly: 0.5, marketShare: 0.18},
	{carrier: engine.Vietnamobile, code: "VNM", urbanSpacingKm: 1.5, minTownHH: 8000, urbanLayers: []float64{0.3, 0.5, 1, 0},
		marketShare: 0.05},
}

var urbanLayerSet = []layer{layerG09, layerU21, layerL18, layerL21}

// site is one physical site before it is split into sector rows. pos and
// status are the truth; regPos and regStatus what the register says.
type site struct {
	pos       orb.Point
	regPos    orb.Point
	layers    []layer
	heightM   float64
	tiltDeg   float64
	rotation  float64
	status    engine.SiteStatus
	regStatus engine.SiteStatus
	backhaul  engine.Backhaul
	urban     bool
}

// Register faults (see doc.go). A site is down with probability
// downRegistered + downUnregistered: the first share is registered down,
// the second still registered active. A site's registered position is off
// with probability posErrorProb, by posErrorMedianM·exp(posErrorSigma·N)
// (at most posErrorMaxM) in a uniform direction: positions geocoded from
// an address or a commune centroid, or copied from a neighbouring site.
const (
	downRegistered   = 0.02
	downUnregistered = 0.03
	posErrorProb     = 0.4
	posErrorMedianM  = 250
	posErrorSigma    = 0.6
	posErrorMaxM     = 1500
)

// buildSites places every carrier's sites in one province and returns the
// sector rows (one per sector and layer), in carrier then site order: as
// the register has them, and as they truly are (true positions and
// status, same ids and order).
func buildSites(seed uint64, p *province, env []predict.Env) (register, truth []engine.Site) {
	for _, prof := range profiles {
		rng := newRand(seed, "sites/"+p.m.census.Code+"/"+string(prof.carrier))
		sites := p.carrierSites(rng, prof, env)
		registerFaults(rng, sites)
		for i, s := range sites {
			reg := s.rows(rng, prof, p.m.census.Code, i+1)
			register = append(register, reg...)
			for _, r := range reg {
				r.Lon, r.Lat, r.Status = round6(s.pos[0]), round6(s.pos[1]), s.status
				truth = append(truth, r)
			}
		}
	}
	return register, truth
}

// radiusFactor shrinks a carrier's rural design radius where the clutter
// of denser settlements shortens cell ranges.
var radiusFactor = [4]float64{predict.EnvRural: 1, predict.EnvSuburban: 0.8, predict.EnvUrban: 0.45, predict.EnvDenseUrban: 0.3}

// carrierSites places one carrier's physical sites; env is the environment
// class of each of p's villages.
func (p *province) carrierSites(rng *rand.Rand, prof carrierProfile, env []predict.Env) []site {
	var sites []site
	grid := newPointGrid(0.05)
	add := func(s site) {
		sites = append(sites, s)
		grid.add(s.pos)
	}
	// Urban grids.
	for _, t := range p.towns {
		if !t.Capital && t.UrbanHouseholds < prof.minTownHH {
			continue
		}
		if prof.minTownHH > 0 && t.Capital && t.UrbanHouseholds < prof.minTownHH/2 {
			continue
		}
		c := orb.Point{t.Lon, t.Lat}
		r := t.RadiusKm + 0.3
		sp := prof.urbanSpacingKm
		n := int(r/sp) + 1
		placed := 0
		for j := -n; j <= n; j++ {
			for i := -n; i <= n; i++ {
				x := (float64(i) + 0.5*float64(j&1)) * sp
				y := float64(j) * sp * math.Sqrt(3) / 2
				if math.Hypot(x, y) > r {
					continue
				}
				q := offsetKm(c, x+0.15*sp*rng.NormFloat64(), y+0.15*sp*rng.NormFloat64())
				if !p.m.unit.Contains(q) {
					continue
				}
				add(p.urbanSite(rng, prof, q))
				placed++
			}
		}
		if placed == 0 {
			add(p.urbanSite(rng, prof, c))
		}
	}
	if prof.ruralRadiusKm == 0 {
		return sites
	}
	// Rural: villages by size (with jitter), a site near each unserved one.
	order := make([]int, len(p.villages))
	key := make([]float64, len(p.villages))
	for i, v := range p.villages {
		order[i] = i
		key[i] = float64(v.Households) * math.Exp(0.3*rng.NormFloat64())
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case key[a] > key[b]:
			return -1
		case key[a] < key[b]:
			return 1
		}
		return a - b
	})
	for _, i := range order {
		v := p.villages[i]
		if v.Kind == KindUrban {
			continue
		}
		q := orb.Point{v.Lon, v.Lat}
		if grid.nearest(q) <= prof.ruralRadiusKm*radiusFactor[env[i]] {
			continue
		}
		prob := prof.villageProb
		remote := v.Kind == KindRemote
		if remote {
			prob = prof.remoteProb * (0.3 + p.remoteness)
		}
		x := rng.Float64()
		switch {
		case x < prob:
			add(p.ruralSite(rng, prof, q, remote, engine.StatusActive))
		case remote && prof.carrier == engine.Viettel && x < prob+0.25:
			// The universal-service programme's next sites.
			add(p.ruralSite(rng, prof, q, true, engine.StatusPlanned))
		}
	}
	// Along the main roads.
	for _, r := range p.roads {
		if !r.Main {
			continue
		}
		acc := 0.0
		for k := 1; k < len(r.Line); k++ {
			acc += distKm(r.Line[k-1], r.Line[k])
			if acc < prof.roadSpacingKm {
				continue
			}
			acc = 0
			q := r.Line[k]
			if grid.nearest(q) > prof.roadSpacingKm/2 && rng.Float64() < prof.roadProb && p.m.unit.Contains(q) {
				add(p.ruralSite(rng, prof, q, false, engine.StatusActive))
			}
		}
	}
	return sites
}

// registerFaults sets what the register says of each site: a few sites
// are down (power or backhaul faults), not all of them known to the
// register; many registered positions are off.
func registerFaults(rng *rand.Rand, sites []site) {
	for i := range sites {
		s := &sites[i]
		s.regStatus, s.regPos = s.status, s.pos
		if s.status == engine.StatusActive {
			switch x := rng.Float64(); {
			case x < downRegistered:
				s.status, s.regStatus = engine.StatusDown, engine.StatusDown
			case x < downRegistered+downUnregistered:
				s.status = engine.StatusDown
			}
		}
		if rng.Float64() < posErrorProb {
			d := min(posErrorMaxM, posErrorMedianM*math.Exp(posErrorSigma*rng.NormFloat64()))
			s.regPos = moveKm(s.pos, 360*rng.Float64(), d/1000)
		}
	}
}

func (p *province) urbanSite(rng *rand.Rand, prof carrierProfile, q orb.Point) site {
	s := site{pos: q, heightM: 25 + math.Round(rng.Float64()*10), tiltDeg: 4 + math.Round(rng.Float64()*4),
		rotation: math.Round(rng.Float64() * 120), backhaul: engine.BackhaulFiber, urban: true}
	for i, l := range urbanLayerSet {
		if rng.Float64() < prof.urbanLayers[i] {
			s.layers = append(s.layers, l)
		}
	}
	if len(s.layers) == 0 {
		s.layers = []layer{layerL18}
	}
	return s
}

func (p *province) ruralSite(rng *rand.Rand, prof carrierProfile, near orb.Point, remote bool, status engine.SiteStatus) site {
	q := p.inside(rng, func() orb.Point { return moveKm(near, rng.Float64()*360, 0.1+0.4*rng.Float64()) })
	s := site{pos: q, heightM: 36 + math.Round(rng.Float64()*2)*2, tiltDeg: 2 + math.Round(rng.Float64()*2),
		rotation: math.Round(rng.Float64() * 120), status: status}
	if remote && rng.Float64() < prof.remote2GOnly {
		s.layers = []layer{layerG09}
	} else {
		for i, l := range []layer{layerG09, layerU21, layerL18, layerL21} {
			if rng.Float64() < prof.ruralLayers[i] {
				s.layers = append(s.layers, l)
			}
		}
		if len(s.layers) == 0 {
			s.layers = []layer{layerG09}
		}
	}
	dTown := distKm(q, orb.Point{p.towns[p.nearestTown(q)].Lon, p.towns[p.nearestTown(q)].Lat})
	switch {
	case dTown < 10:
		s.backhaul = engine.BackhaulFiber
	case remote && rng.Float64() < 0.4:
		s.backhaul = engine.BackhaulSatellite
	default:
		s.backhaul = engine.BackhaulMicrowave
	}
	return s
}

// rows splits a site into its sector rows as the register has them
// (registered position and status): three sectors per layer.
func (s site) rows(rng *rand.Rand, prof carrierProfile, prov string, n int) []engine.Site {
	out := make([]engine.Site, 0, 3*len(s.layers))
	for _, l := range s.layers {
		eirp := 58.0
		switch l.tech {
		case engine.Tech2G:
			eirp = 57
		}
		if s.urban {
			eirp -= 2
		}
		eirp -= math.Round(rng.Float64()*2*2) / 2
		for sec := range 3 {
			out = append(out, engine.Site{
				SiteID:  fmt.Sprintf("%s%s-%04d-%s-%c", prof.code, prov, n, l.code, 'A'+sec),
				Carrier: prof.carrier, Tech: l.tech,
				Lon: round6(s.regPos[0]), Lat: round6(s.regPos[1]),
				BandMHz: l.band, HeightM: s.heightM,
				AzimuthDeg: math.Mod(s.rotation+float64(sec)*120, 360), BeamwidthDeg: 65, TiltDeg: s.tiltDeg,
				EIRPDBm: eirp, Status: s.regStatus, Backhaul: s.backhaul,
			})
		}
	}
	return out
}
