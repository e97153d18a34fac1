package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// A team-day that starts at the one village it tests travels nowhere: its
// route is written as a Point there, not as a LineString of one position
// twice, which GIS tools reject as an invalid geometry (ogrinfo's
// ST_IsValid: "Too few points"). Its properties stay those of a route.
func TestCampaignRouteWithoutTravelIsAPoint(t *testing.T) {
	in := writeVerdicts(t, "village_id,name,lon,lat,households,p_dead\nV1,Bản Hon,103.50,22.42,120,0.5\nV2,Bản Pa,103.30,22.45,80,0.4\n")
	for _, ret := range []bool{false, true} {
		out := filepath.Join(t.TempDir(), "camp")
		args := []string{"campaign", "--verdicts", in, "--days", "2", "--start", "V1", "--measure-hours", "5.5", "--day-hours", "8", "--out", out}
		if ret {
			args = append(args, "--return")
		}
		stdout, stderr, code := runCmd(t, args...)
		if code != exitOK {
			t.Fatalf("code %d\n%s\n%s", code, stdout, stderr)
		}
		b, err := os.ReadFile(filepath.Join(out, "campaign.geojson"))
		if err != nil {
			t.Fatal(err)
		}
		fc, err := geojson.UnmarshalFeatureCollection(b)
		if err != nil {
			t.Fatal(err)
		}
		routes := 0
		for _, f := range fc.Features {
			if _, ok := f.Properties["length_km"]; !ok {
				continue // a village
			}
			routes++
			switch g := f.Geometry.(type) {
			case orb.LineString:
				distinct := map[orb.Point]bool{}
				for _, p := range g {
					distinct[p] = true
				}
				if len(distinct) < 2 {
					t.Errorf("return %v: day %v's route is a LineString of %d distinct positions: %v", ret, f.Properties["day"], len(distinct), g)
				}
			case orb.Point:
				if f.Properties["length_km"] != 0.0 || g != (orb.Point{103.50, 22.42}) {
					t.Errorf("return %v: day %v is a Point %v of %v km", ret, f.Properties["day"], g, f.Properties["length_km"])
				}
			default:
				t.Errorf("return %v: a route is a %s", ret, g.GeoJSONType())
			}
		}
		if routes != 2 {
			t.Errorf("return %v: %d routes, want 2 (one village a day)\n%s", ret, routes, stdout)
		}
	}
}

// A --start that is part of a town's name as the villages write it ("Lai
// Châu" for "Thành phố Lai Châu") is refused naming the places that hold
// it, with or without its diacritics; one no place holds names none.
func TestCampaignStartNamesThePlacesHoldingIt(t *testing.T) {
	in := writeVerdicts(t, verdictsCSV+"V7,\"Tổ dân phố 1, Thị trấn Phìn Tủng\",12004,12,103.68,22.41,200,,covered,false,0.3\n")
	cases := []struct{ start, want, not string }{
		{"Phìn Tủng", `no village id, name or town "Phìn Tủng" among the 6 villages; places whose name holds it: Thị trấn Phìn Tủng (give one of them, or LON,LAT)`, ""},
		{"phin tung", "places whose name holds it: Thị trấn Phìn Tủng", ""},
		{"Tủng", "places whose name holds it: Thị trấn Phìn Tủng", ""},
		{"Hà Nội", `no village id, name or town "Hà Nội" among the 6 villages (or give LON,LAT)`, "places whose"},
		{"Phìn", "places whose name holds it: Thị trấn Phìn Tủng", ""},
	}
	for _, c := range cases {
		out := filepath.Join(t.TempDir(), "camp")
		stdout, stderr, code := runCmd(t, "campaign", "--verdicts", in, "--days", "1", "--start", c.start, "--out", out)
		if code != exitUsage || !strings.Contains(stderr, c.want) || (c.not != "" && strings.Contains(stderr, c.not)) {
			t.Errorf("--start %q: code %d\nstdout: %s\nstderr: %s\nwant %q", c.start, code, stdout, stderr, c.want)
		}
	}
}

// An area where every verdict is settled (confirmed served or dead, or
// surer than a test day would make it) is said to have nothing to measure
// in words, not only by a plan of no rows.
func TestCampaignNothingToMeasureIsSaid(t *testing.T) {
	in := writeVerdicts(t, "village_id,lon,lat,households,p_dead\nV1,103,22,10,0\nV2,103.1,22,40,1\nV3,103.2,22.1,30,0.01\n")
	out := filepath.Join(t.TempDir(), "camp")
	stdout, stderr, code := runCmd(t, "campaign", "--verdicts", in, "--days", "2", "--teams", "2", "--out", out)
	if code != exitOK {
		t.Fatalf("code %d\n%s\n%s", code, stdout, stderr)
	}
	want := "nothing to measure: no village with a verdict is worth a test day (every verdict is as sure as a test day's, wrong with probability 0.05, would make it, or its village has no households); campaign.csv and campaign.geojson list no village and no route"
	if !strings.Contains(stdout, want) {
		t.Errorf("stdout:\n%s\nwant %q", stdout, want)
	}
	b, err := os.ReadFile(filepath.Join(out, "campaign.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(b), "\n") != 1 {
		t.Errorf("campaign.csv has rows:\n%s", b)
	}
	// Where a village is worth a day, the sentence is not said.
	in = writeVerdicts(t, "village_id,lon,lat,households,p_dead\nV1,103,22,10,0.5\n")
	stdout, _, _ = runCmd(t, "campaign", "--verdicts", in, "--days", "2", "--out", filepath.Join(t.TempDir(), "camp"))
	if strings.Contains(stdout, "nothing to measure") {
		t.Errorf("said with a village worth a day:\n%s", stdout)
	}
}
