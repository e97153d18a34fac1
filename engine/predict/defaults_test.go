package predict

import (
	"math"
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

func TestSiteDefaults(t *testing.T) {
	nan := math.NaN()
	site := func(id string, tech engine.Tech, band, eirp, height float64, st engine.SiteStatus) engine.Site {
		return engine.Site{SiteID: id, Carrier: "viettel", Tech: tech, Lon: 103.3, Lat: 22.4, BandMHz: band, EIRPDBm: eirp,
			HeightM: height, AzimuthDeg: nan, BeamwidthDeg: 65, TiltDeg: 4, Status: st}
	}
	sites := []engine.Site{
		site("a", engine.Tech4G, nan, nan, 0, engine.StatusActive),    // an OpenCelliD row: no band, EIRP, height
		site("b", engine.Tech4G, 0, nan, nan, engine.StatusActive),    // 0 MHz is no band
		site("c", engine.Tech4G, 2100, 60, 35, engine.StatusActive),   // all given
		site("d", engine.Tech2G, nan, 55, 40, engine.StatusActive),    // band only
		site("e", engine.Tech4G, nan, nan, nan, engine.StatusDown),    // not evaluated
		site("f", engine.Tech4G, nan, nan, nan, engine.StatusPlanned), // not evaluated by default
	}
	cfg := DefaultConfig()
	got := cfg.SiteDefaults(sites)
	want := []SiteDefault{
		{engine.Tech2G, FieldBandMHz, 900, 1},
		{engine.Tech4G, FieldBandMHz, 1800, 2},
		{engine.Tech4G, FieldEIRPDBm, 58, 2},
		{engine.Tech4G, FieldHeightM, 30, 2},
	}
	if !slices.Equal(got, want) {
		t.Errorf("SiteDefaults:\n got %+v\nwant %+v", got, want)
	}
	cfg.IncludePlanned = true
	if got := cfg.SiteDefaults(sites); got[1].Sites != 3 {
		t.Errorf("with planned sites: %+v", got)
	}
	cfg.IncludePlanned = false

	models := cfg.ModelsInUse(sites)
	wantModels := []ModelUse{
		{engine.Tech2G, 900, [numEnv]Model{ModelHata, ModelHata, ModelHata, ModelHata}, 1},
		{engine.Tech4G, 1800, [numEnv]Model{ModelCOST231, ModelCOST231, ModelCOST231, ModelCOST231}, 2},
		{engine.Tech4G, 2100, [numEnv]Model{ModelCOST231, ModelCOST231, ModelCOST231, ModelCOST231}, 1},
	}
	if !slices.Equal(models, wantModels) {
		t.Errorf("ModelsInUse:\n got %+v\nwant %+v", models, wantModels)
	}
	// A band beyond the models' range is reported at the bound it is
	// predicted at; a band no model covers is left out (BestServer
	// rejects the site).
	if got := cfg.ModelsInUse([]engine.Site{site("h", engine.Tech4G, 40000, 58, 30, engine.StatusActive)}); len(got) != 1 || got[0].BandMHz != BandMaxMHz {
		t.Errorf("a 40 GHz site: %+v", got)
	}
	if got := cfg.ModelsInUse([]engine.Site{site("g", engine.Tech4G, 100, 58, 30, engine.StatusActive)}); len(got) != 0 {
		t.Errorf("a 100 MHz site: %+v", got)
	}

	// The defaults reported are the ones predicted with: a site without
	// band, EIRP and height is predicted as one with the defaults given.
	pts := Points{Lon: []float64{103.31}, Lat: []float64{22.41}, Env: []Env{EnvRural}}
	given := site("a", engine.Tech4G, 1800, 58, 30, engine.StatusActive)
	r1, err := BestServer([]engine.Site{sites[0]}, pts, cfg)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := BestServer([]engine.Site{given}, pts, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(r1.SignalDBm) != 1 || len(r2.SignalDBm) != 1 || r1.SignalDBm[0] != r2.SignalDBm[0] {
		t.Errorf("defaulted %v dBm, given %v dBm", r1.SignalDBm, r2.SignalDBm)
	}
}
