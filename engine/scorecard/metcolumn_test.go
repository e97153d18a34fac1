package scorecard_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/engine/scorecard"
)

// TestTableMetColumnCountsKnown: the table's met column says how many
// targets are known, so an area with no data for any target does not
// read as one failing all five ("0/5"), nor one with three unknown as one
// failing three.
func TestTableMetColumnCountsKnown(t *testing.T) {
	feb := penetration.Period{Year: 2025, Month: 2}
	low := &penetration.Estimate{Value: 0.10, Lower: 0.08, Upper: 0.12}
	in := []scorecard.AreaInput{
		{Area: "01", Period: feb, Households: 100_000,
			DeadZones:   &scorecard.DeadZones{Villages: 3, Households: 400},
			Smartphone:  low,
			Fibre:       low,
			TwoGOnly:    &penetration.Estimate{Value: 0.40, Lower: 0.35, Upper: 0.45},
			SpeedMobile: &penetration.Estimate{Value: -0.20, Lower: -0.25, Upper: -0.15},
			SpeedFixed:  &penetration.Estimate{Value: -0.20, Lower: -0.25, Upper: -0.15}},
		{Area: "02", Period: feb, Households: 50_000,
			DeadZones:  &scorecard.DeadZones{Villages: 2, Households: 100},
			Smartphone: low},
		{Area: "03", Period: feb, Households: 50_000},
	}
	card, err := scorecard.Build(in, scorecard.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := card.Table(&b); err != nil {
		t.Fatal(err)
	}
	met := map[string]string{}
	for _, line := range strings.Split(b.String(), "\n") {
		f := strings.Fields(line)
		if len(f) > 2 && f[0] == "2025-02" {
			i := strings.LastIndex(line, "  ")
			met[f[1]] = strings.TrimSpace(line[i:])
		}
	}
	for area, want := range map[string]string{"01": "0/5", "02": "0/2 (3 unknown)", "03": "0/0 (5 unknown)"} {
		if met[area] != want {
			t.Errorf("area %s: met %q, want %q\n%s", area, met[area], want, b.String())
		}
	}
}
