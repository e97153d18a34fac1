package plan

import (
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/predict"
)

// FootprintConfig says which dead hexes a candidate site would cover.
//
// A hex is covered when the candidate's predicted signal at the hex centre,
// minus the location-variability margin MarginSigmas·σ (σ the model's
// shadow-fading deviation), is at least the technology's covered
// threshold:
//
//	EIRP + share − PL(d) + A_V(θ) − MarginSigmas·σ ≥ threshold
//
// Candidate sites are omnidirectional for planning (A_V is the vertical
// pattern with TiltDeg downtilt; a 3-sector site covers the same disc).
type FootprintConfig struct {
	// Tech is the technology of candidates that leave it unknown.
	// Default 4G.
	Tech engine.Tech
	// Link holds the link budget per technology (index 0 unused). Default:
	// predict.DefaultTechParams, except 4G at 900 MHz with 50 resource
	// blocks (a 10 MHz carrier, the usual rural low-band 4G layer) and
	// 15 km range.
	Link [5]predict.TechParams
	// Models is the propagation model selection. Default
	// predict.DefaultModelConfig with every extension on, as
	// predict.DefaultConfig.
	Models predict.ModelConfig
	// Pattern is the antenna pattern. Default predict.DefaultPattern.
	Pattern predict.Pattern
	// HeightM is the antenna height of candidates that leave it zero.
	// Default 40 m (a standard rural tower).
	HeightM float64
	// TiltDeg is the downtilt. Default 3°.
	TiltDeg float64
	// MobileHeightM is the receiver height. Default 1.5 m.
	MobileHeightM float64
	// Env is the environment class of every dead hex. Default rural.
	Env predict.Env
	// Thresholds are the covered thresholds. Default
	// engine.DefaultThresholds (4G RSRP ≥ −105 dBm).
	Thresholds engine.Thresholds
	// MarginSigmas is the location-variability margin in σ. Default 1.28
	// (90 % of locations, DESIGN.md).
	MarginSigmas float64
	// Workers is the number of goroutines; 0 means runtime.GOMAXPROCS(0).
	// The result does not depend on it.
	Workers int
}

// MarshalJSON writes the configuration as plan.json shows it: snake_case
// names, the technology and the environment by name, and the link budgets
// and thresholds keyed by technology ("2G" … "5G"). Workers is left out:
// it does not change the result.
func (c FootprintConfig) MarshalJSON() ([]byte, error) {
	links := map[string]predict.TechParams{}
	covered, none := map[string]float64{}, map[string]float64{}
	for _, t := range []engine.Tech{engine.Tech2G, engine.Tech3G, engine.Tech4G, engine.Tech5G} {
		links[t.String()] = c.Link[t]
		covered[t.String()], none[t.String()] = c.Thresholds.CoveredDBm[t], c.Thresholds.NoServiceDBm[t]
	}
	return json.Marshal(struct {
		Tech          string                        `json:"tech"`
		Link          map[string]predict.TechParams `json:"link"`
		Models        predict.ModelConfig           `json:"models"`
		Pattern       predict.Pattern               `json:"pattern"`
		HeightM       float64                       `json:"height_m"`
		TiltDeg       float64                       `json:"tilt_deg"`
		MobileHeightM float64                       `json:"mobile_height_m"`
		Env           string                        `json:"env"`
		CoveredDBm    map[string]float64            `json:"covered_dbm"`
		NoServiceDBm  map[string]float64            `json:"no_service_dbm"`
		MarginSigmas  float64                       `json:"margin_sigmas"`
	}{c.Tech.String(), links, c.Models, c.Pattern, c.HeightM, c.TiltDeg, c.MobileHeightM, c.Env.String(), covered, none, c.MarginSigmas})
}

// DefaultFootprintConfig returns the documented defaults.
func DefaultFootprintConfig() FootprintConfig {
	c := FootprintConfig{
		Tech:          engine.Tech4G,
		Models:        predict.DefaultModelConfig(),
		Pattern:       predict.DefaultPattern(),
		HeightM:       40,
		TiltDeg:       3,
		MobileHeightM: 1.5,
		Env:           predict.EnvRural,
		Thresholds:    engine.DefaultThresholds(),
		MarginSigmas:  1.28,
	}
	c.Models.Ext = predict.Extensions{ShortRange: true, LongRange: true, AntennaHeight: true, COST231To2200MHz: true}
	for _, t := range engine.Techs {
		c.Link[t] = predict.DefaultTechParams(t)
	}
	c.Link[engine.Tech4G].BandMHz = 900
	c.Link[engine.Tech4G].NRB = 50
	return c
}

// Validate checks the configuration.
func (c FootprintConfig) Validate() error {
	if !c.Tech.Valid() {
		return fmt.Errorf("footprint: default technology %v: %w", c.Tech, engine.ErrInvalidConfig)
	}
	for _, t := range engine.Techs {
		if err := c.Link[t].Validate(t); err != nil {
			return err
		}
	}
	if err := c.Models.Validate(); err != nil {
		return err
	}
	if err := c.Pattern.Validate(); err != nil {
		return err
	}
	if err := c.Thresholds.Validate(); err != nil {
		return err
	}
	if !(c.HeightM > 0) || !(c.MobileHeightM > 0) || math.IsInf(c.HeightM, 0) || math.IsInf(c.MobileHeightM, 0) ||
		!(math.Abs(c.TiltDeg) <= 90) || !(c.MarginSigmas >= 0) || math.IsInf(c.MarginSigmas, 0) || !c.Env.Valid() || c.Workers < 0 {
		return fmt.Errorf("footprint: heights %g/%g m, tilt %g°, margin %g σ, env %v, workers %d: %w",
			c.HeightM, c.MobileHeightM, c.TiltDeg, c.MarginSigmas, c.Env, c.Workers, engine.ErrInvalidConfig)
	}
	return nil
}

// radio is a candidate's resolved radio parameters.
type radio struct {
	tech         engine.Tech
	freq, height float64
	baseDBm      float64 // EIRP + share − threshold
	rangeM       float64 // link-budget range limit
	reachM       float64 // beyond this no hex can be covered (pattern-free bound)
}

func (c *FootprintConfig) radio(cand *Candidate) (radio, error) {
	t := cand.Tech
	if t == engine.TechUnknown {
		t = c.Tech
	}
	if !t.Valid() {
		return radio{}, fmt.Errorf("candidate %q: technology %v: %w", cand.ID, t, engine.ErrInvalidValue)
	}
	lp := c.Link[t]
	r := radio{tech: t, freq: lp.BandMHz, height: c.HeightM, rangeM: lp.MaxRangeM}
	// A band or height the propagation models do not take (the contract
	// allows a 5 m rooftop mast and a 600 m one, bands to 100 GHz) is
	// predicted at the nearer bound, as a registered site's is
	// (predict.ModelBandMHz, ModelHeightM): one such proposal stopped
	// the whole plan.
	if cand.BandMHz > 0 && !math.IsInf(cand.BandMHz, 0) {
		r.freq = predict.ModelBandMHz(t, cand.BandMHz)
	}
	if cand.HeightM > 0 && !math.IsInf(cand.HeightM, 0) {
		r.height = predict.ModelHeightM(cand.HeightM)
	}
	r.baseDBm = lp.EIRPDBm + lp.ShareDB(t) - c.Thresholds.Covered(t)
	// Probe the model once so band and height problems surface as errors.
	if _, _, err := c.Models.PathLoss(t, c.Env, predict.Link{FreqMHz: r.freq, HBaseM: r.height, HMobileM: c.MobileHeightM, DistanceM: 1000}); err != nil {
		return radio{}, fmt.Errorf("candidate %q: %w", cand.ID, err)
	}
	return r, nil
}

// margin returns the covered margin (dB above threshold, ≥ 0 means
// covered) at distance d, and whether the model could evaluate it.
func (c *FootprintConfig) margin(r *radio, d float64, pattern bool) (float64, bool) {
	loss, _, err := c.Models.PathLoss(r.tech, c.Env, predict.Link{FreqMHz: r.freq, HBaseM: r.height, HMobileM: c.MobileHeightM, DistanceM: max(d, 1)})
	if err != nil {
		return 0, false
	}
	m := r.baseDBm - loss.DB - c.MarginSigmas*loss.SigmaDB
	if pattern {
		m += c.Pattern.GainDB(math.NaN(), 0, 0, predict.DepressionDeg(r.height, c.MobileHeightM, d), c.TiltDeg)
	}
	return m, true
}

// reach bounds the covered distance ignoring the (non-positive) antenna
// pattern: the median path loss grows with distance, so bisection on the
// pattern-free margin finds the largest distance that could be covered.
func (c *FootprintConfig) reach(r *radio) float64 {
	if m, ok := c.margin(r, r.rangeM, false); ok && m >= 0 {
		return r.rangeM
	}
	lo, hi := 0.0, r.rangeM
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if m, ok := c.margin(r, mid, false); ok && m >= 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// CoverageRadiusM returns the largest distance, to 10 m, at which a
// candidate with cfg's defaults (technology, band, height) covers a hex,
// antenna pattern included. With the defaults it is 6,490 m.
func CoverageRadiusM(cfg FootprintConfig) (float64, error) {
	if err := cfg.Validate(); err != nil {
		return 0, err
	}
	cand := NewCandidate("", 0, 0, SourceProposed)
	r, err := cfg.radio(&cand)
	if err != nil {
		return 0, err
	}
	for d := math.Floor(cfg.reach(&r)/10) * 10; d > 0; d -= 10 {
		if m, ok := cfg.margin(&r, d, true); ok && m >= 0 {
			return d, nil
		}
	}
	return 0, nil
}

// ReachM bounds the distance, in metres, at which cand could cover a hex
// with cfg (its technology, band and height, or cfg's defaults): beyond
// it no hex is covered, whatever the antenna pattern (which only takes
// away). A candidate farther than this from every hex of an area can cover
// none of them.
func ReachM(cand Candidate, cfg FootprintConfig) (float64, error) {
	if err := cfg.Validate(); err != nil {
		return 0, err
	}
	r, err := cfg.radio(&cand)
	if err != nil {
		return 0, err
	}
	return cfg.reach(&r), nil
}

// Footprints returns, for each candidate, the ascending indices of the dead
// hexes it covers (see FootprintConfig). Hex Lon/Lat are the hex centres.
// An error names the first candidate or hex that cannot be evaluated.
func Footprints(cands []Candidate, dead []Hex, cfg FootprintConfig) ([][]int32, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	for i, h := range dead {
		if !finiteLonLat(h.Lon, h.Lat) {
			return nil, fmt.Errorf("dead hex %d (%v): position (%g, %g): %w", i, h.Cell, h.Lon, h.Lat, engine.ErrInvalidValue)
		}
	}
	radios := make([]radio, len(cands))
	type key struct {
		t    engine.Tech
		f, h float64
	}
	reachCache := map[key]float64{}
	maxReach := 0.0
	for i := range cands {
		if !finiteLonLat(cands[i].Lon, cands[i].Lat) {
			return nil, fmt.Errorf("candidate %q: position (%g, %g): %w", cands[i].ID, cands[i].Lon, cands[i].Lat, engine.ErrInvalidValue)
		}
		r, err := cfg.radio(&cands[i])
		if err != nil {
			return nil, err
		}
		k := key{r.tech, r.freq, r.height}
		reach, ok := reachCache[k]
		if !ok {
			reach = cfg.reach(&r)
			reachCache[k] = reach
		}
		r.reachM = reach
		radios[i] = r
		maxReach = max(maxReach, reach)
	}
	out := make([][]int32, len(cands))
	if len(dead) == 0 || maxReach == 0 {
		return out, nil
	}
	g := newHexIndex(dead, maxReach)
	workers := cfg.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, len(cands)))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []int32
			for i := w; i < len(cands); i += workers {
				buf = g.near(buf[:0], cands[i].Lon, cands[i].Lat, radios[i].reachM)
				var fp []int32
				for _, j := range buf {
					h := &dead[j]
					d := predict.GreatCircleM(cands[i].Lon, cands[i].Lat, h.Lon, h.Lat)
					if d > radios[i].reachM {
						continue
					}
					if m, ok := cfg.margin(&radios[i], d, true); ok && m >= 0 {
						fp = append(fp, j)
					}
				}
				slices.Sort(fp)
				out[i] = fp
			}
		}()
	}
	wg.Wait()
	return out, nil
}

// hexIndex buckets hex centres on a lon/lat grid whose cells are at least
// the search radius tall.
type hexIndex struct {
	cellDeg float64
	cells   map[[2]int32][]int32
}

const mPerDeg = math.Pi / 180 * 6371007.180918475

func newHexIndex(hs []Hex, radiusM float64) *hexIndex {
	g := &hexIndex{cellDeg: radiusM / mPerDeg, cells: map[[2]int32][]int32{}}
	for j, h := range hs {
		k := [2]int32{int32(math.Floor(h.Lon / g.cellDeg)), int32(math.Floor(h.Lat / g.cellDeg))}
		g.cells[k] = append(g.cells[k], int32(j))
	}
	return g
}

// near appends the hexes in buckets that may lie within radiusM of lon/lat.
func (g *hexIndex) near(dst []int32, lon, lat, radiusM float64) []int32 {
	dLat := radiusM / mPerDeg
	maxLat := min(89.9, math.Abs(lat)+dLat)
	dLon := min(180, dLat/math.Cos(maxLat*math.Pi/180))
	iy0, iy1 := int32(math.Floor((lat-dLat)/g.cellDeg)), int32(math.Floor((lat+dLat)/g.cellDeg))
	ix0, ix1 := int32(math.Floor((lon-dLon)/g.cellDeg)), int32(math.Floor((lon+dLon)/g.cellDeg))
	for iy := iy0; iy <= iy1; iy++ {
		for ix := ix0; ix <= ix1; ix++ {
			dst = append(dst, g.cells[[2]int32{ix, iy}]...)
		}
	}
	return dst
}
