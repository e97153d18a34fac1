package ingest

import (
	"encoding/csv"
	"io"
	"strconv"
)

// QuarantineHeader is the column layout of quarantine tables.
var QuarantineHeader = []string{"source", "line", "column", "value", "reason", "detail"}

// QuarantineWriter writes rejected rows as CSV with QuarantineHeader.
type QuarantineWriter struct {
	w   *csv.Writer
	n   int64
	rec []string
}

// NewQuarantineWriter writes the header and returns the writer.
func NewQuarantineWriter(w io.Writer) (*QuarantineWriter, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(QuarantineHeader); err != nil {
		return nil, err
	}
	return &QuarantineWriter{w: cw, rec: make([]string, len(QuarantineHeader))}, nil
}

// Write adds one rejected row.
func (q *QuarantineWriter) Write(r Reject) error {
	q.rec[0], q.rec[1], q.rec[2], q.rec[3], q.rec[4], q.rec[5] =
		r.Source, strconv.FormatInt(r.Line, 10), r.Column, r.Value, string(r.Reason), r.Detail
	q.n++
	return q.w.Write(q.rec)
}

// Rows returns the number of rows written.
func (q *QuarantineWriter) Rows() int64 { return q.n }

// Flush flushes buffered rows and returns any write error.
func (q *QuarantineWriter) Flush() error {
	q.w.Flush()
	return q.w.Error()
}
