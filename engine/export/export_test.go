package export

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/coverage"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/pipeline"
	"github.com/lomsong/lomsong/engine/predict"
	"github.com/lomsong/lomsong/engine/sqlitedb"
	"github.com/lomsong/lomsong/geodata"
	"github.com/paulmach/orb"
)

// TestWKBKnownAnswers checks the encoding against hand-assembled WKB and
// EWKB (ISO 13249-3 / PostGIS).
func TestWKBKnownAnswers(t *testing.T) {
	for _, c := range []struct {
		g    orb.Geometry
		srid int
		want string
	}{
		// POINT(1 2), little endian, type 1.
		{orb.Point{1, 2}, 0, "0101000000" + "000000000000f03f" + "0000000000000040"},
		// SRID=4326;POINT(1 2): type 1|0x20000000, then 4326 (0x10e6).
		{orb.Point{1, 2}, 4326, "0101000020" + "e6100000" + "000000000000f03f" + "0000000000000040"},
		// POLYGON((0 0,1 0,0 1,0 0)): type 3, one ring of 4 points.
		{orb.Polygon{{{0, 0}, {1, 0}, {0, 1}, {0, 0}}}, 0, "0103000000" + "01000000" + "04000000" +
			"00000000000000000000000000000000" + "000000000000f03f0000000000000000" + "0000000000000000000000000000f03f" + "00000000000000000000000000000000"},
		// MULTIPOLYGON(((0 0,1 0,0 1,0 0))) with SRID: only the outer type carries it.
		{orb.MultiPolygon{{{{0, 0}, {1, 0}, {0, 1}, {0, 0}}}}, 4326, "0106000020" + "e6100000" + "01000000" + "0103000000" + "01000000" + "04000000" +
			"00000000000000000000000000000000" + "000000000000f03f0000000000000000" + "0000000000000000000000000000f03f" + "00000000000000000000000000000000"},
	} {
		b, err := AppendWKB(nil, c.g, c.srid)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(b); got != c.want {
			t.Errorf("%v srid %d:\n got %s\nwant %s", c.g, c.srid, got, c.want)
		}
		g, srid, n, err := DecodeWKB(b)
		if err != nil || srid != c.srid || n != len(b) || !orb.Equal(g, c.g) {
			t.Errorf("decode %s: %v srid %d n %d err %v", c.want, g, srid, n, err)
		}
	}
	if _, err := AppendWKB(nil, orb.LineString{{0, 0}, {1, 1}}, 0); err == nil {
		t.Error("a line string was encoded; want an error")
	}
	for _, bad := range []string{"", "02", "0101000000000000", "0107000000", "01030000000100000010000000"} {
		b, _ := hex.DecodeString(bad)
		if _, _, _, err := DecodeWKB(b); err == nil {
			t.Errorf("DecodeWKB(%s) accepted", bad)
		}
	}
}

// TestGeoPackageBinaryHeader checks the StandardGeoPackageBinary layout
// byte by byte for a polygon (envelope) and a point (none).
func TestGeoPackageBinaryHeader(t *testing.T) {
	poly := orb.Polygon{{{100, 20}, {101, 20}, {101, 21.5}, {100, 20}}}
	b, err := AppendGeoPackageBinary(nil, poly, 4326)
	if err != nil {
		t.Fatal(err)
	}
	// "GP", version 0, flags 0b011 (little endian, xy envelope), srs 4326.
	if got := hex.EncodeToString(b[:8]); got != "47500003e6100000" {
		t.Errorf("header %s", got)
	}
	d, err := DecodeGeoPackageBinary(b)
	if err != nil {
		t.Fatal(err)
	}
	if d.SRSID != 4326 || !slices.Equal(d.Envelope, []float64{100, 101, 20, 21.5}) || !orb.Equal(d.Geometry, poly) {
		t.Errorf("decoded %+v", d)
	}
	wkb, _ := AppendWKB(nil, poly, 0)
	if !bytes.Equal(b[8+32:], wkb) {
		t.Error("the geometry after the envelope is not the plain WKB")
	}
	b, _ = AppendGeoPackageBinary(nil, orb.Point{103.5, 22.25}, 4326)
	if got := hex.EncodeToString(b[:8]); got != "47500001e6100000" {
		t.Errorf("point header %s", got)
	}
	d, err = DecodeGeoPackageBinary(b)
	if err != nil || d.Envelope != nil || d.Geometry != (orb.Point{103.5, 22.25}) {
		t.Errorf("point decoded %+v %v", d, err)
	}
	if _, err := DecodeGeoPackageBinary([]byte("XP\x00\x01abcd")); err == nil {
		t.Error("bad magic accepted")
	}
}

// testMonth is a small month around Lai Châu town: 19 hexes with states
// of two carriers, a three-hex zone, villages (one without verdict), a
// site, a plan point and a commune without polygon.
func testMonth(t *testing.T) (*Month, []hexgrid.Cell) {
	t.Helper()
	c0, err := hexgrid.Index(103.45, 22.40, 8)
	if err != nil {
		t.Fatal(err)
	}
	cells, err := c0.Disk(2)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(cells)
	m := &Month{Meta: Meta{Period: "2026-11", Resolution: 8, Version: "test", ManifestSHA256: "ab12", Totals: map[string]float64{"dead_zone_households": 12.4}}}
	for i, c := range cells {
		for _, carrier := range []string{"viettel", "vinaphone"} {
			m.Coverage = append(m.Coverage, CoverageHex{Cell: c, Carrier: carrier, Tech: "4G", State: "covered", Source: "predicted",
				MedianDBm: math.NaN(), PredictedDBm: -90 - float64(i), SigmaDB: 8, DistanceM: 1000, Province: "12", ProvinceName: "Lai Châu"})
		}
		m.Best = append(m.Best, BestHex{Cell: c, State: "covered", Households: int64(i), PDead: math.NaN(), Province: "12", ProvinceName: "Lai Châu"})
	}
	// The first hex is decided dead; the others were not analysed.
	m.Best[0].State, m.Best[0].Dead, m.Best[0].PDead, m.Best[0].Status = "uncovered", true, 0.9731, "confirmed_dead"
	m.Hexes = []Hex{
		{Cell: cells[0], Households: 12, Population: 50, PDead: 0.9731, Status: "confirmed_dead", ZoneID: "DZ-1", Province: "12", ProvinceName: "Lai Châu"},
		{Cell: cells[1], Households: 3, Population: 11, PDead: math.NaN(), Province: "12", ProvinceName: "Lai Châu"},
	}
	outline, err := hexgrid.Outline(cells[:3])
	if err != nil {
		t.Fatal(err)
	}
	m.Zones = []Zone{{ID: "DZ-1", Outline: outline, Hexes: 3, Households: 12, Province: "12", ProvinceName: "Lai Châu"}}
	m.Villages = []Village{
		{ID: "V1", Name: "Bản Một", Lon: 103.45, Lat: 22.40, Cell: c0, Households: 40, Level: "covered", PDead: 0.01, Status: "confirmed_served",
			BestCarrier: "viettel", BestTech: "4G", BestMeanDBm: -88.4, BestSigmaDB: 6.2, Province: "12", ProvinceName: "Lai Châu"},
		{ID: "V2", Name: "Bản Hai", Lon: 103.0, Lat: 21.5, Households: 7, Level: "no-signal", PDead: math.NaN(), BestMeanDBm: math.NaN(), BestSigmaDB: math.NaN(), Province: "14"},
	}
	m.Sites = []Site{{SiteID: "S1", Carrier: "viettel", Tech: "4G", Lon: 103.46, Lat: 22.41, BandMHz: 1800, HeightM: 30, Status: "active"}}
	m.Plan = []PlanPoint{{Rank: 1, Candidate: "C1", Lon: 103.44, Lat: 22.39, HouseholdsNewlyCovered: 12, CostVND: 2937457733, Province: "12"}}
	m.Communes = []CommuneSummary{{Code: "12001", Province: "12", Villages: 1}}
	return m, cells
}

// TestGeoPackageReadBack writes a GeoPackage and reads it back with SQL
// only: the pragmas, the three spatial reference systems, contents and
// geometry columns, R-tree rows equal to each feature's envelope, and
// every geometry decoding to the one written.
func TestGeoPackageReadBack(t *testing.T) {
	m, _ := testMonth(t)
	layers, err := Layers(m)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.gpkg")
	ctx := context.Background()
	var progress []string
	if err := WriteGeoPackageProgress(ctx, path, layers, m.Meta, func(layer string, n int) {
		progress = append(progress, fmt.Sprintf("%s:%d", layer, n))
	}); err != nil {
		t.Fatal(err)
	}
	if len(progress) != len(layers) || progress[0] != fmt.Sprintf("%s:%d", layers[0].Name, layers[0].Len()) {
		t.Errorf("progress %q, want one call per layer with its feature count", progress)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	db, err := sqlitedb.Open(ctx, path, sqlitedb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var appID, userVersion int64
	db.QueryRow("PRAGMA application_id").Scan(&appID)
	db.QueryRow("PRAGMA user_version").Scan(&userVersion)
	if appID != 0x47504B47 || userVersion != 10300 {
		t.Errorf("application_id %#x user_version %d", appID, userVersion)
	}
	// The page size is set before anything creates the file's header:
	// after it, SQLite ignores the pragma.
	var pageSize int64
	db.QueryRow("PRAGMA page_size").Scan(&pageSize)
	if pageSize != gpkgPageSize {
		t.Errorf("page size %d, want %d", pageSize, gpkgPageSize)
	}
	var srs []int64
	rows, err := db.Query("SELECT srs_id FROM gpkg_spatial_ref_sys ORDER BY srs_id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		srs = append(srs, id)
	}
	rows.Close()
	if !slices.Equal(srs, []int64{-1, 0, 4326}) {
		t.Errorf("srs ids %v", srs)
	}
	for _, l := range layers {
		var typ string
		var srid int
		if err := db.QueryRow("SELECT geometry_type_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ? AND column_name = 'geom'", l.Name).Scan(&typ, &srid); err != nil {
			t.Fatalf("%s: %v", l.Name, err)
		}
		var dataType string
		db.QueryRow("SELECT data_type FROM gpkg_contents WHERE table_name = ?", l.Name).Scan(&dataType)
		var ext int
		db.QueryRow("SELECT count(*) FROM gpkg_extensions WHERE table_name = ? AND extension_name = 'gpkg_rtree_index'", l.Name).Scan(&ext)
		if typ != string(l.Geometry) || srid != 4326 || dataType != "features" || ext != 1 {
			t.Errorf("%s: type %s srs %d data_type %s rtree extension rows %d", l.Name, typ, srid, dataType, ext)
		}
		var check string
		if err := db.QueryRow(`SELECT rtreecheck('rtree_` + l.Name + `_geom')`).Scan(&check); err != nil || check != "ok" {
			t.Errorf("%s: rtreecheck %q %v", l.Name, check, err)
		}
		rows, err := db.Query(`SELECT t.fid, t.geom, r.minx, r.maxx, r.miny, r.maxy FROM "` + l.Name + `" t LEFT JOIN "rtree_` + l.Name + `_geom" r ON r.id = t.fid ORDER BY t.fid`)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var fid int64
			var blob []byte
			var env [4]*float64
			if err := rows.Scan(&fid, &blob, &env[0], &env[1], &env[2], &env[3]); err != nil {
				t.Fatal(err)
			}
			want := l.Geoms[fid-1]
			n++
			if want == nil {
				if blob != nil || env[0] != nil {
					t.Errorf("%s %d: want no geometry and no index row", l.Name, fid)
				}
				continue
			}
			d, err := DecodeGeoPackageBinary(blob)
			if err != nil {
				t.Fatalf("%s %d: %v", l.Name, fid, err)
			}
			if !orb.Equal(d.Geometry, want) || d.SRSID != 4326 {
				t.Errorf("%s %d: geometry %v srs %d, want %v", l.Name, fid, d.Geometry, d.SRSID, want)
			}
			// The R-tree stores float32 bounds that contain the envelope.
			b := want.Bound()
			if env[0] == nil || *env[0] > b.Min[0] || *env[1] < b.Max[0] || *env[2] > b.Min[1] || *env[3] < b.Max[1] {
				t.Errorf("%s %d: index row %v does not hold %v", l.Name, fid, env, b)
			}
		}
		rows.Close()
		if n != l.Len() {
			t.Errorf("%s: %d rows, want %d", l.Name, n, l.Len())
		}
	}
	var cost int64
	var pDead any
	db.QueryRow("SELECT cost_vnd FROM plan").Scan(&cost)
	db.QueryRow("SELECT p_dead FROM villages WHERE village_id = 'V2'").Scan(&pDead)
	if cost != 2937457733 || pDead != nil {
		t.Errorf("cost %d (want whole đồng), p_dead of a village without verdict %v (want NULL)", cost, pDead)
	}
	// p_dead, status and the best key's mean and σ where known, NULL
	// (never 0) where not.
	var v1 [4]any
	var v2 [4]any
	var h0, h1 [2]any
	db.QueryRow("SELECT p_dead, status, best_mean_dbm, best_sigma_db FROM villages WHERE village_id = 'V1'").Scan(&v1[0], &v1[1], &v1[2], &v1[3])
	db.QueryRow("SELECT p_dead, status, best_mean_dbm, best_sigma_db FROM villages WHERE village_id = 'V2'").Scan(&v2[0], &v2[1], &v2[2], &v2[3])
	db.QueryRow("SELECT p_dead, status FROM coverage_best WHERE fid = 1").Scan(&h0[0], &h0[1])
	db.QueryRow("SELECT p_dead, status FROM coverage_best WHERE fid = 2").Scan(&h1[0], &h1[1])
	var x0, x1 [3]any
	db.QueryRow("SELECT p_dead, status, zone_id FROM hexes WHERE fid = 1").Scan(&x0[0], &x0[1], &x0[2])
	db.QueryRow("SELECT p_dead, status, zone_id FROM hexes WHERE fid = 2").Scan(&x1[0], &x1[1], &x1[2])
	if fmt.Sprint(x0) != "[0.9731 confirmed_dead DZ-1]" || x1 != [3]any{} {
		t.Errorf("hexes p_dead, status, zone_id: decided hex %v, undecided %v (want NULLs)", x0, x1)
	}
	if fmt.Sprint(v1) != "[0.01 confirmed_served -88.4 6.2]" || v2 != [4]any{} {
		t.Errorf("villages p_dead, status, best_mean_dbm, best_sigma_db: V1 %v, V2 %v (want NULLs)", v1, v2)
	}
	if fmt.Sprint(h0) != "[0.9731 confirmed_dead]" || h1 != [2]any{} {
		t.Errorf("coverage_best p_dead, status: decided hex %v, hex not analysed %v (want NULLs)", h0, h1)
	}
	var totals, sum string
	db.QueryRow("SELECT value FROM lomsong_metadata WHERE key = 'exact_totals'").Scan(&totals)
	db.QueryRow("SELECT value FROM lomsong_metadata WHERE key = 'dataset_manifest_sha256'").Scan(&sum)
	if totals != `{"dead_zone_households":12.4}` || sum != "ab12" {
		t.Errorf("metadata: totals %q manifest %q", totals, sum)
	}
	var styles int
	db.QueryRow("SELECT count(*) FROM layer_styles WHERE useAsDefault").Scan(&styles)
	if styles != len(styles_(layers)) {
		t.Errorf("%d default styles", styles)
	}
}

func styles_(layers []Layer) []layerStyle {
	var out []layerStyle
	for _, s := range styles {
		if slices.ContainsFunc(layers, func(l Layer) bool { return l.Name == s.layer }) {
			out = append(out, s)
		}
	}
	return out
}

// TestGeoPackageAtomic checks that a failed write leaves the previous
// file as it was and no temporary file behind.
func TestGeoPackageAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.gpkg")
	os.WriteFile(path, []byte("previous"), 0o644)
	bad := []Layer{{Name: "bad", Geometry: Point, Geoms: []orb.Geometry{orb.LineString{{0, 0}, {1, 1}}}}}
	if err := WriteGeoPackage(context.Background(), path, bad, Meta{Period: "2026-11"}); err == nil {
		t.Fatal("a line string in a point layer was written")
	}
	if b, _ := os.ReadFile(path); string(b) != "previous" {
		t.Errorf("the previous file changed: %q", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("left in the folder: %v", ents)
	}
}

// checkGeoMetadata validates a "geo" value against the GeoParquet 1.1
// schema's required fields and types (format-specs/schema.json): version
// "1.1.0"; primary_column a string naming a column; columns an object of
// objects each with encoding "WKB" (or a native encoding), geometry_types
// an array of unique strings from the spec's list, and, when present, bbox
// of 4 or 6 numbers with min ≤ max and crs a PROJJSON object or null.
func checkGeoMetadata(t *testing.T, raw string) GeoMetadata {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatalf("geo is not JSON: %v", err)
	}
	for _, k := range []string{"version", "primary_column", "columns"} {
		if _, ok := doc[k]; !ok {
			t.Fatalf("geo lacks required %q: %s", k, raw)
		}
	}
	if doc["version"] != "1.1.0" {
		t.Errorf("version %v", doc["version"])
	}
	cols, ok := doc["columns"].(map[string]any)
	pc, _ := doc["primary_column"].(string)
	if !ok || cols[pc] == nil {
		t.Fatalf("primary column %q not in columns: %s", pc, raw)
	}
	types := map[string]bool{}
	for _, b := range []string{"Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection"} {
		for _, s := range []string{"", " Z"} {
			types[b+s] = true
		}
	}
	for name, v := range cols {
		c, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("column %s is not an object", name)
		}
		switch c["encoding"] {
		case "WKB", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon":
		default:
			t.Errorf("column %s encoding %v", name, c["encoding"])
		}
		gt, ok := c["geometry_types"].([]any)
		if !ok {
			t.Fatalf("column %s geometry_types missing or not an array", name)
		}
		seen := map[string]bool{}
		for _, x := range gt {
			s, _ := x.(string)
			if !types[s] || seen[s] {
				t.Errorf("column %s geometry type %v unknown or repeated", name, x)
			}
			seen[s] = true
		}
		if bb, ok := c["bbox"]; ok {
			a, _ := bb.([]any)
			if len(a) != 4 && len(a) != 6 {
				t.Fatalf("bbox %v", bb)
			}
			f := make([]float64, len(a))
			for i, x := range a {
				f[i], _ = x.(float64)
			}
			if h := len(f) / 2; f[0] > f[h] || f[1] > f[h+1] {
				t.Errorf("bbox %v has min above max", f)
			}
		}
		if crs, ok := c["crs"]; ok && crs != nil {
			if _, ok := crs.(map[string]any); !ok {
				t.Errorf("crs %v is neither PROJJSON nor null", crs)
			}
		}
	}
	var g GeoMetadata
	json.Unmarshal([]byte(raw), &g)
	return g
}

// TestGeoParquetRoundTrip writes the layers as GeoParquet, validates each
// file's geo metadata and decodes every geometry back to the one written.
func TestGeoParquetRoundTrip(t *testing.T) {
	m, _ := testMonth(t)
	layers, err := Layers(m)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := WriteGeoParquet(dir, layers, m.Meta); err != nil {
		t.Fatal(err)
	}
	for _, l := range layers {
		b, err := os.ReadFile(filepath.Join(dir, l.Name+".parquet"))
		if err != nil {
			t.Fatal(err)
		}
		tr, err := arrowio.OpenTable(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		g := checkGeoMetadata(t, tr.Metadata()["geo"])
		if got := g.Columns["geometry"].GeometryTypes; !slices.Equal(got, []string{geoTypeNames[l.Geometry]}) {
			t.Errorf("%s: geometry types %v", l.Name, got)
		}
		if !json.Valid([]byte(tr.Metadata()["lomsong"])) {
			t.Errorf("%s: lomsong metadata %q", l.Name, tr.Metadata()["lomsong"])
		}
		cols := tr.Columns()
		gi, hi := slices.Index(cols, "geometry"), slices.Index(cols, "h3")
		pi := slices.Index(cols, "p_dead")
		if (l.Name == "villages" || l.Name == "coverage_best") && (pi < 0 || !slices.Contains(cols, "status")) {
			t.Errorf("%s: columns %v lack p_dead or status", l.Name, cols)
		}
		var bound orb.Bound
		i := 0
		for tr.Next() {
			for _, r := range tr.Rows() {
				want := l.Geoms[i]
				if want == nil {
					if r[gi] != "" {
						t.Errorf("%s row %d: geometry where none was written", l.Name, i)
					}
					i++
					continue
				}
				got, _, _, err := DecodeWKB([]byte(r[gi]))
				if err != nil || !orb.Equal(got, want) {
					t.Errorf("%s row %d: %v %v, want %v", l.Name, i, got, err, want)
				}
				if i == 0 {
					bound = want.Bound()
				}
				bound = bound.Union(want.Bound())
				if pi >= 0 {
					// A NULL reads back as "", a value as its text.
					f := l.Fields[slices.IndexFunc(l.Fields, func(f Field) bool { return f.Name == "p_dead" })]
					if want := f.Reals[i]; math.IsNaN(want) && r[pi] != "" || !math.IsNaN(want) && r[pi] != strconv.FormatFloat(want, 'g', -1, 64) {
						t.Errorf("%s row %d: p_dead %q, want %v (NaN is NULL)", l.Name, i, r[pi], want)
					}
				}
				if hi >= 0 {
					f := l.Fields[slices.IndexFunc(l.Fields, func(f Field) bool { return f.Name == "h3" })]
					if r[hi] != f.Texts[i] {
						t.Errorf("%s row %d: h3 %q, want %q", l.Name, i, r[hi], f.Texts[i])
					}
				}
				i++
			}
		}
		if err := tr.Err(); err != nil {
			t.Fatal(err)
		}
		tr.Close()
		if i != l.Len() {
			t.Errorf("%s: %d rows, want %d", l.Name, i, l.Len())
		}
		bb := g.Columns["geometry"].BBox
		if l.Name != "communes_summary" && !slices.Equal(bb, []float64{bound.Min[0], bound.Min[1], bound.Max[0], bound.Max[1]}) {
			t.Errorf("%s: bbox %v, features span %v", l.Name, bb, bound)
		}
	}
}

// TestLayersHexPolygons checks that hex layers carry H3's own boundary
// (closed, 7 points) and the cell id as text.
func TestLayersHexPolygons(t *testing.T) {
	m, cells := testMonth(t)
	layers, err := Layers(m)
	if err != nil {
		t.Fatal(err)
	}
	if names := func() []string {
		var n []string
		for _, l := range layers {
			n = append(n, l.Name)
		}
		return n
	}(); !slices.Equal(names, LayerNames) {
		t.Fatalf("layers %v", names)
	}
	best := layers[1]
	for i, c := range cells {
		ring, err := c.Boundary()
		if err != nil {
			t.Fatal(err)
		}
		if !orb.Equal(best.Geoms[i], orb.Polygon{ring}) || len(ring) != 7 || best.Fields[0].Texts[i] != c.String() {
			t.Errorf("hex %d: %v, want %v (%s)", i, best.Geoms[i], ring, c)
		}
	}
}

// TestRounding checks the rounding of counts and money: to the nearest
// whole number, halves away from zero, NaN and infinities to 0.
func TestRounding(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want int64
	}{{40.4, 40}, {40.5, 41}, {2937457732.8994374, 2937457733}, {0, 0}, {math.NaN(), 0}, {math.Inf(1), 0}} {
		if got := count(c.in); got != c.want {
			t.Errorf("count(%v) = %d, want %d", c.in, got, c.want)
		}
		if got := dong(c.in); got != c.want {
			t.Errorf("dong(%v) = %d, want %d", c.in, got, c.want)
		}
	}
	if _, err := DecodeGeoPackageBinary([]byte{'G', 'P', 0, 0x0b, 0xe6, 0x10, 0, 0}); err == nil {
		t.Error("envelope code 5 accepted")
	}
}

// FuzzDecodeWKB feeds arbitrary bytes to the decoders: an error or a
// geometry whose encoding decodes to itself, never a panic or a runaway
// allocation (counts are checked against the bytes left).
func FuzzDecodeWKB(f *testing.F) {
	for _, g := range []orb.Geometry{orb.Point{1, 2}, orb.Polygon{{{0, 0}, {1, 0}, {0, 1}, {0, 0}}}, orb.MultiPolygon{{{{0, 0}, {1, 0}, {0, 1}, {0, 0}}}}} {
		b, _ := AppendWKB(nil, g, 0)
		f.Add(b)
		b, _ = AppendGeoPackageBinary(nil, g, 4326)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		if g, srid, _, err := DecodeWKB(b); err == nil {
			// What decodes encodes, and decodes to what encodes the same.
			once, err := AppendWKB(nil, g, srid)
			if err != nil {
				t.Fatalf("%x decoded to %v, which does not encode: %v", b, g, err)
			}
			g2, srid2, _, err := DecodeWKB(once)
			if err != nil {
				t.Fatalf("%x: re-encoded %x does not decode: %v", b, once, err)
			}
			if twice, _ := AppendWKB(nil, g2, srid2); !bytes.Equal(once, twice) {
				t.Fatalf("%x: encodes to %x, then to %x", b, once, twice)
			}
		}
		DecodeGeoPackageBinary(b)
	})
}

// TestBuildOffAirSites: rows the off-air check set down carry the status
// off_air in the sites layer; rows the register lists down stay down.
func TestBuildOffAirSites(t *testing.T) {
	nan := math.NaN()
	site := func(id string, st engine.SiteStatus) engine.Site {
		return engine.Site{SiteID: id, Carrier: engine.Viettel, Tech: engine.Tech3G, Lon: 103.3, Lat: 22.4, Status: st,
			BandMHz: nan, HeightM: nan, AzimuthDeg: nan, BeamwidthDeg: nan, TiltDeg: nan, EIRPDBm: nan}
	}
	sites := predict.MarkOffAir([]engine.Site{site("A-1", engine.StatusActive), site("B-1", engine.StatusDown), site("C-1", engine.StatusActive)},
		[]predict.SiteRef{{Carrier: engine.Viettel, SiteID: "A-1"}})
	dz := &pipeline.DeadZoneResult{Coverage: &pipeline.CoverageResult{Sites: sites}}
	m, err := Build(Input{DeadZones: dz, Meta: Meta{Resolution: 8}, OffAir: []predict.SiteRef{{Carrier: engine.Viettel, SiteID: "A-1"}}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range m.Sites {
		got[s.SiteID] = s.Status
	}
	if got["A-1"] != SiteOffAir || got["B-1"] != "down" || got["C-1"] != "active" {
		t.Fatalf("statuses %v", got)
	}
}

// TestBuildOffAirSharedSiteID: a site_id two masts 20 km apart share (a
// register's typo) is named by the off-air check at one mast's position
// (a Placed ref): that mast's rows are off_air in the sites layer, the
// other mast's active row stays active and its row the register lists
// down stays down. The layer looked refs up by carrier and site_id alone,
// so the off-air mast's rows read "down".
func TestBuildOffAirSharedSiteID(t *testing.T) {
	nan := math.NaN()
	site := func(tech engine.Tech, lon float64, st engine.SiteStatus) engine.Site {
		return engine.Site{SiteID: "X-7", Carrier: engine.Viettel, Tech: tech, Lon: lon, Lat: 22.4, Status: st,
			BandMHz: nan, HeightM: nan, AzimuthDeg: nan, BeamwidthDeg: nan, TiltDeg: nan, EIRPDBm: nan}
	}
	refs := []predict.SiteRef{{Carrier: engine.Viettel, SiteID: "X-7", Placed: true, Lon: 103.3, Lat: 22.4}}
	sites := predict.MarkOffAir([]engine.Site{
		site(engine.Tech3G, 103.3, engine.StatusActive), site(engine.Tech4G, 103.3, engine.StatusActive), // the off-air mast
		site(engine.Tech3G, 103.5, engine.StatusActive), site(engine.Tech4G, 103.5, engine.StatusDown), // the other mast
	}, refs)
	dz := &pipeline.DeadZoneResult{Coverage: &pipeline.CoverageResult{Sites: sites}}
	m, err := Build(Input{DeadZones: dz, Meta: Meta{Resolution: 8}, OffAir: refs})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range m.Sites {
		got[fmt.Sprintf("%.1f/%s", s.Lon, s.Tech)] = s.Status
	}
	want := map[string]string{"103.3/3G": SiteOffAir, "103.3/4G": SiteOffAir, "103.5/3G": "active", "103.5/4G": "down"}
	if !maps.Equal(got, want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
}

// communes_summary's rows add up to the villages layer: villages (and dead
// hexes) that no commune was attributed to make a "(no commune)" row per
// province.
func TestCommuneSummaryNoCommuneRow(t *testing.T) {
	vs := []deadzone.VillageStatus{
		{Village: deadzone.Village{ID: "V1", Households: 40}, Province: "12", Commune: "12001", Level: deadzone.NoSignal},
		{Village: deadzone.Village{ID: "V2", Households: 30}, Province: "12", Level: deadzone.Only2G},
		{Village: deadzone.Village{ID: "V3", Households: 20}, Province: "12", Level: deadzone.Covered},
		{Village: deadzone.Village{ID: "V4", Households: 10}, Province: "11", Level: deadzone.NoSignal},
	}
	dz := &pipeline.DeadZoneResult{Coverage: &pipeline.CoverageResult{}, Villages: deadzone.VillageReport{Villages: vs,
		ByCommune: []deadzone.VillageCount{{Code: "", Villages: 3, WithoutSignal: 2}, {Code: "12001", Villages: 1, WithoutSignal: 1, HouseholdsWithoutSignal: 40}}}}
	m, err := Build(Input{DeadZones: dz, Meta: Meta{Resolution: 8}})
	if err != nil {
		t.Fatal(err)
	}
	var villages, without int64
	var none []CommuneSummary
	for _, c := range m.Communes {
		villages += c.Villages
		without += c.WithoutSignal
		if c.Code == "" {
			none = append(none, c)
		}
	}
	if villages != 4 || without != 3 || len(none) != 2 || none[0].Province != "11" || none[1].Province != "12" ||
		none[1].Name != NoCommune || none[1].Villages != 2 || none[1].WithoutSignal != 1 || none[1].Only2G != 1 || none[1].HouseholdsWithoutSignal != 30 {
		t.Fatalf("communes %+v", m.Communes)
	}
}

// TestBuildProvinceSites: a one-province month's sites layer holds the
// sites in the province and those serving its hexes from across the
// border, not the rest of the register (a Hà Nội site in Lai Châu's file).
func TestBuildProvinceSites(t *testing.T) {
	provinces, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	nan := math.NaN()
	site := func(id string, lon, lat float64) engine.Site {
		return engine.Site{SiteID: id, Carrier: engine.Viettel, Tech: engine.Tech3G, Lon: lon, Lat: lat, Status: engine.StatusActive,
			BandMHz: nan, HeightM: nan, AzimuthDeg: nan, BeamwidthDeg: nan, TiltDeg: nan, EIRPDBm: nan}
	}
	sites := []engine.Site{site("LAICHAU-1", 103.3, 22.4), site("HANOI-1", 105.8542, 21.0285), site("BORDER-1", 103.95, 21.9),
		site("NEAREST-1", 103.96, 21.91)}
	if u, ok := provinces.Locate(orb.Point{103.95, 21.9}); !ok || u.Code == "12" {
		t.Fatalf("BORDER-1 should lie outside Lai Châu: %v %v", u.Code, ok)
	}
	c, _ := hexgrid.Index(103.3, 22.4, 8)
	dz := &pipeline.DeadZoneResult{Coverage: &pipeline.CoverageResult{Sites: sites,
		States: []coverage.State{{Cell: c, Carrier: engine.Viettel, Tech: engine.Tech3G, ServingSite: "BORDER-1"}}},
		// A dead zone's nearest site, across the border and serving no
		// hex: kept, so that the zone's nearest_sites joins to the layer.
		Zones: []deadzone.Zone{{ID: "DZ-1", Cells: []hexgrid.Cell{c}, Nearest: []deadzone.SiteDistance{{Carrier: engine.Viettel, SiteID: "NEAREST-1", DistanceM: 9000}}}}}
	for _, c := range []struct {
		province string
		want     []string
	}{{"12", []string{"BORDER-1", "LAICHAU-1", "NEAREST-1"}}, {"", []string{"BORDER-1", "HANOI-1", "LAICHAU-1", "NEAREST-1"}}} { // by site id
		m, err := Build(Input{DeadZones: dz, Meta: Meta{Resolution: 8, Province: c.province}, Provinces: provinces})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range m.Sites {
			got = append(got, s.SiteID)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("province %q: sites %v, want %v", c.province, got, c.want)
		}
	}
}

// Each style's categories are values its field takes as QGIS reads them:
// a Boolean column (a GeoPackage BOOLEAN, read as true/false) matches
// the categories "true" and "false" and no other (with "0" and "1" the
// dead zones drew with no symbol at all); a text column's categories are
// not numbers.
func TestStyleValuesMatchFieldTypes(t *testing.T) {
	m, _ := testMonth(t)
	layers, err := Layers(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range styles {
		i := slices.IndexFunc(layers, func(l Layer) bool { return l.Name == s.layer })
		if i < 0 {
			t.Errorf("style of %s: no such layer", s.layer)
			continue
		}
		j := slices.IndexFunc(layers[i].Fields, func(f Field) bool { return f.Name == s.field })
		if j < 0 {
			t.Errorf("style of %s: no field %s", s.layer, s.field)
			continue
		}
		for _, c := range s.classes {
			switch typ := layers[i].Fields[j].Type; typ {
			case Boolean:
				if c.value != "true" && c.value != "false" {
					t.Errorf("%s.%s is Boolean: category %q matches no value", s.layer, s.field, c.value)
				}
			case Text:
				if _, err := strconv.ParseFloat(c.value, 64); err == nil {
					t.Errorf("%s.%s is text: category %q looks like a number", s.layer, s.field, c.value)
				}
			default:
				t.Errorf("%s.%s: a style on field type %v", s.layer, s.field, typ)
			}
		}
	}
}

// CheckReplaceable lets an export replace nothing but its own earlier
// file: absent, empty or an export as written may be replaced; an export
// a user added a table or a view to, a GeoPackage without lomsong's
// metadata (a user's own) and a text file may not, and the refusal names
// what the file holds.
func TestCheckReplaceable(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	m, _ := testMonth(t)
	layers, err := Layers(m)
	if err != nil {
		t.Fatal(err)
	}
	written := func(name string) string {
		p := filepath.Join(dir, name)
		if err := WriteGeoPackage(ctx, p, layers, m.Meta); err != nil {
			t.Fatal(err)
		}
		return p
	}
	exec := func(path, sql string) {
		db, err := sqlitedb.Open(ctx, path, sqlitedb.Options{NoWAL: true})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	empty := filepath.Join(dir, "empty.gpkg")
	os.WriteFile(empty, nil, 0o644)
	text := filepath.Join(dir, "notes.gpkg")
	os.WriteFile(text, []byte("my notes\n"), 0o644)
	withTable, withView, own := written("table.gpkg"), written("view.gpkg"), filepath.Join(dir, "own.gpkg")
	exec(withTable, "CREATE TABLE my_notes (village TEXT, note TEXT)")
	exec(withView, "CREATE VIEW my_dead AS SELECT * FROM villages WHERE status = 'confirmed_dead'")
	exec(own, "CREATE TABLE gpkg_contents (table_name TEXT); CREATE TABLE provinces (name TEXT)")
	// What a user's work adds beside new tables: a column, an index, a
	// trigger, a table named like the GeoPackage's own, a style.
	withColumn, withIndex, withTrigger, withGpkgTable, withStyle := written("column.gpkg"), written("index.gpkg"), written("trigger.gpkg"), written("gpkgtable.gpkg"), written("style.gpkg")
	exec(withColumn, "ALTER TABLE villages ADD COLUMN my_comment TEXT")
	exec(withIndex, "CREATE INDEX my_idx ON villages(name)")
	exec(withTrigger, "CREATE TRIGGER my_trg AFTER UPDATE ON villages BEGIN SELECT 1; END")
	exec(withGpkgTable, "CREATE TABLE gpkg_my_notes (note TEXT)")
	exec(withStyle, "INSERT INTO layer_styles (f_table_name, styleName, styleQML) VALUES ('villages', 'my style', '<qgis/>')")
	for _, c := range []struct {
		path string
		want string // "" may be replaced
	}{
		{filepath.Join(dir, "absent.gpkg"), ""},
		{empty, ""},
		{written("export.gpkg"), ""},
		{withTable, "holds what no export writes (table my_notes)"},
		{withView, "holds what no export writes (view my_dead)"},
		{own, "is not a GeoPackage an export wrote"},
		{withColumn, "was changed after the export wrote it"},
		{withIndex, "was changed after the export wrote it"},
		{withTrigger, "was changed after the export wrote it"},
		{withGpkgTable, "was changed after the export wrote it"},
		{withStyle, "was changed after the export wrote it"},
		{text, "is not a GeoPackage an export wrote"},
	} {
		err := CheckReplaceable(ctx, c.path)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v, want replaceable", filepath.Base(c.path), err)
		case c.want != "" && (!errors.Is(err, ErrNotReplaceable) || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v, want ErrNotReplaceable saying %q", filepath.Base(c.path), err, c.want)
		}
	}
	// Every layer an export writes is a table it may replace.
	for _, l := range layers {
		if !slices.Contains(exportTables, l.Name) {
			t.Errorf("layer %s is not among exportTables", l.Name)
		}
	}
}

// With a commune set, communes_summary has a row for every commune of a
// province it holds, villages or not (a commune without a village
// listed reads 0, not a hole in the map), and none for the communes of a
// province it does not hold.
func TestCommuneSummaryEveryCommune(t *testing.T) {
	sq := func(x float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x, 22}, {x + 0.1, 22}, {x + 0.1, 22.1}, {x, 22.1}, {x, 22}}}}
	}
	communes, err := geodata.NewBoundarySet("test", "commune", []geodata.Unit{
		{Code: "12001", Name: "Xã Một", ParentCode: "12", Geometry: sq(103)},
		{Code: "12002", Name: "Xã Hai", ParentCode: "12", Geometry: sq(103.2)},
		{Code: "01001", Name: "Phường Ba Đình", ParentCode: "01", Geometry: sq(105.8)},
	})
	if err != nil {
		t.Fatal(err)
	}
	vs := []deadzone.VillageStatus{{Village: deadzone.Village{ID: "V1", Households: 40}, Province: "12", Commune: "12001", Level: deadzone.NoSignal}}
	dz := &pipeline.DeadZoneResult{Coverage: &pipeline.CoverageResult{}, Villages: deadzone.VillageReport{Villages: vs,
		ByCommune: []deadzone.VillageCount{{Code: "12001", Villages: 1, WithoutSignal: 1, HouseholdsWithoutSignal: 40}}}}
	m, err := Build(Input{DeadZones: dz, Meta: Meta{Resolution: 8}, Communes: communes})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range m.Communes {
		got = append(got, fmt.Sprintf("%s %s %d/%d", c.Code, c.Name, c.WithoutSignal, c.Villages))
		if c.Outline == nil {
			t.Errorf("commune %s without its outline", c.Code)
		}
	}
	if want := []string{"12001 Xã Một 1/1", "12002 Xã Hai 0/0"}; !slices.Equal(got, want) {
		t.Errorf("communes %q, want %q", got, want)
	}
}
