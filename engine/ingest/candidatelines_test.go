package ingest

import (
	"strings"
	"testing"
	"time"
)

// A candidate's line is its own line in the file, also when the file is
// read ahead of its validation: it was the reader's line, rows ahead (a
// site on line 3 of a three-row table was said to be on line 4).
func TestCandidateLinesAreTheirOwn(t *testing.T) {
	text := "candidate_id,lon,lat\n\nA-1,102.86,22.40\r\nB-1,106.70,10.78\n\"C-\n1\",102.60,22.65\n"
	for _, n := range []int{1, 3, 2000} {
		var b strings.Builder
		b.WriteString(text)
		for i := 3; i < n; i++ {
			b.WriteString("X-" + strings.Repeat("9", i%7) + string(rune('a'+i%26)) + itoa(i) + ",103.1,22.1\n")
		}
		c, err := NewCSV(strings.NewReader(b.String()), CSVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var got []Candidate
		_, err = ReadCandidates(t.Context(), c, nil, Defaults("c.csv", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)),
			func(cs []Candidate) error { got = append(got, cs...); return nil }, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{"A-1": 3, "B-1": 4, "C-\n1": 5}
		for _, cand := range got {
			if w, ok := want[cand.ID]; ok && cand.Line != w {
				t.Errorf("%d rows: candidate %q on line %d, want %d", n, cand.ID, cand.Line, w)
			}
		}
		if len(got) < 3 {
			t.Fatalf("%d rows: %d candidates read", n, len(got))
		}
	}
}

func itoa(i int) string {
	s := ""
	for {
		s = string(rune('0'+i%10)) + s
		if i /= 10; i == 0 {
			return s
		}
	}
}
