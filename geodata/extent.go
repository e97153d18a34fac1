package geodata

import "github.com/paulmach/orb"

// vietNamExtent holds Viet Nam's land and islands in three boxes. It tells
// a file of another country (an OpenCelliD export of another MCC, a
// register in the wrong hemisphere) from one of Viet Nam; it is not a
// border: the mainland box also holds parts of Laos, Cambodia and China.
var vietNamExtent = [...]orb.Bound{
	// The mainland and its near islands (Bạch Long Vĩ, Phú Quốc, Thổ Chu,
	// Côn Đảo): the 2019 and 2025 province outlines span 102.119–109.473° E
	// and 8.566–23.367° N; about 10 km beyond that.
	{Min: orb.Point{102.0, 8.45}, Max: orb.Point{109.6, 23.45}},
	// Hoàng Sa (the Paracel Islands, Đà Nẵng), 111.2–112.9° E, 15.7–17.1° N.
	{Min: orb.Point{111.0, 15.5}, Max: orb.Point{113.1, 17.3}},
	// Trường Sa (the Spratly Islands, Khánh Hòa), 111.5–117.8° E,
	// 6.9–11.9° N.
	{Min: orb.Point{111.3, 6.5}, Max: orb.Point{118.0, 12.1}},
}

// NearVietNam reports whether the point (lon, lat in degrees) lies within
// Viet Nam's extent: the boxes around its mainland, Hoàng Sa and Trường
// Sa. A point outside is certainly not in Viet Nam; one inside may still
// be in a neighbouring country (ingest's --bounds checks a polygon).
func NearVietNam(lon, lat float64) bool {
	p := orb.Point{lon, lat}
	for _, b := range vietNamExtent {
		if b.Contains(p) {
			return true
		}
	}
	return false
}
