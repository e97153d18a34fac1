package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/geodata"
)

// A release's scorecard is the card lomsong scorecard --period makes of
// the month: every province of the 34 scored in the release's month, one
// without data in a row of unknowns saying so, and the national row's
// reasons those of that card ("unknown in 33 of 34 areas (…)"). The
// release's card had the provinces with subscriptions alone, so its
// national row read "no data for 33 of 34 areas" for a month no area had
// subscriptions of, and its rows were not the command's. A province
// without any known target still reads not assessed, with its row.
func TestReleaseScorecardScoresEveryProvince(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	ts.certifyViettelMonth(t, f)
	id := ts.submit(t, "cuc", "subscriptions", "subscriptions.csv", f.subs)
	if s := ts.wait(t, "cuc", id); s.Status != "accepted" {
		t.Fatalf("subscriptions: %+v", s)
	}
	if code := ts.certify(t, "cuc", id); code != http.StatusOK {
		t.Fatalf("certify subscriptions: %d", code)
	}
	rl := ts.release(t, "2024-10")
	if rl.Status != "published" {
		t.Fatalf("release: %+v", rl)
	}
	b, err := os.ReadFile(filepath.Join(ts.dir, StateDir, "releases", fmt.Sprintf("%04d-%s", rl.Number, rl.Period), "scorecard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var card struct {
		Rows []struct {
			Area, Period string
			Targets      []struct{ Target, Status, Reason string }
		}
	}
	if err := json.Unmarshal(b, &card); err != nil {
		t.Fatal(err)
	}
	provinces, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	month := map[string]bool{}
	for _, r := range card.Rows {
		if r.Period != "2024-10" {
			continue
		}
		month[r.Area] = true
		if r.Area == "VN" {
			for _, x := range r.Targets {
				if strings.HasPrefix(x.Reason, "no data for 33 of 34 areas") {
					t.Errorf("national %s of the month: %q, not the card of every province's reason", x.Target, x.Reason)
				}
			}
		}
	}
	for _, u := range provinces.Units() {
		if !month[u.Code] {
			t.Errorf("province %s (%s) has no row in the release's month", u.Code, u.Name)
		}
	}
	if !month["VN"] {
		t.Error("no national row in the release's month")
	}

	code, b := ts.call(t, "hanoi", "GET", "/api/v1/releases/2024-10/provinces/01/scorecard", "/api/v1/releases/{period}/provinces/{code}/scorecard", nil, "")
	var hanoi struct {
		Assessed bool
		Note     string
		Rows     []struct {
			Period  string
			Targets []struct{ Status, Reason string }
		}
	}
	if err := json.Unmarshal(b, &hanoi); err != nil || code != http.StatusOK {
		t.Fatalf("Hà Nội's scorecard: %d %v %.300s", code, err, b)
	}
	if hanoi.Assessed || !strings.Contains(hanoi.Note, "not assessed") || len(hanoi.Rows) != 1 {
		t.Fatalf("Hà Nội's scorecard, without subscriptions or villages: assessed %v, note %q, %d rows; want not assessed with the month's row", hanoi.Assessed, hanoi.Note, len(hanoi.Rows))
	}
	for _, x := range hanoi.Rows[0].Targets {
		if x.Status != "unknown" || !strings.Contains(x.Reason, "no data for the area") {
			t.Errorf("Hà Nội's target: %+v, want unknown saying the area has no data", x)
		}
	}
	if status, _ := targetOf(t, ts, "2024-10", "2024-10"); status == "unknown" {
		t.Errorf("Lai Châu's target 1 of the month is unknown")
	}
}
