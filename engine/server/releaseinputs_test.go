package server

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// askRelease asks for a release of period as the ministry and returns the
// answer's status and body.
func (ts *testService) askRelease(t *testing.T, period string) (int, string) {
	t.Helper()
	code, b := ts.call(t, "cuc", "POST", "/api/v1/releases", "/api/v1/releases", strings.NewReader(`{"period":"`+period+`"}`), "application/json")
	return code, string(b)
}

// releaseNumbers returns the numbers GET /api/v1/releases lists, in order.
func (ts *testService) releaseNumbers(t *testing.T) []int64 {
	t.Helper()
	code, b := ts.call(t, "cuc", "GET", "/api/v1/releases", "/api/v1/releases", nil, "")
	if code != http.StatusOK {
		t.Fatalf("releases: %d %s", code, b)
	}
	var list struct{ Releases []Release }
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, r := range list.Releases {
		out = append(out, r.Number)
	}
	return out
}

// A release reads more than its month's parts: with subscriptions, its
// scorecard reads the other months' saved dead zones and their passes
// over the measurements. A part of an earlier month removed after that
// month was published is refused before the release starts (409, naming
// the part and lomsong dataset verify), as a part of the month itself
// is, where the release was published from the earlier month's saved
// outputs as if the part were there; lomsong scorecard --period warns of
// it in the same words. The refusal takes no release number: once the
// part is back, the month is released as the next number.
func TestReleaseRefusesAMissingPartOfAnEarlierMonth(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	for _, x := range []struct{ user, kind, name string }{
		{"cuc", "villages", "villages.csv"}, {"cuc", "subscriptions", "subscriptions.csv"},
		{"vt", "sites", "sites.csv"}, {"vt", "measurements", "oct.csv"}, {"vt", "measurements", "sep.csv"},
	} {
		data := map[string][]byte{"villages.csv": f.villages, "subscriptions.csv": f.subs, "sites.csv": f.sites["viettel"],
			"oct.csv": f.measurements["viettel"], "sep.csv": shiftMonth(t, f.measurements["viettel"])}[x.name]
		id := ts.submit(t, x.user, x.kind, x.name, data)
		if s := ts.wait(t, x.user, id); s.Status != "accepted" {
			t.Fatalf("%s: %+v", x.name, s)
		}
		if code := ts.certify(t, x.user, id); code != http.StatusOK {
			t.Fatalf("certify %s: %d", x.name, code)
		}
	}
	sep := ts.release(t, "2024-09")
	if sep.Status != "published" {
		t.Fatalf("September: %+v", sep)
	}
	parts, err := filepath.Glob(filepath.Join(ts.dir, "measurements", "period=2024-09", "carrier=viettel", "part-*.parquet"))
	if err != nil || len(parts) != 1 {
		t.Fatalf("September's parts: %v %v", parts, err)
	}
	rel, _ := filepath.Rel(ts.dir, parts[0])
	good, err := os.ReadFile(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(parts[0]); err != nil {
		t.Fatal(err)
	}
	code, b := ts.askRelease(t, "2024-10")
	if code != http.StatusConflict || !strings.Contains(b, "no release for 2024-10") || !strings.Contains(b, rel+" (missing)") ||
		!strings.Contains(b, "lomsong dataset verify") || !strings.Contains(b, "restore them") || !strings.Contains(b, "nothing was started") {
		t.Fatalf("October with a part of September gone: %d %s, want 409 naming %s and lomsong dataset verify", code, b, rel)
	}
	if got := ts.releaseNumbers(t); !slices.Equal(got, []int64{sep.Number}) {
		t.Errorf("releases after the refusal: %v, want only %d", got, sep.Number)
	}

	if err := os.WriteFile(parts[0], good, 0o644); err != nil {
		t.Fatal(err)
	}
	oct := ts.release(t, "2024-10")
	if oct.Status != "published" || oct.Number != sep.Number+1 {
		t.Fatalf("October once the part is back: %+v, want published as release %d", oct, sep.Number+1)
	}
}
