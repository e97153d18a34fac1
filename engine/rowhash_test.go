package engine

import (
	"math"
	"testing"
)

// The hashes are recorded in datasets (rows_digest) and compared with
// later files' rows: they must stay what they were when first recorded.
func TestValueHashStable(t *testing.T) {
	nan := math.NaN()
	rows := []Measurement{
		{TimeUnixMs: 1793498400000, Carrier: "viettel", Tech: Tech4G, Lon: 105.8, Lat: 21, SignalDBm: -95, Service: ServiceOK,
			RSRQDB: nan, SINRDB: nan, DLMbps: nan, ULMbps: nan, LatencyMs: nan, Source: SourceCrowd},
		{TimeUnixMs: 1793498400001, Carrier: "mobifone", Tech: Tech2G, Lon: 105.8, Lat: 21, SignalDBm: nan, Service: ServiceNone,
			RSRQDB: nan, SINRDB: 3, DLMbps: 0, ULMbps: nan, LatencyMs: nan, Source: SourceDrive, DeviceID: "abcdefghijk", Speed: SpeedIdle},
		{TimeUnixMs: 1793498400002, Carrier: "vinaphone", Tech: Tech5G, Lon: 106, Lat: 10.5, SignalDBm: -80, Service: ServiceOK,
			RSRQDB: -10, SINRDB: 3, DLMbps: 12.5, ULMbps: 3, LatencyMs: 40, Source: SourceCrowd,
			Serving: &ServingCell{CellID: "123456789", NodeID: "4321", Band: "n78", PCI: 17, ARFCN: 630000}},
	}
	want := [][2]uint64{
		{0x52eb0276fdb21322, 0x54cba1ac5ada133e},
		{0xa89542c2d9ed72ab, 0xff11bc88fa40097c},
		{0xa14db3fd62894c3f, 0x763d4ce043720f93},
	}
	// Rows 0 and 1 in a batch without serving-cell columns, rows 0 and 2
	// in one with them (row 0's empty): row 0 hashes alike in both.
	var plain, serving MeasurementBatch
	plain.Append(rows[0])
	plain.Append(rows[1])
	serving.Append(rows[0])
	serving.Append(rows[2])
	for i, c := range []struct {
		b *MeasurementBatch
		i int
		w [2]uint64
	}{{&plain, 0, want[0]}, {&plain, 1, want[1]}, {&serving, 0, want[0]}, {&serving, 1, want[2]}} {
		if got := c.b.ValueHash(c.i); got != c.w {
			t.Errorf("case %d: batch hash %#x, want %#x", i, got, c.w)
		}
	}
	for i, m := range rows {
		if got := m.ValueHash(); got != want[i] {
			t.Errorf("row %d: Measurement hash %#x, want %#x", i, got, want[i])
		}
	}
	// Any value told apart: a later millisecond, another carrier.
	m := rows[0]
	m.TimeUnixMs++
	if m.ValueHash() == want[0] {
		t.Error("a later time hashes as the same row")
	}
	m = rows[0]
	m.Carrier = "vinaphone"
	if m.ValueHash() == want[0] {
		t.Error("another carrier hashes as the same row")
	}
}
