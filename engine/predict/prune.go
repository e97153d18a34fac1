package predict

import (
	"math"
	"slices"
	"sync"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/internal/nth"
	"github.com/lomsong/lomsong/engine/parallel"
)

// Pruned best-server search.
//
// A (carrier, tech) group's sites are split into classes of one band and
// one octave of antenna heights, each with a k-d tree. Each tree node
// carries a lower bound D on the great-circle distance from the point to any
// of its sites, and so an upper bound on their signals:
//
//	UB(D) = max over the class's sites s of (EIRP_s + share_s − LB_s(D)) + 0 dB
//
// where 0 dB is the highest relative antenna gain (Pattern.GainDB is ≤ 0)
// and LB_s is a lower bound of site s's path loss that is non-decreasing in
// distance: LB_s(D) ≤ LB_s(d) ≤ PL_s(d) for every d ≥ D. The search stops
// Nodes of all the group's classes are visited highest bound first; the search
// stops when the highest bound left is below the best signal found; ties need a signal equal to
// the best, which UB(D) < best excludes, so the result is exactly the
// unpruned one. See lossLowerBoundDB for LB per model.
//
// UB is tabulated per class and environment at the distances whose
// float64 representation ends in boundShift zero bits (from the first at
// or above boundD0M): 2^boundMantBits steps an octave, consecutive
// distances at most 1 + 2^−boundMantBits apart. A distance d uses the
// largest tabulated distance at or below it — its own bits with the low
// boundShift cleared, an index without a logarithm — which is valid
// because each LB_s is non-decreasing.

const (
	// boundD0M is the first tabulated distance. Below it no site is
	// pruned: Hata's height monotonicity (see bounds) needs d > 7.8 m,
	// and coincident antennas (distance 0) must reach the model to be
	// counted as out of range.
	boundD0M = 10.0
	// boundMantBits is the tabulation's mantissa bits: steps of at most
	// a ratio 1 + 1/64, so a bound at most 40·log10(1 + 1/64) = 0.27 dB
	// looser than at the distance itself.
	boundMantBits = 6
	boundShift    = 52 - boundMantBits
	// boundMarginDB absorbs floating-point differences between the bound
	// and the evaluated loss (the losses agree to about 1e-13 dB).
	boundMarginDB = 1e-6
	// maxBoundKeys caps the distinct heights tabulated per class and
	// 38.901 environment (splitByHeights keeps every class within it;
	// beyond it a class would be searched unpruned).
	maxBoundKeys = 64
	// heightBinRatio is the width of a class's height band (narrower bands
	// tighten the bound but multiply the trees a point visits). At 4 the
	// usual masts, 16–64 m, are one class per band: on the country demo's
	// register (heights 25–40 m) octaves split each band in two at 32 m,
	// and a point's search pushed 757 tree nodes and evaluated 132 sites;
	// with bands of 4 it pushes 472 and evaluates 127, about 27% less CPU
	// (BenchmarkBestServer's worlds, heights 15–45 m, evaluate up to 13%
	// more sites for the same saving of nodes).
	heightBinRatio = 4
	leafSites      = 8
)

// boundKey is the tabulation step of a distance (see above): increasing
// with the distance, for distances ≥ 0.
func boundKey(dM float64) int64 { return int64(math.Float64bits(dM) >> boundShift) }

// canPrune reports whether the pruned search gives exactly the unpruned
// result for this register and configuration.
func canPrune(prep []prepSite, cfg *Config) bool {
	// With a distance range enforced, Result.OutOfRange counts every
	// refused pair, so every pair must be visited.
	if !cfg.Models.Ext.ShortRange || !cfg.Models.Ext.LongRange {
		return false
	}
	// Buckets must be indexable by int32 (prepSite.cellX).
	for _, t := range engine.Techs {
		if !(metresToLatDeg(cfg.Tech[t].MaxRangeM) > 1e-6) {
			return false
		}
	}
	// An infinite azimuth gives a NaN signal, which the unpruned search
	// resolves by visiting order.
	for i := range prep {
		if math.IsInf(prep[i].azimuthDeg, 0) {
			return false
		}
	}
	return true
}

// splitByHeights splits each class of more than maxBoundKeys distinct
// antenna heights into classes of at most maxBoundKeys consecutive
// heights (a register of heights to the decimetre has hundreds in a
// band): TR 38.901's bound is tabulated at each distinct height, and a
// class beyond the cap would be searched unpruned. The split classes
// follow the class they came from, lowest heights first; each keeps its
// sites in register order.
func splitByHeights(prep []prepSite, members [][]int32, workers int) [][]int32 {
	parts := make([][][]int32, len(members))
	parallel.For(len(members), workers, func(c int) {
		m := members[c]
		hs := make([]float64, len(m))
		for k, si := range m {
			hs[k] = prep[si].heightM
		}
		slices.Sort(hs)
		hs = slices.Compact(hs)
		if len(hs) <= maxBoundKeys {
			parts[c] = [][]int32{m}
			return
		}
		split := make([][]int32, (len(hs)+maxBoundKeys-1)/maxBoundKeys)
		for _, si := range m {
			j, _ := slices.BinarySearch(hs, prep[si].heightM)
			split[j/maxBoundKeys] = append(split[j/maxBoundKeys], si)
		}
		parts[c] = split
	})
	return slices.Concat(parts...)
}

// kdNode is a node of a group's k-d tree: the bounding box of its sites in
// radians, the least cos(latitude) among them, and either two children or
// (left < 0) a leaf's range of groupIndex.sites.
type kdNode struct {
	latLo, latHi, lonLo, lonHi float64
	cosLatMin                  float64
	lo, hi                     int32
	left, right                int32
}

// groupIndex is the search tree and bound table of one class of a
// (carrier, tech) group: sites of one band and height band.
type groupIndex struct {
	group     int32
	tech      engine.Tech
	maxRangeM float64
	nodes     []kdNode
	sites     []int32 // into prep, each node's sites contiguous
	scratch   []keyedSite
	// ub[env][j] bounds the signal of any of the group's sites at distance
	// ≥ boundDistM[j] from a point of environment env (+Inf: no bound).
	ub [numEnv][]float64
}

type pruneIndex struct {
	groups  [][]*groupIndex // classes by group
	byTech  [5][]int32      // groups of each technology
	boundDM []float64       // tabulated distances (see boundKey), from the first ≥ boundD0M
	key0    int64           // boundKey(boundDM[0])
}

func buildPruneIndex(prep []prepSite, nGroups int, cfg *Config, workers int) *pruneIndex {
	type classKey struct {
		group     int32
		freqMHz   float64
		heightBin int
	}
	byClass := map[classKey]int{}
	var members [][]int32
	var last classKey
	c := -1
	for i := range prep {
		p := &prep[i]
		k := classKey{p.group, p.freqMHz, int(math.Floor(math.Log(p.heightM) / math.Log(heightBinRatio)))}
		// A mast's sectors follow each other in one class: the map is
		// asked where the class changes.
		if c < 0 || k != last {
			var ok bool
			if c, ok = byClass[k]; !ok {
				c = len(members)
				byClass[k] = c
				members = append(members, nil)
			}
			last = k
		}
		members[c] = append(members[c], int32(i))
	}
	members = splitByHeights(prep, members, workers)
	maxRange := 0.0
	for _, t := range engine.Techs {
		maxRange = max(maxRange, cfg.Tech[t].MaxRangeM)
	}
	idx := &pruneIndex{groups: make([][]*groupIndex, nGroups)}
	idx.key0 = boundKey(boundD0M)
	if math.Float64frombits(uint64(idx.key0)<<boundShift) < boundD0M {
		idx.key0++
	}
	for k := idx.key0; ; k++ {
		d := math.Float64frombits(uint64(k) << boundShift)
		if d > maxRange {
			break
		}
		idx.boundDM = append(idx.boundDM, d)
	}
	classes := make([]*groupIndex, len(members))
	for c, m := range members {
		p := &prep[m[0]]
		gi := &groupIndex{group: p.group, tech: p.tech, maxRangeM: cfg.Tech[p.tech].MaxRangeM, sites: m}
		classes[c] = gi
		if len(idx.groups[p.group]) == 0 {
			idx.byTech[p.tech] = append(idx.byTech[p.tech], p.group)
		}
		idx.groups[p.group] = append(idx.groups[p.group], gi)
	}
	for _, t := range engine.Techs {
		slices.Sort(idx.byTech[t])
	}
	var wg sync.WaitGroup
	next := make(chan *groupIndex, len(classes))
	for _, gi := range classes {
		next <- gi
	}
	close(next)
	for range max(1, min(workers, len(classes))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for gi := range next {
				gi.nodes = make([]kdNode, 0, maxNodes(len(gi.sites)))
				gi.scratch = make([]keyedSite, 0, len(gi.sites))
				gi.build(prep, 0, int32(len(gi.sites)), nil)
				gi.scratch = nil
				gi.bounds(prep, cfg, idx.boundDM)
			}
		}()
	}
	wg.Wait()
	return idx
}

// maxNodes bounds the nodes of the tree of n sites build makes: a node
// of more than leafSites sites splits into halves of at least
// (leafSites+1)/2, so there are at most n/((leafSites+1)/2) leaves (one
// for n ≤ leafSites), and one fewer inner nodes.
func maxNodes(n int) int { return 2*max(1, n/((leafSites+1)/2)) - 1 }

// build appends the node for sites[lo:hi] and its subtree; it returns the
// node's index. parent orders sites by the parent's split axis (nil at the
// root).
//
// A node splits its sites at the median of its wider axis (ties by
// index): the lower half, as a set, goes left. Only that set matters to
// the subtree, so the split selects rather than sorts (linear, not
// n·log n per level); a leaf's sites are then put in its parent's order,
// the order a full sort at each split would leave them in.
func (gi *groupIndex) build(prep []prepSite, lo, hi int32, parent func(a, b int32) int) int32 {
	n := gi.leaf(prep, lo, hi)
	at := int32(len(gi.nodes))
	gi.nodes = append(gi.nodes, n)
	if hi-lo <= leafSites || n.latLo == n.latHi && n.lonLo == n.lonHi {
		if parent != nil {
			slices.SortFunc(gi.sites[lo:hi], parent)
		}
		return at
	}
	cmp := splitOrder(prep, &n)
	mid := lo + (hi-lo)/2
	gi.selectLower(prep, lo, mid, hi, splitsByLat(&n))
	l := gi.build(prep, lo, mid, cmp)
	r := gi.build(prep, mid, hi, cmp)
	gi.nodes[at].left, gi.nodes[at].right = l, r
	return at
}

// keyedSite is a site of a node being split with its coordinate along
// the split axis.
type keyedSite struct {
	key  float64
	site int32
}

// selectLower puts in sites[lo:mid] the mid−lo first of sites[lo:hi] in
// splitOrder (along latitude when byLat, else longitude; ties by index),
// in no particular order, and the rest after them. It selects
// (nth.Select) over (coordinate, index) pairs copied out of the register,
// so each comparison reads two adjacent pairs instead of two sites
// scattered in prep: the same set, as the order is total.
func (gi *groupIndex) selectLower(prep []prepSite, lo, mid, hi int32, byLat bool) {
	items := gi.scratch[:0]
	for _, si := range gi.sites[lo:hi] {
		k := prep[si].lonRad
		if byLat {
			k = prep[si].latRad
		}
		items = append(items, keyedSite{k, si})
	}
	nth.Select(items, int(mid-lo), func(a, b keyedSite) bool { return a.key < b.key || a.key == b.key && a.site < b.site })
	for j, it := range items {
		gi.sites[lo+int32(j)] = it.site
	}
	gi.scratch = items[:0]
}

// splitsByLat reports whether a node splits along latitude: its extent in
// latitude is at least that in longitude, scaled to the ground at its
// middle.
func splitsByLat(n *kdNode) bool {
	return n.latHi-n.latLo >= (n.lonHi-n.lonLo)*math.Cos((n.latLo+n.latHi)/2)
}

// splitOrder orders a node's sites along its wider axis (splitsByLat),
// ties by index: a total order.
func splitOrder(prep []prepSite, n *kdNode) func(a, b int32) int {
	byLat := splitsByLat(n)
	return func(a, b int32) int {
		pa, pb := &prep[a], &prep[b]
		ka, kb := pa.lonRad, pb.lonRad
		if byLat {
			ka, kb = pa.latRad, pb.latRad
		}
		switch {
		case ka < kb:
			return -1
		case ka > kb:
			return 1
		}
		return int(a - b)
	}
}

// leaf returns the node of sites[lo:hi] without children: their bounding
// box and least cos(latitude).
func (gi *groupIndex) leaf(prep []prepSite, lo, hi int32) kdNode {
	n := kdNode{latLo: math.Inf(1), latHi: math.Inf(-1), lonLo: math.Inf(1), lonHi: math.Inf(-1),
		cosLatMin: math.Inf(1), lo: lo, hi: hi, left: -1, right: -1}
	for _, si := range gi.sites[lo:hi] {
		p := &prep[si]
		n.latLo, n.latHi = min(n.latLo, p.latRad), max(n.latHi, p.latRad)
		n.lonLo, n.lonHi = min(n.lonLo, p.lonRad), max(n.lonHi, p.lonRad)
		n.cosLatMin = min(n.cosLatMin, p.cosLat)
	}
	return n
}

// minDistM returns a lower bound on the great-circle distance from a point
// to any site of the node. The haversine term of each site is
// sin²(Δφ/2) + cos φ_p·cos φ_s·sin²(Δλ/2); each factor is bounded below over
// the box (sin² is increasing in |Δ| up to π; the longitude term is dropped
// when the box spans more than π of longitude from the point). Cheaper
// lower bounds stand in for the trigonometry: sin x ≥ x − x³/6 for
// 0 ≤ x ≤ π/2, and asin y ≥ y; within a site's range (35 km at most)
// they are looser than the exact bound by a relative 2e-6 at most, so the
// search visits the same sites. lonNear true says the point is within π
// of longitude of the whole box, as it is of every node of a tree whose
// root it is of (a child's box lies in its parent's), and skips the test.
func (n *kdNode) minDistM(latRad, cosLat, lonRad float64, lonNear bool) float64 {
	var dphi, dlam float64
	if latRad < n.latLo {
		dphi = n.latLo - latRad
	} else if latRad > n.latHi {
		dphi = latRad - n.latHi
	}
	if lonRad < n.lonLo {
		dlam = n.lonLo - lonRad
	} else if lonRad > n.lonHi {
		dlam = lonRad - n.lonHi
	}
	sp := sinLower(dphi / 2)
	a := sp * sp
	if lonNear || n.lonNear(lonRad) {
		sl := sinLower(dlam / 2)
		a += cosLat * n.cosLatMin * sl * sl
	}
	// The relative margin covers rounding differences with haversineM.
	return 2 * earthRadiusM * math.Sqrt(min(1, a)) * (1 - 1e-9)
}

// lonNear reports whether longitude lonRad is within π of both of the
// node's bounds.
func (n *kdNode) lonNear(lonRad float64) bool {
	return max(math.Abs(lonRad-n.lonLo), math.Abs(lonRad-n.lonHi)) <= math.Pi
}

// siteMinDistM returns a lower bound on the great-circle distance between
// two points dphi apart in latitude and dl in longitude (radians), the
// cosines of whose latitudes are cos1 and cos2: haversineRoot's sines
// replaced by sinLower of their arguments' magnitudes (sin²(x/2) ≥
// sinLower(|x|/2)² for |x| ≤ 2π: t − t³/6 ≤ sin t for every t ≥ 0, and
// sin t ≥ 0 for t ≤ π), and asin y ≥ y, as minDistM's box bound is. It
// is below the distance haversineM gives by a relative 1e-9 at least, far
// more than the two computations' rounding.
func siteMinDistM(dphi, dl, cos1, cos2 float64) float64 {
	sp, sl := sinLower(math.Abs(dphi)/2), sinLower(math.Abs(dl)/2)
	a := sp*sp + cos1*cos2*sl*sl
	return 2 * earthRadiusM * math.Sqrt(min(1, a)) * (1 - 1e-9)
}

// sinLower returns x − x³/6, a lower bound on sin x for 0 ≤ x ≤ π/2 (the
// Taylor series alternates with decreasing terms there), and 0 for x ≤ 0.
func sinLower(x float64) float64 {
	if x <= 0 {
		return 0
	}
	return max(0, x-x*x*x/6)
}

// bounds fills gi.ub. All of a class's sites share a band, so a model per
// environment. Hata and COST-231 are bounded at the class's tallest antenna:
// at d > 7.8 m the line a + b·log10(d_km) has ∂/∂log10(hb) =
// −13.82 − 6.55·log10(d_km) < 0, so a taller antenna never has a higher
// loss, and the table starts at boundD0M = 10 m. TR 38.901 is bounded at
// each distinct height (at most maxBoundKeys, else no bound).
func (gi *groupIndex) bounds(prep []prepSite, cfg *Config, dist []float64) {
	nd := 0
	for nd < len(dist) && dist[nd] <= gi.maxRangeM {
		nd++
	}
	p0 := &prep[gi.sites[0]]
	base := map[float64]float64{} // height → highest EIRP + share
	var heights []float64
	maxBase, maxH := math.Inf(-1), 0.0
	for _, si := range gi.sites {
		p := &prep[si]
		maxBase, maxH = max(maxBase, p.signalBaseDBm), max(maxH, p.heightM)
		if b, ok := base[p.heightM]; !ok {
			base[p.heightM] = p.signalBaseDBm
			heights = append(heights, p.heightM)
		} else if p.signalBaseDBm > b {
			base[p.heightM] = p.signalBaseDBm
		}
	}
	for e := range numEnv {
		ub := make([]float64, nd)
		m := p0.model[e]
		hs := heights
		if m == ModelHata || m == ModelCOST231 {
			hs = []float64{maxH}
		} else if len(hs) > maxBoundKeys {
			for j := range ub {
				ub[j] = math.Inf(1)
			}
			gi.ub[e] = ub
			continue
		}
		for j := range ub {
			ub[j] = math.Inf(-1)
		}
		for _, h := range hs {
			var ha, hb float64
			b := maxBase
			if m == ModelHata || m == ModelCOST231 {
				ha, hb = hataCoeffs(p0.freqMHz, h, cfg.MobileHeightM, envArea[e], m == ModelCOST231)
			} else {
				b = base[h]
			}
			for j := range ub {
				l := Link{FreqMHz: p0.freqMHz, HBaseM: h, HMobileM: cfg.MobileHeightM, DistanceM: dist[j]}
				s := b - lossLowerBoundDB(m, Env(e), ha, hb, l, &cfg.Models) + boundMarginDB
				if math.IsNaN(s) {
					s = math.Inf(1)
				}
				ub[j] = max(ub[j], s)
			}
		}
		gi.ub[e] = ub
	}
}

// lossLowerBoundDB returns a lower bound of the path loss the selected
// model m gives at any distance ≥ l.DistanceM, for one environment; it is
// non-decreasing in l.DistanceM. hataA, hataB are the Hata/COST-231
// coefficients. Valid with Ext.ShortRange and Ext.LongRange on (canPrune):
//
//   - Hata, COST-231: the line a + b·log10(d_km). The evaluated loss is the
//     line from 1 km and max(line, free space) below, so never below it,
//     and b = 44.9 − 6.55·log10(hb) > 0 for hb ≤ 300 m. (Free space is not
//     a lower bound: at hm = 22.5 m in open areas Hata is 60 dB below it.)
//   - UMa LOS: max(PL1, PL2) of the 3D distance. PL2 − PL1 =
//     9·log10((d²+Δh²)/(d'BP²+Δh²)) is ≤ 0 up to d'BP and ≥ 0 beyond, so
//     this is the LOS loss without the short-range free-space floor, which
//     only raises it; both terms increase with distance. (Free space is not
//     a lower bound either: PL1 is below it within 167 m.)
//   - RMa LOS: PL1(d3D) is increasing (every coefficient of log10 d3D and
//     d3D is ≥ 0) and PL2 increasing, but the two may jump either way at
//     dBP, so below dBP the bound is min(PL1(d3D), PL2 just beyond dBP).
//   - NLOS (both): max(LOS bound, PL'NLOS); PL'NLOS increases with d3D
//     (slopes 39.08 and 43.42 − 3.1·log10 hBS > 0).
//   - Expected: the blend −10·log10(P·g_LOS + (1−P)·g_NLOS) with g = 10^(−PL/10)
//     increases with P because PL_NLOS ≥ PL_LOS, so the bound blends the
//     two bounds with an upper bound of P over all distances ≥ d (RMa's P
//     decreases; UMa's is bounded in umaLOSProbabilityUpper).
//
// A coefficient that would break monotonicity returns −Inf (no pruning).
func lossLowerBoundDB(m Model, env Env, hataA, hataB float64, l Link, mc *ModelConfig) float64 {
	d := l.DistanceM
	switch m {
	case ModelHata, ModelCOST231:
		if !(hataB > 0) {
			return math.Inf(-1)
		}
		return hataA + hataB*math.Log10(d/1000)
	case ModelUMa:
		los := umaLOSLowerDB(l)
		nlos := max(los, umaNLOSPrimeDB(l))
		switch mc.LOS {
		case LOSModeLOS:
			return los
		case LOSModeNLOS:
			return nlos
		}
		return blendLowerDB(umaLOSProbabilityUpper(d, l.HMobileM), los, nlos)
	case ModelRMa:
		p := mc.RuralRMa
		if env == EnvSuburban {
			p = mc.SuburbanRMa
		}
		los := rmaLOSLowerDB(l, p)
		nlosP, ok := rmaNLOSPrimeDB(l, p)
		if !ok {
			return math.Inf(-1)
		}
		nlos := max(los, nlosP)
		switch mc.LOS {
		case LOSModeLOS:
			return los
		case LOSModeNLOS:
			return nlos
		}
		return blendLowerDB(RMaLOSProbability(d), los, nlos)
	}
	return math.Inf(-1)
}

func umaLOSLowerDB(l Link) float64 {
	const hE = 1.0
	fc := l.FreqMHz / 1000
	d3 := l.distance3DM()
	dBP := 4 * (l.HBaseM - hE) * (l.HMobileM - hE) * l.FreqMHz * 1e6 / speedOfLightMPerS
	dh := l.HBaseM - l.HMobileM
	pl1 := 28 + 22*math.Log10(d3) + 20*math.Log10(fc)
	if q := dBP*dBP + dh*dh; q > 0 {
		return max(pl1, 28+40*math.Log10(d3)+20*math.Log10(fc)-9*math.Log10(q))
	}
	return pl1
}

func umaNLOSPrimeDB(l Link) float64 {
	return 13.54 + 39.08*math.Log10(l.distance3DM()) + 20*math.Log10(l.FreqMHz/1000) - 0.6*(l.HMobileM-1.5)
}

// umaLOSProbabilityUpper bounds UMaLOSProbability over all distances ≥ d:
// 18/d + exp(−d/63)·(1 − 18/d) is a weighted mean of 1 and 18/d whose
// weight on 1 falls, so it decreases; (d/100)³·exp(−d/150) peaks at 450 m,
// so its supremum beyond d is its value at max(d, 450 m).
func umaLOSProbabilityUpper(d, hUTM float64) float64 {
	if d <= 18 {
		return 1
	}
	p := 18/d + math.Exp(-d/63)*(1-18/d)
	if hUTM > 13 {
		c := math.Pow((min(hUTM, 23)-13)/10, 1.5)
		x := max(d, 450)
		p *= 1 + c*1.25*math.Pow(x/100, 3)*math.Exp(-x/150)
	}
	return min(1, p)
}

func rmaPL1DB(d3, fc, h, hp float64) float64 {
	return 20*math.Log10(40*math.Pi*d3*fc/3) + min(0.03*hp, 10)*math.Log10(d3) -
		min(0.044*hp, 14.77) + 0.002*math.Log10(h)*d3
}

func rmaLOSLowerDB(l Link, p RMaParams) float64 {
	fc := l.FreqMHz / 1000
	h := p.BuildingHeightM
	hp := math.Pow(h, 1.72)
	dBP := 2 * math.Pi * l.HBaseM * l.HMobileM * l.FreqMHz * 1e6 / speedOfLightMPerS
	if !(dBP > 0) {
		return math.Inf(-1)
	}
	atBP := rmaPL1DB(dBP, fc, h, hp)
	if l.DistanceM <= dBP {
		dh := l.HBaseM - l.HMobileM
		beyond := atBP + 40*math.Log10(math.Sqrt(dBP*dBP+dh*dh)/dBP)
		return min(rmaPL1DB(l.distance3DM(), fc, h, hp), beyond)
	}
	return atBP + 40*math.Log10(l.distance3DM()/dBP)
}

func rmaNLOSPrimeDB(l Link, p RMaParams) (float64, bool) {
	fc := l.FreqMHz / 1000
	h, w, hbs, hut := p.BuildingHeightM, p.StreetWidthM, l.HBaseM, l.HMobileM
	slope := 43.42 - 3.1*math.Log10(hbs)
	if !(slope > 0) {
		return 0, false
	}
	x := math.Log10(11.75 * hut)
	return 161.04 - 7.1*math.Log10(w) + 7.5*math.Log10(h) -
		(24.37-3.7*(h/hbs)*(h/hbs))*math.Log10(hbs) +
		slope*(math.Log10(l.distance3DM())-3) +
		20*math.Log10(fc) - (3.2*x*x - 4.97), true
}

// blendLowerDB is −10·log10(P·10^(−los/10) + (1−P)·10^(−nlos/10)) for
// nlos ≥ los, written like blend.
func blendLowerDB(pLOS, los, nlos float64) float64 {
	if pLOS >= 1 {
		return los
	}
	if pLOS <= 0 {
		return nlos
	}
	return los - 10*math.Log10(pLOS+(1-pLOS)*math.Pow(10, -(nlos-los)/10))
}

// upperBound returns the bound on the signal of any of the group's sites at
// distance ≥ dM from a point of environment env.
func (idx *pruneIndex) upperBound(ub []float64, dM float64) float64 {
	j, ok := idx.boundIndex(len(ub), dM)
	if !ok {
		return math.Inf(1)
	}
	return ub[j]
}

// boundIndex returns the index, in a bound table of n distances, of the
// last tabulated distance at or below dM (the table's last beyond it: the
// bounds do not increase with distance); false when the table is empty or
// dM is below its first distance, where nothing is bounded.
func (idx *pruneIndex) boundIndex(n int, dM float64) (int64, bool) {
	if n == 0 || !(dM >= idx.boundDM[0]) {
		return 0, false
	}
	return min(boundKey(dM)-idx.key0, int64(n-1)), true
}

// blendBound is upperBound at a point of class env blending in frac of
// the next class up. Each class's loss is at least its lower bound, so
// the blended loss (1−f)·L(env) + f·L(env+1) is at least the same blend
// of the bounds, and the signal at most (1−f)·ub(env) + f·ub(env+1) (the
// EIRP and gain terms are common to both). Where the search prunes
// (canPrune: every distance in range), a link one class's model refuses
// the other refuses too (heights are probed per band in prepare), so the
// blend is never one class's loss alone.
func (idx *pruneIndex) blendBound(gi *groupIndex, env Env, frac, dM float64) float64 {
	if frac == 0 {
		return idx.upperBound(gi.ub[env], dM)
	}
	// upperBound of both classes, the distance's index found once (bounds
	// makes every class's table as long).
	j, ok := idx.boundIndex(len(gi.ub[env]), dM)
	if !ok {
		return math.Inf(1)
	}
	u, up := gi.ub[env][j], gi.ub[env+1][j]
	if math.IsInf(u, 0) || math.IsInf(up, 0) {
		return max(u, up)
	}
	return (1-frac)*u + frac*up
}

// heapEntry is a node of a class's tree with the bound on its sites'
// signals; the frontier is a max-heap on it.
type heapEntry struct {
	ubDBm float64
	class int32
	node  int32
}

func heapPush(h []heapEntry, e heapEntry) []heapEntry {
	h = append(h, e)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h[p].ubDBm >= h[i].ubDBm {
			break
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
	return h
}

func heapPop(h []heapEntry) (heapEntry, []heapEntry) {
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		c := l
		if r := l + 1; r < n && h[r].ubDBm > h[l].ubDBm {
			c = r
		}
		if h[i].ubDBm >= h[c].ubDBm {
			break
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
	return top, h
}

// pointPruned is point with the pruned search. The point's longitude must
// be within ±180°, so bucket indices fit (canPrune checked the sites').
func (w *worker) pointPruned(lon, lat float64, env Env, frac float64, prep []prepSite, grids *[5]*grid, idx *pruneIndex) {
	latRad, lonRad := lat*deg2rad, lon*deg2rad
	sinLat, cosLat := math.Sin(latRad), math.Cos(latRad)
	for _, t := range engine.Techs {
		g := grids[t]
		if g == nil {
			continue
		}
		// Only sites of the unpruned search's buckets are candidates.
		ix0, ix1, iy0, iy1 := g.cellRange(lon, lat)
		for _, gn := range idx.byTech[t] {
			classes := idx.groups[gn]
			b := &w.best[gn]
			// The previous point's best server first (worker.seed):
			// the search below then prunes against its signal. The
			// result is the same whatever is evaluated first (the
			// strongest signal, ties to the lowest site index), and the
			// seed is not evaluated twice.
			seed := w.seed[gn]
			if seed >= 0 {
				if p := &prep[seed]; int(p.cellX) >= ix0 && int(p.cellX) <= ix1 && int(p.cellY) >= iy0 && int(p.cellY) <= iy1 {
					dl := lonRad - p.lonRad
					if d := arcOfRootM(haversineRoot(p.latRad, latRad, p.cosLat, cosLat, dl)); d <= p.maxRangeM {
						w.evalAt(p, d, dl, sinLat, cosLat, env, frac)
					}
				}
			}
			// Whether the point is within π of longitude of each
			// class's root box, and so of all its nodes' (minDistM).
			near := w.near[:0]
			for _, gi := range classes {
				near = append(near, gi.nodes[0].lonNear(lonRad))
			}
			w.near = near
			h := w.heap[:0]
			push := func(c, node int32) {
				gi := classes[c]
				d := gi.nodes[node].minDistM(latRad, cosLat, lonRad, near[c])
				if d > gi.maxRangeM {
					return
				}
				if u := idx.blendBound(gi, env, frac, d); b.site < 0 || u >= b.signal {
					h = heapPush(h, heapEntry{u, c, node})
				}
			}
			for c := range classes {
				push(int32(c), 0)
			}
			for len(h) > 0 {
				var e heapEntry
				e, h = heapPop(h)
				if b.site >= 0 && e.ubDBm < b.signal {
					break
				}
				gi := classes[e.class]
				n := &gi.nodes[e.node]
				if n.left >= 0 {
					push(e.class, n.left)
					push(e.class, n.right)
					continue
				}
				for _, si := range gi.sites[n.lo:n.hi] {
					if si == seed {
						continue
					}
					p := &prep[si]
					if int(p.cellX) < ix0 || int(p.cellX) > ix1 || int(p.cellY) < iy0 || int(p.cellY) > iy1 {
						continue
					}
					dl := lonRad - p.lonRad
					// A lower bound on the distance without the sines
					// (siteMinDistM): a site out of range or bounded
					// below the best by it is left there, as about half
					// of a leaf's sites are.
					if low := siteMinDistM(latRad-p.latRad, dl, cosLat, p.cosLat); low > p.maxRangeM || b.site >= 0 && idx.blendBound(gi, env, frac, low) < b.signal {
						continue
					}
					d := arcOfRootM(haversineRoot(p.latRad, latRad, p.cosLat, cosLat, dl))
					if d > p.maxRangeM || b.site >= 0 && idx.blendBound(gi, env, frac, d) < b.signal {
						continue
					}
					w.evalAt(p, d, dl, sinLat, cosLat, env, frac)
				}
			}
			w.heap = h
		}
	}
}
