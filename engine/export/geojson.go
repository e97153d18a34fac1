package export

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// GeoJSONDecimals is the number of decimals of the longitudes and
// latitudes lomsong writes in GeoJSON: 6, about 11 cm, the precision RFC
// 7946 §11.2 gives as enough (an H3 hex of resolution 8 has edges of
// about 500 m; the villages and sites are given to 6 decimals). The
// 15 to 17 decimals of a float64 measure nothing, and make a file of hex
// polygons nearly twice as large. GeoPackage, GeoParquet and PostGIS keep
// the full float64: their size does not grow with the digits.
const GeoJSONDecimals = 6

// RoundGeoJSON rounds the coordinates of every feature's geometry of fc
// to GeoJSONDecimals, in place, and returns fc. A ring stays closed (its
// first and last points are the same point, rounded alike); two hexes'
// shared vertex, computed for each hex, rounds to one point. Properties
// are left as they are.
func RoundGeoJSON(fc *geojson.FeatureCollection) *geojson.FeatureCollection {
	if fc == nil {
		return nil
	}
	f := math.Pow(10, GeoJSONDecimals)
	for _, ft := range fc.Features {
		if ft != nil && ft.Geometry != nil {
			ft.Geometry = orb.Round(ft.Geometry, int(f))
		}
	}
	return fc
}

// WriteFeatureCollection writes fc to w as JSON and a newline: byte for
// byte what fc.MarshalJSON returns followed by "\n", the members in
// encoding/json's order of map keys (bbox, features, the extra members,
// type), the features' strings escaped for HTML. A nil fc is written as
// null.
//
// The features are marshalled on runtime.GOMAXPROCS(0) goroutines, in
// chunks written in their order as each is ready; at most a few chunks
// per goroutine are held at once, so the memory does not grow with the
// collection as fc.MarshalJSON's does (its output, then encoding/json's
// copy of it, compacted). Each feature is written as its own MarshalJSON
// writes it: encoding/json's Marshal, whose output is compact and
// escaped, what fc.MarshalJSON's compaction of it gives back. A feature
// that cannot be marshalled (a NaN property) is an error naming its
// index; what was written before it is left to the caller to discard. With
// geojson.CustomJSONMarshaler set, fc is marshalled whole by
// fc.MarshalJSON, as that marshaler writes it.
func WriteFeatureCollection(w io.Writer, fc *geojson.FeatureCollection) error {
	procs := runtime.GOMAXPROCS(0)
	return writeFeatureCollection(w, fc, procs, featureChunk, 2*procs+2)
}

// featureChunk is the number of features a goroutine of
// WriteFeatureCollection marshals at a time: a few hundred KB of hex
// polygons, enough that handing a chunk over costs little beside it.
const featureChunk = 512

// writeFeatureCollection is WriteFeatureCollection with the features
// marshalled on workers goroutines, chunk features at a time, at most
// window chunks waiting to be written.
func writeFeatureCollection(w io.Writer, fc *geojson.FeatureCollection, workers, chunk, window int) error {
	if fc == nil {
		_, err := io.WriteString(w, "null\n")
		return err
	}
	if geojson.CustomJSONMarshaler != nil {
		b, err := fc.MarshalJSON()
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	}
	head, tail, err := collectionMembers(fc)
	if err != nil {
		return err
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	if err := writeFeatures(w, fc.Features, workers, chunk, window); err != nil {
		return err
	}
	_, err = w.Write(tail)
	return err
}

// collectionMembers returns fc's JSON object up to the opening bracket
// of its features (head) and from their closing bracket to the final
// newline (tail), with the members fc.MarshalJSON writes (orb's
// newFeatureCollectionDoc): the extra members but for bbox, features and
// type; type FeatureCollection, whatever fc.Type holds; bbox when fc.BBox
// is not nil; features. They are sorted as encoding/json sorts a map's
// keys, and marshalled before any feature, so that a member that cannot
// be is an error before anything is written.
func collectionMembers(fc *geojson.FeatureCollection) (head, tail []byte, err error) {
	keys := make([]string, 0, len(fc.ExtraMembers)+3)
	for k := range fc.ExtraMembers {
		if k != "type" && k != "bbox" && k != "features" {
			keys = append(keys, k)
		}
	}
	keys = append(keys, "type", "features")
	if fc.BBox != nil {
		keys = append(keys, "bbox")
	}
	slices.SortFunc(keys, strings.Compare)
	buf := []byte{'{'}
	for i, k := range keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		name, err := json.Marshal(k)
		if err != nil {
			return nil, nil, err
		}
		buf = append(append(buf, name...), ':')
		var v any
		switch k {
		case "features":
			head, buf = append(buf, '['), []byte{']'}
			continue
		case "type":
			v = "FeatureCollection"
		case "bbox":
			v = fc.BBox
		default:
			v = fc.ExtraMembers[k]
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, nil, fmt.Errorf("feature collection member %s: %w", name, err)
		}
		buf = append(buf, b...)
	}
	return head, append(buf, '}', '\n'), nil
}

// featureRun is a run of features [lo, hi) marshalled into buf, comma
// separated (a comma before the first unless it is feature 0), or err;
// done is closed when either is set.
type featureRun struct {
	lo, hi int
	buf    []byte
	err    error
	done   chan struct{}
}

// writeFeatures writes features to w as the elements of a JSON array,
// comma separated, without the brackets. One goroutine hands out runs of
// chunk features, in order, to workers goroutines that marshal them; this
// goroutine writes each run when it is done, in order. The runs handed
// out and not yet written are at most window (plus one on its way), and
// their buffers are reused.
func writeFeatures(w io.Writer, features []*geojson.Feature, workers, chunk, window int) error {
	n := len(features)
	if n == 0 {
		return nil
	}
	chunk, window = max(chunk, 1), max(window, 1)
	runs := (n + chunk - 1) / chunk
	workers = min(max(workers, 1), runs)
	order := make(chan *featureRun, window) // handed out, to be written in order
	work := make(chan *featureRun, window)  // handed out, to be marshalled
	free := make(chan []byte, window+1)     // written runs' buffers
	stop := make(chan struct{})             // closed when writing stops
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(order)
		defer close(work)
		for lo := 0; lo < n; lo += chunk {
			r := &featureRun{lo: lo, hi: min(lo+chunk, n), done: make(chan struct{})}
			select {
			case order <- r:
			case <-stop:
				return
			}
			work <- r
		}
	})
	for range workers {
		wg.Go(func() {
			for r := range work {
				select {
				case <-stop: // nobody will write it
				default:
					var buf []byte
					select {
					case buf = <-free:
					default:
					}
					r.buf, r.err = appendFeatures(buf[:0], features, r.lo, r.hi)
				}
				close(r.done)
			}
		})
	}
	var err error
	for r := range order {
		<-r.done
		if err = r.err; err == nil {
			_, err = w.Write(r.buf)
		}
		if err != nil {
			break
		}
		select {
		case free <- r.buf:
		default:
		}
	}
	close(stop)
	wg.Wait()
	return err
}

// appendFeatures appends features[lo:hi] to buf as JSON, each preceded by
// a comma but feature 0, a nil feature as null (as encoding/json writes a
// nil pointer).
func appendFeatures(buf []byte, features []*geojson.Feature, lo, hi int) ([]byte, error) {
	for i := lo; i < hi; i++ {
		if i > 0 {
			buf = append(buf, ',')
		}
		f := features[i]
		if f == nil {
			buf = append(buf, "null"...)
			continue
		}
		b, err := f.MarshalJSON()
		if err != nil {
			return buf, fmt.Errorf("feature %d: %w", i, &json.MarshalerError{Type: reflect.TypeOf(f), Err: err})
		}
		buf = append(buf, b...)
	}
	return buf, nil
}
