package export

import (
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

// column is one attribute column of a layer whose features are rows of
// type T: its name, its type and how a row's value is appended.
type column[T any] struct {
	name string
	typ  FieldType
	put  func(f *Field, r *T)
}

func ci[T any](name string, v func(*T) int64) column[T] {
	return column[T]{name, Integer, func(f *Field, r *T) { f.Ints = append(f.Ints, v(r)) }}
}
func cr[T any](name string, v func(*T) float64) column[T] {
	return column[T]{name, Real, func(f *Field, r *T) { f.Reals = append(f.Reals, v(r)) }}
}
func ct[T any](name string, v func(*T) string) column[T] {
	return column[T]{name, Text, func(f *Field, r *T) { f.Texts = append(f.Texts, v(r)) }}
}
func cb[T any](name string, v func(*T) bool) column[T] {
	return column[T]{name, Boolean, func(f *Field, r *T) { f.Bools = append(f.Bools, v(r)) }}
}

// newField returns an empty column of the type, sized for n values: the
// columns of a million hexes grown by appending would hold up to twice
// their size while they grow.
func newField(name string, typ FieldType, n int) Field {
	f := Field{Name: name, Type: typ}
	switch typ {
	case Integer:
		f.Ints = make([]int64, 0, n)
	case Real:
		f.Reals = make([]float64, 0, n)
	case Boolean:
		f.Bools = make([]bool, 0, n)
	default:
		f.Texts = make([]string, 0, n)
	}
	return f
}

// buildLayer makes a layer of one feature per row: its geometry and a
// value in each column, so every column has one value per feature.
func buildLayer[T any](name, desc string, g GeometryType, rows []T, geom func(*T) (orb.Geometry, error), cols ...column[T]) (Layer, error) {
	l := Layer{Name: name, Description: desc, Geometry: g, Geoms: make([]orb.Geometry, 0, len(rows)), Fields: make([]Field, len(cols))}
	for j, c := range cols {
		l.Fields[j] = newField(c.name, c.typ, len(rows))
	}
	for i := range rows {
		r := &rows[i]
		gm, err := geom(r)
		if err != nil {
			return Layer{}, err
		}
		l.Geoms = append(l.Geoms, gm)
		for j := range cols {
			cols[j].put(&l.Fields[j], r)
		}
	}
	return l, nil
}

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
	out := make([]Layer, 0, len(LayerNames))
	add := func(l Layer, err error) error {
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
	// A commune without an outline is a feature without geometry, not
	// a nil MultiPolygon.
	communeOutline := func(r *CommuneSummary) (orb.Geometry, error) {
		if r.Outline == nil {
			return nil, nil
		}
		return r.Outline, nil
	}

	if err := add(buildLayer("coverage_hex", "coverage state per H3 hex, carrier and technology", Polygon, m.Coverage,
		func(r *CoverageHex) (orb.Geometry, error) { return poly(r.Cell) },
		ct("h3", func(r *CoverageHex) string { return cellString(r.Cell) }),
		ct("carrier", func(r *CoverageHex) string { return r.Carrier }),
		ct("tech", func(r *CoverageHex) string { return r.Tech }),
		ct("state", func(r *CoverageHex) string { return r.State }),
		ct("source", func(r *CoverageHex) string { return r.Source }),
		ci("tests", func(r *CoverageHex) int64 { return r.Tests }),
		ci("failures", func(r *CoverageHex) int64 { return r.Failures }),
		cr("median_dbm", func(r *CoverageHex) float64 { return r.MedianDBm }),
		cr("predicted_dbm", func(r *CoverageHex) float64 { return r.PredictedDBm }),
		cr("sigma_db", func(r *CoverageHex) float64 { return r.SigmaDB }),
		cr("distance_m", func(r *CoverageHex) float64 { return r.DistanceM }),
		ct("serving_site", func(r *CoverageHex) string { return r.ServingSite }),
		ct("province_code", func(r *CoverageHex) string { return r.Province }),
		ct("province_name", func(r *CoverageHex) string { return r.ProvinceName }),
		ct("commune_code", func(r *CoverageHex) string { return r.Commune }),
		ct("commune_name", func(r *CoverageHex) string { return r.CommuneName }),
	)); err != nil {
		return nil, err
	}

	if err := add(buildLayer("coverage_best", "best 3G/4G/5G state of any carrier per H3 hex (the coverage stage's; uncovered in a dead zone, whose verdict from every test wins)", Polygon, m.Best,
		func(r *BestHex) (orb.Geometry, error) { return poly(r.Cell) },
		ct("h3", func(r *BestHex) string { return cellString(r.Cell) }),
		ct("state", func(r *BestHex) string { return r.State }),
		ct("source", func(r *BestHex) string { return r.Source }),
		ct("carrier", func(r *BestHex) string { return r.Carrier }),
		ct("tech", func(r *BestHex) string { return r.Tech }),
		ct("carriers", func(r *BestHex) string { return r.Carriers }),
		cb("has_2g", func(r *BestHex) bool { return r.Has2G }),
		cb("dead_zone", func(r *BestHex) bool { return r.Dead }),
		cr("p_dead", func(r *BestHex) float64 { return r.PDead }),
		ct("status", func(r *BestHex) string { return r.Status }),
		ci("households", func(r *BestHex) int64 { return r.Households }),
		ci("population", func(r *BestHex) int64 { return r.Population }),
		ct("province_code", func(r *BestHex) string { return r.Province }),
		ct("province_name", func(r *BestHex) string { return r.ProvinceName }),
		ct("commune_code", func(r *BestHex) string { return r.Commune }),
		ct("commune_name", func(r *BestHex) string { return r.CommuneName }),
	)); err != nil {
		return nil, err
	}

	if err := add(buildLayer("hexes", "populated hexes of the analysis with P(dead) and its status", Polygon, m.Hexes,
		func(r *Hex) (orb.Geometry, error) { return poly(r.Cell) },
		ct("h3", func(r *Hex) string { return cellString(r.Cell) }),
		ci("households", func(r *Hex) int64 { return r.Households }),
		ci("population", func(r *Hex) int64 { return r.Population }),
		cr("p_dead", func(r *Hex) float64 { return r.PDead }),
		ct("status", func(r *Hex) string { return r.Status }),
		ct("zone_id", func(r *Hex) string { return r.ZoneID }),
		ci("dead_zone_households", func(r *Hex) int64 { return r.DeadZoneHouseholds }),
		ct("province_code", func(r *Hex) string { return r.Province }),
		ct("province_name", func(r *Hex) string { return r.ProvinceName }),
		ct("commune_code", func(r *Hex) string { return r.Commune }),
		ct("commune_name", func(r *Hex) string { return r.CommuneName }),
	)); err != nil {
		return nil, err
	}

	if err := add(buildLayer("deadzones", "dead zones: touching populated hexes without 3G/4G/5G", MultiPolygon, m.Zones,
		func(r *Zone) (orb.Geometry, error) { return r.Outline, nil },
		ct("zone_id", func(r *Zone) string { return r.ID }),
		ci("hexes", func(r *Zone) int64 { return int64(r.Hexes) }),
		cr("area_km2", func(r *Zone) float64 { return r.AreaKm2 }),
		ci("households", func(r *Zone) int64 { return r.Households }),
		ci("population", func(r *Zone) int64 { return r.Population }),
		ci("villages", func(r *Zone) int64 { return int64(r.Villages) }),
		ci("villages_served", func(r *Zone) int64 { return int64(r.VillagesServed) }),
		ci("villages_uncertain", func(r *Zone) int64 { return int64(r.VillagesUncertain) }),
		ct("province_code", func(r *Zone) string { return r.Province }),
		ct("province_name", func(r *Zone) string { return r.ProvinceName }),
		ct("commune_code", func(r *Zone) string { return r.Commune }),
		ct("commune_name", func(r *Zone) string { return r.CommuneName }),
		ct("provinces", func(r *Zone) string { return r.Provinces }),
		ct("communes", func(r *Zone) string { return r.Communes }),
		cb("partly_2g", func(r *Zone) bool { return r.Partly2G }),
		ct("carriers_2g", func(r *Zone) string { return r.Carriers2G }),
		ct("nearest_sites", func(r *Zone) string { return r.NearestSites }),
	)); err != nil {
		return nil, err
	}

	if err := add(buildLayer("villages", "villages with their verdict at their own point", Point, m.Villages,
		func(r *Village) (orb.Geometry, error) { return orb.Point{r.Lon, r.Lat}, nil },
		ct("village_id", func(r *Village) string { return r.ID }),
		ct("name", func(r *Village) string { return r.Name }),
		ct("h3", func(r *Village) string { return cellString(r.Cell) }),
		ci("households", func(r *Village) int64 { return r.Households }),
		ct("level", func(r *Village) string { return r.Level }),
		ct("status", func(r *Village) string { return r.Status }),
		cr("p_dead", func(r *Village) float64 { return r.PDead }),
		cb("without_signal", func(r *Village) bool { return r.WithoutSignal }),
		ct("best_carrier", func(r *Village) string { return r.BestCarrier }),
		ct("best_tech", func(r *Village) string { return r.BestTech }),
		cr("best_mean_dbm", func(r *Village) float64 { return r.BestMeanDBm }),
		cr("best_sigma_db", func(r *Village) float64 { return r.BestSigmaDB }),
		ci("tests_300m", func(r *Village) int64 { return r.Tests300m }),
		ci("no_service_300m", func(r *Village) int64 { return r.NoService300m }),
		cr("nearest_test_m", func(r *Village) float64 { return r.NearestTestM }),
		ct("commune_code", func(r *Village) string { return r.Commune }),
		ct("commune_name", func(r *Village) string { return r.CommuneName }),
		ct("province_code", func(r *Village) string { return r.Province }),
		ct("province_name", func(r *Village) string { return r.ProvinceName }),
		ct("attribution", func(r *Village) string { return r.Attribution }),
		ct("given_commune_code", func(r *Village) string { return r.GivenCommune }),
	)); err != nil {
		return nil, err
	}

	if err := add(buildLayer("sites", "cell-site register: one row per sector and technology", Point, m.Sites,
		func(r *Site) (orb.Geometry, error) { return orb.Point{r.Lon, r.Lat}, nil },
		ct("site_id", func(r *Site) string { return r.SiteID }),
		ct("carrier", func(r *Site) string { return r.Carrier }),
		ct("tech", func(r *Site) string { return r.Tech }),
		ct("h3", func(r *Site) string { return cellString(r.Cell) }),
		cr("band_mhz", func(r *Site) float64 { return r.BandMHz }),
		cr("height_m", func(r *Site) float64 { return r.HeightM }),
		ct("status", func(r *Site) string { return r.Status }),
		ct("backhaul", func(r *Site) string { return r.Backhaul }),
	)); err != nil {
		return nil, err
	}

	if err := add(buildLayer("plan", "universal-service investment plan: funded sites by rank", Point, m.Plan,
		func(r *PlanPoint) (orb.Geometry, error) { return orb.Point{r.Lon, r.Lat}, nil },
		ci("rank", func(r *PlanPoint) int64 { return r.Rank }),
		ct("candidate", func(r *PlanPoint) string { return r.Candidate }),
		ct("source", func(r *PlanPoint) string { return r.Source }),
		ct("h3", func(r *PlanPoint) string { return cellString(r.Cell) }),
		ci("households_newly_covered", func(r *PlanPoint) int64 { return r.HouseholdsNewlyCovered }),
		ci("cumulative_households", func(r *PlanPoint) int64 { return r.CumulativeHouseholds }),
		ci("cost_vnd", func(r *PlanPoint) int64 { return r.CostVND }),
		ci("cumulative_cost_vnd", func(r *PlanPoint) int64 { return r.CumulativeCostVND }),
		ci("cost_per_household_vnd", func(r *PlanPoint) int64 { return r.CostPerHouseholdVND }),
		ci("dead_hexes_covered", func(r *PlanPoint) int64 { return r.DeadHexesCovered }),
		ct("power", func(r *PlanPoint) string { return r.Power }),
		ct("backhaul", func(r *PlanPoint) string { return r.Backhaul }),
		ct("province_code", func(r *PlanPoint) string { return r.Province }),
		ct("province_name", func(r *PlanPoint) string { return r.ProvinceName }),
		ct("commune_code", func(r *PlanPoint) string { return r.Commune }),
		ct("commune_name", func(r *PlanPoint) string { return r.CommuneName }),
	)); err != nil {
		return nil, err
	}

	if err := add(buildLayer("communes_summary", "per commune: villages without signal and dead-zone households", MultiPolygon, m.Communes,
		communeOutline,
		ct("commune_code", func(r *CommuneSummary) string { return r.Code }),
		ct("commune_name", func(r *CommuneSummary) string { return r.Name }),
		ct("province_code", func(r *CommuneSummary) string { return r.Province }),
		ct("province_name", func(r *CommuneSummary) string { return r.ProvinceName }),
		ci("villages", func(r *CommuneSummary) int64 { return r.Villages }),
		ci("villages_without_signal", func(r *CommuneSummary) int64 { return r.WithoutSignal }),
		ci("villages_2g_only", func(r *CommuneSummary) int64 { return r.Only2G }),
		ci("households_without_signal", func(r *CommuneSummary) int64 { return r.HouseholdsWithoutSignal }),
		ci("villages_uncertain", func(r *CommuneSummary) int64 { return r.Uncertain }),
		ci("households_uncertain", func(r *CommuneSummary) int64 { return r.HouseholdsUncertain }),
		ci("dead_hexes", func(r *CommuneSummary) int64 { return r.DeadHexes }),
		ci("dead_zone_households", func(r *CommuneSummary) int64 { return r.DeadZoneHouseholds }),
	)); err != nil {
		return nil, err
	}
	return out, nil
}
