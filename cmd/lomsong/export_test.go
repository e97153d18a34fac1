package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/export"
	"github.com/lomsong/lomsong/engine/sqlitedb"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// exportDataset ingests the example sites and measurements (October 2026,
// Lai Châu) with five villages, one (V4) 70 km from any site, into a
// dataset under dir.
func exportDataset(t *testing.T, dir string) string {
	t.Helper()
	ds := filepath.Join(dir, "ds")
	villages := filepath.Join(dir, "villages.csv")
	os.WriteFile(villages, []byte("village_id,name,commune_code,lon,lat,households\n"+
		"V1,Bản A,12001,103.30,22.45,40.4\nV2,Bản B,12002,103.52,22.52,25\nV3,Bản C,12003,103.10,22.05,60\n"+
		"V4,Bản D,12004,102.55,22.55,33\nV5,Bản E,12004,102.60,22.30,12.5\n"), 0o644)
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"),
		filepath.Join(examples, "measurements_viettel.csv"), villages); code != exitOK {
		t.Fatal(code, errs)
	}
	return ds
}

func csvRows(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// ogrLayers parses "ogrinfo -so -al" output: per layer, the geometry type
// and the feature count.
func ogrLayers(t *testing.T, path string) map[string][2]string {
	t.Helper()
	out, err := exec.Command("ogrinfo", "-ro", "-so", "-al", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	got := map[string][2]string{}
	re := regexp.MustCompile(`(?m)^Layer name: (\S+)\n(?:.*\n)*?Geometry: (.+)\nFeature Count: (\d+)`)
	for _, m := range re.FindAllStringSubmatch(string(out), -1) {
		got[m[1]] = [2]string{m[2], m[3]}
	}
	return got
}

// TestExportGeoPackage exports a month and checks it with GDAL: every
// layer listed with its geometry type and a feature count equal to the
// rows of the CSV outputs of lomsong deadzones, plan and coverage for the
// same month, and dead-zone outlines and hexes converted by ogr2ogr to
// GeoJSON equal to the geometries in the file, coordinate for coordinate.
func TestExportGeoPackage(t *testing.T) {
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Skip("ogrinfo is not installed (apt-get install gdal-bin)")
	}
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	gpkg := filepath.Join(dir, "out", "m.gpkg")
	// What an export killed before its rename left: removed by the next.
	os.MkdirAll(filepath.Dir(gpkg), 0o755)
	killed := filepath.Join(dir, "out", ".m.gpkg.tmp-123")
	os.WriteFile(killed, []byte("half a database"), 0o644)
	os.WriteFile(killed+"-journal", []byte("its journal"), 0o644)
	common := []string{"--dataset", ds, "--province", "lai chau", "--period", "2026-10"}
	stdout, errs, code := runCmd(t, append([]string{"export", "--format", "gpkg", "--out", gpkg, "--budget", "20e9"}, common...)...)
	if code != exitOK {
		t.Fatalf("%d\n%s\n%s", code, stdout, errs)
	}
	if fileExists(killed) || fileExists(killed+"-journal") {
		t.Error("the temporary files of a killed export are still there")
	}
	dzOut, errs, code := runCmd(t, append([]string{"deadzones", "--out", filepath.Join(dir, "dz")}, common...)...)
	if code != exitOK {
		t.Fatal(errs)
	}
	checkExpectedFromPDead(t, filepath.Join(dir, "dz"), dzOut)
	if _, errs, code := runCmd(t, append([]string{"plan", "--budget", "20e9", "--out", filepath.Join(dir, "plan")}, common...)...); code != exitOK {
		t.Fatal(errs)
	}
	want := map[string]int{
		"deadzones": len(csvRows(t, filepath.Join(dir, "dz", "deadzones.csv"))) - 1,
		"villages":  len(csvRows(t, filepath.Join(dir, "dz", "villages.csv"))) - 1,
		"plan":      len(csvRows(t, filepath.Join(dir, "plan", "plan.csv"))) - 1,
	}
	// Lai Châu's villages: V3 and V5 lie in neighbouring provinces, and a
	// run limited to Lai Châu does not report them.
	if want["villages"] != 3 || want["deadzones"] == 0 || want["plan"] == 0 {
		t.Fatalf("test month too thin: %v", want)
	}
	checkWholeHouseholds(t, filepath.Join(dir, "dz"), "deadzones_meta.json", map[string][]string{
		"villages.csv": {"households"}, "deadzones.csv": {"households", "population"}, "hexes.csv": {"households"},
		"carrier_gaps.csv": {"households", "population"}}, "villages.households", 98.4)
	checkWholeHouseholds(t, filepath.Join(dir, "plan"), "plan.json", map[string][]string{
		"plan.csv": {"households_newly_covered", "cumulative_households"}, "curve.csv": {"households"}, "sharing.csv": {"households"}},
		"plan.households_newly_covered", math.NaN())
	// GDAL's GeoPackage validator (python3-gdal, which gdal-bin brings)
	// checks the requirements of the specification one by one.
	const validator = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py"
	if _, err := os.Stat(validator); err == nil {
		if out, err := exec.Command("/usr/bin/python3", validator, gpkg).CombinedOutput(); err != nil {
			t.Errorf("validate_gpkg.py: %v\n%s", err, out)
		}
	} else {
		t.Logf("GDAL's validate_gpkg.py is not installed (apt-get install python3-gdal): the GeoPackage is checked with ogrinfo only")
	}
	// Without commune boundaries the communes' figures come from the
	// communes the villages name: the dead-zone households of the
	// communes add up to the zones' (they were 0 in every commune).
	sqlSum := func(sql string) string {
		out, err := exec.Command("ogrinfo", "-ro", "-q", "-sql", sql, gpkg).CombinedOutput()
		if err != nil {
			t.Fatalf("ogrinfo: %v\n%s", err, out)
		}
		m := regexp.MustCompile(`(?m)^\s*s \(\w+\) = (\S+)`).FindSubmatch(out)
		if m == nil {
			t.Fatalf("ogrinfo %q: %s", sql, out)
		}
		return string(m[1])
	}
	zonesHH, communesHH := sqlSum("SELECT sum(households) AS s FROM deadzones"), sqlSum("SELECT sum(dead_zone_households) AS s FROM communes_summary")
	if zonesHH != communesHH || zonesHH == "0" {
		t.Errorf("dead-zone households: zones %s, communes_summary %s", zonesHH, communesHH)
	}
	got := ogrLayers(t, gpkg)
	types := map[string]string{"coverage_hex": "Polygon", "coverage_best": "Polygon", "hexes": "Polygon", "deadzones": "Multi Polygon", "villages": "Point",
		"sites": "Point", "plan": "Point", "communes_summary": "Multi Polygon"}
	for name, typ := range types {
		g, ok := got[name]
		if !ok {
			t.Errorf("ogrinfo does not list layer %s", name)
			continue
		}
		if g[0] != typ {
			t.Errorf("%s: geometry %s, want %s", name, g[0], typ)
		}
		if n, ok := want[name]; ok && g[1] != strconv.Itoa(n) {
			t.Errorf("%s: %s features, the CSV output has %d rows", name, g[1], n)
		}
	}
	// Coverage states: the deadzones month's hexes × carrier × tech equal
	// the distinct rows of coverage_hex, and coverage_best one per hex.
	db, err := sqlitedb.Open(context.Background(), gpkg, sqlitedb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var states, keys, hexes, best int
	db.QueryRow("SELECT count(*), count(DISTINCT h3 || carrier || tech), count(DISTINCT h3) FROM coverage_hex").Scan(&states, &keys, &hexes)
	db.QueryRow("SELECT count(*) FROM coverage_best").Scan(&best)
	if states == 0 || states != keys || best != hexes {
		t.Errorf("coverage_hex: %d rows, %d distinct keys, %d hexes; coverage_best %d rows", states, keys, hexes, best)
	}
	// Households are whole numbers; the exact total is in the metadata.
	var hh int64
	var totals string
	db.QueryRow("SELECT households FROM villages WHERE village_id = 'V1'").Scan(&hh)
	db.QueryRow("SELECT value FROM lomsong_metadata WHERE key = 'exact_totals'").Scan(&totals)
	var exact map[string]float64
	json.Unmarshal([]byte(totals), &exact)
	if hh != 40 || math.Abs(exact["village_households"]-98.4) > 1e-9 {
		t.Errorf("V1 households %d (want 40), totals %s (want village_households 98.4)", hh, totals)
	}
	// p_dead, status and the best key's mean and σ equal those of
	// deadzones' villages.csv and hexes.csv, NULL where those are empty.
	checkVerdicts(t, db, filepath.Join(dir, "dz", "villages.csv"), "villages", "village_id", "village_id",
		[]string{"p_dead", "status", "best_mean_dbm", "best_sigma_db", "tests_300m", "no_service_300m", "nearest_test_m"})
	checkVerdicts(t, db, filepath.Join(dir, "dz", "hexes.csv"), "hexes", "cell", "h3", []string{"p_dead", "status", "zone_id"})
	var differ, decided int
	db.QueryRow("SELECT count(*) FILTER (WHERE b.p_dead IS NOT h.p_dead OR b.status IS NOT h.status), count(b.p_dead) FROM coverage_best b JOIN hexes h USING (h3)").Scan(&differ, &decided)
	if differ != 0 || decided == 0 {
		t.Errorf("coverage_best: %d hexes whose p_dead or status differ from the hexes layer's, %d with p_dead", differ, decided)
	}
	var sum string
	db.QueryRow("SELECT value FROM lomsong_metadata WHERE key = 'dataset_manifest_sha256'").Scan(&sum)
	if want, _ := manifestSHA256(ds); sum != want || len(sum) != 64 {
		t.Errorf("manifest checksum %q, want %q", sum, want)
	}
	// ogr2ogr round trip: GeoJSON from GDAL against the file's own bytes.
	for _, layer := range []string{"deadzones", "coverage_best", "villages"} {
		gj := filepath.Join(dir, layer+".geojson")
		if out, err := exec.Command("ogr2ogr", "-f", "GeoJSON", "-lco", "COORDINATE_PRECISION=17", gj, gpkg, layer).CombinedOutput(); err != nil {
			t.Fatalf("ogr2ogr: %v\n%s", err, out)
		}
		b, _ := os.ReadFile(gj)
		fc, err := geojson.UnmarshalFeatureCollection(b)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.Query(`SELECT geom FROM "` + layer + `" ORDER BY fid LIMIT 5`)
		if err != nil {
			t.Fatal(err)
		}
		i := 0
		for rows.Next() {
			var blob []byte
			rows.Scan(&blob)
			d, err := export.DecodeGeoPackageBinary(blob)
			if err != nil {
				t.Fatal(err)
			}
			g := fc.Features[i].Geometry
			if mp, ok := d.Geometry.(orb.MultiPolygon); ok && len(mp) == 1 {
				// GeoJSON keeps a multipolygon even of one part.
				if p, ok := g.(orb.Polygon); ok {
					g = orb.MultiPolygon{p}
				}
			}
			if !orb.Equal(g, d.Geometry) {
				t.Errorf("%s feature %d: GDAL %v, file %v", layer, i+1, g, d.Geometry)
			}
			i++
		}
		rows.Close()
		if i == 0 {
			t.Errorf("%s: no geometries compared", layer)
		}
	}
}

// TestExportGeoParquetSecondReader reads the GeoParquet files with DuckDB
// (benchmarks/sidebyside/node's @duckdb/node-api), which reads the geo
// metadata itself: each file opens with its geometry column typed as
// GEOMETRY of OGC:CRS84, the counts match, and the first geometry's WKT
// matches the one written.
func TestExportGeoParquetSecondReader(t *testing.T) {
	mods := os.Getenv("LOMSONG_NODE_MODULES")
	if mods == "" {
		mods, _ = filepath.Abs(filepath.Join("..", "..", "benchmarks", "sidebyside", "node", "node_modules"))
	}
	if _, err := os.Stat(filepath.Join(mods, "@duckdb", "node-api")); err != nil {
		t.Skip("DuckDB for Node.js is not installed: run npm ci in benchmarks/sidebyside/node (or set LOMSONG_NODE_MODULES)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	out := filepath.Join(dir, "gpq")
	if stdout, errs, code := runCmd(t, "export", "--dataset", ds, "--province", "lai chau", "--period", "2026-10",
		"--format", "geoparquet", "--out", out, "--budget", "20e9"); code != exitOK {
		t.Fatalf("%d\n%s\n%s", code, stdout, errs)
	}
	// ES modules resolve packages from the script's folder upwards.
	script := filepath.Join(dir, "read.mjs")
	os.Symlink(mods, filepath.Join(dir, "node_modules"))
	os.WriteFile(script, []byte(`import { DuckDBInstance } from '@duckdb/node-api';
const out = {};
const c = await (await DuckDBInstance.create(':memory:')).connect();
for (const t of process.argv.slice(3)) {
  const r = await c.runAndReadAll("SELECT count(*)::INTEGER AS n, typeof(any_value(geometry)) AS type, " +
    "(SELECT geometry::VARCHAR FROM read_parquet('" + process.argv[2] + "/" + t + ".parquet') LIMIT 1) AS first " +
    "FROM read_parquet('" + process.argv[2] + "/" + t + ".parquet')");
  out[t] = r.getRowObjectsJson()[0];
}
console.log(JSON.stringify(out));
`), 0o644)
	cmd := exec.Command("node", append([]string{script, out}, export.LayerNames...)...)
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("duckdb: %v\n%s", err, b)
	}
	var got map[string]struct {
		N     int    `json:"n"`
		Type  string `json:"type"`
		First string `json:"first"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	db := filepath.Join(dir, "m.gpkg")
	if _, errs, code := runCmd(t, "export", "--dataset", ds, "--province", "lai chau", "--period", "2026-10",
		"--format", "gpkg", "--out", db, "--budget", "20e9"); code != exitOK {
		t.Fatal(errs)
	}
	sq, err := sqlitedb.Open(context.Background(), db, sqlitedb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sq.Close()
	for _, name := range export.LayerNames {
		var n int
		sq.QueryRow(`SELECT count(*) FROM "` + name + `"`).Scan(&n)
		g := got[name]
		if g.N != n {
			t.Errorf("%s: DuckDB reads %d rows, the GeoPackage holds %d", name, g.N, n)
		}
		if n > 0 && name != "communes_summary" && g.Type != "GEOMETRY('OGC:CRS84')" {
			t.Errorf("%s: DuckDB types the geometry %q, want GEOMETRY('OGC:CRS84')", name, g.Type)
		}
	}
	if !strings.HasPrefix(got["deadzones"].First, "MULTIPOLYGON (((") || !strings.HasPrefix(got["villages"].First, "POINT (") {
		t.Errorf("first geometries: %q, %q", got["deadzones"].First, got["villages"].First)
	}
}

func TestExportRefusesAndUsage(t *testing.T) {
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"export", "--dataset", ds, "--period", "2026-10", "--format", "gpkg"}, exitUsage, "required"},
		{[]string{"export", "--dataset", ds, "--period", "2026-10", "--format", "shp", "--out", "x"}, exitUsage, "want gpkg, geoparquet or postgis"},
		{[]string{"export", "--dataset", ds, "--period", "2026-10", "--format", "gpkg", "--out", filepath.Join(dir, "x.sqlite")}, exitUsage, "does not end in .gpkg"},
		{[]string{"export", "--dataset", ds, "--period", "2026-10", "--format", "postgis", "--out", "db"}, exitUsage, "postgres://"},
		// A month without measurements is refused, not exported empty.
		{[]string{"export", "--dataset", ds, "--province", "lai chau", "--period", "2025-01", "--format", "gpkg", "--out", filepath.Join(dir, "e.gpkg")}, exitDataRefused, "nothing to export"},
	} {
		_, errs, code := runCmd(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d with %q", c.args[5:], code, errs, c.code, c.want)
		}
	}
	if fileExists(filepath.Join(dir, "e.gpkg")) {
		t.Error("a refused export left a file")
	}
}

func TestVersion(t *testing.T) {
	stdout, _, code := runCmd(t, "version")
	if code != exitOK || !regexp.MustCompile(`^lomsong \S+\ncommit \S+\nbuilt \S+\n$`).MatchString(stdout) {
		t.Fatalf("%d %q", code, stdout)
	}
	b := buildInfo{Version: "1.2.0"}
	fillBuild(&b, &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}})
	if b != (buildInfo{Version: "1.2.0", Commit: "abc123-dirty", BuildDate: "2026-12-01T10:00:00Z"}) {
		t.Errorf("from -ldflags version and vcs settings: %+v", b)
	}
	b = buildInfo{Commit: "fixed"}
	fillBuild(&b, &debug.BuildInfo{Main: debug.Module{Version: "v0.3.0"}, Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}}})
	if b.Version != "v0.3.0" || b.Commit != "fixed" || b.BuildDate != "" {
		t.Errorf("module version and -ldflags commit: %+v", b)
	}
}

// TestOutputsRecordProvenance checks that plan.json and coverage's
// metadata carry the build and the dataset's manifest checksum, and that
// plan.json holds whole đồng and households with the exact totals beside.
func TestOutputsRecordProvenance(t *testing.T) {
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	sum, err := manifestSHA256(ds)
	if err != nil {
		t.Fatal(err)
	}
	common := []string{"--dataset", ds, "--province", "lai chau", "--period", "2026-10"}
	if _, errs, code := runCmd(t, append([]string{"plan", "--budget", "20e9", "--out", filepath.Join(dir, "plan")}, common...)...); code != exitOK {
		t.Fatal(errs)
	}
	if _, errs, code := runCmd(t, append([]string{"coverage", "--out", filepath.Join(dir, "cov")}, common...)...); code != exitOK {
		t.Fatal(errs)
	}
	var plan map[string]any
	b, _ := os.ReadFile(filepath.Join(dir, "plan", "plan.json"))
	if err := json.Unmarshal(b, &plan); err != nil {
		t.Fatal(err)
	}
	cost, _ := plan["cost_vnd"].(float64)
	exact, _ := plan["exact_totals"].(map[string]any)
	exactCost, _ := exact["cost_vnd"].(float64)
	if plan["dataset_manifest_sha256"] != sum || plan["lomsong_version"] == "" || cost <= 0 || cost != math.Round(cost) ||
		math.Abs(cost-exactCost) > 0.5 {
		t.Errorf("plan.json: manifest %v version %v cost %v exact %v", plan["dataset_manifest_sha256"], plan["lomsong_version"], cost, exactCost)
	}
	if k := regexp.MustCompile(`"[A-Z][A-Za-z]*":`).FindString(string(b)); k != "" {
		t.Errorf("plan.json has Go field name %s", k)
	}
	var cov struct {
		Metadata map[string]string `json:"metadata"`
	}
	b, _ = os.ReadFile(filepath.Join(dir, "cov", "coverage_meta.json"))
	if err := json.Unmarshal(b, &cov); err != nil {
		t.Fatal(err)
	}
	if cov.Metadata["lomsong.dataset_manifest_sha256"] != sum || cov.Metadata["lomsong.version"] == "" {
		t.Errorf("coverage metadata %v", cov.Metadata)
	}
}

// checkWholeHouseholds checks that the household columns of a set's CSV
// files hold whole numbers, that the set's metadata JSON keeps the exact
// total under exact_totals[key] (equal to want unless want is NaN), and
// that the rounded rows of that column sum to it within half a household
// per row.
func checkWholeHouseholds(t *testing.T, dir, metaFile string, cols map[string][]string, key string, want float64) {
	t.Helper()
	var meta struct {
		Totals map[string]float64 `json:"exact_totals"`
	}
	b, err := os.ReadFile(filepath.Join(dir, metaFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	exact, ok := meta.Totals[key]
	if !ok || !math.IsNaN(want) && math.Abs(exact-want) > 1e-9 {
		t.Errorf("%s: exact_totals[%s] = %v (present %v), want %v", metaFile, key, exact, ok, want)
	}
	file, col, _ := strings.Cut(key, ".")
	for name, cs := range cols {
		recs := csvRows(t, filepath.Join(dir, name))
		for _, c := range cs {
			j := slices.Index(recs[0], c)
			if j < 0 {
				t.Errorf("%s: no column %s", name, c)
				continue
			}
			var sum int64
			for _, r := range recs[1:] {
				n, err := strconv.ParseInt(r[j], 10, 64)
				if err != nil {
					t.Errorf("%s %s: %q is not a whole number", name, c, r[j])
				}
				sum += n
			}
			if name == file+".csv" && c == col && math.Abs(float64(sum)-exact) > 0.5*float64(len(recs)-1) {
				t.Errorf("%s %s: rounded rows sum to %d, exact total %v", name, c, sum, exact)
			}
		}
	}
}

// checkVerdicts compares columns of a CSV output with a GeoPackage layer,
// row by row on a key: numbers within 1e-9, an empty CSV value NULL in the
// layer. At least one value and one NULL must be compared, or the test
// month does not test what it should.
func checkVerdicts(t *testing.T, db *sql.DB, csvPath, layer, csvKey, key string, cols []string) {
	t.Helper()
	recs := csvRows(t, csvPath)
	idx := map[string]int{}
	for i, h := range recs[0] {
		idx[h] = i
	}
	values, nulls := 0, 0
	for _, r := range recs[1:] {
		dst := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range dst {
			ptrs[i] = &dst[i]
		}
		err := db.QueryRow(`SELECT `+strings.Join(cols, ", ")+` FROM "`+layer+`" WHERE `+key+` = ?`, r[idx[csvKey]]).Scan(ptrs...)
		if err != nil {
			t.Errorf("%s %s: %v", layer, r[idx[csvKey]], err)
			continue
		}
		for i, c := range cols {
			want, got := r[idx[c]], dst[i]
			switch g := got.(type) {
			case nil:
				nulls++
				if want != "" {
					t.Errorf("%s %s: %s NULL, %s has %q", layer, r[idx[csvKey]], c, filepath.Base(csvPath), want)
				}
			case float64:
				values++
				w, err := strconv.ParseFloat(want, 64)
				if err != nil || math.Abs(w-g) > 1e-9 {
					t.Errorf("%s %s: %s %v, %s has %q", layer, r[idx[csvKey]], c, g, filepath.Base(csvPath), want)
				}
			default:
				values++
				if fmt.Sprint(g) != want {
					t.Errorf("%s %s: %s %v, %s has %q", layer, r[idx[csvKey]], c, g, filepath.Base(csvPath), want)
				}
			}
		}
	}
	if values == 0 || nulls == 0 {
		t.Errorf("%s: %d values and %d NULLs compared with %s; want some of each", layer, values, nulls, filepath.Base(csvPath))
	}
}

// gpkgDump returns every row of every layer of a GeoPackage, geometry
// included, as text: two exports of the same month dump alike.
func gpkgDump(t *testing.T, path string) map[string][]string {
	t.Helper()
	db, err := sqlitedb.Open(context.Background(), path, sqlitedb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string][]string{}
	for _, name := range export.LayerNames {
		rows, err := db.Query(`SELECT * FROM "` + name + `" ORDER BY fid`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out[name] = append(out[name], fmt.Sprintf("%v", vals))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestReportSavesAndReadsThePlan: the report takes the month's plan
// through its saved stage as lomsong run does. After a report alone, a
// read-only export finds every stage saved, the plan included, and reads
// them back without a pass over the measurements.
func TestReportSavesAndReadsThePlan(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	area := []string{"--province", "lai chau", "--period", "2026-10"}
	ds := exportDataset(t, dir)
	if _, errs, code := runBinary(t, append([]string{"report", "--dataset", ds, "--budget", "20e9", "--out", filepath.Join(dir, "report")}, area...)...); code != exitOK {
		t.Fatalf("report: %d\n%s", code, errs)
	}
	stdout, errs, code := runBinary(t, append([]string{"export", "--read-only", "--dataset", ds, "--budget", "20e9", "--format", "gpkg", "--out", filepath.Join(dir, "ro.gpkg")}, area...)...)
	if code != exitOK || !strings.Contains(errs, "0 passes over 0 measurement rows") || !strings.Contains(errs, "deadzones, plan;") {
		t.Fatalf("read-only export after the report: %d\n%s\n%s", code, stdout, errs)
	}
}

// TestExportReadsSavedMonth runs the built command as a user does: after
// lomsong run, export reads the saved stages back with no pass over the
// measurements, and its layers equal those of an export that computes the
// month afresh on an identical dataset; --read-only on a month lomsong run
// has not saved is refused (exit 3) with the run command that saves it.
func TestExportReadsSavedMonth(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	area := []string{"--province", "lai chau", "--period", "2026-10"}
	os.Mkdir(filepath.Join(dir, "a"), 0o755)
	os.Mkdir(filepath.Join(dir, "b"), 0o755)
	saved := exportDataset(t, filepath.Join(dir, "a"))
	if _, errs, code := runBinary(t, append([]string{"run", "--dataset", saved, "--budget", "20e9"}, area...)...); code != exitOK {
		t.Fatalf("run: %d\n%s", code, errs)
	}
	read := filepath.Join(dir, "read.gpkg")
	stdout, errs, code := runBinary(t, append([]string{"export", "--dataset", saved, "--budget", "20e9", "--format", "gpkg", "--out", read}, area...)...)
	if code != exitOK || !strings.Contains(errs, "computed and saved: none; 0 passes over 0 measurement rows") ||
		!strings.Contains(errs, "read back: coverage, deadzones, plan; current and not needed: measure viettel;") ||
		!strings.Contains(stdout, "3 of 4 stages read back (1 current and not needed)") {
		t.Fatalf("export after run: %d\n%s\n%s", code, stdout, errs)
	}
	// --read-only reads the same month; a plan of another budget is
	// computed for the export from the saved dead zones, not saved.
	ro := filepath.Join(dir, "ro.gpkg")
	stdout, errs, code = runBinary(t, append([]string{"export", "--read-only", "--dataset", saved, "--budget", "30e9", "--format", "gpkg", "--out", ro}, area...)...)
	if code != exitOK || !strings.Contains(errs, "0 passes over 0 measurement rows") || !strings.Contains(errs, "computed for this export only") {
		t.Fatalf("read-only export after run: %d\n%s\n%s", code, stdout, errs)
	}

	fresh := exportDataset(t, filepath.Join(dir, "b"))
	refused := filepath.Join(dir, "refused.gpkg")
	stdout, errs, code = runBinary(t, append([]string{"export", "--read-only", "--dataset", fresh, "--budget", "20e9", "--format", "gpkg", "--out", refused}, area...)...)
	want := "save it first with: lomsong run --dataset " + fresh + " --period 2026-10 --province 'lai chau' (or export"
	if code != exitDataRefused || !strings.Contains(errs, want) || !strings.Contains(errs, "2026-10 is not saved") {
		t.Fatalf("read-only export of an un-run month: %d\n%s\n%s\nwant %q", code, stdout, errs, want)
	}
	if fileExists(refused) {
		t.Error("a refused export left a file")
	}
	computed := filepath.Join(dir, "computed.gpkg")
	stdout, errs, code = runBinary(t, append([]string{"export", "--dataset", fresh, "--budget", "20e9", "--format", "gpkg", "--out", computed}, area...)...)
	if code != exitOK || !strings.Contains(errs, "read back: none;") || !strings.Contains(errs, "1 pass over 400 measurement rows") {
		t.Fatalf("export of an un-run month: %d\n%s\n%s", code, stdout, errs)
	}
	a, b := gpkgDump(t, read), gpkgDump(t, computed)
	for _, name := range export.LayerNames {
		if len(a[name]) == 0 && name != "communes_summary" {
			t.Errorf("%s: no rows", name)
		}
		if !slices.Equal(a[name], b[name]) {
			t.Errorf("%s: the export of the saved month differs from the computed one:\n%v\n%v", name, a[name], b[name])
		}
	}
}

// The report links, as the month's layers, the exports of its own month,
// province and resolution only, in any folder under export/: another
// province's or month's file, or a file that is no export, is named on
// stderr and not linked.
func TestReportLinksItsMonthsExports(t *testing.T) {
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	out := filepath.Join(dir, "out")
	common := []string{"--dataset", ds, "--period", "2026-10"}
	lai := append([]string{"--province", "lai chau"}, common...)
	for _, args := range [][]string{
		append([]string{"export", "--format", "gpkg", "--out", filepath.Join(out, "export", "lai.gpkg")}, lai...),
		append([]string{"export", "--format", "geoparquet", "--out", filepath.Join(out, "export", "geoparquet")}, lai...),
		append([]string{"export", "--format", "gpkg", "--out", filepath.Join(out, "export", "all.gpkg")}, common...),
		append([]string{"export", "--format", "geoparquet", "--out", filepath.Join(out, "export", "gp")}, lai...),
	} {
		if _, errs, code := runCmd(t, args...); code != exitOK {
			t.Fatalf("%v: %d\n%s", args, code, errs)
		}
	}
	os.WriteFile(filepath.Join(out, "export", "notes.gpkg"), []byte("not a database"), 0o644)
	os.WriteFile(filepath.Join(out, "export", "gp", "readme.txt"), []byte("notes"), 0o644)
	_, errs, code := runCmd(t, append([]string{"report", "--out", out}, lai...)...)
	if code != exitOK {
		t.Fatalf("%d\n%s", code, errs)
	}
	html, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	links := regexp.MustCompile(`href="(export/[^"]+)"`).FindAllStringSubmatch(string(html), -1)
	var got []string
	for _, l := range links {
		got = append(got, l[1])
	}
	if !slices.Contains(got, "export/lai.gpkg") || !slices.Contains(got, "export/geoparquet/villages.parquet") ||
		!slices.Contains(got, "export/gp/villages.parquet") ||
		slices.Contains(got, "export/all.gpkg") || slices.Contains(got, "export/notes.gpkg") {
		t.Errorf("links %v", got)
	}
	for _, want := range []string{"export/all.gpkg: an export of the whole dataset", "notes.gpkg: not a lomsong export",
		"export/gp/readme.txt: neither a GeoPackage (.gpkg) nor a GeoParquet (.parquet) file"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr does not say %q:\n%s", want, errs)
		}
	}
}

// A GeoParquet layer changed in place (a notebook wrote its edits back) is
// not replaced by a re-export to the same folder, as a changed GeoPackage
// is not: exit 2 naming the file, nothing written. The set's list records
// each file's size and SHA-256; a list without them (an earlier version's)
// lets an unchanged export be replaced, and records them from then on.
func TestExportGeoParquetKeepsChangedLayers(t *testing.T) {
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	out := filepath.Join(dir, "gp")
	args := []string{"export", "--dataset", ds, "--province", "lai chau", "--period", "2026-10", "--format", "geoparquet", "--out", out}
	reexport := func() (string, int) {
		_, errs, code := runCmd(t, args...)
		return errs, code
	}
	if errs, code := reexport(); code != exitOK {
		t.Fatalf("%d\n%s", code, errs)
	}
	list := filepath.Join(out, ".lomsong-geoparquet.json")
	var m setManifest
	if b, err := os.ReadFile(list); err != nil || json.Unmarshal(b, &m) != nil || len(m.Written) != len(m.Files) || m.Written["villages.parquet"].SHA256 == "" {
		t.Fatalf("set list %+v (%v): want a record of every file", m, err)
	}
	villages := filepath.Join(out, "villages.parquet")
	f, err := os.OpenFile(villages, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("analyst edit\n")
	f.Close()
	edited, _ := os.ReadFile(villages)
	errs, code := reexport()
	if code != exitUsage || !strings.Contains(errs, "villages.parquet was changed after the export wrote it") || !strings.Contains(errs, "choose another --out") {
		t.Errorf("re-export over a changed layer: %d\n%s", code, errs)
	}
	if now, _ := os.ReadFile(villages); !bytes.Equal(now, edited) {
		t.Error("the changed layer was replaced")
	}
	// Moved away, the folder is the export's again.
	os.Rename(villages, filepath.Join(dir, "my-villages.parquet"))
	if errs, code := reexport(); code != exitOK {
		t.Fatalf("after moving the changed layer: %d\n%s", code, errs)
	}
	// A list of an earlier version, without records: layers that still
	// are an export's are replaced, and recorded.
	legacy, _ := json.Marshal(map[string]any{"set": "geoparquet", "files": m.Files})
	os.WriteFile(list, legacy, 0o644)
	if errs, code := reexport(); code != exitOK {
		t.Fatalf("over a list without records: %d\n%s", code, errs)
	}
	if b, err := os.ReadFile(list); err != nil || !strings.Contains(string(b), `"written"`) {
		t.Errorf("the new list records nothing:\n%s", b)
	}
}

// checkExpectedFromPDead checks deadzones_meta.json's expected_from_p_dead
// against villages.csv: its counts exactly, its sums of p_dead within the
// rounding of the published p_dead, the missed their difference; and that
// stdout said them.
func checkExpectedFromPDead(t *testing.T, dir, stdout string) {
	t.Helper()
	var meta struct {
		Expected struct {
			Villages map[string]any `json:"villages"`
		} `json:"expected_from_p_dead"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "deadzones_meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	recs := csvRows(t, filepath.Join(dir, "villages.csv"))
	pc, wc := slices.Index(recs[0], "p_dead"), slices.Index(recs[0], "without_signal")
	if pc < 0 || wc < 0 {
		t.Fatalf("villages.csv: no p_dead or without_signal column: %v", recs[0])
	}
	var withP, listed, byHexes int
	var dead, deadListed float64
	for _, r := range recs[1:] {
		w := r[wc] == "true"
		if r[pc] == "" {
			if w {
				byHexes++
			}
			continue
		}
		p, err := strconv.ParseFloat(r[pc], 64)
		if err != nil {
			t.Fatalf("villages.csv p_dead %q: %v", r[pc], err)
		}
		withP++
		dead += p
		if w {
			listed++
			deadListed += p
		}
	}
	if withP == 0 || listed == 0 {
		t.Fatalf("test month too thin: %d villages with p_dead, %d listed", withP, listed)
	}
	e := meta.Expected.Villages
	num := func(k string) float64 {
		v, ok := e[k].(float64)
		if !ok {
			t.Fatalf("expected_from_p_dead.villages.%s = %v, want a number", k, e[k])
		}
		return v
	}
	if int(num("villages")) != len(recs)-1 || int(num("villages_with_p_dead")) != withP || int(num("listed")) != listed || int(num("listed_without_p_dead")) != byHexes {
		t.Errorf("expected_from_p_dead counts %v; villages.csv: %d villages, %d with p_dead, %d listed, %d listed without", e, len(recs)-1, withP, listed, byHexes)
	}
	tol := 0.01 + 1e-4*float64(withP) // the published p_dead are rounded
	if math.Abs(num("expected_dead")-dead) > tol || math.Abs(num("expected_dead_listed")-deadListed) > tol ||
		math.Abs(num("expected_missed")-(dead-deadListed)) > 2*tol {
		t.Errorf("expected_from_p_dead %v; villages.csv sums %.3f dead, %.3f listed", e, dead, deadListed)
	}
	if p := num("expected_precision"); math.Abs(p-deadListed/float64(listed)) > 0.01 {
		t.Errorf("expected_precision %v, villages.csv gives %.4f", p, deadListed/float64(listed))
	}
	if !strings.Contains(stdout, fmt.Sprintf("p_dead expects %.1f of the", num("expected_dead"))) {
		t.Errorf("stdout does not say the list's expectation:\n%s", stdout)
	}
}

// manifestSHA256 returns the hex SHA-256 of DIR/manifest.json as it is
// now on disk.
func manifestSHA256(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return "", err
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:]), nil
}
