package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// scorecard.csv, scorecard.json and the table name each province as
// well as giving its code: a card of the 34 provinces read "01", "08",
// "12" alone, and a department had to look every code up to find its own
// row. Names keep their Vietnamese letters.
func TestScorecardNamesTheAreas(t *testing.T) {
	dir, ds := subscriptionsDataset(t, testSubscriptions)
	out := filepath.Join(dir, "card")
	stdout, errs, code := runCmd(t, "scorecard", "--dataset", ds, "--period", "2026-10", "--out", out)
	if code != exitOK {
		t.Fatalf("scorecard: %d\n%s\n%s", code, stdout, errs)
	}
	for _, want := range []string{"12 Lai Châu", "01 Hà Nội"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the table does not show %q:\n%s", want, stdout)
		}
	}
	f, err := os.Open(filepath.Join(out, "scorecard.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows[0]) < 2 || rows[0][0] != "area" || rows[0][1] != "area_name" {
		t.Fatalf("scorecard.csv header %v: want area, area_name first", rows[0][:min(3, len(rows[0]))])
	}
	names := map[string]string{}
	for _, r := range rows[1:] {
		names[r[0]] = r[1]
	}
	if names["12"] != "Lai Châu" || names["01"] != "Hà Nội" {
		t.Errorf("scorecard.csv names: %v", names)
	}
	if names["VN"] != "Việt Nam" {
		t.Errorf("scorecard.csv names the national row %q, want Việt Nam", names["VN"])
	}
	b, err := os.ReadFile(filepath.Join(out, "scorecard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var card struct {
		Rows []struct {
			Area string `json:"area"`
			Name string `json:"name"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(b, &card); err != nil {
		t.Fatal(err)
	}
	got := 0
	for _, r := range card.Rows {
		if r.Area == "12" {
			got++
			if r.Name != "Lai Châu" {
				t.Errorf("scorecard.json: area 12 named %q", r.Name)
			}
		}
	}
	if got == 0 {
		t.Errorf("scorecard.json has no row of area 12:\n%s", b)
	}
}
