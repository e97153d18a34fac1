package dataset

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/ingest"
)

// tableRecords adapts an arrowio.TableReader (batches of rows as strings)
// to ingest.Records (one row at a time). A row whose values hold more
// than maxRow bytes, separators counted as in a CSV line, is a row error
// wrapping ingest.ErrLineTooLong, as a CSV line over the cap is: the rule
// is the same whatever the format.
type tableRecords struct {
	t      *arrowio.TableReader
	i      int // index of the current row in t.Rows()
	row    []string
	rowErr error
	maxRow int
}

func (r *tableRecords) Header() []string { return r.t.Columns() }

func (r *tableRecords) Next() bool {
	r.i++
	for r.i >= len(r.t.Rows()) {
		if !r.t.Next() {
			return false
		}
		r.i = 0
	}
	r.row, r.rowErr = r.t.Rows()[r.i], nil
	if n := rowBytes(r.row); r.maxRow > 0 && n > r.maxRow {
		text := strings.Join(r.row, ",")
		r.rowErr = &ingest.RowTextError{
			Err:  fmt.Errorf("%w: a row of %d bytes, longer than %d (the line cap)", ingest.ErrLineTooLong, n, r.maxRow),
			Text: truncateUTF8(text, 200),
		}
		r.row = nil
	}
	return true
}

// rowBytes is the length of row as a CSV line: its values and commas.
func rowBytes(row []string) int {
	n := max(len(row)-1, 0)
	for _, v := range row {
		n += len(v)
	}
	return n
}

// truncateUTF8 returns at most n bytes of s, not cutting a UTF-8 sequence.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func (r *tableRecords) Record() []string { return r.row }
func (r *tableRecords) RowErr() error    { return r.rowErr }
func (r *tableRecords) Line() int64      { return r.t.RowNumber(r.i) }
func (r *tableRecords) Err() error       { return r.t.Err() }

// openColumnar opens a Parquet or Arrow IPC input; a row over maxRow
// bytes (0: no cap) is a line_too_long row error. f is the file, br a
// buffered reader positioned at its (decompressed) start. Parquet needs
// random access: a gzip-compressed Parquet file is first decompressed to a
// temporary file, which the returned closer removes.
func openColumnar(format ingest.Format, f *os.File, br *bufio.Reader, gz bool, maxRow int) (ingest.Records, func() error, error) {
	switch format {
	case ingest.FormatParquet:
		ra, size := io.ReaderAt(f), int64(0)
		var cleanup func() error
		if gz {
			tmp, err := os.CreateTemp("", "lomsong-parquet-*.parquet")
			if err != nil {
				return nil, nil, err
			}
			cleanup = func() error { tmp.Close(); return os.Remove(tmp.Name()) }
			if size, err = io.Copy(tmp, br); err != nil {
				cleanup()
				return nil, nil, fmt.Errorf("decompressing: %w", err)
			}
			ra = tmp
		} else {
			st, err := f.Stat()
			if err != nil {
				return nil, nil, err
			}
			size = st.Size()
		}
		t, err := arrowio.OpenTable(ra, size)
		if err != nil {
			if cleanup != nil {
				cleanup()
			}
			return nil, nil, err
		}
		closer := func() error {
			err := t.Close()
			if cleanup != nil {
				cleanup()
			}
			return err
		}
		return &tableRecords{t: t, i: -1, maxRow: maxRow}, closer, nil
	case ingest.FormatArrowFile, ingest.FormatArrowStream:
		t, err := arrowio.OpenIPC(br)
		if err != nil {
			return nil, nil, err
		}
		return &tableRecords{t: t, i: -1, maxRow: maxRow}, t.Close, nil
	}
	return nil, nil, fmt.Errorf("format %v: %w", format, engine.ErrUnsupportedFormat)
}
