package ingest

import "testing"

// A Vietnamese drive-test header (the vn-drivetest layout) beside
// columns of the tests' source, latency and device in Vietnamese: the
// suggestion left those unmapped and took the preset's constant source,
// "drive", so that the crowd tests of the file's source column were
// ingested as drive tests (a phone's no-service row read as a drive
// test's), with only a note that the column was not mapped. The names
// are read now, and a column of source values is the source whatever
// its name, the preset's constant then left out.
func TestSuggestSourceColumnOverPresetConstant(t *testing.T) {
	row := []string{"06/10/2026 08:00:01", "105,85", "21,03", "Viettel", "LTE", "-95,5", "Có sóng"}
	for _, c := range []struct {
		extra, values []string
		want          map[string]string
	}{
		{[]string{"Nguồn", "Độ trễ (ms)", "Mã thiết bị", "Loại thiết bị"}, []string{"crowd", "35", "d-01", "smartphone"},
			map[string]string{"Nguồn": "source", "Độ trễ (ms)": "latency_ms", "Mã thiết bị": "device_id", "Loại thiết bị": "device_class"}},
		{[]string{"Kiểu đo"}, []string{"crowd"}, map[string]string{"Kiểu đo": "source"}},
	} {
		header := append([]string{"Thời gian", "Kinh độ", "Vĩ độ", "Nhà mạng", "Công nghệ", "RSRP (dBm)", "Trạng thái"}, c.extra...)
		drive := append(append([]string{}, row...), c.values...)
		drive[len(row)] = "drive"
		sg := Suggest(KindMeasurements, header, [][]string{drive, append(append([]string{}, row...), c.values...)})
		for src, dst := range c.want {
			if got := sg.Mapping.Columns[src]; got != dst {
				t.Errorf("%v: columns[%q] = %q, want %q (notes %v)", c.extra, src, got, dst, sg.Notes)
			}
		}
		if v, ok := sg.Mapping.Constants["source"]; ok {
			t.Errorf("%v: constant source %q beside the file's source column", c.extra, v)
		}
	}
}
