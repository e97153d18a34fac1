package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/geodata"
	"github.com/paulmach/orb"
)

// Speed tests inside Lai Châu, by a border where their resolution-7 hex's
// centre lies in Điện Biên, count for Lai Châu, the province their own
// point lies in: a report of Lai Châu lists no row of Điện Biên, and Lai
// Châu's speed change reads them (its tests of the two Octobers). Each
// test was counted for the province of its hex's centre: the report of
// Lai Châu had a row of Điện Biên, its targets unknown, and an alert
// naming its speed target, and Lai Châu's change lacked the year before.
func TestReportSpeedTestsCountWhereTheyLie(t *testing.T) {
	set, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	lai, _ := set.ByCode("12")
	p, neighbour := borderPoint(t, set, lai)
	var m strings.Builder
	m.WriteString("ts,carrier,tech,lon,lat,signal_dbm,service,dl_mbps\n")
	for _, month := range []struct {
		period string
		base   int
	}{{"2025-10", 30}, {"2026-10", 20}} {
		for i := range 40 {
			// As written, to five decimals.
			q := orb.Point{math.Round(p[0]*1e5+float64(i%4)) / 1e5, math.Round(p[1]*1e5+float64(i/4)) / 1e5}
			if c, _ := hexgrid.Index(q[0], q[1], 7); !lai.Contains(q) || c != mustCell(t, p) {
				t.Fatalf("test point %v: not in Lai Châu or not in the border hex", q)
			}
			fmt.Fprintf(&m, "%s-%02dT10:00:00+07:00,viettel,4G,%.5f,%.5f,-90,ok,%d\n", month.period, 1+i%9, q[0], q[1], month.base+i%5)
		}
	}
	dir := t.TempDir()
	ds := filepath.Join(dir, "ds")
	speeds := writeFile(t, dir, "speeds.csv", []byte(m.String()))
	if _, errs, code := runBinary(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"), filepath.Join(examples, "villages.csv"),
		filepath.Join(examples, "measurements_viettel.csv"), speeds); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s", code, errs)
	}
	out := filepath.Join(dir, "out")
	if _, errs, code := runBinary(t, "report", "--dataset", ds, "--period", "2026-10", "--province", "12", "--out", out); code != exitOK {
		t.Fatalf("report: exit %d\n%s", code, errs)
	}
	b, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	if strings.Contains(html, neighbour.Name) {
		i := strings.Index(html, neighbour.Name)
		t.Errorf("the report of Lai Châu names %s (%s), whose hex centre alone the tests shared: …%s…", neighbour.Name, neighbour.Code, html[max(0, i-300):min(len(html), i+200)])
	}
	if strings.Contains(html, "no mobile speed tests in 2025-10") {
		t.Error("Lai Châu's speed change lacks its tests of 2025-10, inside it by the border")
	}
}

// borderPoint returns a point of u whose resolution-7 hex's centre lies
// in another unit of set, and that unit: the first on a grid of 0.002°
// over u's bound, row by row from the south-west.
func borderPoint(t *testing.T, set *geodata.BoundarySet, u geodata.Unit) (orb.Point, geodata.Unit) {
	t.Helper()
	for lat := u.Bound.Min[1]; lat < u.Bound.Max[1]; lat += 0.002 {
		for lon := u.Bound.Min[0]; lon < u.Bound.Max[0]; lon += 0.002 {
			p := orb.Point{lon, lat}
			if !u.Contains(p) {
				continue
			}
			ctr, err := mustCell(t, p).Center()
			if err != nil {
				t.Fatal(err)
			}
			if v, ok := set.Locate(ctr); ok && v.Code != u.Code {
				return p, v
			}
		}
	}
	t.Fatalf("no point of %s in a hex centred in another unit", u.Name)
	return orb.Point{}, geodata.Unit{}
}

func mustCell(t *testing.T, p orb.Point) hexgrid.Cell {
	t.Helper()
	c, err := hexgrid.Index(p[0], p[1], 7)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
