package dataset

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
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

// The same measurements in other bytes — semicolon-separated, quoted,
// rows in another order — are not added again (they would count every
// test twice): the result says which source holds them, and nothing is
// written. A file differing in one value is refused for its other rows.
func TestSameRowsInAnotherEncodingNotAdded(t *testing.T) {
	dir := t.TempDir()
	plain := "ts,carrier,tech,lon,lat,signal_dbm,service\n" +
		"2026-10-01T08:00:00+07:00,viettel,4G,103.2,22.4,-90,ok\n" +
		"2026-10-01T08:01:00+07:00,viettel,4G,103.21,22.41,,none\n" +
		"2026-10-01T08:02:00+07:00,mobifone,3G,103.22,22.42,-101.5,ok\n"
	semi := "ts;carrier;tech;lon;lat;signal_dbm;service\n" +
		"2026-10-01T08:02:00+07:00;mobifone;3G;103.22;22.42;-101.5;ok\n" +
		"\"2026-10-01T08:00:00+07:00\";\"viettel\";\"4G\";\"103.2\";\"22.4\";\"-90\";\"ok\"\n" +
		"2026-10-01T08:01:00+07:00;viettel;4G;103.21;22.41;;none\n"
	changed := strings.Replace(plain, "-101.5", "-101.0", 1)
	s, err := Open(filepath.Join(dir, "ds"))
	if err != nil {
		t.Fatal(err)
	}
	opt := IngestOptions{Config: ingest.Defaults("", now)}
	first, err := s.IngestFile(context.Background(), writeFile(t, dir, "plain.csv", plain), opt)
	if err != nil || first.AlreadyIngested || first.Source.RowsDigest == "" {
		t.Fatalf("first: %+v, %v", first, err)
	}
	again, err := s.IngestFile(context.Background(), writeFile(t, dir, "semi.csv", semi), opt)
	if err != nil || !again.AlreadyIngested || !again.SameRows || again.Previous.Name != "plain.csv" {
		t.Fatalf("the same rows in another encoding: %+v, %v", again, err)
	}
	if n := len(s.Manifest().Sources); n != 1 {
		t.Fatalf("%d sources after the same rows again, want 1", n)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "ds", "quarantine")); len(entries) != 0 {
		t.Errorf("the refused copy left %d quarantine files", len(entries))
	}
	// One value changed: the other two rows are held already, so the file
	// is refused naming the source that holds them, and nothing is added.
	_, err = s.IngestFile(context.Background(), writeFile(t, dir, "changed.csv", changed), opt)
	var held *HeldRowsError
	if !errors.As(err, &held) || held.Rows != 2 || held.Accepted != 3 || len(held.Sources) != 1 || held.Sources[0].Source.Name != "plain.csv" {
		t.Fatalf("one value changed: %v", err)
	}
	if len(s.Manifest().Sources) != 1 {
		t.Fatalf("the refused file was recorded: %d sources", len(s.Manifest().Sources))
	}
	// The digest of the rows a source's parts hold is the one recorded:
	// a source recorded without one (an earlier version's manifest, a
	// record dataset repair rebuilt) is matched all the same.
	src := first.Source
	recorded := src.RowsDigest
	src.RowsDigest = ""
	if d, err := s.rowsDigestOf(context.Background(), src); err != nil || d != recorded {
		t.Fatalf("digest from the parts %q, %v; recorded %q", d, err, recorded)
	}
}

// rowsDigest is a digest of the rows as a multiset: the order of the rows
// and of the batches does not change it, a change of any one value does,
// and every NaN is one value.
func TestRowsDigest(t *testing.T) {
	rows := []engine.Measurement{
		{TimeUnixMs: 1, Carrier: engine.Viettel, Tech: engine.Tech4G, Lon: 103.2, Lat: 22.4, SignalDBm: -90, RSRQDB: math.NaN(), SINRDB: math.NaN(), DLMbps: 12, ULMbps: math.NaN(), LatencyMs: math.NaN(), DeviceID: "d1"},
		{TimeUnixMs: 2, Carrier: engine.MobiFone, Tech: engine.Tech3G, Lon: 103.3, Lat: 22.5, SignalDBm: math.NaN(), RSRQDB: math.NaN(), SINRDB: math.NaN(), DLMbps: math.NaN(), ULMbps: math.NaN(), LatencyMs: 40},
		{TimeUnixMs: 3, Carrier: engine.Viettel, Tech: engine.Tech2G, Lon: 103.4, Lat: 22.6, SignalDBm: -100, RSRQDB: math.NaN(), SINRDB: math.NaN(), DLMbps: math.NaN(), ULMbps: math.NaN(), LatencyMs: math.NaN()},
	}
	digest := func(batches ...[]engine.Measurement) string {
		var d rowsDigest
		for _, rs := range batches {
			var b engine.MeasurementBatch
			for _, r := range rs {
				b.Append(r)
			}
			d.add(&b)
		}
		return d.String()
	}
	want := digest(rows)
	if got := digest([]engine.Measurement{rows[2]}, []engine.Measurement{rows[0], rows[1]}); got != want {
		t.Errorf("reordered into two batches: %s, want %s", got, want)
	}
	nan := rows[1]
	nan.SignalDBm = math.Float64frombits(0x7ff8000000000abc) // another NaN
	if got := digest([]engine.Measurement{rows[0], nan, rows[2]}); got != want {
		t.Errorf("another NaN: %s, want %s", got, want)
	}
	for name, change := range map[string]func(*engine.Measurement){
		"time":      func(m *engine.Measurement) { m.TimeUnixMs++ },
		"carrier":   func(m *engine.Measurement) { m.Carrier = engine.VinaPhone },
		"lat":       func(m *engine.Measurement) { m.Lat = math.Nextafter(m.Lat, 90) },
		"signal":    func(m *engine.Measurement) { m.SignalDBm = -91 },
		"device id": func(m *engine.Measurement) { m.DeviceID = "d2" },
		"env":       func(m *engine.Measurement) { m.Environment = engine.EnvIndoor },
	} {
		r := rows[0]
		change(&r)
		if got := digest([]engine.Measurement{r, rows[1], rows[2]}); got == want {
			t.Errorf("%s changed, digest unchanged", name)
		}
	}
	if got := digest(rows, rows[:1]); got == want {
		t.Error("a row repeated, digest unchanged")
	}
	// Serving-cell columns present but empty (as a part reads back) are no
	// serving cell; one named is a change.
	none := rows[0]
	none.Serving = &engine.ServingCell{PCI: -1, ARFCN: -1}
	if got := digest([]engine.Measurement{none, rows[1], rows[2]}); got != want {
		t.Errorf("empty serving-cell columns: %s, want %s", got, want)
	}
	named := rows[0]
	named.Serving = &engine.ServingCell{CellID: "12345", PCI: -1, ARFCN: -1}
	if got := digest([]engine.Measurement{named, rows[1], rows[2]}); got == want {
		t.Error("a serving cell named, digest unchanged")
	}
}
