package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// marshalled is what a feature collection is written as before
// WriteFeatureCollection: fc.MarshalJSON and a newline ("null" for none).
func marshalled(fc *geojson.FeatureCollection) ([]byte, error) {
	if fc == nil {
		return []byte("null\n"), nil
	}
	b, err := fc.MarshalJSON()
	return append(b, '\n'), err
}

// trickyValues are property and member values whose JSON encoding/json
// escapes or rewrites: HTML characters, the line and paragraph
// separators, invalid UTF-8, raw JSON with spaces, a number given as
// text, nested objects and arrays, null.
var trickyValues = []any{
	"Bản <Nậm> & Co", "Thôn \u2028 Mới \u2029", "bad \xff\xfe utf-8", `quote " and \ slash`, "tab\tnew\nline",
	json.RawMessage(` { "a" : "<x>" , "b" : [ 1, 2 ] } `), json.Number("1.5e3"), nil, true, false,
	0.0, -95.25, 1e21, 120.5, int64(-7), 3, math.MaxInt64, 1.0 / 3,
	map[string]any{"z": 1, "a": "<b>", "\u2028": nil}, []any{"&", 2.5, nil, map[string]any{}},
	[]string{}, map[string]any{},
}

// trickyKeys are property and member names, among them ones that sort
// before, between and after bbox, features and type, and ones escaped.
var trickyKeys = []string{"a", "Z", "bbox", "features", "type", "fill", "metadata", "zz", "<b>", "a&b", "\u2028", "\xff", "", "types", "bbox0", "feature", "é"}

// randomFeatureCollection is a feature collection of n features drawn from
// r: hexagons, points, lines, multipolygons and no geometry, with tricky
// properties (none, or null), ids, bounding boxes and extra members, a nil
// feature now and then; the collection with or without extra members
// (which may name bbox, features and type) and a bounding box.
func randomFeatureCollection(r *rand.Rand, n int) *geojson.FeatureCollection {
	props := func() geojson.Properties {
		switch r.IntN(8) {
		case 0:
			return nil
		case 1:
			return geojson.Properties{}
		}
		p := geojson.Properties{}
		for range r.IntN(6) {
			p[trickyKeys[r.IntN(len(trickyKeys))]] = trickyValues[r.IntN(len(trickyValues))]
		}
		return p
	}
	fc := geojson.NewFeatureCollection()
	switch r.IntN(3) {
	case 0:
		fc.Features = nil
	case 1:
		fc.Type = "Other" // written as FeatureCollection, as fc.MarshalJSON does
	}
	for i := range n {
		if r.IntN(50) == 0 {
			fc.Features = append(fc.Features, nil)
			continue
		}
		x, y := 102+r.Float64()*7, 8+r.Float64()*15
		var g orb.Geometry
		switch r.IntN(6) {
		case 0:
			g = orb.Point{x, y}
		case 1:
			g = orb.LineString{{x, y}, {x + 0.01, y + 0.02}}
		case 2:
			g = orb.MultiPolygon{{{{x, y}, {x + 1, y}, {x, y + 1}, {x, y}}}}
		case 3:
			g = nil
		default:
			g = orb.Polygon{{{x, y}, {x + 0.005, y}, {x + 0.007, y + 0.004}, {x + 0.005, y + 0.008}, {x, y + 0.008}, {x - 0.002, y + 0.004}, {x, y}}}
		}
		f := geojson.NewFeature(g)
		f.Properties = props()
		switch r.IntN(5) {
		case 0:
			f.ID = i
		case 1:
			f.ID = fmt.Sprintf("<hex %d>", i)
		}
		if r.IntN(6) == 0 {
			f.BBox = geojson.BBox{x, y, x + 1, y + 1}
		}
		if r.IntN(6) == 0 {
			f.ExtraMembers = props()
		}
		fc.Append(f)
	}
	switch r.IntN(3) {
	case 0:
		fc.BBox = geojson.BBox{102.1, 8.5, 109.5, 23.4}
	case 1:
		if r.IntN(2) == 0 {
			fc.BBox = geojson.BBox{}
		}
	}
	if r.IntN(3) > 0 {
		fc.ExtraMembers = geojson.Properties{"metadata": map[string]any{"lomsong.table": "coverage", "period": "2026-11", "note": "<&>\u2028"}}
		for range r.IntN(5) {
			fc.ExtraMembers[trickyKeys[r.IntN(len(trickyKeys))]] = trickyValues[r.IntN(len(trickyValues))]
		}
	}
	return fc
}

// Over many collections, large and small, written with goroutines and
// chunks and windows of many sizes, WriteFeatureCollection writes the
// bytes fc.MarshalJSON and a newline make.
func TestWriteFeatureCollectionSameBytes(t *testing.T) {
	sizes := []int{0, 1, 2, 3, 7, 40, 300, 1500}
	for seed := range uint64(240) {
		r := rand.New(rand.NewPCG(seed, 7))
		n := sizes[seed%uint64(len(sizes))]
		fc := randomFeatureCollection(r, n)
		want, err := marshalled(fc)
		if err != nil {
			t.Fatalf("seed %d: MarshalJSON: %v", seed, err)
		}
		workers, chunk, window := 1+r.IntN(4), 1+r.IntN(9), 1+r.IntN(4)
		if seed%5 == 0 {
			chunk = featureChunk
		}
		var got bytes.Buffer
		if err := writeFeatureCollection(&got, fc, workers, chunk, window); err != nil {
			t.Fatalf("seed %d (%d features, %d workers, chunks of %d, window %d): %v", seed, n, workers, chunk, window, err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("seed %d (%d features, %d workers, chunks of %d, window %d): written\n%s\nMarshalJSON writes\n%s",
				seed, n, workers, chunk, window, firstDifference(got.Bytes(), want), firstDifference(want, got.Bytes()))
		}
		got.Reset()
		if err := WriteFeatureCollection(&got, fc); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("seed %d: WriteFeatureCollection writes\n%s\nMarshalJSON writes\n%s", seed, firstDifference(got.Bytes(), want), firstDifference(want, got.Bytes()))
		}
	}
}

// firstDifference is a from 40 bytes before where it first differs from b.
func firstDifference(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return fmt.Sprintf("(byte %d of %d) …%q", i, len(a), a[max(i-40, 0):min(i+80, len(a))])
}

// The cases named: none, nil features, one feature, the escaped
// characters, members named as the collection's own.
func TestWriteFeatureCollectionCases(t *testing.T) {
	hex := func(props geojson.Properties) *geojson.Feature {
		f := geojson.NewFeature(orb.Polygon{{{102.1, 22.1}, {102.2, 22.1}, {102.2, 22.2}, {102.1, 22.1}}})
		f.Properties = props
		return f
	}
	cases := []struct {
		name string
		fc   *geojson.FeatureCollection
		want string // when not empty, what is written
	}{
		{"nil", nil, "null\n"},
		{"zero", &geojson.FeatureCollection{}, `{"features":[],"type":"FeatureCollection"}` + "\n"},
		{"empty", geojson.NewFeatureCollection(), `{"features":[],"type":"FeatureCollection"}` + "\n"},
		{"one", &geojson.FeatureCollection{Features: []*geojson.Feature{hex(geojson.Properties{"state": "covered"})}},
			`{"features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[102.1,22.1],[102.2,22.1],[102.2,22.2],[102.1,22.1]]]},"properties":{"state":"covered"}}],"type":"FeatureCollection"}` + "\n"},
		{"null properties", &geojson.FeatureCollection{Features: []*geojson.Feature{hex(nil), hex(geojson.Properties{}), nil}}, ""},
		{"escaped", &geojson.FeatureCollection{Features: []*geojson.Feature{hex(geojson.Properties{
			"name": "Bản <Nậm> & Co", "sep": "a\u2028b\u2029c", "bad": "x\xffy", "raw": json.RawMessage(` { "k" : "<v>" } `)})}},
			`{"features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[102.1,22.1],[102.2,22.1],[102.2,22.2],[102.1,22.1]]]},` +
				`"properties":{"bad":"x\ufffdy","name":"Bản \u003cNậm\u003e \u0026 Co","raw":{"k":"\u003cv\u003e"},"sep":"a\u2028b\u2029c"}}],"type":"FeatureCollection"}` + "\n"},
		{"own names", &geojson.FeatureCollection{Type: "x", BBox: geojson.BBox{1, 2, 3, 4},
			ExtraMembers: geojson.Properties{"type": "Other", "bbox": "no", "features": 3, "metadata": map[string]any{"b": 1, "a": "<"}, "a": 1, "zz": nil}},
			`{"a":1,"bbox":[1,2,3,4],"features":[],"metadata":{"a":"\u003c","b":1},"type":"FeatureCollection","zz":null}` + "\n"},
		{"extra bbox dropped", &geojson.FeatureCollection{ExtraMembers: geojson.Properties{"bbox": []int{9}}},
			`{"features":[],"type":"FeatureCollection"}` + "\n"},
		{"empty bbox", &geojson.FeatureCollection{BBox: geojson.BBox{}}, `{"bbox":[],"features":[],"type":"FeatureCollection"}` + "\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want, err := marshalled(c.fc)
			if err != nil {
				t.Fatal(err)
			}
			if c.want != "" && string(want) != c.want {
				t.Fatalf("MarshalJSON writes\n%s\nnot as expected\n%s", want, c.want)
			}
			for _, chunk := range []int{1, 2, featureChunk} {
				var got bytes.Buffer
				if err := writeFeatureCollection(&got, c.fc, 2, chunk, 1); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Bytes(), want) {
					t.Fatalf("chunks of %d: written\n%s\nMarshalJSON writes\n%s", chunk, got.Bytes(), want)
				}
			}
		})
	}
}

// A feature's own MarshalJSON output is what encoding/json's compaction,
// HTML-escaped, of it gives back: the collection's marshalling (which
// compacts each feature's output) changes nothing of it, so that
// WriteFeatureCollection writes it as it is.
func TestFeatureMarshalJSONIsCompactAndEscaped(t *testing.T) {
	for seed := range uint64(20) {
		fc := randomFeatureCollection(rand.New(rand.NewPCG(seed, 11)), 200)
		for i, f := range fc.Features {
			if f == nil {
				continue
			}
			b, err := f.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			var c, e bytes.Buffer
			if err := json.Compact(&c, b); err != nil {
				t.Fatalf("seed %d feature %d: %v", seed, i, err)
			}
			json.HTMLEscape(&e, c.Bytes())
			if !bytes.Equal(e.Bytes(), b) {
				t.Fatalf("seed %d feature %d: MarshalJSON\n%s\ncompacted and escaped\n%s", seed, i, b, e.Bytes())
			}
		}
	}
}

// A feature that cannot be marshalled (a NaN property) is an error, as it
// is for MarshalJSON, naming the feature, whichever chunk it falls in; so
// is a member of the collection that cannot be, before anything is
// written.
func TestWriteFeatureCollectionMarshalError(t *testing.T) {
	for _, bad := range []int{0, 1, 5, 999, 1999} {
		fc := randomFeatureCollection(rand.New(rand.NewPCG(uint64(bad), 3)), 2000)
		f := geojson.NewFeature(orb.Point{102, 22})
		f.Properties["p_dead"] = math.NaN()
		fc.Features[bad] = f
		if _, err := fc.MarshalJSON(); err == nil {
			t.Fatal("MarshalJSON marshals NaN")
		}
		var got bytes.Buffer
		err := writeFeatureCollection(&got, fc, 3, 7, 2)
		var me *json.MarshalerError
		var ue *json.UnsupportedValueError
		if !errors.As(err, &me) || !errors.As(err, &ue) || !strings.Contains(err.Error(), fmt.Sprintf("feature %d:", bad)) {
			t.Fatalf("NaN in feature %d: error %v, want the feature's marshalling error naming it", bad, err)
		}
	}
	for name, fc := range map[string]*geojson.FeatureCollection{
		"metadata": {ExtraMembers: geojson.Properties{"metadata": map[string]any{"x": math.Inf(1)}}, Features: []*geojson.Feature{geojson.NewFeature(orb.Point{1, 2})}},
		"bbox":     {BBox: geojson.BBox{math.NaN(), 0, 1, 1}, Features: []*geojson.Feature{geojson.NewFeature(orb.Point{1, 2})}},
	} {
		if _, err := fc.MarshalJSON(); err == nil {
			t.Fatalf("%s: MarshalJSON marshals NaN", name)
		}
		var got bytes.Buffer
		err := WriteFeatureCollection(&got, fc)
		var ue *json.UnsupportedValueError
		if !errors.As(err, &ue) || got.Len() != 0 {
			t.Fatalf("%s: error %v, %d bytes written; want an unsupported value error, nothing written", name, err, got.Len())
		}
	}
}

// failingWriter takes n bytes, then fails, and counts the writes asked
// of it after it failed.
type failingWriter struct {
	n      int
	failed bool
	after  int
}

var errDiskFull = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.failed {
		w.after++
		return 0, errDiskFull
	}
	if len(p) > w.n {
		w.failed = true
		return w.n, errDiskFull
	}
	w.n -= len(p)
	return len(p), nil
}

// A writer that fails at the start, in the middle of the features or at
// the end has its error returned, and nothing more is written to it (and
// the goroutines end: the test would not).
func TestWriteFeatureCollectionWriterError(t *testing.T) {
	fc := randomFeatureCollection(rand.New(rand.NewPCG(5, 5)), 3000)
	fc.ExtraMembers = geojson.Properties{"metadata": map[string]any{"a": 1}}
	want, err := marshalled(fc)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 5, 2000, len(want) / 2, len(want) - 30, len(want) - 1} {
		for _, chunk := range []int{1, 64, featureChunk} {
			w := &failingWriter{n: n}
			err := writeFeatureCollection(w, fc, 2, chunk, 2)
			if !errors.Is(err, errDiskFull) || w.after > 0 {
				t.Errorf("failing after %d bytes of %d, chunks of %d: error %v and %d writes after it, want %v and none", n, len(want), chunk, err, w.after, errDiskFull)
			}
		}
	}
	if err := writeFeatureCollection(&failingWriter{n: len(want)}, fc, 2, 64, 2); err != nil {
		t.Errorf("a writer taking all %d bytes: %v", len(want), err)
	}
}

// benchHexCollection is the coverage_best.geojson of a country: about
// 100,000 resolution-8 hexagons (the 99,919 within 182 grid steps of Lai
// Châu town) with the best state's properties, coordinates rounded as
// lomsong writes them, and a metadata member.
func benchHexCollection(b *testing.B) *geojson.FeatureCollection {
	b.Helper()
	c0, err := hexgrid.Index(103.45, 22.40, 8)
	if err != nil {
		b.Fatal(err)
	}
	cells, err := c0.Disk(182)
	if err != nil {
		b.Fatal(err)
	}
	carriers := []string{"mobifone", "vietnamobile", "viettel", "vinaphone"}
	fc := geojson.NewFeatureCollection()
	for i, c := range cells {
		ring, err := c.Boundary()
		if err != nil {
			b.Fatal(err)
		}
		ctr, err := c.Center()
		if err != nil {
			b.Fatal(err)
		}
		f := geojson.NewFeature(orb.Polygon{ring})
		f.Properties = geojson.Properties{"carrier": carriers[i%4], "carriers": strings.Join(carriers[:1+i%3], " "), "cell": c.String(),
			"fill": "#ffffbf", "has_2g": i%7 != 0, "lat": ctr[1], "lon": ctr[0], "source": "predicted", "state": "weak", "tech": "3G"}
		fc.Append(f)
	}
	fc.ExtraMembers = geojson.Properties{"metadata": map[string]any{"lomsong.table": "coverage", "period": "2026-11"}}
	return RoundGeoJSON(fc)
}

// BenchmarkWriteFeatureCollection writes a country's hexes as
// WriteFeatureCollection does and, beside it, as fc.MarshalJSON did; the
// output is discarded. On a shared machine compare cpu-s/op (the
// process's CPU, all cores, the collector's too) as well as ns/op.
func BenchmarkWriteFeatureCollection(b *testing.B) {
	fc := benchHexCollection(b)
	b.Run("WriteFeatureCollection", func(b *testing.B) {
		b.ReportAllocs()
		var n int64
		cpu0 := cpuSeconds(b)
		for b.Loop() {
			w := &countingWriter{}
			if err := WriteFeatureCollection(w, fc); err != nil {
				b.Fatal(err)
			}
			n = w.n
		}
		b.ReportMetric((cpuSeconds(b)-cpu0)/float64(b.N), "cpu-s/op")
		b.SetBytes(n)
	})
	b.Run("MarshalJSON", func(b *testing.B) {
		b.ReportAllocs()
		var n int64
		cpu0 := cpuSeconds(b)
		for b.Loop() {
			w := &countingWriter{}
			out, err := fc.MarshalJSON()
			if err != nil {
				b.Fatal(err)
			}
			if _, err := w.Write(append(out, '\n')); err != nil {
				b.Fatal(err)
			}
			n = w.n
		}
		b.ReportMetric((cpuSeconds(b)-cpu0)/float64(b.N), "cpu-s/op")
		b.SetBytes(n)
	})
}

// countingWriter counts the bytes written to it and keeps none.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}
