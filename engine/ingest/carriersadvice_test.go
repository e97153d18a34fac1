package ingest

import (
	"strings"
	"testing"
)

// The advice for a carrier lomsong does not know follows how the file was
// read, by readingOf, the rule the unmapped values' advice follows: only a
// mapping file is told to map it in its "values".
func TestOtherCarriersAdvice(t *testing.T) {
	file, preset, cfg, own := adviceReadings(t)
	const mapIt = `map it in the mapping's "values" for carrier`
	for _, c := range []struct {
		m         *Mapping
		cfg       Config
		want, not string
	}{
		{file, cfg, mapIt, "no mapping"},
		{preset, cfg, `the gnettrack preset does not map it`, mapIt},
		{nil, cfg, `no mapping is in use, so write one that maps it in its "values" for carrier`, mapIt},
		{&Mapping{Timezone: "UTC"}, cfg, `no mapping is in use`, mapIt},
		{nil, own, `read without a mapping`, `"values"`},
	} {
		got := otherCarriersAdvice(c.m, c.cfg)
		if !strings.HasPrefix(got, "if one is a spelling of a known operator, ") || !strings.Contains(got, c.want) || strings.Contains(got, c.not) {
			t.Errorf("mapping %+v: %q", c.m, got)
		}
	}
	// As a read sets it.
	_, _, rep := readM(t, "ts,carrier,tech,lon,lat,signal_dbm\n2026-10-01T08:00:00+07:00,Vietel,LTE,105.85,21.02,-90\n", nil, nil)
	if rep.OtherCarriers["vietel"] != 1 || !strings.Contains(rep.OtherCarriersAdvice, "no mapping is in use") {
		t.Errorf("report: %v %q", rep.OtherCarriers, rep.OtherCarriersAdvice)
	}
}
