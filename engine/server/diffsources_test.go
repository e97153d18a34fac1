package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The diff of a month published again after a late dump says what came
// in since the release before it, not only which villages changed: the
// sources of the release dataset it read that the previous release had
// not (name, SHA-256, kind), and the submissions. A later month's dump
// certified meanwhile does not bear on the month and is not listed. Each
// release's release.json lists the sources it read, with the months of
// their measurements.
func TestDiffSaysWhichSourcesCameIn(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	ts.certifyViettelMonth(t, f)
	first := ts.release(t, "2024-10")
	if first.Status != "published" {
		t.Fatalf("first release: %+v", first)
	}
	var m struct {
		Sources []struct {
			Name, SHA256, Kind string
			Periods            []string
		}
	}
	b, err := os.ReadFile(filepath.Join(ts.dir, StateDir, "releases", fmt.Sprintf("%04d-%s", first.Number, first.Period), "release.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range m.Sources {
		names = append(names, s.Name)
		if s.Kind == "measurements" && !slices.Equal(s.Periods, []string{"2024-10"}) {
			t.Errorf("release.json: source %s of measurements holds months %v, want [2024-10]", s.Name, s.Periods)
		}
	}
	if !slices.Equal(names, []string{"villages.csv", "vt.csv", "sites.csv"}) {
		t.Fatalf("release.json's sources: %v, want villages.csv, vt.csv, sites.csv", names)
	}

	// Vinaphone's November dump, which does not bear on October, then its
	// late October dump and register.
	nov := novemberOf(t, f.measurements["vinaphone"])
	var late []int64
	for _, sub := range []struct {
		kind, name string
		data       []byte
	}{{"measurements", "vnp-2024-11.csv", nov}, {"measurements", "vnp.csv", f.measurements["vinaphone"]}, {"sites", "vnp-sites.csv", f.sites["vinaphone"]}} {
		id := ts.submit(t, "vnp", sub.kind, sub.name, sub.data)
		if s := ts.wait(t, "vnp", id); s.Status != "accepted" {
			t.Fatalf("%s: %+v", sub.name, s)
		}
		if code := ts.certify(t, "vnp", id); code != http.StatusOK {
			t.Fatalf("certify %s: %d", sub.name, code)
		}
		if sub.name != "vnp-2024-11.csv" {
			late = append(late, id)
		}
	}
	second := ts.release(t, "2024-10")
	if second.Status != "published" {
		t.Fatalf("second release: %+v", second)
	}
	code, b := ts.call(t, "cuc", "GET", "/api/v1/releases/2024-10/diff", "/api/v1/releases/{period}/diff", nil, "")
	var d struct {
		PreviousRelease  int64                                 `json:"previous_release"`
		SourcesAdded     []struct{ Name, SHA256, Kind string } `json:"sources_added"`
		SourcesRemoved   []struct{ Name string }               `json:"sources_removed"`
		SubmissionsAdded []int64                               `json:"submissions_added"`
	}
	if err := json.Unmarshal(b, &d); err != nil || code != http.StatusOK {
		t.Fatalf("diff: %d %v %.300s", code, err, b)
	}
	var added []string
	for _, s := range d.SourcesAdded {
		added = append(added, s.Name+" "+s.Kind)
		if len(s.SHA256) != 64 {
			t.Errorf("source %s added without its SHA-256: %q", s.Name, s.SHA256)
		}
	}
	if d.PreviousRelease != first.Number || !slices.Equal(added, []string{"vnp.csv measurements", "vnp-sites.csv sites"}) ||
		len(d.SourcesRemoved) != 0 || !slices.Equal(d.SubmissionsAdded, late) {
		t.Errorf("diff against release %d: sources added %v (want vnp.csv, vnp-sites.csv), removed %v, submissions added %v (want %v)",
			d.PreviousRelease, added, d.SourcesRemoved, d.SubmissionsAdded, late)
	}
}

// novemberOf moves the measurements of a CSV from October 2024 to November
// 2024, keeping the days 02–29.
func novemberOf(t *testing.T, b []byte) []byte {
	t.Helper()
	lines := strings.SplitAfter(string(b), "\n")
	out := lines[0]
	n := 0
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, "2024-10-") || l[8:10] < "02" || l[8:10] > "29" {
			continue
		}
		out += "2024-11-" + l[len("2024-10-"):]
		n++
	}
	if n < 100 {
		t.Fatalf("only %d measurements to move to November", n)
	}
	return []byte(fmt.Sprint(out))
}
