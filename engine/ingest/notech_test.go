package ingest

import (
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// A phone's no-service (or emergency-only) row without a technology,
// empty or a placeholder, is kept with 4G (2G for a feature phone) and
// counted; a drive test's or a scanner's stays missing_value, saying why,
// as does a row with service; a spelling that is no placeholder stays
// invalid_enum.
func TestNoServiceWithoutTech(t *testing.T) {
	const head = "ts,carrier,tech,lon,lat,signal_dbm,service,device_class,source\n"
	cases := []struct {
		name, row string
		tech      engine.Tech // kept with; 0: rejected
		reason    Reason
		detail    string
	}{
		{"smartphone empty", "viettel,,105.85,21.02,,none,smartphone,crowd", engine.Tech4G, "", ""},
		{"smartphone unknown", "viettel,unknown,105.85,21.02,,none,smartphone,crowd", engine.Tech4G, "", ""},
		{"no class, none", "viettel,none,105.85,21.02,,no service,,", engine.Tech4G, "", ""},
		{"tablet N/A emergency", "viettel,N/A,105.85,21.02,,emergency,tablet,crowd", engine.Tech4G, "", ""},
		{"router dash", "viettel,-,105.85,21.02,,none,router,mdt", engine.Tech4G, "", ""},
		{"class placeholder", "viettel,,105.85,21.02,,none,unknown,N/A", engine.Tech4G, "", ""},
		{"feature phone", "viettel,,105.85,21.02,,none,feature_phone,crowd", engine.Tech2G, "", ""},
		{"drive test", "viettel,,105.85,21.02,,none,smartphone,drive", 0, ReasonMissingValue, "no-service row of a drive test"},
		{"scanner placeholder", "viettel,unknown,105.85,21.02,,none,scanner,", 0, ReasonMissingValue, "no-service row of a scanner"},
		{"with service", "viettel,,105.85,21.02,-90,ok,smartphone,crowd", 0, ReasonMissingValue, "tech is required"},
		{"service default", "viettel,,105.85,21.02,-90,,smartphone,crowd", 0, ReasonMissingValue, "tech is required"},
		{"placeholder with service", "viettel,unknown,105.85,21.02,-90,ok,smartphone,crowd", 0, ReasonInvalidEnum, "unknown technology"},
		{"not a placeholder", "viettel,6G,105.85,21.02,,none,smartphone,crowd", 0, ReasonInvalidEnum, "unknown technology"},
		{"signal given", "viettel,,105.85,21.02,-90,none,smartphone,crowd", 0, ReasonInconsistent, "service is \"none\" but a signal is given"},
		{"bad class", "viettel,,105.85,21.02,,none,phone,crowd", 0, ReasonInvalidEnum, "phone"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, rejects, rep := readM(t, head+"2026-10-01T08:00:00+07:00,"+c.row+"\n", nil, nil)
			if c.tech != 0 {
				if len(rows) != 1 || rows[0].Tech != c.tech || rep.NoServiceWithoutTech != 1 || rep.Counts().NoServiceWithoutTech != 1 {
					t.Fatalf("rows %+v, rejects %+v, report %+v: want kept with %s and counted", rows, rejects, rep, c.tech)
				}
				return
			}
			if len(rows) != 0 || len(rejects) != 1 || rejects[0].Reason != c.reason || !strings.Contains(rejects[0].Detail, c.detail) || rep.NoServiceWithoutTech != 0 {
				t.Fatalf("rows %+v, rejects %+v: want %s (%q)", rows, rejects, c.reason, c.detail)
			}
		})
	}
}
