package population

import (
	"errors"
	"strings"
	"testing"
)

// A pixel that holds no count of people is refused saying where it is and
// what the raster declares as nodata, and, for a sentinel value, how to
// declare it: a WorldPop clip that lost its GDAL_NODATA tag was refused
// with "pixel (col 1, row 0) = -99999" and nothing more.
func TestRasterBadPixelSaysWhy(t *testing.T) {
	tests := []struct {
		name      string
		hasNoData bool
		noData    float64
		v         float64
		want      []string
	}{
		{"nodata lost", false, 0, -99999, []string{"pixel (col 1, row 0) at (105.01500, 20.99500) = -99999", "the raster declares no nodata value", "gdal_edit.py -a_nodata -99999 FILE"}},
		{"other nodata", true, 0, -99999, []string{"= -99999", "the raster's nodata is 0", "-a_nodata -99999"}},
		{"float sentinel", true, -99999, -3.4028234663852886e+38, []string{"-a_nodata -3.4028234663852886e+38"}},
		{"negative fraction", true, -99999, -0.25, []string{"= -0.25", "the raster's nodata is -99999", "resampled by a method that overshoots"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info := geoInfo(2, 1, 105, 21, 0.01)
			info.HasNoData, info.NoData = tc.hasNoData, tc.noData
			d, err := NewRasterDistributor(info, RasterOptions{Res: 8})
			if err != nil {
				t.Fatal(err)
			}
			err = d.AddRows(0, []float64{3, tc.v})
			if !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("err = %v, want ErrInvalidInput", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%v\nlacks %q", err, w)
				}
			}
			if strings.Contains(tc.name, "fraction") && strings.Contains(err.Error(), "a_nodata") {
				t.Errorf("%v: a fraction is no nodata sentinel", err)
			}
		})
	}
}
