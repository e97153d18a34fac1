package predict

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/parallel"
)

// Off-air masts: sites a register lists as active whose signal the tests
// do not see.
//
// A register says what the carriers believe is on the air; a site that is
// down (a power or backhaul fault, a sector switched off) and still listed
// as active makes every prediction around it tens of dB too strong, which
// turns the villages it was meant to serve into "served" against every
// test there. OffAir weighs, mast by mast, two hypotheses on the tests its
// sectors are predicted to serve best: on the air, each test reads about
// the mast's prediction; off the air, about the best prediction of the
// other masts (BestServerWithout), or nothing at all where no other site
// reaches. The evidence is a likelihood ratio; the decision a posterior
// probability against a prior share of masts off the air.

// A mast is the sectors of one carrier on one structure: sites of one
// carrier whose registered positions agree to MastToleranceDeg in both
// coordinates (about 1 m), or that share a site_id and stand within
// MastSpreadM of that site_id's first row at their mast, joined
// transitively. Outages take a whole mast down (its power and backhaul
// are shared), so the mast, not the sector, is what is on or off the air.
const MastToleranceDeg = 1e-5

// MastSpreadM is how far apart, in metres, the rows of one carrier's
// site_id may be registered and still be one mast: a mast's sectors are
// on one structure, and registers place them tens of metres apart (a
// survey per sector, positions rounded to 4 decimals); 300 m is several
// times that, and well under the 1 km or more between neighbouring
// masts. Rows of a site_id farther apart are separate masts (a mistyped
// or reused site_id): SharedSiteIDs lists them, and the off-air check
// never sets one down for the other.
const MastSpreadM = 300

// OffAirObs are the observations OffAir weighs, as columns of one length:
// each the mean of N readings of one carrier's technology at one place
// (or the bound they share), with the place's environment class.
type OffAirObs struct {
	Lon, Lat []float64
	Env      []Env
	EnvFrac  []float64 // each place's share of the next class up (Points); nil: none
	Carrier  []engine.Carrier
	Tech     []engine.Tech
	// LevelDBm is the mean level read, or for an Upper observation the
	// bound the true level is at or below (a no-service test, a reading at
	// the reporting floor, a phone camped on a lower technology).
	LevelDBm []float64
	Upper    []bool
	N        []int32 // readings, ≥ 1
}

// Len returns the number of observations.
func (o *OffAirObs) Len() int { return len(o.Lon) }

// frac returns observation i's share of the next class up.
func (o *OffAirObs) frac(i int) float64 { return shareAt(o.EnvFrac, i) }

func (o *OffAirObs) check() error {
	n := len(o.Lon)
	if len(o.Lat) != n || len(o.Env) != n || o.EnvFrac != nil && len(o.EnvFrac) != n || len(o.Carrier) != n || len(o.Tech) != n || len(o.LevelDBm) != n || len(o.Upper) != n || len(o.N) != n {
		return fmt.Errorf("off-air observations: columns differ in length: %w", engine.ErrInvalidValue)
	}
	for i := range n {
		if !finite(o.LevelDBm[i]) || o.N[i] < 1 || !o.Tech[i].Valid() {
			return fmt.Errorf("off-air observation %d: level %g dBm, %d readings, technology %q: %w", i, o.LevelDBm[i], o.N[i], o.Tech[i], engine.ErrInvalidValue)
		}
	}
	return nil
}

// OffAirOptions set OffAir's decision. The zero value takes the defaults.
type OffAirOptions struct {
	// Prior is the share of masts listed active that are off the air
	// before any test is seen. Default 0.05: an assumption, not a
	// measurement (a register a few weeks old with outages of a few per
	// cent of sites); a lower prior asks for more evidence.
	Prior float64
	// Contamination is the share of observations that follow neither
	// hypothesis (a reading of another carrier's cell, a wrong position, a
	// repeater): each likelihood is (1 − ε)·Gaussian + ε·uniform over
	// [−140, −40] dBm, which bounds what one observation can say.
	// Default 0.05.
	Contamination float64
	// MinGapDB: an observation is informative when the mast's prediction
	// beats the other masts' by at least this much (or no other mast
	// reaches); default 6 dB. MinInformative is the number of informative
	// observations a mast needs before it can be called off the air;
	// default 3.
	MinGapDB       float64
	MinInformative int
	// BoundsOnlySigmaDB is the spread a network is weighed with when
	// none of its observations is a level (every test reads no service,
	// or at the reporting floor): with nothing to measure its offset and
	// spread on, it is weighed against the uncalibrated prediction
	// (offset 0) with this spread. Default DefaultBoundsOnlySigmaDB.
	BoundsOnlySigmaDB float64
}

// DefaultBoundsOnlySigmaDB is the default OffAirOptions.BoundsOnlySigmaDB:
// the shadow-fading σ lomsong gives the Hata models' predictions
// (HataSigmaDB), within the 6–10 dB measured for macro cells.
const DefaultBoundsOnlySigmaDB = HataSigmaDB

// DefaultOffAirOptions returns the defaults.
func DefaultOffAirOptions() OffAirOptions {
	return OffAirOptions{Prior: 0.05, Contamination: 0.05, MinGapDB: 6, MinInformative: 3, BoundsOnlySigmaDB: DefaultBoundsOnlySigmaDB}
}

func (o OffAirOptions) withDefaults() (OffAirOptions, error) {
	d := DefaultOffAirOptions()
	if o.Prior == 0 {
		o.Prior = d.Prior
	}
	if o.Contamination == 0 {
		o.Contamination = d.Contamination
	}
	if o.MinGapDB == 0 {
		o.MinGapDB = d.MinGapDB
	}
	if o.MinInformative == 0 {
		o.MinInformative = d.MinInformative
	}
	if o.BoundsOnlySigmaDB == 0 {
		o.BoundsOnlySigmaDB = d.BoundsOnlySigmaDB
	}
	if !(o.Prior > 0 && o.Prior < 1) || !(o.Contamination > 0 && o.Contamination < 1) || !(o.MinGapDB > 0) || math.IsInf(o.MinGapDB, 0) || o.MinInformative < 1 ||
		!(o.BoundsOnlySigmaDB > 0) || math.IsInf(o.BoundsOnlySigmaDB, 0) {
		return o, fmt.Errorf("off-air options: prior %g and contamination %g must be in (0, 1), gap %g dB and bounds-only spread %g dB positive, informative %d ≥ 1: %w",
			o.Prior, o.Contamination, o.MinGapDB, o.BoundsOnlySigmaDB, o.MinInformative, engine.ErrInvalidConfig)
	}
	return o, nil
}

// OffAirMast is the evidence on one mast.
type OffAirMast struct {
	Carrier engine.Carrier
	// SiteIDs are its active sectors' site ids, sorted and distinct; Lon,
	// Lat its first one's registered position.
	SiteIDs  []string
	Lon, Lat float64
	// Observations are those it is the predicted best server of;
	// Informative those where its prediction beats the other masts' by
	// MinGapDB or more; Readings the readings behind Observations.
	Observations, Informative, Readings int
	// MedianResidualDB is the median of exact level − on-air prediction −
	// the network's offset (NaN without an exact observation).
	MedianResidualDB float64
	// LogLR is the log-likelihood ratio of off against on the air; POff
	// the posterior probability of off the air; OffAir the decision
	// (POff ≥ 0.5 with at least MinInformative informative observations).
	LogLR, POff float64
	// LevelsLogLR is the log-likelihood ratio its exact observations alone
	// give (the levels read, without the bounds), said beside LogLR so a
	// reader sees which evidence decided; it does not enter the decision.
	LevelsLogLR float64
	OffAir      bool
	// SharedIDs are those of its SiteIDs that rows of other masts, more
	// than MastSpreadM away, also carry (SharedSiteIDs): its SiteRefs
	// then name it by position too (Refs).
	SharedIDs []string
}

// OffAirNetwork is the spread OffAir measured for one network.
type OffAirNetwork struct {
	Carrier engine.Carrier
	Tech    engine.Tech
	// Observations are the exact ones with an on-air prediction, Bounds
	// the upper bounds (censoredMid); OffsetDB the median residual of
	// both, SigmaDB 1.4826 × the median departure of the exact residuals
	// above it (upperHalfSpread: robust to the off-air masts among them
	// and to the bounds), floored at MinOffAirSigmaDB.
	Observations, Bounds int
	OffsetDB, SigmaDB    float64
	// MastSpreadDB is τ, the spread of the masts' own offsets around the
	// network's (terrain and clutter between a mast and its tests that the
	// model does not see: every test of a mast behind a ridge reads low),
	// and WithinSigmaDB the spread of a mast's tests around its own offset
	// (mastSpread: robust estimates from the exact residuals). With fewer
	// than MinSpreadMasts masts holding exact observations MastSpreadDB is
	// 0 and WithinSigmaDB is SigmaDB.
	MastSpreadDB, WithinSigmaDB float64
	// BoundsOnly: the network's predicted observations are all bounds (no
	// level read): weighed with OffsetDB 0 (the uncalibrated prediction)
	// and SigmaDB OffAirOptions.BoundsOnlySigmaDB, assumed, not measured.
	BoundsOnly bool
}

// MinOffAirSigmaDB floors a network's residual spread: a few tests at one
// place cannot make a prediction more precise than a phone's reading.
const MinOffAirSigmaDB = 4

// OffAirResult is OffAir's answer.
type OffAirResult struct {
	// Masts are those with at least one informative observation, sorted
	// by carrier, then first site id.
	Masts    []OffAirMast
	Networks []OffAirNetwork // sorted by carrier, tech
	// Unpredicted counts observations no site of their network reaches.
	Unpredicted int
	// Shared are the register's site ids that stand at more than one mast
	// (SharedSiteIDs): weighed as separate masts.
	Shared []SharedSiteID
}

// Off returns the masts judged off the air.
func (r *OffAirResult) Off() []OffAirMast {
	var out []OffAirMast
	for _, m := range r.Masts {
		if m.OffAir {
			out = append(out, m)
		}
	}
	return out
}

// Masts returns the mast of each site (an index per site; sites of one
// carrier at a position within MastToleranceDeg, or sharing a site_id
// within MastSpreadM, share one) and the number of masts. Site ids are
// compared as given.
func Masts(sites []engine.Site) ([]int32, int) {
	parent := make([]int32, len(sites))
	for i := range parent {
		parent[i] = int32(i)
	}
	var find func(int32) int32
	find = func(i int32) int32 {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int32) {
		if ra, rb := find(a), find(b); ra != rb {
			parent[max(ra, rb)] = min(ra, rb)
		}
	}
	type posKey struct {
		c        engine.Carrier
		lon, lat int64
	}
	byPos := map[posKey]int32{}
	for i, a := range idAnchors(sites) {
		union(a, int32(i))
		s := sites[i]
		if !finite(s.Lon) || !finite(s.Lat) {
			continue
		}
		k := posKey{s.Carrier, int64(math.Round(s.Lon / MastToleranceDeg)), int64(math.Round(s.Lat / MastToleranceDeg))}
		if j, ok := byPos[k]; ok {
			union(j, int32(i))
		} else {
			byPos[k] = int32(i)
		}
	}
	out := make([]int32, len(sites))
	ids := map[int32]int32{}
	for i := range sites {
		r := find(int32(i))
		id, ok := ids[r]
		if !ok {
			id = int32(len(ids))
			ids[r] = id
		}
		out[i] = id
	}
	return out, len(ids)
}

// idAnchors returns, for each site, its anchor: the first row of its
// carrier's site_id within MastSpreadM of it (the rows of a site_id are
// taken in order; a row joins the first anchor within reach, else is an
// anchor itself). A row without a finite position joins the site_id's
// first anchor.
func idAnchors(sites []engine.Site) []int32 {
	type idKey struct {
		c  engine.Carrier
		id string
	}
	anchors := map[idKey][]int32{}
	out := make([]int32, len(sites))
	for i, s := range sites {
		k := idKey{s.Carrier, s.SiteID}
		out[i] = int32(i)
		as := anchors[k]
		placed := finite(s.Lon) && finite(s.Lat)
		for _, a := range as {
			b := sites[a]
			if !placed || !finite(b.Lon) || !finite(b.Lat) || GreatCircleM(b.Lon, b.Lat, s.Lon, s.Lat) <= MastSpreadM {
				out[i] = a
				break
			}
		}
		if out[i] == int32(i) {
			anchors[k] = append(as, int32(i))
		}
	}
	return out
}

// SharedSiteID is a carrier's site_id whose rows stand at more than one
// mast: positions farther apart than MastSpreadM.
type SharedSiteID struct {
	Carrier engine.Carrier
	SiteID  string
	// Masts is the number of masts it is split into; ApartM the greatest
	// distance between two of their first rows; Lon, Lat the positions of
	// those first rows, in register order.
	Masts    int
	ApartM   float64
	Lon, Lat []float64
}

// SharedSiteIDs returns the site ids of sites that stand at more than one
// mast (see MastSpreadM), sorted by carrier and site id. Each is treated
// as separate masts by Masts; a register should give each its own id.
func SharedSiteIDs(sites []engine.Site) []SharedSiteID {
	type idKey struct {
		c  engine.Carrier
		id string
	}
	at := map[idKey]int{}
	var out []SharedSiteID
	anchors := idAnchors(sites)
	for i, a := range anchors {
		if a != int32(i) {
			continue
		}
		s := sites[i]
		k := idKey{s.Carrier, s.SiteID}
		j, ok := at[k]
		if !ok {
			j = len(out)
			at[k] = j
			out = append(out, SharedSiteID{Carrier: s.Carrier, SiteID: s.SiteID})
		}
		d := &out[j]
		for n := range d.Lon {
			d.ApartM = max(d.ApartM, GreatCircleM(d.Lon[n], d.Lat[n], s.Lon, s.Lat))
		}
		d.Masts++
		d.Lon, d.Lat = append(d.Lon, s.Lon), append(d.Lat, s.Lat)
	}
	out = slices.DeleteFunc(out, func(d SharedSiteID) bool { return d.Masts < 2 })
	slices.SortFunc(out, func(a, b SharedSiteID) int {
		return cmp.Or(cmp.Compare(a.Carrier, b.Carrier), strings.Compare(a.SiteID, b.SiteID))
	})
	return out
}

// offAirSpan is the range of the contamination's uniform density, dBm.
const offAirLoDBm, offAirSpanDB = -140.0, 100.0

// OffAir weighs, for every mast with tests it is predicted to serve best,
// whether it is off the air (see the package notes above OffAirObs).
//
// For observation i of network (c, t) with mast M its predicted best
// server (BestServer with cfg over sites), on_i is M's prediction and
// off_i the best of the network's other masts (BestServerWithout), both
// shifted by the network's offset μ (median exact residual against the
// on-air predictions). With σ the network's robust residual spread (a
// network without a level read: μ 0 and σ OffAirOptions.BoundsOnlySigmaDB)
// and ε the contamination, an exact level y has likelihood
//
//	L(m) = (1 − ε)·φ((y − m)/σ)/σ + ε/100
//
// and an upper bound b has L(m) = (1 − ε)·Φ((b − m)/σ) + ε·U(b), U the
// uniform CDF over [−140, −40] dBm. Off the air with no other mast in
// reach, an exact level has likelihood ε/100 and a bound 1. Each mast
// has its own offset b per technology under either hypothesis, b ~ N(0,
// τ²) (mastSpread: the spread of the masts' own offsets, terrain between
// a mast and its tests that the model does not see), and its tests are
// weighed around it with the spread within a mast instead of σ; M's
// log-likelihood ratio is mastLogLR's, log ∫ Π L(off_i + b) − log ∫ Π
// L(on_i + b) over the offset's prior, each observation weighted
// 1/(observations in its offAirSquareM square) (correlated shadowing
// makes neighbouring tests partly redundant: the squares, MinInformative
// and the contamination keep a single run of them from deciding alone),
// and
//
//	POff = 1 / (1 + (1 − prior)/prior · exp(−LogLR)).
//
// Sites down or planned in the register are not candidates (BestServer
// skips them). Errors: invalid observations wrap engine.ErrInvalidValue,
// invalid options engine.ErrInvalidConfig; BestServer's errors pass
// through.
func OffAir(sites []engine.Site, obs OffAirObs, cfg Config, opt OffAirOptions) (*OffAirResult, error) {
	if err := obs.check(); err != nil {
		return nil, err
	}
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	n := obs.Len()
	// The register's shared site_ids (one core's map work) beside the
	// masts and their predictions, whose map work is one core's too.
	var sharedIDs []SharedSiteID
	var sharedWait sync.WaitGroup
	sharedWait.Go(func() { sharedIDs = SharedSiteIDs(sites) })
	mast, _ := Masts(sites)
	pr, err := offAirPredictions(sites, mast, &obs, cfg)
	sharedWait.Wait()
	if err != nil {
		return nil, err
	}
	res := &OffAirResult{Shared: sharedIDs}
	shared := make(map[SiteRef]bool, len(res.Shared))
	for _, d := range res.Shared {
		shared[SiteRef{Carrier: d.Carrier, SiteID: d.SiteID}] = true
	}

	// Each network's offset and spread from its observations. A bound
	// (no service, the reporting floor, a phone camped on a lower
	// technology) is a residual at or below bound − prediction: left out,
	// the offset would be the median of the levels strong enough to be
	// read, too high wherever the weak ones go unread, and every bound
	// would then look unlikely on the air (censoredMid).
	type netKey struct {
		c engine.Carrier
		t engine.Tech
	}
	type netObs struct {
		r     []float64
		upper []bool
		exact int
	}
	byNetObs := map[netKey]*netObs{}
	for i := range n {
		if pr.site[i] < 0 {
			res.Unpredicted++
			continue
		}
		k := netKey{obs.Carrier[i], obs.Tech[i]}
		a := byNetObs[k]
		if a == nil {
			a = &netObs{}
			byNetObs[k] = a
		}
		a.r = append(a.r, obs.LevelDBm[i]-pr.on[i])
		a.upper = append(a.upper, obs.Upper[i])
		if !obs.Upper[i] {
			a.exact++
		}
	}
	type spread struct{ mu, sigma, tau, within float64 }
	nets := map[netKey]spread{}
	for k, a := range byNetObs {
		if a.exact == 0 {
			continue // bounds alone: below
		}
		mu := medianOf(slices.Clone(a.r)) // levels and bounds together (censoredMid)
		sd := max(upperHalfSpread(a.r, a.upper, mu), MinOffAirSigmaDB)
		nets[k] = spread{mu, sd, 0, sd}
	}
	// Each network's spread of the masts' own offsets (mastSpread), from
	// the residuals of each mast's predicted observations, each weighted
	// 1/(observations in its square) as the evidence is.
	type mastNet struct {
		m int32
		k netKey
	}
	weight := squareWeights(&obs, pr.site, mast)
	type mastObs struct {
		r, w  []float64
		upper []bool
	}
	perMastObs := map[mastNet]*mastObs{}
	var mastOrder []mastNet
	for i := range n {
		if pr.site[i] < 0 {
			continue
		}
		k := netKey{obs.Carrier[i], obs.Tech[i]}
		if _, ok := nets[k]; !ok {
			continue
		}
		mk := mastNet{mast[pr.site[i]], k}
		a := perMastObs[mk]
		if a == nil {
			a = &mastObs{}
			perMastObs[mk] = a
			mastOrder = append(mastOrder, mk)
		}
		a.r = append(a.r, obs.LevelDBm[i]-pr.on[i]-nets[k].mu)
		a.w = append(a.w, weight[i])
		a.upper = append(a.upper, obs.Upper[i])
	}
	// Each exact residual's departure above its mast's middle, for the
	// spread within a mast (masts of two squares or more).
	devs := map[netKey][]float64{}
	byNet := map[netKey][]mastResid{}
	for _, mk := range mastOrder {
		a := perMastObs[mk]
		mid := censoredMid(a.r, a.w)
		var w float64
		for _, x := range a.w {
			w += x
		}
		byNet[mk.k] = append(byNet[mk.k], mastResid{mid: mid, w: w})
		if w >= 2 {
			for j, r := range a.r {
				if !a.upper[j] && r > mid {
					devs[mk.k] = append(devs[mk.k], r-mid)
				}
			}
		}
	}
	for k, sp := range nets {
		ms := byNet[k]
		slices.SortFunc(ms, func(a, b mastResid) int { return cmp.Or(cmp.Compare(a.mid, b.mid), cmp.Compare(a.w, b.w)) })
		sp.tau, sp.within = mastSpread(ms, devs[k], sp.sigma)
		nets[k] = sp
		res.Networks = append(res.Networks, OffAirNetwork{Carrier: k.c, Tech: k.t, Observations: byNetObs[k].exact, Bounds: len(byNetObs[k].r) - byNetObs[k].exact,
			OffsetDB: sp.mu, SigmaDB: sp.sigma, MastSpreadDB: sp.tau, WithinSigmaDB: sp.within})
	}
	// A network with bounds alone (every test no service, say) has no
	// level to measure an offset and spread on: weighed against the
	// uncalibrated prediction with the assumed spread, not left out,
	// since a network that reads nothing where masts are listed is what
	// the check is for.
	for i := range n {
		k := netKey{obs.Carrier[i], obs.Tech[i]}
		if _, ok := nets[k]; !ok && pr.site[i] >= 0 {
			nets[k] = spread{0, opt.BoundsOnlySigmaDB, 0, opt.BoundsOnlySigmaDB}
			res.Networks = append(res.Networks, OffAirNetwork{Carrier: k.c, Tech: k.t, SigmaDB: opt.BoundsOnlySigmaDB, BoundsOnly: true,
				WithinSigmaDB: opt.BoundsOnlySigmaDB})
		}
	}
	slices.SortFunc(res.Networks, func(a, b OffAirNetwork) int {
		return cmp.Or(cmp.Compare(a.Carrier, b.Carrier), cmp.Compare(a.Tech, b.Tech))
	})

	eps := opt.Contamination
	like := func(upper bool, y, m, sd float64) float64 {
		if upper {
			u := min(max((y-offAirLoDBm)/offAirSpanDB, 0), 1)
			return (1-eps)*0.5*math.Erfc(-(y-m)/(sd*math.Sqrt2)) + eps*u
		}
		z := (y - m) / sd
		return (1-eps)*math.Exp(-0.5*z*z)/(sd*math.Sqrt(2*math.Pi)) + eps/offAirSpanDB
	}
	nothing := func(upper bool, y float64) float64 {
		if upper {
			return 1
		}
		return eps / offAirSpanDB
	}
	type acc struct {
		obs, informative, readings int
		resid                      []float64
		idx                        []int // its observations
	}
	// Each observation's log-likelihood off the air, and on the air at the
	// registered position.
	logOff, logOn := make([]float64, n), make([]float64, n)
	byMast := map[int32]*acc{}
	for i := range n {
		if pr.site[i] < 0 {
			continue
		}
		sp := nets[netKey{obs.Carrier[i], obs.Tech[i]}]
		m := mast[pr.site[i]]
		a := byMast[m]
		if a == nil {
			a = &acc{}
			byMast[m] = a
		}
		y, up := obs.LevelDBm[i], obs.Upper[i]
		mOn := pr.on[i] + sp.mu
		lOn := like(up, y, mOn, sp.sigma)
		var lOff float64
		informative := true
		if o := pr.off[i]; !math.IsNaN(o) {
			lOff = like(up, y, o+sp.mu, sp.sigma)
			informative = pr.on[i]-o >= opt.MinGapDB
		} else {
			lOff = nothing(up, y)
		}
		a.obs++
		a.readings += int(obs.N[i])
		a.idx = append(a.idx, i)
		logOff[i], logOn[i] = math.Log(lOff), math.Log(lOn)
		if informative {
			a.informative++
		}
		if !up {
			a.resid = append(a.resid, y-mOn)
		}
	}
	members := map[int32][]int{}
	for s := range sites {
		// The sectors it would set down: those listed active.
		if byMast[mast[s]] != nil && sites[s].Status == engine.StatusActive {
			members[mast[s]] = append(members[mast[s]], s)
		}
	}
	logPrior := math.Log((1 - opt.Prior) / opt.Prior)
	near := newObsGrid(&obs)
	// Masts in a fixed order, weighed in parallel (each writes its slot).
	ids := make([]int32, 0, len(byMast))
	for m, a := range byMast {
		if a.informative > 0 {
			ids = append(ids, m)
		}
	}
	slices.Sort(ids)
	out := make([]OffAirMast, len(ids))
	errs := make([]error, len(ids))
	one := cfg
	one.Workers = 1 // the masts are the parallel work
	parallel.For(len(ids), cfg.Workers, func(k int) {
		m := ids[k]
		a := byMast[m]
		ss := members[m]
		llr, levels := mastLogLR(a.idx, weight, func(i int) (float64, float64) {
			sp := nets[netKey{obs.Carrier[i], obs.Tech[i]}]
			return sp.tau, sp.within
		}, func(i int, b, sd float64) (float64, float64) {
			y, up := obs.LevelDBm[i], obs.Upper[i]
			mu := nets[netKey{obs.Carrier[i], obs.Tech[i]}].mu
			lOn := like(up, y, pr.on[i]+mu+b, sd)
			if o := pr.off[i]; !math.IsNaN(o) {
				return math.Log(like(up, y, o+mu+b, sd)), math.Log(lOn)
			}
			return math.Log(nothing(up, y)), math.Log(lOn)
		}, obs.Tech, obs.Upper)
		if llr > logPrior {
			// Off the air rather than on at the registered position: weigh
			// "on the air somewhere near it" too (registerShiftsM).
			// The tests around it count too: a mast standing elsewhere
			// serves them, and where they do not read it, it is not there.
			own := map[int]bool{}
			for _, i := range a.idx {
				own[i] = true
			}
			around := slices.Clone(a.idx)
			for _, i := range near.within(obs.Carrier[a.idx[0]], sites[ss[0]].Lon, sites[ss[0]].Lat, displacedReachM) {
				if !own[i] && pr.site[i] >= 0 {
					around = append(around, i)
				}
			}
			slices.Sort(around)
			moved, err := displacedLogLR(sites, ss, &obs, around, one, func(i int, sig float64) float64 {
				sp := nets[netKey{obs.Carrier[i], obs.Tech[i]}]
				// Without the mast: its own tests' other masts, the others'
				// own best server.
				base, lBase := pr.off[i], logOff[i]
				if !own[i] {
					base, lBase = pr.on[i], logOn[i]
				}
				m := base
				if !math.IsNaN(sig) && (math.IsNaN(m) || sig > m) {
					m = sig
				}
				if math.IsNaN(m) {
					return lBase - math.Log(nothing(obs.Upper[i], obs.LevelDBm[i]))
				}
				return lBase - math.Log(like(obs.Upper[i], obs.LevelDBm[i], m+sp.mu, sp.sigma))
			})
			if err != nil {
				errs[k] = err
				return
			}
			// The composite "on": at the registered position with
			// probability registeredShare, else at one of the displaced
			// positions, each equally likely: log L_off − log L_on with
			// L_on = share·L_registered + (1 − share)·mean L_displaced.
			llr = logMeanExp([]float64{llr, logMeanExp(moved, -1)}, -1, registeredShare)
		}
		om := OffAirMast{Carrier: sites[ss[0]].Carrier, Lon: sites[ss[0]].Lon, Lat: sites[ss[0]].Lat,
			Observations: a.obs, Informative: a.informative, Readings: a.readings, LogLR: llr, MedianResidualDB: math.NaN()}
		for _, s := range ss {
			om.SiteIDs = append(om.SiteIDs, sites[s].SiteID)
		}
		slices.Sort(om.SiteIDs)
		om.SiteIDs = slices.Compact(om.SiteIDs)
		for _, id := range om.SiteIDs {
			if shared[SiteRef{Carrier: om.Carrier, SiteID: id}] {
				om.SharedIDs = append(om.SharedIDs, id)
			}
		}
		if len(a.resid) > 0 {
			om.MedianResidualDB = medianOf(a.resid)
		}
		om.POff = 1 / (1 + math.Exp(logPrior-llr))
		om.LevelsLogLR = levels
		om.OffAir = om.POff >= 0.5 && a.informative >= opt.MinInformative
		out[k] = om
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	res.Masts = out
	slices.SortFunc(res.Masts, func(a, b OffAirMast) int {
		return cmp.Or(cmp.Compare(a.Carrier, b.Carrier), strings.Compare(a.SiteIDs[0], b.SiteIDs[0]))
	})
	return res, nil
}

// offAirPreds are, per observation, its network's best server over all
// sites (site, an index into the sites; −1 when none reaches) and its
// signal (on), and the best signal of the other masts (off; NaN when none
// reaches).
type offAirPreds struct {
	site    []int32
	on, off []float64
}

// offAirPredictions predicts each observation's network at its point with
// and without its best server's mast, carrier by carrier (each with its
// own sites only).
func offAirPredictions(sites []engine.Site, mast []int32, obs *OffAirObs, cfg Config) (offAirPreds, error) {
	n := obs.Len()
	pr := offAirPreds{site: make([]int32, n), on: make([]float64, n), off: make([]float64, n)}
	for i := range n {
		pr.site[i], pr.on[i], pr.off[i] = -1, math.NaN(), math.NaN()
	}
	byCarrier := map[engine.Carrier][]int{}
	var carriers []engine.Carrier
	for i, c := range obs.Carrier {
		if byCarrier[c] == nil {
			carriers = append(carriers, c)
		}
		byCarrier[c] = append(byCarrier[c], i)
	}
	slices.Sort(carriers)
	for _, c := range carriers {
		var cs []engine.Site
		var global, group []int32
		for s := range sites {
			if sites[s].Carrier == c {
				cs = append(cs, sites[s])
				global = append(global, int32(s))
				group = append(group, mast[s])
			}
		}
		if len(cs) == 0 {
			continue
		}
		// One prediction per distinct place (the observations of a cell's
		// technologies and kinds share it), and one per distinct place and
		// left-out mast.
		type place struct {
			lon, lat float64
			env      Env
			frac     float64
		}
		idx := byCarrier[c]
		at := map[place]int32{}
		pl := make([]int32, len(idx)) // each observation's place
		var pts Points
		for k, i := range idx {
			q := place{obs.Lon[i], obs.Lat[i], obs.Env[i], obs.frac(i)}
			p, ok := at[q]
			if !ok {
				p = int32(len(pts.Lon))
				at[q] = p
				pts.Lon, pts.Lat, pts.Env = append(pts.Lon, q.lon), append(pts.Lat, q.lat), append(pts.Env, q.env)
				pts.EnvFrac = append(pts.EnvFrac, q.frac)
			}
			pl[k] = p
		}
		on, err := BestServer(cs, pts, cfg)
		if err != nil {
			return pr, err
		}
		first := rowStarts(on, len(pts.Lon))
		rowOf := func(r *Result, lo, hi int32, t engine.Tech) int32 {
			for j := lo; j < hi; j++ {
				if r.Tech[j] == t {
					return j
				}
			}
			return -1
		}
		type placeMast struct{ place, mast int32 }
		atOff := map[placeMast]int32{}
		var offPts Points
		var without []int32
		offAt := make([]int32, len(idx))
		for k, i := range idx {
			offAt[k] = -1
			p := pl[k]
			j := rowOf(on, first[p], first[p+1], obs.Tech[i])
			if j < 0 {
				continue
			}
			pr.site[i], pr.on[i] = global[on.Site[j]], on.SignalDBm[j]
			q := placeMast{p, group[on.Site[j]]}
			o, ok := atOff[q]
			if !ok {
				o = int32(len(offPts.Lon))
				atOff[q] = o
				offPts.Lon, offPts.Lat, offPts.Env = append(offPts.Lon, pts.Lon[p]), append(offPts.Lat, pts.Lat[p]), append(offPts.Env, pts.Env[p])
				offPts.EnvFrac = append(offPts.EnvFrac, pts.EnvFrac[p])
				without = append(without, q.mast)
			}
			offAt[k] = o
		}
		off, err := BestServerWithout(cs, group, offPts, without, cfg)
		if err != nil {
			return pr, err
		}
		ofirst := rowStarts(off, len(offPts.Lon))
		for k, i := range idx {
			if o := offAt[k]; o >= 0 {
				if j := rowOf(off, ofirst[o], ofirst[o+1], obs.Tech[i]); j >= 0 {
					pr.off[i] = off.SignalDBm[j]
				}
			}
		}
	}
	return pr, nil
}

// squareGroups groups the observations idx by offAirSquareM square: per
// square, in the squares' order, the positions in idx of its
// observations, in idx's order (so sums over them give the same bits for
// the same inputs).
func squareGroups(obs *OffAirObs, idx []int) [][]int {
	at := map[[2]int64]int{}
	var keys [][2]int64
	var groups [][]int
	for k, i := range idx {
		sq := offAirSquare(obs.Lon[i], obs.Lat[i])
		g, ok := at[sq]
		if !ok {
			g = len(groups)
			at[sq] = g
			keys = append(keys, sq)
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], k)
	}
	order := make([]int, len(groups))
	for g := range order {
		order[g] = g
	}
	slices.SortFunc(order, func(x, y int) int {
		return cmp.Or(cmp.Compare(keys[x][0], keys[y][0]), cmp.Compare(keys[x][1], keys[y][1]))
	})
	out := make([][]int, len(groups))
	for n, g := range order {
		out[n] = groups[g]
	}
	return out
}

// groupSum sums, over groups (squareGroups), the mean of f over each
// group's positions: observations within one square count once.
func groupSum(groups [][]int, f func(k int) float64) float64 {
	t := 0.0
	for _, g := range groups {
		sum := 0.0
		for _, k := range g {
			sum += f(k)
		}
		t += sum / float64(len(g))
	}
	return t
}

// logMeanExp returns log(Σ w_k·exp(sign·v_k)) / sign, computed stably,
// with weights w = (w0, (1 − w0)/(n − 1), …) when one weight w0 is given,
// else all 1/n: with sign −1 and v the log-likelihood ratios of off
// against each way of being on, the ratio of off against their mixture.
func logMeanExp(v []float64, sign float64, w0 ...float64) float64 {
	weight := func(k int) float64 {
		if len(w0) == 0 {
			return 1 / float64(len(v))
		}
		if k == 0 {
			return w0[0]
		}
		return (1 - w0[0]) / float64(len(v)-1)
	}
	hi := math.Inf(-1)
	for _, x := range v {
		hi = max(hi, sign*x)
	}
	s := 0.0
	for k, x := range v {
		s += weight(k) * math.Exp(sign*x-hi)
	}
	return (hi + math.Log(s)) / sign
}

// registeredShare is the prior probability that a mast stands where the
// register puts it (to within the first ring's 150 m), against somewhere
// on the rings of registerShiftsM: an assumption, one half, for registers
// whose positions are often off by hundreds of metres.
const registeredShare = 0.5

// displacedReachM is how far from a mast's registered position the tests
// are read when it is tried at displaced positions: the farthest ring
// and about a kilometre and a half of the displaced mast's own reach.
const displacedReachM = 2500

// obsGrid finds a carrier's observations near a point: a grid of
// obsGridDeg squares per carrier.
type obsGrid struct {
	obs   *OffAirObs
	cells map[obsCell][]int
}

type obsCell struct {
	c      engine.Carrier
	ix, iy int32
}

const obsGridDeg = 0.02

func newObsGrid(obs *OffAirObs) *obsGrid {
	g := &obsGrid{obs: obs, cells: map[obsCell][]int{}}
	for i := range obs.Lon {
		k := obsCell{obs.Carrier[i], int32(math.Floor(obs.Lon[i] / obsGridDeg)), int32(math.Floor(obs.Lat[i] / obsGridDeg))}
		g.cells[k] = append(g.cells[k], i)
	}
	return g
}

// within returns carrier c's observations within rM metres of (lon, lat),
// in index order.
func (g *obsGrid) within(c engine.Carrier, lon, lat, rM float64) []int {
	dLat := rM / earthRadiusM * rad2deg
	dLon := dLat / max(math.Cos(lat*deg2rad), 0.01)
	var out []int
	for ix := int32(math.Floor((lon - dLon) / obsGridDeg)); ix <= int32(math.Floor((lon+dLon)/obsGridDeg)); ix++ {
		for iy := int32(math.Floor((lat - dLat) / obsGridDeg)); iy <= int32(math.Floor((lat+dLat)/obsGridDeg)); iy++ {
			for _, i := range g.cells[obsCell{c, ix, iy}] {
				if GreatCircleM(lon, lat, g.obs.Lon[i], g.obs.Lat[i]) <= rM {
					out = append(out, i)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// registerShiftsM and registerBearings are the displaced positions at
// which a mast that looks off the air is tried on the air: rings of 150 to
// 800 m in eight directions. Registers place masts hundreds of metres
// from where they stand (a survey on the road, a site moved since); near
// its registered position such a mast reads tens of dB below its
// prediction, as an off-air one does, but its signal is there.
var registerShiftsM = [...]float64{150, 300, 500, 800}

const registerBearings = 8

// displacedLogLR returns, for each displaced position of the mast's
// sectors (sites[ss]), the log-likelihood ratio of off against on the air
// there over the observations idx (groupSum by square of llr(i, signal of the
// displaced mast at i, NaN when it does not reach)).
func displacedLogLR(sites []engine.Site, ss []int, obs *OffAirObs, idx []int, cfg Config, llr func(i int, sig float64) float64) ([]float64, error) {
	pts := Points{Lon: make([]float64, len(idx)), Lat: make([]float64, len(idx)), Env: make([]Env, len(idx)), EnvFrac: make([]float64, len(idx))}
	for k, i := range idx {
		pts.Lon[k], pts.Lat[k], pts.Env[k], pts.EnvFrac[k] = obs.Lon[i], obs.Lat[i], obs.Env[i], obs.frac(i)
	}
	moved := make([]engine.Site, len(ss))
	sig := make([]float64, len(idx)) // by position in idx
	groups := squareGroups(obs, idx)
	var out []float64
	for _, d := range registerShiftsM {
		for b := range registerBearings {
			th := 2 * math.Pi * float64(b) / registerBearings
			for k, s := range ss {
				moved[k] = sites[s]
				lat := moved[k].Lat * deg2rad
				moved[k].Lat += d * math.Cos(th) / earthRadiusM * rad2deg
				moved[k].Lon += d * math.Sin(th) / (earthRadiusM * math.Cos(lat)) * rad2deg
			}
			// A handful of sectors: scanning them beats building the
			// pruned search's index (same result, BestServer's reference).
			r, err := bestServer(context.Background(), moved, pts, cfg, false, nil, nil)
			if err != nil {
				return nil, err
			}
			for k := range sig {
				sig[k] = math.NaN()
			}
			for j := range r.Len() {
				if k := r.Point[j]; r.Tech[j] == obs.Tech[idx[k]] {
					sig[k] = r.SignalDBm[j]
				}
			}
			out = append(out, groupSum(groups, func(k int) float64 { return llr(idx[k], sig[k]) }))
		}
	}
	return out, nil
}

// rowStarts returns, for a result over n points (rows sorted by point),
// where each point's rows start: point p's rows are [starts[p],
// starts[p+1]).
func rowStarts(r *Result, n int) []int32 {
	starts := make([]int32, n+1)
	for j := range r.Len() {
		starts[r.Point[j]+1] = int32(j + 1)
	}
	for p := 1; p < len(starts); p++ {
		starts[p] = max(starts[p], starts[p-1])
	}
	return starts
}

// offAirSquareM is the side of the squares within which observations
// count as one: their mean log-likelihood ratio. Shadowing decorrelates
// over 100–300 m (the radio map's fitted ranges; 3GPP TR 38.901 Table
// 7.5-6), so the tests of one stretch of road or one hamlet are one piece
// of evidence, not dozens.
const offAirSquareM = 200

// offAirSquare returns the offAirSquareM square holding a point (an
// equirectangular grid: squares narrow by cos(latitude), which within
// Viet Nam's 8–24° N is at most 9 %).
func offAirSquare(lon, lat float64) [2]int64 {
	const deg = offAirSquareM / 111320.0
	return [2]int64{int64(math.Floor(lon / deg)), int64(math.Floor(lat / deg))}
}

// medianOf returns the median of v (NaN when empty), reordering v.
func medianOf(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	slices.Sort(v)
	h := len(v) / 2
	if len(v)%2 == 1 {
		return v[h]
	}
	return (v[h-1] + v[h]) / 2
}

// SiteRef names a register's sector rows: a carrier's site_id, and when
// Placed, only its rows at the mast standing nearest Lon, Lat (for a
// site_id that masts farther apart than MastSpreadM share: the one at
// that position, not the other).
type SiteRef struct {
	Carrier  engine.Carrier
	SiteID   string
	Placed   bool
	Lon, Lat float64
}

// MarkOffAir returns sites with every row named in off (as OffAirMast's
// SiteIDs are: all of an off-air mast's sectors) set down, so that
// BestServer skips them and lists them in Result.Down. sites is not
// modified; with off empty it is returned as is.
func MarkOffAir(sites []engine.Site, off []SiteRef) []engine.Site {
	if len(off) == 0 {
		return sites
	}
	out := slices.Clone(sites)
	SetOffAir(out, off)
	return out
}

// SetOffAir is MarkOffAir setting the rows of sites itself down, for a
// caller that owns the register (no copy of its rows): the active rows
// OffAirRows names.
func SetOffAir(sites []engine.Site, off []SiteRef) {
	if len(off) == 0 {
		return
	}
	for i, named := range OffAirRows(sites, off) {
		if named && sites[i].Status == engine.StatusActive {
			sites[i].Status = engine.StatusDown
		}
	}
}

// OffAirRows reports, for each row of sites, whether off names it: a
// Placed ref the rows of its site_id in the mast (Masts) of the row of
// that site_id nearest its position; the others, every row of their
// site_id. Whatever the rows' status: a register already marked
// (SetOffAir) tells its off-air rows from those listed down this way.
func OffAirRows(sites []engine.Site, off []SiteRef) []bool {
	named := make([]bool, len(sites))
	if len(off) == 0 {
		return named
	}
	type idKey struct {
		c  engine.Carrier
		id string
	}
	set := make(map[idKey]bool, len(off))
	var placed []SiteRef
	for _, r := range off {
		if r.Placed {
			placed = append(placed, r)
		} else {
			set[idKey{r.Carrier, r.SiteID}] = true
		}
	}
	// Each placed ref's mast, by the row of its site_id nearest it.
	type idMast struct {
		k idKey
		m int32
	}
	at := map[idMast]bool{}
	var mast []int32
	if len(placed) > 0 {
		mast, _ = Masts(sites)
		rows := map[idKey][]int{}
		for i := range sites {
			k := idKey{sites[i].Carrier, sites[i].SiteID}
			rows[k] = append(rows[k], i)
		}
		for _, r := range placed {
			k := idKey{r.Carrier, r.SiteID}
			best, bestM := -1, math.Inf(1)
			for _, i := range rows[k] {
				if d := GreatCircleM(r.Lon, r.Lat, sites[i].Lon, sites[i].Lat); d < bestM {
					best, bestM = i, d
				}
			}
			if best >= 0 {
				at[idMast{k, mast[best]}] = true
			}
		}
	}
	for i := range sites {
		k := idKey{sites[i].Carrier, sites[i].SiteID}
		named[i] = set[k] || mast != nil && at[idMast{k, mast[i]}]
	}
	return named
}

// Refs returns the site rows of the masts judged off the air, sorted: a
// site_id the mast shares with masts elsewhere (SharedIDs) Placed at the
// mast's position.
func (r *OffAirResult) Refs() []SiteRef {
	var out []SiteRef
	for _, m := range r.Masts {
		if m.OffAir {
			for _, id := range m.SiteIDs {
				ref := SiteRef{Carrier: m.Carrier, SiteID: id}
				if slices.Contains(m.SharedIDs, id) {
					ref.Placed, ref.Lon, ref.Lat = true, m.Lon, m.Lat
				}
				out = append(out, ref)
			}
		}
	}
	slices.SortFunc(out, func(a, b SiteRef) int {
		return cmp.Or(cmp.Compare(a.Carrier, b.Carrier), strings.Compare(a.SiteID, b.SiteID),
			cmp.Compare(b2i(a.Placed), b2i(b.Placed)), cmp.Compare(a.Lon, b.Lon), cmp.Compare(a.Lat, b.Lat))
	})
	return slices.Compact(out)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// MinSpreadMasts is the number of masts with exact observations a network
// needs before the spread of the masts' own offsets (τ, mastSpread) is
// measured; with fewer, τ is 0 and every test of a mast is weighed
// against the network's offset alone, as when masts do not differ.
const MinSpreadMasts = 10

// mastResid is one mast's middle residual of one network (censoredMid of
// its observations' level − on-air prediction − the network's offset,
// weighted by squareWeights) and the total weight behind it (its
// squares: a square's observations weigh one together).
type mastResid struct{ mid, w float64 }

// squareWeights weighs each predicted observation 1/(the observations of
// its mast in its offAirSquareM square): a stretch of road or a hamlet
// is one piece of evidence on a mast, not dozens (offAirSquareM).
func squareWeights(obs *OffAirObs, site, mast []int32) []float64 {
	type key struct {
		m  int32
		sq [2]int64
	}
	count := map[key]int{}
	for i, s := range site {
		if s >= 0 {
			count[key{mast[s], offAirSquare(obs.Lon[i], obs.Lat[i])}]++
		}
	}
	w := make([]float64, len(site))
	for i, s := range site {
		if s >= 0 {
			w[i] = 1 / float64(count[key{mast[s], offAirSquare(obs.Lon[i], obs.Lat[i])}])
		}
	}
	return w
}

// mastSpread estimates τ, the spread of the masts' own offsets around
// their network's, and within, the spread of a mast's tests around its
// own offset, robustly (the off-air masts among them read tens of dB
// low) and from the upper half of the residuals, which bounds do not
// hide: within = 1.4826 × the median of dev, the exact residuals'
// departures above their mast's middle (masts of two squares or more;
// for a Gaussian, the upper half's median departure is 0.6745σ, as the
// median absolute one is), floored at MinOffAirSigmaDB; τ² = max(0,
// (1.4826·MAD(m_m))² − median(π/2 · within²/n_m)) over the masts'
// middles m_m of weight n_m ≥ 1 (their squares), π/2 · within²/n being
// the sampling variance of the median of n Gaussian draws: the method
// of moments of Shrink with medians for means. With fewer than
// MinSpreadMasts such masts, τ is 0 and within is σ, the network's
// spread.
func mastSpread(ms []mastResid, dev []float64, sigma float64) (tau, within float64) {
	var mids, samp []float64
	for _, m := range ms {
		if m.w >= 1 {
			mids = append(mids, m.mid)
			samp = append(samp, 1/m.w)
		}
	}
	if len(mids) < MinSpreadMasts || len(dev) == 0 {
		return 0, sigma
	}
	within = max(1.4826*medianOf(slices.Clone(dev)), MinOffAirSigmaDB)
	med := medianOf(slices.Clone(mids))
	d := make([]float64, len(mids))
	for i, v := range mids {
		d[i] = math.Abs(v - med)
	}
	mad := 1.4826 * medianOf(d)
	for i, f := range samp {
		samp[i] = math.Pi / 2 * within * within * f
	}
	return math.Sqrt(max(mad*mad-medianOf(samp), 0)), within
}

// censoredMid returns the median of residuals r weighted by w, of which
// some are bounds placed at their value: the true residual at or below
// r[i]. A bound placed at its value does not move the median when it lies
// at or below it (the true value lies below it too), so over exact
// readings and low bounds the median is exact; each bound above it makes
// the result an upper bound of the median. With equal weights it is
// medianOf's. NaN for no weight.
func censoredMid(r, w []float64) float64 {
	idx := make([]int, len(r))
	var total float64
	for i := range idx {
		idx[i] = i
		total += w[i]
	}
	if !(total > 0) {
		return math.NaN()
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Or(cmp.Compare(r[a], r[b]), cmp.Compare(a, b)) })
	half, cum := total/2, 0.0
	for j, i := range idx {
		cum += w[i]
		if cum > half*(1+1e-12) {
			return r[i]
		}
		if cum >= half*(1-1e-12) {
			if j+1 < len(idx) {
				return (r[i] + r[idx[j+1]]) / 2
			}
			return r[i]
		}
	}
	return r[idx[len(idx)-1]]
}

// upperHalfSpread returns 1.4826 × the median of the exact residuals'
// departures above their middle mid: a Gaussian's spread from the half
// of its residuals that low bounds (unread weak signals) and off-air
// masts (tens of dB low) leave alone. With fewer than three such
// departures, 1.4826 × the median absolute departure of every exact
// residual.
func upperHalfSpread(r []float64, upper []bool, mid float64) float64 {
	var up, all []float64
	for i, v := range r {
		if upper[i] {
			continue
		}
		d := v - mid
		all = append(all, math.Abs(d))
		if d > 0 {
			up = append(up, d)
		}
	}
	if len(up) >= 3 {
		return 1.4826 * medianOf(up)
	}
	return 1.4826 * medianOf(all)
}

// mastSpreadGridStep and mastSpreadGridHalf are the grid, in units of τ,
// over which a mast's own offset is integrated (mastLogLR): ±5τ in steps
// of τ/16, fine enough for the peak of a mast with a hundred squares of
// tests (its width within/10) at the spreads met (τ ≤ within).
const mastSpreadGridStep, mastSpreadGridHalf = 1.0 / 16, 80

// mastLogLR is a mast's log-likelihood ratio of off against on the air
// with its own offset b_t per technology t, b_t ~ N(0, τ_t²) (mastSpread)
// under either hypothesis — the tests' readings are a prediction plus b_t
// plus their own spread, on the air its prediction, off the air the other
// masts' (which a mast's tests see through the same terrain):
//
//	LLR = Σ_t log ∫ Π_i L_off,i(b)^w_i N(b; 0, τ_t²) db − log ∫ Π_i L_on,i(b)^w_i N(b; 0, τ_t²) db,
//
// the integrals on a grid (mastSpreadGridStep, mastSpreadGridHalf), w_i
// the observations' squareWeights. A healthy mast whose every test reads
// 10 dB low (a ridge between it and them) is then one unlikely draw of b,
// not a hundred unlikely readings. With τ_t under half a dB it is Σ_i w_i
// (log L_off,i − log L_on,i) at b = 0, the check of independent readings
// around the network's offset. levels is the same over the exact
// observations alone (upper false). spread returns observation i's τ and
// within (the spread the readings are weighed with); logs its log L_off
// and log L_on at offset b and spread sd.
func mastLogLR(idx []int, weight []float64, spread func(i int) (tau, within float64),
	logs func(i int, b, sd float64) (logOff, logOn float64), tech []engine.Tech, upper []bool) (all, levels float64) {
	byTech := map[engine.Tech][]int{}
	var techs []engine.Tech
	for _, i := range idx {
		t := tech[i]
		if byTech[t] == nil {
			techs = append(techs, t)
		}
		byTech[t] = append(byTech[t], i)
	}
	slices.Sort(techs)
	const points = 2*mastSpreadGridHalf + 1
	var lOff, lOn, eOff, eOn [points]float64
	for _, t := range techs {
		is := byTech[t]
		tau, sd := spread(is[0])
		if tau < 0.5 {
			for _, i := range is {
				f, o := logs(i, 0, sd)
				all += weight[i] * (f - o)
				if !upper[i] {
					levels += weight[i] * (f - o)
				}
			}
			continue
		}
		for j := range points {
			z := float64(j-mastSpreadGridHalf) * mastSpreadGridStep
			lOff[j], lOn[j] = -0.5*z*z, -0.5*z*z
			eOff[j], eOn[j] = lOff[j], lOn[j]
			b := tau * z
			for _, i := range is {
				f, o := logs(i, b, sd)
				lOff[j] += weight[i] * f
				lOn[j] += weight[i] * o
				if !upper[i] {
					eOff[j] += weight[i] * f
					eOn[j] += weight[i] * o
				}
			}
		}
		all += logSumExp(lOff[:]) - logSumExp(lOn[:])
		levels += logSumExp(eOff[:]) - logSumExp(eOn[:])
	}
	return all, levels
}

// logSumExp returns log Σ exp(v_k), computed stably.
func logSumExp(v []float64) float64 {
	hi := math.Inf(-1)
	for _, x := range v {
		hi = max(hi, x)
	}
	if math.IsInf(hi, -1) {
		return hi
	}
	s := 0.0
	for _, x := range v {
		s += math.Exp(x - hi)
	}
	return hi + math.Log(s)
}
