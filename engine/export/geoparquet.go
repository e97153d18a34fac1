package export

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

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
	for i := range layers {
		l := &layers[i]
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
