package pipeline

import (
	"context"
	"fmt"
	"sync"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/predict"
)

// siteCalColumns are the measurement columns per-site calibration reads.
var siteCalColumns = []string{"carrier", "tech", "lon", "lat", "signal_dbm", "environment", "cell_id", "node_id", "pci", "arfcn"}

// SiteCalibration reads the dataset's sites and the selected measurements
// (opt.Aggregate's periods and carriers; within opt.Area when set) and
// fits per-site offsets (predict.CalibrateSites) with opt.Predict. Only
// outdoor and in-vehicle tests with a level are used, as for the
// per-network calibration; each point is predicted at its cell's centre
// with the environment there (envAt, as Coverage predicts hexes). The measurements used are held in memory: about 100 bytes each.
func SiteCalibration(ctx context.Context, s Store, opt CoverageOptions) (*predict.SiteCalibration, error) {
	res := opt.Aggregate.Config.Resolution
	sites, err := s.Sites(nil)
	if err != nil {
		return nil, err
	}
	predict.SetOffAir(sites, opt.OffAir) // the register read here: its own
	var in map[hexgrid.Cell]bool
	if opt.Area != nil {
		in = opt.Area.set()
	}
	var (
		mu    sync.Mutex
		m     predict.SiteMeasurements
		cells []hexgrid.Cell
	)
	err = s.ScanMeasurements(ctx, opt.Aggregate.Periods, opt.Aggregate.Carriers, func(b *engine.MeasurementBatch) error {
		n := b.Len()
		bc := make([]hexgrid.Cell, n)
		if err := hexgrid.IndexInto(bc, b.Lon, b.Lat, res); err != nil {
			return fmt.Errorf("pipeline: index: %w", err)
		}
		mu.Lock()
		defer mu.Unlock()
		for i := range n {
			// Outdoor and in-vehicle rows, no-service ones too:
			// CalibrateSites counts those as left out (no level).
			if b.Environment[i] != engine.EnvOutdoor && b.Environment[i] != engine.EnvVehicle {
				continue
			}
			if in != nil && !in[bc[i]] {
				continue
			}
			m.Lon, m.Lat = append(m.Lon, b.Lon[i]), append(m.Lat, b.Lat[i])
			m.Carrier, m.Tech = append(m.Carrier, b.Carrier[i]), append(m.Tech, b.Tech[i])
			m.SignalDBm = append(m.SignalDBm, b.SignalDBm[i])
			var sc *engine.ServingCell
			if b.HasServing() {
				c := engine.ServingCell{CellID: b.CellID[i], NodeID: b.NodeID[i], PCI: b.PCI[i], ARFCN: b.ARFCN[i], Band: b.Band[i]}
				if c != (engine.ServingCell{PCI: -1, ARFCN: -1}) {
					sc = &c
				}
			}
			m.Serving = append(m.Serving, sc)
			cells = append(cells, bc[i])
		}
		return nil
	}, arrowio.WithColumns(siteCalColumns...))
	if err != nil {
		return nil, err
	}
	pts, err := points(cells, opt)
	if err != nil {
		return nil, err
	}
	m.Env, m.EnvFrac = pts.Env, pts.EnvFrac
	return predict.CalibrateSites(sites, m, opt.Predict)
}
