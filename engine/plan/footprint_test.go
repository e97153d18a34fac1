package plan

import (
	"encoding/json"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/predict"
)

// ringHexes places hexes due north of (lon, lat) every stepM metres.
func lineHexes(lon, lat, stepM float64, n int) []Hex {
	hs := make([]Hex, n)
	for i := range hs {
		hs[i] = Hex{Cell: hexgrid.Cell(i + 1), Lon: lon, Lat: lat + float64(i+1)*stepM/mPerDeg, Households: 1}
	}
	return hs
}

func TestCoverageRadiusDefaults(t *testing.T) {
	r, err := CoverageRadiusM(DefaultFootprintConfig())
	if err != nil {
		t.Fatal(err)
	}
	// Hand link budget: RSRP = 58 dBm − 27.78 dB (50 RB) − PL − 1.28·8 dB
	// ≥ −105 dBm ⇒ PL ≤ 124.98 dB; Hata open area at 900 MHz, 40 m,
	// 1.5 m: PL = 96.42 + 34.41·log10(d km) ⇒ d ≈ 6.75 km before the
	// vertical pattern (≈ −0.3 dB at that range).
	if r < 6000 || r > 6800 {
		t.Errorf("coverage radius %g m, want about 6.4–6.75 km", r)
	}
	t.Logf("default coverage radius %.0f m", r)
}

func TestFootprintsMatchesLinkBudget(t *testing.T) {
	cfg := DefaultFootprintConfig()
	r, _ := CoverageRadiusM(cfg)
	hs := lineHexes(105.5, 21.0, 250, 60) // 250 m … 15 km
	cands := []Candidate{NewCandidate("a", 105.5, 21.0, SourceProposed)}
	fp, err := Footprints(cands, hs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for j, h := range hs {
		d := predict.GreatCircleM(105.5, 21.0, h.Lon, h.Lat)
		in := slices.Contains(fp[0], int32(j))
		if (d <= r-20) != in && math.Abs(d-r) > 20 {
			t.Errorf("hex at %.0f m: covered %v, radius %.0f m", d, in, r)
		}
	}
	// A taller tower and a lower band reach farther; 1800 MHz less far.
	tall := cands[0]
	tall.ID, tall.HeightM = "tall", 60
	high := cands[0]
	high.ID, high.BandMHz = "high", 1800
	fp2, err := Footprints([]Candidate{tall, high}, hs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(fp2[0]) <= len(fp[0]) || len(fp2[1]) >= len(fp[0]) {
		t.Errorf("footprint sizes 40 m %d, 60 m %d, 1800 MHz %d", len(fp[0]), len(fp2[0]), len(fp2[1]))
	}
}

func TestFootprintsWorkersAgree(t *testing.T) {
	zones := syntheticZones(3, 12, 400)
	var dead []Hex
	for _, z := range zones {
		dead = append(dead, z.Hexes...)
	}
	cands, err := GenerateCandidates(zones, DefaultCandidateConfig())
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultFootprintConfig()
	cfg.Workers = 1
	a, err := Footprints(cands, dead, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Workers = 3
	b, _ := Footprints(cands, dead, cfg)
	for i := range a {
		if !slices.Equal(a[i], b[i]) {
			t.Fatalf("candidate %d: footprints differ with workers", i)
		}
	}
}

func TestFootprintsRejects(t *testing.T) {
	cfg := DefaultFootprintConfig()
	bad := NewCandidate("bad", math.NaN(), 21, SourceProposed)
	if _, err := Footprints([]Candidate{bad}, nil, cfg); err == nil {
		t.Error("NaN longitude accepted")
	}
	low := NewCandidate("low", 105, 21, SourceProposed)
	low.BandMHz = 50
	if _, err := Footprints([]Candidate{low}, nil, cfg); err == nil {
		t.Error("50 MHz accepted")
	}
	cfg.Tech = engine.TechUnknown
	if _, err := Footprints(nil, nil, cfg); err == nil {
		t.Error("unknown default technology accepted")
	}
}

// TestFootprintConfigJSON checks plan.json's view of the footprint
// configuration: snake_case names only, the technology by name and the
// link budget keyed by technology.
func TestFootprintConfigJSON(t *testing.T) {
	b, err := json.Marshal(DefaultFootprintConfig())
	if err != nil {
		t.Fatal(err)
	}
	// Keys are snake_case, except the technologies' own names.
	for _, m := range regexp.MustCompile(`"([^"]*)":`).FindAllStringSubmatch(string(b), -1) {
		if k := m[1]; k != strings.ToLower(k) && !slices.Contains([]string{"2G", "3G", "4G", "5G"}, k) {
			t.Errorf("key %s is not snake_case in %s", k, b)
		}
	}
	var v struct {
		Tech string `json:"tech"`
		Link map[string]struct {
			BandMHz float64 `json:"band_mhz"`
			NRB     int     `json:"n_rb"`
		} `json:"link"`
		Models struct {
			LOS        string `json:"los"`
			Extensions struct {
				LongRange bool `json:"long_range"`
			} `json:"extensions"`
		} `json:"models"`
		CoveredDBm map[string]float64 `json:"covered_dbm"`
		Env        string             `json:"env"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if v.Tech != "4G" || v.Link["4G"].BandMHz != 900 || v.Link["4G"].NRB != 50 || v.CoveredDBm["4G"] != -105 ||
		v.Models.LOS != "nlos" || !v.Models.Extensions.LongRange || v.Env != "rural" {
		t.Errorf("footprint JSON %s", b)
	}
}
