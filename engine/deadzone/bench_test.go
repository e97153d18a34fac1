package deadzone

import (
	"testing"

	"github.com/lomsong/lomsong/engine/hexgrid"
)

// BenchmarkAttributeProvinceToCommunes attributes the res-8 hexes of Điện
// Biên (about 11,700) to the 3,321 communes of 2025.
func BenchmarkAttributeProvinceToCommunes(b *testing.B) {
	communes := loadSet(b, "vn_communes_2025.geojson", "provinceCode")
	provinces := loadSet(b, "vn_provinces_2025.geojson", "")
	p, _ := provinces.ByCode("11")
	cells, err := hexgrid.CoverMulti(p.Geometry, 8)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, _, err := Attribute(communes, cells); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(cells)), "hexes/op")
}
