package scorecard

import (
	"bytes"
	"encoding/csv"
	"math"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/penetration"
)

// Card.Names are written beside the codes: area_name in the CSV, name in
// the JSON's rows and alerts and the name after the code in the table, Vietnamese letters
// as given; ForArea keeps them.
func TestCardNamesTheAreas(t *testing.T) {
	p := penetration.Period{Year: 2026, Month: 6}
	card := &Card{Config: DefaultConfig(), Names: map[string]string{"08": "Tuyên Quang", "VN": "Việt Nam"}}
	for _, a := range []string{"VN", "08", "99"} {
		r := Row{Area: a, Period: p, National: a == "VN", DeadZoneVillages: math.NaN(), DeadZoneHouseholds: math.NaN(), SpeedMobile: math.NaN(), SpeedFixed: math.NaN()}
		for i := range r.Targets {
			r.Targets[i] = Result{Target: Target(i), Value: math.NaN(), Lower: math.NaN(), Upper: math.NaN(), Change: math.NaN()}
		}
		card.Rows = append(card.Rows, r)
	}
	card.Alerts = []Alert{{Area: "08", Period: p, Kind: AlertRegression, Target: TargetFibre, Previous: 0.6, Current: 0.5, Message: "down"}}
	var cb bytes.Buffer
	if err := card.WriteCSV(&cb); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&cb).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range [][2]string{{"area", "area_name"}, {"VN", "Việt Nam"}, {"08", "Tuyên Quang"}, {"99", ""}} {
		if rows[i][0] != want[0] || rows[i][1] != want[1] {
			t.Errorf("csv line %d: %v, want %v first", i+1, rows[i][:2], want)
		}
	}
	var jb bytes.Buffer
	if err := card.ForArea("08").WriteJSON(&jb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(jb.String(), `"area": "08",
      "name": "Tuyên Quang",`) {
		t.Errorf("json of ForArea(08):\n%s", jb.String())
	}
	// Its alerts name the area too.
	if !strings.Contains(jb.String(), `"area": "08",
      "name": "Tuyên Quang",
      "period": "2026-06",
      "kind"`) {
		t.Errorf("json of ForArea(08): the alert has no name:\n%s", jb.String())
	}
	var tb bytes.Buffer
	if err := card.Table(&tb); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"VN Việt Nam (national)", "08 Tuyên Quang", "2026-06  99 "} {
		if !strings.Contains(tb.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, tb.String())
		}
	}
}
