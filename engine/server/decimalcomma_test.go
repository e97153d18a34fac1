package server

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestDecimalCommaRefusalSaysTheMapping: a carrier's dump saved by a
// Vietnamese Excel — semicolons, and decimals written with a comma
// (103,24) — is refused for its rejected rows saying that a mapping
// part {"decimal": ","} reads it, not only "fix the rows in
// quarantine.csv" (every one of them); sent again so, it is accepted.
func TestDecimalCommaRefusalSaysTheMapping(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	recs, err := csv.NewReader(bytes.NewReader(f.measurements["viettel"])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var numeric []int
	for i, c := range recs[0] {
		if slices.Contains([]string{"lon", "lat", "signal_dbm", "rsrq_db", "sinr_db", "dl_mbps", "ul_mbps", "latency_ms"}, c) {
			numeric = append(numeric, i)
		}
	}
	var excel bytes.Buffer
	for j, r := range recs {
		for _, i := range numeric {
			if j > 0 {
				r[i] = strings.ReplaceAll(r[i], ".", ",")
			}
		}
		excel.WriteString(strings.Join(r, ";") + "\n")
	}
	id := ts.submit(t, "vt", "measurements", "excel.csv", excel.Bytes())
	s := ts.wait(t, "vt", id)
	if s.Status != "refused" || s.ErrorCode != "too_many_rejects" || !strings.Contains(s.Error, "a decimal comma") ||
		!strings.Contains(s.Error, `-F 'mapping={"decimal": ","}'`) {
		t.Fatalf("a dump with decimal commas: %+v", s)
	}
	id = ts.submitMultipart(t, "vt", "excel.csv", excel.Bytes(), `{"decimal": ","}`)
	if s = ts.wait(t, "vt", id); s.Status != "accepted" || s.Rejected != 0 {
		t.Fatalf("sent again with the mapping: %+v", s)
	}
	if code := ts.certify(t, "vt", id); code != http.StatusOK {
		t.Fatalf("certify: %d", code)
	}
}
