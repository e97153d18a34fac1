package geodata

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/internal/shareddata"
	"github.com/paulmach/orb"
)

const (
	wantPopulation = 96208984
	wantHouseholds = 26870079
)

func TestCrosswalk(t *testing.T) {
	cw := Crosswalk()
	if len(cw) != 63 {
		t.Fatalf("crosswalk has %d 2019 codes, want 63", len(cw))
	}
	set, err := Provinces2019()
	if err != nil {
		t.Fatal(err)
	}
	distinct := map[string]bool{}
	for _, u := range set.Units() {
		c, ok := cw[u.Code]
		if !ok || len(c) != 2 {
			t.Errorf("province %s %s: 2025 code %q", u.Code, u.Name, c)
		}
		distinct[c] = true
	}
	if len(distinct) != 34 {
		t.Errorf("%d distinct 2025 codes, want 34", len(distinct))
	}
	// The embedded GeoJSON carries its own code_2025; it must agree.
	// (Loaded with code_2025 as the "name" property to read it.)
	own, err := LoadBoundaries(strings.NewReader(string(provinces2019GeoJSON)), "code", "code_2025", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range own.Units() {
		if cw[u.Code] != u.Name {
			t.Errorf("province %s: GeoJSON code_2025 %s, census crosswalk %s", u.Code, u.Name, cw[u.Code])
		}
	}
}

func TestCensusTotals(t *testing.T) {
	for name, cs := range map[string][]ProvinceCensus{"2019": Census2019(), "2025": Census2025()} {
		var pop, hh, hu, hr int64
		for _, c := range cs {
			pop += c.Population
			hh += c.Households
			hu += c.HouseholdsUrban
			hr += c.HouseholdsRural
			if s := c.AvgHouseholdSize(); s < 2.5 || s > 5.5 {
				t.Errorf("%s %s %s: household size %.2f out of range", name, c.Code, c.Name, s)
			}
		}
		if pop != wantPopulation || hh != wantHouseholds {
			t.Errorf("%s: population %d households %d, want %d %d", name, pop, hh, wantPopulation, wantHouseholds)
		}
		if hu+hr != hh {
			t.Errorf("%s: urban %d + rural %d != total %d", name, hu, hr, hh)
		}
	}
	if n := len(Census2019()); n != 63 {
		t.Errorf("Census2019: %d rows", n)
	}
	if n := len(Census2025()); n != 34 {
		t.Errorf("Census2025: %d rows", n)
	}
	// Known answer: Hà Nội 2019.
	c := Census2019()[0]
	if c.Code != "01" || c.Population != 8053663 || c.Households != 2224107 {
		t.Errorf("first row %+v, want Hà Nội 8053663 people 2224107 households", c)
	}
}

func TestProvinces2025Derived(t *testing.T) {
	s25, err := Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	if s25.Len() != 34 {
		t.Fatalf("%d units, want 34", s25.Len())
	}
	var codes []string
	for _, c := range Census2025() {
		codes = append(codes, c.Code)
	}
	if !slices.Equal(s25.Codes(), codes) {
		t.Errorf("derived codes %v, census 2025 codes %v", s25.Codes(), codes)
	}
	// Tuyên Quang 2025 = Hà Giang + Tuyên Quang 2019: polygon counts add up.
	s19, _ := Provinces2019()
	hg, _ := s19.ByCode("02")
	tq, _ := s19.ByCode("08")
	tq25, _ := s25.ByCode("08")
	if len(tq25.Geometry) != len(hg.Geometry)+len(tq.Geometry) {
		t.Errorf("Tuyên Quang 2025 has %d polygons, want %d", len(tq25.Geometry), len(hg.Geometry)+len(tq.Geometry))
	}
	// A point in old Hà Giang city lies in new Tuyên Quang.
	if u, ok := s25.Locate(orb.Point{104.98, 22.82}); !ok || u.Code != "08" {
		t.Errorf("Locate(Hà Giang city) = %s %v, want 08", u.Code, ok)
	}

	p := shareddata.Path(t, "vn_provinces_2025.geojson")
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	real, err := LoadBoundaries(f, "code", "name", "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(real.Codes(), s25.Codes()) {
		t.Errorf("derived codes %v\nreal 2025 file codes %v", s25.Codes(), real.Codes())
	}
	for _, u := range real.Units() {
		d, _ := s25.ByCode(u.Code)
		// Names agree up to spelling of tone marks (Thanh Hoá / Thanh Hóa).
		if _, err := s25.Lookup(u.Name); err != nil {
			t.Errorf("real 2025 name %q not found in derived set (derived %q): %v", u.Name, d.Name, err)
		}
		// The kinds agree: the cities run as provinces are the file's.
		if engine.Fold(u.FullName) != engine.Fold(d.FullName) {
			t.Errorf("%s: real 2025 full name %q, derived %q", u.Code, u.FullName, d.FullName)
		}
	}
}

func TestLookup(t *testing.T) {
	s, err := Provinces2019()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ query, code string }{
		{"lai chau", "12"},
		{"Lai Châu", "12"},
		{"LAI CHAU", "12"},
		{"12", "12"},
		{" 12 ", "12"},
		{"dak lak", "66"},
		{"Đắk Lắk", "66"},
		{"thua thien hue", "46"},
		{"Ba Ria - Vung Tau", "77"},
		{"ho chi minh", "79"},
		{"8", "08"}, // a code without its leading zero
		{"1", "01"},
		// The unit's kind before its name, and common short names.
		{"Tỉnh Lai Châu", "12"},
		{"tinh lai chau", "12"},
		{"Thành phố Hà Nội", "01"},
		{"TP. Hồ Chí Minh", "79"},
		{"TP HCM", "79"},
		{"TP.HCM", "79"},
		{"TPHCM", "79"},
		{"HCM", "79"},
		// The English kind after the name, as foreign datasets write it
		// ("Ho Chi Minh City" was not found while "Sài Gòn" was).
		{"Ho Chi Minh City", "79"},
		{"Lai Chau Province", "12"},
		{"Hanoi City", "01"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			u, err := s.Lookup(tc.query)
			if err != nil || u.Code != tc.code {
				t.Errorf("Lookup(%q) = %s %q, %v; want %s", tc.query, u.Code, u.Name, err, tc.code)
			}
		})
	}
	for _, q := range []string{"Atlantis", "999", "0", "Tỉnh Atlantis", "Tỉnh", "Thành phố", "City", "Province"} {
		if _, err := s.Lookup(q); !errors.Is(err, ErrNotFound) {
			t.Errorf("Lookup(%s) err = %v, want ErrNotFound", q, err)
		}
	}
}

func TestLookupAmbiguous(t *testing.T) {
	sq := orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}}
	s, err := NewBoundarySet("t", "commune", []Unit{
		{Code: "2", Name: "Phường 1", ParentCode: "79", Geometry: sq},
		{Code: "1", Name: "phuong 1", ParentCode: "80", Geometry: sq},
		{Code: "3", Name: "Tân Lập", Geometry: sq},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Lookup("Phuong 1")
	var amb *AmbiguousError
	if !errors.As(err, &amb) || len(amb.Candidates) != 2 || amb.Candidates[0].Code != "1" {
		t.Fatalf("Lookup(Phuong 1) err = %v, want ambiguity between 1 and 2", err)
	}
	if !strings.Contains(err.Error(), "1 phuong 1 (in 80)") || !strings.Contains(err.Error(), "2 Phường 1 (in 79)") {
		t.Errorf("error %q does not list the candidates", err)
	}
	if u, err := s.Lookup("tan lap"); err != nil || u.Code != "3" {
		t.Errorf("Lookup(tan lap) = %v %v", u.Code, err)
	}
}

func TestLocate(t *testing.T) {
	s, err := Provinces2019()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		p    orb.Point
		code string
	}{
		{"Hoàn Kiếm, Hà Nội", orb.Point{105.852, 21.028}, "01"},
		{"Bến Thành, HCMC", orb.Point{106.698, 10.772}, "79"},
		{"Đà Lạt", orb.Point{108.44, 11.94}, "68"},
		{"Lai Châu town", orb.Point{103.46, 22.40}, "12"},
	}
	for _, tc := range tests {
		u, ok := s.Locate(tc.p)
		if !ok || u.Code != tc.code {
			t.Errorf("%s: Locate = %s %q %v, want %s", tc.name, u.Code, u.Name, ok, tc.code)
		}
	}
	if u, ok := s.Locate(orb.Point{112, 12}); ok {
		t.Errorf("South China Sea point located in %s", u.Name)
	}
	hs, err := HouseholdSizer()
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := hs(orb.Point{105.852, 21.028}); !ok || v < 3.6 || v > 3.63 {
		t.Errorf("Hà Nội household size %v %v, want 8053663/2224107 = 3.621", v, ok)
	}
}

func TestLoadBoundariesErrors(t *testing.T) {
	poly := `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`
	fc := func(feats ...string) string {
		return `{"type":"FeatureCollection","features":[` + strings.Join(feats, ",") + `]}`
	}
	feat := func(props, geom string) string {
		return `{"type":"Feature","properties":` + props + `,"geometry":` + geom + `}`
	}
	tests := []struct {
		name, in, want string
	}{
		{"not json", `{`, "not a GeoJSON"},
		{"missing code", fc(feat(`{"code":"1","name":"a"}`, poly), feat(`{"name":"b"}`, poly)), `feature 1: property "code": missing`},
		{"empty name", fc(feat(`{"code":"1","name":" "}`, poly)), `feature 0: property "name": empty`},
		{"duplicate", fc(feat(`{"code":"1","name":"a"}`, poly), feat(`{"code":"1","name":"b"}`, poly)), `feature 1: property "code": duplicate code "1" (also feature 0)`},
		{"point", fc(feat(`{"code":"1","name":"a"}`, `{"type":"Point","coordinates":[0,0]}`)), "geometry Point"},
		{"no geometry", fc(feat(`{"code":"1","name":"a"}`, `null`)), "no geometry"},
		{"bad parent", fc(feat(`{"code":"1","name":"a","p":true}`, poly)), `property "p": unsupported`},
		// Geometries that contain nothing, or not where GeoJSON reads them:
		// every place was silently outside every unit.
		{"empty polygon", fc(feat(`{"code":"12","name":"a"}`, `{"type":"Polygon","coordinates":[]}`)), `feature 0 (code "12"): a polygon without rings`},
		{"empty multipolygon", fc(feat(`{"code":"12","name":"a"}`, `{"type":"MultiPolygon","coordinates":[]}`)), `feature 0 (code "12"): an empty geometry`},
		{"flat polygon", fc(feat(`{"code":"12","name":"a"}`, `{"type":"Polygon","coordinates":[[[103.1,22.3],[103.2,22.3],[103.3,22.3],[103.1,22.3]]]}`)), `feature 0 (code "12"): a geometry of zero area`},
		{"bow tie", fc(feat(`{"code":"12","name":"a"}`, `{"type":"Polygon","coordinates":[[[102.5,22.0],[103.5,22.8],[103.5,22.0],[102.5,22.8],[102.5,22.0]]]}`)), `feature 0 (code "12"): a geometry of zero area: its outer ring around (102.50000, 22.00000) crosses itself`},
		{"metres", fc(feat(`{"code":"12","name":"a"}`, `{"type":"Polygon","coordinates":[[[585589,2475000],[600000,2475000],[600000,2490000],[585589,2475000]]]}`)), "coordinate (585589, 2.475e+06) is not a longitude and latitude"},
		{"lat first", fc(feat(`{"code":"12","name":"a"}`, `{"type":"Polygon","coordinates":[[[22.3,103.1],[22.4,103.1],[22.4,103.3],[22.3,103.1]]]}`)), "coordinate (22.3, 103.1) is not a longitude and latitude"},
		{"crs", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3405"}},"features":[` + feat(`{"code":"1","name":"a"}`, poly) + `]}`, `the file's crs is "urn:ogc:def:crs:EPSG::3405"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadBoundaries(strings.NewReader(tc.in), "code", "name", "p")
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrInvalidBoundaries) {
				t.Errorf("err = %v, want ErrInvalidBoundaries containing %q", err, tc.want)
			}
		})
	}
	// WGS 84 named, and a byte-order mark, are read.
	if _, err := LoadBoundaries(strings.NewReader("\ufeff"+`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[`+feat(`{"code":"1","name":"a"}`, poly)+`]}`), "code", "name", ""); err != nil {
		t.Errorf("CRS84 with a byte-order mark: %v", err)
	}
	s, err := LoadBoundaries(strings.NewReader(fc(feat(`{"code":7,"name":"a","p":"9"}`, poly))), "code", "name", "p")
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := s.ByCode("7"); !ok || u.ParentCode != "9" || u.Bound.Max != (orb.Point{1, 1}) {
		t.Errorf("numeric code: %+v %v", u, ok)
	}
	// A code read from a number is named, for the commands to warn (a
	// leading zero is lost: Hà Nội's 01 reads as 1).
	if !slices.Equal(s.NumericCodes, []string{"7"}) {
		t.Errorf("numeric codes %v", s.NumericCodes)
	}
	// Asked with its leading zero ("07", as GSO writes it), such a code is
	// found; it was "no such unit".
	for _, q := range []string{"7", "07", "007"} {
		if u, err := s.Lookup(q); err != nil || u.Code != "7" {
			t.Errorf("Lookup(%q) = %+v, %v", q, u, err)
		}
	}
}

func TestLoadCommunes2025(t *testing.T) {
	if testing.Short() {
		t.Skip("16 MB GeoJSON")
	}
	p := shareddata.Path(t, "vn_communes_2025.geojson")
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := LoadBoundaries(f, "code", "name", "provinceCode")
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 3321 {
		t.Errorf("%d communes, want 3321", s.Len())
	}
	p25, err := Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	perProvince := map[string]int{}
	for _, u := range s.Units() {
		if _, ok := p25.ByCode(u.ParentCode); !ok {
			t.Errorf("commune %s %s: parent %q is not a 2025 province", u.Code, u.Name, u.ParentCode)
		}
		perProvince[u.ParentCode]++
	}
	if len(perProvince) != 34 {
		t.Errorf("communes in %d provinces, want 34", len(perProvince))
	}
	u, err := s.Lookup("00004")
	if err != nil || u.Name != "Ba Đình" || u.ParentCode != "01" {
		t.Errorf("Lookup(00004) = %+v, %v", u.Name, err)
	}
	if u, err := s.Lookup("ba dinh"); err != nil || u.Code != "00004" {
		var amb *AmbiguousError
		if !errors.As(err, &amb) {
			t.Errorf("Lookup(ba dinh) = %s, %v", u.Code, err)
		}
	}
	if u, ok := s.Locate(orb.Point{105.834, 21.035}); !ok || u.ParentCode != "01" {
		t.Errorf("Locate(Ba Đình) = %s %s %v", u.Code, u.Name, ok)
	}
}

// A commune asked for with its kind ("Phường Ba Đình") is looked up by
// its name, as commune sets name them: found when the name is unique,
// ambiguous (give the code) when several communes share it.
func TestLookupCommuneKind(t *testing.T) {
	sq := func(x float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x, 21}, {x + 0.01, 21}, {x + 0.01, 21.01}, {x, 21.01}, {x, 21}}}}
	}
	s, err := NewBoundarySet("communes", "commune", []Unit{
		{Code: "00004", Name: "Ba Đình", ParentCode: "01", Geometry: sq(105.8)},
		{Code: "16171", Name: "Ba Đình", ParentCode: "38", Geometry: sq(105.9)},
		{Code: "00364", Name: "Khương Đình", ParentCode: "01", Geometry: sq(105.7)},
		{Code: "31426", Name: "Phương Bình", ParentCode: "93", Geometry: sq(105.6)},
	})
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{"Phường Khương Đình": "00364", "Xã Khương Đình": "00364", "Phương Bình": "31426", "Phường Phương Bình": "31426"} {
		if u, err := s.Lookup(q); err != nil || u.Code != want {
			t.Errorf("Lookup(%q) = %s, %v; want %s", q, u.Code, err, want)
		}
	}
	var amb *AmbiguousError
	if _, err := s.Lookup("Phường Ba Đình"); !errors.As(err, &amb) || len(amb.Candidates) != 2 {
		t.Errorf("Lookup(Phường Ba Đình) = %v, want ambiguous between the two", err)
	}
}
