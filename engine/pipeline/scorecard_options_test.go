package pipeline

import (
	"testing"

	"github.com/lomsong/lomsong/engine/penetration"
)

// TestDefaultScorecardOptionsProjection: the census projection follows the
// boundaries, the 63 provinces of 2019 or the 34 of 2025 (also when the
// boundaries are not named), and other areas get none.
func TestDefaultScorecardOptionsProjection(t *testing.T) {
	for _, tc := range []struct {
		boundaries string
		areas      int
	}{{"provinces2019", 63}, {"provinces2025", 34}, {"", 34}, {"communes.geojson", 0}} {
		opt := DefaultScorecardOptions(nil, tc.boundaries, 7)
		if opt.Projection == nil || len(opt.Projection.Base) != tc.areas {
			t.Errorf("%q: projection of %d areas, want %d", tc.boundaries, len(opt.Projection.Base), tc.areas)
		}
		if opt.Seed != 7 || opt.DeadZones == nil || opt.DeadZonesMissing == nil || opt.Model != penetration.DefaultSmartphoneModel() {
			t.Errorf("%q: %+v", tc.boundaries, opt)
		}
	}
}
