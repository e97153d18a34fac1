package geodata

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"sync"

	"github.com/lomsong/lomsong/engine"
	"github.com/paulmach/orb"
)

//go:embed data/vn_provinces_2019_naturalearth.geojson
var provinces2019GeoJSON []byte

//go:embed data/vn_provinces_census2019.csv
var census2019CSV []byte

// ProvinceCensus holds one province's figures from the 1 April 2019
// census. For 2019 provinces Code2025/Name2025 give the 2025 province it
// merged into; for 2025 provinces (Census2025) they equal Code/Name.
type ProvinceCensus struct {
	Code            string // GSO 2-digit code
	ISO             string // ISO 3166-2 code (empty for 2025 provinces)
	Name            string
	Code2025        string
	Name2025        string
	Population      int64
	PopulationUrban int64
	Households      int64
	HouseholdsUrban int64
	HouseholdsRural int64
}

// AvgHouseholdSize returns persons per household (0 when no households).
func (c ProvinceCensus) AvgHouseholdSize() float64 {
	if c.Households == 0 {
		return 0
	}
	return float64(c.Population) / float64(c.Households)
}

var census2019 = sync.OnceValues(func() ([]ProvinceCensus, error) {
	return parseCensus(census2019CSV)
})

func parseCensus(data []byte) ([]ProvinceCensus, error) {
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("geodata: census csv: %w", err)
	}
	want := []string{"gso_code_2019", "iso_3166_2", "name_2019", "gso_code_2025", "name_2025",
		"population_2019", "population_urban_2019", "households_2019", "households_urban_2019", "households_rural_2019"}
	if len(recs) == 0 || len(recs[0]) != len(want) {
		return nil, fmt.Errorf("geodata: census csv: unexpected header")
	}
	for i, h := range want {
		if recs[0][i] != h {
			return nil, fmt.Errorf("geodata: census csv: column %d is %q, want %q", i+1, recs[0][i], h)
		}
	}
	out := make([]ProvinceCensus, 0, len(recs)-1)
	for li, r := range recs[1:] {
		var n [5]int64
		for k := range n {
			v, err := strconv.ParseInt(r[5+k], 10, 64)
			if err != nil || v < 0 {
				return nil, fmt.Errorf("geodata: census csv line %d column %s: bad count %q", li+2, want[5+k], r[5+k])
			}
			n[k] = v
		}
		out = append(out, ProvinceCensus{Code: r[0], ISO: r[1], Name: r[2], Code2025: r[3], Name2025: r[4],
			Population: n[0], PopulationUrban: n[1], Households: n[2], HouseholdsUrban: n[3], HouseholdsRural: n[4]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, nil
}

// mustCensus returns the parsed embedded census. The embedded file is
// checked by the package tests, so a failure here is a build defect: it
// panics.
func mustCensus() []ProvinceCensus {
	c, err := census2019()
	if err != nil {
		panic(err)
	}
	return c
}

// Census2019 returns the 63 provinces' 2019 census figures, sorted by code.
// Totals: 96,208,984 people, 26,870,079 households.
func Census2019() []ProvinceCensus {
	return append([]ProvinceCensus(nil), mustCensus()...)
}

// Census2025 returns the 2019 census figures summed onto the 34 provinces
// in force since 1 July 2025, sorted by code.
func Census2025() []ProvinceCensus {
	by := map[string]*ProvinceCensus{}
	var codes []string
	for _, c := range mustCensus() {
		t, ok := by[c.Code2025]
		if !ok {
			t = &ProvinceCensus{Code: c.Code2025, Name: c.Name2025, Code2025: c.Code2025, Name2025: c.Name2025}
			by[c.Code2025] = t
			codes = append(codes, c.Code2025)
		}
		t.Population += c.Population
		t.PopulationUrban += c.PopulationUrban
		t.Households += c.Households
		t.HouseholdsUrban += c.HouseholdsUrban
		t.HouseholdsRural += c.HouseholdsRural
	}
	sort.Strings(codes)
	out := make([]ProvinceCensus, len(codes))
	for i, c := range codes {
		out[i] = *by[c]
	}
	return out
}

// Crosswalk returns the official mapping from 2019 (63-province) GSO codes
// to 2025 (34-province) GSO codes. The map is a fresh copy.
func Crosswalk() map[string]string {
	m := make(map[string]string, 63)
	for _, c := range mustCensus() {
		m[c.Code] = c.Code2025
	}
	return m
}

var provinces2019 = sync.OnceValues(func() (*BoundarySet, error) {
	s, err := LoadBoundaries(bytes.NewReader(provinces2019GeoJSON), "code", "name", "")
	if err != nil {
		return nil, fmt.Errorf("geodata: embedded 2019 provinces: %w", err)
	}
	s.Name, s.Level, s.Coarse = "vn-provinces-2019", "province", NaturalEarthCoarse
	for i := range s.units {
		s.units[i].FullName = provinceFullName(s.units[i], cities2019)
	}
	return s, nil
})

// cities2019 and cities2025 are the codes of the cities run by the State
// as provinces (thành phố trực thuộc trung ương) among the 63 provinces
// of 2008–June 2025 and the 34 since 1 July 2025 (Huế since January
// 2025, Đồng Nai since, as the GSO's 2025 set names them); the others are
// tỉnh.
var (
	cities2019 = []string{"01", "31", "48", "79", "92"}
	cities2025 = []string{"01", "31", "46", "48", "75", "79", "92"}
)

// provinceFullName is u's name with its kind: "Thành phố Hà Nội", "Tỉnh
// Lai Châu".
func provinceFullName(u Unit, cities []string) string {
	if slices.Contains(cities, u.Code) {
		return "Thành phố " + u.Name
	}
	return "Tỉnh " + u.Name
}

// NaturalEarthCoarse is BoundarySet.Coarse of the embedded sets.
const NaturalEarthCoarse = "the embedded Natural Earth outlines, coarse: a few km off along borders and coasts"

// Provinces2019 returns the 63 provinces in force from 2008 to 30 June
// 2025 (Natural Earth geometry, coarse). The set is shared: do not modify
// its geometry.
func Provinces2019() (*BoundarySet, error) { return provinces2019() }

var provinces2025 = sync.OnceValues(func() (*BoundarySet, error) {
	old, err := provinces2019()
	if err != nil {
		return nil, err
	}
	cw := map[string]ProvinceCensus{}
	for _, c := range mustCensus() {
		cw[c.Code] = c
	}
	if len(cw) != old.Len() {
		return nil, fmt.Errorf("geodata: crosswalk has %d provinces, boundaries %d", len(cw), old.Len())
	}
	merged := map[string]*Unit{}
	var codes []string
	for _, u := range old.units { // sorted by code: member order is deterministic
		c, ok := cw[u.Code]
		if !ok {
			return nil, fmt.Errorf("geodata: province %s %s has no crosswalk entry", u.Code, u.Name)
		}
		m, ok := merged[c.Code2025]
		if !ok {
			m = &Unit{Code: c.Code2025, Name: c.Name2025}
			m.FullName = provinceFullName(*m, cities2025)
			merged[c.Code2025] = m
			codes = append(codes, c.Code2025)
		}
		m.Geometry = append(m.Geometry, u.Geometry...)
	}
	units := make([]Unit, 0, len(codes))
	for _, c := range codes {
		units = append(units, *merged[c])
	}
	set, err := NewBoundarySet("vn-provinces-2025-from-2019", "province", units)
	if err != nil {
		return nil, err
	}
	set.Coarse = NaturalEarthCoarse
	// The 2019 provinces that merged into another keep pointing to it:
	// "Hà Giang" or "02" names Hà Giang, merged into Tuyên Quang (08).
	set.formerCode, set.formerName = map[string]Former{}, map[string]Former{}
	sources := map[string]int{} // 2019 provinces per 2025 province
	for _, u := range old.units {
		sources[cw[u.Code].Code2025]++
	}
	for _, u := range old.units {
		c := cw[u.Code]
		if c.Name2025 == u.Name && c.Code2025 == u.Code {
			continue // the province kept its name and code
		}
		into, _ := set.ByCode(c.Code2025)
		f := Former{Code: u.Code, Name: u.Name, FullName: u.FullName, Into: into, Since: "1 July 2025", Renamed: sources[c.Code2025] == 1}
		if _, taken := set.code[u.Code]; !taken {
			set.formerCode[u.Code] = f
		}
		if _, taken := set.name[engine.Fold(u.Name)]; !taken {
			set.formerName[engine.Fold(u.Name)] = f
		}
	}
	return set, nil
})

// Provinces2025 returns the 34 provinces in force since 1 July 2025,
// derived from Provinces2019 through the crosswalk: each unit's geometry
// is the MultiPolygon of its member provinces' polygons. The set is
// shared: do not modify its geometry.
func Provinces2025() (*BoundarySet, error) { return provinces2025() }

// HouseholdSizer returns a function giving the census average household
// size (persons per household) of the 2019 province containing a point,
// and false outside every province. It suits population.HouseholdSizeFunc.
func HouseholdSizer() (func(p orb.Point) (float64, bool), error) {
	set, err := Provinces2019()
	if err != nil {
		return nil, err
	}
	size := map[string]float64{}
	for _, c := range mustCensus() {
		size[c.Code] = c.AvgHouseholdSize()
	}
	return func(p orb.Point) (float64, bool) {
		u, ok := set.Locate(p)
		if !ok {
			return 0, false
		}
		s, ok := size[u.Code]
		return s, ok && s > 0
	}, nil
}

// NationalHouseholdSize2019 is Viet Nam's average household size in the
// 2019 census: 96,208,984 people in 26,870,079 households.
const NationalHouseholdSize2019 = 96208984.0 / 26870079.0
