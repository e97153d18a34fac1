package population

import (
	"slices"
	"strings"
	"testing"
)

// TestPointsHeaderAnywhere: a header is recognised by any of its known
// columns, wherever they stand (a leading id column of the user's), and
// the columns not read are listed, so that a households column under
// another name is not dropped unseen.
func TestPointsHeaderAnywhere(t *testing.T) {
	for _, c := range []struct {
		in      string
		ignored []string
	}{
		{"id,lon,lat,population\nA,103.1,22.1,100\n", []string{"id"}},
		{"lon,lat,population,hh\n103.1,22.1,100,20\n", []string{"hh"}},
		{"lon,lat,population\n103.1,22.1,100\n", nil},
		{"103.1,22.1,100\n", nil},
	} {
		p, err := ReadPoints(strings.NewReader(c.in))
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		if p.Len() != 1 || p.Lon[0] != 103.1 || p.Population[0] != 100 || !slices.Equal(p.Ignored, c.ignored) {
			t.Errorf("%q: %+v, ignored %q", c.in, p, p.Ignored)
		}
	}
	tab, err := ReadH3Table(strings.NewReader("cell,res,lon,lat,population,households,note\n8865a2510dfffff,8,106.3,10.5,88,25,x\n"))
	if err != nil || len(tab.Cells) != 1 || !slices.Equal(tab.Ignored, []string{"res", "lon", "lat", "note"}) {
		t.Errorf("h3 table: %v %+v", err, tab)
	}
}
