package postgis

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/export"
)

// recode gives the test month's provinces other codes: 12 → a, 14 → b.
func recode(m *export.Month, a, b string) {
	code := func(c *string) {
		switch *c {
		case "12":
			*c = a
		case "14":
			*c = b
		}
	}
	for i := range m.Coverage {
		code(&m.Coverage[i].Province)
	}
	for i := range m.Best {
		code(&m.Best[i].Province)
	}
	for i := range m.Hexes {
		code(&m.Hexes[i].Province)
	}
	for i := range m.Zones {
		code(&m.Zones[i].Province)
	}
	for i := range m.Villages {
		code(&m.Villages[i].Province)
	}
	for i := range m.Plan {
		code(&m.Plan[i].Province)
	}
	for i := range m.Communes {
		code(&m.Communes[i].Province)
	}
}

// A boundary set coded as ISO 3166-2 ("VN-01": --boundaries
// vn_provinces_2019_naturalearth.geojson --code-prop iso_3166_2) or GADM
// ("VNM.25_1") was refused by the PostGIS export once everything was
// computed ('province code "VN-01" cannot name a view', exit 1), while
// the GeoPackage and GeoParquet exports took it. Its codes now name the
// schema and the views with "-" and "." as "_", lower case; two codes
// that would give one name are refused naming both.
func TestWriteProvinceCodesWithSeparators(t *testing.T) {
	for _, c := range []struct {
		province, want string
	}{
		{"VN-01", "lomsong_2026_11_pvn_01"},
		{"VNM.25_1", "lomsong_2026_11_pvnm_25_1"},
	} {
		got, err := SchemaName(export.Meta{Period: "2026-11", Province: c.province})
		if err != nil || got != c.want {
			t.Errorf("SchemaName(province %q) = %q, %v; want %q", c.province, got, err, c.want)
		}
	}

	url, _ := testPostGIS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	m, _ := testMonth(t)
	recode(m, "VN-01", "VNM.25_1")
	layers := monthLayers(t, m)
	st, err := Write(ctx, url, layers, m.Meta)
	if err != nil {
		t.Fatal(err)
	}
	conn := session(t, ctx, url)
	for view, want := range map[string]int{"province_vn_01_villages": 1, "province_vnm_25_1_villages": 1, "province_vn_01_deadzones": 1, "province_vnm_25_1_deadzones": 0} {
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{st.Schema, view}.Sanitize()).Scan(&n); err != nil {
			t.Errorf("%s: %v", view, err)
		} else if n != want {
			t.Errorf("%s: %d rows, want %d", view, n, want)
		}
	}
	// Exported again, the release is replaced: its views are the export's.
	if _, err := Write(ctx, url, layers, m.Meta); err != nil {
		t.Fatalf("export again: %v", err)
	}
	// One province of them.
	m.Meta.Province = "VN-01"
	if st, err := Write(ctx, url, layers, m.Meta); err != nil || st.Schema != "lomsong_2026_11_pvn_01" {
		t.Errorf("export of province VN-01: %v, schema %v", err, st)
	}

	// VN-01 and VN.01 would both name province_vn_01_…
	m, _ = testMonth(t)
	recode(m, "VN-01", "VN.01")
	if layers, err = export.Layers(m); err != nil {
		t.Fatal(err)
	}
	m.Meta.Period = "2026-12"
	_, err = Write(ctx, url, layers, m.Meta)
	if !errors.Is(err, engine.ErrInvalidValue) || !strings.Contains(err.Error(), `"VN-01" and "VN.01"`) {
		t.Errorf("codes VN-01 and VN.01: %v, want a refusal naming both", err)
	}
	var schemas int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_namespace WHERE nspname = 'lomsong_2026_12'`).Scan(&schemas); err != nil {
		t.Fatal(err)
	}
	if schemas != 0 {
		t.Error("the refused release's schema was created")
	}
}
