package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// A crowd export writing its own word for "no technology" on a phone's
// no-service rows (Android's NETWORK_TYPE_UNKNOWN) has them rejected as
// invalid_enum; validate says what to do: map the word to "" in the
// mapping's values for tech. With that mapping, validate and ingest keep
// those rows (stored as 4G) and a row with service in that word still
// needs its technology. The detail only listed the technologies, and the
// mapping refused "".
func TestNoTechSpellingAdvice(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("ts,carrier,tech,lon,lat,signal_dbm,service,device_class,source\n")
	for i := range 40 {
		fmt.Fprintf(&b, "2026-10-01T08:%02d:00+07:00,viettel,LTE,103.45,22.40,-95,ok,smartphone,crowd\n", i)
	}
	b.WriteString("2026-10-01T09:00:00+07:00,viettel,NETWORK_TYPE_UNKNOWN,103.46,22.41,,none,smartphone,crowd\n")
	b.WriteString("2026-10-01T09:01:00+07:00,viettel,NETWORK_TYPE_UNKNOWN,103.46,22.42,,no service,smartphone,crowd\n")
	in := writeFile(t, dir, "crowd.csv", []byte(b.String()))

	stdout, errs, code := runBinary(t, "validate", in)
	const advice = `If "NETWORK_TYPE_UNKNOWN" is how the file writes no technology, map it to "" in the mapping's "values" for tech ("values": {"tech": {"NETWORK_TYPE_UNKNOWN": ""}})`
	if code != exitOK || !strings.Contains(stdout, "42 rows read, 40 accepted, 2 rejected") ||
		!strings.Contains(stdout, `line 42, column "tech", value "NETWORK_TYPE_UNKNOWN": invalid_enum`) || !strings.Contains(stdout, advice) {
		t.Fatalf("validate: exit %d\nstdout: %s\nstderr: %s", code, stdout, errs)
	}

	m := writeFile(t, dir, "m.json", []byte(`{"values": {"tech": {"NETWORK_TYPE_UNKNOWN": ""}}}`))
	const kept = "2 no-service rows without a technology: stored as 4G"
	stdout, errs, code = runBinary(t, "validate", "--mapping", m, in)
	if code != exitOK || !strings.Contains(stdout, "42 rows read, 42 accepted, 0 rejected") || !strings.Contains(stdout, kept) {
		t.Fatalf("validate --mapping: exit %d\nstdout: %s\nstderr: %s", code, stdout, errs)
	}
	stdout, errs, code = runBinary(t, "ingest", "--dataset", filepath.Join(dir, "ds"), "--mapping", m, in)
	if code != exitOK || !strings.Contains(stdout, "42 accepted, 0 rejected") || !strings.Contains(stdout, kept) {
		t.Fatalf("ingest --mapping: exit %d\nstdout: %s\nstderr: %s", code, stdout, errs)
	}
}
