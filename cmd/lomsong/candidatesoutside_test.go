package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanCandidatesOutsideArea: lomsong plan --candidates took a
// proposed site 1,000 km from the area analysed (one by Ho Chi Minh City
// in a plan of Lai Châu) silently: it covered nothing and was never
// named. It is set aside into candidates.quarantine.csv with its line and
// distance (outside_bounds), said on stderr and stdout and counted in
// plan.json; a proposed site inside the area whose footprint reaches no
// dead or uncertain hex stays among the options, named in the summary,
// with why it is not funded in candidates.csv. A table whose candidates
// all lie outside is refused (exit 3), its rows listed in
// OUT/rejected/candidates.quarantine.csv, no plan written.
func TestPlanCandidatesOutsideArea(t *testing.T) {
	t.Parallel()
	// The example's villages, and Bản D 35 km west of every site: a dead
	// zone.
	ds := villagesDataset(t, t.TempDir(), "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV3,Bản C,,103.10,22.05,60\nV4,Bản D,,102.85,22.40,80\n")
	dir := t.TempDir()
	cands := writeFile(t, dir, "proposals.csv", []byte("candidate_id,lon,lat\n"+
		"NEAR-1,102.86,22.40\n"+ // by Bản D
		"HCM-1,106.70,10.78\n"+ // Ho Chi Minh City
		"IDLE-1,102.60,22.65\n")) // in Lai Châu, far from every village
	for _, province := range []string{"lai chau", ""} {
		out := filepath.Join(dir, "plan-"+strings.ReplaceAll(province, " ", ""))
		args := []string{"plan", "--dataset", ds, "--budget", "500e9", "--candidates", cands, "--out", out}
		if province != "" {
			args = append(args, "--province", province)
		}
		stdout, errs, code := runBinary(t, args...)
		if code != exitOK {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, stdout, errs)
		}
		if !strings.Contains(errs, cands+": 1 of 3 proposed candidates lies outside the area analysed") || !strings.Contains(errs, "line 3") ||
			!strings.Contains(stdout, "HCM-1 (line 3)") || !strings.Contains(stdout, "(2 proposed)") {
			t.Errorf("%v: HCM-1 not said to be set aside\nstdout: %s\nstderr: %s", args, stdout, errs)
		}
		q := csvRows(t, filepath.Join(out, "candidates.quarantine.csv"))
		if len(q) != 2 || q[1][0] != "proposals.csv" && q[1][0] != cands || q[1][1] != "3" || q[1][4] != "outside_bounds" ||
			!strings.Contains(q[1][5], "HCM-1") || !strings.Contains(q[1][5], " km from") {
			t.Errorf("%v: quarantine %q", args, q)
		}
		rows := csvRows(t, filepath.Join(out, "candidates.csv"))
		why := map[string]string{}
		col := -1
		for i, h := range rows[0] {
			if h == "why_not_funded" {
				col = i
			}
		}
		for _, r := range rows[1:] {
			if r[1] == "proposed" {
				why[r[0]] = "?"
				if col >= 0 {
					why[r[0]] = r[col]
				}
			}
		}
		if _, ok := why["HCM-1"]; ok || len(why) != 2 || !strings.Contains(why["IDLE-1"], "reaches no dead or uncertain hex") ||
			strings.Contains(why["NEAR-1"], "reaches no dead") {
			t.Errorf("%v: proposed candidates in candidates.csv and why not funded: %q", args, why)
		}
		if !strings.Contains(stdout, "1 proposed candidate reaches no dead or uncertain hex, so it is not funded") || !strings.Contains(stdout, "IDLE-1") {
			t.Errorf("%v: IDLE-1 not named\n%s", args, stdout)
		}
		var pj map[string]any
		b, _ := os.ReadFile(filepath.Join(out, "plan.json"))
		if err := json.Unmarshal(b, &pj); err != nil || pj["candidates_set_aside"] != 1.0 {
			t.Errorf("%v: plan.json candidates_set_aside %v (%v)", args, pj["candidates_set_aside"], err)
		}
	}

	// Every proposed candidate outside: refused, with the file, line and
	// distance, and nothing planned.
	far := writeFile(t, dir, "far.csv", []byte("candidate_id,lon,lat\nHCM-1,106.70,10.78\nHCM-2,106.65,10.80\n"))
	out := filepath.Join(dir, "far")
	stdout, errs, code := runBinary(t, "plan", "--dataset", ds, "--budget", "500e9", "--province", "lai chau", "--candidates", far, "--out", out)
	if code != exitDataRefused || !strings.Contains(errs, far+": none of its 2 proposed candidates lies within reach of the area analysed") ||
		!strings.Contains(errs, "line 2") || !strings.Contains(errs, " km from") {
		t.Fatalf("all outside: exit %d, want %d\nstdout: %s\nstderr: %s", code, exitDataRefused, stdout, errs)
	}
	if q := csvRows(t, filepath.Join(out, "rejected", "candidates.quarantine.csv")); len(q) != 3 || q[1][1] != "2" || q[2][1] != "3" {
		t.Errorf("all outside: quarantine %q", q)
	}
	if _, err := os.Stat(filepath.Join(out, "plan.csv")); err == nil {
		t.Error("all outside: plan.csv written")
	}
}
