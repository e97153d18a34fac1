package geodata

import (
	"errors"
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
