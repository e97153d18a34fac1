package server

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
)

// TestCertifySameBytesOtherLimits: the same bytes validated under a 1 KiB
// line cap (one long row rejected) and under the default (every row
// accepted) are two readings of one file. Once the first is certified the
// second is refused as another reading is (409, the counts and the retract
// to do said), not certified as "added nothing" while the dataset holds a
// row fewer than its validation counted.
func TestCertifySameBytesOtherLimits(t *testing.T) {
	f := world(t)
	recs, err := csv.NewReader(bytes.NewReader(f.measurements["viettel"])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	dev := -1
	for i, h := range recs[0] {
		if h == "device_id" {
			dev = i
		}
	}
	if dev < 0 {
		t.Fatalf("no device_id column in %v", recs[0])
	}
	// The last row with its device id 1,500 bytes long.
	long := append([]string(nil), recs[len(recs)-1]...)
	long[dev] = strings.Repeat("d", 1500)
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.WriteAll(append(recs[1:len(recs)-1:len(recs)-1], long))
	data := append([]byte(strings.Join(recs[0], ",")+"\n"), b.Bytes()...)

	ts := newService(t, func(o *Options) { o.Limits.MaxLineBytes = 1 << 10 })
	first := ts.wait(t, "vt", ts.submit(t, "vt", "measurements", "a.csv", data))
	if first.Status != "accepted" || first.Rejected != 1 {
		t.Fatalf("under the 1 KiB cap: %+v", first)
	}
	ts = ts.reopenWith(t, nil)
	second := ts.wait(t, "vt", ts.submit(t, "vt", "measurements", "b.csv", data))
	if second.Status != "accepted" || second.Rejected != 0 {
		t.Fatalf("under the default cap: %+v", second)
	}
	if code := ts.certify(t, "vt", first.ID); code != http.StatusOK {
		t.Fatalf("certify %d: %d", first.ID, code)
	}
	resp, body := ts.certifyCall(t, "vt", second.ID)
	if resp.StatusCode != http.StatusConflict || !bytes.Contains(body, []byte("read then as")) || !bytes.Contains(body, []byte("lomsong dataset retract")) {
		t.Fatalf("certify %d: %d %s", second.ID, resp.StatusCode, body)
	}
}
