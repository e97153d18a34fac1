package predict

import (
	"fmt"
	"math"

	"github.com/lomsong/lomsong/engine"
)

// Pattern is the 3GPP parametric sector-antenna pattern (3GPP TR 36.814
// v9.2.0 Table A.2.1.1-2; the same form as TR 38.901 Table 7.3-1):
//
//	A_H(φ) = −min(12·(φ/φ3dB)², Am)
//	A_V(θ) = −min(12·((θ − θtilt)/θ3dB)², SLAv)
//	A(φ, θ) = −min(−(A_H(φ) + A_V(θ)), Am)
//
// φ is the horizontal angle from boresight, θ the depression angle below the
// horizon, θtilt the downtilt, all in degrees; the result is the gain
// relative to boresight (≤ 0 dB). The boresight gain itself is part of the
// site's EIRP. Defaults: φ3dB 65° (the common commercial panel and the TR
// 38.901 element; TR 36.814 uses 70°), Am 25 dB and θ3dB 10° and SLAv 20 dB
// (TR 36.814). An omnidirectional antenna has no horizontal term. The
// vertical pattern applies to every antenna.
type Pattern struct {
	HBeamwidthDeg float64 `json:"h_beamwidth_deg"` // φ3dB, used when a site has no beamwidth
	AmDB          float64 `json:"am_db"`           // front-to-back ratio
	VBeamwidthDeg float64 `json:"v_beamwidth_deg"` // θ3dB
	SLAvDB        float64 `json:"sla_v_db"`        // vertical side-lobe attenuation
}

// DefaultPattern returns φ3dB 65°, Am 25 dB, θ3dB 10°, SLAv 20 dB.
func DefaultPattern() Pattern {
	return Pattern{HBeamwidthDeg: 65, AmDB: 25, VBeamwidthDeg: 10, SLAvDB: 20}
}

// Validate checks that beamwidths lie in (0, 360] and attenuations are
// non-negative and finite.
func (p Pattern) Validate() error {
	if !(p.HBeamwidthDeg > 0 && p.HBeamwidthDeg <= 360) || !(p.VBeamwidthDeg > 0 && p.VBeamwidthDeg <= 180) {
		return fmt.Errorf("antenna beamwidths %g°/%g° must be in (0, 360]/(0, 180]: %w", p.HBeamwidthDeg, p.VBeamwidthDeg, engine.ErrInvalidConfig)
	}
	if !(p.AmDB >= 0) || !(p.SLAvDB >= 0) || !finite(p.AmDB) || !finite(p.SLAvDB) {
		return fmt.Errorf("antenna attenuations Am %g dB, SLAv %g dB must be finite and ≥ 0: %w", p.AmDB, p.SLAvDB, engine.ErrInvalidConfig)
	}
	return nil
}

// HorizontalDB returns A_H(φ) for a horizontal offset from boresight (any
// sign, any turn) and half-power beamwidth φ3dB.
func (p Pattern) HorizontalDB(offsetDeg, beamwidthDeg float64) float64 {
	x := AngleDiffDeg(offsetDeg, 0) / beamwidthDeg
	return -min(12*x*x, p.AmDB)
}

// VerticalDB returns A_V(θ) for a depression angle and downtilt.
func (p Pattern) VerticalDB(depressionDeg, tiltDeg float64) float64 {
	x := (depressionDeg - tiltDeg) / p.VBeamwidthDeg
	return -min(12*x*x, p.SLAvDB)
}

// GainDB returns the combined relative gain A(φ, θ). azimuthDeg NaN means
// an omnidirectional antenna (no horizontal term); beamwidthDeg NaN or
// non-positive means p.HBeamwidthDeg.
func (p Pattern) GainDB(azimuthDeg, beamwidthDeg, bearingDeg, depressionDeg, tiltDeg float64) float64 {
	v := p.VerticalDB(depressionDeg, tiltDeg)
	if math.IsNaN(azimuthDeg) {
		return p.verticalGainDB(v)
	}
	if !(beamwidthDeg > 0) {
		beamwidthDeg = p.HBeamwidthDeg
	}
	h := p.HorizontalDB(bearingDeg-azimuthDeg, beamwidthDeg)
	return -min(-(h + v), p.AmDB)
}

// verticalGainDB is A(φ, θ) of an omnidirectional antenna, whose vertical
// term A_V(θ) is v. It bounds a sector's gain with the same vertical
// term from above, in floating point too: A_H(φ) ≤ 0 makes the rounded
// h + v at most v, and negation and min are exact. (With h NaN, from an
// infinite azimuth, the sector's gain is NaN and bounded by nothing.)
func (p Pattern) verticalGainDB(v float64) float64 { return -min(-v, p.AmDB) }

// AngleDiffDeg returns a − b wrapped to [−180, 180).
func AngleDiffDeg(a, b float64) float64 {
	d := math.Mod(a-b+180, 360)
	if d < 0 {
		d += 360
	}
	return d - 180
}

// BearingDeg returns the initial great-circle bearing from (lon1, lat1) to
// (lon2, lat2), in degrees clockwise from north in [0, 360). Assumption: a
// spherical Earth; on WGS84 the geodesic bearing differs by under 0.2°,
// far inside an antenna's beamwidth.
func BearingDeg(lon1, lat1, lon2, lat2 float64) float64 {
	p1, p2 := lat1*deg2rad, lat2*deg2rad
	dl := (lon2 - lon1) * deg2rad
	b := bearingRad(math.Sin(p1), math.Cos(p1), math.Sin(p2), math.Cos(p2), dl)
	return b
}

func bearingRad(sin1, cos1, sin2, cos2, dl float64) float64 {
	// math.Sincos is math.Sin and math.Cos in one argument reduction:
	// the same algorithm, the same bits.
	sinDl, cosDl := math.Sincos(dl)
	y := sinDl * cos2
	x := cos1*sin2 - sin1*cos2*cosDl
	b := math.Atan2(y, x) * rad2deg
	if b < 0 {
		b += 360
	}
	if b >= 360 {
		b -= 360
	}
	return b
}

// DepressionDeg returns the angle below the horizon at which the base
// station sees the mobile: atan((hBase − hMobile)/d). Assumption: flat
// earth (the curvature drop at 15 km is about 13 m with k = 4/3, a fraction
// of a degree).
func DepressionDeg(hBaseM, hMobileM, distanceM float64) float64 {
	return math.Atan2(hBaseM-hMobileM, distanceM) * rad2deg
}

const (
	deg2rad = math.Pi / 180
	rad2deg = 180 / math.Pi
	// earthRadiusM is the mean radius H3 uses (hexgrid.GreatCircleM), so
	// distances agree with the hex grid.
	earthRadiusM = 6371007.180918475
)

// GreatCircleM returns the haversine distance in metres between two lon/lat
// points on a sphere of H3's radius (6371.007 km), matching
// hexgrid.GreatCircleM.
func GreatCircleM(lon1, lat1, lon2, lat2 float64) float64 {
	p1, p2 := lat1*deg2rad, lat2*deg2rad
	return haversineM(p1, p2, math.Cos(p1), math.Cos(p2), (lon2-lon1)*deg2rad)
}

func haversineM(p1, p2, cos1, cos2, dl float64) float64 {
	return arcOfRootM(haversineRoot(p1, p2, cos1, cos2, dl))
}

// haversineRoot returns √a, a = sin²(Δφ/2) + cos φ1·cos φ2·sin²(Δλ/2)
// capped at 1: the distance is 2R·asin of it (arcOfRootM) and at least
// 2R times it (asin x ≥ x).
func haversineRoot(p1, p2, cos1, cos2, dl float64) float64 {
	sp := math.Sin((p2 - p1) / 2)
	sl := math.Sin(dl / 2)
	a := sp*sp + cos1*cos2*sl*sl
	return min(1, math.Sqrt(a))
}

// arcOfRootM returns the great-circle distance, in metres, whose
// haversineRoot is root.
func arcOfRootM(root float64) float64 { return 2 * earthRadiusM * math.Asin(root) }
