package aggregate_test

import (
	"fmt"
	"math"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

func ExampleAggregator() {
	cfg := aggregate.DefaultConfig() // resolution 8, default thresholds
	agg, err := aggregate.New(cfg)
	if err != nil {
		panic(err)
	}
	nan := math.NaN()
	var b engine.MeasurementBatch
	for _, r := range []struct {
		sig float64
		svc engine.Service
	}{{-98, engine.ServiceOK}, {-112, engine.ServiceOK}, {nan, engine.ServiceNone}} {
		b.Append(engine.Measurement{
			TimeUnixMs: 1740816000000, Carrier: engine.Viettel, Tech: engine.Tech4G,
			Lon: 105.8542, Lat: 21.0285, SignalDBm: r.sig, Service: r.svc,
			RSRQDB: nan, SINRDB: nan, DLMbps: nan, ULMbps: nan, LatencyMs: nan,
			Environment: engine.EnvOutdoor,
		})
	}
	fine := make([]hexgrid.Cell, b.Len())
	if err := hexgrid.IndexInto(fine, b.Lon, b.Lat, cfg.Resolution+1); err != nil {
		panic(err)
	}
	if err := agg.Add(&b, fine); err != nil {
		panic(err)
	}
	for _, r := range agg.Rows() {
		fmt.Printf("%v %s %v: %d outdoor tests, %d covered, %d no service, median %v dBm\n",
			r.Cell, r.Carrier, r.Tech, r.Outdoor.Tests, r.Outdoor.Covered, r.Outdoor.NoServiceRows, r.OutdoorSignal.P50DBm)
	}
	// Output:
	// 88415cb4e5fffff viettel 4G: 3 outdoor tests, 1 covered, 1 no service, median -112 dBm
}
