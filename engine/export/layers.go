package export

import (
	"fmt"

	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/paulmach/orb"
)

// FieldType is the type of an attribute column.
type FieldType uint8

// Field types. Integer is a 64-bit integer; Real a double whose NaN is
// NULL; Text UTF-8 whose empty string is NULL; Boolean true/false.
const (
	Integer FieldType = iota + 1
	Real
	Text
	Boolean
)

// Field is one attribute column of a layer; the slice of its type is set.
type Field struct {
	Name  string
	Type  FieldType
	Ints  []int64
	Reals []float64
	Texts []string
	Bools []bool
}

// GeometryType is a layer's geometry type, as GeoPackage and PostGIS
// name it.
type GeometryType string

// Geometry types of the layers.
const (
	Point        GeometryType = "POINT"
	Polygon      GeometryType = "POLYGON"
	MultiPolygon GeometryType = "MULTIPOLYGON"
)

// Layer is one table of features: a geometry per row (nil = no geometry)
// and attribute columns of the same length.
type Layer struct {
	Name        string
	Description string
	Geometry    GeometryType
	Geoms       []orb.Geometry
	Fields      []Field
}

// Len returns the number of features.
func (l *Layer) Len() int { return len(l.Geoms) }

// Bound returns the envelope of the layer's geometries; ok is false when
// it has none.
func (l *Layer) Bound() (orb.Bound, bool) {
	var b orb.Bound
	ok := false
	for _, g := range l.Geoms {
		if g == nil {
			continue
		}
		if !ok {
			b, ok = g.Bound(), true
			continue
		}
		b = b.Union(g.Bound())
	}
	return b, ok
}

// layerBuilder accumulates columns row by row.
type layerBuilder struct {
	l   Layer
	idx map[string]int
}

func newLayer(name, desc string, g GeometryType, fields ...Field) *layerBuilder {
	b := &layerBuilder{l: Layer{Name: name, Description: desc, Geometry: g, Fields: fields}, idx: map[string]int{}}
	for i, f := range fields {
		b.idx[f.Name] = i
	}
	return b
}

// reserve sizes the layer for n features: the columns of a million hexes
// grown by appending would hold up to twice their size while they grow.
func (b *layerBuilder) reserve(n int) *layerBuilder {
	b.l.Geoms = make([]orb.Geometry, 0, n)
	for i := range b.l.Fields {
		f := &b.l.Fields[i]
		switch f.Type {
		case Integer:
			f.Ints = make([]int64, 0, n)
		case Real:
			f.Reals = make([]float64, 0, n)
		case Boolean:
			f.Bools = make([]bool, 0, n)
		default:
			f.Texts = make([]string, 0, n)
		}
	}
	return b
}

func (b *layerBuilder) geom(g orb.Geometry) { b.l.Geoms = append(b.l.Geoms, g) }
func (b *layerBuilder) i(name string, v int64) {
	f := &b.l.Fields[b.idx[name]]
	f.Ints = append(f.Ints, v)
}
func (b *layerBuilder) r(name string, v float64) {
	f := &b.l.Fields[b.idx[name]]
	f.Reals = append(f.Reals, v)
}
func (b *layerBuilder) t(name string, v string) {
	f := &b.l.Fields[b.idx[name]]
	f.Texts = append(f.Texts, v)
}
func (b *layerBuilder) b(name string, v bool) {
	f := &b.l.Fields[b.idx[name]]
	f.Bools = append(f.Bools, v)
}

// done checks that every column has one value per feature.
func (b *layerBuilder) done() (Layer, error) {
	n := len(b.l.Geoms)
	for _, f := range b.l.Fields {
		if l := max(len(f.Ints), len(f.Reals), len(f.Texts), len(f.Bools)); l != n {
			return Layer{}, fmt.Errorf("export: layer %s column %s has %d values for %d features", b.l.Name, f.Name, l, n)
		}
	}
	return b.l, nil
}

func fi(name string) Field { return Field{Name: name, Type: Integer, Ints: []int64{}} }
func fr(name string) Field { return Field{Name: name, Type: Real, Reals: []float64{}} }
func ft(name string) Field { return Field{Name: name, Type: Text, Texts: []string{}} }
func fb(name string) Field { return Field{Name: name, Type: Boolean, Bools: []bool{}} }

func cellString(c hexgrid.Cell) string {
	if c == 0 {
		return ""
	}
	return c.String()
}

func hexPolygon(c hexgrid.Cell) (orb.Geometry, error) {
	r, err := c.Boundary()
	if err != nil {
		return nil, err
	}
	return orb.Polygon{r}, nil
}

// LayerNames are the layers of every export, in order.
var LayerNames = []string{"coverage_hex", "coverage_best", "hexes", "deadzones", "villages", "sites", "plan", "communes_summary"}

// Layers returns the month's tables as layers, in LayerNames order.
func Layers(m *Month) ([]Layer, error) {
	var out []Layer
	add := func(b *layerBuilder) error {
		l, err := b.done()
		if err != nil {
			return err
		}
		out = append(out, l)
		return nil
	}
	hexPoly := map[hexgrid.Cell]orb.Geometry{}
	poly := func(c hexgrid.Cell) (orb.Geometry, error) {
		if g, ok := hexPoly[c]; ok {
			return g, nil
		}
		g, err := hexPolygon(c)
		if err != nil {
			return nil, err
		}
		hexPoly[c] = g
		return g, nil
	}

	b := newLayer("coverage_hex", "coverage state per H3 hex, carrier and technology", Polygon,
		ft("h3"), ft("carrier"), ft("tech"), ft("state"), ft("source"), fi("tests"), fi("failures"),
		fr("median_dbm"), fr("predicted_dbm"), fr("sigma_db"), fr("distance_m"), ft("serving_site"),
		ft("province_code"), ft("province_name"), ft("commune_code"), ft("commune_name")).reserve(len(m.Coverage))
	for _, h := range m.Coverage {
		g, err := poly(h.Cell)
		if err != nil {
			return nil, err
		}
		b.geom(g)
		b.t("h3", cellString(h.Cell))
		b.t("carrier", h.Carrier)
		b.t("tech", h.Tech)
		b.t("state", h.State)
		b.t("source", h.Source)
		b.i("tests", h.Tests)
		b.i("failures", h.Failures)
		b.r("median_dbm", h.MedianDBm)
		b.r("predicted_dbm", h.PredictedDBm)
		b.r("sigma_db", h.SigmaDB)
		b.r("distance_m", h.DistanceM)
		b.t("serving_site", h.ServingSite)
		b.t("province_code", h.Province)
		b.t("province_name", h.ProvinceName)
		b.t("commune_code", h.Commune)
		b.t("commune_name", h.CommuneName)
	}
	if err := add(b); err != nil {
		return nil, err
	}

	b = newLayer("coverage_best", "best 3G/4G/5G state of any carrier per H3 hex (the coverage stage's; uncovered in a dead zone, whose verdict from every test wins)", Polygon,
		ft("h3"), ft("state"), ft("source"), ft("carrier"), ft("tech"), ft("carriers"), fb("has_2g"), fb("dead_zone"),
		fr("p_dead"), ft("status"), fi("households"), fi("population"), ft("province_code"), ft("province_name"), ft("commune_code"), ft("commune_name")).reserve(len(m.Best))
	for _, h := range m.Best {
		g, err := poly(h.Cell)
		if err != nil {
			return nil, err
		}
		b.geom(g)
		b.t("h3", cellString(h.Cell))
		b.t("state", h.State)
		b.t("source", h.Source)
		b.t("carrier", h.Carrier)
		b.t("tech", h.Tech)
		b.t("carriers", h.Carriers)
		b.b("has_2g", h.Has2G)
		b.b("dead_zone", h.Dead)
		b.r("p_dead", h.PDead)
		b.t("status", h.Status)
		b.i("households", h.Households)
		b.i("population", h.Population)
		b.t("province_code", h.Province)
		b.t("province_name", h.ProvinceName)
		b.t("commune_code", h.Commune)
		b.t("commune_name", h.CommuneName)
	}
	if err := add(b); err != nil {
		return nil, err
	}

	b = newLayer("hexes", "populated hexes of the analysis with P(dead) and its status", Polygon,
		ft("h3"), fi("households"), fi("population"), fr("p_dead"), ft("status"), ft("zone_id"), fi("dead_zone_households"),
		ft("province_code"), ft("province_name"), ft("commune_code"), ft("commune_name")).reserve(len(m.Hexes))
	for _, h := range m.Hexes {
		g, err := poly(h.Cell)
		if err != nil {
			return nil, err
		}
		b.geom(g)
		b.t("h3", cellString(h.Cell))
		b.i("households", h.Households)
		b.i("population", h.Population)
		b.r("p_dead", h.PDead)
		b.t("status", h.Status)
		b.t("zone_id", h.ZoneID)
		b.i("dead_zone_households", h.DeadZoneHouseholds)
		b.t("province_code", h.Province)
		b.t("province_name", h.ProvinceName)
		b.t("commune_code", h.Commune)
		b.t("commune_name", h.CommuneName)
	}
	if err := add(b); err != nil {
		return nil, err
	}

	b = newLayer("deadzones", "dead zones: touching populated hexes without 3G/4G/5G", MultiPolygon,
		ft("zone_id"), fi("hexes"), fr("area_km2"), fi("households"), fi("population"), fi("villages"), fi("villages_served"),
		fi("villages_uncertain"), ft("province_code"), ft("province_name"), ft("commune_code"), ft("commune_name"),
		fb("partly_2g"), ft("carriers_2g"), ft("nearest_sites")).reserve(len(m.Zones))
	for _, z := range m.Zones {
		b.geom(z.Outline)
		b.t("zone_id", z.ID)
		b.i("hexes", int64(z.Hexes))
		b.r("area_km2", z.AreaKm2)
		b.i("households", z.Households)
		b.i("population", z.Population)
		b.i("villages", int64(z.Villages))
		b.i("villages_served", int64(z.VillagesServed))
		b.i("villages_uncertain", int64(z.VillagesUncertain))
		b.t("province_code", z.Province)
		b.t("province_name", z.ProvinceName)
		b.t("commune_code", z.Commune)
		b.t("commune_name", z.CommuneName)
		b.b("partly_2g", z.Partly2G)
		b.t("carriers_2g", z.Carriers2G)
		b.t("nearest_sites", z.NearestSites)
	}
	if err := add(b); err != nil {
		return nil, err
	}

	b = newLayer("villages", "villages with their verdict at their own point", Point,
		ft("village_id"), ft("name"), ft("h3"), fi("households"), ft("level"), ft("status"), fr("p_dead"),
		fb("without_signal"), ft("best_carrier"), ft("best_tech"), fr("best_mean_dbm"), fr("best_sigma_db"), fi("tests_300m"),
		fi("no_service_300m"), fr("nearest_test_m"), ft("commune_code"), ft("commune_name"), ft("province_code"), ft("province_name"), ft("attribution")).reserve(len(m.Villages))
	for _, v := range m.Villages {
		b.geom(orb.Point{v.Lon, v.Lat})
		b.t("village_id", v.ID)
		b.t("name", v.Name)
		b.t("h3", cellString(v.Cell))
		b.i("households", v.Households)
		b.t("level", v.Level)
		b.t("status", v.Status)
		b.r("p_dead", v.PDead)
		b.b("without_signal", v.WithoutSignal)
		b.t("best_carrier", v.BestCarrier)
		b.t("best_tech", v.BestTech)
		b.r("best_mean_dbm", v.BestMeanDBm)
		b.r("best_sigma_db", v.BestSigmaDB)
		b.i("tests_300m", v.Tests300m)
		b.i("no_service_300m", v.NoService300m)
		b.r("nearest_test_m", v.NearestTestM)
		b.t("commune_code", v.Commune)
		b.t("commune_name", v.CommuneName)
		b.t("province_code", v.Province)
		b.t("province_name", v.ProvinceName)
		b.t("attribution", v.Attribution)
	}
	if err := add(b); err != nil {
		return nil, err
	}

	b = newLayer("sites", "cell-site register: one row per sector and technology", Point,
		ft("site_id"), ft("carrier"), ft("tech"), ft("h3"), fr("band_mhz"), fr("height_m"), ft("status"), ft("backhaul")).reserve(len(m.Sites))
	for _, s := range m.Sites {
		b.geom(orb.Point{s.Lon, s.Lat})
		b.t("site_id", s.SiteID)
		b.t("carrier", s.Carrier)
		b.t("tech", s.Tech)
		b.t("h3", cellString(s.Cell))
		b.r("band_mhz", s.BandMHz)
		b.r("height_m", s.HeightM)
		b.t("status", s.Status)
		b.t("backhaul", s.Backhaul)
	}
	if err := add(b); err != nil {
		return nil, err
	}

	b = newLayer("plan", "universal-service investment plan: funded sites by rank", Point,
		fi("rank"), ft("candidate"), ft("source"), ft("h3"), fi("households_newly_covered"), fi("cumulative_households"),
		fi("cost_vnd"), fi("cumulative_cost_vnd"), fi("cost_per_household_vnd"), fi("dead_hexes_covered"),
		ft("power"), ft("backhaul"), ft("province_code"), ft("province_name"), ft("commune_code"), ft("commune_name")).reserve(len(m.Plan))
	for _, p := range m.Plan {
		b.geom(orb.Point{p.Lon, p.Lat})
		b.i("rank", p.Rank)
		b.t("candidate", p.Candidate)
		b.t("source", p.Source)
		b.t("h3", cellString(p.Cell))
		b.i("households_newly_covered", p.HouseholdsNewlyCovered)
		b.i("cumulative_households", p.CumulativeHouseholds)
		b.i("cost_vnd", p.CostVND)
		b.i("cumulative_cost_vnd", p.CumulativeCostVND)
		b.i("cost_per_household_vnd", p.CostPerHouseholdVND)
		b.i("dead_hexes_covered", p.DeadHexesCovered)
		b.t("power", p.Power)
		b.t("backhaul", p.Backhaul)
		b.t("province_code", p.Province)
		b.t("province_name", p.ProvinceName)
		b.t("commune_code", p.Commune)
		b.t("commune_name", p.CommuneName)
	}
	if err := add(b); err != nil {
		return nil, err
	}

	b = newLayer("communes_summary", "per commune: villages without signal and dead-zone households", MultiPolygon,
		ft("commune_code"), ft("commune_name"), ft("province_code"), ft("province_name"), fi("villages"),
		fi("villages_without_signal"), fi("villages_2g_only"), fi("households_without_signal"),
		fi("villages_uncertain"), fi("households_uncertain"),
		fi("dead_hexes"), fi("dead_zone_households")).reserve(len(m.Communes))
	for _, c := range m.Communes {
		if c.Outline != nil {
			b.geom(c.Outline)
		} else {
			b.geom(nil)
		}
		b.t("commune_code", c.Code)
		b.t("commune_name", c.Name)
		b.t("province_code", c.Province)
		b.t("province_name", c.ProvinceName)
		b.i("villages", c.Villages)
		b.i("villages_without_signal", c.WithoutSignal)
		b.i("villages_2g_only", c.Only2G)
		b.i("households_without_signal", c.HouseholdsWithoutSignal)
		b.i("villages_uncertain", c.Uncertain)
		b.i("households_uncertain", c.HouseholdsUncertain)
		b.i("dead_hexes", c.DeadHexes)
		b.i("dead_zone_households", c.DeadZoneHouseholds)
	}
	if err := add(b); err != nil {
		return nil, err
	}
	return out, nil
}
