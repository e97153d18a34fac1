package ingest

import (
	"math"
	"strings"
	"testing"
)

// A value exported with its unit after it ("-95 dBm", "12.5 Mbps", "35
// ms", as some tools write a formatted value) was rejected whatever the
// unit, and no mapping key read such a file: its every row was refused.
// A value whose unit is its column's own (the contract's, or the
// mapping's units) is read now; one in another unit is still rejected,
// naming the unit the column takes.
func TestNumberWithTheColumnsOwnUnit(t *testing.T) {
	const head = "ts,carrier,tech,lon,lat,signal_dbm,rsrq_db,sinr_db,dl_mbps,ul_mbps,latency_ms\n"
	rows, rejects, _ := readM(t, head+"2026-10-03T08:00:01+07:00,Viettel,4G,105.85,21.03,-95 dBm,-11 dB,4.5dB,12.5 Mbps,3 Mbit/s,35 ms\n", nil, nil)
	if len(rejects) != 0 || len(rows) != 1 {
		t.Fatalf("rejects %+v", rejects)
	}
	r := rows[0]
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"signal_dbm", r.SignalDBm, -95}, {"rsrq_db", r.RSRQDB, -11}, {"sinr_db", r.SINRDB, 4.5}, {"dl_mbps", r.DLMbps, 12.5}, {"ul_mbps", r.ULMbps, 3}, {"latency_ms", r.LatencyMs, 35}} {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s: %v; want %v", c.name, c.got, c.want)
		}
	}
	// The mapping's units: kbit/s read as kbit/s, decimal comma as declared.
	m := &Mapping{Units: map[string]string{"dl_mbps": "kbps"}, Decimal: ","}
	rows, rejects, _ = readM(t, "ts;carrier;tech;lon;lat;signal_dbm;dl_mbps\n2026-10-03T08:00:01+07:00;Viettel;4G;105,85;21,03;-95,5 dBm;850 kbit/s\n", m, nil)
	if len(rejects) != 0 || len(rows) != 1 || rows[0].SignalDBm != -95.5 || math.Abs(rows[0].DLMbps-0.85) > 1e-9 {
		t.Fatalf("rows %+v rejects %+v", rows, rejects)
	}
	// Another unit than the column's is refused, saying which it takes.
	for _, c := range []struct{ cols, value, want string }{
		{"signal_dbm", "-95 dB", `the column is in dBm`},
		{"rsrq_db", "-11 dBm", `the column is in dB`},
		{"dl_mbps", "850 kbps", `the column is in Mbit/s`},
		{"latency_ms", "0.5 s", `the column is in ms`},
		{"signal_dbm", "-95,5 dBm", `decimal comma`},
	} {
		text := "ts,carrier,tech,lon,lat," + c.cols + "\n2026-10-03T08:00:01+07:00,Viettel,4G,105.85,21.03,\"" + c.value + "\"\n"
		if c.cols != "signal_dbm" {
			text = strings.Replace(text, "lat,", "lat,signal_dbm,", 1)
			text = strings.Replace(text, "21.03,", "21.03,-95,", 1)
		}
		_, rejects, _ := readM(t, text, nil, nil)
		if len(rejects) != 1 || rejects[0].Reason != ReasonInvalidNumber || !strings.Contains(rejects[0].Detail, c.want) {
			t.Errorf("%s %q: %+v; want invalid_number saying %q", c.cols, c.value, rejects, c.want)
		}
	}
}
