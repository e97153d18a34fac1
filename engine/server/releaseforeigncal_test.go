package server

import (
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/calfile"
	"github.com/lomsong/lomsong/engine/coverage"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/pipeline"
	"github.com/lomsong/lomsong/engine/predict"
)

// A release applies DIR/calibration.json by the rule lomsong run applies
// it by (pipeline.AnalysisOptions): a file fitted on the dataset's own
// sources calibrates the release; one fitted on none of them, another
// dataset's, is not applied to this one's register: the release fails,
// saying why, as lomsong run refuses it: refused before it starts, it
// takes no release number.
func TestReleaseRefusesAnotherDatasetsCalibration(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	ids := []struct {
		user string
		id   int64
	}{
		{"cuc", ts.submit(t, "cuc", "villages", "villages.csv", f.villages)},
		{"vt", ts.submit(t, "vt", "sites", "sites.csv", f.sites["viettel"])},
		{"vt", ts.submit(t, "vt", "measurements", "oct.csv", f.measurements["viettel"])},
	}
	for _, x := range ids {
		if s := ts.wait(t, x.user, x.id); s.Status != "accepted" {
			t.Fatalf("submission %d: %+v", x.id, s)
		}
		if code := ts.certify(t, x.user, x.id); code != 200 {
			t.Fatalf("certify %d: %d", x.id, code)
		}
	}
	store, err := dataset.Open(ts.dir)
	if err != nil {
		t.Fatal(err)
	}
	var own []string
	for _, src := range store.Manifest().Sources {
		if src.Kind == "sites" || src.Kind == "measurements" {
			own = append(own, src.SHA256)
		}
	}
	if len(own) != 2 {
		t.Fatalf("the dataset's sites and measurements sources: %q", own)
	}
	var cals []coverage.Calibration
	for _, tech := range []engine.Tech{engine.Tech2G, engine.Tech3G, engine.Tech4G} {
		cals = append(cals, coverage.Calibration{Carrier: engine.Viettel, Tech: tech, N: 10,
			Fit: predict.Fit{N: 10, OffsetDB: -3, SigmaDB: 7}})
	}
	write := func(fittedOn []string) {
		t.Helper()
		file := calfile.New(releaseRes, false, cals, pipeline.DefaultMinPairs)
		file.FittedOn = fittedOn
		if err := calfile.WriteCalibrationFile(filepath.Join(ts.dir, "calibration.json"), file); err != nil {
			t.Fatal(err)
		}
	}

	// Fitted on the dataset's own sources: applied.
	write(own)
	r1 := ts.release(t, "2024-10")
	if m := ts.manifest(t, r1); r1.Status != "published" || m.Calibration != "calibration.json" {
		t.Fatalf("release with the dataset's own calibration: %+v %+v", r1, m)
	}

	// Fitted on another dataset's sources: the release is refused before
	// it starts, naming the file and why, and publishes nothing nor takes
	// a release number.
	foreign := []string{strings.Repeat("ab", 32), strings.Repeat("cd", 32)}
	write(foreign)
	code, b := ts.askRelease(t, "2024-10")
	if code != http.StatusConflict {
		t.Fatalf("release with another dataset's calibration: %d %s, want 409", code, b)
	}
	for _, want := range []string{"no release for 2024-10", "calibration.json was fitted on none of the sources", "abababababababab…", "another dataset's calibration", "lomsong calibrate", "nothing was started"} {
		if !strings.Contains(b, want) {
			t.Errorf("refusal %s does not say %q", b, want)
		}
	}
	if got := ts.releaseNumbers(t); !slices.Equal(got, []int64{r1.Number}) {
		t.Errorf("releases after the refusal: %v, want only %d", got, r1.Number)
	}

	// The dataset's own put back, the next release follows release 1.
	write(own)
	if r3 := ts.release(t, "2024-10"); r3.Status != "published" || r3.Number != r1.Number+1 {
		t.Fatalf("release after the refusal: %+v, want published as release %d", r3, r1.Number+1)
	}
}
