package ingest

import (
	"strings"
	"testing"
)

// A measurement written twice in one file is one test however its second
// copy is written: its time in another offset, -95.0 for -95, LTE for 4G,
// the carrier's other spelling, quoted, with spaces around a field. The
// second is a duplicate, its text in the quarantine, as the same two rows
// in two files are one measurement to the dataset (the value hash both
// compare).
func TestRepeatInAnotherSpelling(t *testing.T) {
	const header = "row,ts,carrier,tech,lon,lat,signal_dbm,service,source\n"
	first := []string{
		"1,2026-10-01T10:00:00+07:00,viettel,4G,105.8,21.0,-95,ok,crowd",
		"3,2026-10-01T10:05:00+07:00,viettel,4G,105.8,21.0,-95,ok,crowd",
		"5,2026-10-01T10:10:00+07:00,viettel,4G,105.8,21.0,-95,ok,crowd",
		"7,2026-10-01T10:15:00+07:00,viettel,4G,105.8,21.0,-95,ok,crowd",
		"9,2026-10-01T10:20:00+07:00,viettel,4G,105.8,21.0,-95,ok,crowd",
		"11,2026-10-01T10:25:00+07:00,viettel,4G,105.8,21.0,-95,ok,crowd",
	}
	again := []string{
		"2,2026-10-01T03:00:00Z,viettel,4G,105.8,21.0,-95,ok,crowd",
		"4,2026-10-01T10:05:00+07:00,viettel,4G,105.8,21.0,-95.0,ok,crowd",
		"6,2026-10-01T10:10:00+07:00,viettel,LTE,105.8,21.0,-95,ok,crowd",
		"8,2026-10-01T10:15:00+07:00,Viettel Telecom,4G,105.8,21.0,-95,ok,crowd",
		`10,"2026-10-01T10:20:00+07:00","viettel","4G","105.80","21","-95","ok","crowd"`,
		"12,2026-10-01T10:25:00+07:00, viettel ,4G,105.8 ,21.0,-95,ok,crowd",
	}
	// Near repeats that are other tests: a millisecond later, another
	// value, another technology, another carrier.
	other := []string{
		"13,2026-10-01T10:00:00.001+07:00,viettel,4G,105.8,21.0,-95,ok,crowd",
		"14,2026-10-01T10:00:00+07:00,viettel,4G,105.8,21.0,-95.5,ok,crowd",
		"15,2026-10-01T10:00:00+07:00,viettel,5G,105.8,21.0,-95,ok,crowd",
		"16,2026-10-01T10:00:00+07:00,vinaphone,4G,105.8,21.0,-95,ok,crowd",
	}
	var text strings.Builder
	text.WriteString(header)
	for i := range first {
		text.WriteString(first[i] + "\n" + again[i] + "\n")
	}
	for _, r := range other {
		text.WriteString(r + "\n")
	}
	rows, rejects, rep := readM(t, text.String(), nil, nil)
	if rep.Accepted != int64(len(first)+len(other)) || rep.ByReason[ReasonDuplicate] != int64(len(again)) {
		t.Fatalf("accepted %d, duplicates %d: want %d and %d (rejects %+v)", rep.Accepted, rep.ByReason[ReasonDuplicate],
			len(first)+len(other), len(again), rejects)
	}
	for i, r := range rejects {
		want := again[i]
		if strings.HasPrefix(want, "10,") {
			want = strings.ReplaceAll(want, `"`, "") // the fields as read
		}
		if r.Line != int64(2*i+3) || r.Reason != ReasonDuplicate || r.Value != want {
			t.Errorf("reject %d: line %d %s %q, want line %d duplicate %q", i, r.Line, r.Reason, r.Value, 2*i+3, want)
		}
	}
	if len(rows) != len(first)+len(other) {
		t.Fatalf("%d rows", len(rows))
	}

	// With the check off every row is kept.
	_, _, rep = readM(t, text.String(), nil, func(c *Config) { c.Dedup = false })
	if rep.Accepted != int64(len(first)+len(again)+len(other)) {
		t.Fatalf("dedup off: %d accepted", rep.Accepted)
	}
}

// A row rejected for a reason of its own is rejected for it each time it
// comes, not as a duplicate: its reason is the one to fix.
func TestRepeatOfRejectedRow(t *testing.T) {
	bad := "2026-10-01T08:00:00Z,viettel,6G,105.85,21.03,-98,,,,,\n"
	_, rejects, rep := readM(t, mHeader+bad+bad+strings.Replace(bad, "6G", " 6G ", 1), nil, nil)
	if rep.Accepted != 0 || rep.ByReason[ReasonInvalidEnum] != 3 || len(rejects) != 3 {
		t.Fatalf("%+v %+v", rep, rejects)
	}
}
