package hexgrid

// sincosDeg returns sin and cos of d degrees for |d| ≤ 180. It reduces by
// quarter turns in degrees, which is exact (d − 90k is a multiple of d's
// ulp and smaller than d), and evaluates the Cephes polynomials that Go's
// math.Sincos uses on [−π/4, π/4]. The result is within a few ulps of the
// true value, well inside the indexer's margin (see fast.go).
func sincosDeg(d float64) (sin, cos float64) {
	k := int(d*(1.0/90) + 0.5 + 2) // round(d/90) + 2, in 0..4 for |d| ≤ 180
	z := (d - 90*float64(k-2)) * degToRad
	zz := z * z
	c := 1.0 - 0.5*zz + zz*zz*((((((cosC0*zz)+cosC1)*zz+cosC2)*zz+cosC3)*zz+cosC4)*zz+cosC5)
	s := z + z*zz*((((((sinC0*zz)+sinC1)*zz+sinC2)*zz+sinC3)*zz+sinC4)*zz+sinC5)
	switch k & 3 { // quarter turns, k-2 ≡ k+2 (mod 4)
	case 2: // 0
		return s, c
	case 3: // +90°
		return c, -s
	case 0: // ±180°
		return -s, -c
	default: // −90°
		return -c, s
	}
}

// Cephes sin and cos coefficients, as in Go's math package.
const (
	sinC0 = 1.58962301576546568060e-10
	sinC1 = -2.50507477628578072866e-8
	sinC2 = 2.75573136213857245213e-6
	sinC3 = -1.98412698295895385996e-4
	sinC4 = 8.33333333332211858878e-3
	sinC5 = -1.66666666666666307295e-1
	cosC0 = -1.13585365213876817300e-11
	cosC1 = 2.08757008419747316778e-9
	cosC2 = -2.75573141792967388112e-7
	cosC3 = 2.48015872888517045348e-5
	cosC4 = -1.38888888888730564116e-3
	cosC5 = 4.16666666666665929218e-2
)

// unitVector returns the unit vector of lon, lat degrees (|lon| ≤ 180,
// |lat| ≤ 90) as H3's latLngToVec3 does: (cos lon·cos lat, sin lon·cos
// lat, sin lat). It is sincosDeg twice in one body, to save the calls.
func unitVector(lon, lat float64) (x, y, z float64) {
	ka := int(lat*(1.0/90) + 0.5 + 2)
	ko := int(lon*(1.0/90) + 0.5 + 2)
	za := (lat - 90*float64(ka-2)) * degToRad
	zo := (lon - 90*float64(ko-2)) * degToRad
	aa, oo := za*za, zo*zo
	ca := 1.0 - 0.5*aa + aa*aa*((((((cosC0*aa)+cosC1)*aa+cosC2)*aa+cosC3)*aa+cosC4)*aa+cosC5)
	sa := za + za*aa*((((((sinC0*aa)+sinC1)*aa+sinC2)*aa+sinC3)*aa+sinC4)*aa+sinC5)
	co := 1.0 - 0.5*oo + oo*oo*((((((cosC0*oo)+cosC1)*oo+cosC2)*oo+cosC3)*oo+cosC4)*oo+cosC5)
	so := zo + zo*oo*((((((sinC0*oo)+sinC1)*oo+sinC2)*oo+sinC3)*oo+sinC4)*oo+sinC5)
	sa, ca = quarterTurns(ka, sa, ca)
	so, co = quarterTurns(ko, so, co)
	return co * ca, so * ca, sa
}

// quarterTurns maps sin and cos of the reduced angle back through k−2
// quarter turns.
func quarterTurns(k int, s, c float64) (float64, float64) {
	switch k & 3 {
	case 2:
		return s, c
	case 3:
		return c, -s
	case 0:
		return -s, -c
	default:
		return -c, s
	}
}
