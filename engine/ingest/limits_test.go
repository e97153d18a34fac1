package ingest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// TestCheckRange: one range rule for every command's and the service's
// limits; zero is out of range (WithDefaults fills it first where zero
// means the default), and the first field out of range is named.
func TestCheckRange(t *testing.T) {
	for _, c := range []struct {
		l     Limits
		field string
	}{
		{Limits{}, "MaxLineBytes"},
		{Limits{}.WithDefaults(), ""},
		{DefaultLimits(), ""},
		{Limits{MaxLineBytes: 1, MaxGzipRatio: 1, MaxSpillRatio: 1, MaxDecompressedBytes: 1, MaxSpillBytes: 1}, ""},
		{Limits{MaxLineBytes: MaxLineBytesCap}.WithDefaults(), ""},
		{Limits{MaxLineBytes: MaxLineBytesCap + 1}.WithDefaults(), "MaxLineBytes"},
		{Limits{MaxLineBytes: -1}.WithDefaults(), "MaxLineBytes"},
		{Limits{MaxDecompressedBytes: -1}.WithDefaults(), "MaxDecompressedBytes"},
		{Limits{MaxGzipRatio: 0.5}.WithDefaults(), "MaxGzipRatio"},
		{Limits{MaxGzipRatio: math.NaN()}.WithDefaults(), "MaxGzipRatio"},
		{Limits{MaxSpillBytes: -5}.WithDefaults(), "MaxSpillBytes"},
		{Limits{MaxSpillRatio: 0.99}.WithDefaults(), "MaxSpillRatio"},
		{func() Limits { l := DefaultLimits(); l.MaxSpillBytes = 0; return l }(), "MaxSpillBytes"},
	} {
		err := c.l.CheckRange()
		var le *LimitError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%+v: %v", c.l, err)
		case c.field != "" && (!errors.As(err, &le) || le.Field != c.field || !errors.Is(err, engine.ErrInvalidConfig)):
			t.Errorf("%+v: %v, want a LimitError on %s", c.l, err, c.field)
		}
	}
}

// TestGzipErrorPrefix: a damaged gzip stream's error names gzip once,
// whether compress/gzip's own message already says "gzip:" (a bad checksum
// or header) or not (a truncated stream).
func TestGzipErrorPrefix(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(strings.Repeat("ts,carrier,tech,lon,lat,signal_dbm\n", 100)))
	zw.Close()
	good := buf.Bytes()
	badCRC := append([]byte(nil), good...)
	badCRC[len(badCRC)-8] ^= 0xff
	badHeader := append([]byte(nil), good...)
	badHeader[2] = 0 // compression method other than deflate
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"checksum", badCRC, "gzip: invalid checksum"},
		{"truncated", good[:len(good)-4], "gzip: the file is cut short, its compressed data ending before the end of the stream (a copy or download that stopped part-way?): unexpected EOF"},
		{"header", badHeader, "gzip: invalid header"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, _, err := MaybeGunzip(bytes.NewReader(c.data))
			if err == nil {
				_, err = io.ReadAll(r)
			}
			if err == nil || err.Error() != c.want {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}
