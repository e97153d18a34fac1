package ingest

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones of the tests, wherever they run

	"github.com/lomsong/lomsong/engine"
)

func mustMapping(t *testing.T, js string) *Mapping {
	t.Helper()
	m, err := ParseMapping([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestValueMaps(t *testing.T) {
	m := mustMapping(t, `{
		"values": {
			"environment": {"Walking": "outdoor", "Driving": "vehicle", "Đi bộ": "outdoor", "Trong nhà": "indoor"},
			"service": {"Mất sóng": "none"},
			"device_class": {"Mobile": "smartphone"},
			"source": {"G-NetTrack": "drive"},
			"carrier": {"VNMB": "Vietnamobile"},
			"tech": {"LTE CA": "4G"}
		}
	}`)
	head := "ts,carrier,tech,lon,lat,signal_dbm,service,environment,device_class,source\n"
	rows, rejects, rep := readM(t, head+
		"2026-10-01T08:00:00Z,vnmb,lte ca,105.85,21.03,-98,,WALKING,mobile,g-nettrack\n"+
		"2026-10-01T08:00:01Z,viettel,4G,105.85,21.03,-98,,driving,,\n"+
		"2026-10-01T08:00:02Z,viettel,4G,105.85,21.03,-98,,DI BO,,\n"+
		"2026-10-01T08:00:03Z,viettel,4G,105.85,21.03,-98,,trong nha,,\n"+
		"2026-10-01T08:00:04Z,viettel,4G,105.85,21.03,,MẤT SÓNG,outdoor,,\n"+
		"2026-10-01T08:00:05Z,viettel,4G,105.85,21.03,-98,,Running,,\n"+
		"2026-10-01T08:00:06Z,viettel,4G,105.85,21.03,-97,,Running,,\n"+
		"2026-10-01T08:00:07Z,viettel,4G,105.85,21.03,-96,,Cycling,,\n", m, nil)
	if len(rows) != 5 {
		t.Fatalf("accepted %d, rejects %+v", len(rows), rejects)
	}
	r := rows[0]
	if r.Carrier != engine.Vietnamobile || r.Tech != engine.Tech4G || r.Environment != engine.EnvOutdoor ||
		r.DeviceClass != engine.DeviceSmartphone || r.Source != engine.SourceDrive {
		t.Fatalf("row 0: %+v", r)
	}
	want := []engine.Environment{engine.EnvOutdoor, engine.EnvVehicle, engine.EnvOutdoor, engine.EnvIndoor, engine.EnvOutdoor}
	for i, w := range want {
		if rows[i].Environment != w {
			t.Errorf("row %d: environment %v, want %v", i, rows[i].Environment, w)
		}
	}
	if rows[4].Service != engine.ServiceNone {
		t.Errorf("row 4: service %v, want none", rows[4].Service)
	}
	if len(rejects) != 3 || rejects[0].Reason != ReasonInvalidEnum || rejects[0].Column != "environment" || rejects[0].Line != 7 {
		t.Fatalf("rejects %+v", rejects)
	}
	got := rep.UnmappedValues("environment")
	if len(got) != 2 || got[0] != (UnmappedValue{"Running", 2}) || got[1] != (UnmappedValue{"Cycling", 1}) {
		t.Fatalf("unmapped %+v", got)
	}
	sum := rep.UnmappedSummary()
	if len(sum) != 1 || sum[0] != `environment: "Running" (2 rows), "Cycling" (1 row)` {
		t.Fatalf("summary %q", sum)
	}
}

func TestValueMapErrors(t *testing.T) {
	for name, js := range map[string]string{
		"not an enum column":  `{"values": {"lon": {"a": "b"}}}`,
		"unknown column":      `{"values": {"mood": {"a": "b"}}}`,
		"bad target":          `{"values": {"environment": {"Walking": "strolling"}}}`,
		"empty target":        `{"values": {"carrier": {"x": ""}}}`,
		"site column in meas": `{"values": {"backhaul": {"fo": "fiber"}}}`,
		"folded clash":        `{"values": {"environment": {"Đi bộ": "outdoor", "di bo": "indoor"}}}`,
		"bad decimal":         `{"decimal": ";"}`,
		"bad speed rule":      `{"speed_rule": "sometimes"}`,
		"layout without date": `{"units": {"ts": "layout:15:04:05"}}`,
		"bad offset":          `{"timezone": "UTC+19"}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseMapping([]byte(js)); err == nil {
				t.Fatalf("want an error for %s", js)
			}
		})
	}
	if _, err := ParseMapping([]byte(`{"kind": "sites", "values": {"backhaul": {"Cáp quang": "fiber"}}}`)); err != nil {
		t.Fatal(err)
	}
}

func TestTimesWithoutOffset(t *testing.T) {
	head := "ts,carrier,tech,lon,lat,signal_dbm\n"
	body := "2024-12-03 11:30:19,viettel,4G,105.85,21.03,-90\n2024-12-03T11:30:20+07:00,viettel,4G,105.85,21.03,-90\n"
	vn := time.Date(2024, 12, 3, 4, 30, 19, 0, time.UTC).UnixMilli()
	for _, c := range []struct {
		name    string
		mapping string
		want    int64
		zone    string
	}{
		{"default Vietnam time", `{}`, vn, DefaultZoneName},
		{"IANA name", `{"timezone": "Asia/Ho_Chi_Minh"}`, vn, "Asia/Ho_Chi_Minh (UTC+7)"},
		{"fixed offset", `{"timezone": "UTC+7"}`, vn, "UTC+7"},
		{"UTC", `{"timezone": "UTC"}`, vn + 7*3600*1000, "UTC"},
		{"negative offset", `{"timezone": "-03:00"}`, vn + 10*3600*1000, "-03:00 (UTC−3)"},
		{"offset with minutes", `{"timezone": "+05:30"}`, vn + 90*60*1000, "+05:30 (UTC+5:30)"},
		{"GMT offset", `{"timezone": "GMT+7"}`, vn, "GMT+7 (UTC+7)"},
		// The IANA Etc/GMT names carry the POSIX sign: Etc/GMT+7 is seven
		// hours behind UTC, and the label says so.
		{"Etc/GMT+7", `{"timezone": "Etc/GMT+7"}`, vn + 14*3600*1000,
			"Etc/GMT+7 (UTC−7; an Etc/GMT name has the sign inverted: Etc/GMT+7 is 7 hours behind UTC; for UTC+7 write UTC+7 or Etc/GMT-7)"},
		{"Etc/GMT-7", `{"timezone": "Etc/GMT-7"}`, vn,
			"Etc/GMT-7 (UTC+7; an Etc/GMT name has the sign inverted: Etc/GMT-7 is 7 hours ahead of UTC)"},
		{"Etc/UTC", `{"timezone": "Etc/UTC"}`, vn + 7*3600*1000, "Etc/UTC (UTC)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rows, _, rep := readM(t, head+body, mustMapping(t, c.mapping), nil)
			if len(rows) != 2 || rows[0].TimeUnixMs != c.want || rows[1].TimeUnixMs != vn+1000 {
				t.Fatalf("%+v", rows)
			}
			if rep.NaiveTimes != 1 || rep.Zone != c.zone {
				t.Fatalf("naive %d zone %q", rep.NaiveTimes, rep.Zone)
			}
		})
	}
	// A zone whose offset changes within the data's period lists each
	// offset the times were read with.
	paris := "2024-03-30 12:00:00,viettel,4G,105.85,21.03,-90\n2024-04-02 12:00:00,viettel,4G,105.85,21.03,-90\n"
	if _, _, rep := readM(t, head+paris, mustMapping(t, `{"timezone": "Europe/Paris"}`), nil); rep.NaiveTimes != 2 || rep.Zone != "Europe/Paris (UTC+1, UTC+2)" {
		t.Errorf("across a change of offset: naive %d zone %q", rep.NaiveTimes, rep.Zone)
	}
	if _, _, rep := readM(t, head+paris[:len(paris)/2], mustMapping(t, `{"timezone": "Europe/Paris"}`), nil); rep.Zone != "Europe/Paris (UTC+1)" {
		t.Errorf("in winter: zone %q", rep.Zone)
	}
	for _, c := range []struct {
		layout, value string
		naive         bool
	}{
		{"2006.01.02_15.04.05", "2024.12.03_11.30.19", true},
		{"02/01/2006 15:04:05", "03/12/2024 11:30:19", true},
		{"02/01/2006 15:04:05 -07:00", "03/12/2024 11:30:19 +07:00", false},
	} {
		m := mustMapping(t, `{"units": {"ts": "layout:`+c.layout+`"}}`)
		rows, rejects, rep := readM(t, head+c.value+",viettel,4G,105.85,21.03,-90\n", m, nil)
		if len(rows) != 1 || rows[0].TimeUnixMs != vn {
			t.Fatalf("%s: %+v %+v", c.layout, rows, rejects)
		}
		if (rep.NaiveTimes == 1) != c.naive {
			t.Errorf("%s: naive times %d", c.layout, rep.NaiveTimes)
		}
	}
}

func TestDecimalComma(t *testing.T) {
	head := "Thoi gian;Kinh do;Vi do;Nha mang;Cong nghe;RSRP (dBm);DL\n"
	m := mustMapping(t, `{"columns": {"Thoi gian": "ts", "Kinh do": "lon", "Vi do": "lat", "Nha mang": "carrier",
		"Cong nghe": "tech", "RSRP (dBm)": "signal_dbm", "DL": "dl_mbps"},
		"units": {"ts": "layout:02/01/2006 15:04:05"}, "decimal": ","}`)
	rows, rejects, _ := readM(t, head+
		"03/12/2024 11:30:19;105,8512;21,0301;Viettel;4G;-98,5;12,25\n"+
		"03/12/2024 11:30:20;105,8512;21,0301;Viettel;4G;-98;1.234,5\n"+
		"03/12/2024 11:30:21;105.8512;21,0301;Viettel;4G;-98;\n"+
		"03/12/2024 11:30:22;105,8512;21,0301;Viettel;4G;-98;1 234\n", m, nil)
	if len(rows) != 1 || rows[0].Lon != 105.8512 || rows[0].Lat != 21.0301 || rows[0].SignalDBm != -98.5 || rows[0].DLMbps != 12.25 {
		t.Fatalf("rows %+v rejects %+v", rows, rejects)
	}
	if len(rejects) != 3 {
		t.Fatalf("rejects %+v", rejects)
	}
	for _, r := range rejects {
		if r.Reason != ReasonInvalidNumber || !strings.Contains(r.Detail, "thousands separator") {
			t.Errorf("reject %+v", r)
		}
	}
	// Without "decimal": "," a decimal comma is refused with the fix named.
	_, rejects, _ = readM(t, "ts;carrier;tech;lon;lat;signal_dbm\n2026-10-01T08:00:00Z;viettel;4G;105,85;21.03;-90\n"+
		"2026-10-01T08:00:00Z;viettel;4G;105.85;21.03;-1,234.5\n", nil, nil)
	if len(rejects) != 2 || !strings.Contains(rejects[0].Detail, `"decimal": ","`) || !strings.Contains(rejects[1].Detail, "thousands separators") {
		t.Fatalf("%+v", rejects)
	}
	// Strict decimals stay strict with a decimal comma.
	for _, v := range []string{"0x1p-2", "1_05,8", "Inf", "NaN", "1,2,3", ","} {
		if _, bad := parseNumber(v, true); bad == "" {
			t.Errorf("%q accepted with a decimal comma", v)
		}
	}
}

func TestIdleSpeeds(t *testing.T) {
	head := "ts,carrier,tech,lon,lat,signal_dbm,dl_mbps,ul_mbps,speed_test\n"
	body := "2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-90,0,0,\n" +
		"2026-10-01T08:00:01Z,viettel,4G,105.85,21.03,-90,25,3,\n" +
		"2026-10-01T08:00:02Z,viettel,4G,105.85,21.03,-90,0,0.2,\n" +
		"2026-10-01T08:00:03Z,viettel,4G,105.85,21.03,-90,30,2,Idle\n" +
		"2026-10-01T08:00:04Z,viettel,4G,105.85,21.03,-90,,,\n"
	for _, c := range []struct {
		name string
		m    string
		want []engine.SpeedKind
	}{
		{"column only", `{}`, []engine.SpeedKind{0, 0, 0, engine.SpeedIdle, 0}},
		{"positive rule", `{"speed_rule": "positive"}`, []engine.SpeedKind{engine.SpeedIdle, 0, 0, engine.SpeedIdle, 0}},
		{"mapped marker", `{"speed_rule": "positive", "values": {"speed_test": {"Idle": "yes"}}}`, []engine.SpeedKind{engine.SpeedIdle, 0, 0, 0, 0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rows, rejects, rep := readM(t, head+body, mustMapping(t, c.m), nil)
			if len(rows) != 5 {
				t.Fatalf("%+v", rejects)
			}
			idle := int64(0)
			for i, w := range c.want {
				if rows[i].Speed != w {
					t.Errorf("row %d: %v, want %v", i, rows[i].Speed, w)
				}
				if w == engine.SpeedIdle {
					idle++
					if rows[i].DLMbps != []float64{0, 25, 0, 30, 0}[i] {
						t.Errorf("row %d: idle speed not kept: %v", i, rows[i].DLMbps)
					}
				}
			}
			if rep.IdleSpeeds != idle {
				t.Errorf("report counts %d idle rows, want %d", rep.IdleSpeeds, idle)
			}
		})
	}
	_, rejects, _ := readM(t, head+"2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-90,1,1,maybe\n", nil, nil)
	if len(rejects) != 1 || rejects[0].Column != "speed_test" || rejects[0].Reason != ReasonInvalidEnum {
		t.Fatalf("%+v", rejects)
	}
}

func TestServingCell(t *testing.T) {
	head := "ts,carrier,tech,lon,lat,signal_dbm,cell_id,node_id,pci,arfcn,band\n"
	rows, rejects, _ := readM(t, head+
		"2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-90,12345678,48225,301,1650,B3\n"+
		"2026-10-01T08:00:01Z,viettel,4G,105.85,21.03,-90,,,,,\n"+
		"2026-10-01T08:00:02Z,viettel,5G,105.85,21.03,-90,,,1008,,\n"+
		"2026-10-01T08:00:03Z,viettel,4G,105.85,21.03,-90,,,301.5,,\n"+
		"2026-10-01T08:00:04Z,viettel,4G,105.85,21.03,-90,,,,-1,\n", nil, nil)
	if len(rows) != 2 || len(rejects) != 3 {
		t.Fatalf("rows %+v rejects %+v", rows, rejects)
	}
	if s := rows[0].Serving; s == nil || *s != (engine.ServingCell{CellID: "12345678", NodeID: "48225", PCI: 301, ARFCN: 1650, Band: "B3"}) {
		t.Fatalf("serving %+v", s)
	}
	if rows[1].Serving != nil {
		t.Fatalf("empty serving-cell fields gave %+v", rows[1].Serving)
	}
	for i, want := range []struct {
		col    string
		reason Reason
	}{{"pci", ReasonOutOfRange}, {"pci", ReasonInvalidNumber}, {"arfcn", ReasonOutOfRange}} {
		if rejects[i].Column != want.col || rejects[i].Reason != want.reason {
			t.Errorf("reject %d: %+v, want %s %s", i, rejects[i], want.col, want.reason)
		}
	}
}

// A layout's zone abbreviation (MST) is read at its fixed offset when it
// has one (UTC, ICT, +07, GMT+7…), at the --timezone's when that zone
// names it, and refused otherwise: Go alone reads an abbreviation it does
// not know as UTC, which put "23:30 ICT" on 31 October into November.
func TestParseTimeZoneAbbreviation(t *testing.T) {
	const layout = "layout:2006-01-02 15:04:05 MST"
	want := time.Date(2024, 10, 31, 16, 30, 0, 0, time.UTC).UnixMilli() // 23:30 in Vietnam
	for _, s := range []string{"2024-10-31 23:30:00 ICT", "2024-10-31 23:30:00 +07", "2024-10-31 23:30:00 GMT+7",
		"2024-10-31 16:30:00 UTC", "2024-10-31 16:30:00 GMT", "2024-10-31 13:30:00 -03"} {
		ms, naive, err := parseTime(s, layout, vietnamZone)
		if err != nil || naive || ms != want {
			t.Errorf("%q: %v (%d ms from the want), naive %v, %v", s, time.UnixMilli(ms).UTC(), ms-want, naive, err)
		}
	}
	for _, s := range []string{"2024-10-31 23:30:00 EST", "2024-10-31 23:30:00 XYZ", "2024-10-31 23:30:00 +25"} {
		if _, _, err := parseTime(s, layout, vietnamZone); err == nil {
			t.Errorf("%q: accepted", s)
		}
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	ms, _, err := parseTime("2024-10-31 11:30:00 EDT", layout, ny)
	if err != nil || ms != want-1000*3600*1 {
		t.Errorf("EDT with --timezone America/New_York: %v, %v", time.UnixMilli(ms).UTC(), err)
	}
}

// A values key that reads as a contract value's own spelling though
// written otherwise ("4G+" folds to "4G") is refused: it would relabel
// every 4G row (two keys that read alike with different targets are
// refused by ParseMapping).
func TestValuesKeyReadingAsContractValue(t *testing.T) {
	in := "ts,carrier,tech,lon,lat,signal_dbm\n2024-10-01T08:00:00+07:00,viettel,4G,105.85,21.03,-90\n"
	for _, js := range []string{
		`{"values": {"tech": {"4G+": "5G"}}}`,
		`{"values": {"environment": {"In-door": "outdoor"}}}`,
	} {
		if err := readErr(t, in, js); err == nil {
			t.Errorf("%s: accepted", js)
		}
	}
	// The value's own spelling in another case relabels it on purpose.
	rows, _, _ := readM(t, in, mustMapping(t, `{"values": {"tech": {"4g": "5G"}}}`), nil)
	if len(rows) != 1 || rows[0].Tech != engine.Tech5G {
		t.Errorf("rows %+v", rows)
	}
}

// A device_id that is a phone number or an IMEI is not stored: the row is
// kept without it and counted; pseudonyms (numeric ones included) pass.
func TestDeviceIDPersonal(t *testing.T) {
	for id, want := range map[string]string{
		"+84912345678": "a phone number", "0912345678": "a phone number", "84 912 345 678": "a phone number",
		"090-123-4567": "a phone number", "0084912345678": "a phone number", "(+84) 912 345 678": "a phone number",
		"356938035643809": "an IMEI", "IMEI:356938035643809": "an IMEI", "356938035643809/01": "an IMEI",
		"490154203237518":    "an IMEI", // Luhn-valid: any reporting body's prefix
		"35-693803-564380-9": "an IMEI", "IMEI: 490154203237518": "an IMEI",
		"35693803564380":   "an IMEI",                                       // 14 digits: without its check digit
		"3569380356438091": "an IMEI", "IMEISV:3569380356438091": "an IMEI", // an IMEISV
		"356938035643808": "", "000000000000000": "", "00000000000000": "", "0123456789": "", "crowd-VTL-12-0042": "", "a3f9c2": "", "": "", "0012345678": "",
		"1234567890123": "", "12345678901234567": "", "+356938035643809": "",
	} {
		if got := personalID(id); got != want {
			t.Errorf("personalID(%q) = %q, want %q", id, got, want)
		}
	}
	rows, rejects, rep := readM(t, "ts,carrier,tech,lon,lat,signal_dbm,device_id\n"+
		"2024-10-01T08:00:00+07:00,viettel,4G,105.85,21.03,-90,+84912345678\n"+
		"2024-10-01T08:00:00+07:00,viettel,4G,105.85,21.03,-90,d-42\n", nil, nil)
	if len(rows) != 2 || len(rejects) != 0 || rows[0].DeviceID != "" || rows[1].DeviceID != "d-42" || rep.DeviceIDsWithheld != 1 {
		t.Fatalf("rows %+v rejects %+v withheld %d", rows, rejects, rep.DeviceIDsWithheld)
	}
}

// TestQuarantineWithholdsDeviceID: the text a rejected row keeps in the
// quarantine leaves out a device_id that is a phone number or an IMEI,
// as the stored rows do, and says so; the rest of the row is kept for
// correction, and a pseudonym is kept.
func TestQuarantineWithholdsDeviceID(t *testing.T) {
	const row = "2024-10-01T08:00:00+07:00,viettel,4G,105.85,21.03,-90,"
	_, rejects, _ := readM(t, "ts,carrier,tech,lon,lat,signal_dbm,device_id\n"+
		row+"0912345678\n"+
		row+"0912345678\n"+ // duplicate
		row+"IMEI:356938035643809,x\n"+ // a field too many
		row+"490154203237518,\"x\n"+ // broken quote: the line's text
		row+"d-42\n"+
		row+"d-42\n", nil, nil)
	if len(rejects) != 4 {
		t.Fatalf("rejects %+v", rejects)
	}
	for i, want := range []string{row, row + ",x", row + `,"x`, row + "d-42"} {
		r := rejects[i]
		if r.Value != want {
			t.Errorf("reject %d (%s): value %q, want %q", i, r.Reason, r.Value, want)
		}
		if noted := strings.Contains(r.Detail, "device_id withheld"); noted != (i < 3) {
			t.Errorf("reject %d: detail %q", i, r.Detail)
		}
	}
	// In a file without a device_id column, nothing is left out.
	_, rejects, _ = readM(t, "ts,carrier,tech,lon,lat,signal_dbm\n"+
		"2024-10-01T08:00:00+07:00,viettel,4G,105.85,21.03,-90,35693803564380\n", nil, nil)
	if len(rejects) != 1 || !strings.HasSuffix(rejects[0].Value, ",35693803564380") {
		t.Fatalf("rejects %+v", rejects)
	}
}

func TestWithholdText(t *testing.T) {
	for in, want := range map[string]string{
		"a;0912345678;b":              "a;;b",
		"a,IMEI:356938035643809/01,b": "a,,b",
		"a, +84 912 345 678 ,b":       "a,  ,b",
		"1729209601000;-90;22.39":     "1729209601000;-90;22.39",
		"0912345678":                  "",
		"x\t356938035643809":          "x\t",
	} {
		if got, _ := withholdText(in); got != want {
			t.Errorf("withholdText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestParseTimeImpossible: a value in a right layout that names no instant
// (30 February, month 13, hour 25) says so, rather than that the layout is
// wrong; a value in another layout still says the layout does not match.
func TestParseTimeImpossible(t *testing.T) {
	for _, c := range []struct{ s, unit, want string }{
		{"2024-02-30T10:00:00+07:00", "auto", "no such date or time: day out of range"},
		{"2024-02-30 10:00:00", "", "no such date or time: day out of range"},
		{"2024-13-01T10:00:00Z", "auto", "no such date or time: month out of range"},
		{"2024-04-30 25:00:00", "auto", "no such date or time: hour out of range"},
		{"30/02/2024 10:00", "layout:02/01/2006 15:04", `no such date or time: day out of range (layout "02/01/2006 15:04")`},
		{"30.02.2024", "auto", "not RFC 3339"},
		{"2024-02-28", "layout:02/01/2006 15:04", "does not match layout"},
	} {
		_, _, err := parseTime(c.s, c.unit, vietnamZone)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q (%s): %v, want %q", c.s, c.unit, err, c.want)
		}
	}
	if _, _, err := parseTime("2024-02-29 10:00:00", "auto", vietnamZone); err != nil {
		t.Errorf("29 February 2024: %v", err)
	}
	// A wall clock the zone skips (New York sprang forward at 02:00 on
	// 10 March 2024) names no instant; Go's parse moved it to 03:30.
	ny, err := LoadZone("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ s, unit string }{{"2024-03-10 02:30:00", "auto"}, {"10/03/2024 02:30", "layout:02/01/2006 15:04"}} {
		if _, _, err := parseTime(c.s, c.unit, ny); err == nil || !strings.Contains(err.Error(), "daylight-saving gap") {
			t.Errorf("%q in New York: %v, want no such time (a daylight-saving gap)", c.s, err)
		}
	}
	if _, _, err := parseTime("2024-03-10 03:30:00", "auto", ny); err != nil {
		t.Errorf("03:30 after the jump: %v", err)
	}
}

// TestLoadZoneRefusesLocal: the machine's own zone (and an empty name,
// which time.LoadLocation reads as UTC) are not zones of the contract: a
// result must not depend on where it runs.
func TestLoadZoneRefusesLocal(t *testing.T) {
	for _, n := range []string{"Local", " ", ""} {
		if _, err := LoadZone(n); err == nil {
			t.Errorf("LoadZone(%q) accepted", n)
		}
	}
	for _, n := range []string{"UTC+7", "Asia/Bangkok", "UTC", "+07:00"} {
		if _, err := LoadZone(n); err != nil {
			t.Errorf("LoadZone(%q): %v", n, err)
		}
	}
}

// TestUnixUnitHint: a whole-number time read as Unix milliseconds (the
// contract's default) that lands before 2000 or after the ingest time says
// how it was read and, when Unix seconds or microseconds would be
// accepted, which mapping unit reads it so.
func TestUnixUnitHint(t *testing.T) {
	_, rejects, _ := readM(t, "ts,carrier,tech,lon,lat,signal_dbm\n"+
		"1759305600,viettel,4G,105.85,21.03,-98\n"+
		"1759305600000000,viettel,4G,105.85,21.03,-98\n"+
		"12,viettel,4G,105.85,21.03,-98\n", nil, nil)
	if len(rejects) != 3 {
		t.Fatalf("%+v", rejects)
	}
	for i, want := range []string{`read as Unix milliseconds: 1970-01-21T08:41:45Z); if the file's times are Unix seconds, set the mapping's "units": {"ts": "unix_s"}`,
		`if the file's times are Unix microseconds, set the mapping's "units": {"ts": "unix_us"}`,
		`before 2000-01-01 (read as Unix milliseconds: 1970-01-01T00:00:00Z)`} {
		if !strings.Contains(rejects[i].Detail, want) {
			t.Errorf("line %d: %q, want %q", rejects[i].Line, rejects[i].Detail, want)
		}
	}
	if strings.Contains(rejects[2].Detail, "set the mapping") {
		t.Errorf("12 read in no unit is a time: %q", rejects[2].Detail)
	}
}

// TestNoMappingReasons: a table read without a mapping (a command's own
// claims or candidates) is not told to set the mapping's decimal mark.
func TestNoMappingReasons(t *testing.T) {
	_, rejects, _ := readM(t, "ts,carrier,tech,lon,lat,signal_dbm\n2026-10-01T08:00:00Z,viettel,4G,\"105,85\",21.03,-98\n", nil,
		func(c *Config) { c.NoMapping = true })
	if len(rejects) != 1 || strings.Contains(rejects[0].Detail, "mapping\"") || strings.Contains(rejects[0].Detail, "set \"decimal\"") ||
		!strings.Contains(rejects[0].Detail, "read without a mapping, so write numbers with a decimal point") {
		t.Fatalf("%+v", rejects)
	}
}

// TestOutOfRangeDetailExact: a value just past a limit is written as read,
// not rounded onto the limit ("-31.0 dBm outside … -31 dBm" read as if
// inside), and a limit is written without an exponent.
func TestOutOfRangeDetailExact(t *testing.T) {
	_, rejects, _ := readM(t, "ts,carrier,tech,lon,lat,signal_dbm,dl_mbps,arfcn\n"+
		"2024-10-01T10:00:00+07:00,viettel,4G,105.85,21.03,-30.99,,\n"+
		"2024-10-01T10:00:01+07:00,viettel,4G,105.85,21.03,-98,100000.0001,\n"+
		"2024-10-01T10:00:02+07:00,viettel,4G,105.85,21.03,-98,,3279166\n", nil, nil)
	want := []string{"-30.99 dBm outside", "100000.0001 Mbit/s is above", "outside 0…3279165"}
	if len(rejects) != len(want) {
		t.Fatalf("%+v", rejects)
	}
	for i, w := range want {
		if !strings.Contains(rejects[i].Detail, w) {
			t.Errorf("line %d: %q, want %q", rejects[i].Line, rejects[i].Detail, w)
		}
	}
}
