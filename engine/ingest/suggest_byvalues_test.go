package ingest

import "testing"

// Crowd-sourced speed-test exports name their columns client_latitude,
// client_longitude and result_date (Ookla-like), or Date (nPerf-like):
// --suggest-mapping found none of them (exit 3, "no column found for
// required [ts lon lat]"). A column whose name holds the word and whose
// sampled values fit is now taken, and one whose name only contains the
// letters ("latency") is not.
func TestSuggestPositionAndTimeByNameAndValues(t *testing.T) {
	cases := []struct {
		name   string
		header []string
		row    []string
		want   map[string]string // source → contract
	}{
		{"ookla-like", []string{"test_id", "result_date", "client_latitude", "client_longitude", "network_operator_name", "connection_type", "download_kbps"},
			[]string{"a1", "2026-10-03T01:00:01Z", "21.0285", "105.8542", "Viettel", "LTE", "45000"},
			map[string]string{"result_date": "ts", "client_latitude": "lat", "client_longitude": "lon"}},
		{"nperf-like", []string{"Date", "Latitude", "Longitude", "Operator", "Network technology", "Download (Mb/s)"},
			[]string{"03/10/2026 08:00:01", "21.0285", "105.8542", "Viettel", "4G", "45.2"},
			map[string]string{"Date": "ts"}},
		{"a zone after the name", []string{"Time (UTC)", "Lat (WGS84)", "Lon (WGS84)", "Operator", "RAT", "RSRP"},
			[]string{"2026-10-03 01:00:01", "21,0285", "105,8542", "Viettel", "LTE", "-95"},
			map[string]string{"Time (UTC)": "ts", "Lat (WGS84)": "lat", "Lon (WGS84)": "lon"}},
	}
	for _, c := range cases {
		sg := Suggest(KindMeasurements, c.header, [][]string{c.row})
		if len(sg.Missing) != 0 {
			t.Errorf("%s: missing %v (notes %v)", c.name, sg.Missing, sg.Notes)
		}
		for src, dst := range c.want {
			if sg.Mapping.Columns[src] != dst {
				t.Errorf("%s: columns[%q] = %q, want %q", c.name, src, sg.Mapping.Columns[src], dst)
			}
		}
	}
	// The test's position, not its server's or serving cell's, even when
	// those come first.
	sg := Suggest(KindMeasurements, []string{"result_date", "server_latitude", "server_longitude", "Serving Cell Latitude", "Serving Cell Longitude", "client_latitude", "client_longitude", "Operator", "RAT", "RSRP"},
		[][]string{{"2026-10-03T01:00:01Z", "21.03", "105.85", "21.04", "105.86", "21.0285", "105.8542", "Viettel", "LTE", "-95"}})
	if sg.Mapping.Columns["client_latitude"] != "lat" || sg.Mapping.Columns["client_longitude"] != "lon" {
		t.Errorf("with a server's and a cell's positions: %+v", sg.Mapping.Columns)
	}
	// Values that do not fit, or a name that only holds the letters,
	// leave the column unmapped.
	sg = Suggest(KindMeasurements, []string{"update_count", "latency_avg", "lon_err", "Operator", "RAT", "RSRP"},
		[][]string{{"17", "23", "500", "Viettel", "LTE", "-95"}})
	for _, src := range []string{"update_count", "latency_avg", "lon_err"} {
		if dst, ok := sg.Mapping.Columns[src]; ok {
			t.Errorf("%s mapped to %s", src, dst)
		}
	}
}
