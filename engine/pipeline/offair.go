package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/predict"
	"github.com/lomsong/lomsong/internal/plural"
)

// offAirColumns are the measurement columns OffAirSites reads.
var offAirColumns = []string{"carrier", "tech", "lon", "lat", "signal_dbm", "service", "source", "device_class", "environment"}

// offAirKey is one kind of reading of one technology in one evidenceRes
// cell, from tests in one analysis hex (the carrier is the scan's).
type offAirKey struct {
	cell, hex hexgrid.Cell
	tech      engine.Tech
	upper     bool
}

// OffAirSites reads the dataset's sites and the selected measurements
// (opt.Aggregate's periods and carriers; within opt.Area when set) and
// weighs which masts the register lists as active are off the air
// (predict.OffAir with opt.Predict and oo).
//
// The observations are the tests' readings as the radio map takes them
// (deadzone.Evidence: levels, bounds from no-service rows, readings at
// the reporting floor and phones camped on a lower technology), averaged
// per evidenceRes cell, network and kind, each placed at its cell's
// centre with the environment there (envAt).
// Indoor tests are left out: their building loss would blur the tens of
// dB an off-air mast takes away. Memory grows with the cells tested, not
// the rows. phase, when not nil, is told each carrier as its masts are
// weighed ("viettel's masts (2 of 4 carriers, 6754 places tested)").
func OffAirSites(ctx context.Context, s Store, opt CoverageOptions, oo predict.OffAirOptions, phase func(string)) (*predict.OffAirResult, error) {
	sites, err := s.Sites(nil)
	if err != nil {
		return nil, err
	}
	// Carrier by carrier: a mast, its network's offset and spread and its
	// tests all belong to one carrier, so the answer is the same as over
	// all at once, and memory holds the observations of two carriers at
	// most (the one weighed and the next).
	out := &predict.OffAirResult{}
	// The next carrier's observations are read (one core's scan) while
	// this carrier's masts are weighed; every return waits for the read
	// under way.
	type read struct {
		obs predict.OffAirObs
		err error
	}
	fetch := func(c string) chan read {
		ch := make(chan read, 1)
		go func() {
			obs, err := offAirObservations(ctx, s, opt, c)
			ch <- read{obs, err}
		}()
		return ch
	}
	carriers := s.Carriers(opt.Aggregate.Periods, opt.Aggregate.Carriers)
	var next chan read
	defer func() {
		if next != nil {
			<-next
		}
	}()
	if len(carriers) > 0 {
		next = fetch(carriers[0])
	}
	for i, c := range carriers {
		got := <-next
		next = nil
		if got.err != nil {
			return nil, got.err
		}
		if i+1 < len(carriers) {
			next = fetch(carriers[i+1])
		}
		obs := got.obs
		if phase != nil {
			phase(fmt.Sprintf("%s's masts (%d of %s, %s tested)", c, i+1, plural.Count(len(carriers), "carrier", "carriers"), plural.Count(obs.Len(), "place", "places")))
		}
		// The carrier's own sites: its masts are grouped (predict.Masts)
		// and predicted from them alone, as over the whole register.
		r, err := predict.OffAir(carrierSites(sites, engine.Carrier(c)), obs, opt.Predict, oo)
		if err != nil {
			return nil, err
		}
		out.Masts = append(out.Masts, r.Masts...)
		out.Networks = append(out.Networks, r.Networks...)
		out.Unpredicted += r.Unpredicted
		out.Shared = append(out.Shared, r.Shared...)
	}
	slices.SortFunc(out.Masts, func(a, b predict.OffAirMast) int {
		return cmp.Or(cmp.Compare(a.Carrier, b.Carrier), strings.Compare(a.SiteIDs[0], b.SiteIDs[0]))
	})
	slices.SortFunc(out.Networks, func(a, b predict.OffAirNetwork) int {
		return cmp.Or(cmp.Compare(a.Carrier, b.Carrier), cmp.Compare(a.Tech, b.Tech))
	})
	return out, nil
}

// offAirObservations reads one carrier's selected measurements into
// OffAir's observations (see OffAirSites).
func offAirObservations(ctx context.Context, s Store, opt CoverageOptions, carrier string) (predict.OffAirObs, error) {
	res := opt.Aggregate.Config.Resolution
	var in map[hexgrid.Cell]bool
	if opt.Area != nil {
		in = opt.Area.set()
	}
	th := opt.Coverage.Thresholds
	var mu sync.Mutex
	sums := map[offAirKey]*evFix{}
	err := s.ScanMeasurements(ctx, opt.Aggregate.Periods, []string{carrier}, func(b *engine.MeasurementBatch) error {
		n := b.Len()
		for _, c := range b.Carrier {
			if string(c) != carrier {
				return fmt.Errorf("pipeline: a test of %q in %q's parts: parts are per carrier", c, carrier)
			}
		}
		cells, hexes := make([]hexgrid.Cell, n), make([]hexgrid.Cell, n)
		if err := hexgrid.IndexInto(cells, b.Lon, b.Lat, evidenceRes); err != nil {
			return fmt.Errorf("pipeline: index: %w", err)
		}
		if err := hexgrid.IndexInto(hexes, b.Lon, b.Lat, res); err != nil {
			return fmt.Errorf("pipeline: index: %w", err)
		}
		local := map[offAirKey]*evFix{}
		var rd []deadzone.Reading
		for i := range n {
			if cells[i] == 0 || b.Environment[i] == engine.EnvIndoor || (in != nil && !in[hexes[i]]) {
				continue
			}
			rd = deadzone.Evidence(rd[:0], deadzone.Test{Tech: b.Tech[i], SignalDBm: b.SignalDBm[i], Service: b.Service[i],
				Source: b.Source[i], DeviceClass: b.DeviceClass[i], Environment: b.Environment[i]}, th)
			for _, r := range rd {
				k := offAirKey{cells[i], hexes[i], r.Tech, r.Upper}
				e := local[k]
				if e == nil {
					e = &evFix{}
					local[k] = e
				}
				e.n++
				// Fixed point, so that the sums do not depend on the order
				// the batches are merged in.
				e.sum += toMicro(r.SignalDBm)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		for k, v := range local {
			e := sums[k]
			if e == nil {
				sums[k] = v
				continue
			}
			e.n += v.n
			e.sum += v.sum
		}
		return nil
	}, arrowio.WithColumns(offAirColumns...))
	if err != nil {
		return predict.OffAirObs{}, err
	}
	keys := make([]offAirKey, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b offAirKey) int {
		return cmp.Or(cmp.Compare(a.cell, b.cell), cmp.Compare(a.hex, b.hex), cmp.Compare(a.tech, b.tech), cmp.Compare(b2i(a.upper), b2i(b.upper)))
	})
	obs := predict.OffAirObs{Lon: make([]float64, len(keys)), Lat: make([]float64, len(keys)), Carrier: make([]engine.Carrier, len(keys)),
		Tech: make([]engine.Tech, len(keys)), LevelDBm: make([]float64, len(keys)), Upper: make([]bool, len(keys)), N: make([]int32, len(keys))}
	for i, k := range keys {
		ctr, err := k.cell.Center()
		if err != nil {
			return predict.OffAirObs{}, err
		}
		e := sums[k]
		obs.Lon[i], obs.Lat[i] = ctr[0], ctr[1]
		obs.Carrier[i], obs.Tech[i], obs.Upper[i] = engine.Carrier(carrier), k.tech, k.upper
		obs.LevelDBm[i], obs.N[i] = float64(e.sum)/microDB/float64(e.n), int32(e.n)
	}
	obs.Env, obs.EnvFrac, err = envAt(obs.Lon, obs.Lat, opt)
	return obs, err
}
