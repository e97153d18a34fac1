package ingest

import (
	"testing"

	"github.com/lomsong/lomsong/engine/internal/contract"
)

// TestContractColumnPositions: the positions the readers take a row's
// fields by (package contract) name the contract's columns one to one: a
// column added to SiteColumns or MeasurementColumns and not to the
// positions, or the other way round, or two columns swapped, fails here.
func TestContractColumnPositions(t *testing.T) {
	for _, c := range []struct {
		name    string
		columns []string
		count   int
		at      map[int]string
	}{
		{"SiteColumns", SiteColumns, contract.SiteCount, map[int]string{
			contract.SiteID: "site_id", contract.SiteCarrier: "carrier", contract.SiteTech: "tech",
			contract.SiteLon: "lon", contract.SiteLat: "lat", contract.SiteBand: "band_mhz",
			contract.SiteHeight: "height_m", contract.SiteAzimuth: "azimuth_deg", contract.SiteBeamwidth: "beamwidth_deg",
			contract.SiteTilt: "tilt_deg", contract.SiteEIRP: "eirp_dbm", contract.SiteStatus: "status",
			contract.SiteBackhaul: "backhaul", contract.SiteCellID: "cell_id", contract.SiteNodeID: "node_id",
			contract.SitePCI: "pci", contract.SiteARFCN: "arfcn",
		}},
		{"MeasurementColumns", MeasurementColumns, contract.MeasCount, map[int]string{
			contract.MeasTS: "ts", contract.MeasCarrier: "carrier", contract.MeasTech: "tech",
			contract.MeasLon: "lon", contract.MeasLat: "lat", contract.MeasSignal: "signal_dbm",
			contract.MeasService: "service", contract.MeasRSRQ: "rsrq_db", contract.MeasSINR: "sinr_db",
			contract.MeasDL: "dl_mbps", contract.MeasUL: "ul_mbps", contract.MeasLatency: "latency_ms",
			contract.MeasSource: "source", contract.MeasDeviceID: "device_id", contract.MeasDeviceClass: "device_class",
			contract.MeasEnvironment: "environment", contract.MeasSpeedTest: "speed_test", contract.MeasCellID: "cell_id",
			contract.MeasNodeID: "node_id", contract.MeasPCI: "pci", contract.MeasARFCN: "arfcn", contract.MeasBand: "band",
		}},
	} {
		if len(c.columns) != c.count || len(c.at) != c.count {
			t.Errorf("%s has %d columns, the contract %d positions (%d named here)", c.name, len(c.columns), c.count, len(c.at))
			continue
		}
		for pos, want := range c.at {
			if c.columns[pos] != want {
				t.Errorf("%s[%d] is %q, want %q", c.name, pos, c.columns[pos], want)
			}
		}
	}
}
