package ingest

import (
	"testing"

	"github.com/lomsong/lomsong/engine/internal/contract"
)

// TestContractColumnPositions: the positions the readers take a row's
// fields by (package contract) name the contract's columns one to one: a
// column added to SiteColumns and not to the positions, or the other way
// round, or two columns swapped, fails here.
func TestContractColumnPositions(t *testing.T) {
	if len(SiteColumns) != contract.SiteCount {
		t.Fatalf("SiteColumns has %d columns, contract.SiteCount %d", len(SiteColumns), contract.SiteCount)
	}
	for pos, want := range map[int]string{
		contract.SiteID: "site_id", contract.SiteCarrier: "carrier", contract.SiteTech: "tech",
		contract.SiteLon: "lon", contract.SiteLat: "lat", contract.SiteBand: "band_mhz",
		contract.SiteHeight: "height_m", contract.SiteAzimuth: "azimuth_deg", contract.SiteBeamwidth: "beamwidth_deg",
		contract.SiteTilt: "tilt_deg", contract.SiteEIRP: "eirp_dbm", contract.SiteStatus: "status",
		contract.SiteBackhaul: "backhaul", contract.SiteCellID: "cell_id", contract.SiteNodeID: "node_id",
		contract.SitePCI: "pci", contract.SiteARFCN: "arfcn",
	} {
		if SiteColumns[pos] != want {
			t.Errorf("SiteColumns[%d] is %q, want %q", pos, SiteColumns[pos], want)
		}
	}
}
