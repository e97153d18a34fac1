package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSharingSaysWhichAgreementsAreFunded: sharing.csv listed every
// agreement on offer with no word of which the plan funds, with
// --include-sharing or without (when the budget buys none). It says, as
// candidates.csv says of the sites: funded_rank (its rank in plan.csv, 0
// when not funded) and why_not_funded.
func TestSharingSaysWhichAgreementsAreFunded(t *testing.T) {
	// Bản A and Bản B lie in gaps of mobifone (2 hexes, 65 households,
	// 210 million đồng) and of vinaphone (1 hex, 25 households, 205
	// million đồng) that another carrier covers.
	ds := villagesDataset(t, t.TempDir(), "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV4,Bản D,,102.85,22.40,80\n")
	for _, tc := range []struct {
		name string
		args []string
		want map[string][2]string // option → funded_rank, why_not_funded (its start)
	}{
		{"included", []string{"--include-sharing"}, map[string][2]string{
			"SHARE-mobifone-12":  {"1", ""},
			"SHARE-vinaphone-12": {"0", "not chosen within the budget: it costs "},
		}},
		{"not included", nil, map[string][2]string{
			"SHARE-mobifone-12":  {"0", "the budget buys no agreement without --include-sharing"},
			"SHARE-vinaphone-12": {"0", "the budget buys no agreement without --include-sharing"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "plan")
			stdout, errs, code := runBinary(t, append([]string{"plan", "--dataset", ds, "--budget", "210e6", "--out", out}, tc.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d\n%s\n%s", code, stdout, errs)
			}
			rows := csvRows(t, filepath.Join(out, "sharing.csv"))
			if got := strings.Join(rows[0], ","); got != "option,hexes,households,cost_vnd,funded_rank,why_not_funded" {
				t.Fatalf("sharing.csv header %s", got)
			}
			got := map[string][2]string{}
			for _, r := range rows[1:] {
				got[r[0]] = [2]string{r[4], r[5]}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("sharing.csv %q, want %q", got, tc.want)
			}
			for id, w := range tc.want {
				if g := got[id]; g[0] != w[0] || !strings.HasPrefix(g[1], w[1]) || (w[1] == "") != (g[1] == "") {
					t.Errorf("%s: funded_rank %s, why_not_funded %q; want %s, %q", id, g[0], g[1], w[0], w[1])
				}
			}
		})
	}
}
