package ingest

import (
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// A crowd app may write its own word for "no technology" on a phone's
// no-service rows (Android's NETWORK_TYPE_UNKNOWN). The row is
// invalid_enum, and the detail says what to do: map the spelling to ""
// in the mapping's values for tech, which reads it as no technology, so
// the phone's no-service row is kept (4G, 2G for a feature phone) while
// a row with service, or a drive test's, still needs its technology. The
// mapping refused "" as "not a valid tech", and the detail only listed
// the technologies, as if one of them were the answer.
func TestNoTechSpellingMappedToNone(t *testing.T) {
	const head = "ts,carrier,tech,lon,lat,signal_dbm,service,device_class,source\n"
	rows := head +
		"2026-10-01T08:00:00+07:00,viettel,NETWORK_TYPE_UNKNOWN,105.85,21.02,,none,smartphone,crowd\n" +
		"2026-10-01T08:01:00+07:00,viettel,NETWORK_TYPE_UNKNOWN,105.85,21.02,,none,feature_phone,crowd\n" +
		"2026-10-01T08:02:00+07:00,viettel,NETWORK_TYPE_UNKNOWN,105.85,21.02,-90,ok,smartphone,crowd\n" +
		"2026-10-01T08:03:00+07:00,viettel,NETWORK_TYPE_UNKNOWN,105.85,21.02,,none,smartphone,drive\n"

	_, rejects, _ := readM(t, rows, nil, nil)
	if len(rejects) != 4 {
		t.Fatalf("without a mapping: %+v", rejects)
	}
	const advice = `If "NETWORK_TYPE_UNKNOWN" is how the file writes no technology, map it to "" in the mapping's "values" for tech ("values": {"tech": {"NETWORK_TYPE_UNKNOWN": ""}})`
	for i, r := range rejects {
		// The phone's no-service rows are told how; a row with service
		// or a drive test's needs the technology itself.
		if r.Reason != ReasonInvalidEnum || strings.Contains(r.Detail, advice) != (i < 2) {
			t.Errorf("row %d: %s %q", i, r.Reason, r.Detail)
		}
	}

	m, err := ParseMapping([]byte(`{"values": {"tech": {"NETWORK_TYPE_UNKNOWN": ""}}}`))
	if err != nil {
		t.Fatal(err)
	}
	kept, rejects, rep := readM(t, rows, m, nil)
	if len(kept) != 2 || kept[0].Tech != engine.Tech4G || kept[1].Tech != engine.Tech2G || rep.NoServiceWithoutTech != 2 {
		t.Fatalf("with the mapping: kept %+v, report %+v", kept, rep)
	}
	if len(rejects) != 2 || rejects[0].Reason != ReasonMissingValue || !strings.Contains(rejects[0].Detail, "tech is required") ||
		rejects[1].Reason != ReasonMissingValue || !strings.Contains(rejects[1].Detail, "no-service row of a drive test") {
		t.Fatalf("with the mapping: rejects %+v", rejects)
	}

	// An optional enum's spelling mapped to no value is unknown, as an
	// empty cell; the carrier, required, takes no such entry.
	m, err = ParseMapping([]byte(`{"values": {"environment": {"Other": ""}}}`))
	if err != nil {
		t.Fatal(err)
	}
	const head2 = "ts,carrier,tech,lon,lat,signal_dbm,environment\n"
	kept, rejects, _ = readM(t, head2+"2026-10-01T08:00:00+07:00,viettel,4G,105.85,21.02,-90,Other\n", m, nil)
	if len(kept) != 1 || kept[0].Environment != engine.EnvUnknown || len(rejects) != 0 {
		t.Fatalf("kept %+v, rejects %+v", kept, rejects)
	}
	if _, err := ParseMapping([]byte(`{"values": {"carrier": {"Khác": ""}}}`)); err == nil {
		t.Fatal(`carrier "" taken`)
	}
}
