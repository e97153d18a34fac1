package ingest

import (
	"context"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// A crowd export's Wi-Fi tests are set aside as not_cellular, whatever
// else the row holds (an ISP for a carrier, or none; no signal), and the
// share held to the rejected-row refusal leaves them out.
func TestWiFiTestsSetAside(t *testing.T) {
	var b strings.Builder
	b.WriteString("ts,carrier,tech,lon,lat,signal_dbm,dl_mbps\n")
	for i := range 12 {
		b.WriteString("2026-10-01T08:00:00+07:00,viettel,4G,105.85,21.02,-9" + string(rune('0'+i%10)) + ",1" + strings.Repeat("0", i%3) + "\n")
	}
	for range 8 {
		b.WriteString("2026-10-01T08:00:00+07:00,,Wi-Fi,105.85,21.02,,45\n") // no carrier: an ISP's line
	}
	b.WriteString("2026-10-01T08:00:00+07:00,viettel,WLAN,105.85,21.02,-50,45\n")
	b.WriteString("not a time,viettel,wifi,105.85,21.02,,45\n")
	b.WriteString("2026-10-01T08:00:00+07:00,viettel,4G,105.85,21.02,-500,1\n") // out of range
	_, rejects, rep := readM(t, b.String(), nil, func(c *Config) { c.Dedup = false })
	if rep.RowsRead != 23 || rep.Accepted != 12 || rep.Rejected != 11 || rep.NotCellular() != 10 || rep.ByReason[ReasonOutOfRange] != 1 {
		t.Fatalf("report %+v", rep)
	}
	if got, want := rep.RejectShare(), 1.0/13; got != want {
		t.Errorf("RejectShare %g, want %g (1 of the 13 mobile-network rows)", got, want)
	}
	if len(rep.Unmapped) != 0 {
		t.Errorf("Wi-Fi spellings listed as unmapped values: %v", rep.Unmapped)
	}
	for _, r := range rejects[:10] {
		if r.Reason != ReasonNotCellular || r.Column != "tech" || !strings.Contains(r.Detail, "Wi-Fi") {
			t.Errorf("reject %+v", r)
		}
	}
	if c := rep.Counts(); c.QuarantinedByReason[ReasonNotCellular] != 10 {
		t.Errorf("counts %+v", c)
	}
}

// A site register's "wifi" stays invalid_enum: only a measurement is a
// test over Wi-Fi.
func TestWiFiSiteInvalid(t *testing.T) {
	rec, err := NewCSV(strings.NewReader("site_id,carrier,tech,lon,lat\nS1,viettel,wifi,105.85,21.02\n"), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var rejects []Reject
	rep, err := ReadSites(context.Background(), rec, nil, Defaults("s.csv", testNow), func([]engine.Site) error { return nil },
		func(r Reject) error { rejects = append(rejects, r); return nil })
	if err != nil || rep.ByReason[ReasonInvalidEnum] != 1 || rep.RejectShare() != 1 {
		t.Fatalf("%v %+v %+v", err, rep, rejects)
	}
}
