package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// vnStatusExport is the Vietnamese drive-test export with its status
// column: the "Mất sóng" rows are no-service tests (dead-zone evidence).
const vnStatusExport = "Thời gian;Kinh độ;Vĩ độ;Nhà mạng;Công nghệ;RSRP (dBm);Trạng thái\n" +
	"03/10/2024 11:00:00;105,8512;21,0285;Viettel;LTE;-90,5;Có sóng\n" +
	"03/10/2024 11:00:01;105,8513;21,0285;Viettel;LTE;;Mất sóng\n" +
	"03/10/2024 11:00:02;105,8514;21,0285;Viettel;LTE;-92,5;Có sóng\n" +
	"03/10/2024 11:00:03;105,8515;21,0285;Viettel;LTE;;Không có sóng\n"

// TestIngestPresetVietnameseService: ingest with the vn-drivetest preset
// keeps the no-service rows (none rejected, no column ignored), and
// --suggest-mapping recommends the preset for that header.
func TestIngestPresetVietnameseService(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "do_kiem.csv")
	if err := os.WriteFile(path, []byte(vnStatusExport), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCmd(t, "ingest", "--dataset", filepath.Join(dir, "ds"), "--preset", "vn-drivetest", "--max-reject-share", "0", path)
	if code != exitOK || !strings.Contains(out, "4 accepted, 0 rejected") || strings.Contains(out, "ignored columns") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	_, errs, code = runCmd(t, "validate", "--suggest-mapping", path)
	if code != exitOK || !strings.Contains(errs, "--preset vn-drivetest reads it as documented") {
		t.Fatalf("exit %d\n%s", code, errs)
	}
}

// TestSuggestMappingPresetIgnoresColumn: a header in a preset's layout
// plus a service column that the suggested mapping reads and the preset
// would ignore: the preset is not recommended, and the column is named.
func TestSuggestMappingPresetIgnoresColumn(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "engine", "ingest", "testdata", "gnettrack.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(src), "\n"), "\n")
	lines[0] += "\tServiceState"
	for i := 1; i < len(lines); i++ {
		lines[i] += "\tIn service"
	}
	path := filepath.Join(t.TempDir(), "gnettrack_state.txt")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCmd(t, "validate", "--suggest-mapping", path)
	if code != exitOK || strings.Contains(errs, "--preset gnettrack reads it") ||
		!strings.Contains(errs, `--preset gnettrack would ignore "ServiceState"`) || !strings.Contains(out, `"ServiceState": "service"`) {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
}
