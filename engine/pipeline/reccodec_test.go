package pipeline

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"unsafe"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/coverage"
)

// fillRandom sets every field of v (a pointer), recursively, to a random
// non-zero value a record codec must carry: small enums, integers of
// either sign, floats including NaN, −0 and infinities, strings from a
// few values (as carriers repeat), non-empty slices, set pointers.
func fillRandom(v reflect.Value, rng *rand.Rand) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fillRandom(v.Elem(), rng)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			fillRandom(v.Field(i), rng)
		}
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Uint8:
		v.SetUint(uint64(1 + rng.IntN(5)))
	case reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(1 + rng.IntN(1<<20)))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		x := int64(1 + rng.IntN(100))
		if rng.IntN(2) == 0 {
			x = -x
		}
		v.SetInt(x)
	case reflect.Float32, reflect.Float64:
		specials := []float64{math.NaN(), math.Copysign(0, -1), math.Inf(1), math.Inf(-1)}
		if rng.IntN(4) == 0 {
			v.SetFloat(specials[rng.IntN(len(specials))])
		} else {
			v.SetFloat(rng.NormFloat64() * 100)
		}
	case reflect.String:
		v.SetString([]string{"viettel", "vinaphone", "VTL-0001-L18-A", "x"}[rng.IntN(4)])
	case reflect.Slice:
		n := 1 + rng.IntN(4)
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			fillRandom(v.Index(i), rng)
		}
	default:
		panic(fmt.Sprintf("fillRandom: kind %s of %s", v.Kind(), v.Type()))
	}
}

// same compares two values field by field with floats by their bits.
func same(a, b reflect.Value) bool {
	switch a.Kind() {
	case reflect.Float32, reflect.Float64:
		return math.Float64bits(a.Float()) == math.Float64bits(b.Float())
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return same(a.Elem(), b.Elem())
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if !same(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !same(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	}
	return a.Interface() == b.Interface()
}

func roundTrip[T any](t *testing.T, n int) {
	t.Helper()
	roundTripOf(t, randomOf[T](n), func(a, b T) bool { return same(reflect.ValueOf(a), reflect.ValueOf(b)) })
}

// randomOf returns n values of T, every field filled (fillRandom).
func randomOf[T any](n int) []T {
	rng := rand.New(rand.NewPCG(7, uint64(n)))
	xs := make([]T, n)
	for i := range xs {
		fillRandom(reflect.ValueOf(&xs[i]), rng)
	}
	return xs
}

// roundTripOf encodes xs, decodes them and compares each with eq, then
// skips them.
func roundTripOf[T any](t *testing.T, xs []T, eq func(a, b T) bool) {
	t.Helper()
	n := len(xs)
	var buf bytes.Buffer
	if err := encodeChunks(gob.NewEncoder(&buf), xs); err != nil {
		t.Fatal(err)
	}
	got, err := decodeChunks[T](gob.NewDecoder(bytes.NewReader(buf.Bytes())), nil)
	if err != nil {
		t.Fatalf("%T: %v", xs[0], err)
	}
	if len(got) != n {
		t.Fatalf("%T: %d elements back, want %d", xs[0], len(got), n)
	}
	for i := range xs {
		if !eq(xs[i], got[i]) {
			t.Fatalf("%T element %d:\n got %+v\nwant %+v", xs[0], i, got[i], xs[i])
		}
	}
	if k, err := skipChunks[T](gob.NewDecoder(bytes.NewReader(buf.Bytes()))); err != nil || k != n {
		t.Errorf("%T: skipChunks = %d, %v; want %d", xs[0], k, err, n)
	}
}

// TestRecordCodecsRoundTrip: every type with a record codec comes back
// field for field (every field filled by reflection, so a field the codec
// forgets fails), over more than one chunk, and is skipped with its
// count; the strings of the elements read are shared.
func TestRecordCodecsRoundTrip(t *testing.T) {
	roundTrip[coverage.State](t, gobChunk+3)
	roundTrip[coverage.PredictedCell](t, 100)
	roundTrip[aggregate.Row](t, 100)
	roundTrip[engine.Site](t, 100)
	// A reading's fields are unexported: filled through readingState, its
	// saved form (the positional literal fails to build when a field is
	// added to one and not the other).
	var readings []evReading
	for _, r := range randomOf[readingState](100) {
		readings = append(readings, evReading{r.Cell, r.Hex, r.Key.Carrier, r.Sum, int32(r.N), r.Key.Tech, kindOf(r.Upper, r.Indoor, r.Scanner, r.Fallback)})
	}
	roundTripOf(t, readings, func(a, b evReading) bool {
		sa, sb := a, b
		sa.sum, sb.sum = 0, 0
		return sa == sb && math.Float64bits(a.sum) == math.Float64bits(b.sum)
	})
	if codecOf[speedState]() != nil {
		t.Error("speedState has a record codec: add it to this test")
	}

	states := []coverage.State{{Carrier: "viettel", ServingSite: "S1"}, {Carrier: "viettel", ServingSite: "S1"}}
	var buf bytes.Buffer
	if err := encodeChunks(gob.NewEncoder(&buf), states); err != nil {
		t.Fatal(err)
	}
	got, err := decodeChunks[coverage.State](gob.NewDecoder(&buf), nil)
	if err != nil {
		t.Fatal(err)
	}
	if p, q := unsafe.StringData(string(got[0].Carrier)), unsafe.StringData(string(got[1].Carrier)); p != q {
		t.Error("the two states' carriers are separate copies")
	}
}

// TestDecodeRecordsBeyondOneBlock: past recordBlock elements the chunks
// are decoded into blocks and copied into one result, in order.
func TestDecodeRecordsBeyondOneBlock(t *testing.T) {
	defer func(b int) { recordBlock = b }(recordBlock)
	recordBlock = 10000
	xs := randomOf[aggregate.Row](3*gobChunk + 17) // four chunks: blocks of one chunk
	var buf bytes.Buffer
	if err := encodeChunks(gob.NewEncoder(&buf), xs); err != nil {
		t.Fatal(err)
	}
	got, err := decodeChunks[aggregate.Row](gob.NewDecoder(&buf), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(xs) || cap(got) != len(xs) {
		t.Fatalf("%d rows back (capacity %d), want %d", len(got), cap(got), len(xs))
	}
	for i := range xs {
		if !same(reflect.ValueOf(xs[i]), reflect.ValueOf(got[i])) {
			t.Fatalf("row %d:\n got %+v\nwant %+v", i, got[i], xs[i])
		}
	}
}

// TestRecordCodecsRejectCorruptChunks: a chunk cut short, with bytes left
// over, counting more elements than the header, than a chunk holds or
// than its bytes could is an error, never a panic, a huge allocation or a
// silently short result.
func TestRecordCodecsRejectCorruptChunks(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	rows := make([]aggregate.Row, 5)
	for i := range rows {
		fillRandom(reflect.ValueOf(&rows[i]), rng)
	}
	var w recWriter
	w.u64(uint64(len(rows)))
	for i := range rows {
		rowCodec.put(&w, &rows[i])
	}
	good := w.b
	cases := map[string]struct {
		n     int
		chunk []byte
	}{
		"cut short":        {5, good[:len(good)-3]},
		"trailing bytes":   {5, append(append([]byte{}, good...), 0)},
		"more than header": {4, good},
		"empty":            {5, []byte{0}},
		"huge count":       {1 << 40, binary.AppendUvarint(nil, 1<<39)},
		"count over bytes": {5000, binary.AppendUvarint(nil, 5000)},
		"no count":         {5, nil},
	}
	for name, c := range cases {
		var buf bytes.Buffer
		enc := gob.NewEncoder(&buf)
		if err := enc.Encode(c.n); err != nil {
			t.Fatal(err)
		}
		if err := enc.Encode(c.chunk); err != nil {
			t.Fatal(err)
		}
		_, err := decodeChunks[aggregate.Row](gob.NewDecoder(&buf), nil)
		if err == nil {
			t.Errorf("%s: decoded without an error", name)
		} else if name != "empty" && !errors.Is(err, errBadRecord) {
			t.Errorf("%s: %v, want errBadRecord", name, err)
		}
	}
}

// BenchmarkStatesDecode: a million coverage states decoded from their
// record chunks, against gob's own encoding of the same states.
func BenchmarkStatesDecode(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 3))
	xs := make([]coverage.State, 1<<20)
	for i := range xs {
		fillRandom(reflect.ValueOf(&xs[i]), rng)
	}
	var rec, plain bytes.Buffer
	if err := encodeChunks(gob.NewEncoder(&rec), xs); err != nil {
		b.Fatal(err)
	}
	enc := gob.NewEncoder(&plain)
	for i := 0; i < len(xs); i += gobChunk {
		if err := enc.Encode(xs[i:min(i+gobChunk, len(xs))]); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("records", func(b *testing.B) {
		for range b.N {
			if _, err := decodeChunks[coverage.State](gob.NewDecoder(bytes.NewReader(rec.Bytes())), nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gob", func(b *testing.B) {
		for range b.N {
			dec := gob.NewDecoder(bytes.NewReader(plain.Bytes()))
			out := make([]coverage.State, 0, len(xs))
			for len(out) < len(xs) {
				var c []coverage.State
				if err := dec.Decode(&c); err != nil {
					b.Fatal(err)
				}
				out = append(out, c...)
			}
		}
	})
}
