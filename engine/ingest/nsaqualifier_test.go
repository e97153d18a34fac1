package ingest

import (
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// 5G's architecture in brackets or after a slash ("5G (NSA)", "NR (SA)",
// "NR SA/NSA"), as drive-test exports write the RAT, was an unmapped
// technology and rejected its row, where "5G NSA" and "5G (NR SA)" were
// 5G; it is 5G now. NSA or SA alone names no technology.
func TestFiveGArchitectureQualifier(t *testing.T) {
	const head = "ts,carrier,tech,lon,lat,signal_dbm\n"
	var text string
	good := []string{"5G (NSA)", "NR (NSA)", "NR (SA)", "NR SA/NSA", "5G/NSA"}
	for i, v := range good {
		text += "2026-10-03T08:00:0" + string(rune('0'+i)) + "+07:00,Viettel,\"" + v + "\",105.85,21.03,-95\n"
	}
	rows, rejects, _ := readM(t, head+text, nil, nil)
	if len(rejects) != 0 || len(rows) != len(good) {
		t.Fatalf("rejects %+v", rejects)
	}
	for i, r := range rows {
		if r.Tech != engine.Tech5G {
			t.Errorf("%q: %v; want 5G", good[i], r.Tech)
		}
	}
	for _, v := range []string{"NSA", "SA", "4G (NSA)", "LTE/SA", "SA/NSA"} {
		_, rejects, _ := readM(t, head+"2026-10-03T08:00:01+07:00,Viettel,\""+v+"\",105.85,21.03,-95\n", nil, nil)
		if len(rejects) != 1 || rejects[0].Reason != ReasonInvalidEnum {
			t.Errorf("%q: rejects %+v; want invalid_enum", v, rejects)
		}
	}
}
