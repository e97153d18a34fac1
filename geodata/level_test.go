package geodata

import (
	"fmt"
	"strings"
	"testing"
)

// A boundary file's set took no level: a set of communes given as
// --boundaries was printed as provinces. Its level is the one its units'
// full names all say (the GSO's fullName property), else none.
func TestLoadBoundariesLevelFromFullNames(t *testing.T) {
	square := func(x float64) string {
		return fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,0],[%g,0],[%g,1],[%g,1],[%g,0]]]}`, x, x+1, x+1, x, x)
	}
	load := func(props ...string) string {
		var feats []string
		for i, p := range props {
			feats = append(feats, `{"type":"Feature","properties":`+p+`,"geometry":`+square(float64(i))+`}`)
		}
		s, err := LoadBoundaries(strings.NewReader(`{"type":"FeatureCollection","features":[`+strings.Join(feats, ",")+`]}`), "code", "name", "provinceCode")
		if err != nil {
			t.Fatal(err)
		}
		return s.Level
	}
	for _, c := range []struct {
		props []string
		want  string
	}{
		{[]string{`{"code":"03478","name":"Sìn Hồ","fullName":"Xã Sìn Hồ","provinceCode":"12"}`,
			`{"code":"00004","name":"Ba Đình","fullName":"Phường Ba Đình","provinceCode":"01"}`,
			`{"code":"26899","name":"Côn Đảo","fullName":"Đặc khu Côn Đảo","provinceCode":"79"}`,
			`{"code":"1","name":"Khe","fullName":"xã Khe"}`}, "commune"},
		{[]string{`{"code":"12","name":"Lai Châu","fullName":"Tỉnh Lai Châu"}`, `{"code":"01","name":"Hà Nội","fullName":"Thành phố Hà Nội"}`}, "province"},
		// A city of a province is no province; units of both levels, or
		// one without a full name, say no level.
		{[]string{`{"code":"12","name":"Lai Châu","fullName":"Thành phố Lai Châu","provinceCode":"12"}`}, ""},
		{[]string{`{"code":"12","name":"Lai Châu","fullName":"Tỉnh Lai Châu"}`, `{"code":"03478","name":"Sìn Hồ","fullName":"Xã Sìn Hồ"}`}, ""},
		{[]string{`{"code":"03478","name":"Sìn Hồ","fullName":"Xã Sìn Hồ"}`, `{"code":"03479","name":"Khun Há"}`}, ""},
		{[]string{`{"code":"105","name":"Sìn Hồ","fullName":"Huyện Sìn Hồ"}`}, ""},
		{[]string{`{"code":"12","name":"Lai Châu"}`}, ""},
	} {
		if got := load(c.props...); got != c.want {
			t.Errorf("%s: level %q, want %q", strings.Join(c.props, " "), got, c.want)
		}
	}
}
