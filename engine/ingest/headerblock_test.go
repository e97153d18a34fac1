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
