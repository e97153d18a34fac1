package engine

// Site is one sector of one technology at one cell site, as the input
// contract's sites table describes it. Optional numeric fields are NaN when
// absent; AzimuthDeg NaN means an omnidirectional antenna.
type Site struct {
	SiteID       string
	Carrier      Carrier
	Tech         Tech
	Lon, Lat     float64 // WGS84 degrees
	BandMHz      float64 // carrier frequency band, MHz
	HeightM      float64 // antenna height above ground, metres
	AzimuthDeg   float64 // main-lobe bearing, degrees clockwise from north; NaN = omni
	BeamwidthDeg float64 // horizontal half-power beamwidth, degrees
	TiltDeg      float64 // downtilt, degrees (positive = down)
	EIRPDBm      float64 // effective isotropic radiated power, dBm
	Status       SiteStatus
	Backhaul     Backhaul
	// Cell holds the sector's identifiers when the register gives them
	// (cell_id, node_id, pci, arfcn; PCI and ARFCN −1 when absent), the
	// same identifiers a measurement's serving cell names; nil otherwise.
	// Calibration attributes a measurement to the site whose sector has
	// its serving cell's identifiers (engine/predict, CalibrateSites).
	Cell *ServingCell
}
