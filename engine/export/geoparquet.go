package export

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/dataset"
)

// GeoParquetVersion is the GeoParquet specification the files follow.
const GeoParquetVersion = "1.1.0"

// GeoColumn is a geometry column's entry in the GeoParquet "geo" metadata.
// CRS is omitted: GeoParquet 1.1 defines a column without "crs" as
// OGC:CRS84 (WGS84 longitude/latitude), which is what lomsong writes.
type GeoColumn struct {
	Encoding      string    `json:"encoding"`
	GeometryTypes []string  `json:"geometry_types"`
	BBox          []float64 `json:"bbox,omitempty"`
}

// GeoMetadata is the GeoParquet "geo" file metadata.
type GeoMetadata struct {
	Version       string               `json:"version"`
	PrimaryColumn string               `json:"primary_column"`
	Columns       map[string]GeoColumn `json:"columns"`
}

// geoTypeNames maps a layer's geometry type to GeoParquet's names.
var geoTypeNames = map[GeometryType]string{Point: "Point", Polygon: "Polygon", MultiPolygon: "MultiPolygon"}

// GeoParquetColumns returns the layer as Parquet columns: the attribute
// fields, then "geometry" (WKB, little endian; null for a feature without
// geometry), and its "geo" metadata (encoding WKB, the geometry type, the
// bbox [xmin, ymin, xmax, ymax] of the features; crs omitted = OGC:CRS84).
func GeoParquetColumns(l *Layer) ([]arrowio.Column, GeoMetadata, error) {
	cols := make([]arrowio.Column, 0, len(l.Fields)+1)
	for _, f := range l.Fields {
		c := arrowio.Column{Name: f.Name}
		switch f.Type {
		case Integer:
			c.Int64 = f.Ints
		case Real:
			c.Float64 = f.Reals
		case Boolean:
			c.Bool = f.Bools
		default:
			c.String, c.EmptyIsNull = f.Texts, true
		}
		cols = append(cols, c)
	}
	wkb := make([][]byte, len(l.Geoms))
	for i, g := range l.Geoms {
		if g == nil {
			continue
		}
		b, err := AppendWKB(nil, g, 0)
		if err != nil {
			return nil, GeoMetadata{}, fmt.Errorf("export: layer %s feature %d: %w", l.Name, i+1, err)
		}
		wkb[i] = b
	}
	cols = append(cols, arrowio.Column{Name: "geometry", Binary: wkb})
	gc := GeoColumn{Encoding: "WKB", GeometryTypes: []string{geoTypeNames[l.Geometry]}}
	if b, ok := l.Bound(); ok {
		gc.BBox = []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	}
	return cols, GeoMetadata{Version: GeoParquetVersion, PrimaryColumn: "geometry", Columns: map[string]GeoColumn{"geometry": gc}}, nil
}

// WriteGeoParquetLayer writes one layer to w as a GeoParquet 1.1 file: the
// "geo" key of the file metadata (GeoMetadata) and "lomsong", meta as
// JSON.
func WriteGeoParquetLayer(w io.Writer, l *Layer, meta Meta) error {
	mj, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	cols, geo, err := GeoParquetColumns(l)
	if err != nil {
		return err
	}
	gj, err := json.Marshal(geo)
	if err != nil {
		return err
	}
	return arrowio.WriteTable(w, cols, map[string]string{"geo": string(gj), "lomsong": string(mj)})
}

// WriteGeoParquet writes each layer as dir/<layer>.parquet
// (WriteGeoParquetLayer), each file atomically; dir must exist.
func WriteGeoParquet(dir string, layers []Layer, meta Meta) error {
	return WriteGeoParquetProgress(context.Background(), dir, layers, meta, nil)
}

// WriteGeoParquetProgress is WriteGeoParquet calling progress (when not
// nil) as each layer's writing starts, with its name and feature count,
// and stopping with ctx's error, before the next layer, once ctx is done:
// a country's month takes seconds a layer. The layers written before stay
// in dir.
func WriteGeoParquetProgress(ctx context.Context, dir string, layers []Layer, meta Meta, progress func(layer string, features int)) error {
	for i := range layers {
		l := &layers[i]
		if err := ctx.Err(); err != nil {
			return err
		}
		if progress != nil {
			progress(l.Name, l.Len())
		}
		path := filepath.Join(dir, l.Name+".parquet")
		f, err := dataset.CreateAtomic(path)
		if err != nil {
			return err
		}
		if err := WriteGeoParquetLayer(f, l, meta); err != nil {
			f.Abort()
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := f.Commit(); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}

// FileRecord is what an export keeps of a file it wrote (a GeoParquet
// folder keeps it in its output set's list), to tell later whether the
// file is still as written.
type FileRecord struct {
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"` // hex
}

// RecordFiles returns the record of each of the named files in dir.
func RecordFiles(dir string, names []string) (map[string]FileRecord, error) {
	out := make(map[string]FileRecord, len(names))
	for _, name := range names {
		r, err := recordFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		out[name] = r
	}
	return out, nil
}

func recordFile(path string) (FileRecord, error) {
	f, err := os.Open(path)
	if err != nil {
		return FileRecord{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return FileRecord{}, fmt.Errorf("%s: %w", path, err)
	}
	return FileRecord{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// CheckGeoParquetReplaceable reports whether an export may replace (or
// remove) the named files of the GeoParquet folder dir, which an earlier
// export wrote and recorded as recorded (RecordFiles). A file whose size
// or SHA-256 is no longer the one recorded was changed in place — a
// notebook wrote its edits back, a tool appended to it — and gives
// ErrNotReplaceable naming it: replacing it would lose the change, as
// CheckReplaceable refuses a changed GeoPackage. A file with no record (a
// folder written before exports recorded their files) is replaced only
// while it still reads as a GeoParquet layer an export wrote (its lomsong
// metadata names a month): edits that keep that cannot be told. A file no
// longer there has nothing to lose.
func CheckGeoParquetReplaceable(dir string, names []string, recorded map[string]FileRecord) error {
	var why []string
	for _, name := range names {
		path := filepath.Join(dir, name)
		st, err := os.Stat(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		want, ok := recorded[name]
		if !ok {
			if _, err := readGeoParquetMeta(path); errors.Is(err, ErrNotAnExport) {
				why = append(why, name+" is not a GeoParquet layer an export wrote (no lomsong metadata naming its month)")
			} else if err != nil {
				return err
			}
			continue
		}
		same := st.Mode().IsRegular() && st.Size() == want.Size
		if same {
			got, err := recordFile(path)
			if err != nil {
				return err
			}
			same = got == want
		}
		if !same {
			why = append(why, name+" was changed after the export wrote it (its size or SHA-256 is not the one recorded)")
		}
	}
	if len(why) == 0 {
		return nil
	}
	return fmt.Errorf("%s: %s: %w", dir, strings.Join(why, "; "), ErrNotReplaceable)
}
