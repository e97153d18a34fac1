package synth

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

// SettlementKind says what a row of the villages table stands for.
type SettlementKind uint8

// Settlement kinds.
const (
	// KindUrban is a neighbourhood (tổ dân phố) of a town or city.
	KindUrban SettlementKind = iota
	// KindVillage is a rural village (thôn/bản) along a road or near a town.
	KindVillage
	// KindRemote is a scattered hamlet far from any road.
	KindRemote
)

// String returns "urban", "village" or "remote".
func (k SettlementKind) String() string {
	switch k {
	case KindUrban:
		return "urban"
	case KindVillage:
		return "village"
	case KindRemote:
		return "remote"
	}
	return "unknown"
}

// Village is one row of the villages table: a place where households live.
type Village struct {
	ID          string
	Name        string
	CommuneCode string // area code + 3-digit district-like index (see doc.go)
	Lon, Lat    float64
	Households  int64
	Kind        SettlementKind
	Province    string // 2019 province code
	AreaCode    string // province code in the Config's boundary set
}

// Town is a provincial capital or a district town.
type Town struct {
	Name             string
	Lon, Lat         float64
	RadiusKm         float64
	UrbanHouseholds  int64
	Capital          bool
	CommuneCode      string
	Province         string // 2019 province code
	districtPosition int
}

// Road is a random-walk road polyline (lon/lat), from the capital to a
// district town or a valley road from a district town.
type Road struct {
	Province string
	Main     bool
	Line     orb.LineString
}

// province holds one 2019 province's generated geography.
type province struct {
	m          member2019
	areaCode   string
	areaKm2    float64
	remoteness float64 // 0 (dense lowland) … 1 (mountainous, ≤ 50 people/km²)
	urbanShare float64
	hhSize     float64
	towns      []Town
	roads      []Road
	villages   []Village
	roadGrid   *pointGrid
}

// remotenessOf maps population density to 0 at ≥ 300 people/km² and 1 at
// ≤ 50 people/km², log-linearly.
func remotenessOf(densityPerKm2 float64) float64 {
	r := (math.Log10(300) - math.Log10(densityPerKm2)) / (math.Log10(300) - math.Log10(50))
	return max(0, min(1, r))
}

// settle builds towns, roads and villages of one 2019 province.
// districtBase offsets the district-like index within its output area.
func settle(seed uint64, m member2019, areaCode string, districtBase int) *province {
	c := m.census
	u := &m.unit
	p := &province{m: m, areaCode: areaCode, roadGrid: newPointGrid(0.1)}
	p.areaKm2 = geo.Area(u.Geometry) / 1e6
	p.remoteness = remotenessOf(float64(c.Population) / p.areaKm2)
	p.urbanShare = float64(c.HouseholdsUrban) / float64(c.Households)
	p.hhSize = c.AvgHouseholdSize()
	upland := p.remoteness > 0.5
	rng := newRand(seed, "settle/"+c.Code)

	// Towns: the capital near the middle, district towns spread out.
	nTowns := int(math.Round(p.areaKm2/1100 + float64(c.Households)/70000))
	nTowns = max(3, min(30, nTowns))
	var cand []orb.Point
	var mean orb.Point
	for range 64 {
		q := samplePoint(rng, u)
		cand = append(cand, q)
		mean[0] += q[0] / 64
		mean[1] += q[1] / 64
	}
	capital := cand[0]
	for _, q := range cand {
		if distKm(q, mean) < distKm(capital, mean) {
			capital = q
		}
	}
	centres := []orb.Point{capital}
	for len(centres) < nTowns {
		var best orb.Point
		bestD := -1.0
		for range 20 {
			q := samplePoint(rng, u)
			d := math.Inf(1)
			for _, t := range centres {
				d = min(d, distKm(q, t))
			}
			if d > bestD {
				best, bestD = q, d
			}
		}
		centres = append(centres, best)
	}
	w := make([]float64, nTowns)
	for i := range w {
		w[i] = math.Exp(0.4 * rng.NormFloat64())
	}
	w[0] = max(2.5, float64(nTowns)*0.4)
	urbanHH := apportion(c.HouseholdsUrban, w, 0)
	for i, q := range centres {
		t := Town{Lon: q[0], Lat: q[1], UrbanHouseholds: urbanHH[i], Capital: i == 0, Province: c.Code,
			CommuneCode: fmt.Sprintf("%s%03d", areaCode, districtBase+i+1), districtPosition: i}
		t.RadiusKm = 0.5 + 0.45*math.Sqrt(float64(t.UrbanHouseholds)/1000)
		if t.Capital {
			t.Name = "Thành phố " + c.Name
		} else {
			t.Name = "Thị trấn " + placeName(rng, upland)
		}
		p.towns = append(p.towns, t)
	}

	// Roads: capital → each district town, and valley roads from towns.
	for i := 1; i < nTowns; i++ {
		p.addRoad(rng, capital, centres[i], true)
	}
	branches := 2 + int(math.Round(p.remoteness))
	for _, t := range centres {
		for range branches {
			to := moveKm(t, rng.Float64()*360, 8+rng.Float64()*22)
			if !u.Contains(to) {
				continue
			}
			p.addRoad(rng, t, to, false)
		}
	}
	for _, r := range p.roads {
		for _, q := range r.Line {
			p.roadGrid.add(q)
		}
	}

	// Rural villages: mostly along roads, some around towns, a few remote.
	density := float64(c.Population) / p.areaKm2
	meanSize := max(60, min(350, 60+density/4))
	nRural := max(1, int(math.Round(float64(c.HouseholdsRural)/meanSize)))
	remoteShare := 0.03 + 0.09*p.remoteness
	roadLen := make([]float64, len(p.roads))
	var totalLen float64
	for i, r := range p.roads {
		roadLen[i] = lineKm(r.Line)
		totalLen += roadLen[i]
	}
	type draft struct {
		pt   orb.Point
		kind SettlementKind
		w    float64
	}
	var rural []draft
	for range nRural {
		x := rng.Float64()
		var d draft
		switch {
		case x < remoteShare:
			d = draft{p.remotePoint(rng), KindRemote, math.Exp(-1 + 0.4*rng.NormFloat64())}
		case x < remoteShare+0.25 || totalLen == 0:
			t := p.towns[rng.IntN(len(p.towns))]
			d = draft{p.inside(rng, func() orb.Point {
				return moveKm(orb.Point{t.Lon, t.Lat}, rng.Float64()*360, t.RadiusKm+math.Abs(rng.NormFloat64())*5)
			}), KindVillage, math.Exp(0.5 * rng.NormFloat64())}
		default:
			d = draft{p.inside(rng, func() orb.Point {
				return p.roadsidePoint(rng, roadLen, totalLen)
			}), KindVillage, math.Exp(0.5 * rng.NormFloat64())}
		}
		rural = append(rural, d)
	}
	rw := make([]float64, len(rural))
	for i, d := range rural {
		rw[i] = d.w
	}
	ruralHH := apportion(c.HouseholdsRural, rw, 1)

	// Urban neighbourhoods.
	var urban []draft
	var urbanTown []int
	for ti, t := range p.towns {
		k := max(1, int(math.Round(float64(t.UrbanHouseholds)/350)))
		if t.UrbanHouseholds == 0 {
			continue
		}
		for range k {
			tc := orb.Point{t.Lon, t.Lat}
			q := p.inside(rng, func() orb.Point {
				return moveKm(tc, rng.Float64()*360, t.RadiusKm*math.Pow(rng.Float64(), 0.7))
			})
			urban = append(urban, draft{q, KindUrban, math.Exp(0.3 * rng.NormFloat64())})
			urbanTown = append(urbanTown, ti)
		}
	}
	// Within each town, split its urban households by the weights.
	urbanHHRow := make([]int64, len(urban))
	for ti, t := range p.towns {
		var idx []int
		var ww []float64
		for i := range urban {
			if urbanTown[i] == ti {
				idx = append(idx, i)
				ww = append(ww, urban[i].w)
			}
		}
		for j, h := range apportion(t.UrbanHouseholds, ww, 1) {
			urbanHHRow[idx[j]] = h
		}
	}

	seq := 0
	add := func(d draft, hh int64, name, commune string) {
		seq++
		p.villages = append(p.villages, Village{
			ID: fmt.Sprintf("V%s-%05d", c.Code, seq), Name: name, CommuneCode: commune,
			Lon: round6(d.pt[0]), Lat: round6(d.pt[1]), Households: hh, Kind: d.kind, Province: c.Code, AreaCode: areaCode,
		})
	}
	tdp := make([]int, len(p.towns))
	for i, d := range urban {
		t := p.towns[urbanTown[i]]
		tdp[urbanTown[i]]++
		add(d, urbanHHRow[i], fmt.Sprintf("Tổ dân phố %d, %s", tdp[urbanTown[i]], t.Name), t.CommuneCode)
	}
	for i, d := range rural {
		t := p.towns[p.nearestTown(d.pt)]
		add(d, ruralHH[i], villageName(rng, upland, i%40+1), t.CommuneCode)
	}
	return p
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// inside draws from gen until a point falls in the province (50 tries),
// then falls back to a uniform point.
func (p *province) inside(rng *rand.Rand, gen func() orb.Point) orb.Point {
	for range 50 {
		if q := gen(); p.m.unit.Contains(q) {
			return q
		}
	}
	return samplePoint(rng, &p.m.unit)
}

func (p *province) nearestTown(q orb.Point) int {
	best, bd := 0, math.Inf(1)
	for i, t := range p.towns {
		if d := distKm(q, orb.Point{t.Lon, t.Lat}); d < bd {
			best, bd = i, d
		}
	}
	return best
}

// remotePoint draws a point at least 8 km from every road vertex, keeping
// the farthest of 60 tries.
func (p *province) remotePoint(rng *rand.Rand) orb.Point {
	var best orb.Point
	bd := -1.0
	for range 60 {
		q := samplePoint(rng, &p.m.unit)
		d := p.roadGrid.nearest(q)
		if d > bd {
			best, bd = q, d
		}
		if d > 8 {
			break
		}
	}
	return best
}

// roadsidePoint picks a position along the roads (by length) and moves it
// off the road by an exponential distance (mean 0.6 km) to either side.
func (p *province) roadsidePoint(rng *rand.Rand, roadLen []float64, total float64) orb.Point {
	x := rng.Float64() * total
	ri := 0
	for ri < len(roadLen)-1 && x > roadLen[ri] {
		x -= roadLen[ri]
		ri++
	}
	line := p.roads[ri].Line
	for i := 1; i < len(line); i++ {
		seg := distKm(line[i-1], line[i])
		if x <= seg || i == len(line)-1 {
			f := 0.0
			if seg > 0 {
				f = min(1, x/seg)
			}
			q := orb.Point{line[i-1][0] + f*(line[i][0]-line[i-1][0]), line[i-1][1] + f*(line[i][1]-line[i-1][1])}
			side := 90.0
			if rng.IntN(2) == 0 {
				side = -90
			}
			return moveKm(q, headingDeg(line[i-1], line[i])+side, rng.ExpFloat64()*0.6)
		}
		x -= seg
	}
	return line[0]
}

func lineKm(l orb.LineString) float64 {
	var s float64
	for i := 1; i < len(l); i++ {
		s += distKm(l[i-1], l[i])
	}
	return s
}

// addRoad walks from a to b in 1 km steps, wandering up to ±70° off the
// direct heading, staying inside the province where it can.
func (p *province) addRoad(rng *rand.Rand, a, b orb.Point, main bool) {
	const step = 1.0
	line := orb.LineString{a}
	cur := a
	dev := 0.0
	maxSteps := int(distKm(a, b)/step*3) + 10
	for range maxSteps {
		if distKm(cur, b) <= step*1.5 {
			break
		}
		want := headingDeg(cur, b)
		dev = max(-70, min(70, 0.7*dev+25*rng.NormFloat64()))
		next := moveKm(cur, want+dev, step)
		if !p.m.unit.Contains(next) {
			dev = 0
			next = moveKm(cur, want, step)
		}
		line = append(line, next)
		cur = next
	}
	line = append(line, b)
	p.roads = append(p.roads, Road{Province: p.m.census.Code, Main: main, Line: line})
}
