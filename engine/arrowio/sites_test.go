package arrowio

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

func TestSitesRoundTrip(t *testing.T) {
	nan := math.NaN()
	var sites []engine.Site
	for i := 0; i < 700; i++ {
		s := engine.Site{
			SiteID: []string{"HN-0001-A", "", "HCM_77/3"}[i%3], Carrier: []engine.Carrier{engine.Viettel, "plmn-452-09"}[i%2],
			Tech: engine.Tech(i % 5), Lon: 105 + float64(i)/1000, Lat: 21 - float64(i)/997,
			BandMHz: 1800, HeightM: 30 + float64(i%7), AzimuthDeg: float64(i % 360), BeamwidthDeg: 65,
			TiltDeg: 4.5, EIRPDBm: 61.2, Status: engine.SiteStatus(i % 3), Backhaul: engine.Backhaul(i % 4),
		}
		if i%4 == 0 {
			s.AzimuthDeg, s.BandMHz, s.EIRPDBm = nan, nan, nan // omni, unknown band and power
		}
		if i%6 == 0 {
			s.HeightM, s.BeamwidthDeg, s.TiltDeg = nan, nan, nan
		}
		switch i % 5 {
		case 1:
			s.Cell = &engine.ServingCell{CellID: strconv.Itoa(12345000 + i), NodeID: strconv.Itoa(48000 + i/3), PCI: int32(i % 504), ARFCN: 1650}
		case 2:
			s.Cell = &engine.ServingCell{PCI: int32(i % 504), ARFCN: -1}
		case 3:
			s.Cell = &engine.ServingCell{NodeID: "N" + strconv.Itoa(i), PCI: -1, ARFCN: 0}
		}
		sites = append(sites, s)
	}
	for _, n := range []int{0, 1, 700} {
		var buf bytes.Buffer
		if err := WriteSites(&buf, sites[:n], WithRowGroupRows(256)); err != nil {
			t.Fatal(err)
		}
		got, err := ReadSites(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != n {
			t.Fatalf("%d sites read, want %d", len(got), n)
		}
		for i, w := range sites[:n] {
			g := got[i]
			if g.SiteID != w.SiteID || g.Carrier != w.Carrier || g.Tech != w.Tech || g.Status != w.Status ||
				g.Backhaul != w.Backhaul || !sameFloat(g.Lon, w.Lon) || !sameFloat(g.Lat, w.Lat) ||
				!sameFloat(g.BandMHz, w.BandMHz) || !sameFloat(g.HeightM, w.HeightM) ||
				!sameFloat(g.AzimuthDeg, w.AzimuthDeg) || !sameFloat(g.BeamwidthDeg, w.BeamwidthDeg) ||
				!sameFloat(g.TiltDeg, w.TiltDeg) || !sameFloat(g.EIRPDBm, w.EIRPDBm) ||
				(g.Cell == nil) != (w.Cell == nil) || g.Cell != nil && *g.Cell != *w.Cell {
				t.Fatalf("site %d:\n got %+v\nwant %+v", i, g, w)
			}
		}
	}
	bad := []engine.Site{{SiteID: "x", Status: 7}}
	if err := WriteSites(&bytes.Buffer{}, bad); !errors.Is(err, engine.ErrInvalidValue) {
		t.Errorf("undefined status: err = %v", err)
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, []Column{{Name: "site_id", String: []string{"a"}}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSites(bytes.NewReader(buf.Bytes()), int64(buf.Len())); !errors.Is(err, engine.ErrMissingColumn) {
		t.Errorf("site file without carrier: err = %v, want ErrMissingColumn", err)
	}
}
