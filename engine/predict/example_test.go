package predict_test

import (
	"fmt"
	"math"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/predict"
)

func ExampleBestServer() {
	nan := math.NaN()
	sites := []engine.Site{
		{SiteID: "HN-001", Carrier: engine.Viettel, Tech: engine.Tech4G, Lon: 105.85, Lat: 21.03,
			BandMHz: 1800, HeightM: 30, AzimuthDeg: nan, BeamwidthDeg: nan, TiltDeg: nan, EIRPDBm: nan},
		{SiteID: "HN-002", Carrier: engine.Viettel, Tech: engine.Tech2G, Lon: 105.95, Lat: 21.03,
			BandMHz: 900, HeightM: 40, AzimuthDeg: 270, BeamwidthDeg: 65, TiltDeg: 2, EIRPDBm: nan},
	}
	env := predict.DefaultEnvCutoffs()
	urban, _ := env.Classify(4000)
	rural, _ := env.Classify(120)
	pts := predict.Points{Lon: []float64{105.86, 105.90}, Lat: []float64{21.03, 21.10}, Env: []predict.Env{urban, rural}}
	r, err := predict.BestServer(sites, pts, predict.DefaultConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range r.Len() {
		fmt.Printf("point %d %s %s: %s %.1f dBm from %s (%s, %.0f m)\n", r.Point[i], r.Carrier[i], r.Tech[i],
			r.Tech[i].SignalMeasure(), r.SignalDBm[i], sites[r.Site[i]].SiteID, r.Model[i], r.DistanceM[i])
	}
	// Output:
	// point 0 viettel 2G: RSSI -101.4 dBm from HN-002 (okumura-hata, 9341 m)
	// point 0 viettel 4G: RSRP -109.8 dBm from HN-001 (cost231-hata, 1038 m)
	// point 1 viettel 2G: RSSI -82.0 dBm from HN-002 (okumura-hata, 9354 m)
	// point 1 viettel 4G: RSRP -112.2 dBm from HN-001 (cost231-hata, 9354 m)
}

func ExampleCalibrate() {
	predicted := []float64{-80, -90, -100, -110}
	measured := []float64{-84, -95, -103, -115}
	log10Km := []float64{0, 0.3, 0.6, 0.9}
	f, err := predict.Calibrate(predicted, measured, log10Km, false)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("offset %.2f dB, sigma %.2f dB, rmse %.2f → %.2f dB\n", f.OffsetDB, f.SigmaDB, f.RMSEBeforeDB, f.RMSEAfterDB)
	// Output:
	// offset -4.25 dB, sigma 0.96 dB, rmse 4.33 → 0.83 dB
}
