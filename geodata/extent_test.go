package geodata

import "testing"

func TestNearVietNamHoldsEveryOutline(t *testing.T) {
	for _, load := range []func() (*BoundarySet, error){Provinces2019, Provinces2025} {
		set, err := load()
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range set.Units() {
			for _, poly := range u.Geometry {
				for _, ring := range poly {
					for _, p := range ring {
						if !NearVietNam(p[0], p[1]) {
							t.Fatalf("%s %s: vertex %v outside the extent", set.Name, u.Code, p)
						}
					}
				}
			}
		}
	}
}

func TestNearVietNamPlaces(t *testing.T) {
	for _, c := range []struct {
		name     string
		lon, lat float64
		want     bool
	}{
		{"Hà Nội", 105.8542, 21.0285, true},
		{"Cà Mau cape", 104.7367, 8.5970, true},
		{"Bạch Long Vĩ", 107.7276, 20.1331, true},
		{"Song Tử Tây (Trường Sa)", 114.3314, 11.4286, true},
		{"Trường Sa Lớn", 111.9167, 8.6453, true},
		{"Hoàng Sa (Pattle Island)", 111.6060, 16.5330, true},
		{"Guayaquil, Ecuador", -79.8545, -2.0736, false},
		{"Bangkok", 100.5018, 13.7563, false},
		{"Kunming", 102.8329, 24.8801, false},
		{"Manila", 120.9842, 14.5995, false},
		{"lat and lon swapped (Hà Nội)", 21.0285, 105.8542 - 90, false},
	} {
		if got := NearVietNam(c.lon, c.lat); got != c.want {
			t.Errorf("%s (%g, %g): %v, want %v", c.name, c.lon, c.lat, got, c.want)
		}
	}
}
