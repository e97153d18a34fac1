package arrowio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/lomsong/lomsong/engine"
)

// mixedRecord builds a 4-row record of every type the ingest layer meets,
// with a null in each column, and the strings OpenTable/OpenIPC must render.
func mixedRecord(t *testing.T) (arrow.Record, [][]string) {
	t.Helper()
	mem := memory.DefaultAllocator
	tsMs := &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}
	tsUs := &arrow.TimestampType{Unit: arrow.Microsecond} // no zone: a wall clock, written without offset
	dict := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}
	md := arrow.NewMetadata([]string{"source"}, []string{"test"})
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "ls", Type: arrow.BinaryTypes.LargeString, Nullable: true},
		{Name: "ds", Type: dict, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "ts_ms", Type: tsMs, Nullable: true},
		{Name: "ts_us", Type: tsUs, Nullable: true},
		{Name: "d32", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		// A column of the null type: what pandas and pyarrow write for a
		// column that is None on every row (read as empty, not "(null)").
		{Name: "none", Type: arrow.Null, Nullable: true},
	}, &md)
	rb := array.NewRecordBuilder(mem, sc)
	defer rb.Release()
	valid := []bool{true, true, true, false}
	rb.Field(0).(*array.Int32Builder).AppendValues([]int32{-7, 0, math.MaxInt32, 0}, valid)
	rb.Field(1).(*array.Int64Builder).AppendValues([]int64{math.MinInt64, 42, 1735689600000, 0}, valid)
	rb.Field(2).(*array.Float32Builder).AppendValues([]float32{0.1, -105.5, 1e-7, 0}, valid)
	tenth := 0.1
	rb.Field(3).(*array.Float64Builder).AppendValues([]float64{0.1, -105.25, tenth + 0.2, 0}, valid)
	rb.Field(4).(*array.StringBuilder).AppendValues([]string{"Viettel", "", "Lõm sóng, \"x\"", ""}, valid)
	rb.Field(5).(*array.LargeStringBuilder).AppendValues([]string{"a", "bb", "ccc", ""}, valid)
	db := rb.Field(6).(*array.BinaryDictionaryBuilder)
	for _, v := range []string{"4G", "LTE", "4G"} {
		if err := db.AppendString(v); err != nil {
			t.Fatal(err)
		}
	}
	db.AppendNull()
	rb.Field(7).(*array.BooleanBuilder).AppendValues([]bool{true, false, true, false}, valid)
	ms := time.Date(2025, 7, 1, 1, 2, 3, 456e6, time.UTC).UnixMilli()
	rb.Field(8).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{arrow.Timestamp(ms), 0, -1, 0}, valid)
	rb.Field(9).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{arrow.Timestamp(ms*1000 + 789), 1, 0, 0}, valid)
	rb.Field(10).(*array.Date32Builder).AppendValues([]arrow.Date32{arrow.Date32FromTime(time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)), 0, -1, 0}, valid)
	rb.Field(11).(*array.NullBuilder).AppendNulls(4)
	want := [][]string{
		{"-7", "-9223372036854775808", "0.1", "0.1", "Viettel", "a", "4G", "true", "2025-07-01T01:02:03.456Z", "2025-07-01T01:02:03.456", "2025-07-01", ""},
		{"0", "42", "-105.5", "-105.25", "", "bb", "LTE", "false", "1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00.000", "1970-01-01", ""},
		{"2147483647", "1735689600000", "1e-07", "0.30000000000000004", "Lõm sóng, \"x\"", "ccc", "4G", "true", "1969-12-31T23:59:59.999Z", "1970-01-01T00:00:00.000", "1969-12-31", ""},
		{"", "", "", "", "", "", "", "", "", "", "", ""},
	}
	return rb.NewRecord(), want
}

func readAll(t *testing.T, tr *TableReader) ([][]string, []int64) {
	t.Helper()
	var rows [][]string
	var nums []int64
	for tr.Next() {
		for i, r := range tr.Rows() {
			rows = append(rows, append([]string(nil), r...))
			nums = append(nums, tr.RowNumber(i))
		}
	}
	if err := tr.Err(); err != nil {
		t.Fatal(err)
	}
	return rows, nums
}

func TestGenericTables(t *testing.T) {
	rec, want := mixedRecord(t)
	defer rec.Release()
	cols := make([]string, rec.NumCols())
	for i, f := range rec.Schema().Fields() {
		cols[i] = f.Name
	}

	var pq, ipcStream bytes.Buffer
	ipcFile, err := os.CreateTemp(t.TempDir(), "*.arrow") // the ipc file writer seeks
	if err != nil {
		t.Fatal(err)
	}
	defer ipcFile.Close()
	pw, err := pqarrow.NewFileWriter(rec.Schema(), &pq, parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(3)), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; k < 2; k++ { // 8 rows in row groups of 3
		if err := pw.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
	fw, err := ipc.NewFileWriter(ipcFile, ipc.WithSchema(rec.Schema()))
	if err != nil {
		t.Fatal(err)
	}
	sw := ipc.NewWriter(&ipcStream, ipc.WithSchema(rec.Schema()))
	for k := 0; k < 2; k++ {
		if err := fw.Write(rec); err != nil {
			t.Fatal(err)
		}
		if err := sw.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sw.Close(); err != nil {
		t.Fatal(err)
	}
	want = append(want, want...)
	ipcFileBytes, err := os.ReadFile(ipcFile.Name())
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		format Format
		data   []byte
		open   func(data []byte) (*TableReader, error)
	}{
		{"parquet", FormatParquet, pq.Bytes(), func(d []byte) (*TableReader, error) {
			return OpenTable(bytes.NewReader(d), int64(len(d)), WithBatchRows(3))
		}},
		{"ipc file", FormatIPCFile, ipcFileBytes, func(d []byte) (*TableReader, error) {
			return OpenIPC(io.MultiReader(bytes.NewReader(d)), WithBatchRows(3)) // not seekable
		}},
		{"ipc stream", FormatIPCStream, ipcStream.Bytes(), func(d []byte) (*TableReader, error) {
			return OpenIPC(bytes.NewReader(d), WithBatchRows(3))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Sniff(tc.data); got != tc.format {
				t.Errorf("Sniff = %v, want %v", got, tc.format)
			}
			tr, err := tc.open(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			if !reflect.DeepEqual(tr.Columns(), cols) {
				t.Errorf("Columns = %q, want %q", tr.Columns(), cols)
			}
			if tr.Metadata()["source"] != "test" {
				t.Errorf("Metadata = %v, want source=test", tr.Metadata())
			}
			rows, nums := readAll(t, tr)
			if len(rows) != len(want) {
				t.Fatalf("%d rows, want %d", len(rows), len(want))
			}
			for i := range want {
				if nums[i] != int64(i+1) {
					t.Errorf("row %d: RowNumber %d", i, nums[i])
				}
				for j := range want[i] {
					if rows[i][j] != want[i][j] {
						t.Errorf("row %d column %s = %q, want %q", i+1, cols[j], rows[i][j], want[i][j])
					}
				}
			}
		})
	}
}

func TestResultTableRoundTrip(t *testing.T) {
	cols := []Column{
		{Name: "h3", Uint64: []uint64{0x8865a84a4dfffff, math.MaxUint64, 0}},
		{Name: "n", Int64: []int64{-1, 0, 5}},
		{Name: "ts", TimeUnixMs: []int64{0, 1735689600123, -1}},
		{Name: "share", Float64: []float64{0.25, math.NaN(), 1e300}},
		{Name: "reason", String: []string{"", "bad lon", "x"}, EmptyIsNull: true},
		{Name: "carrier", String: []string{"", "viettel", "viettel"}},
		{Name: "ok", Bool: []bool{true, false, true}},
	}
	meta := map[string]string{"resolution": "8", "threshold_4g_dbm": "-105"}
	var buf bytes.Buffer
	tw, err := NewTableWriter(&buf, meta, WithRowGroupRows(2), WithCodec(Snappy))
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Write(cols); err != nil {
		t.Fatal(err)
	}
	if err := tw.Write(cols); err != nil { // streaming: a second batch
		t.Fatal(err)
	}
	bad := append([]Column(nil), cols...)
	bad[1] = Column{Name: "n", Float64: []float64{1, 2, 3}}
	if err := tw.Write(bad); !errors.Is(err, engine.ErrInvalidValue) {
		t.Errorf("changed column type: err = %v", err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	tr, err := OpenTable(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tr.Metadata(), meta) {
		t.Errorf("Metadata = %v, want %v", tr.Metadata(), meta)
	}
	rows, _ := readAll(t, tr)
	want := [][]string{
		{"614277924930977791", "18446744073709551615", "0"},
		{"-1", "0", "5"},
		{"1970-01-01T00:00:00.000Z", "2025-01-01T00:00:00.123Z", "1969-12-31T23:59:59.999Z"},
		{"0.25", "", "1e+300"},
		{"", "bad lon", "x"},
		{"", "viettel", "viettel"},
		{"true", "false", "true"},
	}
	if len(rows) != 6 {
		t.Fatalf("%d rows, want 6", len(rows))
	}
	for i, r := range rows {
		for j := range cols {
			if r[j] != want[j][i%3] {
				t.Errorf("row %d %s = %q, want %q", i+1, cols[j].Name, r[j], want[j][i%3])
			}
		}
	}
	for _, bad := range [][]Column{
		{{Name: "a", Int64: []int64{1}, Float64: []float64{1}}},
		{{Name: "a", Int64: []int64{1}}, {Name: "b", Int64: []int64{1, 2}}},
		{{Name: "a", Int64: []int64{1}}, {Name: "a", Int64: []int64{1}}},
		{},
	} {
		if err := WriteTable(io.Discard, bad, nil); !errors.Is(err, engine.ErrInvalidValue) {
			t.Errorf("WriteTable(%v): err = %v, want ErrInvalidValue", bad, err)
		}
	}
}

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Format
	}{
		{"parquet", "PAR1\x15\x04", FormatParquet},
		{"arrow file", "ARROW1\x00\x00", FormatIPCFile},
		{"arrow stream", "\xff\xff\xff\xff\x10\x01", FormatIPCStream},
		{"csv", "ts,carrier,tech", FormatUnknown},
		{"empty", "", FormatUnknown},
		{"short parquet", "PAR", FormatUnknown},
		{"short stream", "\xff\xff\xff", FormatUnknown},
		{"lower case", "par1", FormatUnknown},
	}
	for _, tc := range tests {
		if got := Sniff([]byte(tc.in)); got != tc.want {
			t.Errorf("%s: Sniff(%q) = %v, want %v", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestOpenRejects(t *testing.T) {
	for _, in := range []string{"", "PAR1", "ts,lon\n1,2\n", "PAR1xxxxxxxxPAR1"} {
		if _, err := OpenTable(strings.NewReader(in), int64(len(in))); !errors.Is(err, engine.ErrUnsupportedFormat) {
			t.Errorf("OpenTable(%q): err = %v, want ErrUnsupportedFormat", in, err)
		}
	}
	for _, in := range []string{"", "ARROW1", "ts,lon\n", "\xff\xff\xff\xff\xff\xff\xff\x7f"} {
		if _, err := OpenIPC(strings.NewReader(in)); !errors.Is(err, engine.ErrUnsupportedFormat) {
			t.Errorf("OpenIPC(%q): err = %v, want ErrUnsupportedFormat", in, err)
		}
	}
}

// TestRowsWithoutValuesRefused: a record declares its length, and one of
// no columns or of null columns alone holds no bytes whatever it declares.
// Such records are refused with an error rather than rendered for ever;
// a record of the same length with a value column is read.
func TestRowsWithoutValuesRefused(t *testing.T) {
	stream := func(fields []arrow.Field, cols []arrow.Array, rows int64) []byte {
		var buf bytes.Buffer
		sc := arrow.NewSchema(fields, nil)
		w := ipc.NewWriter(&buf, ipc.WithSchema(sc))
		if err := w.Write(array.NewRecord(sc, cols, rows)); err != nil || w.Close() != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	nulls := array.NewNull(40)
	b := array.NewInt64Builder(memory.DefaultAllocator)
	b.AppendValues(make([]int64, 40), nil)
	ints := b.NewArray()
	nullField := arrow.Field{Name: "n", Type: arrow.Null, Nullable: true}
	for _, tc := range []struct {
		name string
		data []byte
		want int64 // rows read; -1: refused
	}{
		{"no columns, 2^40 rows", stream(nil, nil, 1<<40), -1},
		{"a null column alone", stream([]arrow.Field{nullField}, []arrow.Array{nulls}, 40), -1},
		{"a null column beside values", stream([]arrow.Field{nullField, {Name: "v", Type: arrow.PrimitiveTypes.Int64}}, []arrow.Array{nulls, ints}, 40), 40},
		{"no rows", stream(nil, nil, 0), 0},
	} {
		tr, err := OpenIPC(bytes.NewReader(tc.data), WithBatchRows(7))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var rows int64
		for tr.Next() {
			rows += int64(len(tr.Rows()))
		}
		err = tr.Err()
		tr.Close()
		switch {
		case tc.want < 0 && !errors.Is(err, engine.ErrUnsupportedFormat):
			t.Errorf("%s: err = %v after %d rows, want ErrUnsupportedFormat", tc.name, err, rows)
		case tc.want < 0 && !strings.Contains(err.Error(), "rows without values"):
			t.Errorf("%s: err = %v, want it to say the rows hold no values", tc.name, err)
		case tc.want >= 0 && (err != nil || rows != tc.want):
			t.Errorf("%s: %d rows, err %v; want %d rows", tc.name, rows, err, tc.want)
		}
	}
}

// TestFooterRowCountChecked patches a table's footer to declare 5,000 rows
// where its row group holds 4,000: every reader must refuse the file
// instead of ending early as if the table were complete.
func TestFooterRowCountChecked(t *testing.T) {
	ids := make([]string, 4000)
	vals := make([]float64, 4000)
	for i := range ids {
		ids[i], vals[i] = "s"+strings.Repeat("x", i%7), float64(i)
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, []Column{{Name: "site_id", String: ids}, {Name: "v", Float64: vals}}, nil); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	rows, _, err := ParquetFooter(bytes.NewReader(data), int64(len(data)))
	if err != nil || rows != 4000 {
		t.Fatalf("footer of the intact file: %d rows, %v", rows, err)
	}
	// FileMetaData field 3 (num_rows, i64) follows the schema list: compact
	// header 0x16, then the zigzag varint of 4000 (C0 3E); 5000 is 90 4E.
	flen := int(data[len(data)-8]) | int(data[len(data)-7])<<8 | int(data[len(data)-6])<<16 | int(data[len(data)-5])<<24
	footer := data[len(data)-8-flen : len(data)-8]
	i := bytes.Index(footer, []byte{0x16, 0xC0, 0x3E})
	if i < 0 {
		t.Fatal("num_rows not found in the footer")
	}
	footer[i+1], footer[i+2] = 0x90, 0x4E
	if _, _, err := ParquetFooter(bytes.NewReader(data), int64(len(data))); err == nil || !strings.Contains(err.Error(), "declares 5000 rows") {
		t.Fatalf("ParquetFooter: want a row count error, got %v", err)
	}
	want := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, engine.ErrUnsupportedFormat) || !strings.Contains(err.Error(), "declares 5000 rows, its row groups hold 4000") {
			t.Fatalf("%s: want a row count error, got %v", what, err)
		}
	}
	_, err = OpenTable(bytes.NewReader(data), int64(len(data)))
	want("OpenTable", err)
	_, err = ReadSites(bytes.NewReader(data), int64(len(data)))
	want("ReadSites", err)
	_, err = NewMeasurementReader(bytes.NewReader(data), int64(len(data)))
	want("NewMeasurementReader", err)
}

// TestTableReaderEndsAtDeclaredRows checks that reaching the end of the
// record batches with fewer rows than the footer declares is an error.
func TestTableReaderEndsAtDeclaredRows(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTable(&buf, []Column{{Name: "v", Float64: []float64{1, 2, 3}}}, nil); err != nil {
		t.Fatal(err)
	}
	tr, err := OpenTable(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	tr.declared = 4 // as if a column chunk ended a row early
	n := 0
	for tr.Next() {
		n += len(tr.Rows())
	}
	if n != 3 || tr.Err() == nil || !strings.Contains(tr.Err().Error(), "declares 4 rows, the file ended after 3") {
		t.Fatalf("read %d rows, err %v", n, tr.Err())
	}
}

// TestBinaryColumnRoundTrip writes a binary column with a null and an
// empty value and reads the bytes back unchanged.
func TestBinaryColumnRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	vals := [][]byte{{0x01, 0x00, 0xff}, nil, {}, []byte("wkb")}
	cols := []Column{{Name: "id", Int64: []int64{1, 2, 3, 4}}, {Name: "geometry", Binary: vals}}
	if err := WriteTable(&buf, cols, map[string]string{"geo": `{"version":"1.1.0"}`}); err != nil {
		t.Fatal(err)
	}
	tr, err := OpenTable(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if got := tr.Metadata()["geo"]; got != `{"version":"1.1.0"}` {
		t.Errorf("geo metadata %q", got)
	}
	var got []string
	for tr.Next() {
		for _, r := range tr.Rows() {
			got = append(got, r[1])
		}
	}
	if err := tr.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{"\x01\x00\xff", "", "", "wkb"}
	if !slices.Equal(got, want) {
		t.Errorf("binary values %q, want %q", got, want)
	}
}

// Floats render as the number a CSV file would hold: no exponent from
// 10⁻⁵ to 10²¹ (a Unix time or a cell id stored as a double), the
// shortest digits that read back as the value.
func TestAppendFloat(t *testing.T) {
	for _, c := range []struct {
		v    float64
		bits int
		want string
	}{
		{1729000123, 64, "1729000123"}, {1729000000, 64, "1729000000"}, {12345678, 64, "12345678"},
		{-105.25, 64, "-105.25"}, {0.1, 32, "0.1"}, {0, 64, "0"}, {1e-7, 64, "1e-07"}, {2e21, 64, "2e+21"},
		{0.30000000000000004, 64, "0.30000000000000004"}, {1.5e-5, 64, "0.000015"},
	} {
		if got := string(appendFloat(nil, c.v, c.bits)); got != c.want {
			t.Errorf("appendFloat(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

// TestTableWriterParallelSameBytes writes a table of every column kind,
// large enough for eachColumn to use several goroutines, with values that
// make pages of every shape (nulls, a page of only nulls, dictionaries,
// row groups closed mid-Write), and checks that the file is the same bytes
// on one goroutine and on four, for each codec, and that it reads back.
// (A dictionary that falls back to plain is left out: the library writes
// the chunk's encoding statistics from a map then, in a different order
// from one run to the next, whatever the goroutines.)
func TestTableWriterParallelSameBytes(t *testing.T) {
	const n = 3*parallelRows + 123
	cols := []Column{
		{Name: "h3", Uint64: make([]uint64, n)},
		{Name: "n", Int64: make([]int64, n)},
		{Name: "ts", TimeUnixMs: make([]int64, n)},
		{Name: "share", Float64: make([]float64, n)},
		{Name: "none", Float64: make([]float64, n)},
		{Name: "reason", String: make([]string, n), EmptyIsNull: true},
		{Name: "cell", String: make([]string, n)},
		{Name: "ok", Bool: make([]bool, n)},
		{Name: "wkb", Binary: make([][]byte, n)},
	}
	for i := range n {
		cols[0].Uint64[i] = uint64(i) * 0x9e3779b97f4a7c15
		cols[1].Int64[i] = int64(i % 1000)
		cols[2].TimeUnixMs[i] = 1735689600000 + int64(i)*7919
		cols[3].Float64[i] = float64(i) / 7
		if i%5 == 0 {
			cols[3].Float64[i] = math.NaN()
		}
		cols[4].Float64[i] = math.NaN()
		if i%3 > 0 {
			cols[5].String[i] = []string{"bad lon", "bad lat"}[i%2]
		}
		cols[6].String[i] = fmt.Sprintf("88%013x", i/3)
		cols[7].Bool[i] = i%3 == 0
		if i%4 > 0 {
			cols[8].Binary[i] = []byte(fmt.Sprint(i))
		}
	}
	write := func(procs int, codec Codec) []byte {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		var buf bytes.Buffer
		tw, err := NewTableWriter(&buf, map[string]string{"k": "v"}, WithRowGroupRows(2*parallelRows+7), WithCodec(codec))
		if err != nil {
			t.Fatal(err)
		}
		for lo := 0; lo < n; lo += parallelRows + 1000 {
			part := make([]Column, len(cols))
			for j, c := range cols {
				part[j] = sliceColumn(c, lo, min(n, lo+parallelRows+1000))
			}
			if err := tw.Write(part); err != nil {
				t.Fatal(err)
			}
		}
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	for _, codec := range []Codec{Snappy, Zstd, LZ4Raw} {
		one, four := write(1, codec), write(4, codec)
		if !bytes.Equal(one, four) {
			t.Errorf("codec %v: %d bytes on one goroutine, %d on four, not the same", codec, len(one), len(four))
		}
		tr, err := OpenTable(bytes.NewReader(four), int64(len(four)))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := readAll(t, tr)
		if len(rows) != n || rows[n-1][6] != cols[6].String[n-1] || rows[7][3] != "1" {
			t.Errorf("codec %v: read back %d rows, last cell %q, row 8 share %q", codec, len(rows), rows[n-1][6], rows[7][3])
		}
	}
}

// sliceColumn returns rows lo..hi of c.
func sliceColumn(c Column, lo, hi int) Column {
	s := Column{Name: c.Name, EmptyIsNull: c.EmptyIsNull}
	switch {
	case c.Int64 != nil:
		s.Int64 = c.Int64[lo:hi]
	case c.Uint64 != nil:
		s.Uint64 = c.Uint64[lo:hi]
	case c.TimeUnixMs != nil:
		s.TimeUnixMs = c.TimeUnixMs[lo:hi]
	case c.Float64 != nil:
		s.Float64 = c.Float64[lo:hi]
	case c.String != nil:
		s.String = c.String[lo:hi]
	case c.Binary != nil:
		s.Binary = c.Binary[lo:hi]
	default:
		s.Bool = c.Bool[lo:hi]
	}
	return s
}

// TestResultTableNullIntsAndBools checks Column.Null: the rows it marks are
// null in the Parquet file (the columns optional), the others their values,
// and Null on another kind of column, or of another length, is refused.
func TestResultTableNullIntsAndBools(t *testing.T) {
	cols := []Column{
		{Name: "devices", Int64: []int64{3, 0, 64, 0}, Null: []bool{false, true, false, true}},
		{Name: "exact", Bool: []bool{true, true, false, true}, Null: []bool{false, true, false, true}},
		{Name: "rows", Int64: []int64{1, 2, 3, 4}},
	}
	var buf bytes.Buffer
	tw, err := NewTableWriter(&buf, nil, WithRowGroupRows(3))
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Write(cols); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	tr, err := OpenTable(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := readAll(t, tr)
	want := [][]string{{"3", "true", "1"}, {"", "", "2"}, {"64", "false", "3"}, {"", "", "4"}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows = %q, want %q", rows, want)
	}
	for _, bad := range []Column{
		{Name: "s", Float64: []float64{1}, Null: []bool{true}},
		{Name: "n", Int64: []int64{1, 2}, Null: []bool{true}},
	} {
		tw, err := NewTableWriter(io.Discard, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := tw.Write([]Column{bad}); !errors.Is(err, engine.ErrInvalidValue) {
			t.Errorf("%s: err = %v, want ErrInvalidValue", bad.Name, err)
		}
	}
}
