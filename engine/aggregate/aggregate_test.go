package aggregate

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/internal/sigfig"
)

// m is a measurement with the optional floats absent.
func m(carrier engine.Carrier, tech engine.Tech, sig float64) engine.Measurement {
	nan := math.NaN()
	return engine.Measurement{
		TimeUnixMs: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC).UnixMilli(),
		Carrier:    carrier, Tech: tech, SignalDBm: sig,
		RSRQDB: nan, SINRDB: nan, DLMbps: nan, ULMbps: nan, LatencyMs: nan,
		Environment: engine.EnvOutdoor,
	}
}

func batchOf(rows []engine.Measurement) *engine.MeasurementBatch {
	b := &engine.MeasurementBatch{}
	for _, r := range rows {
		b.Append(r)
	}
	return b
}

// testCells returns the seven res-9 children of a res-8 cell in Hanoi, in
// digit order, and the parent.
func testCells(t testing.TB) (parent hexgrid.Cell, children []hexgrid.Cell) {
	t.Helper()
	c, err := hexgrid.Index(105.8542, 21.0285, 8)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := c.Children(9)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch) != 7 {
		t.Fatalf("want 7 children, got %d (pentagon?)", len(ch))
	}
	return c, ch
}

func mustNew(t testing.TB, cfg Config) *Aggregator {
	t.Helper()
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// oneRow aggregates rows that all fall in the first child cell and returns
// the single resulting row.
func oneRow(t *testing.T, rows []engine.Measurement) Row {
	t.Helper()
	parent, ch := testCells(t)
	a := mustNew(t, DefaultConfig())
	fine := make([]hexgrid.Cell, len(rows))
	for i := range fine {
		fine[i] = ch[0]
	}
	if err := a.Add(batchOf(rows), fine); err != nil {
		t.Fatal(err)
	}
	out := a.Rows()
	if len(out) != 1 {
		t.Fatalf("want 1 row, got %d", len(out))
	}
	if out[0].Cell != parent {
		t.Fatalf("cell %v, want parent %v", out[0].Cell, parent)
	}
	return out[0]
}

func with(r engine.Measurement, f func(*engine.Measurement)) engine.Measurement {
	f(&r)
	return r
}

func TestCounts(t *testing.T) {
	v := engine.Viettel
	none := func(r *engine.Measurement) { r.Service = engine.ServiceNone }
	emerg := func(r *engine.Measurement) { r.Service = engine.ServiceEmergency }
	indoor := func(r *engine.Measurement) { r.Environment = engine.EnvIndoor }
	vehicle := func(r *engine.Measurement) { r.Environment = engine.EnvVehicle }
	unknown := func(r *engine.Measurement) { r.Environment = engine.EnvUnknown }
	tests := []struct {
		name                 string
		rows                 []engine.Measurement
		all, outdoor, indoor Counts
	}{
		{
			name: "4G thresholds at the exact edges",
			rows: []engine.Measurement{
				m(v, engine.Tech4G, -105),      // covered
				m(v, engine.Tech4G, -105.0001), // not covered
				m(v, engine.Tech4G, -120),      // not below no-service
				m(v, engine.Tech4G, -120.0001), // below no-service
			},
			all:     Counts{Rows: 4, Tests: 4, Covered: 1, BelowNoService: 1},
			outdoor: Counts{Rows: 4, Tests: 4, Covered: 1, BelowNoService: 1},
		},
		{
			name: "3G thresholds at the exact edges",
			rows: []engine.Measurement{
				m(v, engine.Tech3G, -100), m(v, engine.Tech3G, -100.5),
				m(v, engine.Tech3G, -115), m(v, engine.Tech3G, -115.5),
			},
			all:     Counts{Rows: 4, Tests: 4, Covered: 1, BelowNoService: 1},
			outdoor: Counts{Rows: 4, Tests: 4, Covered: 1, BelowNoService: 1},
		},
		{
			name: "2G thresholds and range",
			rows: []engine.Measurement{
				m(v, engine.Tech2G, -95), m(v, engine.Tech2G, -110), m(v, engine.Tech2G, -111),
				m(v, engine.Tech2G, -121),   // below the 2G floor −120: censored, a test below no-service
				m(v, engine.Tech2G, -160.5), // below engine.MinSignalDBm: row, no test
			},
			all:     Counts{Rows: 5, Tests: 4, Covered: 1, BelowNoService: 2},
			outdoor: Counts{Rows: 5, Tests: 4, Covered: 1, BelowNoService: 2},
		},
		{
			name: "no-service rows are negative tests, never dropped",
			rows: []engine.Measurement{
				with(m(v, engine.Tech4G, math.NaN()), none),
				with(m(v, engine.Tech4G, -80), emerg), // signal of another network: ignored
				m(v, engine.Tech4G, -90),
			},
			all:     Counts{Rows: 3, Tests: 3, Covered: 1, BelowNoService: 2, NoServiceRows: 2},
			outdoor: Counts{Rows: 3, Tests: 3, Covered: 1, BelowNoService: 2, NoServiceRows: 2},
		},
		{
			name: "absent and implausible signals are rows, not tests",
			rows: []engine.Measurement{
				m(v, engine.Tech4G, math.NaN()), m(v, engine.Tech4G, -160.5), m(v, engine.Tech4G, -30),
				m(v, engine.Tech4G, math.Inf(1)),
			},
			all:     Counts{Rows: 4},
			outdoor: Counts{Rows: 4},
		},
		{
			name: "indoor and unknown environments are counted apart from outdoor",
			rows: []engine.Measurement{
				m(v, engine.Tech4G, -100),
				with(m(v, engine.Tech4G, -110), vehicle),
				with(m(v, engine.Tech4G, -100), indoor),
				with(m(v, engine.Tech4G, math.NaN()), func(r *engine.Measurement) { none(r); indoor(r) }),
				with(m(v, engine.Tech4G, -125), unknown),
			},
			all:     Counts{Rows: 5, Tests: 5, Covered: 2, BelowNoService: 2, NoServiceRows: 1},
			outdoor: Counts{Rows: 2, Tests: 2, Covered: 1},
			indoor:  Counts{Rows: 2, Tests: 2, Covered: 1, BelowNoService: 1, NoServiceRows: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := oneRow(t, tc.rows)
			if r.All != tc.all {
				t.Errorf("All = %+v, want %+v", r.All, tc.all)
			}
			if r.Outdoor != tc.outdoor {
				t.Errorf("Outdoor = %+v, want %+v", r.Outdoor, tc.outdoor)
			}
			if r.Indoor != tc.indoor {
				t.Errorf("Indoor = %+v, want %+v", r.Indoor, tc.indoor)
			}
		})
	}
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol || (math.IsNaN(a) && math.IsNaN(b)) }

func TestSignalStats(t *testing.T) {
	v := engine.MobiFone
	var ten []engine.Measurement
	for s := -100; s <= -91; s++ {
		ten = append(ten, m(v, engine.Tech4G, float64(s)))
	}
	tests := []struct {
		name          string
		rows          []engine.Measurement
		want, outdoor SignalStats
	}{
		{
			name: "ten integer levels",
			rows: ten,
			want: SignalStats{N: 10, MinDBm: -100, MaxDBm: -91, MeanDBm: -95.5,
				P10DBm: -100, P50DBm: -96, P90DBm: -92, LoDBm: -100, Hist: []uint32{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
		},
		{
			// Binned to the nearest dBm, halves away from zero (−95.5 →
			// −96), the quantiles kept inside [min, max]: −96 → −95.6,
			// −95 → −95.4.
			name: "rounding to nearest dBm, halves away from zero, inside min and max",
			rows: []engine.Measurement{m(v, engine.Tech4G, -95.4), m(v, engine.Tech4G, -95.5), m(v, engine.Tech4G, -95.6)},
			want: SignalStats{N: 3, MinDBm: -95.6, MaxDBm: -95.4, MeanDBm: -95.5,
				P10DBm: -95.6, P50DBm: -95.6, P90DBm: -95.4, LoDBm: -96, Hist: []uint32{2, 1}},
		},
		{
			name: "censored 3G readings below the floor count at the floor −120",
			rows: []engine.Measurement{m(v, engine.Tech3G, -131.2), m(v, engine.Tech3G, -120), m(v, engine.Tech3G, -110)},
			want: SignalStats{N: 3, MinDBm: -120, MaxDBm: -110, MeanDBm: -350.0 / 3,
				P10DBm: -120, P50DBm: -120, P90DBm: -110, LoDBm: -120, Hist: append(append([]uint32{2}, make([]uint32, 9)...), 1)},
		},
		{
			name: "indoor in Signal only; no-service rows carry no signal",
			rows: []engine.Measurement{
				m(v, engine.Tech4G, -90),
				with(m(v, engine.Tech4G, -110), func(r *engine.Measurement) { r.Environment = engine.EnvIndoor }),
				with(m(v, engine.Tech4G, -60), func(r *engine.Measurement) { r.Service = engine.ServiceEmergency }),
			},
			want: SignalStats{N: 2, MinDBm: -110, MaxDBm: -90, MeanDBm: -100,
				P10DBm: -110, P50DBm: -110, P90DBm: -90, LoDBm: -110, Hist: append(append([]uint32{1}, make([]uint32, 19)...), 1)},
			outdoor: SignalStats{N: 1, MinDBm: -90, MaxDBm: -90, MeanDBm: -90,
				P10DBm: -90, P50DBm: -90, P90DBm: -90, LoDBm: -90, Hist: []uint32{1}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := oneRow(t, tc.rows)
			checkSignal(t, "Signal", r.Signal, tc.want)
			if tc.outdoor.N == 0 {
				tc.outdoor = tc.want
			}
			checkSignal(t, "OutdoorSignal", r.OutdoorSignal, tc.outdoor)
		})
	}
}

func checkSignal(t *testing.T, name string, got, want SignalStats) {
	t.Helper()
	const tol = 1e-9
	if got.N != want.N || !near(got.MinDBm, want.MinDBm, tol) || !near(got.MaxDBm, want.MaxDBm, tol) ||
		!near(got.MeanDBm, want.MeanDBm, tol) || got.P10DBm != want.P10DBm || got.P50DBm != want.P50DBm ||
		got.P90DBm != want.P90DBm || got.LoDBm != want.LoDBm || len(got.Hist) != len(want.Hist) {
		t.Fatalf("%s = %+v, want %+v", name, got, want)
	}
	for i := range got.Hist {
		if got.Hist[i] != want.Hist[i] {
			t.Fatalf("%s.Hist = %v, want %v", name, got.Hist, want.Hist)
		}
	}
	if got.N > 0 && got.Quantile(0.5) != got.P50DBm {
		t.Errorf("%s.Quantile(0.5) = %v, want %v", name, got.Quantile(0.5), got.P50DBm)
	}
}

func TestEmptySignalIsNaN(t *testing.T) {
	r := oneRow(t, []engine.Measurement{with(m(engine.Viettel, engine.Tech4G, math.NaN()), func(r *engine.Measurement) { r.Service = engine.ServiceNone })})
	s := r.Signal
	if s.N != 0 || !math.IsNaN(s.MinDBm) || !math.IsNaN(s.P50DBm) || !math.IsNaN(s.MeanDBm) || s.Hist != nil || !math.IsNaN(s.Quantile(0.5)) {
		t.Errorf("empty signal = %+v, want NaN summaries", s)
	}
	if r.DL.N != 0 || !math.IsNaN(r.DL.MedianMbps) {
		t.Errorf("empty DL = %+v", r.DL)
	}
}

func TestRates(t *testing.T) {
	var rows []engine.Measurement
	for _, x := range []float64{10, 20, 30, 0, math.NaN(), -1, 2e5} {
		rows = append(rows, with(m(engine.Viettel, engine.Tech4G, -90), func(r *engine.Measurement) { r.DLMbps, r.ULMbps = x, x/10 }))
	}
	r := oneRow(t, rows)
	// DL values sketched: 0, 10, 20, 30. Nearest rank: p10 → 1st, p50 → 2nd, p90 → 4th.
	if r.DL.N != 4 || r.DL.P10Mbps != 0 || !near(r.DL.MedianMbps, 10, 10*rateAlpha) || !near(r.DL.P90Mbps, 30, 30*rateAlpha) {
		t.Errorf("DL = %+v, want N 4, p10 0, median 10±4%%, p90 30±4%%", r.DL)
	}
	// UL values sketched: 1, 2, 3, 0, 20000 (−0.1 is not).
	if r.UL.N != 5 || !near(r.UL.MedianMbps, 2, 2*rateAlpha) || !near(r.UL.P90Mbps, 2e4, 2e4*rateAlpha) {
		t.Errorf("UL = %+v, want N 5, median 2±4%%, p90 20000±4%%", r.UL)
	}
}

// Idle bitrates (engine.SpeedIdle) stay out of the speed statistics: 15
// idle zeros beside two speed tests leave a median of the tests, not 0.
func TestIdleSpeedsExcluded(t *testing.T) {
	var rows []engine.Measurement
	for i := 0; i < 15; i++ {
		rows = append(rows, with(m(engine.Viettel, engine.Tech4G, -90), func(r *engine.Measurement) {
			r.DLMbps, r.ULMbps, r.Speed = 0, 0, engine.SpeedIdle
		}))
	}
	for _, x := range []float64{20, 40} {
		rows = append(rows, with(m(engine.Viettel, engine.Tech4G, -90), func(r *engine.Measurement) { r.DLMbps, r.ULMbps = x, x/10 }))
	}
	r := oneRow(t, rows)
	if r.DL.N != 2 || r.UL.N != 2 || !near(r.DL.MedianMbps, 20, 20*rateAlpha) || r.Signal.N != 17 {
		t.Errorf("DL = %+v, UL N %d, signal N %d: want 2 speed tests (median 20) and 17 signal tests", r.DL, r.UL.N, r.Signal.N)
	}
}

func TestDevices(t *testing.T) {
	ids := []string{"a", "b", "a", "", "c", "b"}
	var rows []engine.Measurement
	for _, id := range ids {
		rows = append(rows, with(m(engine.Viettel, engine.Tech4G, -90), func(r *engine.Measurement) { r.DeviceID = id }))
	}
	// A scanner is an instrument, not a user's device: its rows count,
	// its id does not.
	rows = append(rows, with(m(engine.Viettel, engine.Tech4G, -90), func(r *engine.Measurement) {
		r.DeviceID, r.DeviceClass = "scanner-1", engine.DeviceScanner
	}))
	r := oneRow(t, rows)
	if r.Devices != 3 || !r.DevicesExact || r.All.Rows != 7 {
		t.Errorf("devices = %d exact %v rows %d, want 3 exact of 7 rows", r.Devices, r.DevicesExact, r.All.Rows)
	}
}

func TestWindows(t *testing.T) {
	at := func(s string) int64 {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UnixMilli()
	}
	row := func(ts string) engine.Measurement {
		return with(m(engine.Viettel, engine.Tech4G, -90), func(r *engine.Measurement) { r.TimeUnixMs = at(ts) })
	}
	tests := []struct {
		name    string
		offset  int64
		times   []string
		windows int
	}{
		// Default windows start at 00:00, 04:00, … ICT = 17:00, 21:00, 01:00, … UTC.
		{"ICT windows across the 01:00Z boundary", 3600 * 1000,
			[]string{"2025-03-01T00:59:59.999Z", "2025-03-01T01:00:00Z", "2025-03-01T04:59:59.999Z", "2025-03-01T05:00:00Z"}, 3},
		{"UTC windows across midnight", 0,
			[]string{"2025-02-28T23:59:59.999Z", "2025-03-01T00:00:00Z", "2025-03-01T03:59:59Z"}, 2},
		{"same window repeated", 0,
			[]string{"2025-03-01T08:00:00Z", "2025-03-01T09:00:00Z", "2025-03-01T11:59:59.999Z"}, 1},
		{"windows 64 apart (sparse bitset words) and before 1970", 0,
			[]string{"2025-03-01T00:00:00Z", "2025-04-01T00:00:00Z", "1969-12-31T23:00:00Z", "1969-12-31T19:59:59Z"}, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.WindowOffsetMs = tc.offset
			a := mustNew(t, cfg)
			_, ch := testCells(t)
			var rows []engine.Measurement
			first, last := int64(math.MaxInt64), int64(math.MinInt64)
			for _, s := range tc.times {
				rows = append(rows, row(s))
				first, last = min(first, at(s)), max(last, at(s))
			}
			fine := make([]hexgrid.Cell, len(rows))
			for i := range fine {
				fine[i] = ch[1]
			}
			if err := a.Add(batchOf(rows), fine); err != nil {
				t.Fatal(err)
			}
			r := a.Rows()[0]
			if r.Windows != tc.windows || r.FirstUnixMs != first || r.LastUnixMs != last {
				t.Errorf("windows %d first %d last %d, want %d %d %d", r.Windows, r.FirstUnixMs, r.LastUnixMs, tc.windows, first, last)
			}
		})
	}
}

func TestChildMask(t *testing.T) {
	parent, ch := testCells(t)
	a := mustNew(t, DefaultConfig())
	fine := []hexgrid.Cell{ch[0], ch[3], ch[6], ch[3]}
	rows := make([]engine.Measurement, len(fine))
	var want uint8
	for i, c := range fine {
		rows[i] = m(engine.VinaPhone, engine.Tech4G, -99)
		want |= 1 << c.ChildDigit()
	}
	if want != 1<<0|1<<3|1<<6 {
		t.Fatalf("children are not in digit order: mask %07b", want)
	}
	if err := a.Add(batchOf(rows), fine); err != nil {
		t.Fatal(err)
	}
	r := a.Rows()
	if len(r) != 1 || r[0].Cell != parent || r[0].Children != want {
		t.Errorf("rows %+v, want one row of %v with children %07b", r, parent, want)
	}
}

func TestSkippedAndOrder(t *testing.T) {
	_, ch := testCells(t)
	other, err := hexgrid.Index(106.7, 10.78, 9) // Hồ Chí Minh City
	if err != nil {
		t.Fatal(err)
	}
	rows := []engine.Measurement{
		m(engine.Viettel, engine.Tech4G, -90),  // no cell
		m(engine.Viettel, 0, -90),              // unknown tech
		m("", engine.Tech4G, -90),              // no carrier
		m(engine.Viettel, engine.Tech4G, -90),  // kept
		m(engine.MobiFone, engine.Tech4G, -90), // kept
		m(engine.MobiFone, engine.Tech3G, -90), // kept
		m(engine.Viettel, engine.Tech3G, -90),  // kept, other cell
	}
	fine := []hexgrid.Cell{0, ch[0], ch[0], ch[0], ch[1], ch[2], other}
	a := mustNew(t, DefaultConfig())
	if err := a.Add(batchOf(rows), fine); err != nil {
		t.Fatal(err)
	}
	if s := a.Skipped(); s != (Skipped{NoCell: 1, NoTech: 1, NoCarrier: 1}) || s.Total() != 3 {
		t.Errorf("skipped %+v", s)
	}
	got := a.Rows()
	p0, _ := ch[0].Parent(8)
	p1, _ := other.Parent(8)
	want := []Key{{p0, engine.MobiFone, engine.Tech3G}, {p0, engine.MobiFone, engine.Tech4G}, {p0, engine.Viettel, engine.Tech4G}, {p1, engine.Viettel, engine.Tech3G}}
	if p1 < p0 {
		want = append(want[3:], want[:3]...)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d", len(got), len(want))
	}
	var total int64
	for i := range got {
		if got[i].Key != want[i] {
			t.Errorf("row %d key %+v, want %+v", i, got[i].Key, want[i])
		}
		total += got[i].All.Rows
	}
	if total+a.Skipped().Total() != int64(len(rows)) {
		t.Errorf("rows %d + skipped %d != %d input rows", total, a.Skipped().Total(), len(rows))
	}
}

func TestAddErrorsChangeNothing(t *testing.T) {
	_, ch := testCells(t)
	coarse, _ := ch[0].Parent(8)
	good := []engine.Measurement{m(engine.Viettel, engine.Tech4G, -90), m(engine.Viettel, engine.Tech4G, -95)}
	tests := []struct {
		name string
		b    func() *engine.MeasurementBatch
		fine []hexgrid.Cell
	}{
		{"cells at the analysis resolution", func() *engine.MeasurementBatch { return batchOf(good) }, []hexgrid.Cell{ch[0], coarse}},
		{"fewer cells than rows", func() *engine.MeasurementBatch { return batchOf(good) }, []hexgrid.Cell{ch[0]}},
		{"short service column", func() *engine.MeasurementBatch {
			b := batchOf(good)
			b.Service = b.Service[:1]
			return b
		}, []hexgrid.Cell{ch[0], ch[1]}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := mustNew(t, DefaultConfig())
			err := a.Add(tc.b(), tc.fine)
			if !errors.Is(err, engine.ErrInvalidValue) {
				t.Fatalf("err = %v, want ErrInvalidValue", err)
			}
			if a.Len() != 0 || a.Skipped().Total() != 0 {
				t.Errorf("failed Add changed the aggregator: %d keys, %+v skipped", a.Len(), a.Skipped())
			}
		})
	}
}

func TestOptionalColumnsMayBeAbsent(t *testing.T) {
	_, ch := testCells(t)
	b := batchOf([]engine.Measurement{m(engine.Viettel, engine.Tech4G, -90)})
	b.Environment, b.DLMbps, b.ULMbps, b.DeviceID = nil, nil, nil, nil
	a := mustNew(t, DefaultConfig())
	if err := a.Add(b, ch[:1]); err != nil {
		t.Fatal(err)
	}
	r := a.Rows()[0]
	if r.All.Tests != 1 || r.Outdoor.Rows != 0 || r.Devices != 0 || r.DL.N != 0 {
		t.Errorf("row %+v: want one test of unknown environment, no devices, no DL", r)
	}
}

func TestConfigValidate(t *testing.T) {
	bad := func(f func(*Config)) Config {
		c := DefaultConfig()
		f(&c)
		return c
	}
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"default", DefaultConfig(), true},
		{"resolution 14", bad(func(c *Config) { c.Resolution = 14 }), true},
		{"resolution 15 has no children", bad(func(c *Config) { c.Resolution = 15 }), false},
		{"negative resolution", bad(func(c *Config) { c.Resolution = -1 }), false},
		{"window offset of 4 h", bad(func(c *Config) { c.WindowOffsetMs = WindowMs }), false},
		{"negative window offset", bad(func(c *Config) { c.WindowOffsetMs = -1 }), false},
		{"no-service above covered", bad(func(c *Config) { c.Thresholds.NoServiceDBm[engine.Tech4G] = -100 }), false},
		{"zero thresholds", Config{Resolution: 8}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if (err == nil) != tc.ok {
				t.Fatalf("Validate() = %v, want ok %v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, engine.ErrInvalidConfig) {
				t.Errorf("error %v does not wrap ErrInvalidConfig", err)
			}
			if _, err := New(tc.cfg); (err == nil) != tc.ok {
				t.Errorf("New() = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

// TestRateQuantileBound: a speed's reported value (its sketch bucket's
// representative, to three significant digits) is within the documented
// 4.6% of the speed (the sketch's 4%, then the rounding), and the rounding
// alone can take it past 4% (so 4% would not be a true bound).
func TestRateQuantileBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	worst := 0.0
	for range 200000 {
		x := math.Pow(10, -2+6*rng.Float64())
		c, ok := rateCode(x)
		if !ok {
			t.Fatalf("%g not sketched", x)
		}
		got := sigfig.Round(rateValue(c), 3)
		worst = max(worst, math.Abs(got/x-1))
	}
	if worst > RateQuantileRelErr || worst <= rateAlpha {
		t.Fatalf("worst relative error %.4f; documented bound %.3f, sketch %.2f", worst, RateQuantileRelErr, rateAlpha)
	}
}
