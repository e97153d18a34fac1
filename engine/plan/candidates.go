package plan

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// Hex is a dead hexagon: its cell, its centre (WGS84 lon/lat degrees) and
// the households in it. Households may be fractional (population rasters
// spread people over cells); they must be finite and ≥ 0.
type Hex struct {
	Cell       hexgrid.Cell
	Lon, Lat   float64
	Households float64
}

// Zone is a dead zone: a connected group of dead hexes with an identifier
// and a representative centre (used when the zone has no hexes).
type Zone struct {
	ID       string
	Lon, Lat float64
	Hexes    []Hex
}

// Source says where a candidate site comes from.
type Source uint8

// Sources. SourceGenerated is the zero value.
const (
	SourceGenerated Source = iota // placed by GenerateCandidates
	SourceProposed                // read from a candidates table
	SourceSharing                 // a sharing or roaming agreement (not a site)
)

var sourceNames = [...]string{"generated", "proposed", "sharing"}

// String names the source.
func (s Source) String() string {
	if int(s) < len(sourceNames) {
		return sourceNames[s]
	}
	return "invalid(" + strconv.Itoa(int(s)) + ")"
}

// Candidate is a site the fund could pay for. It mirrors a row of the
// candidates table (candidate_id, lon, lat, tech, band_mhz, height_m and
// an optional cost_vnd) plus the optional distances the cost model uses.
//
// Zero BandMHz and HeightM mean the footprint defaults; TechUnknown means
// the default technology. CostVND > 0 overrides the cost model. GridKm,
// FibreKm and SiteKm are the distances in km to the power grid, the
// nearest fibre point of presence and the nearest existing site for a
// microwave hop; NaN (or negative) means unknown. Note that a literal 0
// means "on the grid / at the fibre node": callers building candidates by
// hand should set unknown distances to NaN (NewCandidate does).
type Candidate struct {
	ID       string
	Lon, Lat float64
	Tech     engine.Tech
	BandMHz  float64
	HeightM  float64
	CostVND  float64
	Source   Source
	GridKm   float64
	FibreKm  float64
	SiteKm   float64
	Zone     string // the zone a generated candidate was placed for
	// Line is the line of the candidates table a proposed candidate was
	// read from (0 when unknown, and for a generated one).
	Line int64
}

// NewCandidate returns a candidate at lon/lat with every optional field
// unknown (defaults, NaN distances, no cost override).
func NewCandidate(id string, lon, lat float64, src Source) Candidate {
	nan := math.NaN()
	return Candidate{ID: id, Lon: lon, Lat: lat, Source: src, GridKm: nan, FibreKm: nan, SiteKm: nan}
}

// CandidateConfig configures GenerateCandidates.
type CandidateConfig struct {
	// RadiusM is the nominal radius a generated site covers. Default
	// 5000 m: about 0.77 of CoverageRadiusM of the default footprint
	// (4G, 900 MHz, 40 m, rural, 90 % location reliability), leaving room
	// for hex centres and the vertical antenna pattern.
	RadiusM float64
	// MaxPerZone caps the sites placed for one zone. Default 16.
	MaxPerZone int
	// Iterations of household-weighted Lloyd (k-means) refinement.
	// Default 8.
	Iterations int
}

// DefaultCandidateConfig returns the documented defaults.
func DefaultCandidateConfig() CandidateConfig {
	return CandidateConfig{RadiusM: 5000, MaxPerZone: 16, Iterations: 8}
}

// Validate checks the configuration.
func (c CandidateConfig) Validate() error {
	if !(c.RadiusM > 0) || math.IsInf(c.RadiusM, 0) || c.MaxPerZone < 1 || c.Iterations < 0 {
		return fmt.Errorf("candidate config %+v: radius must be positive, at least one site per zone: %w", c, engine.ErrInvalidConfig)
	}
	return nil
}

// GenerateCandidates places new-build sites over dead zones so that every
// zone's households lie within cfg.RadiusM of a site where the cap allows.
// For each zone (in input order):
//
//  1. k = ⌈(extent/RadiusM)²⌉ clamped to [1, min(MaxPerZone, hexes)],
//     where extent is the largest distance of a hex from the
//     household-weighted centre (area ratio of the zone's disc to a site's);
//  2. k centres are seeded by farthest-point (greedy k-centre): the
//     heaviest hex first, then repeatedly the hex farthest from every
//     centre; ties go to the smaller cell;
//  3. Iterations rounds of household-weighted Lloyd refinement in a local
//     equirectangular plane (hexes with no households weigh 1e-9 so empty
//     zones still converge to their hexes);
//  4. while a hex with households is farther than RadiusM from every centre
//     and the cap allows, a centre is added at the farthest such hex.
//
// A zone with no hexes gets one site at its centre. Candidate IDs are
// "<zone id>-<n>" with n from 1; Source is SourceGenerated; distances are
// unknown (NaN). The result is deterministic (no randomness).
func GenerateCandidates(zones []Zone, cfg CandidateConfig) ([]Candidate, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var out []Candidate
	for zi := range zones {
		z := &zones[zi]
		for i, h := range z.Hexes {
			if !finiteLonLat(h.Lon, h.Lat) || !(h.Households >= 0) || math.IsInf(h.Households, 0) {
				return nil, fmt.Errorf("zone %q hex %d (%v): position (%g, %g) or households %g: %w", z.ID, i, h.Cell, h.Lon, h.Lat, h.Households, engine.ErrInvalidValue)
			}
		}
		var centres [][2]float64
		if len(z.Hexes) == 0 {
			if !finiteLonLat(z.Lon, z.Lat) {
				return nil, fmt.Errorf("zone %q: no hexes and centre (%g, %g): %w", z.ID, z.Lon, z.Lat, engine.ErrInvalidValue)
			}
			centres = [][2]float64{{z.Lon, z.Lat}}
		} else {
			centres = placeZone(z.Hexes, cfg)
		}
		for k, c := range centres {
			cand := NewCandidate(z.ID+"-"+strconv.Itoa(k+1), c[0], c[1], SourceGenerated)
			cand.Zone = z.ID
			out = append(out, cand)
		}
	}
	return out, nil
}

func finiteLonLat(lon, lat float64) bool {
	return !math.IsNaN(lon) && !math.IsNaN(lat) && math.Abs(lon) <= 180 && math.Abs(lat) <= 90
}

// local is a zone's equirectangular plane in metres around a reference.
type local struct{ lon0, lat0, kx, ky float64 }

func newLocal(lon0, lat0 float64) local {
	ky := math.Pi / 180 * 6371007.180918475
	return local{lon0, lat0, ky * math.Cos(lat0*math.Pi/180), ky}
}
func (l local) xy(lon, lat float64) (x, y float64) {
	return (lon - l.lon0) * l.kx, (lat - l.lat0) * l.ky
}
func (l local) lonLat(x, y float64) (lon, lat float64) {
	return l.lon0 + x/l.kx, l.lat0 + y/l.ky
}

func placeZone(hexes []Hex, cfg CandidateConfig) [][2]float64 {
	// Order hexes by cell so the result does not depend on input order.
	hs := slices.Clone(hexes)
	slices.SortStableFunc(hs, func(a, b Hex) int { return cmp.Compare(a.Cell, b.Cell) })
	const eps = 1e-9
	w := make([]float64, len(hs))
	var sw, sx, sy float64
	for i, h := range hs {
		w[i] = max(h.Households, eps)
		sw += w[i]
		sx += w[i] * h.Lon
		sy += w[i] * h.Lat
	}
	loc := newLocal(sx/sw, sy/sw)
	x := make([]float64, len(hs))
	y := make([]float64, len(hs))
	extent := 0.0
	for i, h := range hs {
		x[i], y[i] = loc.xy(h.Lon, h.Lat)
		extent = max(extent, math.Hypot(x[i], y[i]))
	}
	k := int(math.Ceil((extent / cfg.RadiusM) * (extent / cfg.RadiusM)))
	k = max(1, min(k, cfg.MaxPerZone, len(hs)))

	// Farthest-point seeding.
	heaviest := 0
	for i := range hs {
		if w[i] > w[heaviest] {
			heaviest = i
		}
	}
	cx, cy := []float64{x[heaviest]}, []float64{y[heaviest]}
	d2 := make([]float64, len(hs))
	for i := range hs {
		d2[i] = sq(x[i]-cx[0]) + sq(y[i]-cy[0])
	}
	for len(cx) < k {
		far := 0
		for i := range hs {
			if d2[i] > d2[far] {
				far = i
			}
		}
		cx, cy = append(cx, x[far]), append(cy, y[far])
		for i := range hs {
			d2[i] = min(d2[i], sq(x[i]-x[far])+sq(y[i]-y[far]))
		}
	}
	// Lloyd refinement.
	assign := make([]int, len(hs))
	ax := make([]float64, k)
	ay := make([]float64, k)
	aw := make([]float64, k)
	for range cfg.Iterations {
		clear(ax)
		clear(ay)
		clear(aw)
		for i := range hs {
			assign[i] = nearest(cx, cy, x[i], y[i])
			c := assign[i]
			ax[c] += w[i] * x[i]
			ay[c] += w[i] * y[i]
			aw[c] += w[i]
		}
		for c := range cx {
			if aw[c] > 0 {
				cx[c], cy[c] = ax[c]/aw[c], ay[c]/aw[c]
			}
		}
	}
	// Repair: add centres at uncovered households.
	r2 := cfg.RadiusM * cfg.RadiusM
	for len(cx) < cfg.MaxPerZone {
		far, farD := -1, r2
		for i := range hs {
			if hs[i].Households <= 0 {
				continue
			}
			c := nearest(cx, cy, x[i], y[i])
			if d := sq(x[i]-cx[c]) + sq(y[i]-cy[c]); d > farD {
				far, farD = i, d
			}
		}
		if far < 0 {
			break
		}
		cx, cy = append(cx, x[far]), append(cy, y[far])
	}
	out := make([][2]float64, len(cx))
	for c := range cx {
		out[c][0], out[c][1] = loc.lonLat(cx[c], cy[c])
	}
	return out
}

func nearest(cx, cy []float64, x, y float64) int {
	best, bd := 0, math.Inf(1)
	for c := range cx {
		if d := sq(x-cx[c]) + sq(y-cy[c]); d < bd {
			best, bd = c, d
		}
	}
	return best
}

func sq(v float64) float64 { return v * v }
