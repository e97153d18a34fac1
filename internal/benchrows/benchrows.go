// Package benchrows generates the measurement rows of the hot-path
// benchmarks (benchmarks/pipeline and the store reader's benchmark), so
// that both measure the same data: rows clustered around settlement
// centres over Vietnam's extent, mostly 4G, random times over 30 days, a
// thirtieth with no service, a quarter with a download speed, device ids
// drawn from 200 000 devices. Everything is drawn from the caller's
// random source, so a seed gives the same rows.
package benchrows

import (
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/lomsong/lomsong/engine"
)

// Spots returns n settlement centres drawn uniformly over Vietnam's
// bounding box, as {lon, lat}.
func Spots(r *rand.Rand, n int) [][2]float64 {
	spots := make([][2]float64, n)
	for i := range spots {
		spots[i] = [2]float64{102.2 + 7.2*r.Float64(), 8.6 + 14.7*r.Float64()}
	}
	return spots
}

// Append appends n rows to b: each around a random spot with a Gaussian
// spread of sigmaKm, a random carrier of carriers, a time in the 30 days
// from t0 (Unix ms).
func Append(b *engine.MeasurementBatch, r *rand.Rand, n int, spots [][2]float64, sigmaKm float64, carriers []engine.Carrier, t0 int64) {
	const month = int64(30 * 86400 * 1000)
	degLat := sigmaKm / 111.2
	for range n {
		sp := spots[r.IntN(len(spots))]
		lat := sp[1] + degLat*r.NormFloat64()
		lon := sp[0] + degLat/math.Cos(lat*math.Pi/180)*r.NormFloat64()
		tech := engine.Tech4G
		switch x := r.IntN(20); {
		case x == 0:
			tech = engine.Tech2G
		case x < 4:
			tech = engine.Tech3G
		}
		m := engine.Measurement{TimeUnixMs: t0 + r.Int64N(month), Carrier: carriers[r.IntN(len(carriers))], Tech: tech,
			Lon: lon, Lat: lat, SignalDBm: math.Round((-120+50*r.Float64())*10) / 10,
			RSRQDB: math.NaN(), SINRDB: math.NaN(), DLMbps: math.NaN(), ULMbps: math.NaN(), LatencyMs: math.NaN(),
			Source: engine.SourceCrowd, DeviceID: "d" + strconv.Itoa(r.IntN(200000)),
			DeviceClass: engine.DeviceSmartphone, Environment: engine.Environment(1 + r.IntN(3))}
		if r.IntN(30) == 0 {
			m.Service, m.SignalDBm = engine.ServiceNone, math.NaN()
		}
		if r.IntN(4) == 0 {
			m.DLMbps = 40 * r.Float64()
		}
		b.Append(m)
	}
}
