package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestPlanIndependentOfProposalOrder: two proposed sites by Bản D (80
// households) quoted alike, and a cheap one by Bản F (30): greedy funds
// the cheap one and cannot then afford either big one, so the guard (the
// best single site) decides, and it took the first in the file: the same
// proposals in another row order funded BIG-2 instead of BIG-1. The plan
// now decides between equal options by id, as its greedy does.
func TestPlanIndependentOfProposalOrder(t *testing.T) {
	ds := villagesDataset(t, t.TempDir(), "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV3,Bản C,,103.10,22.05,60\n"+
		"V4,Bản D,,102.85,22.40,80\nV6,Bản F,,103.00,22.25,30\n")
	dir := t.TempDir()
	rows := map[string]string{
		"CHEAP-F": "CHEAP-F,103.001,22.251,500000000\n",
		"BIG-1":   "BIG-1,102.851,22.401,3000000000\n",
		"BIG-2":   "BIG-2,102.849,22.399,3000000000\n",
	}
	var plans [][]byte
	for k, order := range [][]string{{"CHEAP-F", "BIG-1", "BIG-2"}, {"BIG-2", "CHEAP-F", "BIG-1"}} {
		body := "candidate_id,lon,lat,cost_vnd\n"
		for _, id := range order {
			body += rows[id]
		}
		cands := writeFile(t, dir, "proposals"+string(rune('a'+k))+".csv", []byte(body))
		out := filepath.Join(dir, "plan"+string(rune('a'+k)))
		stdout, errs, code := runBinary(t, "plan", "--dataset", ds, "--budget", "3e9", "--candidates", cands, "--out", out)
		if code != exitOK {
			t.Fatalf("%v: exit %d\n%s\n%s", order, code, stdout, errs)
		}
		p := csvRows(t, filepath.Join(out, "plan.csv"))
		if len(p) != 2 || p[1][1] != "BIG-1" {
			t.Errorf("proposals in order %v: plan %q, want BIG-1 alone", order, p)
		}
		b, err := os.ReadFile(filepath.Join(out, "plan.csv"))
		if err != nil {
			t.Fatal(err)
		}
		plans = append(plans, b)
	}
	if !bytes.Equal(plans[0], plans[1]) {
		t.Errorf("plan.csv differs with the proposals' order:\n%s\n%s", plans[0], plans[1])
	}
}
