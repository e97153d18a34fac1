package hexgrid

//go:generate go run gentables.go

import (
	"math"
	"sync"
)

// This file is a pure-Go port of H3's latLngToCell (h3-go v4.5.0, C
// sources h3_faceijk.c, h3_coordijk.h, h3_h3Index.c) with cheaper
// arithmetic and a guard band around every floating-point decision.
//
// H3 computes, for a unit vector p: the nearest face centre (20 squared
// distances), the angle r = acos(1 - d²/2) to it, the azimuth from the
// face centre by atan2 on a tangent basis, then hex2d = scale·tan(r)·
// (cos θ, sin θ) with θ measured from the face's Class II i-axis (rotated
// by the aperture-7 angle at Class III resolutions). That is the gnomonic
// projection, which is linear in p up to one division:
//
//	hex2d = scale · (p·U, p·W) / (p·c)
//
// where c is the face centre and U, W the unit tangent vectors at c along
// θ = 0 and θ = 90°. The fast path precomputes U and W per face and class and
// so needs no acos, atan2 or tan. The integer part (hex quantisation,
// aperture-7 digits, base cell and rotations) is ported exactly.
//
// Exactness. The two computations of hex2d differ by rounding (our
// sincosDeg is within 0.6 ulps of 1 of the true sin and cos, trig.go; the
// C library's within about an ulp, of an argument H3 has already rounded
// by up to 2⁻⁵¹). An error δ in each component of the unit vector moves
// hex2d by at most scale·√6·δ·(1+t)/cos r < 3.2·scale·δ·(1+t) (cos r >
// 0.79 on a face); with δ below 8·eps on both sides together (ours ≤ 2,
// TestSincosDegAndUnitVector; H3's ≤ 6) that is under 26·eps·scale·(1+t),
// a tenth of the kRel term below. The fast path bounds
// that difference and falls back to h3-go whenever a decision lies within
// the bound:
//
//   - face: H3 takes the face with the smallest squared distance, which is
//     the largest p·c. If the best and second-best p·c differ by less than
//     faceMargin (1e-12, about 4500 ulps of a quantity H3 computes with
//     an error of a few ulps), fall back.
//   - hex: the quantised hex is accepted only if the point lies inside it
//     by more than hexMargin(res, t), in hex2d units (centre spacing 1):
//     eps·scale·(kTheta/t + kRel·(1+t)), t = tan r. The first term bounds
//     H3's acos near the face centre, whose argument 1 - d²/2 carries an
//     absolute error of about eps, so r is off by eps/sin r; the second
//     bounds every relative error (sin, cos, tan, atan2, the azimuth, the
//     repeated ·√7 scaling, H3's own quantisation arithmetic, and ours).
//     kTheta = 64 and kRel = 256 exceed the worked-out constants (about 3
//     and 30) by an order of magnitude. H3's quantisation returns the hex
//     whose centre is nearest, so if our point is inside a hex by more
//     than the bound, H3's point is inside the same hex.
//
// Everything after the hex (digits, base cell, rotations) is integer
// arithmetic on identical inputs and needs no margin. On uniformly random
// points the fallback rate is of the order of the margin itself, about
// 1e-9 at resolution 8: none of the ten million points of
// TestIndexIntoMatchesH3Vietnam10M falls back.

const (
	degToRad       = math.Pi / 180.0 // h3-go's DegsToRads
	invRes0UGnomon = 2.61803398874989588842
	ap7RotRads     = 0.333473172251832115336090755351601070065900389
	sqrt3Over2     = 0.8660254037844386467637231707529361834714
	epsilon64      = 0x1p-52
	faceMargin     = 1e-12
	kTheta         = 64.0
	kRel           = 256.0
)

// projection holds, per face, the tangent vectors U and W for Class II
// (index 0) and Class III (index 1) resolutions, and per resolution the
// hex2d scale and its margin constants.
type projection struct {
	u, w  [20][2][3]float64
	scale [MaxRes + 1]float64
	mA    [MaxRes + 1]float64 // eps·kTheta·scale: margin term divided by t
	mB    [MaxRes + 1]float64 // eps·kRel·scale: margin term times (1+t)
	mFar  [MaxRes + 1]float64 // 64·mA + 2·mB: the margin for any t ≥ 1/64
}

var proj = newProjection()

func newProjection() *projection {
	p := new(projection)
	sa, ca := math.Sincos(ap7RotRads)
	for f := 0; f < 20; f++ {
		c := faceCenter[f]
		// H3's _vec3TangentBasis: north = ẑ - (ẑ·c)c normalised, east = north × c.
		n := [3]float64{-c[2] * c[0], -c[2] * c[1], 1 - c[2]*c[2]}
		nl := math.Sqrt(n[0]*n[0] + n[1]*n[1] + n[2]*n[2])
		n[0], n[1], n[2] = n[0]/nl, n[1]/nl, n[2]/nl
		e := [3]float64{n[1]*c[2] - n[2]*c[1], n[2]*c[0] - n[0]*c[2], n[0]*c[1] - n[1]*c[0]}
		s0, c0 := math.Sincos(faceAxisAz0[f])
		var u, w [3]float64
		for i := 0; i < 3; i++ {
			u[i] = c0*n[i] + s0*e[i]
			w[i] = s0*n[i] - c0*e[i]
		}
		p.u[f][0], p.w[f][0] = u, w
		for i := 0; i < 3; i++ {
			p.u[f][1][i] = ca*u[i] + sa*w[i]
			p.w[f][1][i] = ca*w[i] - sa*u[i]
		}
	}
	s := invRes0UGnomon
	for r := 0; r <= MaxRes; r++ {
		p.scale[r] = s
		p.mA[r] = epsilon64 * kTheta * s
		p.mB[r] = epsilon64 * kRel * s
		p.mFar[r] = 64*p.mA[r] + 2*p.mB[r]
		s *= math.Sqrt(7)
	}
	return p
}

// fastAxial is the floating-point half of the fast path for one point:
// the face and the axial coordinates of the hex at res, or false inside
// the margin.
func fastAxial(ft *faceTable, lon, lat float64, res int) (face, ai, aj int, ok bool) {
	face, x, y, t2, ok := project(ft, lon, lat, res)
	if !ok {
		return 0, 0, 0, false
	}
	ai, aj, ok = nearestHex(x, y, t2, res)
	return face, ai, aj, ok
}

// project returns the face and the hex2d coordinates (x, y) of the point
// at res, and t² = (tan r)², r the angle from the face centre; false when
// the face choice is within faceMargin of a tie.
func project(ft *faceTable, lon, lat float64, res int) (face int, x, y, t2 float64, ok bool) {
	// Nearest face centre = largest dot product. The lookup table lists
	// the faces that can come within faceMargin of the best anywhere in
	// the point's 2°×2° bucket; with one candidate no tie is possible.
	// Coordinates outside the usual ranges (which H3 wraps) scan all faces.
	var px, py, pz float64
	e := uint32(0)
	if lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 {
		px, py, pz = unitVector(lon, lat)
		bi := int((lat + 90) * (1.0 / faceBucketDeg))
		bj := int((lon + 180) * (1.0 / faceBucketDeg))
		bi = min(bi, faceBucketsLat-1)
		bj = min(bj, faceBucketsLon-1)
		e = ft[bi*faceBucketsLon+bj]
	} else {
		sinLat, cosLat := math.Sincos(lat * degToRad)
		sinLon, cosLon := math.Sincos(lon * degToRad)
		px, py, pz = cosLon*cosLat, sinLon*cosLat, sinLat
	}
	var best float64
	if n := e & faceCountMask; n == 1 {
		face = int(e >> faceCountBits)
		c := &faceCenter[face]
		best = c[0]*px + c[1]*py + c[2]*pz
	} else {
		second := -2.0
		best = -2.0
		if n == 0 {
			n = 20
		}
		for m := uint32(0); m < n; m++ {
			f := int(e>>(faceCountBits+5*m)) & 31
			if n == 20 {
				f = int(m)
			}
			c := &faceCenter[f]
			d := c[0]*px + c[1]*py + c[2]*pz
			if d > best {
				second, best, face = best, d, f
			} else if d > second {
				second = d
			}
		}
		if best-second < faceMargin {
			return 0, 0, 0, 0, false
		}
	}

	class := res & 1
	u, w := &proj.u[face][class], &proj.w[face][class]
	inv := 1 / best
	gx := (u[0]*px + u[1]*py + u[2]*pz) * inv
	gy := (w[0]*px + w[1]*py + w[2]*pz) * inv
	scale := proj.scale[res]
	return face, gx * scale, gy * scale, gx*gx + gy*gy, true
}

// nearestHex returns the axial coordinates of the hex containing hex2d
// (x, y) at res, or false when the point is within the margin of its edge.
func nearestHex(x, y, t2 float64, res int) (ai, aj int, ok bool) {
	ai, aj, na, nb, nc := roundHex(x, y)
	// Margin mA/t + mB·(1+t) with t = tan r < 0.77: for t ≥ 1/64 it is at
	// most 64·mA + 2·mB, which avoids a square root and a division for all
	// but the points nearest a face centre.
	margin := proj.mFar[res&15]
	if t2 < 1.0/(64*64) {
		t := math.Sqrt(t2)
		margin = proj.mA[res&15]/t + proj.mB[res&15]*(1+t)
	}
	// Inside by more than margin: |n| < 1 - 2·margin for the three doubled
	// projections, compared as squares (no absolute values; the squares'
	// roundings are relative errors of 2⁻⁵³ on quantities below 1).
	l := 1 - 2*margin
	l2 := l * l
	if !(na*na < l2 && nb*nb < l2 && nc*nc < l2 && l > 0) {
		return 0, 0, false
	}
	return ai, aj, true
}

// roundHex returns the axial coordinates (ai, aj) of the hex centre
// nearest hex2d (x, y), and the point's offset from it projected on the
// hex's three edge normals, doubled: the point is inside the hex by
// (1 − max(|na|, |nb|, |nc|))/2 in hex2d units (centre spacing 1).
//
// It works on the 60° basis e_i, e_i+e_j, where the point is q·e_i +
// r·(e_i+e_j) and axial (ai, aj) = (q+r, r). It rounds q and r to the
// nearest integers (adding and subtracting roundMagic: exact, no
// float-to-int conversion), then steps to the neighbour along q or r when
// the remainder (f_q, f_r) lies in a corner of the unit square outside
// the hex: along the axis with the larger |f|, by round((2f_q+f_r)/2) or
// round((2f_r+f_q)/2) (J. Rus, "hexround"). There are no branches; the
// integers come from the low bits of the rounded values. Only points
// clearly inside the returned hex are accepted (nearestHex), so ties on
// edges, whichever way they round, are never used.
func roundHex(x, y float64) (ai, aj int, na, nb, nc float64) {
	r := y * 1.1547005383792515290182975610039149112953 // 1/sin 60°
	q := x - 0.5*r
	tq, tr := q+roundMagic, r+roundMagic
	fq, fr := q-(tq-roundMagic), r-(tr-roundMagic)
	sq, sr := fq+0.5*fr+roundMagic, fr+0.5*fq+roundMagic
	dq, dr := sq-roundMagic, sr-roundMagic // −1, 0 or 1
	alongQ := b2i(fq*fq >= fr*fr)
	const magicBits = 0x4338000000000000 // math.Float64bits(roundMagic)
	iq := int(math.Float64bits(tq)) - magicBits + (int(math.Float64bits(sq))-magicBits)&-alongQ
	ir := int(math.Float64bits(tr)) - magicBits + (int(math.Float64bits(sr))-magicBits)&(alongQ-1)
	sel := float64(alongQ)
	uq, ur := fq-dq*sel, fr-dr*(1-sel)
	return iq + ir, ir, 2*uq + ur, uq + 2*ur, ur - uq
}

// Face lookup buckets.
const (
	faceBucketDeg  = 2.0
	faceBucketsLat = 90
	faceBucketsLon = 180
	// faceBucketRadius bounds, in radians, the distance from a bucket's
	// centre to any point of it: half the 2°×2° diagonal is 1.42°.
	faceBucketRadius = 1.5 * degToRad
)

// faceTable holds, per 2°×2° lon/lat bucket, the icosahedron faces that can
// be nearest (or within faceMargin of nearest) to some point of the bucket:
// the count in bits 0..2 (0 = scan all 20), then up to five 5-bit faces.
type faceTable [faceBucketsLat * faceBucketsLon]uint32

const (
	faceCountBits = 3
	faceCountMask = 1<<faceCountBits - 1
	faceMaxListed = 5
)

var (
	faceTableOnce sync.Once
	faceTableVal  *faceTable
)

// faces returns the face lookup table, built on first use (about a
// millisecond).
func faces() *faceTable {
	faceTableOnce.Do(func() { faceTableVal = buildFaceTable() })
	return faceTableVal
}

// buildFaceTable lists, per bucket, the faces whose dot product at the
// bucket centre is within 2·faceBucketRadius + faceMargin of the best.
// For two faces f, g the difference p·c_f − p·c_g changes by at most
// |c_f − c_g| ≤ 2 per radian of movement on the sphere, and so does
// best(p) − p·c_f; a face left out therefore trails the best by more than
// faceMargin everywhere in the bucket: it is neither the nearest face nor
// a near tie, and the candidates' own best and runner-up decide exactly
// as a scan of all 20 faces would.
func buildFaceTable() *faceTable {
	ft := new(faceTable)
	for bi := 0; bi < faceBucketsLat; bi++ {
		lat := (-90 + (float64(bi)+0.5)*faceBucketDeg) * degToRad
		for bj := 0; bj < faceBucketsLon; bj++ {
			lon := (-180 + (float64(bj)+0.5)*faceBucketDeg) * degToRad
			p := [3]float64{math.Cos(lon) * math.Cos(lat), math.Sin(lon) * math.Cos(lat), math.Sin(lat)}
			var dots [20]float64
			best := -2.0
			for f := range faceCenter {
				c := faceCenter[f]
				dots[f] = c[0]*p[0] + c[1]*p[1] + c[2]*p[2]
				best = max(best, dots[f])
			}
			var e uint32
			n := 0
			for f, d := range dots {
				if d >= best-2*faceBucketRadius-faceMargin {
					if n < faceMaxListed {
						e |= uint32(f) << (faceCountBits + 5*n)
					}
					n++
				}
			}
			if n <= faceMaxListed {
				e |= uint32(n)
			} else {
				e = 0 // scan all faces
			}
			ft[bi*faceBucketsLon+bj] = e
		}
	}
	return ft
}

// chunk4Step returns the axial coordinates of the ancestor at r−4 of the
// cell at axial (ai, aj) and resolution r, and the four digits of levels
// r-3..r (level r-l at bits 3l), from t = chunk4[r&1]. Hex2d coordinates
// are below 0.77·scale < 4.4·10⁶ in magnitude at res ≤ 15, so |ai|, |aj|
// < 2²⁴; the offset (a multiple of m) keeps the dividends positive and
// below 2³¹, where div49 floors them with one multiplication. The
// residues (0..48) index the table with a row stride of 64; the mask lets
// the compiler drop the bounds check.
func chunk4Step(t *[chunk4Size]uint32, ai, aj int) (int, int, uint64) {
	const m, off = 49, 49 << 25
	ui, uj := uint64(ai+off), uint64(aj+off)
	qi, qj := ui*div49Mul>>div49Shift, uj*div49Mul>>div49Shift
	e := t[((ui-qi*m)<<6|(uj-qj*m))&(chunk4Size-1)]
	return int(qi) - off/m + int(int8(e>>12)), int(qj) - off/m + int(int8(e>>20)), uint64(e & 0xfff)
}

// Division by 49 and 7 of x < 2³¹ as x·M >> S, M = ⌈2^S/d⌉: with e =
// M·d − 2^S, x·M/2^S = x/d + x·e/(d·2^S), and the second term is below
// 1/d (so the floor is x/d's) while x·e < 2^S; for 49, e = 13 and x <
// 2³⁶/13 ≈ 5.3·10⁹; for 7, e = 5 and x < 2³⁴/5 ≈ 3.4·10⁹. x·M < 2⁶³.
// The compiler's own division by a constant needs a 65-bit multiplier
// here (an extra add and rotate). TestDivMagic checks the constants.
const (
	div49Mul, div49Shift = 1402438301, 36
	div7Mul, div7Shift   = 2454267027, 34
)

// chunk2Step is chunk4Step for two levels (r-1, r), from t = chunk2[r&1].
func chunk2Step(t *[chunk2Size]uint32, ai, aj int) (int, int, uint64) {
	const m, off = 7, 7 << 28 // as in chunk4Step
	ui, uj := uint64(ai+off), uint64(aj+off)
	qi, qj := ui*div7Mul>>div7Shift, uj*div7Mul>>div7Shift
	e := t[((ui-qi*m)<<3|(uj-qj*m))&(chunk2Size-1)]
	return int(qi) - off/m + int(int8(e>>12)), int(qj) - off/m + int(int8(e>>20)), uint64(e & 0x3f)
}

// level1Step returns, for the axial coordinates of a res-1 cell, its
// parent's index into axialBaseCell (axialNoCell when H3 has no cell)
// and its digit.
func level1Step(ai, aj int) (b0 uint, digit uint64) {
	ui, uj := uint(ai+level1Radius), uint(aj+level1Radius)
	e := uint8(level1Outside)
	if ui < level1Side && uj < level1Side {
		e = level1[(ui*level1Side+uj)%(level1Side*level1Side)]
	}
	return uint(e & 31), uint64(e >> 5)
}

// res0Index returns the index into axialBaseCell of res-0 axial
// coordinates: axial -2..2 on both axes covers every normalised ijk in
// 0..2; outside it H3 has no cell (axialNoCell).
func res0Index(ai, aj int) uint {
	ui, uj := uint(ai+2), uint(aj+2)
	if ui > 4 || uj > 4 {
		return axialNoCell
	}
	return ui*5 + uj
}

// baseCellDigits finishes a cell from its axialBaseCell entry bcr and the
// digits of levels 1..res (7s below): rotated into the base cell's frame,
// with the base cell and resolution. false where H3 has no cell.
func baseCellDigits(bcr uint16, face int, dig uint64, res int) (Cell, bool) {
	bc, rots := uint64(bcr&0xff), bcr>>8&7
	if bcr&(axialInvalid|axialPentagon) != 0 {
		if bcr&axialInvalid != 0 {
			return 0, false
		}
		dig = pentagonDigits(dig, res, int(bc), face, int(rots))
	} else {
		dig = rotateDigits(dig, res, rots)
	}
	return Cell(uint64(1)<<59 | uint64(res)<<resOffset | bc<<45 | dig), true
}

// rotateDigits rotates the packed digits of levels 1..res rots times 60°
// ccw, four digits at a time; the 7s below res map to 7s. No branch on
// rots: the base cell varies from point to point, and rotating by zero
// costs less than a mispredicted branch.
func rotateDigits(dig uint64, res int, rots uint16) uint64 {
	t := &rot60ccw4[rots]
	for sh := uint(3*(MaxRes-res)) & 63; sh < 45; sh += 12 {
		dig = dig&^(0xfff<<sh) | uint64(t[dig>>sh&0xfff])<<sh
	}
	return dig
}

// pentagonDigits applies rotatePentagonDigits to the packed digits of a
// cell at res in pentagon base cell bc. It is kept out of baseCellDigits
// so that the common path needs no digit array.
//
//go:noinline
func pentagonDigits(dig uint64, res, bc, face, rots int) uint64 {
	var digits [MaxRes + 1]uint64
	for r := 1; r <= res; r++ {
		digits[r] = dig >> (3 * (MaxRes - r)) & 7
	}
	rotatePentagonDigits(&digits, res, bc, face, rots)
	for r := 1; r <= res; r++ {
		sh := uint(3 * (MaxRes - r))
		dig = dig&^(7<<sh) | digits[r]<<sh
	}
	return dig
}

// axialBaseCell[face][(ai+2)·5 + (aj+2)] is faceIJKBaseCell at the
// normalised ijk of the res-0 axial coordinates (ai, aj) = (i-k, j-k):
// base cell | rotations<<8, with axialPentagon for pentagon base cells and
// axialInvalid where a normalised coordinate exceeds 2 (H3 has no cell).
// Rows are padded to 32 entries so that a masked index needs no bounds
// check; the padding is axialInvalid, and axialNoCell indexes it.
var axialBaseCell = func() (t [20][32]uint16) {
	for f := range t {
		for n := 25; n < 32; n++ {
			t[f][n] = axialInvalid
		}
		for ai := -2; ai <= 2; ai++ {
			for aj := -2; aj <= 2; aj++ {
				i, j, k := normalizeIJK(ai, aj, 0)
				e := uint16(axialInvalid)
				if i <= 2 && j <= 2 && k <= 2 {
					e = faceIJKBaseCell[f][i][j][k]
					if baseCellPentagon[e&0xff] {
						e |= axialPentagon
					}
				}
				t[f][(ai+2)*5+aj+2] = e
			}
		}
	}
	return t
}()

const (
	axialPentagon = 1 << 14
	axialInvalid  = 1 << 15
	axialNoCell   = 31
)

// upStep is one level of _faceIjkToH3: from the axial coordinates of a
// cell at resolution r to its parent's, and the cell's digit. Class III
// resolutions (odd r) use H3's _upAp7/_downAp7, Class II _upAp7r/_downAp7r.
func upStep(r, ai, aj int) (pi, pj int, digit uint64, ok bool) {
	var ci, cj int
	if r&1 == 1 {
		pi, pj = roundDiv7(3*ai-aj), roundDiv7(ai+2*aj)
		ci, cj = 2*pi+pj, 3*pj-pi
	} else {
		pi, pj = roundDiv7(2*ai+aj), roundDiv7(3*aj-ai)
		ci, cj = 3*pi-pj, pi+2*pj
	}
	da, db := uint(ai-ci+1), uint(aj-cj+1)
	if da > 2 || db > 2 {
		return 0, 0, 7, false // not a unit vector: cannot happen
	}
	return pi, pj, digitOfAxial[da][db], true
}

// digitChunks: the down-steps of consecutive resolutions compose to 7·I
// (H3's _downAp7 and _downAp7r matrices multiply to 7·I), so two up-steps
// map x + 7w to parent(x) + w and produce the same two digits for x and
// x + 7w; four up-steps likewise with 49. chunk4[p][ri<<6|rj] and
// chunk2[p][ri<<3|rj] hold, for x mod 49 (resp. 7) per axis and a finest
// level of parity p, the digits (level r-l at bits 3l) and the ancestor
// of the residue as two int8 at bits 12 and 20. Rows are padded to a
// power of two; the padding is never read.
var chunk4, chunk2 = buildChunks()

const (
	chunk4Size = 64 << 6
	chunk2Size = 8 << 3
)

func buildChunks() (c4 [2][chunk4Size]uint32, c2 [2][chunk2Size]uint32) {
	build := func(p, n, m, stride int, dst []uint32) {
		for ri := 0; ri < m; ri++ {
			for rj := 0; rj < m; rj++ {
				ai, aj := ri, rj
				var digs uint32
				for l := 0; l < n; l++ {
					var d uint64
					var ok bool
					// parity of level r-l is p^(l&1); upStep only needs parity.
					ai, aj, d, ok = upStep(p^(l&1), ai, aj)
					if !ok {
						panic("hexgrid: aperture-7 step without unit digit")
					}
					digs |= uint32(d) << (3 * l)
				}
				dst[ri*stride+rj] = digs | uint32(uint8(int8(ai)))<<12 | uint32(uint8(int8(aj)))<<20
			}
		}
	}
	for p := 0; p < 2; p++ {
		build(p, 4, 49, 64, c4[p][:])
		build(p, 2, 7, 8, c2[p][:])
	}
	return c4, c2
}

// level1[(ai+level1Radius)·level1Side + (aj+level1Radius)] is the up-step
// of level 1 (a Class III resolution) from the axial coordinates (ai, aj)
// of a res-1 cell: its digit at bits 5..7 and its parent's index into
// axialBaseCell ((pi+2)·5 + (pj+2)) at bits 0..4, or level1Outside
// (axialNoCell at bits 0..4) when the parent lies outside axial -2..2 (H3
// has no cell). A parent within
// -2..2 puts its children at 2pi+pj ± 1 and 3pj−pi ± 1, within ±7 and
// ±9: the table covers every res-1 cell that has one.
var level1 = func() (t [level1Side * level1Side]uint8) {
	for ai := -level1Radius; ai <= level1Radius; ai++ {
		for aj := -level1Radius; aj <= level1Radius; aj++ {
			e := uint8(level1Outside)
			pi, pj, d, ok := upStep(1, ai, aj)
			if ok && pi >= -2 && pi <= 2 && pj >= -2 && pj <= 2 {
				e = uint8(d)<<5 | uint8((pi+2)*5+pj+2)
			}
			t[(ai+level1Radius)*level1Side+aj+level1Radius] = e
		}
	}
	return t
}()

const (
	level1Radius  = 9
	level1Side    = 2*level1Radius + 1
	level1Outside = 0xe0 | axialNoCell
)

// normalizeIJK is H3's _ijkNormalize.
func normalizeIJK(i, j, k int) (int, int, int) {
	if i < 0 {
		j -= i
		k -= i
		i = 0
	}
	if j < 0 {
		i -= j
		k -= j
		j = 0
	}
	if k < 0 {
		i -= k
		j -= k
		k = 0
	}
	mn := i
	if j < mn {
		mn = j
	}
	if k < mn {
		mn = k
	}
	if mn > 0 {
		i -= mn
		j -= mn
		k -= mn
	}
	return i, j, k
}

// roundDiv7 is lround(n · M_ONESEVENTH) as H3 computes it: n/7 is never
// within 1/14 of a half-integer, so it is the nearest integer to n/7,
// floor((n+3)/7). The offset keeps the dividend positive so that Go's
// truncating division floors (|n| stays far below it at res ≤ 15).
func roundDiv7(n int) int {
	const off = 7 << 40
	return (n+3+off)/7 - off/7
}

// digitOfAxial maps a unit (or zero) vector in axial ij coordinates
// (i-k, j-k), offset by 1 on each axis, to its H3 digit.
var digitOfAxial = [3][3]uint64{
	// j-1, j, j+1 for i-1
	{1, 3, 7},
	// i
	{5, 0, 2},
	// i+1
	{7, 4, 6},
}

// rot60ccw[n][d] is digit d rotated n times 60° counter-clockwise.
var rot60ccw = func() (t [6][8]uint64) {
	one := [8]uint64{0, 5, 3, 1, 6, 4, 2, 7}
	for d := range t[0] {
		t[0][d] = uint64(d)
	}
	for n := 1; n < 6; n++ {
		for d := 0; d < 8; d++ {
			t[n][d] = one[t[n-1][d]]
		}
	}
	return t
}()

// rot60ccw4[n] rotates four packed 3-bit digits n times 60° ccw.
var rot60ccw4 = func() (t [6][1 << 12]uint16) {
	for n := range t {
		for v := range t[n] {
			var o int
			for d := 0; d < 4; d++ {
				o |= int(rot60ccw[n][v>>(3*d)&7]) << (3 * d)
			}
			t[n][v] = uint16(o)
		}
	}
	return t
}()

// rot60cw is one 60° clockwise digit rotation.
var rot60cw = [8]uint64{0, 3, 6, 2, 5, 1, 4, 7}

// leadingDigit is H3's _h3LeadingNonZeroDigit on a digit array.
func leadingDigit(d *[MaxRes + 1]uint64, res int) uint64 {
	for r := 1; r <= res; r++ {
		if d[r] != 0 {
			return d[r]
		}
	}
	return 0
}

// rotatePentagonDigits applies _faceIjkToH3's pentagon rotations: out of
// the deleted k-axes subsequence, then rots times _h3RotatePent60ccw.
func rotatePentagonDigits(d *[MaxRes + 1]uint64, res, bc, face, rots int) {
	if leadingDigit(d, res) == 1 {
		t := &rot60ccw[1]
		if cw := baseCellCwOffset[bc]; int(cw[0]) == face || int(cw[1]) == face {
			t = &rot60cw
		}
		for r := 1; r <= res; r++ {
			d[r] = t[d[r]]
		}
	}
	for n := 0; n < rots; n++ {
		found := false
		for r := 1; r <= res; r++ {
			d[r] = rot60ccw[1][d[r]]
			if !found && d[r] != 0 {
				found = true
				if leadingDigit(d, res) == 1 {
					for s := 1; s <= res; s++ {
						d[s] = rot60ccw[1][d[s]]
					}
				}
			}
		}
	}
}

// hex2dToIJK is H3's _hex2dToCoordIJK (from DGGRID): the normalised ijk+
// coordinates of the hex containing the hex2d point (x, y).
func hex2dToIJK(x, y float64) (i, j, k int) {
	a1, a2 := math.Abs(x), math.Abs(y)
	x2 := a2 * 1.1547005383792515290182975610039149112953 // 1/sin 60°
	x1 := a1 + x2/2.0
	m1, m2 := int(x1), int(x2)
	r1, r2 := x1-float64(m1), x2-float64(m2)

	if r1 < 0.5 {
		if r1 < 1.0/3.0 {
			i = m1
			if r2 < (1.0+r1)/2.0 {
				j = m2
			} else {
				j = m2 + 1
			}
		} else {
			if r2 < (1.0 - r1) {
				j = m2
			} else {
				j = m2 + 1
			}
			if (1.0-r1) <= r2 && r2 < (2.0*r1) {
				i = m1 + 1
			} else {
				i = m1
			}
		}
	} else {
		if r1 < 2.0/3.0 {
			if r2 < (1.0 - r1) {
				j = m2
			} else {
				j = m2 + 1
			}
			if (2.0*r1-1.0) < r2 && r2 < (1.0-r1) {
				i = m1
			} else {
				i = m1 + 1
			}
		} else {
			i = m1 + 1
			if r2 < (r1 / 2.0) {
				j = m2
			} else {
				j = m2 + 1
			}
		}
	}

	// Fold across the axes if necessary (exact in integers: the C code's
	// 2.0*diff is a small even integer in a double).
	if x < 0.0 {
		if j%2 == 0 {
			i = i - 2*(i-j/2)
		} else {
			i = i - (2*(i-(j+1)/2) + 1)
		}
	}
	if y < 0.0 {
		i = i - (2*j+1)/2
		j = -j
	}
	return normalizeIJK(i, j, 0)
}

// b2i is 1 for true, 0 for false; the compiler emits SETcc, not a branch.
func b2i(b bool) int {
	var i int
	if b {
		i = 1
	}
	return i
}
