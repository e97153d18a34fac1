package main

import (
	"encoding/binary"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// Excel keeps Vietnamese letters in "Unicode text" (UTF-16 with a
// byte-order mark, tab-separated); its "CSV" is Windows-1258. Such a file
// was refused ("UTF-16 text: save it as UTF-8"); it is now read as the
// same text in UTF-8, little- or big-endian, and its rows are the rows of
// the UTF-8 file: ingested after it, nothing is added twice.
func TestExcelUnicodeTextRead(t *testing.T) {
	dir := t.TempDir()
	text := "Thời gian\tKinh độ\tVĩ độ\tNhà mạng\tCông nghệ\tRSRP (dBm)\tTrạng thái\r\n" +
		"03/10/2026 08:00:01\t105,8542\t21,0285\tViettel\t4G\t-95\tCó sóng\r\n" +
		"03/10/2026 08:00:02\t105,8543\t21,0286\tViettel\t4G\t\tMất sóng\r\n" +
		"03/10/2026 08:00:03\t105,8544\t21,0287\tViettel\t4G\t-96\tSóng yếu\r\n"
	encode := func(order binary.AppendByteOrder) string {
		b := order.AppendUint16(nil, 0xfeff)
		for _, u := range utf16.Encode([]rune(text)) {
			b = order.AppendUint16(b, u)
		}
		return string(b)
	}
	utf8Path := filepath.Join(dir, "do_kiem.csv")
	writeProbe(t, utf8Path, text)
	ds := filepath.Join(dir, "ds")
	if out, errs, code := runCmd(t, "ingest", "--dataset", ds, "--preset", "vn-drivetest", "--max-reject-share", "0.5", utf8Path); code != 0 {
		t.Fatalf("ingest UTF-8: exit %d\n%s\n%s", code, out, errs)
	}
	for _, c := range []struct {
		name  string
		order binary.AppendByteOrder
	}{{"unicode_le.txt", binary.LittleEndian}, {"unicode_be.txt", binary.BigEndian}} {
		path := filepath.Join(dir, c.name)
		writeProbe(t, path, encode(c.order))
		out, errs, code := runCmd(t, "validate", "--preset", "vn-drivetest", "--max-reject-share", "0.5", path)
		if code != 0 || !strings.Contains(out, "3 rows read, 2 accepted, 1 rejected") || !strings.Contains(out, `line 4, column "Trạng thái → service", value "Sóng yếu"`) {
			t.Errorf("validate %s: exit %d\n%s\n%s", c.name, code, out, errs)
		}
		out, errs, code = runCmd(t, "ingest", "--dataset", ds, "--preset", "vn-drivetest", "--max-reject-share", "0.5", path)
		if code != 0 || !strings.Contains(out, "are the measurements of do_kiem.csv") {
			t.Errorf("ingest %s: exit %d\n%s\n%s", c.name, code, out, errs)
		}
	}
	out, errs, code := runCmd(t, "validate", "--suggest-mapping", filepath.Join(dir, "unicode_le.txt"))
	if code != 0 || !strings.Contains(out, `"Thời gian": "ts"`) {
		t.Errorf("suggest: exit %d\n%s\n%s", code, out, errs)
	}
}
