package geodata

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestLookupFormerProvince(t *testing.T) {
	s, err := Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		query, former, into string
	}{
		{"Ha Giang", "02", "08"},
		{"hà giang", "02", "08"},
		{"02", "02", "08"},
		{"2", "02", "08"}, // a former code without its leading zero, as current codes are read
		{"6", "06", "19"},
		{"Bắc Kạn", "06", "19"},
		{"10", "10", "15"}, // Lào Cai kept its name and took Yên Bái's code
		{"yen bai", "15", "15"},
		// A former province asked with its kind, as current ones are.
		{"Tỉnh Hà Giang", "02", "08"},
		{"tinh bac kan", "06", "19"},
		{"Tỉnh  Yên Bái", "15", "15"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			_, err := s.Lookup(c.query)
			var nf *NotFoundError
			if !errors.As(err, &nf) || !errors.Is(err, ErrNotFound) || nf.Former == nil {
				t.Fatalf("Lookup(%q) err = %v, want a NotFoundError with the former province", c.query, err)
			}
			if nf.Former.Code != c.former || nf.Former.Into.Code != c.into || nf.Former.Since != "1 July 2025" {
				t.Fatalf("former %+v, want %s into %s", nf.Former, c.former, c.into)
			}
		})
	}
	_, err = s.Lookup("Ha Giang")
	if want := "Hà Giang (02) merged into Tuyên Quang (08) on 1 July 2025"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want it to contain %q", err, want)
	}
	// Thừa Thiên Huế became Huế alone: renamed, not merged.
	_, err = s.Lookup("Thua Thien Hue")
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Former == nil || !nf.Former.Renamed || !strings.Contains(err.Error(), "Thừa Thiên Huế (46) renamed Huế (46) in 2025") {
		t.Fatalf("Thừa Thiên Huế: %v", err)
	}
	if _, err = s.Lookup("Tỉnh Thừa Thiên Huế"); !errors.As(err, &nf) || nf.Former == nil || !nf.Former.Renamed {
		t.Fatalf("Tỉnh Thừa Thiên Huế: %v", err)
	}
	if _, err = s.Lookup("Ha Giang"); !errors.As(err, &nf) || nf.Former == nil || nf.Former.Renamed {
		t.Fatal("Hà Giang taken as renamed")
	}
	// Names that survived are found, however their accents are written.
	for q, code := range map[string]string{"Lào Cai": "15", "Thanh Hóa": "38", "thanh hoa": "38", "tuyen quang": "08", "12": "12"} {
		if u, err := s.Lookup(q); err != nil || u.Code != code {
			t.Errorf("Lookup(%q) = %s, %v; want %s", q, u.Code, err, code)
		}
	}
	// The 63-province set knows nothing of later mergers.
	old, _ := Provinces2019()
	if u, err := old.Lookup("Ha Giang"); err != nil || u.Code != "02" {
		t.Fatalf("2019 Lookup(Ha Giang) = %s, %v", u.Code, err)
	}
}

func TestLookupNearest(t *testing.T) {
	s, err := Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		query string
		first string // code of the first suggestion; "" for none
	}{
		{"lai chua", "12"},  // transposition
		{"Ha Noii", "01"},   // insertion
		{"lang sonn", "20"}, // Lạng Sơn
		{"dien bien phu", "11"},
		{"atlantis", ""},
		{"", ""},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			_, err := s.Lookup(c.query)
			var nf *NotFoundError
			if !errors.As(err, &nf) || nf.Former != nil {
				t.Fatalf("Lookup(%q) err = %v", c.query, err)
			}
			if c.first == "" {
				if len(nf.Nearest) != 0 {
					t.Fatalf("suggestions for %q: %v", c.query, err)
				}
				return
			}
			if len(nf.Nearest) == 0 || nf.Nearest[0].Code != c.first || len(nf.Nearest) > 3 {
				t.Fatalf("Lookup(%q): %v, want %s first", c.query, err, c.first)
			}
			if !strings.Contains(err.Error(), "nearest: "+nf.Nearest[0].Name+" ("+c.first+")") {
				t.Fatalf("error %q does not list the nearest name", err)
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "ab", 2}, {"kitten", "sitting", 3},
		{"laichau", "laichua", 1}, {"hanoi", "hanoii", 1}, {"ca", "abc", 3}, {"abcd", "abcd", 0},
	} {
		if got := editDistance(c.a, c.b); got != c.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
		if got := editDistance(c.b, c.a); got != c.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.b, c.a, got, c.d)
		}
	}
}

// Communes of one name and another kind ("Phường Ba Đình" in Hà Nội, "Xã
// Ba Đình" elsewhere) are told apart by the kind a query gives, from the
// file's fullName; the name alone stays ambiguous, its candidates shown
// with their kinds; a full name two units share stays ambiguous between
// those two.
func TestLookupByKindAndName(t *testing.T) {
	ftoa := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	sq := func(x float64) string {
		return `{"type":"Polygon","coordinates":[[[` + ftoa(x) + `,21],[` + ftoa(x+0.01) + `,21],[` + ftoa(x+0.01) + `,21.01],[` + ftoa(x) + `,21]]]}`
	}
	fc := `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"00004","name":"Ba Đình","fullName":"Phường Ba Đình","provinceCode":"01"},"geometry":` + sq(105) + `},
{"type":"Feature","properties":{"code":"16171","name":"Ba Đình","fullName":"Xã Ba Đình","provinceCode":"38"},"geometry":` + sq(105.1) + `},
{"type":"Feature","properties":{"code":"21499","name":"Ba Đình","fullName":"Xã Ba Đình","provinceCode":"51"},"geometry":` + sq(105.2) + `},
{"type":"Feature","properties":{"code":"00008","name":"Ngọc Hà","provinceCode":"01"},"geometry":` + sq(105.3) + `}]}`
	s, err := LoadBoundaries(strings.NewReader(fc), "code", "name", "provinceCode")
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{"Phường Ba Đình": "00004", "phuong ba dinh": "00004", "PHƯỜNG  BA ĐÌNH": "00004", "Xã Ngọc Hà": "00008"} {
		if u, err := s.Lookup(q); err != nil || u.Code != want {
			t.Errorf("Lookup(%q) = %s, %v; want %s", q, u.Code, err, want)
		}
	}
	for q, want := range map[string]string{
		"Ba Đình":    `00004 Phường Ba Đình (in 01); 16171 Xã Ba Đình (in 38); 21499 Xã Ba Đình (in 51)`,
		"Xã Ba Đình": `16171 Xã Ba Đình (in 38); 21499 Xã Ba Đình (in 51)`,
	} {
		_, err := s.Lookup(q)
		var ae *AmbiguousError
		if !errors.As(err, &ae) || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("Lookup(%q) err = %v, want ambiguous between %s", q, err, want)
		}
	}
}

// A province's name after the kind of a unit it is not ("Thành phố Lai
// Châu", the city; "Huyện Sìn Hồ"; "Thành phố Hà Giang", the city of the
// former Tỉnh Hà Giang) names no province: it is not found, saying what
// the unit of that name is, where the kind was stripped and the whole
// province returned. The cities run as provinces keep their kind
// ("Thành phố Hà Nội", "TP Hồ Chí Minh"), and any province may be called
// a tỉnh.
func TestLookupKindTheUnitHasNot(t *testing.T) {
	s25, err := Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	s19, err := Provinces2019()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		set  *BoundarySet
		q    string
		want string
	}{
		{s25, "Thành phố Lai Châu", `"Thành phố Lai Châu" in vn-provinces-2025-from-2019: Lai Châu (12) is Tỉnh Lai Châu, not a thành phố`},
		{s25, "TP. Lai Châu", `Lai Châu (12) is Tỉnh Lai Châu, not a thành phố`},
		{s25, "Thị xã Lai Châu", `Lai Châu (12) is Tỉnh Lai Châu, not a thị xã`},
		{s25, "Quận Hà Nội", `Hà Nội (01) is Thành phố Hà Nội, not a quận`},
		{s25, "Phường Huế", `Huế (46) is Thành phố Huế, not a phường`},
		{s25, "Thành phố Hà Giang", `Hà Giang (02) was Tỉnh Hà Giang, not a thành phố`},
		{s19, "Thành phố Điện Biên", `Điện Biên (11) is Tỉnh Điện Biên, not a thành phố`},
		{s19, "Thành phố Huế", `unit not found: "Thành phố Huế" in vn-provinces-2019`}, // no unit of that name
	} {
		_, err := c.set.Lookup(c.q)
		var nf *NotFoundError
		if !errors.As(err, &nf) || !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Lookup(%q) err = %v, want ErrNotFound saying %q", c.set.Name, c.q, err, c.want)
			continue
		}
		if nf.OtherKind != nil && (nf.Former != nil || len(nf.Nearest) > 0) {
			t.Errorf("Lookup(%q): a unit of another kind is not also a former or a near unit: %+v", c.q, nf)
		}
	}
	for _, c := range []struct {
		set     *BoundarySet
		q, code string
	}{
		{s25, "Thành phố Hà Nội", "01"}, {s25, "TP Hồ Chí Minh", "79"}, {s25, "TP. Huế", "46"},
		{s25, "Thành phố Đồng Nai", "75"}, {s25, "Tỉnh Đồng Nai", "75"}, {s25, "Tỉnh Lai Châu", "12"},
		{s25, "Tỉnh Hà Nội", "01"}, {s19, "Thành phố Cần Thơ", "92"}, {s19, "Tỉnh Thừa Thiên Huế", "46"},
		{s19, "Thành phố Đà Nẵng", "48"},
	} {
		if u, err := c.set.Lookup(c.q); err != nil || u.Code != c.code {
			t.Errorf("%s: Lookup(%q) = %s, %v; want %s", c.set.Name, c.q, u.Code, err, c.code)
		}
	}
	var nf *NotFoundError
	if _, err := s25.Lookup("Tỉnh Hà Giang"); !errors.As(err, &nf) || nf.Former == nil || nf.OtherKind != nil {
		t.Errorf("Lookup(Tỉnh Hà Giang) = %v, want the former province", err)
	}
}

// In a set of communes giving each its full name, a commune asked for
// with the kind of another is not taken for it ("Phường Sìn Hồ" is no
// Xã Sìn Hồ); without a full name any kind is the unit's.
func TestLookupCommuneOfAnotherKind(t *testing.T) {
	fc := `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"03478","name":"Sìn Hồ","fullName":"Xã Sìn Hồ","provinceCode":"12"},"geometry":{"type":"Polygon","coordinates":[[[103,22],[103.1,22],[103.1,22.1],[103,22]]]}},
{"type":"Feature","properties":{"code":"03479","name":"Tân Phong","provinceCode":"12"},"geometry":{"type":"Polygon","coordinates":[[[103.2,22],[103.3,22],[103.3,22.1],[103.2,22]]]}}]}`
	s, err := LoadBoundaries(strings.NewReader(fc), "code", "name", "provinceCode")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lookup("Phường Sìn Hồ"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "Sìn Hồ (03478) is Xã Sìn Hồ, not a phường") {
		t.Errorf("Lookup(Phường Sìn Hồ) err = %v", err)
	}
	for q, code := range map[string]string{"Xã Sìn Hồ": "03478", "sin ho": "03478", "Phường Tân Phong": "03479", "Xã Tân Phong": "03479"} {
		if u, err := s.Lookup(q); err != nil || u.Code != code {
			t.Errorf("Lookup(%q) = %s, %v; want %s", q, u.Code, err, code)
		}
	}
}
