package ingest

import (
	"context"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// A CDMA row (OpenCelliD lists CDMA cells; a logger may write CDMA2000 or
// EV-DO) is a technology lomsong does not analyse: rejected as
// invalid_enum with a detail that says so, and counted apart from the
// unmapped values, whose advice ("add them to the mapping's values")
// cannot help it. WCDMA and TD-SCDMA stay 3G.
func TestCDMANotAnalysed(t *testing.T) {
	for _, s := range []string{"CDMA", "cdma2000", "CDMA2000 1x", "1xRTT", "EV-DO", "evdo_rev_a", "IS-95", "eHRPD"} {
		if !engine.IsCDMA(s) {
			t.Errorf("IsCDMA(%q) = false", s)
		}
	}
	for _, s := range []string{"WCDMA", "TD-SCDMA", "UMTS", "LTE", "wifi", ""} {
		if engine.IsCDMA(s) {
			t.Errorf("IsCDMA(%q) = true", s)
		}
	}

	const head = "ts,carrier,tech,lon,lat,signal_dbm,service,device_class\n"
	rows := head +
		"2026-10-01T08:00:00+07:00,viettel,CDMA2000,105.85,21.02,-90,ok,smartphone\n" +
		"2026-10-01T08:01:00+07:00,viettel,EV-DO,105.85,21.02,,none,smartphone\n" +
		"2026-10-01T08:02:00+07:00,viettel,Walking,105.85,21.02,-90,ok,smartphone\n" +
		"2026-10-01T08:03:00+07:00,viettel,WCDMA,105.85,21.02,-90,ok,smartphone\n"
	kept, rejects, rep := readM(t, rows, nil, nil)
	if len(kept) != 1 || kept[0].Tech != engine.Tech3G || len(rejects) != 3 {
		t.Fatalf("kept %+v, rejects %+v", kept, rejects)
	}
	for _, r := range rejects[:2] {
		// The phone's no-service row too: no advice to map it to "".
		if r.Reason != ReasonInvalidEnum || !strings.Contains(r.Detail, "CDMA, a technology lomsong does not analyse") || strings.Contains(r.Detail, `map it to ""`) {
			t.Errorf("line %d: %s %q", r.Line, r.Reason, r.Detail)
		}
	}
	if got := rep.UnmappedValues("tech"); len(got) != 1 || got[0].Value != "Walking" {
		t.Errorf("unmapped tech: %+v", got)
	}
	if rep.TechNotAnalysed["CDMA2000"] != 1 || rep.TechNotAnalysed["EV-DO"] != 1 || rep.Counts().TechNotAnalysed["EV-DO"] != 1 {
		t.Errorf("tech not analysed: %v", rep.TechNotAnalysed)
	}
	if s := rep.TechNotAnalysedSummary(); !strings.HasPrefix(s, `2 CDMA rows ("CDMA2000", "EV-DO"): a technology lomsong does not analyse`) {
		t.Errorf("summary %q", s)
	}

	// An OpenCelliD export's CDMA cells, as sites.
	rec, err := NewCSV(strings.NewReader("CDMA,452,3,1,100,0,105.85,21.02,1000,5,1,0,0,0\nLTE,452,4,1,200,0,105.85,21.02,1000,5,1,0,0,0\n"),
		CSVOptions{Comma: ',', Header: OpenCellIDHeader})
	if err != nil {
		t.Fatal(err)
	}
	srep, err := ReadSites(context.Background(), NewOpenCellID(rec), nil, Defaults("oc.csv", testNow), func([]engine.Site) error { return nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if srep.Accepted != 1 || srep.ByReason[ReasonInvalidEnum] != 1 || srep.TechNotAnalysed["CDMA"] != 1 || len(srep.Unmapped) != 0 {
		t.Errorf("OpenCelliD: %+v", srep)
	}
}

// The advice for unmapped values fits how the file was read: a mapping
// file's "values" can take them; a preset's values are its own and no
// mapping may be in use at all (--timezone alone builds one), so then a
// mapping is to be written; a command's own table takes none.
func TestUnmappedAdvice(t *testing.T) {
	file, preset, cfg, own := adviceReadings(t)
	zoneOnly := &Mapping{Timezone: "UTC"}
	for _, c := range []struct {
		m    *Mapping
		cfg  Config
		want string
		not  string
	}{
		{file, cfg, `add them to the mapping's "values"`, "no mapping"},
		{preset, cfg, `the gnettrack preset does not map them`, `add them to the mapping's`},
		{nil, cfg, `no mapping is in use: write one with them in its "values"`, `add them to the mapping's`},
		{zoneOnly, cfg, `no mapping is in use`, `add them to the mapping's`},
		{nil, own, `read without a mapping`, `"values"`},
	} {
		if got := unmappedAdvice(c.m, c.cfg); !strings.Contains(got, c.want) || strings.Contains(got, c.not) {
			t.Errorf("mapping %+v: %q", c.m, got)
		}
	}
	// As a read sets it.
	_, _, rep := readM(t, "ts,carrier,tech,lon,lat,signal_dbm\n2026-10-01T08:00:00+07:00,viettel,Foo,105.85,21.02,-90\n", nil, nil)
	if !strings.HasPrefix(rep.UnmappedAdvice, "no mapping is in use") || len(rep.UnmappedValues("tech")) != 1 {
		t.Errorf("report: %q %v", rep.UnmappedAdvice, rep.Unmapped)
	}
}

// adviceReadings are the ways a file can be read that the advice on what
// a read could not take depends on (readingOf): a mapping file, the
// gnettrack preset, the defaults (no mapping) and a command's own table
// (own: NoMapping).
func adviceReadings(t *testing.T) (file, preset *Mapping, cfg, own Config) {
	t.Helper()
	file, err := ParseMapping([]byte(`{"columns": {"Tech": "tech"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if preset, err = Preset("gnettrack"); err != nil {
		t.Fatal(err)
	}
	cfg = Defaults("x.csv", testNow)
	own = cfg
	own.NoMapping = true
	return file, preset, cfg, own
}
