package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/internal/shareddata"
)

// A usage error names the required flags that are missing, not every
// required flag: "report: --period YYYY-MM and --out DIR are required"
// when only --out was left out sent the user to check a --period given.
func TestBinaryRequiredFlagsNamed(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args     []string
		want     string
		notNamed string
	}{
		{[]string{"report", "--dataset", "ds", "--period", "2024-10"}, "report: --out DIR is required", "--period"},
		{[]string{"scorecard", "--dataset", "ds", "--out", "o"}, "scorecard: --period YYYY-MM is required", "--out"},
		{[]string{"export", "--dataset", "ds", "--period", "2024-10"}, "export: --format gpkg|geoparquet|postgis and --out are required", "--period"},
		{[]string{"aggregate", "--dataset", "ds"}, "aggregate: --out DIR is required", "--dataset DIR"},
		{[]string{"campaign", "--dataset", "ds", "--out", "o"}, "campaign: --days N (≥ 1) is required", "--out"},
	} {
		_, errs, code := runBinary(t, c.args...)
		last := strings.TrimSpace(errs[strings.LastIndex(strings.TrimSpace(errs), "\n")+1:])
		if code != exitUsage || !strings.Contains(last, c.want) || strings.Contains(last, c.notNamed) {
			t.Errorf("%s: exit %d, last line %q; want %q", strings.Join(c.args, " "), code, last, c.want)
		}
	}
	if err := requiredFlags("x", flagNeed{"--a", false}); err != nil {
		t.Errorf("nothing missing: %v", err)
	}
	if err := requiredFlags("x", flagNeed{"--a", true}, flagNeed{"--b", true}, flagNeed{"--c", true}); err == nil || err.Error() != "x: --a, --b and --c are required" {
		t.Errorf("three missing: %v", err)
	}
}

// A name not found in a boundary file given to areas is said not found
// in that file ("no such unit in the boundaries given" named none).
func TestBinaryAreasNotFoundNamesFile(t *testing.T) {
	t.Parallel()
	file := shareddata.Path(t, "vn_provinces_2019_naturalearth.geojson")
	_, errs, code := runBinary(t, "areas", "--boundaries", file, "Xyzabc")
	if code != exitUsage || !strings.Contains(errs, `"Xyzabc": no such unit in `+file) {
		t.Errorf("exit %d:\n%s", code, errs)
	}
}

// The name an export records its boundary set under ("boundaries":
// "vn-provinces-2025-from-2019") is taken back by --boundaries; it was
// "no such file or directory".
func TestBinaryBoundariesByRecordedName(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"vn-provinces-2025-from-2019", "vn-provinces-2019"} {
		stdout, errs, code := runBinary(t, "areas", "--boundaries", name, "12")
		if code != exitOK || !strings.Contains(stdout, "Lai Châu          460196") {
			t.Errorf("--boundaries %s: exit %d\n%s%s", name, code, stdout, errs)
		}
	}
}

// help of a subcommand that does not exist is a usage error (it printed
// the general help, exit 0); calibrate --out inside the dataset, other
// than its calibration.json, is refused as every command's --out there is
// (it was written, and dataset verify then failed on a file the manifest
// does not list).
func TestBinaryHelpBogusAndCalibrateOutInside(t *testing.T) {
	t.Parallel()
	if _, errs, code := runBinary(t, "help", "bogus"); code != exitUsage || !strings.Contains(errs, `help: unknown subcommand "bogus"`) {
		t.Errorf("help bogus: exit %d\n%s", code, errs)
	}
	ds := villagesDataset(t, t.TempDir(), "V1,Bản A,,103.30,22.45,40\n")
	out := filepath.Join(ds, "measurements", "cal.json")
	if _, errs, code := runBinary(t, "calibrate", "--dataset", ds, "--out", out); code != exitUsage || !strings.Contains(errs, "is inside the dataset") || fileExists(out) {
		t.Errorf("calibrate --out inside the dataset: exit %d\n%s", code, errs)
	}
}

// An empty --mapping file, or one that is no JSON, is refused as data
// (exit 3) saying what a mapping is: "mapping: EOF", exit 1, did not.
func TestBinaryMappingNotJSON(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, body := range []string{"", "  \n", "nonsense\n"} {
		m := writeFile(t, dir, "m.json", []byte(body))
		_, errs, code := runBinary(t, "validate", "--mapping", m, filepath.Join(examples, "sites.csv"))
		if code != exitDataRefused || !strings.Contains(errs, "--mapping "+m) || !strings.Contains(errs, "a mapping is a JSON object naming the file's columns") {
			t.Errorf("mapping %q: exit %d\n%s", body, code, errs)
		}
	}
}

// An --out name no file system takes is refused before anything is
// computed: it failed after the whole computation with "mkdir OUTbbb…:
// file name too long", naming neither the flag nor what to do.
func TestBinaryOutNameTooLong(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "OUT"+strings.Repeat("b", 300))
	_, errs, code := runBinary(t, "coverage", "--dataset", "no-such-dataset", "--out", out)
	if code != exitUsage || !strings.Contains(errs, "is 303 bytes, more than the 255 a file name may have; nothing was computed") {
		t.Errorf("exit %d\n%s", code, errs)
	}
}
