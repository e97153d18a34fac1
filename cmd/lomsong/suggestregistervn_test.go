package main

import (
	"encoding/json"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A site register with Vietnamese column names (Mã trạm, Băng tần, Độ cao
// anten, Góc phương vị, Góc chúc, Trạng thái, Truyền dẫn) is suggested as
// a register whose sectors keep their azimuth, downtilt, status and
// transmission: the suggestion took it for measurements missing ts and a
// signal (exit 3), and with --kind sites mapped none of those columns, so
// that every sector read as omnidirectional, active and without backhaul.
func TestSuggestMappingOfAVietnameseRegister(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "tram.csv")
	writeProbe(t, reg, "Mã trạm;Nhà mạng;Công nghệ;Kinh độ;Vĩ độ;Băng tần (MHz);Độ cao anten (m);Góc phương vị;Góc chúc;Trạng thái;Truyền dẫn\n"+
		"LCU001;Viettel;4G;103,31944;22,4641;1800;35;0;4;Đang phát sóng;Cáp quang\n"+
		"LCU001;Viettel;4G;103,31944;22,4641;1800;35;120;4;Đang phát sóng;Cáp quang\n"+
		"LCU002;Viettel;3G;103,4;22,5;2100;30;240;6;Tạm dừng;Viba\n"+
		"LCU003;Viettel;4G;103,5;22,6;1800;30;90;3;Kế hoạch;Vệ tinh\n")
	out, errs, code := runCmd(t, "validate", "--suggest-mapping", reg)
	if code != exitOK || !strings.Contains(errs, "read as a site register") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	var m struct {
		Kind    string                       `json:"kind"`
		Columns map[string]string            `json:"columns"`
		Values  map[string]map[string]string `json:"values"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	wantCols := map[string]string{"Mã trạm": "site_id", "Nhà mạng": "carrier", "Công nghệ": "tech", "Kinh độ": "lon", "Vĩ độ": "lat",
		"Băng tần (MHz)": "band_mhz", "Độ cao anten (m)": "height_m", "Góc phương vị": "azimuth_deg", "Góc chúc": "tilt_deg",
		"Trạng thái": "status", "Truyền dẫn": "backhaul"}
	if m.Kind != "sites" || !maps.Equal(m.Columns, wantCols) {
		t.Errorf("kind %q, columns %v; want sites, %v", m.Kind, m.Columns, wantCols)
	}
	if got := m.Values["status"]; !maps.Equal(got, map[string]string{"Đang phát sóng": "active", "Tạm dừng": "down", "Kế hoạch": "planned"}) {
		t.Errorf("status values %v", got)
	}
	if got := m.Values["backhaul"]; !maps.Equal(got, map[string]string{"Cáp quang": "fiber", "Viba": "microwave", "Vệ tinh": "satellite"}) {
		t.Errorf("backhaul values %v", got)
	}
	mapping := filepath.Join(dir, "tram.json")
	writeProbe(t, mapping, out)
	for _, args := range [][]string{
		{"validate", "--mapping", mapping, "--max-reject-share", "0", reg},
		{"ingest", "--dataset", filepath.Join(dir, "ds"), "--mapping", mapping, "--max-reject-share", "0", reg},
	} {
		out, errs, code := runCmd(t, args...)
		if code != exitOK || !strings.Contains(out, "4 rows read, 4 accepted, 0 rejected") || strings.Contains(out, "ignored columns") {
			t.Fatalf("%s with the suggestion: exit %d\n%s\n%s", args[0], code, out, errs)
		}
	}
	if got := dirNames(t, filepath.Join(dir, "ds", "sites")); !slices.Equal(got, []string{"carrier=viettel"}) {
		t.Errorf("sites partitions %v", got)
	}
}
