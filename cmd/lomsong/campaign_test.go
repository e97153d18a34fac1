package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/campaign"
	"github.com/paulmach/orb"
	"golang.org/x/text/unicode/norm"
)

// verdictsCSV is a villages.csv with verdicts: two town neighbourhoods
// and four villages around Lai Châu town, one certainly served, one
// certainly dead.
const verdictsCSV = `village_id,name,commune_code,province,lon,lat,households,cell,status,without_signal,p_dead
V1,"Tổ dân phố 1, Lai Châu",12001,12,103.4600,22.4000,300,,covered,false,0.01
V2,"Tổ dân phố 2, Lai Châu",12001,12,103.4700,22.3900,100,,covered,false,0.02
V3,Bản Hon,12002,12,103.5000,22.4200,120,,no_signal,true,0.5
V4,Bản Pa,12002,12,103.3000,22.4500,80,,covered,false,0.3
V5,Bản Mù,12003,12,103.7000,22.2000,60,,no_signal,true,0.98
V6,Bản Xa,12003,12,103.5500,22.3000,90,,no_signal,true,
`

func writeVerdicts(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "villages.csv")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCampaignCommand(t *testing.T) {
	in := writeVerdicts(t, verdictsCSV)
	out := filepath.Join(t.TempDir(), "camp")
	args := []string{"campaign", "--verdicts", in, "--days", "2", "--teams", "2", "--start", "lai châu", "--day-hours", "3", "--out", out}
	stdout, stderr, code := runCmd(t, args...)
	if code != exitOK {
		t.Fatalf("code %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "5 villages with a verdict") {
		t.Errorf("summary: %s", stdout)
	}
	b, err := os.ReadFile(filepath.Join(out, "campaign.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ","); got != "rank,village_id,name,province,province_name,commune,commune_name,lon,lat,households,p_dead,value,team,day,order" {
		t.Fatalf("header %s", got)
	}
	// Values (C = 1, ε = 0.05): V3 120·(0.5 − 0.05) = 54, V4 80·(0.3 −
	// 0.05) = 20, V2 100·(0.02 − 0.02) = 0, V1 and V5 0 as well.
	want := [][]string{{"1", "V3", "54.000"}, {"2", "V4", "20.000"}}
	if len(rows) != 1+len(want) {
		t.Fatalf("%d rows, want %d:\n%s", len(rows)-1, len(want), b)
	}
	for i, w := range want {
		r := rows[i+1]
		if r[0] != w[0] || r[1] != w[1] || r[11] != w[2] || r[12] == "" || r[13] == "" || r[14] != "1" {
			t.Errorf("row %d: %v, want rank, id, value %v and a team, day, order 1", i+1, r, w)
		}
	}
	// Three-hour days hold one of them: both teams go out on day 1, the
	// best village to team 1.
	if rows[1][12] != "1" || rows[1][13] != "1" || rows[2][12] != "2" || rows[2][13] != "1" {
		t.Errorf("teams and days: %v %v", rows[1], rows[2])
	}
	g, err := os.ReadFile(filepath.Join(out, "campaign.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(g, &fc); err != nil {
		t.Fatal(err)
	}
	var points, lines int
	for _, f := range fc.Features {
		switch f.Geometry.Type {
		case "Point":
			points++
		case "LineString":
			lines++
			var c [][2]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &c); err != nil || len(c) != 2 {
				t.Errorf("route %v: %s", f.Properties, f.Geometry.Coordinates)
			}
			// Start: the household-weighted centre of the two
			// neighbourhoods of Lai Châu.
			if c[0][0] < 103.462 || c[0][0] > 103.463 || c[0][1] < 22.397 || c[0][1] > 22.398 {
				t.Errorf("route starts at %v", c[0])
			}
			if h, _ := f.Properties["hours"].(float64); h <= 0 || h > 8 {
				t.Errorf("route hours %v", f.Properties["hours"])
			}
		}
	}
	if points != 2 || lines != 2 {
		t.Errorf("%d points and %d routes, want 2 and 2", points, lines)
	}
	// The same run gives the same bytes.
	out2 := filepath.Join(t.TempDir(), "camp")
	args[len(args)-1] = out2
	if _, _, code := runCmd(t, args...); code != exitOK {
		t.Fatal(code)
	}
	for _, name := range []string{"campaign.csv", "campaign.geojson"} {
		a, _ := os.ReadFile(filepath.Join(out, name))
		b, _ := os.ReadFile(filepath.Join(out2, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs", name)
		}
	}
}

func TestCampaignCommandErrors(t *testing.T) {
	good := writeVerdicts(t, verdictsCSV)
	out := t.TempDir()
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"help", []string{"campaign", "--help"}, exitOK, "Example:"},
		{"no days", []string{"campaign", "--verdicts", good, "--out", out}, exitUsage, "--days"},
		{"zero days", []string{"campaign", "--verdicts", good, "--days", "0", "--out", out}, exitUsage, "--days 0: want the working days of every team, 1 or more"},
		{"negative days", []string{"campaign", "--verdicts", good, "--days", "-3", "--out", out}, exitUsage, "--days -3: want"},
		{"no input", []string{"campaign", "--days", "3", "--out", out}, exitUsage, "required"},
		{"bad residual error", []string{"campaign", "--verdicts", good, "--days", "3", "--out", out, "--residual-error", "0.7"}, exitUsage, "residual error"},
		{"negative residual error", []string{"campaign", "--verdicts", good, "--days", "3", "--out", out, "--residual-error", "-0.1"}, exitUsage, "--residual-error -0.1"},
		{"verdicts without rows", []string{"campaign", "--verdicts", writeVerdicts(t, "village_id,lon,lat,households,p_dead\n"), "--days", "3", "--out", out},
			exitDataRefused, "no village with a verdict"},
		{"verdicts without p_dead values", []string{"campaign", "--verdicts", writeVerdicts(t, "village_id,lon,lat,households,p_dead\nV1,103,22,10,\n"), "--days", "3", "--out", out},
			exitDataRefused, "no village with a verdict"},
		// A zero typed is refused, not replaced by the default.
		{"zero teams", []string{"campaign", "--verdicts", good, "--days", "3", "--out", out, "--teams", "0"}, exitUsage, "--teams 0: want a value above 0"},
		{"day shorter than a village", []string{"campaign", "--verdicts", good, "--days", "1", "--day-hours", "0.5", "--out", out}, exitUsage,
			"--measure-hours 1.5 is more than --day-hours 0.5"},
		{"zero speed", []string{"campaign", "--verdicts", good, "--days", "3", "--out", out, "--speed-kmh", "0"}, exitUsage, "--speed-kmh 0"},
		{"zero miss cost", []string{"campaign", "--verdicts", good, "--days", "3", "--out", out, "--miss-cost", "0"}, exitUsage, "--miss-cost 0"},
		// Positive, but its cut 1/(1+C) rounds to 1: refused as a flag,
		// whichever the input (it failed with exit 1 from the dataset).
		{"miss cost whose cut is 1", []string{"campaign", "--verdicts", good, "--days", "3", "--out", out, "--miss-cost", "1e-17"}, exitUsage, "--miss-cost 1e-17"},
		// Teams and days far beyond the villages: planned at once (they
		// allocated per team and looped per team-day: a panic, memory
		// exhausted, or no end).
		{"teams beyond every village", []string{"campaign", "--verdicts", good, "--days", "1", "--teams", "9223372036854775807", "--out", filepath.Join(out, "t")}, exitOK, "villages tested"},
		{"days beyond every village", []string{"campaign", "--verdicts", good, "--days", "9223372036854775807", "--out", filepath.Join(out, "d")}, exitOK, "villages tested"},
		{"nothing at risk", []string{"campaign", "--verdicts", writeVerdicts(t, "village_id,lon,lat,households,p_dead\nV1,103,22,10,0\nV2,103.1,22,10,0\n"), "--days", "2", "--out", filepath.Join(out, "z")},
			exitOK, "(no risk to remove)"},
		{"unknown start", []string{"campaign", "--verdicts", good, "--days", "3", "--out", out, "--start", "Hà Nội"}, exitUsage, "Hà Nội"},
		{"start off the globe", []string{"campaign", "--verdicts", good, "--days", "3", "--out", out, "--start", "200,10"}, exitUsage, "lon,lat"},
		{"start far from every village", []string{"campaign", "--verdicts", good, "--days", "3", "--out", out, "--start", "0,0"}, exitUsage,
			`"0,0" is 11`},
		{"start in another country", []string{"campaign", "--verdicts", good, "--days", "3", "--out", out, "--start", "2.35,48.85"}, exitUsage,
			"km from the nearest village"},
		// --out names a folder: a file there (or where a parent folder
		// would be) is a usage error, said before the verdicts are read.
		{"out is a file", []string{"campaign", "--verdicts", good, "--days", "3", "--out", good}, exitUsage,
			"--out " + good + " is a file; --out names the folder"},
		{"out under a file", []string{"campaign", "--verdicts", good, "--days", "3", "--out", filepath.Join(good, "camp")}, exitUsage,
			good + " is a file, not a folder"},
		{"missing file", []string{"campaign", "--verdicts", filepath.Join(out, "none.csv"), "--days", "3", "--out", out}, exitFailure, "none.csv"},
		{"no p_dead column", []string{"campaign", "--verdicts", writeVerdicts(t, "village_id,lon,lat,households\nV1,103,22,10\n"), "--days", "3", "--out", out}, exitDataRefused, "p_dead"},
		// An empty file is data refused (it was a failure, "header: EOF");
		// a row without its village id would send a team to a village
		// nobody can name.
		{"empty file", []string{"campaign", "--verdicts", writeVerdicts(t, ""), "--days", "3", "--out", out}, exitDataRefused, "empty input"},
		{"empty village id", []string{"campaign", "--verdicts", writeVerdicts(t, "village_id,lon,lat,households,p_dead\n,103,22,10,0.5\n"), "--days", "3", "--out", out},
			exitDataRefused, "line 2, column village_id: empty"},
		{"p_dead above 1", []string{"campaign", "--verdicts", writeVerdicts(t, "village_id,lon,lat,households,p_dead\nV1,103,22,10,1.5\n"), "--days", "3", "--out", out}, exitDataRefused, "line 2, column p_dead: 1.5 is outside [0, 1]"},
		{"p_dead not a number", []string{"campaign", "--verdicts", writeVerdicts(t, "village_id,lon,lat,households,p_dead\nV1,103,22,10,high\n"), "--days", "3", "--out", out}, exitDataRefused, "line 2, column p_dead"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stdout, stderr, code := runCmd(t, c.args...)
			if code != c.code || !strings.Contains(stdout+stderr, c.want) {
				t.Fatalf("code %d (want %d)\nstdout: %s\nstderr: %s\nwant %q", code, c.code, stdout, stderr, c.want)
			}
		})
	}
}

// TestCampaignFromDataset runs the verdict on a small dataset and checks
// that the plan matches the one made from the villages.csv of lomsong
// deadzones on the same dataset.
func TestCampaignFromDataset(t *testing.T) {
	dir := t.TempDir()
	ds := filepath.Join(dir, "ds")
	villages := filepath.Join(dir, "villages.csv")
	os.WriteFile(villages, []byte("village_id,name,commune_code,lon,lat,households\n"+
		"V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV3,Bản C,,103.10,22.05,60\nV4,Bản D,,103.40,22.40,30\n"), 0o644)
	if _, _, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"),
		filepath.Join(examples, "measurements_viettel.csv"), villages); code != exitOK {
		t.Fatal(code)
	}
	dz := filepath.Join(dir, "dz")
	if stdout, errs, code := runCmd(t, "deadzones", "--dataset", ds, "--province", "lai chau", "--out", dz); code != exitOK {
		t.Fatalf("%d\n%s\n%s", code, stdout, errs)
	}
	fromDataset, fromFile := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	stdout, errs, code := runCmd(t, "campaign", "--dataset", ds, "--province", "lai chau", "--days", "3", "--residual-error", "0", "--start", "103.3,22.4", "--out", fromDataset)
	if code != exitOK {
		t.Fatalf("%d\n%s\n%s", code, stdout, errs)
	}
	stdout2, errs, code := runCmd(t, "campaign", "--verdicts", filepath.Join(dz, "villages.csv"), "--days", "3", "--residual-error", "0", "--start", "103.3,22.4", "--out", fromFile)
	if code != exitOK {
		t.Fatalf("%d\n%s\n%s", code, stdout2, errs)
	}
	// Both plan Lai Châu's villages: villages.csv of a run limited to it
	// lists them (V3, south of it, not), as --province keeps them.
	count := func(s string) string {
		_, after, _ := strings.Cut(s, ": ")
		n, _, _ := strings.Cut(after, " villages with")
		return n
	}
	if count(stdout) != "3" || count(stdout2) != "3" {
		t.Errorf("villages with a verdict: %q from the dataset, %q from villages.csv\n%s\n%s", count(stdout), count(stdout2), stdout, stdout2)
	}
	read := func(dir string) [][]string {
		b, err := os.ReadFile(filepath.Join(dir, "campaign.csv"))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	a, b := read(fromDataset), read(fromFile)
	if len(a) != len(b) || len(a) < 2 {
		t.Fatalf("%d rows from the dataset, %d from villages.csv", len(a)-1, len(b)-1)
	}
	for i := range a {
		// id, its province and commune and their names, p_dead (4
		// decimals in both), team, day, order
		if i > 0 && (a[i][3] != "12" || a[i][4] != "Lai Châu") {
			t.Errorf("row %d from the dataset: province %q %q, want 12 Lai Châu", i, a[i][3], a[i][4])
		}
		for _, c := range []int{1, 3, 4, 5, 6, 10, 12, 13, 14} {
			if a[i][c] != b[i][c] {
				t.Errorf("row %d column %s: %q from the dataset, %q from villages.csv", i, a[0][c], a[i][c], b[i][c])
			}
		}
	}
}

// --start takes a town's name without its diacritics, as --province does;
// one that fits several written names is refused rather than merged.
func TestResolveStartFolded(t *testing.T) {
	vs := []campaign.Village{
		{Village: engine.Village{ID: "V1", Name: "Tổ dân phố 1, Lai Châu", Lon: 103.46, Lat: 22.40, Households: 300}},
		{Village: engine.Village{ID: "V2", Name: "Tổ dân phố 2, Lai Châu", Lon: 103.47, Lat: 22.39, Households: 100}},
		{Village: engine.Village{ID: "V3", Name: "Bản Na", Lon: 103.50, Lat: 22.42, Households: 120}},
		{Village: engine.Village{ID: "V4", Name: "Bàn Na", Lon: 103.30, Lat: 22.45, Households: 80}},
	}
	want, err := resolveStart("Lai Châu", vs)
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range []string{"lai chau", "LAI CHAU", "laichau"} {
		if got, err := resolveStart(spec, vs); err != nil || got != want {
			t.Errorf("%q: %v, %v; want %v", spec, got, err, want)
		}
	}
	if p, err := resolveStart("Bản Na", vs); err != nil || p != (orb.Point{103.50, 22.42}) {
		t.Errorf("Bản Na as written: %v, %v", p, err)
	}
	if _, err := resolveStart("ban na", vs); err == nil || !strings.Contains(err.Error(), "Bàn Na; Bản Na") {
		t.Errorf("ban na: %v, want refused naming both", err)
	}
}

// --start takes a village's whole name, compares names in Unicode NFC (a
// name typed in NFD, as some systems write it, is the same name), and
// refuses a village's own name that hamlets in several places share.
func TestResolveStartNames(t *testing.T) {
	nfd := func(s string) string { return norm.NFD.String(s) }
	vs := []campaign.Village{
		{Village: engine.Village{ID: "V1", Name: "Tổ dân phố 5, Thành phố Lai Châu", Lon: 103.46, Lat: 22.40, Households: 100}},
		{Village: engine.Village{ID: "V2", Name: nfd("Tổ dân phố 6, Thành phố Lai Châu"), Lon: 103.48, Lat: 22.40, Households: 100}},
		{Village: engine.Village{ID: "V3", Name: "Tổ dân phố 5, Thị trấn Tam Đường", Lon: 103.20, Lat: 22.30, Households: 100}},
		{Village: engine.Village{ID: "V4", Name: "Bản Hon, Xã Bản Hon", Lon: 103.10, Lat: 22.35, Households: 50}},
	}
	for _, c := range []struct {
		spec string
		want orb.Point
	}{
		{"Tổ dân phố 5, Thành phố Lai Châu", orb.Point{103.46, 22.40}},
		{"to dan pho 5, thanh pho lai chau", orb.Point{103.46, 22.40}},
		{nfd("Tổ dân phố 5, Thành phố Lai Châu"), orb.Point{103.46, 22.40}},
		// The town: both its villages, the NFD one too.
		{"Thành phố Lai Châu", orb.Point{103.47, 22.40}},
		{nfd("Thành phố Lai Châu"), orb.Point{103.47, 22.40}},
		{"thanh pho lai chau", orb.Point{103.47, 22.40}},
		// A village's own name that one village has.
		{"Bản Hon", orb.Point{103.10, 22.35}},
		// An id in another case (it was refused: "no village id").
		{"v4", orb.Point{103.10, 22.35}},
	} {
		got, err := resolveStart(c.spec, vs)
		if err != nil || math.Abs(got[0]-c.want[0]) > 1e-9 || math.Abs(got[1]-c.want[1]) > 1e-9 {
			t.Errorf("%q: %v, %v; want %v", c.spec, got, err, c.want)
		}
	}
	_, err := resolveStart("Tổ dân phố 5", vs)
	if err == nil || !strings.Contains(err.Error(), "villages in 2 places") {
		t.Errorf("a hamlet name of two towns: %v, want refused", err)
	}
	// Two villages of one whole name, in two communes: refused, naming both.
	twice := append(slices.Clone(vs), campaign.Village{Village: engine.Village{ID: "V5", Name: "Bản Hon, Xã Bản Hon", CommuneCode: "12007", Lon: 103.9, Lat: 22.1, Households: 20}})
	for _, spec := range []string{"Bản Hon, Xã Bản Hon", "Bản Hon"} {
		if _, err := resolveStart(spec, twice); err == nil || !strings.Contains(err.Error(), "is the name of 2 villages: V4") || !strings.Contains(err.Error(), "V5 (commune 12007)") {
			t.Errorf("%q, one name of two villages: %v, want refused", spec, err)
		}
	}
}

// Names that differ only in their diacritics are told apart by those the
// user typed: "Ban Pá Sa" was refused as fitting both Bản Pa Sà and Bản
// Pá Sà.
func TestResolveStartTypedDiacritics(t *testing.T) {
	vs := []campaign.Village{
		{Village: engine.Village{ID: "V1", Name: "Bản Pa Sà", Lon: 103.1, Lat: 22.1, Households: 10}},
		{Village: engine.Village{ID: "V2", Name: "Bản Pá Sà", Lon: 103.2, Lat: 22.2, Households: 10}},
	}
	for _, c := range []struct {
		spec string
		want string // the village, or "" for refused as fitting both
	}{
		{"Ban Pá Sa", "V2"}, {"BẢN PÁ sa", "V2"}, {"Ban Pa Sa", ""}, {"ban pa sà", ""}, {"Bản Pa Sà", "V1"}, {"Ban Pà Sa", ""},
	} {
		got, err := resolveStart(c.spec, vs)
		switch {
		case c.want == "" && (err == nil || !strings.Contains(err.Error(), "fits several names")):
			t.Errorf("%q: %v, %v; want refused as fitting both", c.spec, got, err)
		case c.want == "V1" && (err != nil || got != orb.Point{103.1, 22.1}), c.want == "V2" && (err != nil || got != orb.Point{103.2, 22.2}):
			t.Errorf("%q: %v, %v; want %s", c.spec, got, err, c.want)
		}
	}
	for _, c := range []struct {
		spec, name string
		want       bool
	}{
		{"Ban Pá Sa", "Bản Pá Sà", true}, {"Ban Pá Sa", "Bản Pa Sà", false}, {"dong", "Đồng", true}, {"Đong", "Đồng", true},
		{"Dóng", "Đồng", false}, {"Ban", "Bản Pa", false}, {"ban-pa", "Bản Pa", true},
	} {
		if got := diacriticsAgree(c.spec, c.name); got != c.want {
			t.Errorf("diacriticsAgree(%q, %q) = %v", c.spec, c.name, got)
		}
	}
}

// --verdicts with --province plans that province's rows (villages.csv's
// province column); a village id given twice is refused with its lines.
func TestCampaignVerdictsProvince(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "villages.csv")
	body := "village_id,name,commune_code,province,lon,lat,households,p_dead\n" +
		"V1,Bản A,12001,12,103.30,22.45,40,0.6\n" +
		"V2,Bản B,11001,11,103.02,21.38,60,0.7\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "camp")
	stdout, errs, code := runCmd(t, "campaign", "--verdicts", path, "--province", "lai chau", "--days", "1", "--out", out)
	if code != exitOK || !strings.Contains(stdout, "1 village with a verdict") || !strings.Contains(stdout, "Lai Châu (12)") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, errs)
	}
	if b, err := os.ReadFile(filepath.Join(out, "campaign.csv")); err != nil || strings.Contains(string(b), "V2") {
		t.Errorf("campaign.csv plans another province's village (%v):\n%s", err, b)
	}
	for _, c := range []struct {
		province string
		code     int
		msg      string
	}{
		{"xyz", exitUsage, `--province "xyz"`},
		{"ha noi", exitDataRefused, "no village of Hà Nội (01) among its 2 villages"},
	} {
		if _, errs, code := runCmd(t, "campaign", "--verdicts", path, "--province", c.province, "--days", "1", "--out", filepath.Join(dir, "x")); code != c.code || !strings.Contains(errs, c.msg) {
			t.Errorf("--province %s: exit %d (want %d, %q)\n%s", c.province, code, c.code, c.msg, errs)
		}
	}
	if err := os.WriteFile(path, []byte(body+"V1,Bản A,12001,12,103.30,22.45,40,0.6\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := runCmd(t, "campaign", "--verdicts", path, "--days", "1", "--out", filepath.Join(dir, "y")); code != exitDataRefused ||
		!strings.Contains(errs, `line 4, column village_id: "V1" is given again (first on line 2)`) {
		t.Errorf("a repeated village id: exit %d\n%s", code, errs)
	}
}

// A start from which no village can be reached and tested within a day
// plans nothing, and says why.
func TestCampaignUnreachableStart(t *testing.T) {
	in := writeVerdicts(t, "village_id,name,lon,lat,households,p_dead\nV1,Bản A,103.46,22.40,100,0.5\nV2,Bản B,103.47,22.39,100,0.6\n")
	stdout, errs, code := runCmd(t, "campaign", "--verdicts", in, "--days", "2", "--start", "105.8,21.0", "--out", t.TempDir())
	if code != exitOK || !strings.Contains(stdout, "0 villages tested") || !strings.Contains(stdout, "no village worth a test day can be reached and tested") {
		t.Fatalf("%d\n%s\n%s", code, stdout, errs)
	}
}

// Rows a hand edit left without a p_dead, without a province or with the
// province's name for its code are named when left out (they were dropped
// in silence, the province's top villages among them).
func TestCampaignVerdictsLeftOut(t *testing.T) {
	in := writeVerdicts(t, "village_id,name,province,lon,lat,households,p_dead\n"+
		"V1,Bản Một,12,103.30,22.40,120,0.5\nV2,Bản Hai,12,103.31,22.40,80,\nV3,Bản Ba,,103.32,22.40,60,0.6\n"+
		"V4,Bản Bốn,Lai Châu,103.33,22.40,45,0.55\nV5,Bản Năm,11,103.10,22.05,30,0.5\n")
	_, errs, code := runCmd(t, "campaign", "--verdicts", in, "--province", "12", "--days", "1", "--out", filepath.Join(t.TempDir(), "c"))
	for _, want := range []string{"1 row without a p_dead (no verdict) left out: line 3 (V2)",
		"1 row without a province (outside every province) left out: line 4 (V3)",
		`1 row whose province is written otherwise than as a code (give the code, e.g. 12) left out: line 5 (V4: "Lai Châu")`} {
		if code != exitOK || !strings.Contains(errs, want) {
			t.Errorf("exit %d, stderr lacks %q:\n%s", code, want, errs)
		}
	}
	if strings.Contains(errs, "V5") {
		t.Errorf("another province's row is no hand edit:\n%s", errs)
	}
}

// campaign.csv rounds p_dead as villages.csv does (never across a status
// bound or the cut): 0.94996 is likely_dead, written 0.9499, not 0.95.
func TestCampaignRowRoundsAsVillages(t *testing.T) {
	row := campaignRow(1, campaign.Visit{Village: campaign.Village{PDead: 0.94996}}, 0.5, campaignArea{})
	if row[10] != "0.9499" {
		t.Errorf("p_dead 0.94996 written %q, want 0.9499 (as villages.csv)", row[10])
	}
}

// TestCampaignDatasetMatchesVillagesCSV: with perfect tests
// (--residual-error 0) a village whose p_dead villages.csv writes as
// 0.0000 has nothing to gain from a test day; a campaign from the dataset
// rounds p_dead as villages.csv does, so it lists the same villages as one
// from that file, and no row reads p_dead 0.0000 (it listed such villages
// with a value from the unrounded p_dead).
func TestCampaignDatasetMatchesVillagesCSV(t *testing.T) {
	dir := t.TempDir()
	demo := filepath.Join(dir, "demo")
	if stdout, errs, code := runCmd(t, "demo", "--density", "0.25", "--out", demo); code != exitOK {
		t.Fatalf("demo: %d\n%s\n%s", code, stdout, errs)
	}
	ds, dz := filepath.Join(demo, "dataset"), filepath.Join(dir, "dz")
	if _, errs, code := runCmd(t, "deadzones", "--dataset", ds, "--out", dz); code != exitOK {
		t.Fatalf("deadzones: %d %s", code, errs)
	}
	worth := func(stdout string) string {
		_, after, _ := strings.Cut(stdout, "villages with a verdict, ")
		n, _, _ := strings.Cut(after, " worth")
		return n
	}
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	s1, errs, code := runCmd(t, "campaign", "--dataset", ds, "--days", "2", "--residual-error", "0", "--out", a)
	if code != exitOK {
		t.Fatalf("campaign --dataset: %d %s", code, errs)
	}
	s2, errs, code := runCmd(t, "campaign", "--verdicts", filepath.Join(dz, "villages.csv"), "--days", "2", "--residual-error", "0", "--out", b)
	if code != exitOK {
		t.Fatalf("campaign --verdicts: %d %s", code, errs)
	}
	if worth(s1) == "" || worth(s1) != worth(s2) {
		t.Errorf("villages worth a test day: %q from the dataset, %q from villages.csv\n%s\n%s", worth(s1), worth(s2), s1, s2)
	}
	f, err := os.Open(filepath.Join(a, "campaign.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[1:] {
		if r[10] == "0.0000" {
			t.Errorf("campaign.csv lists %s with p_dead 0.0000 and value %s", r[1], r[11])
			break
		}
	}
}

// campaign writes its two files as one output set: a user's own
// campaign.csv in --out is not replaced (exit 2, nothing written), a
// second campaign into the same folder replaces its own files, and the
// --verdicts file read is never among the outputs.
func TestCampaignOutputSet(t *testing.T) {
	in := writeVerdicts(t, verdictsCSV)
	out := filepath.Join(t.TempDir(), "camp")
	os.MkdirAll(out, 0o755)
	mine := filepath.Join(out, "campaign.csv")
	os.WriteFile(mine, []byte("my route plan\n"), 0o644)
	args := []string{"campaign", "--verdicts", in, "--days", "2", "--start", "lai châu", "--out", out}
	_, stderr, code := runCmd(t, args...)
	if code != exitUsage || !strings.Contains(stderr, "campaign.csv already there and not written by an earlier lomsong campaign here") {
		t.Fatalf("over a user's campaign.csv: code %d\n%s", code, stderr)
	}
	if b, _ := os.ReadFile(mine); string(b) != "my route plan\n" {
		t.Fatalf("the user's campaign.csv became %q", b)
	}
	if _, err := os.Stat(filepath.Join(out, "campaign.geojson")); err == nil {
		t.Error("campaign.geojson written though the set was refused")
	}
	os.Remove(mine)
	for range 2 {
		if stdout, stderr, code := runCmd(t, args...); code != exitOK {
			t.Fatalf("code %d\n%s\n%s", code, stdout, stderr)
		}
	}
	// --verdicts naming the campaign's own output file is refused.
	verdictsOut := filepath.Join(t.TempDir(), "v")
	os.MkdirAll(verdictsOut, 0o755)
	same := filepath.Join(verdictsOut, "campaign.csv")
	b, _ := os.ReadFile(in)
	os.WriteFile(same, b, 0o644)
	_, stderr, code = runCmd(t, "campaign", "--verdicts", same, "--days", "2", "--start", "lai châu", "--out", verdictsOut)
	if code == exitOK {
		t.Fatalf("campaign replaced its own --verdicts file\n%s", stderr)
	}
	if b2, _ := os.ReadFile(same); !bytes.Equal(b, b2) {
		t.Error("the --verdicts file was changed")
	}
}

// A village without a verdict (no site and no test within reach) is not a
// village without risk: the summary counts it and its households apart,
// and never says there is "no risk to remove" as if everything were
// known.
func TestCampaignCountsVillagesWithoutVerdict(t *testing.T) {
	in := writeVerdicts(t, `village_id,name,commune_code,province,lon,lat,households,cell,status,without_signal,p_dead
V1,Bản Một,12001,12,103.4600,22.4000,300,,covered,false,0
V2,Bản Hai,12001,12,103.4700,22.3900,100,,covered,false,0
V3,Bản Ba,12002,12,103.5000,22.4200,120,,,,
`)
	out := filepath.Join(t.TempDir(), "camp")
	stdout, stderr, code := runCmd(t, "campaign", "--verdicts", in, "--days", "2", "--out", out)
	if code != exitOK {
		t.Fatalf("code %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "1 village (120 households) has no verdict") ||
		strings.Contains(stdout, "(no risk to remove)") || !strings.Contains(stdout, "no risk to remove among the villages with a verdict") {
		t.Errorf("summary:\n%s", stdout)
	}
}

// More teams than villages to test: the summary says how many have work,
// not that all of them are sent.
func TestCampaignSaysTeamsWithWork(t *testing.T) {
	in := writeVerdicts(t, verdictsCSV)
	out := filepath.Join(t.TempDir(), "camp")
	stdout, stderr, code := runCmd(t, "campaign", "--verdicts", in, "--days", "1", "--teams", "50", "--out", out)
	if code != exitOK {
		t.Fatalf("code %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "50 teams, ") || !strings.Contains(stdout, "of them with villages to test") {
		t.Errorf("summary:\n%s", stdout)
	}
}

// A campaign of one team, one day, one village says each count of one in
// the singular ("1 team × 1 day", "1 village tested", "1 village (1
// household) has no verdict … it needs a first measurement"), and the
// counts of several in the plural.
func TestCampaignSaysOneInTheSingular(t *testing.T) {
	for _, c := range []struct {
		name, body string
		args       []string
		want       []string
	}{
		{"one of each", "village_id,name,province,lon,lat,households,p_dead\nV1,Bản A,12,103.46,22.40,100,0.5\nV2,Bản B,12,103.47,22.39,1,\n",
			[]string{"--days", "1"},
			[]string{"campaign from ", ": 1 village with a verdict, 1 worth a test day;",
				"\n1 village (1 household) has no verdict (no site and no test within reach) and is not weighed: no P(dead) values a test day there, and the risk above leaves it out; it needs a first measurement (lomsong deadzones lists it as not analysed)\n",
				"\n1 team × 1 day from 103.46000, 22.40000: 1 village tested, expected risk removed",
				"warning: ", ": 1 row without a p_dead (no verdict) left out: line 3 (V2)"}},
		{"several of each", "village_id,name,province,lon,lat,households,p_dead\nV1,Bản A,12,103.46,22.40,100,0.5\nV2,Bản B,12,103.47,22.39,80,0.4\nV3,Bản C,12,103.48,22.39,2,\nV4,Bản D,12,103.49,22.39,3,\n",
			[]string{"--days", "2", "--teams", "2"},
			[]string{": 2 villages with a verdict, 2 worth a test day;",
				"\n2 villages (5 households) have no verdict (no site and no test within reach) and are not weighed: no P(dead) values a test day there, and the risk above leaves them out; they need a first measurement (lomsong deadzones lists them as not analysed)\n",
				"\n2 teams, 1 of them with villages to test, × 2 days from ", ": 2 villages tested,",
				": 2 rows without a p_dead (no verdict) left out: line 4 (V3), line 5 (V4)"}},
		{"one village of the province", "village_id,name,province,lon,lat,households,p_dead\nV1,Bản A,11,103.02,21.38,60,0.7\n",
			[]string{"--days", "1", "--province", "12"},
			[]string{"no village of Lai Châu (12) among its 1 village with a verdict"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := writeVerdicts(t, c.body)
			stdout, stderr, _ := runCmd(t, append([]string{"campaign", "--verdicts", in, "--out", filepath.Join(t.TempDir(), "camp")}, c.args...)...)
			all := stdout + stderr
			for _, w := range c.want {
				if !strings.Contains(all, w) {
					t.Errorf("no %q in\n%s", w, all)
				}
			}
			if strings.Contains(all, "(s)") || regexp.MustCompile(`\b1 (villages|rows|teams|days|households)\b`).MatchString(all) {
				t.Errorf("a count of one in the plural:\n%s", all)
			}
		})
	}
}
