package postgis

import (
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/export"
)

// A release replaced by one of other boundaries or another H3 resolution
// says so: the schema's name (month and province code) is the same for
// both, and 08 is the old Tuyên Quang in the 2019 provinces, twice that in
// 2025. It said only "replacing the release schema that was there".
func TestReplacedSummaryNamesBoundariesAndResolution(t *testing.T) {
	was := export.Meta{Period: "2024-10", Province: "08", Resolution: 8, Boundaries: "provinces2025", Dataset: "/d", ManifestSHA256: "ab"}
	for _, c := range []struct {
		now       func(export.Meta) export.Meta
		want, not string
	}{
		{func(m export.Meta) export.Meta { m.Boundaries = "provinces2019"; return m }, "it was of other boundaries, provinces2025, not provinces2019", "resolution"},
		{func(m export.Meta) export.Meta { m.Resolution = 9; return m }, "it was at H3 resolution 8, not 9", "boundaries"},
		{func(m export.Meta) export.Meta { return m }, "replacing the release schema that was there", "it was"},
	} {
		r := &Replaced{Meta: was, Tables: 8}
		s := r.Summary(c.now(was))
		if !strings.Contains(s, c.want) || strings.Contains(s, c.not) {
			t.Errorf("%q: want %q, not %q", s, c.want, c.not)
		}
	}
}
