package engine

// MeasurementBatch is a columnar batch of measurement rows (struct of
// slices). Every column has length Len(). Optional float columns hold NaN
// where a row has no value; SignalDBm is NaN for no-service rows.
//
// A batch is owned by whoever holds it; readers reuse batches between calls
// to Next, so callers that keep rows must copy them (AppendRow).
type MeasurementBatch struct {
	TimeUnixMs  []int64 // test time, milliseconds since the Unix epoch (UTC)
	Carrier     []Carrier
	Tech        []Tech
	Lon, Lat    []float64 // WGS84 degrees
	SignalDBm   []float64 // RSRP (4G/5G), RSCP (3G) or RSSI (2G); NaN if none
	Service     []Service
	RSRQDB      []float64
	SINRDB      []float64
	DLMbps      []float64
	ULMbps      []float64
	LatencyMs   []float64
	Source      []Source
	DeviceID    []string // pseudonymous; "" when absent
	DeviceClass []DeviceClass
	Environment []Environment
	// Speed marks idle bitrates (SpeedIdle): DLMbps/ULMbps kept but not
	// speed tests. It may be shorter than the other columns (empty when
	// no row is idle): rows past its end are speed tests.
	Speed []SpeedKind
	// The serving cell, when the file names it: either all five columns
	// are empty (no row has serving-cell data) or all are Len() long.
	// Identities are kept as the file writes them (an ECI, CI or NCI; an
	// eNodeB, NodeB or gNodeB ID); PCI and ARFCN are -1 when absent.
	CellID []string
	NodeID []string
	PCI    []int32 // physical cell identity (4G 0…503, 5G 0…1007; 3G PSC 0…511)
	ARFCN  []int32 // EARFCN, UARFCN, ARFCN or NR-ARFCN
	Band   []string
}

// ServingCell is the serving cell a measurement names. PCI and ARFCN are
// -1 when absent.
type ServingCell struct {
	CellID, NodeID, Band string
	PCI, ARFCN           int32
}

// HasServing reports whether the batch has serving-cell columns.
func (b *MeasurementBatch) HasServing() bool { return len(b.CellID) > 0 }

// SpeedAt returns the speed kind of row i (SpeedTested when the batch has
// no Speed column).
func (b *MeasurementBatch) SpeedAt(i int) SpeedKind {
	if i < len(b.Speed) {
		return b.Speed[i]
	}
	return SpeedTested
}

// Len returns the number of rows.
func (b *MeasurementBatch) Len() int { return len(b.Lon) }

// Reset truncates every column to zero length, keeping capacity.
func (b *MeasurementBatch) Reset() {
	b.TimeUnixMs = b.TimeUnixMs[:0]
	b.Carrier = b.Carrier[:0]
	b.Tech = b.Tech[:0]
	b.Lon = b.Lon[:0]
	b.Lat = b.Lat[:0]
	b.SignalDBm = b.SignalDBm[:0]
	b.Service = b.Service[:0]
	b.RSRQDB = b.RSRQDB[:0]
	b.SINRDB = b.SINRDB[:0]
	b.DLMbps = b.DLMbps[:0]
	b.ULMbps = b.ULMbps[:0]
	b.LatencyMs = b.LatencyMs[:0]
	b.Source = b.Source[:0]
	b.DeviceID = b.DeviceID[:0]
	b.DeviceClass = b.DeviceClass[:0]
	b.Environment = b.Environment[:0]
	b.Speed = b.Speed[:0]
	b.CellID, b.NodeID, b.PCI, b.ARFCN, b.Band = b.CellID[:0], b.NodeID[:0], b.PCI[:0], b.ARFCN[:0], b.Band[:0]
}

// Measurement is one row of a MeasurementBatch, used to append and read
// single rows outside the hot path.
type Measurement struct {
	TimeUnixMs  int64
	Carrier     Carrier
	Tech        Tech
	Lon, Lat    float64
	SignalDBm   float64
	Service     Service
	RSRQDB      float64
	SINRDB      float64
	DLMbps      float64
	ULMbps      float64
	LatencyMs   float64
	Source      Source
	DeviceID    string
	DeviceClass DeviceClass
	Environment Environment
	Speed       SpeedKind
	Serving     *ServingCell // nil when the row names no serving cell
}

// Append adds one row.
func (b *MeasurementBatch) Append(m Measurement) {
	b.TimeUnixMs = append(b.TimeUnixMs, m.TimeUnixMs)
	b.Carrier = append(b.Carrier, m.Carrier)
	b.Tech = append(b.Tech, m.Tech)
	b.Lon = append(b.Lon, m.Lon)
	b.Lat = append(b.Lat, m.Lat)
	b.SignalDBm = append(b.SignalDBm, m.SignalDBm)
	b.Service = append(b.Service, m.Service)
	b.RSRQDB = append(b.RSRQDB, m.RSRQDB)
	b.SINRDB = append(b.SINRDB, m.SINRDB)
	b.DLMbps = append(b.DLMbps, m.DLMbps)
	b.ULMbps = append(b.ULMbps, m.ULMbps)
	b.LatencyMs = append(b.LatencyMs, m.LatencyMs)
	b.Source = append(b.Source, m.Source)
	b.DeviceID = append(b.DeviceID, m.DeviceID)
	b.DeviceClass = append(b.DeviceClass, m.DeviceClass)
	b.Environment = append(b.Environment, m.Environment)
	if m.Speed != SpeedTested || len(b.Speed) > 0 {
		for len(b.Speed) < len(b.Environment)-1 {
			b.Speed = append(b.Speed, SpeedTested)
		}
		b.Speed = append(b.Speed, m.Speed)
	}
	if m.Serving != nil || len(b.CellID) > 0 {
		for len(b.CellID) < len(b.Environment)-1 {
			b.CellID, b.NodeID, b.Band = append(b.CellID, ""), append(b.NodeID, ""), append(b.Band, "")
			b.PCI, b.ARFCN = append(b.PCI, -1), append(b.ARFCN, -1)
		}
		s := ServingCell{PCI: -1, ARFCN: -1}
		if m.Serving != nil {
			s = *m.Serving
		}
		b.CellID, b.NodeID, b.Band = append(b.CellID, s.CellID), append(b.NodeID, s.NodeID), append(b.Band, s.Band)
		b.PCI, b.ARFCN = append(b.PCI, s.PCI), append(b.ARFCN, s.ARFCN)
	}
}

// Row returns row i.
func (b *MeasurementBatch) Row(i int) Measurement {
	var sc *ServingCell
	if i < len(b.CellID) {
		s := ServingCell{CellID: b.CellID[i], NodeID: b.NodeID[i], Band: b.Band[i], PCI: b.PCI[i], ARFCN: b.ARFCN[i]}
		if s != (ServingCell{PCI: -1, ARFCN: -1}) {
			sc = &s
		}
	}
	return Measurement{
		Serving:    sc,
		TimeUnixMs: b.TimeUnixMs[i], Carrier: b.Carrier[i], Tech: b.Tech[i],
		Lon: b.Lon[i], Lat: b.Lat[i], SignalDBm: b.SignalDBm[i], Service: b.Service[i],
		RSRQDB: b.RSRQDB[i], SINRDB: b.SINRDB[i], DLMbps: b.DLMbps[i], ULMbps: b.ULMbps[i],
		LatencyMs: b.LatencyMs[i], Source: b.Source[i], DeviceID: b.DeviceID[i],
		DeviceClass: b.DeviceClass[i], Environment: b.Environment[i], Speed: b.SpeedAt(i),
	}
}

// AppendRow appends row i of src to b.
func (b *MeasurementBatch) AppendRow(src *MeasurementBatch, i int) { b.Append(src.Row(i)) }
