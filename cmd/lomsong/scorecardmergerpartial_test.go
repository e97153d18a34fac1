package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// A month written on the 2019 provinces that lists only some of the
// provinces a 2025 province was made of has no figure for that province:
// Hà Giang (02) alone is not Tuyên Quang (08), which is Hà Giang and the
// old Tuyên Quang together. Before, Hà Giang's counts were summed alone
// onto Tuyên Quang and its fibre share (50%) shown as the province's, the
// old Tuyên Quang's households counted as none. Lai Châu (12), one 2019
// province alone, is whole and scored.
func TestScorecardPreMergerMonthWithoutEveryProvince(t *testing.T) {
	dir, ds := subscriptionsDataset(t, `area_code,period,households,fiber_households,mobile_subscribers,smartphone_subscribers,only_2g_subscribers
02,2025-05,200000,100000,600000,400000,40000
12,2025-05,100000,60000,500000,300000,20000
08,2026-05,430000,300000,1400000,1000000,50000
`)
	out := filepath.Join(dir, "card")
	stdout, errs, code := runCmd(t, "scorecard", "--dataset", ds, "--period", "2026-05", "--out", out)
	if code != exitOK {
		t.Fatalf("%d\n%s\n%s", code, stdout, errs)
	}
	const why = "2025-05: Tuyên Quang (08) was made of 2 provinces of 2019 and the subscriptions list 1 of them (no row of Tuyên Quang, 08): its figures of 2025-05 are unknown"
	if !strings.Contains(errs, why) {
		t.Errorf("stderr does not say that Tuyên Quang's 2019 provinces are not all listed in 2025-05 (want %q):\n%s", why, errs)
	}
	tq := scorecardTargets(t, filepath.Join(out, "scorecard.json"), "08", "2025-05")
	for _, target := range []string{"smartphone", "fibre", "2g_only"} {
		r := tq[target]
		if r["value"] != nil || r["status"] != "unknown" || !strings.Contains(r["reason"].(string), why) {
			t.Errorf("Tuyên Quang's %s of 2025-05: value %v, status %v, reason %q; want unknown: %q", target, r["value"], r["status"], r["reason"], why)
		}
	}
	lc := scorecardTargets(t, filepath.Join(out, "scorecard.json"), "12", "2025-05")["fibre"]
	if v, ok := lc["value"].(float64); !ok || v != 0.6 {
		t.Errorf("Lai Châu's fibre share of 2025-05 = %v, want 0.6 (one 2019 province alone, whole)", lc["value"])
	}
	nat := scorecardTargets(t, filepath.Join(out, "scorecard.json"), "VN", "2025-05")["fibre"]
	if nat["value"] != nil {
		t.Errorf("national fibre share of 2025-05 = %v, want unknown", nat["value"])
	}
}

// A month from the merger on that still lists a merged province (Hà
// Giang, 02) beside the province it became part of (Tuyên Quang, 08)
// cannot be read for that province: Tuyên Quang's row is the old Tuyên
// Quang's alone when the month was written on the 2019 provinces, as Hà
// Giang's row is, or the whole province's beside a stray row. Its figures
// are unknown, saying so; before, Hà Giang's row was left out and Tuyên
// Quang's scored as the whole province's. Lai Châu's row is scored.
func TestScorecardMergedProvinceListedAfterTheMerger(t *testing.T) {
	dir, ds := subscriptionsDataset(t, `area_code,period,households,fiber_households,mobile_subscribers,smartphone_subscribers,only_2g_subscribers
02,2025-08,200000,100000,600000,400000,40000
08,2025-08,220000,150000,700000,500000,30000
12,2025-08,100000,60000,500000,300000,20000
`)
	out := filepath.Join(dir, "card")
	stdout, errs, code := runCmd(t, "scorecard", "--dataset", ds, "--period", "2025-08", "--out", out)
	if code != exitOK {
		t.Fatalf("%d\n%s\n%s", code, stdout, errs)
	}
	if !strings.Contains(errs, "area 02 (1 row) left out: Hà Giang merged into Tuyên Quang") {
		t.Errorf("stderr does not say Hà Giang's row is left out:\n%s", errs)
	}
	const why = "2025-08: the subscriptions list Hà Giang (02), a province of 2019 merged into Tuyên Quang (08) on 1 July 2025, beside Tuyên Quang's own row: that row may be the old Tuyên Quang's alone (the month written on the 2019 provinces) or the whole province's; its figures of 2025-08 are unknown"
	tq := scorecardTargets(t, filepath.Join(out, "scorecard.json"), "08", "2025-08")
	for _, target := range []string{"smartphone", "fibre", "2g_only"} {
		r := tq[target]
		if r["value"] != nil || r["status"] != "unknown" || r["reason"] != why {
			t.Errorf("Tuyên Quang's %s of 2025-08: value %v, status %v, reason %q; want unknown: %q", target, r["value"], r["status"], r["reason"], why)
		}
	}
	if !strings.Contains(stdout, why) {
		t.Errorf("the table's notes do not say why Tuyên Quang is unknown:\n%s", stdout)
	}
	lc := scorecardTargets(t, filepath.Join(out, "scorecard.json"), "12", "2025-08")["fibre"]
	if v, ok := lc["value"].(float64); !ok || v != 0.6 {
		t.Errorf("Lai Châu's fibre share of 2025-08 = %v, want 0.6", lc["value"])
	}
}

// On the 2019 provinces, a row of Tuyên Quang's code (08) whose
// households are those of the Tuyên Quang of 2025 (Hà Giang and the old
// Tuyên Quang together), in a month listing no row of Hà Giang (02), is
// the 2025 province's: its figures are unknown there, saying so. Before,
// it was scored as the old Tuyên Quang, its shares standing on about
// twice that province's households (smartphones "above one per adult").
// A row of the old province's size is scored, as is Lai Châu's.
func TestScorecard2019ProvincesRowOfMergedProvince(t *testing.T) {
	dir, ds := subscriptionsDataset(t, `area_code,period,households,fiber_households,mobile_subscribers,smartphone_subscribers,only_2g_subscribers
08,2024-10,428840,300000,1400000,1000000,50000
12,2024-10,100000,60000,500000,300000,20000
08,2024-09,215000,150000,700000,500000,30000
`)
	for _, c := range []struct {
		period  string
		unknown bool
	}{{"2024-10", true}, {"2024-09", false}} {
		out := filepath.Join(dir, "card"+c.period)
		stdout, errs, code := runCmd(t, "scorecard", "--dataset", ds, "--boundaries", "provinces2019", "--period", c.period, "--out", out)
		if code != exitOK {
			t.Fatalf("%d\n%s\n%s", code, stdout, errs)
		}
		const why = "the row of Tuyên Quang (08) gives 428,840 households, those of the Tuyên Quang of 2025, Tuyên Quang and Hà Giang (02) together"
		tq := scorecardTargets(t, filepath.Join(out, "scorecard.json"), "08", c.period)
		for _, target := range []string{"smartphone", "fibre", "2g_only"} {
			r := tq[target]
			reason, _ := r["reason"].(string)
			if c.unknown && (r["value"] != nil || r["status"] != "unknown" || !strings.Contains(reason, why)) ||
				!c.unknown && r["value"] == nil {
				t.Errorf("%s: Tuyên Quang's %s: value %v, status %v, reason %q; want unknown %v (%q)", c.period, target, r["value"], r["status"], reason, c.unknown, why)
			}
		}
	}
	lc := scorecardTargets(t, filepath.Join(dir, "card2024-10", "scorecard.json"), "12", "2024-10")["fibre"]
	if v, ok := lc["value"].(float64); !ok || v != 0.6 {
		t.Errorf("Lai Châu's fibre share = %v, want 0.6", lc["value"])
	}
}
