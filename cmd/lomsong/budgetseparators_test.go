package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestBudgetWithThousandsSeparators: a budget written as people write
// money — --budget 500,000,000,000 or 500.000.000.000 — was "parse error"
// under the whole usage, and --budget 500.000 (five hundred thousand đồng
// in Vietnamese) was taken as 500 đồng. Each command with --budget, and
// plan's sharing prices, refuse them as usage errors (exit 2) with the
// amount written plainly; an amount without separators is taken as it was.
func TestBudgetWithThousandsSeparators(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ds, out := filepath.Join(dir, "no-such-dataset"), filepath.Join(dir, "out")
	cmds := map[string][]string{
		"plan":   {"plan", "--dataset", ds, "--out", out},
		"run":    {"run", "--dataset", ds},
		"report": {"report", "--dataset", ds, "--period", "2024-10", "--out", out},
		"export": {"export", "--dataset", ds, "--period", "2024-10", "--format", "gpkg", "--out", filepath.Join(dir, "x.gpkg")},
		"demo":   {"demo", "--out", out},
	}
	for _, tc := range []struct{ value, want string }{
		{"500,000,000,000", "write the amount in đồng without thousands separators: 500000000000"},
		{"500.000.000.000", "write the amount in đồng without thousands separators: 500000000000"},
		{"500.000.000.000", "write the amount in đồng without thousands separators: 500000000000"},
		{"500.000", "500 đồng, or 500000 with the dot separating thousands? Write 500000 without separators, or 500.0 for 500 đồng"},
		{"five hundred", "not an amount of đồng: write it as 500000000000 or 500e9"},
	} {
		for name, args := range cmds {
			_, errs, code := runBinary(t, append(args, "--budget", tc.value)...)
			if code != exitUsage || !strings.Contains(errs, `invalid value "`+tc.value+`" for flag -budget: `+tc.want) {
				t.Errorf("%s --budget %q: exit %d, want %d and %q\n%s", name, tc.value, code, exitUsage, tc.want, lastLine(errs))
			}
		}
	}
	_, errs, code := runBinary(t, "plan", "--dataset", ds, "--out", out, "--budget", "5e11", "--sharing-per-hex-vnd", "5.000.000")
	if code != exitUsage || !strings.Contains(errs, `flag -sharing-per-hex-vnd: write the amount in đồng without thousands separators: 5000000`) {
		t.Errorf("--sharing-per-hex-vnd 5.000.000: exit %d\n%s", code, lastLine(errs))
	}
	// Without separators the amount reaches the dataset, which is missing.
	for _, v := range []string{"500000000000", "500e9", "500_000_000_000", "2.125e12", "500.0"} {
		_, errs, code := runBinary(t, "plan", "--dataset", ds, "--out", out, "--budget", v)
		if code == exitUsage || !strings.Contains(errs, "no dataset here") {
			t.Errorf("--budget %s: exit %d\n%s", v, code, lastLine(errs))
		}
	}
	// A fraction of a đồng is refused: 2.5 was printed as 2 and written
	// to plan.json as 3.
	if _, errs, code := runBinary(t, "plan", "--dataset", ds, "--out", out, "--budget", "2.5"); code != exitUsage || !strings.Contains(errs, "a whole number of đồng") {
		t.Errorf("--budget 2.5: exit %d\n%s", code, lastLine(errs))
	}
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	return s[strings.LastIndex(s, "\n")+1:]
}
