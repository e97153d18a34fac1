package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestInvestmentNotebookGapInHouseholds: notebooks/investment.ipynb's
// summary showed plan.json's gap, a share of the bound (0.076), as "gap to
// the bound (households)": a plan 71 households short of its bound read as
// 0.08 households short. The row gives the households (bound − covered),
// and a row beside it the gap in % of the bound. Runs where Debian's
// Jupyter and pandas are installed (notebooks/run.sh installs them).
func TestInvestmentNotebookGapInHouseholds(t *testing.T) {
	if _, err := os.Stat("/usr/bin/jupyter-nbconvert"); err != nil {
		t.Skip("no /usr/bin/jupyter-nbconvert")
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import pandas, matplotlib, nbformat, ipykernel").Run(); err != nil {
		t.Skip("python3 lacks pandas, matplotlib, nbformat or ipykernel")
	}
	demo := filepath.Join(t.TempDir(), "demo")
	// 20 billion VND funds 6 of the demo's 22 sites, 858 households, under
	// an LP bound of 928.5 (929 whole households).
	if stdout, errs, code := runBinary(t, "demo", "--seed", "1", "--budget", "2e10", "--out", demo); code != exitOK {
		t.Fatalf("demo: exit %d\n%s\n%s", code, stdout, errs)
	}
	var pj struct {
		Bound   float64 `json:"upper_bound_households"`
		Covered float64 `json:"households_newly_covered"`
		Gap     float64 `json:"gap"`
	}
	readJSON(t, filepath.Join(demo, "plan", "plan.json"), &pj)
	if pj.Bound-pj.Covered < 10 || pj.Gap <= 0 || pj.Gap >= 1 {
		t.Fatalf("the demo's plan at 20 billion VND: bound %g, covered %g, gap %g: the test needs a gap of households", pj.Bound, pj.Covered, pj.Gap)
	}
	dir := t.TempDir()
	cmd := exec.Command("/usr/bin/jupyter", "nbconvert", "--to", "notebook", "--execute", "--output-dir", dir, "--output", "investment.ipynb",
		filepath.Join("..", "..", "notebooks", "investment.ipynb"))
	cmd.Env = append(os.Environ(), "LOMSONG_DEMO_DIR="+demo, "MPLBACKEND=Agg")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nbconvert: %v\n%s", err, out)
	}
	var nb struct {
		Cells []struct {
			Outputs []struct {
				Data map[string]any `json:"data"`
			} `json:"outputs"`
		} `json:"cells"`
	}
	readJSON(t, filepath.Join(dir, "investment.ipynb"), &nb)
	var summary string
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			if s := textOf(o.Data["text/plain"]); strings.Contains(s, "gap to the bound") {
				summary = s
			}
		}
	}
	row := func(name string) string {
		m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `\s+(\S+)\s*$`).FindStringSubmatch(summary)
		if m == nil {
			return ""
		}
		return m[1]
	}
	if got, want := row("gap to the bound (households)"), jsonNumber(pj.Bound-pj.Covered); got != want {
		t.Errorf("gap to the bound (households) %q, want %s (bound %g − covered %g)\n%s", got, want, pj.Bound, pj.Covered, summary)
	}
	if got, want := row("gap to the bound (% of the bound)"), fmt.Sprintf("%.1f", 100*pj.Gap); got != want {
		t.Errorf("gap to the bound (%% of the bound) %q, want %s\n%s", got, want, summary)
	}
}

// textOf joins a notebook output's text, a string or a list of lines.
func textOf(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		var b strings.Builder
		for _, l := range x {
			s, _ := l.(string)
			b.WriteString(s)
		}
		return b.String()
	}
	return ""
}

func jsonNumber(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}
