package ingest

import (
	"math"
	"strings"
	"testing"
)

// Exports joined each with its header, the second's columns in another
// order (another tool version, another export profile): the rows after
// its header line were read in the first header's order, so each took
// its neighbour's values wherever both were in range — an RSRQ read as
// SINR, an uplink speed as the downlink's — and the header line alone was
// rejected, as an invalid time. The rows after such a line are read in
// its order now, and the line is said to be the header in another order.
func TestHeaderBlockInAnotherOrder(t *testing.T) {
	const a = "ts,carrier,tech,lon,lat,signal_dbm,rsrq_db,sinr_db,dl_mbps,ul_mbps\n" +
		"2026-10-03T08:00:01+07:00,Viettel,4G,105.85,21.03,-95,-11.3,3.9,14.19,3.1\n"
	const b = "ts,carrier,tech,lat,lon,signal_dbm,sinr_db,rsrq_db,ul_mbps,dl_mbps\n" +
		"2026-10-03T08:00:02+07:00,Viettel,4G,21.04,105.86,-96,4.5,-12.5,2.2,20.5\n"
	rows, rejects, _ := readM(t, a+b+strings.Replace(a, "\n2026-10-03T08:00:01", "\n2026-10-03T08:00:03", 1), nil, nil)
	if len(rows) != 3 || len(rejects) != 2 {
		t.Fatalf("%d rows, rejects %+v; want 3 rows and the two header lines rejected", len(rows), rejects)
	}
	if r := rejects[0]; r.Line != 3 || r.Reason != ReasonDuplicate ||
		!strings.Contains(r.Detail, "the header line again, its columns in another order") ||
		!strings.Contains(r.Detail, `"lon", "lat", "rsrq_db", "sinr_db", "dl_mbps", "ul_mbps"`) {
		t.Errorf("line 3: %+v", r)
	}
	if r := rejects[1]; r.Line != 5 || r.Reason != ReasonDuplicate || !strings.Contains(r.Detail, "a repeat of the header line") {
		t.Errorf("line 5: %+v", r)
	}
	m := rows[1]
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"lon", m.Lon, 105.86}, {"lat", m.Lat, 21.04}, {"rsrq_db", m.RSRQDB, -12.5}, {"sinr_db", m.SINRDB, 4.5},
		{"dl_mbps", m.DLMbps, 20.5}, {"ul_mbps", m.ULMbps, 2.2},
	} {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("line 4 %s: %v; want %v", c.name, c.got, c.want)
		}
	}
	// The third block, in the header's order again, is read in it.
	if m := rows[2]; m.RSRQDB != -11.3 || m.DLMbps != 14.19 || m.Lon != 105.85 {
		t.Errorf("line 6: %+v", m)
	}
}

// A header line repeated in other case, composed otherwise (NFD, as macOS
// writes it) or with a no-break space is the header again, as the
// mapping matches columns: it was rejected as a row whose time is
// invalid.
func TestHeaderRepeatedInOtherSpelling(t *testing.T) {
	const h = "Thời gian,Nhà mạng,Công nghệ,Kinh độ,Vĩ độ,Mức thu (dBm)\n"
	m := &Mapping{Columns: map[string]string{"Thời gian": "ts", "Nhà mạng": "carrier", "Công nghệ": "tech",
		"Kinh độ": "lon", "Vĩ độ": "lat", "Mức thu (dBm)": "signal_dbm"}}
	const row = "2026-10-03 08:00:0%d,Viettel,4G,105.85,21.03,-9%d\n"
	for _, again := range []string{
		"THỜI GIAN,NHÀ MẠNG,CÔNG NGHỆ,KINH ĐỘ,VĨ ĐỘ,MỨC THU (DBM)\n",
		"\ufeffThời gian,Nhà mạng,Công nghệ,Kinh độ,Vĩ độ,Mức thu (dBm)\n",
		"Tho\u0300\u031bi gian,Nha\u0300 ma\u0323ng,Co\u0302ng nghe\u0323\u0302,Kinh \u0111o\u0323\u0302,Vi\u0303 \u0111o\u0323\u0302,Mư\u0301c thu (dBm)\n",
		"Thời\u00a0gian ,Nhà mạng,Công nghệ,Kinh độ,Vĩ độ,\"Mức thu\n(dBm)\"\n",
	} {
		rows, rejects, _ := readM(t, h+strings.Replace(row, "%d", "1", 2)+again+strings.Replace(row, "%d", "2", 2), m, nil)
		if len(rows) != 2 || len(rejects) != 1 || rejects[0].Reason != ReasonDuplicate || !strings.Contains(rejects[0].Detail, "a repeat of the header line") {
			t.Errorf("%q: %d rows, rejects %+v", again, len(rows), rejects)
		}
	}
}

// Exports joined each with its header, the second's columns named
// otherwise (another tool's export) and as many: its rows were read in
// the first header's order, an upload read as the download wherever both
// were in range, and its header line alone was rejected, as an invalid
// time. The line is a header of another layout now, and the rows after
// it, up to a header line of the file's own names, are rejected with the
// line named: no guess at which of its columns is which.
func TestHeaderBlockOfAnotherLayout(t *testing.T) {
	const a = "ts,carrier,tech,lon,lat,signal_dbm,dl_mbps,ul_mbps\n" +
		"2026-10-03T08:00:01+07:00,Viettel,4G,105.85,21.03,-95,14.19,3.1\n"
	const b = "time,operator,rat,longitude,latitude,rsrp,upload,download\n" +
		"2026-10-03T08:00:02+07:00,Viettel,4G,105.86,21.04,-96,2.2,20.5\n" +
		"2026-10-03T08:00:03+07:00,Viettel,4G,105.87,21.05,-97,1.2,10.5\n"
	rows, rejects, _ := readM(t, a+b+strings.Replace(a, "\n2026-10-03T08:00:01", "\n2026-10-03T08:00:04", 1), nil, nil)
	if len(rows) != 2 || rows[0].DLMbps != 14.19 || rows[1].Lon != 105.85 || len(rejects) != 4 {
		t.Fatalf("%d rows %+v, rejects %+v; want the first and last blocks' rows and the other layout's header and rows rejected", len(rows), rows, rejects)
	}
	if r := rejects[0]; r.Line != 3 || r.Reason != ReasonMalformedRow || !strings.Contains(r.Detail, "a header line of another layout") {
		t.Errorf("line 3: %+v", r)
	}
	for i, line := range []int64{4, 5} {
		if r := rejects[1+i]; r.Line != line || r.Reason != ReasonMalformedRow ||
			!strings.Contains(r.Detail, `after line 3, a header line of another layout ("time", "operator", "rat", "longitude", "latitude", "rsrp", … 2 more)`) ||
			!strings.HasPrefix(r.Value, "2026-10-03T08:00:0") {
			t.Errorf("line %d: %+v", line, r)
		}
	}
	if r := rejects[3]; r.Line != 6 || r.Reason != ReasonDuplicate || !strings.Contains(r.Detail, "a repeat of the header line") {
		t.Errorf("line 6: %+v", r)
	}
	// A row of data refused (a technology of no generation, every other
	// field in range) is no header: the rows after it are read.
	rows, rejects, _ = readM(t, a+"2026-10-03T08:00:05+07:00,Viettel,9G,105.85,21.03,-95,1,1\n"+
		"2026-10-03T08:00:06+07:00,Viettel,4G,105.85,21.03,-95,1,1\n", nil, nil)
	if len(rows) != 2 || len(rejects) != 1 || strings.Contains(rejects[0].Detail, "layout") {
		t.Errorf("a refused row of data: %d rows, rejects %+v", len(rows), rejects)
	}
}

func TestOtherHeader(t *testing.T) {
	for _, c := range []struct {
		fields []string
		want   bool
	}{
		{[]string{"time", "operator", "rat", "longitude", "latitude", "rsrp"}, true},
		{[]string{"Thời gian", "Nhà mạng", "Kinh độ", "Vĩ độ", "", ""}, true},
		{[]string{"2026-10-03", "Acme", "4G", "105.85", "21.03", "-95"}, false},     // a refused row of data
		{[]string{"note", "see", "attached", "file", "", ""}, false},                // text, no column's name
		{[]string{"time", "operator", "", "", "", ""}, false},                       // mostly empty
		{[]string{"lon", "lat", "1", "x", "y", "z"}, false},                         // a number among them
		{[]string{"longitude", "latitude", "rsrp", "rsrq", "sinr", "ping"}, true},   // no time
		{[]string{"Kinh do", "Vi do", "RSRP (dBm)", "Thoi gian", "Mang", ""}, true}, // unaccented
	} {
		if got := otherHeader(KindMeasurements, c.fields); got != c.want {
			t.Errorf("%q: %v, want %v", c.fields, got, c.want)
		}
	}
}
