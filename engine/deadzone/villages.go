package deadzone

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/paulmach/orb"
)

// VillageOptions configures Villages.
type VillageOptions struct {
	// RadiusM is how far from a village's point a hex centre may lie for
	// the hex's service to count for the village, metres. Default 500.
	RadiusM float64
	// Local, when set, may decide a village from the evidence at its own
	// point: when it reports ok, the village takes the verdict (its level
	// is Verdict.Level at Cut) and the evidence near it, instead of the
	// hexes' level.
	Local func(v Village) (Verdict, Nearby, bool)
	// Evidence, when set, gives the evidence near a village that Local
	// did not decide (decided by its hexes): the tests near its point
	// are published whatever decides it.
	Evidence func(v Village) (Nearby, bool)
	// Cut is the probability of being dead from which a village with a
	// verdict is without signal. Default 0.5.
	Cut float64
}

// Nearby is the measured evidence near a village's point, published with
// its verdict.
type Nearby struct {
	// Tests within NearbyRadiusM of the point, any carrier, technology and
	// environment; NoService of them without service (no network,
	// emergency calls only, or a censored reading: engine.Censored).
	Tests, NoService int
	// NearestTestM is the distance to the nearest test; +Inf when unknown.
	NearestTestM float64
}

// NearbyRadiusM is the radius of Nearby's counts, metres.
const NearbyRadiusM = 300

// DefaultVillageOptions returns the documented defaults.
func DefaultVillageOptions() VillageOptions { return VillageOptions{RadiusM: 500, Cut: 0.5} }

// Validate checks that RadiusM is finite and not negative and that Cut is
// 0 (the default) or in (0, 1).
func (o VillageOptions) Validate() error {
	if math.IsNaN(o.RadiusM) || math.IsInf(o.RadiusM, 0) || o.RadiusM < 0 {
		return fmt.Errorf("deadzone: village radius %g m must be finite and ≥ 0: %w", o.RadiusM, engine.ErrInvalidConfig)
	}
	if o.Cut != 0 && !(o.Cut > 0 && o.Cut < 1) {
		return fmt.Errorf("deadzone: village cut %g outside (0, 1): %w", o.Cut, engine.ErrInvalidConfig)
	}
	return nil
}

// VillageStatus is a village with its best service.
type VillageStatus struct {
	Village
	Cell     hexgrid.Cell // the hex of its point; zero if it cannot be indexed
	Province string       // from Input.VillageAdmin, else CommuneProvince, else the hex's Admin
	Level    Level

	// Commune is the commune attributed (Input.VillageAdmin), else the
	// village's own CommuneCode; Attribution says how (AttributedByCode,
	// AttributedByPoint, AttributedProvinceOnly, AttributedOutside).
	Commune, Attribution string
	// HasVerdict is set when VillageOptions.Local decided the village;
	// Verdict is then its verdict. HasNearby is set when Nearby holds
	// the evidence near its point (from Local, else
	// VillageOptions.Evidence).
	HasVerdict bool
	Verdict    Verdict
	HasNearby  bool
	Nearby     Nearby
}

// WithoutSignal reports the ministry's "village without mobile signal":
// no 3G/4G (2G-only counts as without).
func (v VillageStatus) WithoutSignal() bool { return v.Level != Covered }

// Uncertain reports a village counted as served (not WithoutSignal) on a
// verdict not at least likely served: P(dead) below the cut but above
// 0.2 (status Uncertain, or worse with a cut above 0.8), so that it may
// well be without 3G/4G.
func (v VillageStatus) Uncertain() bool {
	return !v.WithoutSignal() && v.HasVerdict && StatusOf(v.Verdict.PDead) > LikelyServed
}

// LevelName is the village's level as published (the villages tables'
// level): Level's name, but "uncertain" for an Uncertain village, which
// counts as served without being known to be.
func (v VillageStatus) LevelName() string {
	if v.Uncertain() {
		return LevelUncertain
	}
	return v.Level.String()
}

// LevelUncertain is LevelName's name of an Uncertain village.
const LevelUncertain = "uncertain"

// VillageCount is the ministry's figure for one unit.
type VillageCount struct {
	Code                    string
	Villages                int
	WithoutSignal           int
	Only2G                  int // of WithoutSignal, those with 2G
	HouseholdsWithoutSignal float64
	// Uncertain are the villages counted as served on an uncertain
	// verdict (VillageStatus.Uncertain), not in WithoutSignal;
	// HouseholdsUncertain their households.
	Uncertain           int
	HouseholdsUncertain float64
}

// Add counts v in c: one village more, and, by its verdict, one more
// without signal (WithoutSignal; Only2G of them with 2G) or counted as
// served on an uncertain verdict (VillageStatus.Uncertain), with its
// households. Every count of villages per unit (ByCommune, ByProvince,
// and the rows of the villages no unit holds) is made of Add.
func (c *VillageCount) Add(v VillageStatus) {
	c.Villages++
	if v.WithoutSignal() {
		c.WithoutSignal++
		c.HouseholdsWithoutSignal += v.Households
		if v.Level == Only2G {
			c.Only2G++
		}
	}
	if v.Uncertain() {
		c.Uncertain++
		c.HouseholdsUncertain += v.Households
	}
}

// ZonesUncertain counts, for each zone, the villages of its Served
// counted as served on an uncertain verdict (VillageStatus.Uncertain:
// P(dead) below the cut but above 0.2) among villages: the zones'
// villages_uncertain of deadzones.csv, deadzones.geojson and the
// export's deadzones layer, and the report's "(n uncertain)".
func ZonesUncertain(zones []Zone, villages VillageReport) []int {
	uncertain := map[string]bool{}
	for _, v := range villages.Villages {
		if v.Uncertain() {
			uncertain[v.ID] = true
		}
	}
	out := make([]int, len(zones))
	for i, z := range zones {
		for _, id := range z.Served {
			if uncertain[id] {
				out[i]++
			}
		}
	}
	return out
}

// VillageReport is the village analysis.
type VillageReport struct {
	Villages   []VillageStatus // by commune code, then id
	ByCommune  []VillageCount  // by code
	ByProvince []VillageCount  // by code; villages without province are left out
	// Cut is the p_dead from which a village with a verdict is without
	// 3G/4G (VillageOptions.Cut as it took effect).
	Cut float64
}

// ForProvince returns the report of the villages of one province (by
// their Province) and of the villages outside every province, with the
// province's count and the counts of the communes those villages are in:
// a run limited to a province analyses its hexes, and the villages of
// other provinces it decided on the way are not its results (those
// outside every province stay, so that they are seen).
func (r VillageReport) ForProvince(code string) VillageReport {
	return r.Without(func(v VillageStatus) bool { return v.Province != code && v.Province != "" })
}

// Without returns the report without the villages drop reports, and
// without the counts of the communes and provinces left with none of the
// report's villages: places a run did not analyse.
func (r VillageReport) Without(drop func(VillageStatus) bool) VillageReport {
	out := VillageReport{Villages: []VillageStatus{}, ByCommune: []VillageCount{}, ByProvince: []VillageCount{}, Cut: r.Cut}
	communes, provinces := map[string]bool{}, map[string]bool{}
	for _, v := range r.Villages {
		if !drop(v) {
			out.Villages = append(out.Villages, v)
			communes[v.Commune], provinces[v.Province] = true, true
		}
	}
	for _, c := range r.ByCommune {
		if communes[c.Code] {
			out.ByCommune = append(out.ByCommune, c)
		}
	}
	for _, c := range r.ByProvince {
		if provinces[c.Code] {
			out.ByProvince = append(out.ByProvince, c)
		}
	}
	return out
}

// Villages gives each village its level: from its own verdict when
// opt.Local decides it (Covered when P(dead) < opt.Cut, else Only2G or
// NoSignal), otherwise the best service among its own hex and the hexes
// whose centre lies within opt.RadiusM of its point: Covered (3G, 4G or 5G
// by some carrier), Only2G or NoSignal; and counts the villages without
// signal (not Covered), and those counted as served on an uncertain
// verdict (VillageStatus.Uncertain), per commune and per province.
//
// The hexes searched are the grid disk of radius k around the village's
// hex, k = ceil(RadiusM / (0.8·√3·edge)) + 1 with the resolution's average
// edge length (√3·edge is the distance between neighbouring centres; 0.8
// allows for hexes smaller than average), filtered by great-circle
// distance from the village to each centre.
func Villages(in Input, opt VillageOptions) (VillageReport, error) {
	if err := opt.Validate(); err != nil {
		return VillageReport{}, err
	}
	w, err := newWorld(in)
	if err != nil {
		return VillageReport{}, err
	}
	edgeKm, err := hexgrid.AvgEdgeKm(w.res)
	if err != nil {
		return VillageReport{}, err
	}
	k := int(math.Ceil(opt.RadiusM/(0.8*math.Sqrt(3)*edgeKm*1000))) + 1
	var rep VillageReport
	comm, prov := map[string]*VillageCount{}, map[string]*VillageCount{}
	count := func(m map[string]*VillageCount, code string, v VillageStatus) {
		c := m[code]
		if c == nil {
			c = &VillageCount{Code: code}
			m[code] = c
		}
		c.Add(v)
	}
	cut := opt.Cut
	if cut == 0 {
		cut = 0.5
	}
	rep.Cut = cut
	if len(in.Villages) > 0 {
		rep.Villages = make([]VillageStatus, 0, len(in.Villages))
	}
	for i, v := range in.Villages {
		st := VillageStatus{Village: v}
		pt := orb.Point{v.Lon, v.Lat}
		if opt.Local != nil {
			st.Verdict, st.Nearby, st.HasVerdict = opt.Local(v)
			st.HasNearby = st.HasVerdict
		}
		if !st.HasNearby && opt.Evidence != nil {
			st.Nearby, st.HasNearby = opt.Evidence(v)
		}
		if c, ok := pointCell(pt, w.res); ok {
			st.Cell = c
			st.Level = w.level(c)
			if st.HasVerdict {
				st.Level = st.Verdict.Level(cut)
			} else if st.Level != Covered && k > 0 {
				disk, err := c.Disk(k)
				if err != nil {
					return VillageReport{}, err
				}
				for _, d := range disk {
					l := w.level(d)
					if l <= st.Level {
						continue
					}
					ctr, err := d.Center()
					if err != nil {
						return VillageReport{}, err
					}
					if hexgrid.GreatCircleM(pt, ctr) <= opt.RadiusM {
						st.Level = l
					}
				}
			}
		}
		a := in.villageAdmin(i, v, st.Cell)
		st.Province, st.Commune, st.Attribution = a.Province, a.Commune, a.Attribution
		rep.Villages = append(rep.Villages, st)
		count(comm, st.Commune, st)
		if st.Province != "" {
			count(prov, st.Province, st)
		}
	}
	slices.SortStableFunc(rep.Villages, func(a, b VillageStatus) int {
		if c := strings.Compare(a.CommuneCode, b.CommuneCode); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	rep.ByCommune = sortedCounts(comm)
	rep.ByProvince = sortedCounts(prov)
	return rep, nil
}

func sortedCounts(m map[string]*VillageCount) []VillageCount {
	out := make([]VillageCount, 0, len(m))
	for _, c := range m {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b VillageCount) int { return strings.Compare(a.Code, b.Code) })
	return out
}
