package dataset

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/ingest"
)

// tableRecords adapts an arrowio.TableReader (batches of rows as strings)
// to ingest.Records (one row at a time).
type tableRecords struct {
	t   *arrowio.TableReader
	i   int // index of the current row in t.Rows()
	row []string
	n   int64
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
	r.row = r.t.Rows()[r.i]
	return true
}

func (r *tableRecords) Record() []string { return r.row }
func (r *tableRecords) RowErr() error    { return nil }
func (r *tableRecords) Line() int64      { return r.t.RowNumber(r.i) }
func (r *tableRecords) Err() error       { return r.t.Err() }

// openColumnar opens a Parquet or Arrow IPC input. f is the file, br a
// buffered reader positioned at its (decompressed) start. Parquet needs
// random access: a gzip-compressed Parquet file is first decompressed to a
// temporary file, which the returned closer removes.
func openColumnar(format ingest.Format, f *os.File, br *bufio.Reader, gz bool) (ingest.Records, func() error, error) {
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
		return &tableRecords{t: t, i: -1}, closer, nil
	case ingest.FormatArrowFile, ingest.FormatArrowStream:
		t, err := arrowio.OpenIPC(br)
		if err != nil {
			return nil, nil, err
		}
		return &tableRecords{t: t, i: -1}, t.Close, nil
	}
	return nil, nil, fmt.Errorf("format %v: %w", format, engine.ErrUnsupportedFormat)
}
