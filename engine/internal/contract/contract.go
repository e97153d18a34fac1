// Package contract holds the positions of the input contract's columns
// (docs/data-contract.md), in the contract's order: ingest reads a
// table's fields into them, and the dataset's Parquet store writes its
// columns in the same order under the same names.
package contract

// Site register columns (ingest.SiteColumns).
const (
	SiteID = iota
	SiteCarrier
	SiteTech
	SiteLon
	SiteLat
	SiteBand
	SiteHeight
	SiteAzimuth
	SiteBeamwidth
	SiteTilt
	SiteEIRP
	SiteStatus
	SiteBackhaul
	SiteCellID
	SiteNodeID
	SitePCI
	SiteARFCN
	SiteCount // the number of site columns
)

// Measurement columns (ingest.MeasurementColumns).
const (
	MeasTS = iota
	MeasCarrier
	MeasTech
	MeasLon
	MeasLat
	MeasSignal
	MeasService
	MeasRSRQ
	MeasSINR
	MeasDL
	MeasUL
	MeasLatency
	MeasSource
	MeasDeviceID
	MeasDeviceClass
	MeasEnvironment
	MeasSpeedTest
	MeasCellID
	MeasNodeID
	MeasPCI
	MeasARFCN
	MeasBand
	MeasCount // the number of measurement columns
)
