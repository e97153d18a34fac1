package hexgrid

import (
	"math"
	"math/big"
)

// Sine and cosine of angles in degrees, for the unit vector of a point.
//
// An angle d (|d| ≤ 180) is split into its nearest whole degree n and a
// remainder r = d − n, |r| ≤ 0.5. Both steps are exact: adding and
// subtracting roundMagic rounds d to an integer in one IEEE rounding, and
// d − n is exact by Sterbenz's lemma (n = 0, or n/2 ≤ d ≤ 2n). sin n° and
// cos n° come from a table, correctly rounded; sin and cos of the small
// b = r·π/180 (|b| ≤ 0.0088) from short Taylor polynomials; and the angle
// addition formulas combine them:
//
//	sin d = sin n + (cos n·sin b − sin n·(1 − cos b))
//	cos d = cos n − (sin n·sin b + cos n·(1 − cos b))
//
// Error, absolute, against the true sin and cos of d degrees:
//   - table entries: ≤ 2⁻⁵⁴ (half an ulp of a value ≤ 1);
//   - b: two roundings (degToRad and the product), ≤ 2⁻⁵²·|b| < 2·10⁻¹⁸;
//   - Taylor truncation: sin b to b⁵, |b⁷/7!| < 8·10⁻¹⁹; 1 − cos b to b⁶,
//     b⁸/8! < 10⁻²¹;
//   - the bracketed corrections are below 0.0089 in magnitude, so their
//     roundings and the table error they carry are below 10⁻¹⁷;
//   - the final addition: half an ulp of a value ≤ 1, ≤ 2⁻⁵⁴.
//
// In all ≤ 2⁻⁵³ + 2·10⁻¹⁷ < 0.6·2⁻⁵², half the "few ulps" of the Cephes
// polynomials used before and below the error of H3's own sin(d·π/180)
// (whose argument alone is rounded by up to 2⁻⁵¹ near 180°).
// TestSincosDegAndUnitVector checks 0.75·2⁻⁵² against a 200-bit reference.

// roundMagic is 1.5·2⁵²: x + roundMagic − roundMagic is x rounded to the
// nearest integer (ties to even) for |x| < 2⁵¹, and the low bits of
// x + roundMagic hold that integer.
const roundMagic = 0x1.8p52

// Taylor coefficients for sin b = b − b³/6 + b⁵/120 and
// 1 − cos b = b²/2 − b⁴/24 + b⁶/720.
const (
	sinT3 = -1.0 / 6
	sinT5 = 1.0 / 120
	cosT4 = 1.0 / 24
	cosT6 = 1.0 / 720
)

// sinCosDegTab[(n+180)&511] holds sin n° and cos n° for n in −180..180,
// correctly rounded. The power-of-two size lets the index be masked
// rather than bounds-checked.
var sinCosDegTab = buildSinCosDegTab()

func buildSinCosDegTab() *[512][2]float64 {
	// sin and cos of 0..45° by Taylor series in 200-bit arithmetic, then
	// exact symmetries for the rest.
	const prec = 200
	pi, _, err := big.ParseFloat("3.14159265358979323846264338327950288419716939937510582097494459230781640628620899862803482534211706798", 10, prec, big.ToNearestEven)
	if err != nil {
		panic("hexgrid: pi constant: " + err.Error())
	}
	var s, c [91]float64
	for n := 0; n <= 45; n++ {
		x := new(big.Float).SetPrec(prec).Mul(pi, big.NewFloat(float64(n)).SetPrec(prec))
		x.Quo(x, big.NewFloat(180).SetPrec(prec))
		x2 := new(big.Float).SetPrec(prec).Mul(x, x)
		sum := [2]*big.Float{new(big.Float).SetPrec(prec), new(big.Float).SetPrec(prec)}
		term := [2]*big.Float{new(big.Float).SetPrec(prec).Set(x), new(big.Float).SetPrec(prec).SetInt64(1)}
		for k := 0; k < 40; k++ {
			for j := 0; j < 2; j++ {
				sum[j].Add(sum[j], term[j])
				// Next term: times −x²/((2k+2)(2k+3)) for sin, −x²/((2k+1)(2k+2)) for cos.
				m := float64((2*k + 2 - j) * (2*k + 3 - j))
				term[j].Mul(term[j], x2)
				term[j].Quo(term[j], big.NewFloat(-m).SetPrec(prec))
			}
		}
		s[n], _ = sum[0].Float64()
		c[n], _ = sum[1].Float64()
		s[90-n], c[90-n] = c[n], s[n]
	}
	t := new([512][2]float64)
	for n := -180; n <= 180; n++ {
		a := n
		sign := 1.0
		if a < 0 {
			a, sign = -a, -1
		}
		var sv, cv float64
		switch {
		case a <= 90:
			sv, cv = s[a], c[a]
		default: // sin(180−a) = sin a, cos(180−a) = −cos a
			sv, cv = s[180-a], -c[180-a]
		}
		t[(n+180)&511] = [2]float64{sign * sv, cv}
	}
	return t
}

// sincosDeg returns sin d° and cos d° for |d| ≤ 180, within 0.6 ulps of
// 1 of the true values (see above).
func sincosDeg(d float64) (sin, cos float64) {
	t := d + roundMagic
	n := t - roundMagic
	e := &sinCosDegTab[(int(math.Float64bits(t))-int(math.Float64bits(roundMagic))+180)&511]
	b := (d - n) * degToRad
	z := b * b
	sb := b + b*z*(sinT3+z*sinT5)
	h := z * (0.5 - z*(cosT4-z*cosT6))
	sn, cn := e[0], e[1]
	return sn + (cn*sb - sn*h), cn - (sn*sb + cn*h)
}

// unitVector returns the unit vector of lon, lat degrees (|lon| ≤ 180,
// |lat| ≤ 90) as H3's latLngToVec3 does: (cos lon·cos lat, sin lon·cos
// lat, sin lat).
func unitVector(lon, lat float64) (x, y, z float64) {
	so, co := sincosDeg(lon)
	sa, ca := sincosDeg(lat)
	return co * ca, so * ca, sa
}
