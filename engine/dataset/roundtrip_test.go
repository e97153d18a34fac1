package dataset

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/ingest"
)

// randomCSV writes n measurement rows with every contract column filled or
// empty at random, and returns the text.
func randomCSV(n int, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 1))
	var b strings.Builder
	b.WriteString(strings.Join(ingest.MeasurementColumns, ",") + "\n")
	carriers := []string{"Viettel", "VNPT", "MobiFone", "Vietnamobile"}
	techs := []string{"2G", "3G", "4G", "5G"}
	opt := func(v string) string {
		if r.IntN(4) == 0 {
			return ""
		}
		return v
	}
	t0 := time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC).UnixMilli()
	for i := 0; i < n; i++ {
		tech := techs[r.IntN(4)]
		lo, _ := engine.SignalRange(engine.Tech(r.IntN(4) + 1))
		_ = lo
		svc := []string{"ok", "ok", "ok", "none", "emergency", ""}[r.IntN(6)]
		sig := fmt.Sprintf("%.1f", -115+30*r.Float64())
		if svc == "none" {
			sig = ""
		}
		fmt.Fprintf(&b, "%d,%s,%s,%.6f,%.6f,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n",
			t0+r.Int64N(60*86400*1000), carriers[r.IntN(4)], tech,
			102.2+7*r.Float64(), 8.6+14*r.Float64(), sig, svc,
			opt(fmt.Sprintf("%.1f", -20+15*r.Float64())), opt(fmt.Sprintf("%.1f", -5+30*r.Float64())),
			fmt.Sprintf("%.2f", 100*r.Float64()), opt(fmt.Sprintf("%.2f", 20*r.Float64())), opt(fmt.Sprint(r.IntN(300))),
			opt([]string{"drive", "crowd", "mdt", "speedtest"}[r.IntN(4)]), opt(fmt.Sprintf("d%04d", r.IntN(500))),
			opt([]string{"smartphone", "feature", "tablet", "router"}[r.IntN(4)]),
			opt([]string{"outdoor", "vehicle", "indoor"}[r.IntN(3)]),
			opt([]string{"yes", "no"}[r.IntN(2)]), opt(fmt.Sprint(r.IntN(1<<28))), opt(fmt.Sprint(r.IntN(1<<20))),
			opt(fmt.Sprint(r.IntN(504))), opt(fmt.Sprint(r.IntN(70000))), opt([]string{"B1", "B3", "n78"}[r.IntN(3)]))
	}
	return b.String()
}

func sameFloat(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

func sameRow(a, b engine.Measurement) bool {
	return a.TimeUnixMs == b.TimeUnixMs && a.Carrier == b.Carrier && a.Tech == b.Tech &&
		sameFloat(a.Lon, b.Lon) && sameFloat(a.Lat, b.Lat) && sameFloat(a.SignalDBm, b.SignalDBm) &&
		a.Service == b.Service && sameFloat(a.RSRQDB, b.RSRQDB) && sameFloat(a.SINRDB, b.SINRDB) &&
		sameFloat(a.DLMbps, b.DLMbps) && sameFloat(a.ULMbps, b.ULMbps) && sameFloat(a.LatencyMs, b.LatencyMs) &&
		a.Source == b.Source && a.DeviceID == b.DeviceID && a.DeviceClass == b.DeviceClass && a.Environment == b.Environment &&
		a.Speed == b.Speed && (a.Serving == nil) == (b.Serving == nil) && (a.Serving == nil || *a.Serving == *b.Serving)
}

// rowKey orders rows independently of partitioning.
// The serving cell is keyed by value, not by its pointer.
func rowKey(m engine.Measurement) string {
	s := m.Serving
	m.Serving = nil
	if s == nil {
		return fmt.Sprintf("%+v", m)
	}
	return fmt.Sprintf("%+v %+v", m, *s)
}

// TestCSVParquetRoundTrip validates a CSV directly, ingests it into the
// Parquet dataset, reads every partition back, and checks the two row
// multisets are equal, field by field (NaN for absent values included).
func TestCSVParquetRoundTrip(t *testing.T) {
	text := randomCSV(20000, 7)
	rec, err := ingest.NewCSV(strings.NewReader(text), ingest.CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	direct := map[string]int{}
	var n int
	rep, err := ingest.ReadMeasurements(context.Background(), rec, nil, ingest.Defaults("x", now),
		func(b *engine.MeasurementBatch) error {
			for i := 0; i < b.Len(); i++ {
				direct[rowKey(b.Row(i))]++
				n++
			}
			return nil
		}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accepted < 15000 {
		t.Fatalf("too few accepted: %+v", rep)
	}
	// The same file, gzip-compressed, through the dataset.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(text))
	zw.Close()
	in := filepath.Join(t.TempDir(), "m.csv.gz")
	os.WriteFile(in, gz.Bytes(), 0o644)
	s, _ := Open(filepath.Join(t.TempDir(), "ds"))
	o := opts()
	o.MaxRejectShare = 1
	res, err := s.IngestFile(context.Background(), in, o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != "csv+gzip" || res.Report.Accepted != rep.Accepted || res.Report.Rejected != rep.Rejected {
		t.Fatalf("%+v vs %+v", res.Report, rep)
	}
	got := 0
	err = s.ScanMeasurements(context.Background(), nil, nil, func(b *engine.MeasurementBatch) error {
		for i := 0; i < b.Len(); i++ {
			k := rowKey(b.Row(i))
			if direct[k] == 0 {
				return fmt.Errorf("row read back was never ingested: %s", k)
			}
			direct[k]--
			got++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got != n {
		t.Fatalf("read back %d rows, ingested %d", got, n)
	}
	if len(s.Periods()) != 3 { // 20 Aug + 60 days spans Aug, Sep, Oct
		t.Fatalf("periods %v", s.Periods())
	}
}

// TestParquetInput ingests a carrier's Parquet file whose columns use the
// contract names but native types (timestamps, floats, nulls).
func TestParquetInput(t *testing.T) {
	ts := []int64{
		time.Date(2026, 10, 1, 1, 0, 0, 0, time.UTC).UnixMilli(),
		time.Date(2026, 10, 1, 2, 0, 0, 0, time.UTC).UnixMilli(),
		time.Date(2026, 10, 1, 3, 0, 0, 0, time.UTC).UnixMilli(),
	}
	cols := []arrowio.Column{
		{Name: "ts", TimeUnixMs: ts},
		{Name: "carrier", String: []string{"Viettel", "VNPT", "Viettel"}},
		{Name: "tech", String: []string{"LTE", "4G", "4G"}},
		{Name: "lon", Float64: []float64{105.8, 105.9, 500}},
		{Name: "lat", Float64: []float64{21.0, 21.1, 21.2}},
		{Name: "signal_dbm", Float64: []float64{-95.5, math.NaN(), -90}},
		{Name: "service", String: []string{"ok", "none", "ok"}},
	}
	var buf bytes.Buffer
	if err := arrowio.WriteTable(&buf, cols, nil); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(t.TempDir(), "carrier.parquet")
	os.WriteFile(in, buf.Bytes(), 0o644)
	s, _ := Open(filepath.Join(t.TempDir(), "ds"))
	o := opts()
	o.MaxRejectShare = 1
	res, err := s.IngestFile(context.Background(), in, o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != "parquet" || res.Report.Accepted != 2 || res.Report.Rejected != 1 {
		t.Fatalf("%s %+v", res.Format, res.Report)
	}
	q, _ := os.ReadFile(filepath.Join(s.Dir(), res.Source.Quarantine))
	if !strings.Contains(string(q), "carrier.parquet,3,lon,500,out_of_range") {
		t.Fatalf("quarantine should name row 3: %s", q)
	}
}

func TestSitesIngest(t *testing.T) {
	in := writeFile(t, t.TempDir(), "sites.csv",
		"site_id,carrier,tech,lon,lat,azimuth_deg,status\nA,viettel,4G,105.8,21.0,120,\nA,viettel,4G,105.8,21.0,240,\nB,vnpt,2G,105.9,21.1,,down\n")
	s, _ := Open(filepath.Join(t.TempDir(), "ds"))
	res, err := s.IngestFile(context.Background(), in, opts())
	if err != nil || res.Kind != ingest.KindSites {
		t.Fatal(err, res.Kind)
	}
	sites, err := s.Sites(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) != 3 || sites[0].Carrier != engine.Viettel || sites[2].Status != engine.StatusDown || !math.IsNaN(sites[2].AzimuthDeg) || sites[1].AzimuthDeg != 240 {
		t.Fatalf("%+v", sites)
	}
}

func TestVillagesAndSubscriptions(t *testing.T) {
	dir := t.TempDir()
	v := writeFile(t, dir, "villages.csv", "village_id,name,commune_code,lon,lat,households\n"+
		"V1,Bản Nà Hừ,03123,103.2,22.4,54\nV2,,03123,103.3,22.5,0\nV3,x,03123,103.3,22.5,-4\n")
	sub := writeFile(t, dir, "subs.csv", "area_code,period,households,fiber_households,mobile_subscribers,smartphone_subscribers,only_2g_subscribers,surveyed_households,surveyed_with_smartphone\n"+
		"12,2026-09,120000,70000,300000,220000,15000,12,7\n12,2026-10,120100,71000,,,,,\n12,2026-10,1,1,1,1,1,5,6\n12,2026-13,1,1,1,1,1,,\n")
	s, _ := Open(filepath.Join(dir, "ds"))
	o := opts()
	o.MaxRejectShare = 1
	for _, p := range []string{v, sub} {
		if _, err := s.IngestFile(context.Background(), p, o); err != nil {
			t.Fatal(err)
		}
	}
	vs, err := s.Villages()
	if err != nil || len(vs) != 2 || vs[0].Name != "Bản Nà Hừ" || vs[0].Households != 54 {
		t.Fatalf("%+v %v", vs, err)
	}
	ss, err := s.Subscriptions()
	if err != nil || len(ss) != 2 || ss[0].SmartphoneSubscribers != 220000 || !math.IsNaN(ss[1].MobileSubscribers) {
		t.Fatalf("%+v %v", ss, err)
	}
	m := s.Manifest()
	if m.Sources[0].Kind != "villages" || m.Sources[1].Kind != "subscriptions" ||
		m.Sources[1].RejectedBy["inconsistent"] != 1 || m.Sources[1].RejectedBy["invalid_time"] != 1 {
		t.Fatalf("%+v", m.Sources)
	}
}

// TestStoreColumnsAreTheContract: the store's Parquet schemas (arrowio)
// and the contract's column lists (ingest) are defined separately; they
// must name the same columns in the same order, so a store file reads as a
// contract table.
func TestStoreColumnsAreTheContract(t *testing.T) {
	var m bytes.Buffer
	mw, err := arrowio.NewMeasurementWriter(&m)
	if err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	var s bytes.Buffer
	if err := arrowio.WriteSites(&s, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		file []byte
		want []string
	}{{"measurements", m.Bytes(), ingest.MeasurementColumns}, {"sites", s.Bytes(), ingest.SiteColumns}} {
		tr, err := arrowio.OpenTable(bytes.NewReader(c.file), int64(len(c.file)))
		if err != nil {
			t.Fatal(err)
		}
		if got := tr.Columns(); strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: store columns %v, contract %v", c.name, got, c.want)
		}
		tr.Close()
	}
	if got := arrowio.MeasurementColumns(); strings.Join(got, ",") != strings.Join(ingest.MeasurementColumns, ",") {
		t.Errorf("arrowio.MeasurementColumns %v, contract %v", got, ingest.MeasurementColumns)
	}
}

// TestVillagesCache: a register read again in one process comes from the
// cache of its parts, equal to the first read and not aliased to it; a
// part damaged after the first read is still refused, and a register
// ingested again (a new part) is read anew.
func TestVillagesCache(t *testing.T) {
	dir := t.TempDir()
	v := writeFile(t, dir, "villages.csv", "village_id,name,commune_code,lon,lat,households\nV1,a,03123,103.2,22.4,54\nV2,b,03123,103.3,22.5,7\n")
	s, _ := Open(filepath.Join(dir, "ds"))
	if _, err := s.IngestFile(context.Background(), v, opts()); err != nil {
		t.Fatal(err)
	}
	first, err := s.Villages()
	if err != nil || len(first) != 2 {
		t.Fatalf("%+v %v", first, err)
	}
	cached := false
	for _, e := range villageParts.entries {
		cached = cached || strings.Contains(e.key, s.Parts("villages", nil, nil)[0].Path)
	}
	if !cached {
		t.Fatal("the villages part was not kept")
	}
	first[0].Households = -1 // the caller's copy: not the cache's
	again, err := s.Villages()
	if err != nil || len(again) != 2 || again[0].Households != 54 || again[1].ID != "V2" {
		t.Fatalf("read again: %+v %v", again, err)
	}
	// A second source replaces V2 and adds V3: its part is read.
	v2 := writeFile(t, dir, "villages2.csv", "village_id,name,commune_code,lon,lat,households\nV2,b,03123,103.3,22.5,9\nV3,c,03123,103.4,22.6,3\n")
	if _, err := s.IngestFile(context.Background(), v2, opts()); err != nil {
		t.Fatal(err)
	}
	got, err := s.Villages()
	if err != nil || len(got) != 3 || got[1].Households != 9 || got[2].ID != "V3" {
		t.Fatalf("after a second register: %+v %v", got, err)
	}
	// Damage the first part (same size): refused, cached or not.
	p := s.Parts("villages", nil, nil)[0]
	b, err := os.ReadFile(s.Path(p))
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(s.Path(p), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Villages(); !errors.Is(err, ErrCorruptPart) {
		t.Fatalf("a damaged part after a cached read: %v, want ErrCorruptPart", err)
	}
}
