package arrowio

import (
	"bytes"
	"fmt"
	"testing"
)

// TestWriteTableByteIdenticalPastDictionaryLimit writes a string column
// whose distinct values outgrow a dictionary page (the writer falls back
// to plain pages within the chunk) several times: the files must be the
// same bytes. The Parquet library keeps a chunk's page-encoding counts in
// a map and writes them in its iteration order when both dictionary and
// plain pages are present, so a fallback made the footer differ between
// runs of the same input.
func TestWriteTableByteIdenticalPastDictionaryLimit(t *testing.T) {
	const n = 200_000 // ~3 MB of distinct ids: past the 1 MiB dictionary page limit
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("village-%09d", i)
	}
	cols := []Column{{Name: "village_id", String: ids}}
	var first []byte
	for run := range 8 {
		var b bytes.Buffer
		if err := WriteTable(&b, cols, map[string]string{"k": "v"}); err != nil {
			t.Fatal(err)
		}
		if run == 0 {
			first = b.Bytes()
			continue
		}
		if !bytes.Equal(first, b.Bytes()) {
			t.Fatalf("run %d wrote different bytes from run 0 for the same table (%d vs %d bytes)", run, b.Len(), len(first))
		}
	}
}
