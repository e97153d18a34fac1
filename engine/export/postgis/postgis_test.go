package postgis

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lomsong/lomsong/engine/export"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/paulmach/orb"
)

// testMonth is a small month: hexes around Lai Châu town in coverage and
// best, one zone, villages in two provinces, a site, a plan point and a
// commune without polygon.
func testMonth(t *testing.T) (*export.Month, []hexgrid.Cell) {
	t.Helper()
	c0, err := hexgrid.Index(103.45, 22.40, 8)
	if err != nil {
		t.Fatal(err)
	}
	cells, err := c0.Disk(2)
	if err != nil {
		t.Fatal(err)
	}
	m := &export.Month{Meta: export.Meta{Period: "2026-11", Resolution: 8, Version: "test", Totals: map[string]float64{"dead_zone_households": 12.4}}}
	for i, c := range cells {
		for _, carrier := range []string{"viettel", "vinaphone"} {
			m.Coverage = append(m.Coverage, export.CoverageHex{Cell: c, Carrier: carrier, Tech: "4G", State: "covered", Source: "predicted",
				MedianDBm: math.NaN(), PredictedDBm: -90 - float64(i), SigmaDB: 8, DistanceM: 1000, Province: "12", ProvinceName: "Lai Châu"})
		}
		m.Best = append(m.Best, export.BestHex{Cell: c, State: "covered", Households: int64(i), PDead: math.NaN(), Province: "12", ProvinceName: "Lai Châu"})
	}
	// The first hex is decided dead; the others were not analysed.
	m.Best[0].State, m.Best[0].Dead, m.Best[0].PDead, m.Best[0].Status = "uncovered", true, 0.9731, "confirmed_dead"
	m.Hexes = []export.Hex{
		{Cell: cells[0], Households: 12, Population: 50, PDead: 0.9731, Status: "confirmed_dead", ZoneID: "DZ-1", Province: "12", ProvinceName: "Lai Châu"},
		{Cell: cells[1], Households: 3, Population: 11, PDead: math.NaN(), Province: "12", ProvinceName: "Lai Châu"},
	}
	outline, err := hexgrid.Outline(cells[:3])
	if err != nil {
		t.Fatal(err)
	}
	m.Zones = []export.Zone{{ID: "DZ-1", Outline: outline, Hexes: 3, Households: 12, Province: "12", ProvinceName: "Lai Châu"}}
	m.Villages = []export.Village{
		{ID: "V1", Name: "Bản Một", Lon: 103.45, Lat: 22.40, Households: 40, Level: "covered", PDead: 0.01, Status: "confirmed_served",
			BestCarrier: "viettel", BestTech: "4G", BestMeanDBm: -88.4, BestSigmaDB: 6.2, Province: "12", ProvinceName: "Lai Châu"},
		{ID: "V2", Name: "Bản Hai", Lon: 103.0, Lat: 21.5, Households: 7, Level: "no-signal", PDead: math.NaN(), BestMeanDBm: math.NaN(), BestSigmaDB: math.NaN(), Province: "14", ProvinceName: "Sơn La"},
	}
	m.Sites = []export.Site{{SiteID: "S1", Carrier: "viettel", Tech: "4G", Lon: 103.46, Lat: 22.41, BandMHz: 1800, HeightM: 30, Status: "active"}}
	m.Plan = []export.PlanPoint{{Rank: 1, Candidate: "C1", Lon: 103.44, Lat: 22.39, HouseholdsNewlyCovered: 12, CostVND: 2937457733, Province: "12"}}
	m.Communes = []export.CommuneSummary{{Code: "12001", Province: "12", Villages: 1}}
	return m, cells
}

func TestWritePostGIS(t *testing.T) {
	url, _ := testPostGIS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	m, cells := testMonth(t)
	layers := monthLayers(t, m)
	for round := 1; round <= 2; round++ {
		st, err := Write(ctx, url, layers, m.Meta)
		if err != nil {
			t.Fatalf("export %d: %v", round, err)
		}
		if st.Schema != "lomsong_2026_11" {
			t.Fatalf("schema %q", st.Schema)
		}
	}
	conn := session(t, ctx, url)
	q := func(sql string, dst ...any) {
		t.Helper()
		if err := conn.QueryRow(ctx, sql).Scan(dst...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	// Twice exported, one copy: one schema, each table holding its rows once.
	var schemas int
	q(`SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'lomsong\_%'`, &schemas)
	if schemas != 1 {
		t.Errorf("%d lomsong schemas after two exports of one release, want 1", schemas)
	}
	for _, l := range layers {
		var n, valid, srid int
		q(fmt.Sprintf(`SELECT count(*), count(*) FILTER (WHERE geom IS NULL OR ST_IsValid(geom)), coalesce(max(ST_SRID(geom)), 4326) FROM lomsong_2026_11.%s`, l.Name), &n, &valid, &srid)
		if n != l.Len() {
			t.Errorf("%s: %d rows, want %d", l.Name, n, l.Len())
		}
		if valid != n {
			t.Errorf("%s: %d of %d geometries valid", l.Name, valid, n)
		}
		if srid != 4326 {
			t.Errorf("%s: SRID %d", l.Name, srid)
		}
		var gist int
		q(fmt.Sprintf(`SELECT count(*) FROM pg_indexes WHERE schemaname = 'lomsong_2026_11' AND tablename = '%s' AND indexdef LIKE '%%USING gist (geom)%%'`, l.Name), &gist)
		if gist != 1 {
			t.Errorf("%s: %d GiST indexes on geom, want 1", l.Name, gist)
		}
	}
	// Hex areas on the spheroid against H3's exact cell area.
	for i, c := range cells {
		want, err := c.AreaKm2()
		if err != nil {
			t.Fatal(err)
		}
		var got float64
		q(fmt.Sprintf(`SELECT ST_Area(geom::geography) / 1e6 FROM lomsong_2026_11.coverage_best WHERE h3 = '%s'`, c), &got)
		if math.Abs(got-want) > 0.01*want {
			t.Errorf("hex %d %v: PostGIS area %.5f km², H3 %.5f km² (more than 1%% apart)", i, c, got, want)
		}
	}
	// Nulls stay nulls; money stays whole đồng.
	var pNull bool
	var cost int64
	q(`SELECT p_dead IS NULL FROM lomsong_2026_11.villages WHERE village_id = 'V2'`, &pNull)
	q(`SELECT cost_vnd FROM lomsong_2026_11.plan`, &cost)
	if !pNull || cost != 2937457733 {
		t.Errorf("p_dead of a village without verdict null %v; cost %d", pNull, cost)
	}
	// p_dead and status of villages and hexes, NULL where unknown.
	var vNull, hNull bool
	var hp float64
	var hs string
	q(`SELECT best_mean_dbm IS NULL AND best_sigma_db IS NULL AND status IS NULL FROM lomsong_2026_11.villages WHERE village_id = 'V2'`, &vNull)
	q(`SELECT p_dead, status FROM lomsong_2026_11.coverage_best WHERE fid = 1`, &hp, &hs)
	q(`SELECT p_dead IS NULL AND status IS NULL FROM lomsong_2026_11.coverage_best WHERE fid = 2`, &hNull)
	var xNull bool
	var xp float64
	q(`SELECT p_dead FROM lomsong_2026_11.hexes WHERE fid = 1`, &xp)
	q(`SELECT p_dead IS NULL AND status IS NULL AND zone_id IS NULL FROM lomsong_2026_11.hexes WHERE fid = 2`, &xNull)
	if xp != 0.9731 || !xNull {
		t.Errorf("hexes: p_dead %v; undecided hex NULLs %v", xp, xNull)
	}
	if !vNull || hp != 0.9731 || hs != "confirmed_dead" || !hNull {
		t.Errorf("village V2 unknowns NULL %v; hex 1 p_dead %v status %q; hex 2 NULL %v", vNull, hp, hs, hNull)
	}
	// A view per province: villages of 14 hold V2 only.
	var id string
	var n int
	q(`SELECT count(*), min(village_id) FROM lomsong_2026_11.province_14_villages`, &n, &id)
	if n != 1 || id != "V2" {
		t.Errorf("province_14_villages: %d rows, first %q", n, id)
	}
	// The plan has no row in 14: its view of 14 exists and is empty.
	q(`SELECT count(*) FROM lomsong_2026_11.province_14_plan`, &n)
	if n != 0 {
		t.Errorf("province_14_plan: %d rows", n)
	}
	var meta string
	q(`SELECT value FROM lomsong_2026_11.lomsong_metadata WHERE key = 'exact_totals'`, &meta)
	if !strings.Contains(meta, `"dead_zone_households":12.4`) {
		t.Errorf("exact totals %s", meta)
	}
	// A zone outline round-trips exactly.
	var wkb []byte
	q(`SELECT ST_AsBinary(geom) FROM lomsong_2026_11.deadzones`, &wkb)
	g, _, _, err := export.DecodeWKB(wkb)
	if err != nil {
		t.Fatal(err)
	}
	if !orb.Equal(g, m.Zones[0].Outline) {
		t.Errorf("zone outline changed in PostGIS: %v, want %v", g, m.Zones[0].Outline)
	}
}

func TestWriteWithoutPostGIS(t *testing.T) {
	url, _ := testPostGIS(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE plain"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	m, _ := testMonth(t)
	layers := monthLayers(t, m)
	_, err = Write(ctx, dbURL("plain"), layers, m.Meta)
	if err == nil || !strings.Contains(err.Error(), "CREATE EXTENSION postgis") {
		t.Fatalf("export to a database without PostGIS: %v, want an error naming CREATE EXTENSION postgis", err)
	}
}

func TestSchemaName(t *testing.T) {
	for _, c := range []struct {
		meta export.Meta
		want string
		ok   bool
	}{
		{export.Meta{Period: "2026-11"}, "lomsong_2026_11", true},
		{export.Meta{Period: "2026-11", Province: "12"}, "lomsong_2026_11_p12", true},
		{export.Meta{Period: "2026-1"}, "", false},
		{export.Meta{Period: "2026-11", Province: "12; DROP"}, "", false},
	} {
		got, err := SchemaName(c.meta)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("SchemaName(%+v) = %q, %v; want %q", c.meta, got, err, c.want)
		}
	}
}
