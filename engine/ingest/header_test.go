package ingest

import (
	"errors"
	"strings"
	"testing"
)

// A header in a legacy code page (Windows-1258, as Vietnamese Windows
// saves it) is refused as such, not read as columns with mojibake names
// that match nothing.
func TestHeaderNotUTF8(t *testing.T) {
	// "Thời gian;Kinh độ;…" in Windows-1258.
	cp1258 := "Th\xf5\xcci gian;Kinh \xf0\xf4\xf2;Vi\xde \xf0\xf4\xf2;Nh\xe0 ma\xf2ng;C\xf4ng ngh\xea\xf2;RSRP (dBm)\r\n" +
		"01/10/2026 08:00:00;103,3;22,4;Viettel;LTE;-90\r\n"
	_, err := NewCSV(strings.NewReader(cp1258), CSVOptions{})
	if !errors.Is(err, ErrHeaderNotUTF8) {
		t.Fatalf("err %v; want ErrHeaderNotUTF8", err)
	}
	for _, want := range []string{"header is not UTF-8 (a Windows-1258 or other legacy encoding?): re-save the file as UTF-8", `column 1 is "Th\xf5\xcci gian"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err %q; want it to say %q", err, want)
		}
	}
	// A UTF-8 header, with or without its byte-order mark, is read; a
	// field further on that is not UTF-8 is a row problem, not the file's.
	for _, s := range []string{
		"Thời gian;Kinh độ\r\n01/10/2026 08:00:00;103,3\r\n",
		"\xef\xbb\xbfThời gian;Kinh độ\r\n01/10/2026 08:00:00;103,3\r\n",
		"ts,carrier\n2026-10-01 08:00:00,Vi\xe9ttel\n",
	} {
		if _, err := NewCSV(strings.NewReader(s), CSVOptions{}); err != nil {
			t.Errorf("%q: %v; want it read", s, err)
		}
	}
}

// A header longer than the line cap refuses the file, and says so: a
// long data row is skipped, a long header cannot be.
func TestHeaderTooLong(t *testing.T) {
	for _, c := range []struct {
		name, csv string
		line      int64
	}{
		{"header", "ts,carrier,tech,lon,lat,signal_dbm\n2026-10-01 10:00:00,Viettel,4G,103.3,22.4,-90\n", 1},
		{"after Excel's sep line", "sep=,\nts,carrier,tech,lon,lat,signal_dbm\n2026-10-01 10:00:00,Viettel,4G,103.3,22.4,-90\n", 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewCSV(strings.NewReader(c.csv), CSVOptions{MaxLineBytes: 16})
			var he *HeaderTooLongError
			if !errors.As(err, &he) || !errors.Is(err, ErrLineTooLong) || he.Line != c.line {
				t.Fatalf("err %#v; want a HeaderTooLongError of line %d wrapping ErrLineTooLong", err, c.line)
			}
			msg := err.Error()
			for _, want := range []string{"refused", "longer than --max-line-bytes 16"} {
				if !strings.Contains(msg, want) {
					t.Errorf("%q: want %q", msg, want)
				}
			}
			if strings.Contains(msg, "skipped") {
				t.Errorf("%q: the file is refused, not skipped to a line end", msg)
			}
		})
	}
}
