package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// excel1258 is what Excel saves as "CSV" on a Vietnamese Windows: the
// vn-drivetest export in Windows-1258 (tones as combining marks), as
// iconv writes it from the UTF-8 text below.
const excel1258 = "Th\xf5\xcci gian;Kinh \xf0\xf4\xf2;Vi\xde \xf0\xf4\xf2;Nh\xe0 ma\xf2ng;C\xf4ng ngh\xea\xf2;RSRP (dBm);Tra\xf2ng th\xe1i\n" +
	"03/10/2026 08:00:01;105,8542;21,0285;Viettel;4G;-95;C\xf3 s\xf3ng\n" +
	"03/10/2026 08:00:02;105,8543;21,0286;Viettel;4G;;M\xe2\xect s\xf3ng\n"

const excelUTF8 = "Thời gian;Kinh độ;Vĩ độ;Nhà mạng;Công nghệ;RSRP (dBm);Trạng thái\n" +
	"03/10/2026 08:00:01;105,8542;21,0285;Viettel;4G;-95;Có sóng\n" +
	"03/10/2026 08:00:02;105,8543;21,0286;Viettel;4G;;Mất sóng\n"

// Such a file was refused ("header is not UTF-8 … re-save the file as
// UTF-8") by validate, ingest and --suggest-mapping alike, with no way to
// read it as sent. --suggest-mapping now proposes "encoding":
// "windows-1258" (naming the names it reads, to check), and with it the
// file is read as its UTF-8 copy: the same rows, recognised as such.
func TestExcelWindows1258Read(t *testing.T) {
	dir := t.TempDir()
	legacy := filepath.Join(dir, "do_kiem_1258.csv")
	writeProbe(t, legacy, excel1258)
	utf := filepath.Join(dir, "do_kiem.csv")
	writeProbe(t, utf, excelUTF8)

	_, errs, code := runCmd(t, "validate", legacy)
	if code != exitFailure || !strings.Contains(errs, `give "encoding": "windows-1258" in the mapping`) {
		t.Fatalf("validate without a mapping: exit %d\n%s", code, errs)
	}
	out, errs, code := runCmd(t, "validate", "--suggest-mapping", legacy)
	if code != 0 || !strings.Contains(out, `"encoding": "windows-1258"`) || !strings.Contains(out, `"Thời gian": "ts"`) ||
		!strings.Contains(errs, `read as Windows-1258 (Excel's CSV on a Vietnamese Windows), its names are "Thời gian", "Kinh độ"`) ||
		!strings.Contains(errs, "--preset vn-drivetest reads UTF-8 only; use the suggested mapping") {
		t.Fatalf("suggest: exit %d\n%s\n%s", code, out, errs)
	}
	mapping := filepath.Join(dir, "mapping.json")
	if err := os.WriteFile(mapping, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code = runCmd(t, "validate", "--mapping", mapping, legacy)
	if code != 0 || !strings.Contains(out, "2 rows read, 2 accepted, 0 rejected") {
		t.Fatalf("validate: exit %d\n%s\n%s", code, out, errs)
	}
	ds := filepath.Join(dir, "ds")
	if out, errs, code = runCmd(t, "ingest", "--dataset", ds, "--preset", "vn-drivetest", utf); code != 0 {
		t.Fatalf("ingest UTF-8: exit %d\n%s\n%s", code, out, errs)
	}
	out, errs, code = runCmd(t, "ingest", "--dataset", ds, "--mapping", mapping, legacy)
	if code != 0 || !strings.Contains(out, "are the measurements of do_kiem.csv") {
		t.Fatalf("ingest Windows-1258: exit %d\n%s\n%s", code, out, errs)
	}
	// An encoding lomsong does not read is named in the mapping's error.
	writeProbe(t, mapping, `{"encoding": "koi8-r"}`)
	_, errs, code = runCmd(t, "validate", "--mapping", mapping, legacy)
	if code == 0 || !strings.Contains(errs, `encoding "koi8-r": want "utf-8" (the default), "windows-1258"`) {
		t.Fatalf("koi8-r: exit %d\n%s", code, errs)
	}
}
