package pipeline

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/coverage"
)

// decodeRecordsSerial is the record decoder as one goroutine runs it:
// each chunk read, counted and decoded before the next is read. The
// decoder on workers must give its result and its errors.
func decodeRecordsSerial[T any](dec *gob.Decoder, codec *recCodec[T]) ([]T, error) {
	n, err := chunksLength(dec)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, min(n, recordBlock))
	var full [][]T
	var buf []byte
	var strs interner
	for read := 0; read < n; {
		r, m, err := nextRecordChunk(dec, &buf, &strs, n-read)
		if err != nil {
			return nil, err
		}
		if len(out)+m > cap(out) {
			if len(out) > 0 {
				full = append(full, out)
			}
			out = make([]T, 0, max(m, min(n-read, recordBlock)))
		}
		k := len(out)
		out = out[:k+m]
		if err := getRecords(&r, codec, out[k:]); err != nil {
			return nil, err
		}
		read += m
	}
	if full == nil {
		return out, nil
	}
	all := make([]T, 0, n)
	for _, b := range append(full, out) {
		all = append(all, b...)
	}
	return all, nil
}

// recordStream writes the header n, then xs in chunks of the given
// sizes, each chunk's bytes passed through edit (when not nil) with its
// index, which returns what to write as the chunk's gob message; it
// returns the stream and the offset where each chunk's message starts.
func recordStream[T any](t *testing.T, n int, xs []T, sizes []int, edit func(i int, b []byte) any) ([]byte, []int) {
	t.Helper()
	codec := codecOf[T]()
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	if err := enc.Encode(n); err != nil {
		t.Fatal(err)
	}
	var starts []int
	lo := 0
	for i, m := range sizes {
		var w recWriter
		w.u64(uint64(m))
		for j := lo; j < lo+m; j++ {
			codec.put(&w, &xs[j])
		}
		lo += m
		var msg any = w.b
		if edit != nil {
			msg = edit(i, w.b)
		}
		starts = append(starts, buf.Len())
		if err := enc.Encode(msg); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes(), starts
}

// randomSizes splits n elements into chunks of 1 to gobChunk elements,
// many of them small so that blocks fill at odd places.
func randomSizes(n int, rng *rand.Rand) []int {
	var sizes []int
	for n > 0 {
		m := 1 + rng.IntN(gobChunk)
		if rng.IntN(3) == 0 {
			m = 1 + rng.IntN(50)
		}
		m = min(m, n)
		sizes = append(sizes, m)
		n -= m
	}
	return sizes
}

// decodeBoth decodes stream with the serial reference and on workers.
func decodeBoth[T any](stream []byte, workers int) (want, got []T, wantErr, gotErr error) {
	codec := codecOf[T]()
	want, wantErr = decodeRecordsSerial(gob.NewDecoder(bytes.NewReader(stream)), codec)
	got, gotErr = decodeRecordsOn(gob.NewDecoder(bytes.NewReader(stream)), codec, workers)
	return
}

// sameRecords says where got differs from want (length, capacity, an
// element field by field, floats by their bits), "" when nowhere.
func sameRecords[T any](want, got []T) string {
	if len(got) != len(want) || cap(got) != cap(want) {
		return fmt.Sprintf("%d elements (capacity %d), want %d (capacity %d)", len(got), cap(got), len(want), cap(want))
	}
	for i := range want {
		if !same(reflect.ValueOf(want[i]), reflect.ValueOf(got[i])) {
			return fmt.Sprintf("element %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	return ""
}

// testParallelAsSerial decodes xs, written in chunks of random sizes and
// by encodeChunks, on 1 to 8 workers and compares with the serial
// decoder and with xs.
func testParallelAsSerial[T any](t *testing.T, xs []T) {
	t.Helper()
	rng := rand.New(rand.NewPCG(5, uint64(len(xs))))
	var std bytes.Buffer
	if err := encodeChunks(gob.NewEncoder(&std), xs); err != nil {
		t.Fatal(err)
	}
	odd, _ := recordStream(t, len(xs), xs, randomSizes(len(xs), rng), nil)
	for _, stream := range [][]byte{std.Bytes(), odd} {
		for _, workers := range []int{1, 2, 3, 8} {
			want, got, wantErr, gotErr := decodeBoth[T](stream, workers)
			if wantErr != nil || gotErr != nil {
				t.Fatalf("%T on %d workers: %v; serially %v", xs[0], workers, gotErr, wantErr)
			}
			if d := sameRecords(want, got); d != "" {
				t.Fatalf("%T on %d workers against the serial decoder: %s", xs[0], workers, d)
			}
			if d := sameRecords(xs, got[:len(got):len(got)]); d != "" {
				t.Fatalf("%T on %d workers against what was written: %s", xs[0], workers, d)
			}
		}
	}
}

// TestDecodeRecordsOnWorkersAsSerial: decoded on workers, many chunks of
// odd sizes filling several blocks (recordBlock small, not a multiple of
// a chunk) come back element for element, with the length and capacity,
// as the serial decoder gives them.
func TestDecodeRecordsOnWorkersAsSerial(t *testing.T) {
	defer func(b int) { recordBlock = b }(recordBlock)
	n := 12 * gobChunk
	if raceEnabled || testing.Short() {
		n = 4 * gobChunk
	}
	states, rows, sites := randomOf[coverage.State](n+17), randomOf[aggregate.Row](n/4+3), randomOf[engine.Site](n/4+5)
	for _, block := range []int{gobChunk + 100, 1 << 22} {
		recordBlock = block
		testParallelAsSerial(t, states)
		testParallelAsSerial(t, rows)
		testParallelAsSerial(t, sites)
	}
}

// TestDecodeRecordsOnWorkersFirstError: a stream damaged at chunk k of n
// (its elements cut short, bytes left after them, a count of none or of
// more than a chunk or than are left, a message not of bytes, the stream
// ending inside it), and damaged differently at every chunk after k,
// fails on any number of workers with the serial decoder's error: chunk
// k's, never a later one's. No worker is left running.
func TestDecodeRecordsOnWorkersFirstError(t *testing.T) {
	defer func(b int) { recordBlock = b }(recordBlock)
	recordBlock = 2500
	const chunks, size = 12, 1000
	xs := randomOf[coverage.State](chunks * size)
	sizes := make([]int, chunks)
	for i := range sizes {
		sizes[i] = size
	}
	// after: the chunk after k counts none (its reading fails, the
	// reader's error, while chunk k may be decoding), the last is not a
	// byte string, and each other chunk after k holds bytes after its
	// elements, as many as its index: a later chunk's error is told from
	// chunk k's by its text.
	after := func(k int, at func(b []byte) any) func(i int, b []byte) any {
		return func(i int, b []byte) any {
			switch {
			case i == k:
				return at(b)
			case i == k+1:
				return recount(b, 0)
			case i == chunks-1:
				return "not bytes"
			case i > k:
				return append(b, make([]byte, i)...)
			}
			return b
		}
	}
	damages := map[string]func(b []byte) any{
		"cut short":      func(b []byte) any { return b[:len(b)-3] },
		"bytes after":    func(b []byte) any { return append(b, make([]byte, 100)...) },
		"count of none":  func(b []byte) any { return recount(b, 0) },
		"count too big":  func(b []byte) any { return recount(b, gobChunk+1) },
		"count over all": func(b []byte) any { return recount(b, chunks*size+1) },
		"an integer":     func(b []byte) any { return 7 },
	}
	base := runtime.NumGoroutine()
	for k := range chunks {
		for name, at := range damages {
			stream, starts := recordStream(t, chunks*size, xs, sizes, after(k, at))
			streams := map[string][]byte{name: stream}
			if name == "cut short" {
				// The stream itself ending inside chunk k's message.
				streams["stream ends"] = stream[:starts[k]+5]
			}
			for what, s := range streams {
				for _, workers := range []int{1, 2, 3, 8} {
					want, got, wantErr, gotErr := decodeBoth[coverage.State](s, workers)
					if wantErr == nil || want != nil {
						t.Fatalf("%s at chunk %d: the serial decoder gave %d elements, %v", what, k, len(want), wantErr)
					}
					if gotErr == nil || got != nil {
						t.Fatalf("%s at chunk %d, %d workers: %d elements, %v; want %q", what, k, workers, len(got), gotErr, wantErr)
					}
					if gotErr.Error() != wantErr.Error() || errors.Is(gotErr, errBadRecord) != errors.Is(wantErr, errBadRecord) {
						t.Errorf("%s at chunk %d, %d workers: %q, want the serial decoder's %q", what, k, workers, gotErr, wantErr)
					}
				}
			}
		}
	}
	// The workers have ended (wait returns after each has; a goroutine
	// may still be on its way out for a moment).
	for range 500 {
		if runtime.NumGoroutine() <= base {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	buf := make([]byte, 1<<16)
	t.Errorf("%d goroutines running, %d before the decodes:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
}

// recount returns chunk b with its count replaced by m.
func recount(b []byte, m uint64) []byte {
	_, n := binary.Uvarint(b)
	return append(binary.AppendUvarint(nil, m), b[n:]...)
}

// TestDecodeRecordsOnWorkersPanic: a codec panicking on a worker panics
// on the caller's goroutine (where a command turns it into an internal
// error), with the worker's stack.
func TestDecodeRecordsOnWorkersPanic(t *testing.T) {
	xs := randomOf[coverage.State](4 * gobChunk)
	var std bytes.Buffer
	if err := encodeChunks(gob.NewEncoder(&std), xs); err != nil {
		t.Fatal(err)
	}
	codec := recCodec[coverage.State]{putState, func(r *recReader, s *coverage.State) {
		getState(r, s)
		if s.Cell == xs[2*gobChunk+5].Cell {
			panic("a codec's bug")
		}
	}}
	defer func() {
		v := recover()
		s, _ := v.(string)
		if !strings.Contains(s, "a codec's bug") || !strings.Contains(s, "TestDecodeRecordsOnWorkersPanic") {
			t.Errorf("recovered %v, want the codec's panic with its stack", v)
		}
	}()
	got, err := decodeRecordsOn(gob.NewDecoder(bytes.NewReader(std.Bytes())), &codec, 3)
	t.Errorf("decoded %d states, %v; want a panic", len(got), err)
}

// BenchmarkStatesDecodeWorkers: a million coverage states decoded from
// their record chunks on one worker and on GOMAXPROCS.
func BenchmarkStatesDecodeWorkers(b *testing.B) {
	xs := randomOf[coverage.State](1 << 20)
	var rec bytes.Buffer
	if err := encodeChunks(gob.NewEncoder(&rec), xs); err != nil {
		b.Fatal(err)
	}
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for range b.N {
				if _, err := decodeRecordsOn(gob.NewDecoder(bytes.NewReader(rec.Bytes())), &stateCodec, workers); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
