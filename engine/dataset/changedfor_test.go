package dataset

import (
	"context"
	"strings"
	"testing"
)

// ChangedFor: a commit since the Store read the manifest changes what a
// command over October reads when it adds or takes out sites, villages,
// subscriptions or October's measurements, not September's.
func TestChangedFor(t *testing.T) {
	s, _, _ := ingestedStore(t, "a.csv")
	dir, ds, opt := t.TempDir(), s.Dir(), ingestOpts()
	october := []string{"2026-10"}
	cases := []struct {
		name, file, text string
		want             bool
	}{
		{"September's measurements", "sep.csv", "ts,carrier,tech,lon,lat,signal_dbm,service\n2026-09-03T08:00:00+07:00,viettel,4G,105.85,21.03,-90,ok\n", false},
		{"October's measurements", "oct.csv", "ts,carrier,tech,lon,lat,signal_dbm,service\n2026-10-03T08:00:00+07:00,viettel,4G,105.85,21.03,-90,ok\n", true},
		{"sites", "sites.csv", "site_id,carrier,tech,lon,lat\nS1,viettel,4G,105.85,21.03\n", true},
	}
	for _, tc := range cases {
		reader, err := Open(ds)
		if err != nil {
			t.Fatal(err)
		}
		if changed, err := reader.ChangedFor(october); err != nil || changed {
			t.Fatalf("%s: before the ingest: %v, %v", tc.name, changed, err)
		}
		if _, err := s.IngestFile(context.Background(), writeFile(t, dir, tc.file, tc.text), opt); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		changed, err := reader.ChangedFor(october)
		if err != nil || changed != tc.want {
			t.Errorf("%s ingested: ChangedFor(2026-10) = %v, %v; want %v", tc.name, changed, err, tc.want)
		}
		if m, _ := reader.ManifestChanged(); !m {
			t.Errorf("%s ingested: the manifest reads unchanged", tc.name)
		}
		if strings.Contains(tc.name, "September") {
			if changed, _ := reader.ChangedFor([]string{"2026-09", "2026-10"}); !changed {
				t.Errorf("September's measurements ingested: unchanged for a command over September and October")
			}
		}
	}
}
