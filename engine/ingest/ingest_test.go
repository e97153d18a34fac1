package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/internal/shareddata"
	"github.com/paulmach/orb"
)

var testNow = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// readM validates a measurements CSV and returns accepted rows, rejects
// and the report.
func readM(t *testing.T, csvText string, m *Mapping, mod func(*Config)) ([]engine.Measurement, []Reject, *Report) {
	t.Helper()
	rec, err := NewCSV(strings.NewReader(csvText), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Defaults("test.csv", testNow)
	cfg.BatchSize = 3
	if mod != nil {
		mod(&cfg)
	}
	var rows []engine.Measurement
	var rejects []Reject
	rep, err := ReadMeasurements(context.Background(), rec, m, cfg,
		func(b *engine.MeasurementBatch) error {
			for i := 0; i < b.Len(); i++ {
				rows = append(rows, b.Row(i))
			}
			return nil
		},
		func(r Reject) error { rejects = append(rejects, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if rep.RowsRead != rep.Accepted+rep.Rejected || int64(len(rows)) != rep.Accepted || int64(len(rejects)) != rep.Rejected {
		t.Fatalf("counts do not add up: read %d accepted %d (%d rows) rejected %d (%d rows)",
			rep.RowsRead, rep.Accepted, len(rows), rep.Rejected, len(rejects))
	}
	return rows, rejects, rep
}

const mHeader = "ts,carrier,tech,lon,lat,signal_dbm,service,dl_mbps,environment,device_class,source\n"

func TestMeasurementRules(t *testing.T) {
	cases := []struct {
		name   string
		row    string
		reason Reason // "" = accepted
		column string
	}{
		{"valid 4G", "2026-10-01T08:00:00Z,Viettel,LTE,105.85,21.03,-98,ok,,outdoor,smartphone,drive", "", ""},
		{"unix ms", "1759305600000,viettel,4G,105.85,21.03,-98,,,,,", "", ""},
		{"no service kept", "2026-10-01T08:00:00Z,MobiFone,4G,105.85,21.03,,none,,vehicle,,", "", ""},
		{"speed only", "2026-10-01T08:00:00Z,vnpt,4G,105.85,21.03,,ok,35.5,,,speedtest", "", ""},
		{"missing ts", ",viettel,4G,105.85,21.03,-98,,,,,", ReasonMissingValue, "ts"},
		{"bad ts", "yesterday,viettel,4G,105.85,21.03,-98,,,,,", ReasonInvalidTime, "ts"},
		{"future ts", "2027-01-01T00:00:00Z,viettel,4G,105.85,21.03,-98,,,,,", ReasonFutureTime, "ts"},
		{"ancient ts", "1999-12-31T00:00:00Z,viettel,4G,105.85,21.03,-98,,,,,", ReasonOutOfRange, "ts"},
		{"missing carrier", "2026-10-01T08:00:00Z,,4G,105.85,21.03,-98,,,,,", ReasonMissingValue, "carrier"},
		{"bad tech", "2026-10-01T08:00:00Z,viettel,6G,105.85,21.03,-98,,,,,", ReasonInvalidEnum, "tech"},
		{"lon not a number", "2026-10-01T08:00:00Z,viettel,4G,abc,21.03,-98,,,,,", ReasonInvalidNumber, "lon"},
		{"lon NaN", "2026-10-01T08:00:00Z,viettel,4G,NaN,21.03,-98,,,,,", ReasonInvalidNumber, "lon"},
		{"lat out of range", "2026-10-01T08:00:00Z,viettel,4G,105.85,91,-98,,,,,", ReasonOutOfRange, "lat"},
		{"null island", "2026-10-01T08:00:00Z,viettel,4G,0,0,-98,,,,,", ReasonOutOfRange, "lon"},
		{"RSRP impossible", "2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-160.5,,,,,", ReasonOutOfRange, "signal_dbm"},
		{"RSRP censored kept", "2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-157,,,vehicle,scanner,drive", "", ""},
		{"RSRP edge ok", "2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-156,,,,,", "", ""},
		{"RSRP too high", "2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-30,,,,,", ReasonOutOfRange, "signal_dbm"},
		{"RSCP censored kept", "2026-10-01T08:00:00Z,viettel,3G,105.85,21.03,-125,,,,,", "", ""},
		{"RSCP impossible", "2026-10-01T08:00:00Z,viettel,3G,105.85,21.03,-161,,,,,", ReasonOutOfRange, "signal_dbm"},
		{"RSCP too high", "2026-10-01T08:00:00Z,viettel,3G,105.85,21.03,-24,,,,,", ReasonOutOfRange, "signal_dbm"},
		{"signal on no-service", "2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-120,none,,,,", ReasonInconsistent, "signal_dbm"},
		{"speed on no-service", "2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,,none,5,,,", ReasonInconsistent, "dl_mbps"},
		{"zero speed on no-service kept", "2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,,none,0,,,", "", ""},
		{"ok without values", "2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,,ok,,,,", ReasonInconsistent, "signal_dbm"},
		{"negative speed", "2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-98,,-1,,,", ReasonOutOfRange, "dl_mbps"},
		{"bad service", "2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-98,maybe,,,,", ReasonInvalidEnum, "service"},
		{"bad environment", "2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-98,,,underwater,,", ReasonInvalidEnum, "environment"},
		{"bad device class", "2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-98,,,,toaster,", ReasonInvalidEnum, "device_class"},
		{"bad source", "2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-98,,,,,rumour", ReasonInvalidEnum, "source"},
		{"too few fields", "2026-10-01T08:00:00Z,viettel,4G", ReasonMalformedRow, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, rejects, _ := readM(t, mHeader+c.row+"\n", nil, nil)
			if c.reason == "" {
				if len(rows) != 1 {
					t.Fatalf("want accepted, got %+v", rejects)
				}
				return
			}
			if len(rejects) != 1 {
				t.Fatalf("want rejected (%s), got accepted %+v", c.reason, rows)
			}
			r := rejects[0]
			if r.Reason != c.reason || r.Column != c.column || r.Line != 2 || r.Source != "test.csv" {
				t.Fatalf("got %+v, want reason %s column %q line 2", r, c.reason, c.column)
			}
		})
	}
}

// TestNoServiceWithData: a no-service row with data moved (a speed above
// 0, either way) or a latency is inconsistent, as one with a signal is;
// a zero speed (nothing moved) is kept, as are emergency rows.
func TestNoServiceWithData(t *testing.T) {
	const h = "ts,carrier,tech,lon,lat,signal_dbm,service,dl_mbps,ul_mbps,latency_ms\n"
	const at = "2024-10-18T07:00:01+07:00,viettel,4G,103.19,22.39,"
	for _, c := range []struct {
		name, row, column string // column "": accepted
	}{
		{"download", ",none,5,,", "dl_mbps"},
		{"upload", ",none,,0.2,", "ul_mbps"},
		{"latency", ",none,,,30", "latency_ms"},
		{"zero latency", ",none,,,0", "latency_ms"},
		{"zero speeds", ",none,0,0,", ""},
		{"nothing", ",none,,,", ""},
		{"emergency with a latency", "-120,emergency,,,30", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			rows, rejects, _ := readM(t, h+at+c.row+"\n", nil, nil)
			if c.column == "" {
				if len(rows) != 1 {
					t.Fatalf("want accepted, got %+v", rejects)
				}
				return
			}
			if len(rejects) != 1 || rejects[0].Reason != ReasonInconsistent || rejects[0].Column != c.column {
				t.Fatalf("rows %+v rejects %+v", rows, rejects)
			}
		})
	}
}

// TestScannerBelowFloor: a drive-test scanner's readings below every
// technology's reporting floor (down to engine.MinSignalDBm) are kept as
// censored evidence, not rejected.
func TestScannerBelowFloor(t *testing.T) {
	var b strings.Builder
	b.WriteString(mHeader)
	techs := []string{"2G", "3G", "4G", "5G"}
	for i := range 40 {
		tech := techs[i%4]
		tt, _ := engine.ParseTech(tech)
		sig := engine.ReportingFloorDBm(tt) - float64(i%5)*0.7 // at and below the floor
		sig = max(sig, engine.MinSignalDBm)
		fmt.Fprintf(&b, "2026-10-01T08:%02d:00Z,viettel,%s,105.85,21.03,%.1f,ok,,vehicle,scanner,drive\n", i, tech, sig)
	}
	rows, rejects, rep := readM(t, b.String(), nil, nil)
	if rep.Rejected != 0 || len(rejects) != 0 || len(rows) != 40 {
		t.Fatalf("read %d, accepted %d, rejected %d: %+v", rep.RowsRead, rep.Accepted, rep.Rejected, rejects)
	}
	for i, r := range rows {
		if r.DeviceClass != engine.DeviceScanner || !engine.Censored(r.Tech, r.SignalDBm) {
			t.Fatalf("row %d: %+v is not a censored scanner reading", i, r)
		}
	}
}

func TestMeasurementValues(t *testing.T) {
	rows, _, _ := readM(t, mHeader+
		"2026-10-01T08:00:00+07:00,VNPT,LTE-A,105.85,21.03,-98.5,,12.5,vehicle,feature,mdt\n"+
		"2026-10-01T08:00:00Z,Vina,GSM,105.85,21.03,,none,,,,\n", nil, nil)
	if len(rows) != 2 {
		t.Fatal(len(rows))
	}
	r := rows[0]
	want := time.Date(2026, 10, 1, 1, 0, 0, 0, time.UTC).UnixMilli()
	if r.TimeUnixMs != want || r.Carrier != engine.VinaPhone || r.Tech != engine.Tech4G || r.SignalDBm != -98.5 ||
		r.DLMbps != 12.5 || r.Environment != engine.EnvVehicle || r.DeviceClass != engine.DeviceFeature || r.Source != engine.SourceMDT {
		t.Fatalf("row 0: %+v", r)
	}
	if !math.IsNaN(r.ULMbps) || !math.IsNaN(r.RSRQDB) {
		t.Fatal("absent values must be NaN")
	}
	if rows[1].Service != engine.ServiceNone || !math.IsNaN(rows[1].SignalDBm) || rows[1].Tech != engine.Tech2G {
		t.Fatalf("row 1: %+v", rows[1])
	}
}

func TestDuplicates(t *testing.T) {
	row := "2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-98,,,,,\n"
	_, rejects, rep := readM(t, mHeader+row+row+"2026-10-01T08:00:01Z,viettel,4G,105.85,21.03,-98,,,,,\n"+row, nil, nil)
	if rep.Accepted != 2 || rep.ByReason[ReasonDuplicate] != 2 || rejects[0].Line != 3 || rejects[1].Line != 5 {
		t.Fatalf("%+v %+v", rep, rejects)
	}
	_, _, rep = readM(t, mHeader+row+row, nil, func(c *Config) { c.Dedup = false })
	if rep.Accepted != 2 {
		t.Fatal("dedup off must accept repeats")
	}
	_, _, rep = readM(t, mHeader+row+"2026-10-01T08:00:01Z,viettel,4G,105.85,21.03,-98,,,,,\n"+row, nil,
		func(c *Config) { c.DedupMaxRows = 1 })
	if rep.DedupStoppedAtLine != 3 || rep.Accepted != 3 {
		t.Fatalf("dedup cap: %+v", rep)
	}
}

func TestBounds(t *testing.T) {
	sq := orb.MultiPolygon{{{{105, 20}, {106, 20}, {106, 22}, {105, 22}, {105, 20}}}}
	_, rejects, rep := readM(t, mHeader+
		"2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-98,,,,,\n"+
		"2026-10-01T08:00:00Z,viettel,4G,107.85,21.03,-98,,,,,\n", nil, func(c *Config) { c.Bounds = sq })
	if rep.Accepted != 1 || rejects[0].Reason != ReasonOutsideBounds || rejects[0].Line != 3 {
		t.Fatalf("%+v", rejects)
	}
	if rep.OutsideVietNam != 0 {
		t.Fatalf("with bounds, rows outside Viet Nam are the bounds' to judge: %d counted", rep.OutsideVietNam)
	}
}

// TestOutsideVietNam: without --bounds, a measurement outside Viet Nam's
// extent is rejected as outside_bounds (a test abroad says nothing of the
// country's coverage), so that a file of another country, or of
// positions written wrongly, is refused by its rejected share; the detail
// names a sign too many. They were kept and counted, and such a file was
// ingested. Hoàng Sa and Trường Sa are Viet Nam's.
func TestOutsideVietNam(t *testing.T) {
	_, rejects, rep := readM(t, mHeader+
		"2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-98,,,,,\n"+ // Hà Nội
		"2026-10-01T08:00:00Z,viettel,4G,100.50,13.75,-98,,,,,\n"+ // Bangkok
		"2026-10-01T08:00:00Z,viettel,4G,114.33,11.43,-98,,,,,\n"+ // Song Tử Tây, Trường Sa
		"2026-10-01T08:00:00Z,viettel,4G,112.33,16.83,-98,,,,,\n"+ // Phú Lâm, Hoàng Sa
		"2026-10-01T08:00:00Z,viettel,4G,-79.85,-2.07,-98,,,,,\n"+ // Guayaquil
		"2026-10-01T08:00:00Z,viettel,4G,-105.85,21.03,-98,,,,,\n", nil, nil) // Hà Nội, a minus sign too many
	if rep.Accepted != 3 || len(rejects) != 3 || rep.ByReason[ReasonOutsideBounds] != 3 || rep.OutsideVietNam != 0 {
		t.Fatalf("accepted %d, rejects %+v, outside %d", rep.Accepted, rejects, rep.OutsideVietNam)
	}
	for i, line := range []int64{3, 6, 7} {
		r := rejects[i]
		if r.Line != line || r.Column != "lon" || !strings.Contains(r.Detail, "outside Viet Nam") {
			t.Errorf("reject %d: %+v, want line %d outside Viet Nam", i, r, line)
		}
		if sign := strings.Contains(r.Detail, "a minus sign too many? (105.85, 21.03) is in Viet Nam"); sign != (line == 7) {
			t.Errorf("line %d: sign hint %v: %s", line, sign, r.Detail)
		}
	}
	// A site register's rows stay kept and counted: a carrier's register
	// may hold its sites abroad.
	rec, err := NewCSV(strings.NewReader("site_id,carrier,tech,lon,lat\nA,viettel,4G,105.85,21.03\nB,viettel,4G,100.50,13.75\n"), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srep, err := ReadSites(context.Background(), rec, nil, Defaults("s.csv", testNow), func([]engine.Site) error { return nil }, nil)
	if err != nil || srep.Accepted != 2 || srep.OutsideVietNam != 1 || srep.Counts().RowsOutsideVietNam != 1 {
		t.Fatalf("sites: %v %+v", err, srep)
	}
}

func TestAllowedCarriers(t *testing.T) {
	text := mHeader +
		"2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-98,,,,,\n" +
		"2026-10-01T08:00:00Z,VNPT,4G,105.85,21.03,-98,,,,,\n" +
		"2026-10-01T08:00:01Z,Viettel Mobile,4G,105.85,21.03,-98,,,,,\n" +
		"2026-10-01T08:00:02Z,vnpt,4G,105.85,21.03,-98,,,,,\n"
	rows, rejects, rep := readM(t, text, nil, func(c *Config) { c.AllowedCarriers = []engine.Carrier{engine.Viettel} })
	if rep.Accepted != 2 || rep.ByReason[ReasonCarrierNotYours] != 2 || len(rows) != 2 || rows[1].Carrier != engine.Viettel {
		t.Fatalf("%+v %+v", rep, rows)
	}
	if rejects[0].Line != 3 || rejects[0].Column != "carrier" || rejects[0].Value != "VNPT" || rejects[1].Line != 5 {
		t.Fatalf("%+v", rejects)
	}
	_, _, rep = readM(t, text, nil, nil)
	if rep.Accepted != 4 {
		t.Fatalf("no allowed list must accept every carrier: %+v", rep)
	}
}

func TestMappingUnitsAndConstants(t *testing.T) {
	m, err := ParseMapping([]byte(`{
		"kind": "measurements",
		"columns": {"Time": "ts", "Longitude": "lon", "Latitude": "lat", "RAT": "tech", "Level": "signal_dbm", "DL": "dl_mbps"},
		"units": {"ts": "unix_s", "signal_dbm": "asu", "dl_mbps": "kbps"},
		"constants": {"carrier": "MobiFone", "environment": "outdoor"},
		"tech_values": {"LTE-A Pro": "4G"}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	rows, rejects, _ := readM(t, "Time;Longitude;Latitude;RAT;Level;DL\n"+
		"1759305600;105,85;21.03;LTE-A Pro;40;2500\n"+
		"1759305600;105.85;21.03;GSM;20;\n", m, nil)
	// Line 2 has "105,85" with a semicolon delimiter: an invalid number,
	// named by the file's own column (then the contract's) so that its
	// sender finds the cell; a column of the contract's own name in
	// another case is named once.
	if len(rejects) != 1 || rejects[0].Column != "Longitude → lon" || rejects[0].Line != 2 {
		t.Fatalf("rejects %+v", rejects)
	}
	if len(rows) != 1 {
		t.Fatal(len(rows))
	}
	r := rows[0]
	if r.Carrier != engine.MobiFone || r.Tech != engine.Tech2G || r.SignalDBm != -73 || r.TimeUnixMs != 1759305600000 ||
		r.Environment != engine.EnvOutdoor {
		t.Fatalf("%+v", r)
	}
	rows, _, _ = readM(t, "Time,Longitude,Latitude,RAT,Level,DL\n1759305600.5,105.85,21.03,LTE-A Pro,40,2500\n", m, nil)
	if len(rows) != 1 || rows[0].SignalDBm != -100 || rows[0].DLMbps != 2.5 || rows[0].Tech != engine.Tech4G || rows[0].TimeUnixMs != 1759305600500 {
		t.Fatalf("%+v", rows)
	}
}

// ASU levels outside a technology's scale — 99 and 255, "not known" —
// are refused on every technology: on LTE 99 would be −41 dBm.
func TestASUNotKnownRefused(t *testing.T) {
	m, err := ParseMapping([]byte(`{"units": {"signal_dbm": "asu"}}`))
	if err != nil {
		t.Fatal(err)
	}
	rows, rejects, _ := readM(t, "ts,carrier,tech,lon,lat,signal_dbm\n"+
		"2024-10-01T08:00:00+07:00,viettel,4G,105.85,21.03,99\n"+
		"2024-10-01T08:00:00+07:00,viettel,5G,105.85,21.03,255\n"+
		"2024-10-01T08:00:00+07:00,viettel,3G,105.85,21.03,96\n"+
		"2024-10-01T08:00:00+07:00,viettel,2G,105.85,21.03,32\n"+
		"2024-10-01T08:00:00+07:00,viettel,4G,105.85,21.03,97\n"+
		"2024-10-01T08:00:00+07:00,viettel,3G,105.85,21.03,0\n", m, nil)
	if len(rejects) != 4 {
		t.Fatalf("rejects %+v, want lines 2–5", rejects)
	}
	for i, r := range rejects {
		if r.Line != int64(i+2) || r.Column != "signal_dbm" || r.Reason != ReasonOutOfRange {
			t.Errorf("reject %+v", r)
		}
	}
	if len(rows) != 2 || rows[0].SignalDBm != -43 || rows[1].SignalDBm != -120 {
		t.Fatalf("rows %+v", rows)
	}
}

func TestMappingLayoutAndTimezone(t *testing.T) {
	m, err := ParseMapping([]byte(`{"units": {"ts": "layout:02/01/2006 15:04"}, "timezone": "Asia/Ho_Chi_Minh"}`))
	if err != nil {
		t.Fatal(err)
	}
	rows, _, _ := readM(t, "ts,carrier,tech,lon,lat,signal_dbm\n01/10/2026 08:00,viettel,4G,105.85,21.03,-90\n", m, nil)
	if len(rows) != 1 || rows[0].TimeUnixMs != time.Date(2026, 10, 1, 1, 0, 0, 0, time.UTC).UnixMilli() {
		t.Fatalf("%+v", rows)
	}
}

func TestParseMappingErrors(t *testing.T) {
	cases := map[string]string{
		"unknown field":       `{"colums": {}}`,
		"bad target":          `{"columns": {"x": "altitude"}}`,
		"bad unit":            `{"units": {"dl_mbps": "furlongs"}}`,
		"unit on wrong col":   `{"units": {"lon": "kbps"}}`,
		"bad constant column": `{"constants": {"altitude": "3"}}`,
		"bad tech value":      `{"tech_values": {"x": "7G"}}`,
		"bad timezone":        `{"timezone": "Mars/Olympus"}`,
		"bad kind":            `{"kind": "towers"}`,
		"trailing":            `{} {}`,
		"not json":            `columns: x`,
		"empty layout":        `{"units": {"ts": "layout:"}}`,
		// One spelling, two technologies (4G rows were stored as 2G).
		"tech_values against values": `{"tech_values": {"LTE-A Pro": "4G"}, "values": {"tech": {"lte-a pro": "2G"}}}`,
	}
	for name, js := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseMapping([]byte(js)); err == nil {
				t.Fatalf("want error for %s", js)
			}
		})
	}
}

// A constant for a column the file has (by its own name or through
// columns) is refused: it would replace every row's value, silently.
func TestConstantOverFileColumnRefused(t *testing.T) {
	in := "ts,Operator,tech,lon,lat,signal_dbm,service,source,device_class,environment\n" +
		"2024-10-01T08:00:00+07:00,Viettel,4G,103.2,22.3,-90,ok,crowd,smartphone,outdoor\n"
	for name, js := range map[string]string{
		"mapped":   `{"columns": {"Operator": "carrier"}, "constants": {"carrier": "MobiFone"}}`,
		"own name": `{"constants": {"tech": "3G"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			if err := readErr(t, in, js); err == nil || !strings.Contains(err.Error(), "mapping constants[") || !strings.Contains(err.Error(), "would replace") {
				t.Fatalf("err %v, want the constant refused", err)
			}
		})
	}
}

// A source column mapped to "" is left out: a constant then replaces it
// on purpose, and several columns can be left out.
func TestColumnLeftOut(t *testing.T) {
	in := "ts,Operator,tech,lon,lat,signal_dbm,Junk,Junk2\n" +
		"2024-10-01T08:00:00+07:00,Viettel,4G,103.2,22.3,-90,x,y\n"
	rows, _, _ := readM(t, in, mustMapping(t, `{"columns": {"Operator": "", "Junk": "", "Junk2": ""}, "constants": {"carrier": "MobiFone"}}`), nil)
	if len(rows) != 1 || rows[0].Carrier != engine.MobiFone {
		t.Fatalf("rows %+v", rows)
	}
}

// A mapping's source column the file does not have is an error naming
// it (a misspelt DL_kpbs would leave DL_kbps unread), unless the mapping
// says its columns are optional, as presets do.
func TestMappedColumnMissing(t *testing.T) {
	in := "ts,carrier,tech,lon,lat,signal_dbm,service,source,device_class,environment,DL_kbps\n" +
		"2024-10-01T08:00:00+07:00,Viettel,4G,103.2,22.3,-90,ok,crowd,smartphone,outdoor,2000\n"
	read := func(js string) error { return readErr(t, in, js) }
	if err := read(`{"columns": {"DL_kpbs": "dl_mbps"}, "units": {"dl_mbps": "kbps"}}`); err == nil || !strings.Contains(err.Error(), `columns["DL_kpbs"]: the file has no such column`) {
		t.Errorf("misspelt source column: %v", err)
	}
	if err := read(`{"columns": {"dl_KBPS": "dl_mbps", "Thời gian": "ts"}, "units": {"dl_mbps": "kbps"}, "optional_columns": true}`); err != nil {
		t.Errorf("optional columns: %v", err)
	}
	if err := read(`{"columns": {"dl_kbps": "dl_mbps"}, "units": {"dl_mbps": "kbps"}}`); err != nil {
		t.Errorf("a source column in another case: %v", err)
	}
}

// readErr reads csvText with the mapping js and returns the error that
// stopped the file (nil when it was read).
func readErr(t *testing.T, csvText, js string) error {
	t.Helper()
	rec, err := NewCSV(strings.NewReader(csvText), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ReadMeasurements(context.Background(), rec, mustMapping(t, js), Defaults("m.csv", testNow),
		func(*engine.MeasurementBatch) error { return nil }, func(Reject) error { return nil })
	return err
}

func TestMissingRequiredColumn(t *testing.T) {
	rec, _ := NewCSV(strings.NewReader("time,carrier,tech,lon,lat\n"), CSVOptions{})
	_, err := ReadMeasurements(context.Background(), rec, nil, Defaults("x.csv", testNow),
		func(*engine.MeasurementBatch) error { return nil }, nil)
	if err == nil || !strings.Contains(err.Error(), "ts") || !strings.Contains(err.Error(), "x.csv") {
		t.Fatalf("got %v", err)
	}
}

func TestSuggestMapping(t *testing.T) {
	m, missing := SuggestMapping(KindMeasurements, []string{"Timestamp", "Operator", "RAT", "Lng", "Latitude", "RSRP", "DL_kbps", "Signal Quality"})
	if len(missing) != 0 {
		t.Fatalf("missing %v", missing)
	}
	want := map[string]string{"Timestamp": "ts", "Operator": "carrier", "RAT": "tech", "Lng": "lon", "Latitude": "lat", "RSRP": "signal_dbm", "DL_kbps": "dl_mbps"}
	for k, v := range want {
		if m.Columns[k] != v {
			t.Errorf("%s → %q, want %q", k, m.Columns[k], v)
		}
	}
	if m.Units["dl_mbps"] != "kbps" {
		t.Errorf("units %v", m.Units)
	}
	if _, err := ParseMapping(m.JSON()); err != nil {
		t.Fatalf("suggestion does not parse: %v", err)
	}
	m, missing = SuggestMapping(KindMeasurements, []string{"Thoi_gian", "Kinh_do", "Vi_do", "RAT", "Level_ASU", "Trang_thai_song"})
	if strings.Join(missing, ",") != "carrier" || m.Columns["Thoi_gian"] != "ts" || m.Columns["Level_ASU"] != "signal_dbm" ||
		m.Units["signal_dbm"] != "asu" || m.Columns["Trang_thai_song"] != "service" {
		t.Fatalf("Vietnamese names: %+v missing %v", m, missing)
	}
	_, missing = SuggestMapping(KindSites, []string{"foo", "bar"})
	if strings.Join(missing, ",") != "site_id,carrier,tech,lon,lat" {
		t.Fatalf("missing %v", missing)
	}
}

// TestHostileInput feeds broken CSV and checks that every row is counted
// exactly once, as accepted or rejected.
func TestHostileInput(t *testing.T) {
	in := "\ufeff" + mHeader +
		"2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-98,,,,,\n" +
		"2026-10-01T08:00:00Z,\"quoted, carrier\",4G,105.85,21.03,-99,,,,,\n" +
		"2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-98,,,,,,,,,,\n" +
		"2026-10-01T08:00:00Z,viettel,4G,1e400,21.03,-98,,,,,\n" +
		"a\"b,viettel,4G,105.85,21.03,-98,,,,,\n" +
		",,,,,,,,,,\n" +
		"\x00\x01\x02,\xff\xfe,4G,105.85,21.03,-98,,,,,\n" +
		"2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-97,,,,,\r\n" +
		"2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-98,,,,,\n" +
		"\"unterminated,viettel,4G,105.85\n2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-96,,,,,\n"
	rows, rejects, rep := readM(t, in, nil, nil)
	// 11 records, one of delimiters alone (a blank row, not read): 4
	// accepted (lines 2, 3, 9, 12); rejected: too many fields, 1e400,
	// bare quote, binary junk, a duplicate of line 2, and the line whose
	// quote is never closed — alone: the line after it is read again and
	// kept.
	if rep.RowsRead != 10 || rep.BlankRows != 1 || rep.Accepted != 4 || rep.ByReason[ReasonDuplicate] != 1 || rep.ByReason[ReasonMalformedRow] != 3 {
		t.Fatalf("%+v", rep)
	}
	if last := rows[len(rows)-1]; last.SignalDBm != -96 {
		t.Fatalf("the row after the unterminated quote: %+v", last)
	}
	if r := rejects[len(rejects)-1]; r.Line != 11 || r.Value != `"unterminated,viettel,4G,105.85` || !strings.Contains(r.Detail, "not closed before the end of the file") {
		t.Fatalf("the unterminated quote's reject: %+v", r)
	}
	if rows[1].Carrier != "quoted-carrier" {
		t.Fatalf("quoted field: %q", rows[1].Carrier)
	}
	for _, r := range rejects {
		if r.Line < 2 || r.Reason == "" {
			t.Fatalf("reject without line or reason: %+v", r)
		}
	}
}

func TestCSVDelimiterAndBOM(t *testing.T) {
	rec, err := NewCSV(strings.NewReader("\ufeffa;b;\"c;d\"\n1;2;3\n"), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rec.Header(), "|") != "a|b|c;d" {
		t.Fatalf("header %q", rec.Header())
	}
	if !rec.Next() || strings.Join(rec.Record(), "|") != "1|2|3" || rec.Line() != 2 {
		t.Fatalf("row %q line %d", rec.Record(), rec.Line())
	}
	if _, err := NewCSV(strings.NewReader(""), CSVOptions{}); err != ErrEmptyInput {
		t.Fatalf("empty: %v", err)
	}
}

func TestGzipSniff(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(mHeader + "2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-98,,,,,\n"))
	zw.Close()
	r, gz, err := MaybeGunzip(&buf)
	if err != nil || !gz {
		t.Fatal(err, gz)
	}
	rec, err := NewCSV(r, CSVOptions{})
	if err != nil || len(rec.Header()) != 11 {
		t.Fatal(err)
	}
	for _, c := range []struct {
		head string
		want Format
	}{{"PAR1xxxx", FormatParquet}, {"ARROW1\x00\x00", FormatArrowFile}, {"\xff\xff\xff\xff\x10", FormatArrowStream}, {"ts,lon", FormatCSV}} {
		if got := Sniff([]byte(c.head)); got != c.want {
			t.Errorf("%q: %v", c.head, got)
		}
	}
}

func TestSites(t *testing.T) {
	in := "site_id,carrier,tech,lon,lat,band_mhz,height_m,azimuth_deg,beamwidth_deg,tilt_deg,eirp_dbm,status,backhaul\n" +
		"HN001,Viettel,LTE,105.85,21.03,1800,30,120,65,4,58,active,fiber\n" +
		"HN002,Viettel,4G,105.86,21.04,,,,,,,,\n" +
		"HN003,Viettel,4G,105.86,21.04,1800,30,400,65,4,58,,\n" +
		"HN004,Viettel,4G,105.86,21.04,1800,-3,40,65,4,58,,\n" +
		"HN005,Viettel,4G,105.86,21.04,1800,30,40,65,4,58,broken,\n" +
		",Viettel,4G,105.86,21.04,1800,30,40,65,4,58,,\n" +
		"HN001,Viettel,LTE,105.85,21.03,1800,30,120,65,4,58,active,fiber\n"
	rec, _ := NewCSV(strings.NewReader(in), CSVOptions{})
	var sites []engine.Site
	var rejects []Reject
	rep, err := ReadSites(context.Background(), rec, nil, Defaults("sites.csv", testNow),
		func(b []engine.Site) error { sites = append(sites, b...); return nil },
		func(r Reject) error { rejects = append(rejects, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accepted != 2 || rep.Rejected != 5 {
		t.Fatalf("%+v %+v", rep, rejects)
	}
	wantCols := []string{"azimuth_deg", "height_m", "status", "site_id", ""}
	for i, r := range rejects {
		if r.Column != wantCols[i] {
			t.Errorf("reject %d: %+v", i, r)
		}
	}
	if rejects[4].Reason != ReasonDuplicate {
		t.Errorf("%+v", rejects[4])
	}
	s := sites[0]
	if s.SiteID != "HN001" || s.Tech != engine.Tech4G || s.BandMHz != 1800 || s.AzimuthDeg != 120 || s.Backhaul != engine.BackhaulFiber {
		t.Fatalf("%+v", s)
	}
	if !math.IsNaN(sites[1].AzimuthDeg) || sites[1].Status != engine.StatusActive {
		t.Fatalf("omni site: %+v", sites[1])
	}
}

// TestSiteIdentifiers: the register's optional sector identifiers are
// read like a measurement's serving cell; a bad PCI is rejected with its
// column.
func TestSiteIdentifiers(t *testing.T) {
	in := "site_id,carrier,tech,lon,lat,cell_id,node_id,pci,arfcn\n" +
		"HN001,Viettel,LTE,105.85,21.03,12345678,48225,301,1650\n" +
		"HN002,Viettel,LTE,105.86,21.04,,,,\n" +
		"HN003,Viettel,LTE,105.87,21.05,,,145,\n" +
		"HN004,Viettel,LTE,105.88,21.06,,,1008,1650\n" +
		"HN005,Viettel,LTE,105.89,21.07,,,12.5,1650\n"
	rec, _ := NewCSV(strings.NewReader(in), CSVOptions{})
	var sites []engine.Site
	var rejects []Reject
	rep, err := ReadSites(context.Background(), rec, nil, Defaults("sites.csv", testNow),
		func(b []engine.Site) error { sites = append(sites, b...); return nil },
		func(r Reject) error { rejects = append(rejects, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accepted != 3 || len(rejects) != 2 || rejects[0].Column != "pci" || rejects[0].Reason != ReasonOutOfRange ||
		rejects[1].Column != "pci" || rejects[1].Reason != ReasonInvalidNumber {
		t.Fatalf("%+v %+v", rep, rejects)
	}
	if c := sites[0].Cell; c == nil || *c != (engine.ServingCell{CellID: "12345678", NodeID: "48225", PCI: 301, ARFCN: 1650}) {
		t.Fatalf("site 0 cell %+v", c)
	}
	if sites[1].Cell != nil {
		t.Fatalf("site without identifiers has %+v", sites[1].Cell)
	}
	if c := sites[2].Cell; c == nil || *c != (engine.ServingCell{PCI: 145, ARFCN: -1}) {
		t.Fatalf("site 2 cell %+v", c)
	}
}

// TestOpenCellIDEcuador reads the real 75,068-row OpenCelliD export and
// checks the counts per radio type against the file (counted with
// `zcat | cut -d, -f1 | sort | uniq -c`: 19,058 GSM, 48,159 UMTS,
// 7,849 LTE, 2 CDMA).
func TestOpenCellIDEcuador(t *testing.T) {
	f, err := os.Open(shareddata.Path(t, "opencellid_740_ecuador.csv.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, gz, err := MaybeGunzip(f)
	if err != nil || !gz {
		t.Fatal(err)
	}
	rec, err := NewCSV(r, CSVOptions{Header: OpenCellIDHeader})
	if err != nil {
		t.Fatal(err)
	}
	perTech := map[engine.Tech]int{}
	perCarrier := map[engine.Carrier]int{}
	var rejects []Reject
	cfg := Defaults("opencellid_740_ecuador.csv.gz", testNow)
	rep, err := ReadSites(context.Background(), NewOpenCellID(rec), nil, cfg,
		func(b []engine.Site) error {
			for _, s := range b {
				perTech[s.Tech]++
				perCarrier[s.Carrier]++
			}
			return nil
		},
		func(r Reject) error { rejects = append(rejects, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if rep.RowsRead != 75068 || rep.Accepted != 75066 || rep.Rejected != 2 {
		t.Fatalf("%+v", rep)
	}
	if rep.OutsideVietNam != 75066 {
		t.Fatalf("Ecuador's cells: %d of 75,066 outside Viet Nam", rep.OutsideVietNam)
	}
	if perTech[engine.Tech2G] != 19058 || perTech[engine.Tech3G] != 48159 || perTech[engine.Tech4G] != 7849 {
		t.Fatalf("per tech %v", perTech)
	}
	for _, r := range rejects {
		if r.Reason != ReasonInvalidEnum || r.Column != "tech" || r.Value != "CDMA" {
			t.Fatalf("%+v", r)
		}
	}
	// MNC 01 is Claro (36,249 rows in the file, none of them CDMA).
	if perCarrier["claro-ec"] != 36249 || perCarrier["movistar-ec"] != 27425 || perCarrier["plmn-740-03"] != 12 {
		t.Fatalf("per carrier %v", perCarrier)
	}
}

func TestLooksLikeOpenCellID(t *testing.T) {
	if !LooksLikeOpenCellID("UMTS,740,1,50404,65743865,0,-79.854472,-2.073579,91204,2000,1,1347360297,1382522448,0") {
		t.Fatal("real row not recognised")
	}
	if !LooksLikeOpenCellID(strings.Join(OpenCellIDHeader, ",")) {
		t.Fatal("header not recognised")
	}
	if LooksLikeOpenCellID(strings.TrimSuffix(mHeader, "\n")) {
		t.Fatal("contract header taken for OpenCelliD")
	}
}

func FuzzCSVMeasurements(f *testing.F) {
	f.Add([]byte(mHeader + "2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-98,,,,,\n"))
	f.Add([]byte("ts;carrier;tech;lon;lat\n\"1\";x;4G;1;2\n"))
	f.Add([]byte("\ufeff\"a\"\"b\",c\n\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		rec, err := NewCSV(bytes.NewReader(data), CSVOptions{})
		if err != nil {
			return
		}
		var accepted, rejected int64
		rep, err := ReadMeasurements(context.Background(), rec, nil, Defaults("fuzz", testNow),
			func(b *engine.MeasurementBatch) error { accepted += int64(b.Len()); return nil },
			func(Reject) error { rejected++; return nil })
		if err != nil {
			return // missing columns or an unreadable stream: a clean error
		}
		if rep.RowsRead != accepted+rejected || rep.Accepted != accepted || rep.Rejected != rejected {
			t.Fatalf("counts: %+v accepted %d rejected %d", rep, accepted, rejected)
		}
	})
}

func FuzzParseMapping(f *testing.F) {
	f.Add([]byte(`{"kind":"measurements","columns":{"RSRP":"signal_dbm"},"units":{"dl_mbps":"kbps"},"constants":{"carrier":"viettel"}}`))
	f.Add([]byte(`{"units":{"ts":"layout:2006"}}`))
	f.Add([]byte(`{"tech_values":{"x":"LTE"},"timezone":"UTC"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMapping(data)
		if err != nil {
			return
		}
		// A mapping that parses must survive a JSON round trip and bind to
		// its own contract columns without panicking.
		m2, err := ParseMapping(m.JSON())
		if err != nil {
			t.Fatalf("round trip: %v", err)
		}
		kind := m2.Kind
		if kind == "" {
			kind = KindMeasurements
		}
		_, _, _ = bind(kind, kind.Columns(), m2)
	})
}

// A power in mW reads as the same dBm as the reading given in dBm: the
// conversion's float noise (−85.49999999999999 for −85.5) moved the
// whole-dB percentiles of a key by 1 dB against the same readings in dBm.
func TestSignalInMilliwatts(t *testing.T) {
	m, err := ParseMapping([]byte(`{"units": {"signal_dbm": "mw"}}`))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("ts,carrier,tech,lon,lat,signal_dbm\n")
	want := []float64{-85.5, -100.1, -60.25, -119.95, -72}
	for _, dbm := range want {
		fmt.Fprintf(&b, "2024-10-05T10:00:00+07:00,viettel,4G,103.1,22.3,%s\n", strconv.FormatFloat(math.Pow(10, dbm/10), 'g', -1, 64))
	}
	rows, rejects, _ := readM(t, b.String(), m, nil)
	if len(rejects) != 0 || len(rows) != len(want) {
		t.Fatalf("%d rows, rejects %v", len(rows), rejects)
	}
	for i, r := range rows {
		if r.SignalDBm != want[i] {
			t.Errorf("%v mW: %v dBm, want %v", math.Pow(10, want[i]/10), r.SignalDBm, want[i])
		}
	}
}

// fixed_median_dl_mbps: a reported median speed above 0 (empty: not
// reported, NaN); 0 or a negative value is out_of_range with its reason.
func TestSubscriptionFixedSpeed(t *testing.T) {
	in := "area_code,period,households,fixed_median_dl_mbps\n" +
		"12,2024-10,100,85.5\n12,2024-09,100,\n12,2024-08,100,0\n12,2024-07,100,-3\n12,2024-06,100,\"1e6\"\n12,2024-05,100,1e-320\n"
	rec, err := NewCSV(strings.NewReader(in), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var rows []engine.Subscription
	var rejects []Reject
	if _, err := ReadSubscriptions(context.Background(), rec, nil, Defaults("s.csv", testNow),
		func(b []engine.Subscription) error { rows = append(rows, b...); return nil },
		func(r Reject) error { rejects = append(rejects, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].FixedMedianDLMbps != 85.5 || !math.IsNaN(rows[1].FixedMedianDLMbps) {
		t.Fatalf("rows %+v", rows)
	}
	if len(rejects) != 4 {
		t.Fatalf("rejects %+v", rejects)
	}
	for _, r := range rejects {
		if r.Column != "fixed_median_dl_mbps" || r.Reason != ReasonOutOfRange {
			t.Errorf("reject %+v", r)
		}
	}
}

// A register names each key once per file: a village id or an area and
// month given twice is a duplicate (the first row kept). Both rows were
// kept: the village's households counted twice, and two rows of one area
// and month made every scorecard of the month fail.
func TestRegisterKeysOncePerFile(t *testing.T) {
	read := func(kind Kind, in string) (int, []Reject) {
		rec, err := NewCSV(strings.NewReader(in), CSVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var rejects []Reject
		onReject := func(r Reject) error { rejects = append(rejects, r); return nil }
		var rep *Report
		switch kind {
		case KindVillages:
			rep, err = ReadVillages(context.Background(), rec, nil, Defaults("v.csv", testNow), func([]engine.Village) error { return nil }, onReject)
		default:
			rep, err = ReadSubscriptions(context.Background(), rec, nil, Defaults("s.csv", testNow), func([]engine.Subscription) error { return nil }, onReject)
		}
		if err != nil {
			t.Fatal(err)
		}
		return int(rep.Accepted), rejects
	}
	n, rj := read(KindVillages, "village_id,lon,lat,households\nV1,103.1,22.3,302\nV2,103.2,22.3,10\nV1,103.15,22.31,999\n")
	if n != 2 || len(rj) != 1 || rj[0].Reason != ReasonDuplicate || rj[0].Column != "village_id" || rj[0].Line != 4 {
		t.Fatalf("villages: %d accepted, rejects %+v", n, rj)
	}
	n, rj = read(KindSubscriptions, "area_code,period,households\n12,2024-10,100\n12,2024-09,100\n12,2024-10,120\n14,2024-10,50\n")
	if n != 3 || len(rj) != 1 || rj[0].Reason != ReasonDuplicate || rj[0].Line != 4 {
		t.Fatalf("subscriptions: %d accepted, rejects %+v", n, rj)
	}
}

// A carrier lomsong does not know by name is kept under its slug and
// counted in the report, so a spelling of a known operator that would
// split its data is seen at validation.
func TestReportOtherCarriers(t *testing.T) {
	in := "ts,carrier,tech,lon,lat,signal_dbm,service,source,device_class,environment\n" +
		"2024-10-01T08:00:00+07:00,Viettel Services,4G,103.2,22.3,-90,ok,crowd,smartphone,outdoor\n" +
		"2024-10-01T08:01:00+07:00,Viettel,4G,103.2,22.3,-91,ok,crowd,smartphone,outdoor\n" +
		"2024-10-01T08:02:00+07:00,Viettel Services,4G,103.2,22.3,-92,ok,crowd,smartphone,outdoor\n" +
		"2024-10-01T08:03:00+07:00,Viettel Services,9G,103.2,22.3,-92,ok,crowd,smartphone,outdoor\n"
	rec, err := NewCSV(strings.NewReader(in), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ReadMeasurements(context.Background(), rec, nil, Defaults("m.csv", testNow), func(*engine.MeasurementBatch) error { return nil },
		func(Reject) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	// The rejected row (9G) is not counted.
	if want := map[engine.Carrier]int64{"viettel-services": 2}; !maps.Equal(rep.OtherCarriers, want) || !maps.Equal(rep.Counts().OtherCarriers, want) {
		t.Errorf("other carriers %v, counts %v; want %v", rep.OtherCarriers, rep.Counts().OtherCarriers, want)
	}
}

// Beyond maxUnmappedPerColumn carriers the report counts the rest
// together: every accepted row of an unknown carrier is in the report.
func TestReportOtherCarriersRest(t *testing.T) {
	var b strings.Builder
	b.WriteString("ts,carrier,tech,lon,lat,signal_dbm,service,source,device_class,environment\n")
	const carriers = maxUnmappedPerColumn + 7
	for i := range carriers {
		fmt.Fprintf(&b, "2024-10-01T08:00:00+07:00,Op%03d,4G,103.2,22.3,-90,ok,crowd,smartphone,outdoor\n", i)
	}
	_, _, rep := readM(t, b.String(), nil, nil)
	var rows int64
	for _, n := range rep.OtherCarriers {
		rows += n
	}
	if rows != carriers || rep.OtherCarriers[OtherCarriersRest] != 7 || len(rep.OtherCarriers) != maxUnmappedPerColumn+1 {
		t.Errorf("other carriers count %d rows in %d keys, %d under %q; want %d rows, %d keys, 7 together",
			rows, len(rep.OtherCarriers), rep.OtherCarriers[OtherCarriersRest], OtherCarriersRest, carriers, maxUnmappedPerColumn+1)
	}
}

// Periods are calendar months in Vietnam time: at 01:00 on 1 July there
// (18:00 UTC on 30 June) a subscriptions row of July is this month's, not
// the future's; and a test at 00:30 on 1 January 2000 there is not before
// 2000-01-01.
func TestMonthEdgesInVietnamTime(t *testing.T) {
	now := time.Date(2025, 6, 30, 18, 0, 0, 0, time.UTC)
	rec, err := NewCSV(strings.NewReader("area_code,period,households\n12,2025-07,100\n12,2025-08,100\n"), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var rejects []Reject
	rep, err := ReadSubscriptions(context.Background(), rec, nil, Defaults("s.csv", now), func([]engine.Subscription) error { return nil },
		func(r Reject) error { rejects = append(rejects, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accepted != 1 || len(rejects) != 1 || rejects[0].Value != "2025-08" || rejects[0].Reason != ReasonFutureTime {
		t.Errorf("accepted %d, rejects %+v; want July accepted, August in the future", rep.Accepted, rejects)
	}
	in := "ts,carrier,tech,lon,lat,signal_dbm,service,source,device_class,environment\n" +
		"2000-01-01T00:30:00+07:00,viettel,4G,103.2,22.3,-90,ok,crowd,smartphone,outdoor\n" +
		"1999-12-31T23:30:00+07:00,viettel,4G,103.2,22.3,-90,ok,crowd,smartphone,outdoor\n"
	if rec, err = NewCSV(strings.NewReader(in), CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	rejects = nil
	if rep, err = ReadMeasurements(context.Background(), rec, nil, Defaults("m.csv", testNow), func(*engine.MeasurementBatch) error { return nil },
		func(r Reject) error { rejects = append(rejects, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if rep.Accepted != 1 || len(rejects) != 1 || rejects[0].Line != 3 {
		t.Errorf("accepted %d, rejects %+v; want the 1 January 2000 test accepted, the 31 December 1999 one not", rep.Accepted, rejects)
	}
}

// A proposed 2G site is refused: it clears no 3G/4G dead zone; so is an
// id of the plan's own generated candidates.
func TestCandidate2GRefused(t *testing.T) {
	rec, err := NewCSV(strings.NewReader("candidate_id,lon,lat,tech\nA,103.3,22.4,2G\nB,103.3,22.4,4G\nDZ-8840-1,103.3,22.4,\n"), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var rows []Candidate
	var rejects []Reject
	if _, err := ReadCandidates(context.Background(), rec, nil, Defaults("c.csv", testNow),
		func(cs []Candidate) error { rows = append(rows, cs...); return nil }, func(r Reject) error { rejects = append(rejects, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].ID != "B" || len(rejects) != 2 || rejects[0].Column != "tech" || rejects[1].Reason != ReasonDuplicate {
		t.Fatalf("rows %+v rejects %+v", rows, rejects)
	}
}

func TestRejectNamesContractColumnOnce(t *testing.T) {
	_, rejects, _ := readM(t, "ts,carrier,tech,LON,lat,signal_dbm\n"+
		"2026-10-01T08:00:00Z,viettel,4G,east,21.03,-98\n", nil, nil)
	if len(rejects) != 1 || rejects[0].Column != "lon" {
		t.Fatalf("%+v", rejects)
	}
}

// TestExcelSepLineAndClassicMacLineEnds: Excel's "sep=;" first line names
// the delimiter and is not the header (the header is line 2, the first
// row line 3); a file whose lines end in CR alone is refused saying so,
// not read as one header line.
func TestExcelSepLineAndClassicMacLineEnds(t *testing.T) {
	for _, sep := range []string{"sep=;\n", "SEP=;\r\n", "\"sep=;\"\n"} {
		rec, err := NewCSV(strings.NewReader(sep+"ts;carrier;tech;lon;lat;signal_dbm\n2026-10-01T08:00:00Z;viettel;4G;105.85;21.03;-98\n"), CSVOptions{})
		if err != nil {
			t.Fatalf("%q: %v", sep, err)
		}
		if h := rec.Header(); len(h) != 6 || h[0] != "ts" || !rec.Next() || rec.Line() != 3 || rec.Record()[5] != "-98" {
			t.Fatalf("%q: header %v, line %d, record %v", sep, h, rec.Line(), rec.Record())
		}
	}
	_, err := NewCSV(strings.NewReader("ts,carrier,tech,lon,lat,signal_dbm\r2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-98\r"), CSVOptions{})
	if !errors.Is(err, engine.ErrUnsupportedFormat) || !strings.Contains(err.Error(), "CR alone") {
		t.Fatalf("CR line ends: %v", err)
	}
	// One header line ending in CR alone, no rows: not taken for CR line ends.
	if _, err := NewCSV(strings.NewReader("ts,carrier\r"), CSVOptions{}); err != nil {
		t.Fatalf("a header ending in CR: %v", err)
	}
}

// TestVillageIDsInEitherNormalForm: a village id written precomposed
// (NFC) and then with combining marks (NFD) is one id: the second row is a
// duplicate; ids and names are kept in NFC.
func TestVillageIDsInEitherNormalForm(t *testing.T) {
	nfcID, nfdID := "B\u1ea3n-N\u00e0-01", "Ba\u0309n-Na\u0300-01"
	rec, err := NewCSV(strings.NewReader("village_id,name,commune_code,lon,lat,households\n"+
		nfcID+",B\u1ea3n N\u00e0,,103.3,22.4,10\n"+nfdID+",Ba\u0309n Na\u0300,,103.31,22.41,12\n"+
		"V3,Ba\u0309n Ba,,103.32,22.42,5\n"), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []engine.Village
	var rejects []Reject
	rep, err := ReadVillages(context.Background(), rec, nil, Defaults("v.csv", testNow),
		func(b []engine.Village) error { got = append(got, b...); return nil },
		func(r Reject) error { rejects = append(rejects, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accepted != 2 || len(rejects) != 1 || rejects[0].Reason != ReasonDuplicate || rejects[0].Line != 3 {
		t.Fatalf("accepted %d, rejects %+v", rep.Accepted, rejects)
	}
	if got[0].ID != nfcID || got[1].Name != "B\u1ea3n Ba" {
		t.Fatalf("not NFC: %q %q", got[0].ID, got[1].Name)
	}
}

// TestSubscriptionCountsGroupedByPoints: households and subscribers are
// whole counts: 105.421 (105,421 written the Vietnamese way) is refused
// with the hint to write the digits without grouping, and 1.054.210 as a
// thousands separator, not as "not a finite number"; 105421 is read.
func TestSubscriptionCountsGroupedByPoints(t *testing.T) {
	rec, err := NewCSV(strings.NewReader("area_code,period,households,mobile_subscribers\n"+
		"12,2024-10,105.421,\n12,2024-09,105421,1.054.210\n12,2024-08,105421,516264\n12,2024-07,100.5,\n"), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var rejects []Reject
	rep, err := ReadSubscriptions(context.Background(), rec, nil, Defaults("s.csv", testNow), func([]engine.Subscription) error { return nil },
		func(r Reject) error { rejects = append(rejects, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accepted != 1 || len(rejects) != 3 {
		t.Fatalf("accepted %d, rejects %+v", rep.Accepted, rejects)
	}
	for i, want := range []string{"a point grouping thousands? write the digits without grouping (105421)",
		"thousands separators are not accepted (points grouping thousands)", "a count must be a whole number"} {
		if rejects[i].Reason != ReasonInvalidNumber || !strings.Contains(rejects[i].Detail, want) {
			t.Errorf("line %d: %+v, want %q", rejects[i].Line, rejects[i], want)
		}
	}
	if strings.Contains(rejects[2].Detail, "grouping") {
		t.Errorf("100.5 is no grouping: %q", rejects[2].Detail)
	}
}

// TestSiteHeightsOutsideModel: a register height the propagation models
// do not take (a 6 m pole, a 450 m tower) is kept and counted; 0 (not
// given), an empty height and 30 m are not.
func TestSiteHeightsOutsideModel(t *testing.T) {
	in := "site_id,carrier,tech,lon,lat,height_m\n" +
		"A,Viettel,4G,105.85,21.03,6\nB,Viettel,4G,105.85,21.03,450\nC,Viettel,4G,105.85,21.03,0\n" +
		"D,Viettel,4G,105.85,21.03,\nE,Viettel,4G,105.85,21.03,30\nF,Viettel,4G,105.85,21.03,10\n"
	rec, _ := NewCSV(strings.NewReader(in), CSVOptions{})
	rep, err := ReadSites(context.Background(), rec, nil, Defaults("sites.csv", testNow),
		func([]engine.Site) error { return nil }, func(Reject) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accepted != 6 || rep.HeightsOutsideModel != 2 || rep.Counts().HeightsOutsideModel != 2 {
		t.Fatalf("accepted %d, outside the models %d", rep.Accepted, rep.HeightsOutsideModel)
	}
	// An EIRP above any cell site's: kept, counted; 60 dBm is not.
	rec, _ = NewCSV(strings.NewReader("site_id,carrier,tech,lon,lat,eirp_dbm\nA,Viettel,4G,105.85,21.03,100\nB,Viettel,4G,105.85,21.03,60\nC,Viettel,4G,105.85,21.03,\n"), CSVOptions{})
	if rep, err = ReadSites(context.Background(), rec, nil, Defaults("sites.csv", testNow),
		func([]engine.Site) error { return nil }, func(Reject) error { return nil }); err != nil || rep.Accepted != 3 || rep.EIRPImplausible != 1 {
		t.Fatalf("EIRP: %v %+v", err, rep)
	}
}

// TestSiteIDsApart: one carrier's site_id at positions 10 km apart (a
// mistyped id) is kept and counted once with an example; rows of one id
// 100 m apart, and one id of two carriers far apart, are not.
func TestSiteIDsApart(t *testing.T) {
	in := "site_id,carrier,tech,lon,lat\n" +
		"A,Viettel,3G,105.85,21.03\nA,Viettel,4G,105.85,21.0309\n" + // 100 m: one mast
		"B,Viettel,3G,105.85,21.10\nB,Viettel,4G,105.85,21.01\nB,Viettel,2G,105.85,21.02\n" + // 10 km: counted once
		"C,Viettel,3G,105.85,21.03\nC,MobiFone,3G,105.95,21.03\n"
	rec, _ := NewCSV(strings.NewReader(in), CSVOptions{})
	rep, err := ReadSites(context.Background(), rec, nil, Defaults("sites.csv", testNow),
		func([]engine.Site) error { return nil }, func(Reject) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Counts()
	if rep.Accepted != 7 || c.SiteIDsApart != 1 || len(c.SiteIDsApartExamples) != 1 ||
		c.SiteIDsApartExamples[0] != `site_id "B" of carrier viettel at positions 10.0 km apart` {
		t.Fatalf("accepted %d, apart %d %q", rep.Accepted, c.SiteIDsApart, c.SiteIDsApartExamples)
	}
}

// TestSiteBandsOutsideModel: a band the contract takes but the models do
// not (5G at 450 MHz, 4G at 40 GHz) is kept and counted; 2G at 400 MHz
// (Okumura–Hata) and 5G at 3500 MHz are not.
func TestSiteBandsOutsideModel(t *testing.T) {
	in := "site_id,carrier,tech,lon,lat,band_mhz\n" +
		"A,Viettel,5G,105.85,21.03,450\nB,Viettel,4G,105.85,21.03,40000\nC,Viettel,2G,105.85,21.03,400\n" +
		"D,Viettel,5G,105.85,21.03,3500\nE,Viettel,4G,105.85,21.03,\n"
	rec, _ := NewCSV(strings.NewReader(in), CSVOptions{})
	rep, err := ReadSites(context.Background(), rec, nil, Defaults("sites.csv", testNow),
		func([]engine.Site) error { return nil }, func(Reject) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accepted != 5 || rep.BandsOutsideModel != 2 || rep.Counts().BandsOutsideModel != 2 {
		t.Fatalf("accepted %d, outside the models %d", rep.Accepted, rep.BandsOutsideModel)
	}
}
