package export

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// category is one class of a categorized QGIS style: the field's value,
// its label and its colour (r,g,b).
type category struct {
	value, label string
	rgb          [3]int
}

// layerStyle is the QGIS default style of a layer: categories of one
// field.
type layerStyle struct {
	layer, field string
	classes      []category
}

// statusClasses are the bins of P(dead) (deadzone.Status), green served
// to red dead, and grey for a place without P(dead) (the empty value is
// QGIS's "all other values", which NULL falls in).
var statusClasses = []category{
	{"confirmed_served", "confirmed served (P(dead) ≤ 0.05)", [3]int{26, 150, 65}},
	{"likely_served", "likely served (≤ 0.2)", [3]int{166, 217, 106}},
	{"uncertain", "uncertain (0.2–0.8)", [3]int{255, 255, 191}},
	{"likely_dead", "likely dead (≥ 0.8)", [3]int{253, 174, 97}},
	{"confirmed_dead", "confirmed dead (≥ 0.95)", [3]int{215, 25, 28}},
	{"", "no P(dead)", [3]int{150, 150, 150}},
}

// styles are the classes the state fields take (coverage.Level,
// deadzone.Status): green served, amber weak or 2G only, red without
// signal.
var styles = []layerStyle{
	{"coverage_hex", "state", []category{{"covered", "covered", [3]int{26, 150, 65}}, {"weak", "weak", [3]int{253, 174, 97}}, {"uncovered", "uncovered", [3]int{215, 25, 28}}}},
	{"coverage_best", "state", []category{{"covered", "covered", [3]int{26, 150, 65}}, {"weak", "weak", [3]int{253, 174, 97}}, {"uncovered", "uncovered", [3]int{215, 25, 28}}}},
	{"hexes", "status", statusClasses},
	{"villages", "status", statusClasses},
	{"deadzones", "partly_2g", []category{{"false", "no signal", [3]int{215, 25, 28}}, {"true", "partly 2G", [3]int{253, 174, 97}}}},
}

// qml renders a categorized renderer in QGIS's QML style format; polygons
// get a translucent fill, points a circle marker.
func qml(s layerStyle, g GeometryType) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis version=\"3.28.0\" styleCategories=\"Symbology\">\n")
	fmt.Fprintf(&b, " <renderer-v2 type=\"categorizedSymbol\" attr=\"%s\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n  <categories>\n", s.field)
	for i, c := range s.classes {
		fmt.Fprintf(&b, "   <category symbol=\"%d\" value=\"%s\" label=\"%s\" render=\"true\"/>\n", i, c.value, c.label)
	}
	b.WriteString("  </categories>\n  <symbols>\n")
	for i, c := range s.classes {
		col := fmt.Sprintf("%d,%d,%d,255", c.rgb[0], c.rgb[1], c.rgb[2])
		if g == Point {
			fmt.Fprintf(&b, `   <symbol type="marker" name="%d" alpha="1" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleMarker" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option type="QString" name="color" value="%s"/>
      <Option type="QString" name="name" value="circle"/>
      <Option type="QString" name="outline_color" value="35,35,35,255"/>
      <Option type="QString" name="size" value="2.4"/>
     </Option>
    </layer>
   </symbol>
`, i, col)
			continue
		}
		fmt.Fprintf(&b, `   <symbol type="fill" name="%d" alpha="0.6" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleFill" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option type="QString" name="color" value="%s"/>
      <Option type="QString" name="outline_color" value="%s"/>
      <Option type="QString" name="outline_width" value="0.1"/>
      <Option type="QString" name="style" value="solid"/>
     </Option>
    </layer>
   </symbol>
`, i, col, col)
	}
	b.WriteString("  </symbols>\n </renderer-v2>\n</qgis>\n")
	return b.String()
}

// writeStyles writes QGIS's layer_styles table (the table QGIS reads a
// GeoPackage layer's default style from) with a categorized style for the
// state fields of the layers present.
func writeStyles(ctx context.Context, tx *sql.Tx, layers []Layer, stamp string) error {
	if _, err := tx.ExecContext(ctx, `CREATE TABLE layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256),
  f_table_schema TEXT(256), f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
  useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30), update_time DATETIME)`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change)
VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS default styles of the state classes', ?)`, stamp); err != nil {
		return err
	}
	for _, s := range styles {
		i := slices.IndexFunc(layers, func(l Layer) bool { return l.Name == s.layer })
		if i < 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column,
  styleName, styleQML, styleSLD, useAsDefault, description, owner, ui, update_time) VALUES ('', '', ?, 'geom', ?, ?, '', 1, ?, '', '', ?)`,
			s.layer, s.layer+" by "+s.field, qml(s, layers[i].Geometry), "classes of "+s.field, stamp); err != nil {
			return err
		}
	}
	return nil
}
