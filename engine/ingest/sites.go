package ingest

import (
	"context"
	"fmt"
	"strings"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/internal/contract"
	"github.com/lomsong/lomsong/engine/predict"
)

// ReadSites validates every row of a sites table (one row per sector and
// technology). Accepted sites reach onBatch in slices of up to
// cfg.BatchSize (the slice is reused after onBatch returns).
//
// Rules: site_id, carrier, tech, lon, lat required; band_mhz 400…100,000;
// height_m 0…600; azimuth_deg 0…360 (empty = omnidirectional);
// beamwidth_deg above 0 up to 360; tilt_deg −30…90; eirp_dbm −30…100;
// status active|planned|down (default active); backhaul
// fiber|microwave|satellite; the sector's optional identifiers cell_id and
// node_id (text), pci 0…1007 and arfcn 0…3,279,165 (whole numbers), the
// same as a measurement's serving-cell columns; exact repeats are
// duplicates. A site_id of one carrier at positions farther apart than
// predict.MastSpreadM (one mast's sectors stand together) is kept and
// counted in Report.SiteIDsApart: a mistyped or reused id, which the
// off-air check takes as separate masts.
func ReadSites(ctx context.Context, rec Records, m *Mapping, cfg Config,
	onBatch func([]engine.Site) error, onReject func(Reject) error) (*Report, error) {
	var row engine.Site
	parse := func(p *parser, f []string) *rowError { return p.site(f, &row) }
	var apart siteIDsApart
	rep, err := runRows(ctx, KindSites, rec, m, cfg, &row, parse, func(b []engine.Site) error {
		for i := range b {
			apart.add(&b[i])
		}
		return onBatch(b)
	}, onReject)
	if rep != nil {
		rep.SiteIDsApart, rep.SiteIDsApartExamples = apart.n, apart.examples
	}
	return rep, err
}

// maxSiteIDsApartExamples bounds the examples a report keeps.
const maxSiteIDsApartExamples = 5

// siteIDsApart finds the site ids of a carrier whose accepted rows stand
// farther apart than predict.MastSpreadM: each id's first position is
// kept, and a later row farther from it than that counts the id once.
type siteIDsApart struct {
	first    map[siteKey][2]float64
	counted  map[siteKey]bool
	n        int64
	examples []string
}

type siteKey struct {
	c  engine.Carrier
	id string
}

func (a *siteIDsApart) add(s *engine.Site) {
	if a.first == nil {
		a.first, a.counted = map[siteKey][2]float64{}, map[siteKey]bool{}
	}
	k := siteKey{s.Carrier, s.SiteID}
	p, ok := a.first[k]
	if !ok {
		a.first[k] = [2]float64{s.Lon, s.Lat}
		return
	}
	if a.counted[k] {
		return
	}
	if d := predict.GreatCircleM(p[0], p[1], s.Lon, s.Lat); d > predict.MastSpreadM {
		a.counted[k] = true
		a.n++
		if len(a.examples) < maxSiteIDsApartExamples {
			a.examples = append(a.examples, fmt.Sprintf("site_id %q of carrier %s at positions %s apart", s.SiteID, s.Carrier, distanceText(d)))
		}
	}
}

// distanceText writes a distance in metres below 1 km, else in km.
func distanceText(m float64) string {
	if m < 1000 {
		return fmt.Sprintf("%.0f m", m)
	}
	return fmt.Sprintf("%.1f km", m/1000)
}

func (p *parser) site(f []string, r *engine.Site) *rowError {
	b := p.b
	var e *rowError
	var err error
	r.SiteID = nfc(b.field(f, contract.SiteID))
	if e = p.required(contract.SiteID, r.SiteID); e != nil {
		return e
	}
	if r.Carrier, e = p.carrier(contract.SiteCarrier, b.field(f, contract.SiteCarrier)); e != nil {
		return e
	}
	if r.Tech, e = p.tech(contract.SiteTech, b.field(f, contract.SiteTech)); e != nil {
		return e
	}
	if r.Lon, r.Lat, e = p.lonLat(contract.SiteLon, contract.SiteLat, b.field(f, contract.SiteLon), b.field(f, contract.SiteLat)); e != nil {
		return e
	}
	for _, c := range []struct {
		col    int
		dst    *float64
		lo, hi float64
	}{
		{contract.SiteBand, &r.BandMHz, 400, 100000},
		{contract.SiteHeight, &r.HeightM, 0, 600},
		{contract.SiteAzimuth, &r.AzimuthDeg, 0, 360},
		{contract.SiteBeamwidth, &r.BeamwidthDeg, 1e-9, 360},
		{contract.SiteTilt, &r.TiltDeg, -30, 90},
		{contract.SiteEIRP, &r.EIRPDBm, -30, 100},
	} {
		if *c.dst, e = p.number(c.col, b.field(f, c.col), c.lo, c.hi); e != nil {
			return e
		}
	}
	p.noteOutsideModels(r.Tech, r.HeightM, r.BandMHz)
	// An EIRP above any cell site's (the contract takes up to 100 dBm):
	// kept as given, counted for the report; such a mast outshines its
	// neighbours in every prediction, and its tests then read as off air.
	if r.EIRPDBm > MaxPlausibleEIRPDBm {
		p.rowEIRP = true
	}
	s := b.field(f, contract.SiteStatus)
	if r.Status, err = engine.ParseSiteStatus(s); err != nil {
		return &rowError{"status", s, ReasonInvalidEnum, err.Error()}
	}
	s = b.field(f, contract.SiteBackhaul)
	if r.Backhaul, err = engine.ParseBackhaul(s); err != nil {
		return &rowError{"backhaul", s, ReasonInvalidEnum, err.Error()}
	}
	r.Cell = nil
	if !b.has[contract.SiteCellID] && !b.has[contract.SiteNodeID] && !b.has[contract.SitePCI] && !b.has[contract.SiteARFCN] {
		return nil
	}
	c := engine.ServingCell{CellID: b.field(f, contract.SiteCellID), NodeID: b.field(f, contract.SiteNodeID), PCI: -1, ARFCN: -1}
	if e = p.cellNumbers(f, contract.SitePCI, contract.SiteARFCN, &c); e != nil {
		return e
	}
	if c != (engine.ServingCell{PCI: -1, ARFCN: -1}) {
		r.Cell = &c
	}
	return nil
}

// OpenCellIDHeader is the column layout of OpenCelliD's per-country
// exports, which have no header line.
var OpenCellIDHeader = []string{"radio", "mcc", "net", "area", "cell", "unit", "lon", "lat",
	"range", "samples", "changeable", "created", "updated", "averageSignal"}

// LooksLikeOpenCellID reports whether a first line is an OpenCelliD
// export: either its header, or a headerless row of 14 fields whose first
// is a radio type.
func LooksLikeOpenCellID(firstLine string) bool {
	f := strings.Split(strings.TrimRight(firstLine, "\r\n"), ",")
	if len(f) != len(OpenCellIDHeader) {
		return false
	}
	if strings.EqualFold(f[0], "radio") && strings.EqualFold(f[1], "mcc") {
		return true
	}
	switch strings.ToUpper(f[0]) {
	case "GSM", "UMTS", "LTE", "NR", "CDMA":
		return true
	}
	return false
}

// OpenCellID adapts an OpenCelliD export to the sites contract. Each row
// becomes a site with site_id "RADIO-MCC-NET-AREA-CELL", the carrier from
// the MCC+MNC table (engine.CarrierForPLMN), tech from radio (GSM 2G,
// UMTS 3G, LTE 4G, NR 5G; CDMA rows are rejected as an unsupported radio)
// and lon/lat as given, and cell_id the export's cell (the identity a
// measurement's serving cell names: CI, UTRAN cell id, ECI or NCI). Positions are where the cell was observed, not
// surveyed antenna positions; azimuth is unknown, so sites are taken as
// omnidirectional.
type OpenCellID struct {
	src    Records
	out    []string
	rowErr error
}

// NewOpenCellID wraps the records of an OpenCelliD export (read with
// CSVOptions{Header: OpenCellIDHeader}, or with its header line).
func NewOpenCellID(src Records) *OpenCellID {
	return &OpenCellID{src: src, out: make([]string, len(openCellIDOut))}
}

// openCellIDOut is the header the adapter presents.
var openCellIDOut = []string{"site_id", "carrier", "tech", "lon", "lat", "cell_id"}

// Header implements Records.
func (o *OpenCellID) Header() []string { return openCellIDOut }

// BlankLines returns the empty lines its source skipped (CSV.BlankLines).
func (o *OpenCellID) BlankLines() int64 {
	if b, ok := o.src.(blankLiner); ok {
		return b.BlankLines()
	}
	return 0
}

// Next implements Records.
func (o *OpenCellID) Next() bool {
	if !o.src.Next() {
		return false
	}
	rec := o.src.Record()
	o.rowErr = o.src.RowErr()
	if o.rowErr == nil && len(rec) != len(OpenCellIDHeader) {
		o.rowErr = fmt.Errorf("%d fields, an OpenCelliD export has %d", len(rec), len(OpenCellIDHeader))
	}
	if o.rowErr != nil {
		return true
	}
	o.out[0] = rec[0] + "-" + rec[1] + "-" + rec[2] + "-" + rec[3] + "-" + rec[4]
	o.out[1] = plmnCarrier(rec[1], rec[2])
	o.out[2] = rec[0]
	o.out[3], o.out[4] = rec[6], rec[7]
	o.out[5] = rec[4] // the cell identity (GSM CI, UMTS UTRAN cell id, LTE ECI, NR NCI)
	return true
}

func plmnCarrier(mcc, mnc string) string {
	a, err1 := atoiStrict(mcc)
	b, err2 := atoiStrict(mnc)
	if err1 || err2 {
		return "" // rejected as a missing carrier, with the row's line
	}
	c, _ := engine.CarrierForPLMN(engine.PLMN{MCC: a, MNC: b})
	return string(c)
}

func atoiStrict(s string) (int, bool) {
	if s == "" || len(s) > 6 {
		return 0, true
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, true
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, false
}

// Record implements Records.
func (o *OpenCellID) Record() []string {
	if o.rowErr != nil {
		return nil
	}
	return o.out
}

// RowErr implements Records.
func (o *OpenCellID) RowErr() error { return o.rowErr }

// Line implements Records.
func (o *OpenCellID) Line() int64 { return o.src.Line() }

// Err implements Records.
func (o *OpenCellID) Err() error { return o.src.Err() }

// MaxPlausibleEIRPDBm is the highest EIRP of a cell site's sector the
// report takes without comment: 75 dBm (31.6 kW); macro sectors radiate
// 55–65 dBm (20–40 W into 15–18 dBi antennas).
const MaxPlausibleEIRPDBm = 75
