package pipeline

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// randomBatch makes n valid measurement rows in a small area so that keys
// repeat.
func randomBatch(n int, seed uint64) *engine.MeasurementBatch {
	r := rand.New(rand.NewPCG(seed, 2))
	b := &engine.MeasurementBatch{}
	t0 := time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC).UnixMilli()
	carriers := []engine.Carrier{engine.Viettel, engine.VinaPhone, engine.MobiFone}
	for i := 0; i < n; i++ {
		m := engine.Measurement{
			TimeUnixMs: t0 + r.Int64N(20*86400*1000), Carrier: carriers[r.IntN(3)], Tech: engine.Tech(2 + r.IntN(3)),
			Lon: 105.8 + 0.05*r.Float64(), Lat: 21.0 + 0.05*r.Float64(), SignalDBm: -125 + 50*r.Float64(),
			RSRQDB: math.NaN(), SINRDB: math.NaN(), DLMbps: 50 * r.Float64(), ULMbps: math.NaN(), LatencyMs: math.NaN(),
			DeviceID: "d" + string(rune('a'+r.IntN(20))), Environment: engine.Environment(r.IntN(4)),
		}
		if r.IntN(10) == 0 {
			m.Service, m.SignalDBm = engine.ServiceNone, math.NaN()
		}
		b.Append(m)
	}
	return b
}

func TestAggregateDatasetEqualsDirect(t *testing.T) {
	s, err := dataset.Open(filepath.Join(t.TempDir(), "ds"))
	if err != nil {
		t.Fatal(err)
	}
	b := randomBatch(30000, 1)
	addMeasurements(t, s, "gen", b)
	cfg := aggregate.DefaultConfig()
	direct, _ := aggregate.New(cfg)
	cells := make([]hexgrid.Cell, b.Len())
	if err := hexgrid.IndexInto(cells, b.Lon, b.Lat, cfg.Resolution+1); err != nil {
		t.Fatal(err)
	}
	if err := direct.Add(b, cells); err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 2} {
		got, rows, err := Aggregate(context.Background(), s, AggregateOptions{Config: cfg, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if rows != int64(b.Len()) {
			t.Fatalf("read %d rows, wrote %d", rows, b.Len())
		}
		// Compared as printed values: NaN (absent) fields are unequal
		// under reflect.DeepEqual.
		if fmt.Sprintf("%+v", got.Rows()) != fmt.Sprintf("%+v", direct.Rows()) {
			t.Fatalf("workers=%d: dataset aggregation differs from direct aggregation", workers)
		}
	}
	got, _, err := Aggregate(context.Background(), s, AggregateOptions{Config: cfg, Carriers: []string{"viettel"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range got.Rows() {
		if r.Carrier != engine.Viettel {
			t.Fatalf("carrier filter let %s through", r.Carrier)
		}
	}
	cols, err := AggregateTable(direct.Rows())
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != len(AggregateColumnNames) {
		t.Fatalf("%d columns, %d names", len(cols), len(AggregateColumnNames))
	}
	for i, c := range cols {
		if c.Name != AggregateColumnNames[i] {
			t.Fatalf("column %d is %s, want %s", i, c.Name, AggregateColumnNames[i])
		}
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, cols); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(buf.String(), "\n"); lines != len(direct.Rows())+1 {
		t.Fatalf("%d CSV lines for %d keys", lines, len(direct.Rows()))
	}
	var total int64
	for _, r := range direct.Rows() {
		total += r.All.Rows
	}
	if total != int64(b.Len()) {
		t.Fatalf("keys hold %d rows of %d", total, b.Len())
	}
}

// TestWriteAggregatesChunks streams the table in chunks that do not divide
// the number of keys and checks the CSV equals the one-shot rendering.
func TestWriteAggregatesChunks(t *testing.T) {
	cfg := aggregate.DefaultConfig()
	a, _ := aggregate.New(cfg)
	b := randomBatch(3000, 5)
	cells := make([]hexgrid.Cell, b.Len())
	if err := hexgrid.IndexInto(cells, b.Lon, b.Lat, cfg.Resolution+1); err != nil {
		t.Fatal(err)
	}
	if err := a.Add(b, cells); err != nil {
		t.Fatal(err)
	}
	cols, err := AggregateTable(a.Rows())
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := WriteCSV(&want, cols); err != nil {
		t.Fatal(err)
	}
	for _, chunk := range []int{1, 7, a.Len(), a.Len() + 5} {
		var pq, got bytes.Buffer
		n, err := writeAggregates(&pq, &got, a.Order(), map[string]string{"k": "v"}, chunk)
		if err != nil {
			t.Fatal(err)
		}
		if n != a.Len() || got.String() != want.String() || !bytes.HasPrefix(pq.Bytes(), []byte("PAR1")) {
			t.Fatalf("chunk %d: %d keys of %d, CSV equal %v", chunk, n, a.Len(), got.String() == want.String())
		}
	}
}

// TestAggregateTableDevicesUnknown checks that a key none of whose rows
// carries a device id has its devices (and devices_exact) null, not 0,
// and that a key with device ids keeps its count.
func TestAggregateTableDevicesUnknown(t *testing.T) {
	cell, err := hexgrid.Index(103.45, 22.4, 8)
	if err != nil {
		t.Fatal(err)
	}
	rows := []aggregate.Row{
		{Key: aggregate.Key{Cell: cell, Carrier: engine.Viettel, Tech: engine.Tech4G}, Devices: 0, DevicesExact: true},
		{Key: aggregate.Key{Cell: cell, Carrier: engine.MobiFone, Tech: engine.Tech4G}, Devices: 3, DevicesExact: true},
	}
	cols, err := AggregateTable(rows)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cols {
		if c.Name != "devices" && c.Name != "devices_exact" {
			continue
		}
		if !reflect.DeepEqual(c.Null, []bool{true, false}) {
			t.Errorf("%s: Null = %v, want [true false]", c.Name, c.Null)
		}
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, cols); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(recs[0], "devices")
	if recs[1][col] != "" || recs[1][col+1] != "" || recs[2][col] != "3" || recs[2][col+1] != "true" {
		t.Errorf("devices, devices_exact = %q %q and %q %q; want empty for the key without device ids, 3 true for the other",
			recs[1][col], recs[1][col+1], recs[2][col], recs[2][col+1])
	}
}
