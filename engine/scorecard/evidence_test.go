package scorecard

import (
	"bytes"
	"strings"
	"testing"
)

func TestEvidenceCompare(t *testing.T) {
	all := []string{"mobifone", "vietnamobile", "viettel", "vinaphone"}
	for _, tc := range []struct {
		name      string
		cur, prev *Evidence
		want      string // "" = like with like
	}{
		{"same carriers, similar rows", &Evidence{all, 19053}, &Evidence{all, 18820}, ""},
		{"twice the rows is still like with like", &Evidence{all, 2000}, &Evidence{all, 1000}, ""},
		{"carriers missing a month before", &Evidence{all, 19053}, &Evidence{[]string{"mobifone", "viettel"}, 13907},
			"not like with like: 2024-09 has no measurements of vietnamobile, vinaphone"},
		{"a carrier missing this month", &Evidence{[]string{"viettel"}, 9000}, &Evidence{[]string{"mobifone", "viettel"}, 9100},
			"not like with like: 2024-10 has no measurements of mobifone"},
		{"a few hundred rows a month before", &Evidence{all, 18820}, &Evidence{all, 233},
			"not like with like: 233 measurement rows in 2024-09 against 18820 in 2024-10, more than 2 times as many in one"},
		{"unknown evidence compares", &Evidence{all, 18820}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.cur.Compare(tc.prev, oct, oct.AddMonths(-1), 2); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// New dead zones and a regression against a month measured without two of
// the carriers are marked not like with like, in the alerts, the JSON and
// the text table; on like evidence they are plain.
func TestAlertsNotLikeWithLike(t *testing.T) {
	sep := oct.AddMonths(-1)
	all := []string{"mobifone", "vietnamobile", "viettel", "vinaphone"}
	for _, tc := range []struct {
		name       string
		before     *Evidence
		unlikeWant string
	}{
		{"carriers missing", &Evidence{[]string{"mobifone", "viettel"}, 13907}, "not like with like: 2024-09 has no measurements of vietnamobile, vinaphone"},
		{"like with like", &Evidence{all, 18000}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := full("12", sep), full("12", oct)
			a.DeadZones = &DeadZones{Villages: 1, Households: 10, VillageIDs: []string{"V1"}, Hexes: []string{"h1"}, Evidence: tc.before}
			b.DeadZones = &DeadZones{Villages: 3, Households: 30, VillageIDs: []string{"V1", "V2", "V3"}, Hexes: []string{"h1", "h2"},
				Evidence: &Evidence{all, 19053}}
			c := build(t, []AreaInput{a, b}, DefaultConfig())
			var kinds []string
			for _, al := range c.Alerts {
				if al.Area != "12" || al.Target != TargetDeadZones {
					continue
				}
				kinds = append(kinds, string(al.Kind))
				if al.NotLikeWithLike != tc.unlikeWant || strings.Contains(al.Message, "like with like") != (tc.unlikeWant != "") {
					t.Fatalf("alert %+v, want not like with like %q", al, tc.unlikeWant)
				}
			}
			if strings.Join(kinds, " ") != "new_dead_zone_hexes new_dead_zone_villages regression" {
				t.Fatalf("alerts %v", kinds)
			}
			issues := strings.Join(row(t, c, "12", oct).Targets[TargetDeadZones].Issues, "; ")
			if strings.Contains(issues, "change since 2024-09 not like with like") != (tc.unlikeWant != "") {
				t.Fatalf("target 1 issues %q", issues)
			}
			var js, txt bytes.Buffer
			if err := c.WriteJSON(&js); err != nil {
				t.Fatal(err)
			}
			if err := c.Table(&txt); err != nil {
				t.Fatal(err)
			}
			if got := strings.Count(js.String(), `"not_like_with_like": "`+tc.unlikeWant+`"`); tc.unlikeWant != "" && got != 4 {
				t.Fatalf("JSON marks %d alerts not like with like, want 4 (the national regression too):\n%s", got, js.String())
			}
			if tc.unlikeWant == "" && strings.Contains(js.String()+txt.String(), "not like with like") {
				t.Fatalf("like evidence said not like with like:\n%s\n%s", js.String(), txt.String())
			}
			if tc.unlikeWant != "" && !strings.Contains(txt.String(), "regression: dead_zones: worse by 2 villages since 2024-09 (1 village → 3 villages; tolerance 0 villages) ("+tc.unlikeWant+")") {
				t.Fatalf("table:\n%s", txt.String())
			}
		})
	}
}
