package arrowio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/parquet"

	"github.com/lomsong/lomsong/engine"
)

// errDiskFull stands for the error of a full disk.
var errDiskFull = errors.New("no space left on device")

// failingWriter takes room bytes, then fails every write with err, as a
// file on a disk that fills up does (the write that crosses the limit is
// short).
type failingWriter struct {
	room int
	err  error
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) <= w.room {
		w.room -= len(p)
		return len(p), nil
	}
	n := w.room
	w.room = 0
	return n, w.err
}

// TestWriteErrorsAreErrors: a destination that fails (a full disk) makes
// every writer return its error, wrapped, whatever byte it fails at: the
// library panics when it cannot write a file's first bytes, and that
// panic must not reach the caller.
func TestWriteErrorsAreErrors(t *testing.T) {
	b := makeBatch(1500, 11)
	sites := []engine.Site{{SiteID: "A", Carrier: engine.Viettel, Tech: engine.Tech4G, Lon: 105, Lat: 21},
		{SiteID: "B", Carrier: engine.Viettel, Tech: engine.Tech5G, Lon: 105.1, Lat: 21.1}}
	cols := []Column{{Name: "id", Int64: []int64{1, 2, 3}}, {Name: "name", String: []string{"a", "b", "c"}},
		{Name: "v", Float64: []float64{1, 2, 3}}}
	for _, tc := range []struct {
		name  string
		write func(w io.Writer) error
	}{
		{"measurements", func(w io.Writer) error {
			mw, err := NewMeasurementWriter(w, WithCodec(LZ4Raw), WithRowGroupRows(500))
			if err != nil {
				return err
			}
			if err := mw.Write(b); err != nil {
				mw.Close()
				return err
			}
			return mw.Close()
		}},
		{"sites", func(w io.Writer) error { return WriteSites(w, sites, WithCodec(LZ4Raw)) }},
		{"table", func(w io.Writer) error { return WriteTable(w, cols, map[string]string{"k": "v"}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var whole bytes.Buffer
			if err := tc.write(&whole); err != nil {
				t.Fatal(err)
			}
			size := whole.Len()
			step := max(1, size/200)
			for room := 0; room < size; room += step {
				for _, room := range []int{room, min(room+3, size-1)} {
					err := func() (err error) {
						defer func() {
							if r := recover(); r != nil {
								err = fmt.Errorf("panic: %v", r)
							}
						}()
						return tc.write(&failingWriter{room: room, err: errDiskFull})
					}()
					if !errors.Is(err, errDiskFull) {
						t.Fatalf("destination failing after %d of %d bytes: err = %v, want one wrapping %v", room, size, err, errDiskFull)
					}
				}
			}
		})
	}
}

// TestWriteErrorPanicsStillPanic: a panic of the library when no write
// failed is a programming error, and is not turned into an error. (The
// library panics when told to encrypt a column the schema lacks.)
func TestWriteErrorPanicsStillPanic(t *testing.T) {
	enc := parquet.NewFileEncryptionProperties("0123456789012345", parquet.WithEncryptedColumns(
		parquet.ColumnPathToEncryptionPropsMap{"nope": parquet.NewColumnEncryptionProperties("nope")}))
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "not found in file schema") {
			t.Fatalf("recovered %v, want the library's panic", r)
		}
	}()
	err := WriteTable(io.Discard, []Column{{Name: "a", Int64: []int64{1}}}, nil, withWriterProps(parquet.WithEncryptionProperties(enc)))
	t.Fatalf("a misconfigured writer returned %v, not a panic", err)
}
