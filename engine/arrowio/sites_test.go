package arrowio

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
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

// TestAppendSites appends a file's sites after rows already held: those
// rows stay as they were, the file's follow in order, and an error names
// the file's own row, not the row's place in the register.
func TestAppendSites(t *testing.T) {
	var sites []engine.Site
	for i := range 300 {
		sites = append(sites, engine.Site{SiteID: "S" + strconv.Itoa(i), Carrier: engine.Viettel, Tech: engine.Tech4G,
			Lon: 105 + float64(i)/1000, Lat: 21, BandMHz: 1800, HeightM: 30, AzimuthDeg: float64(i % 360), BeamwidthDeg: 65, TiltDeg: 4, EIRPDBm: 60})
	}
	var buf bytes.Buffer
	if err := WriteSites(&buf, sites[100:], WithRowGroupRows(64)); err != nil {
		t.Fatal(err)
	}
	held := slices.Clone(sites[:100])
	got, err := AppendSites(held, bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(sites) {
		t.Fatalf("%d sites, want %d", len(got), len(sites))
	}
	for i := range sites {
		if got[i].SiteID != sites[i].SiteID || got[i].Lon != sites[i].Lon || got[i].AzimuthDeg != sites[i].AzimuthDeg {
			t.Fatalf("site %d: got %+v, want %+v", i, got[i], sites[i])
		}
	}

	var bad bytes.Buffer
	if err := WriteTable(&bad, []Column{{Name: "site_id", String: []string{"a", "b", "c"}},
		{Name: "carrier", String: []string{"viettel", "viettel", "viettel"}}, {Name: "tech", String: []string{"4G", "4G", "6G"}},
		{Name: "lon", Float64: []float64{105, 105, 105}}, {Name: "lat", Float64: []float64{21, 21, 21}}}, nil); err != nil {
		t.Fatal(err)
	}
	_, err = AppendSites(held, bytes.NewReader(bad.Bytes()), int64(bad.Len()))
	if err == nil || !strings.Contains(err.Error(), "row 3:") {
		t.Errorf("bad tech in the file's row 3 after 100 held rows: err = %v, want it to name row 3", err)
	}
	if held[99].SiteID != "S99" {
		t.Errorf("held rows changed: %+v", held[99])
	}
}
