package dataset

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/lomsong/lomsong/engine/ingest"
)

// A command's own input table (claims, candidates) is recognised from its
// header — validate checks it as such — and ingest refuses to store it,
// naming the command that reads it, with nothing written.
func TestArgTablesDetectedAndNotStored(t *testing.T) {
	for _, tc := range []struct {
		body string
		kind ingest.Kind
	}{
		{"cell,carrier,tech\n8840644d67fffff,viettel,4G\n", ingest.KindClaims},
		{"candidate_id,lon,lat\nC1,103.2,22.4\n", ingest.KindCandidates},
		// A measurement naming its serving cell is still a measurement.
		{"ts,carrier,tech,lon,lat,signal_dbm,cell\n2026-10-01T08:00:00+07:00,viettel,4G,103.2,22.4,-90,123\n", ingest.KindMeasurements},
	} {
		in := writeFile(t, t.TempDir(), "t.csv", tc.body)
		src, err := OpenSource(in, "", nil, ingest.DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		src.Close()
		if src.Kind != tc.kind {
			t.Errorf("%q read as %s, want %s", tc.body, src.Kind, tc.kind)
		}
		if !tc.kind.IsArg() {
			continue
		}
		dir := filepath.Join(t.TempDir(), "ds")
		s, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.IngestFile(context.Background(), in, IngestOptions{Config: ingest.Defaults("", now), MaxRejectShare: 0.5})
		var ae *ArgTableError
		if !errors.As(err, &ae) || ae.Kind != tc.kind {
			t.Errorf("ingest of a %s table: %v", tc.kind, err)
		}
		if m := s.Manifest(); len(m.Sources) != 0 {
			t.Errorf("a %s table was recorded: %+v", tc.kind, m.Sources)
		}
	}
}
