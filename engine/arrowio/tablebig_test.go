package arrowio

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// TestTableBatchBytesBounded: a Parquet table of values of a megabyte
// (one repeated value, stored once in its dictionary: a file of
// kilobytes) is rendered in batches of at most maxBatchBytes of text plus
// one row, every row in order; the batch held the batch size's rows (a
// 1.3 KB file of 1,000 rows of a 1 MiB carrier took validate to 5.2 GB).
func TestTableBatchBytesBounded(t *testing.T) {
	const rows, size = 60, 1 << 20
	big := strings.Repeat("v", size)
	vals, ids := make([]string, rows), make([]int64, rows)
	for i := range vals {
		vals[i], ids[i] = big, int64(i)
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, []Column{{Name: "id", Int64: ids}, {Name: "carrier", String: vals}}, nil); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > 1<<20 {
		t.Fatalf("file of %d bytes: the value is not stored once", buf.Len())
	}
	tr, err := OpenTable(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	next, batches := 0, 0
	for tr.Next() {
		batches++
		text := 0
		for i, r := range tr.Rows() {
			if r[0] != strconv.Itoa(next) || len(r[1]) != size || tr.RowNumber(i) != int64(next+1) {
				t.Fatalf("row %d: id %s, %d bytes, number %d", next, r[0], len(r[1]), tr.RowNumber(i))
			}
			next++
			text += len(r[0]) + len(r[1])
		}
		if text > maxBatchBytes+size+32 {
			t.Fatalf("batch %d of %d rows holds %d bytes of text, above %d and a row", batches, len(tr.Rows()), text, maxBatchBytes)
		}
	}
	if err := tr.Err(); err != nil || next != rows {
		t.Fatalf("%d rows of %d read: %v", next, rows, err)
	}
}
