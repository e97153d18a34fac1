package hexgrid

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	h3 "github.com/uber/h3-go/v4"
)

// Vietnam's extent, as in the analysis inputs.
const (
	vnLonMin, vnLonMax = 102.1, 109.5
	vnLatMin, vnLatMax = 8.4, 23.4
)

// compareBatch indexes lon/lat with IndexInto and with h3-go and returns
// the number of mismatching rows, logging the first few.
func compareBatch(t testing.TB, name string, lon, lat []float64, res int) int {
	t.Helper()
	dst := make([]Cell, len(lon))
	if err := IndexInto(dst, lon, lat, res); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	bad := 0
	for i := range lon {
		want := Cell(0)
		if finite(lon[i]) && finite(lat[i]) {
			want = referenceIndex(lon[i], lat[i], res)
		}
		if dst[i] != want {
			bad++
			if bad <= 5 {
				t.Errorf("%s res %d: lon %.17g lat %.17g: got %v want %v", name, res, lon[i], lat[i], dst[i], want)
			}
		}
	}
	return bad
}

// fallbacks counts the rows the pure-Go path hands to h3-go.
func fallbacks(lon, lat []float64, res int) int {
	ft := faces()
	n := 0
	for i := range lon {
		if _, ok := fastIndex(ft, lon[i], lat[i], res); !ok {
			n++
		}
	}
	return n
}

func TestIndexIntoMatchesH3Vietnam10M(t *testing.T) {
	total := 10_000_000
	if testing.Short() {
		total = 500_000
	}
	const chunk = 1 << 16
	rng := rand.New(rand.NewPCG(20240601, 8))
	lon, lat := make([]float64, chunk), make([]float64, chunk)
	bad, fb := 0, 0
	for done := 0; done < total; done += chunk {
		n := min(chunk, total-done)
		for i := 0; i < n; i++ {
			lon[i] = vnLonMin + rng.Float64()*(vnLonMax-vnLonMin)
			lat[i] = vnLatMin + rng.Float64()*(vnLatMax-vnLatMin)
		}
		bad += compareBatch(t, "vietnam", lon[:n], lat[:n], 8)
		fb += fallbacks(lon[:n], lat[:n], 8)
	}
	t.Logf("%d points at res 8: %d mismatches, %d fell back to h3-go", total, bad, fb)
	if bad != 0 {
		t.Fatalf("%d mismatches", bad)
	}
	// The margin is a few 1e-10 hex units at res 8: more than a handful
	// of fallbacks per ten million means the margin or the face table is
	// far looser than documented.
	if fb > total/100_000 {
		t.Fatalf("fallback rate %d/%d is too high", fb, total)
	}
}

func TestIndexIntoMatchesH3EveryRes(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	const n = 40_000
	lon, lat := make([]float64, n), make([]float64, n)
	for res := 0; res <= MaxRes; res++ {
		// Vietnam.
		for i := range lon {
			lon[i] = vnLonMin + rng.Float64()*(vnLonMax-vnLonMin)
			lat[i] = vnLatMin + rng.Float64()*(vnLatMax-vnLatMin)
		}
		bad := compareBatch(t, "vietnam", lon, lat, res)
		// Global, uniform on the sphere.
		for i := range lon {
			lon[i] = rng.Float64()*360 - 180
			lat[i] = math.Asin(2*rng.Float64()-1) / degToRad
		}
		bad += compareBatch(t, "global", lon, lat, res)
		if bad != 0 {
			t.Fatalf("res %d: %d mismatches", res, bad)
		}
	}
}

func TestIndexIntoMatchesH3SpecialPlaces(t *testing.T) {
	var lon, lat []float64
	add := func(x, y float64) { lon, lat = append(lon, x), append(lat, y) }
	rng := rand.New(rand.NewPCG(3, 9))
	for _, y := range []float64{90, -90, 89.999999999, -89.999999999, 90 - 1e-12, -90 + 1e-12, 0, 1e-300, -1e-300} {
		for _, x := range []float64{0, 45, -45, 90, 180, -180, 179.999999999, -179.999999999, 180 - 1e-12, -180 + 1e-12} {
			add(x, y)
		}
	}
	for i := 0; i < 2000; i++ {
		// Antimeridian band, polar caps, and coordinates outside the usual
		// ranges (which H3 wraps).
		add(180-rng.Float64()*1e-6, rng.Float64()*180-90)
		add(-180+rng.Float64()*1e-6, rng.Float64()*180-90)
		add(rng.Float64()*360-180, 90-rng.Float64()*0.5)
		add(rng.Float64()*360-180, -90+rng.Float64()*0.5)
		add(rng.Float64()*4000-2000, rng.Float64()*400-200)
	}
	for _, big := range []float64{1e6, -1e6, 1e15, -1e300, 5e-324} {
		add(big, 10)
		add(10, big)
	}
	for res := 0; res <= MaxRes; res++ {
		if bad := compareBatch(t, "special", lon, lat, res); bad != 0 {
			t.Fatalf("res %d: %d mismatches of %d", res, bad, len(lon))
		}
	}
	t.Logf("%d special points × 16 resolutions: 0 mismatches", len(lon))
}

func TestIndexIntoMatchesH3NearPentagons(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 12))
	total := 0
	for res := 0; res <= MaxRes; res++ {
		pents, err := h3.Pentagons(res)
		if err != nil {
			t.Fatal(err)
		}
		edgeKm, _ := AvgEdgeKm(res)
		edgeDeg := edgeKm / 111.2
		var lon, lat []float64
		for _, p := range pents {
			ll, err := h3.CellToLatLng(p)
			if err != nil {
				t.Fatal(err)
			}
			lon, lat = append(lon, ll.Lng), append(lat, ll.Lat)
			for i := 0; i < 300; i++ {
				// Within about three cells of the pentagon centre.
				r := 3 * edgeDeg * math.Sqrt(rng.Float64())
				a := rng.Float64() * 2 * math.Pi
				lon = append(lon, ll.Lng+r*math.Cos(a)/max(math.Cos(ll.Lat*degToRad), 1e-3))
				lat = append(lat, max(-90, min(90, ll.Lat+r*math.Sin(a))))
			}
		}
		if bad := compareBatch(t, "pentagon", lon, lat, res); bad != 0 {
			t.Fatalf("res %d: %d mismatches", res, bad)
		}
		total += len(lon)
	}
	t.Logf("%d points around the 12 pentagons at res 0..15: 0 mismatches", total)
}

// TestIndexIntoMatchesH3OnCellBoundaries puts points on the vertices and
// edges of H3 cells and within 1e-9° and 1e-12° of them, where the hex
// quantisation is decided by the last bits of the arithmetic.
func TestIndexIntoMatchesH3OnCellBoundaries(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 13))
	jitters := []float64{0, 1e-9, -1e-9, 1e-12, -1e-12}
	total, fb := 0, 0
	for res := 0; res <= MaxRes; res++ {
		var lon, lat []float64
		for c := 0; c < 150; c++ {
			var x, y float64
			if c%2 == 0 {
				x, y = vnLonMin+rng.Float64()*(vnLonMax-vnLonMin), vnLatMin+rng.Float64()*(vnLatMax-vnLatMin)
			} else {
				x, y = rng.Float64()*360-180, math.Asin(2*rng.Float64()-1)/degToRad
			}
			cell, err := h3.LatLngToCell(h3.LatLng{Lat: y, Lng: x}, res)
			if err != nil {
				t.Fatal(err)
			}
			b, err := h3.CellToBoundary(cell)
			if err != nil {
				t.Fatal(err)
			}
			for v := range b {
				a, z := b[v], b[(v+1)%len(b)]
				for s := 0; s < 6; s++ {
					f := float64(s) / 6
					if s > 0 {
						f = rng.Float64()
					}
					py := a.Lat + f*(z.Lat-a.Lat)
					px := a.Lng + f*(z.Lng-a.Lng)
					if math.Abs(z.Lng-a.Lng) > 180 { // edge across the antimeridian
						px = a.Lng
					}
					for _, jx := range jitters {
						for _, jy := range jitters {
							lon, lat = append(lon, px+jx), append(lat, py+jy)
						}
					}
				}
			}
		}
		if bad := compareBatch(t, "boundary", lon, lat, res); bad != 0 {
			t.Fatalf("res %d: %d mismatches of %d", res, bad, len(lon))
		}
		total += len(lon)
		fb += fallbacks(lon, lat, res)
	}
	t.Logf("%d points on and within 1e-9° of cell edges and vertices, res 0..15: 0 mismatches, %d fell back to h3-go", total, fb)
}

// TestIndexIntoMatchesH3OnFaceEdges puts points on the great circles
// equidistant from two neighbouring icosahedron face centres (the face
// edges, where H3's face choice is a tie) and at the face vertices.
func TestIndexIntoMatchesH3OnFaceEdges(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 19))
	var lon, lat []float64
	toLL := func(v [3]float64) {
		n := math.Sqrt(v[0]*v[0] + v[1]*v[1] + v[2]*v[2])
		lat = append(lat, math.Asin(v[2]/n)/degToRad)
		lon = append(lon, math.Atan2(v[1], v[0])/degToRad)
	}
	for f := 0; f < 20; f++ {
		for g := f + 1; g < 20; g++ {
			a, b := faceCenter[f], faceCenter[g]
			if a[0]*b[0]+a[1]*b[1]+a[2]*b[2] < 0.7 { // not neighbours
				continue
			}
			mid := [3]float64{a[0] + b[0], a[1] + b[1], a[2] + b[2]}
			ax := [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
			ml := math.Sqrt(mid[0]*mid[0] + mid[1]*mid[1] + mid[2]*mid[2])
			al := math.Sqrt(ax[0]*ax[0] + ax[1]*ax[1] + ax[2]*ax[2])
			for s := 0; s < 400; s++ {
				// Along the edge, past both ends (to the face vertices).
				tt := (rng.Float64()*2 - 1) * 0.7
				toLL([3]float64{mid[0]/ml + tt*ax[0]/al, mid[1]/ml + tt*ax[1]/al, mid[2]/ml + tt*ax[2]/al})
			}
		}
	}
	// Face vertices: equidistant from three mutually neighbouring faces.
	for f := 0; f < 20; f++ {
		for g := f + 1; g < 20; g++ {
			for h := g + 1; h < 20; h++ {
				a, b, c := faceCenter[f], faceCenter[g], faceCenter[h]
				if dot3(a, b) < 0.7 || dot3(a, c) < 0.7 || dot3(b, c) < 0.7 {
					continue
				}
				toLL([3]float64{a[0] + b[0] + c[0], a[1] + b[1] + c[1], a[2] + b[2] + c[2]})
			}
		}
	}
	n := len(lon)
	for i := 0; i < n; i++ {
		for _, j := range []float64{1e-9, -1e-9, 1e-12, -1e-12} {
			lon, lat = append(lon, lon[i]+j), append(lat, lat[i]-j)
		}
	}
	for res := 0; res <= MaxRes; res++ {
		if bad := compareBatch(t, "face edge", lon, lat, res); bad != 0 {
			t.Fatalf("res %d: %d mismatches of %d", res, bad, len(lon))
		}
	}
	t.Logf("%d points on icosahedron face edges and vertices × 16 resolutions: 0 mismatches", len(lon))
}

func dot3(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

func TestIndexIntoNonFiniteAndAllocs(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	lon := []float64{nan, 105, inf, 105, -inf, 105.85}
	lat := []float64{21, nan, 21, -inf, nan, 21.03}
	dst := make([]Cell, len(lon))
	for i := range dst {
		dst[i] = 1 // must be overwritten
	}
	if err := IndexInto(dst, lon, lat, 8); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if dst[i] != 0 {
			t.Errorf("row %d (%v, %v): got %v, want the zero Cell", i, lon[i], lat[i], dst[i])
		}
	}
	if dst[5] != referenceIndex(105.85, 21.03, 8) {
		t.Errorf("finite row: got %v", dst[5])
	}

	vlon, vlat := vietnamPoints(1000, 2)
	vdst := make([]Cell, len(vlon))
	allocs := testing.AllocsPerRun(20, func() {
		if err := IndexInto(vdst, vlon, vlat, 8); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("IndexInto allocates %v times per call, want 0", allocs)
	}
}

// TestHexRoundingMatchesH3Quantisation checks the premise of the hex
// margin: where fastIndex accepts a hex2d point, H3's own quantisation
// (hex2dToIJK, ported from _hex2dToCoordIJK) gives the same hex; and that
// roundHex finds the containing hex, so that points are not merely
// rejected by the margin test.
func TestHexRoundingMatchesH3Quantisation(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 29))
	const n = 1_000_000
	skipped := 0
	for range n {
		scale := math.Pow(10, rng.Float64()*7)
		x, y := (rng.Float64()*2-1)*scale, (rng.Float64()*2-1)*scale
		ai, aj, na, nb, nc := roundHex(x, y)
		m := max(math.Abs(na), math.Abs(nb), math.Abs(nc)) / 2
		if 0.5-m <= 1e-9*scale {
			skipped++
			continue
		}
		i, j, k := hex2dToIJK(x, y)
		if i-k != ai || j-k != aj {
			t.Fatalf("(%v, %v): roundHex gives axial (%d, %d), H3 gives ijk (%d, %d, %d)", x, y, ai, aj, i, j, k)
		}
	}
	// The band is 1e-9·scale wide, up to 1e-2 hex units at scale 1e7:
	// about 1% of points. A rounding that misses the containing hex in a
	// corner (a sixth of the square) would skip far more.
	if skipped > n/50 {
		t.Fatalf("%d of %d points not inside the hex roundHex returns", skipped, n)
	}
	t.Logf("%d of %d points within 1e-9·scale of an edge", skipped, n)
}

// bigSinCosDeg returns sin and cos of d degrees by Taylor series in
// 200-bit arithmetic: a reference far more precise than float64.
func bigSinCosDeg(d float64) (sin, cos float64) {
	const prec = 200
	pi, _, _ := big.ParseFloat("3.14159265358979323846264338327950288419716939937510582097494459230781640628620899862803482534211706798", 10, prec, big.ToNearestEven)
	x := new(big.Float).SetPrec(prec).SetFloat64(d)
	x.Mul(x, pi).Quo(x, new(big.Float).SetPrec(prec).SetInt64(180))
	x2 := new(big.Float).SetPrec(prec).Mul(x, x)
	st, ct := new(big.Float).SetPrec(prec).Set(x), new(big.Float).SetPrec(prec).SetInt64(1)
	ss, cs := new(big.Float).SetPrec(prec), new(big.Float).SetPrec(prec)
	for k := 0; k < 60; k++ {
		ss.Add(ss, st)
		cs.Add(cs, ct)
		st.Mul(st, x2).Quo(st, new(big.Float).SetPrec(prec).SetInt64(-int64((2*k+2)*(2*k+3))))
		ct.Mul(ct, x2).Quo(ct, new(big.Float).SetPrec(prec).SetInt64(-int64((2*k+1)*(2*k+2))))
	}
	sin, _ = ss.Float64()
	cos, _ = cs.Float64()
	return sin, cos
}

// TestSincosDegAndUnitVector pins the error bound derived in trig.go
// (0.6 ulps of 1) against a 200-bit reference, on random angles and on
// whole and half degrees, where the table and the polynomials meet.
func TestSincosDegAndUnitVector(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 37))
	var angles []float64
	for n := -360; n <= 360; n++ {
		h := float64(n) / 2
		angles = append(angles, h, math.Nextafter(h, 200), math.Nextafter(h, -200))
	}
	for n := 0; n < 20_000; n++ {
		angles = append(angles, rng.Float64()*360-180)
	}
	worst, worstVec := 0.0, 0.0
	for _, d := range angles {
		if math.Abs(d) > 180 {
			continue
		}
		s, c := sincosDeg(d)
		ws, wc := bigSinCosDeg(d)
		worst = max(worst, math.Abs(s-ws), math.Abs(c-wc))
		lat := d / 2
		x, y, z := unitVector(d, lat)
		sa, ca := bigSinCosDeg(lat)
		worstVec = max(worstVec, math.Abs(x-wc*ca), math.Abs(y-ws*ca), math.Abs(z-sa))
	}
	t.Logf("worst sincosDeg error %.3g ulps of 1, unit vector %.3g", worst/epsilon64, worstVec/epsilon64)
	if worst > 0.75*epsilon64 {
		t.Fatalf("sincosDeg error %g exceeds the derived bound 0.75·2⁻⁵²", worst)
	}
	// Products of two factors within 0.6 ulps, plus the product's rounding.
	if worstVec > 2*epsilon64 {
		t.Fatalf("unitVector error %g exceeds 2·2⁻⁵²", worstVec)
	}
}

func TestFaceTableCandidates(t *testing.T) {
	// Every dense sample's nearest face must be a listed candidate.
	ft := faces()
	rng := rand.New(rand.NewPCG(41, 43))
	for n := 0; n < 200_000; n++ {
		lon, lat := rng.Float64()*360-180, rng.Float64()*180-90
		s1, c1 := math.Sincos(lat * degToRad)
		s2, c2 := math.Sincos(lon * degToRad)
		p := [3]float64{c2 * c1, s2 * c1, s1}
		best, bf := -2.0, 0
		for f := range faceCenter {
			if d := dot3(p, faceCenter[f]); d > best {
				best, bf = d, f
			}
		}
		bi := min(int((lat+90)/faceBucketDeg), faceBucketsLat-1)
		bj := min(int((lon+180)/faceBucketDeg), faceBucketsLon-1)
		e := ft[bi*faceBucketsLon+bj]
		cnt := e & faceCountMask
		if cnt == 0 {
			continue
		}
		found := false
		for m := uint32(0); m < cnt; m++ {
			if int(e>>(faceCountBits+5*m))&31 == bf {
				found = true
			}
		}
		if !found {
			t.Fatalf("lon %v lat %v: nearest face %d not in bucket entry %x", lon, lat, bf, e)
		}
	}
}

func FuzzIndexMatchesH3(f *testing.F) {
	f.Add(105.8526, 21.0285, uint8(8))
	f.Add(180.0, 90.0, uint8(15))
	f.Add(-180.0, -90.0, uint8(0))
	f.Add(0.0, 0.0, uint8(1))
	f.Add(10.536199075468071, 64.7, uint8(7)) // near the pentagon of base cell 4
	f.Fuzz(func(t *testing.T, lon, lat float64, res uint8) {
		r := int(res % (MaxRes + 1))
		dst := make([]Cell, 1)
		if err := IndexInto(dst, []float64{lon}, []float64{lat}, r); err != nil {
			t.Fatal(err)
		}
		want := Cell(0)
		if finite(lon) && finite(lat) {
			want = referenceIndex(lon, lat, r)
		}
		if dst[0] != want {
			t.Fatalf("lon %.17g lat %.17g res %d: got %v want %v", lon, lat, r, dst[0], want)
		}
	})
}

// TestDivMagic checks the multiply-and-shift divisions of chunk4Step and
// chunk2Step: the derived condition x·e < 2^S up to 2³¹, and the result
// near every multiple of d at the ends of the range and on a sample.
func TestDivMagic(t *testing.T) {
	for _, c := range []struct{ d, mul, shift uint64 }{{49, div49Mul, div49Shift}, {7, div7Mul, div7Shift}} {
		e := c.mul*c.d - 1<<c.shift
		if c.mul < 1<<c.shift/c.d || e >= c.d || e<<31 >= 1<<c.shift || c.mul >= 1<<32 {
			t.Fatalf("d=%d: M=%d S=%d fails the bound (e=%d)", c.d, c.mul, c.shift, e)
		}
		check := func(x uint64) {
			if q := x * c.mul >> c.shift; q != x/c.d {
				t.Fatalf("%d/%d: got %d", x, c.d, q)
			}
		}
		for x := uint64(0); x < 1<<20; x++ {
			check(x)
			check(1<<31 - 1 - x)
		}
		rng := rand.New(rand.NewPCG(c.d, 1))
		for range 1 << 20 {
			x := rng.Uint64N(1<<31/c.d) * c.d
			check(x)
			check(x - 1)
		}
	}
}

// TestAxialBlockMatchesFastAxial checks that axialBlock's inline path
// (project and nearestHex written out) decides exactly as fastAxial:
// same face and hex, or the same fallback, row by row, over Vietnam and
// the globe at every resolution, and on cell edges at res 9.
func TestAxialBlockMatchesFastAxial(t *testing.T) {
	ft := faces()
	rng := rand.New(rand.NewPCG(47, 53))
	lon, lat := make([]float64, indexBlock), make([]float64, indexBlock)
	check := func(res int) {
		var s indexScratch
		axialBlock(ft, &s, lon, lat, res)
		face, ai, aj, state := &s.face, &s.ai, &s.aj, &s.state
		for i := range lon {
			f, a, b, ok := fastAxial(ft, lon[i], lat[i], res)
			want := uint8(rowH3)
			if !finite(lon[i]) || !finite(lat[i]) {
				want = rowNonFinite
			} else if ok {
				want = rowFast
			}
			if state[i] != want || ok && (int(face[i]) != f || int(ai[i]) != a || int(aj[i]) != b) {
				t.Fatalf("res %d lon %.17g lat %.17g: axialBlock (%d, %d, %d) state %d, fastAxial (%d, %d, %d) %v",
					res, lon[i], lat[i], face[i], ai[i], aj[i], state[i], f, a, b, ok)
			}
		}
	}
	for res := 0; res <= MaxRes; res++ {
		for range 40 {
			for i := range lon {
				if i%2 == 0 {
					lon[i], lat[i] = vnLonMin+rng.Float64()*(vnLonMax-vnLonMin), vnLatMin+rng.Float64()*(vnLatMax-vnLatMin)
				} else {
					lon[i], lat[i] = rng.Float64()*360-180, math.Asin(2*rng.Float64()-1)/degToRad
				}
			}
			check(res)
		}
	}
	// Vertices of res-9 cells over Vietnam, nudged by an ulp or two
	// either way: points inside the margin, both sides of it.
	const res = 9
	n := 0
	for n < 40*indexBlock {
		c := referenceIndex(vnLonMin+rng.Float64()*(vnLonMax-vnLonMin), vnLatMin+rng.Float64()*(vnLatMax-vnLatMin), res)
		b, err := h3.CellToBoundary(h3.Cell(c))
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range b {
			i := n % indexBlock
			lon[i] = v.Lng + float64(rng.IntN(5)-2)*1e-15*v.Lng
			lat[i] = v.Lat + float64(rng.IntN(5)-2)*1e-15*v.Lat
			if n++; n%indexBlock == 0 {
				check(res)
			}
		}
	}
}

// fastIndex, faceIJKToCell and finishCell are the fast path for one point,
// from the same steps indexInto runs a block at a time (fastAxial, then
// chunk4Step, chunk2Step, level1Step or res0Index, baseCellDigits): the
// tests count the points it hands to h3-go with them.

// fastIndex returns the cell at res containing the point and true, or
// false when the point is within the error margin of a decision boundary
// (the caller then asks h3-go). lon and lat must be finite, res in 0..15.
func fastIndex(ft *faceTable, lon, lat float64, res int) (Cell, bool) {
	face, ai, aj, ok := fastAxial(ft, lon, lat, res)
	if !ok {
		return 0, false
	}
	return faceIJKToCell(face, ai, aj, res)
}

// faceIJKToCell is H3's _faceIjkToH3 for a cell given by face and axial
// coordinates (ai, aj) = (i-k, j-k) at res. It works in axial coordinates,
// where H3's aperture-7 steps are linear maps and normalisation is a
// no-op, and takes the digits 4 or 2 resolutions at a time from tables
// (see digitChunks). false means H3 would return no cell (coordinates
// beyond the base-cell table); the caller then defers to h3-go.
func faceIJKToCell(face, ai, aj, res int) (Cell, bool) {
	// sh is the bit offset of the finest level not yet done; shift counts
	// are masked to 63 so the compiler emits plain shifts.
	sh := uint(3*(MaxRes-res)) & 63
	dig := uint64(1)<<sh - 1 // 7s below res, zeros for levels 1..res
	r := res
	for r >= 4 {
		var d uint64
		ai, aj, d = chunk4Step(&chunk4[r&1], ai, aj)
		dig |= d << (sh & 63)
		r -= 4
		sh += 12
	}
	return finishCell(face, ai, aj, dig, r, res)
}

// finishCell completes faceIJKToCell from the axial coordinates (ai, aj)
// at resolution r < 4 of the ancestor of a cell at res, with the digits
// of levels r+1..res already in dig.
func finishCell(face, ai, aj int, dig uint64, r, res int) (Cell, bool) {
	if r >= 2 {
		var d uint64
		ai, aj, d = chunk2Step(&chunk2[r&1], ai, aj)
		dig |= d << (3 * (MaxRes - r) & 63)
		r -= 2
	}
	var b0 uint
	if r == 1 {
		var d uint64
		b0, d = level1Step(ai, aj)
		dig |= d << (3 * (MaxRes - 1))
	} else {
		b0 = res0Index(ai, aj)
	}
	return baseCellDigits(axialBaseCell[face][b0&31], face, dig, res)
}
