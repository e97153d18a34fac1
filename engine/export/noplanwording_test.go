package export

import (
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/pipeline"
)

// The plan layer's note over places left out says one hex in the
// singular ('1 populated hex … is not known to be served'); it read
// '1 populated hexes … are'.
func TestNoPlanLeftOutSaysOneInTheSingular(t *testing.T) {
	for _, tc := range []struct {
		hexes int
		want  string
	}{
		{1, "1 populated hex (60 households) left out, with no site or test near, is not known to be served"},
		{3, "3 populated hexes (60 households) left out, with no site or test near, are not known to be served"},
	} {
		dz := &pipeline.DeadZoneResult{NoData: []pipeline.NoDataArea{{Code: "11", Hexes: tc.hexes, Households: 60}}}
		got, _ := noPlan(dz, &pipeline.PlanResult{})
		if !strings.Contains(got, tc.want) {
			t.Errorf("%d hexes: %q, want it to say %q", tc.hexes, got, tc.want)
		}
	}
}
