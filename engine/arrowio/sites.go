package arrowio

import (
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/apache/arrow/go/v17/parquet"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/internal/contract"
)

var siteFields = [contract.SiteCount]field{
	contract.SiteID:        {name: "site_id", kind: kindString},
	contract.SiteCarrier:   {name: "carrier", kind: kindString},
	contract.SiteTech:      {name: "tech", kind: kindStringNull},
	contract.SiteLon:       {name: "lon", kind: kindFloat64},
	contract.SiteLat:       {name: "lat", kind: kindFloat64},
	contract.SiteBand:      {name: "band_mhz", kind: kindFloat64},
	contract.SiteHeight:    {name: "height_m", kind: kindFloat64},
	contract.SiteAzimuth:   {name: "azimuth_deg", kind: kindFloat64},
	contract.SiteBeamwidth: {name: "beamwidth_deg", kind: kindFloat64},
	contract.SiteTilt:      {name: "tilt_deg", kind: kindFloat64},
	contract.SiteEIRP:      {name: "eirp_dbm", kind: kindFloat64},
	contract.SiteStatus:    {name: "status", kind: kindString},
	contract.SiteBackhaul:  {name: "backhaul", kind: kindStringNull},
	contract.SiteCellID:    {name: "cell_id", kind: kindStringNull},
	contract.SiteNodeID:    {name: "node_id", kind: kindStringNull},
	contract.SitePCI:       {name: "pci", kind: kindFloat64},
	contract.SiteARFCN:     {name: "arfcn", kind: kindFloat64},
}

var siteRequired = [contract.SiteCount]bool{contract.SiteID: true, contract.SiteCarrier: true, contract.SiteTech: true, contract.SiteLon: true, contract.SiteLat: true}

// WriteSites writes a site register to Parquet with the contract's column
// names. NaN fields are written as null, TechUnknown and BackhaulUnknown as
// null. Options: WithCodec, WithRowGroupRows, WithMetadata.
func WriteSites(w io.Writer, sites []engine.Site, opts ...Option) error {
	cfg, err := newConfig(opts)
	if err != nil {
		return err
	}
	for i, s := range sites {
		if int(s.Tech) >= len(techNames) || int(s.Status) > int(engine.StatusDown) || int(s.Backhaul) > int(engine.BackhaulSatellite) {
			return fmt.Errorf("arrowio: site %d (%q): undefined tech, status or backhaul: %w", i, s.SiteID, engine.ErrInvalidValue)
		}
	}
	p, err := newPQWriter(w, siteFields[:], cfg)
	if err != nil {
		return err
	}
	str := make([]string, 0, min(len(sites), 1<<16))
	f64 := make([]float64, 0, cap(str))
	for off := 0; off < len(sites); {
		n := min(p.room(), len(sites)-off, cap(str))
		part := sites[off : off+n]
		for c := 0; c < contract.SiteCount; c++ {
			var err error
			if siteFields[c].kind == kindFloat64 {
				f64 = f64[:0]
				for _, s := range part {
					f64 = append(f64, siteFloat(&s, c))
				}
				err = p.float64s(c, f64)
			} else {
				str = str[:0]
				for _, s := range part {
					str = append(str, siteString(&s, c))
				}
				err = stringsTo(p, c, str)
			}
			if err != nil {
				p.close()
				return err
			}
		}
		off += n
		if err := p.commit(n); err != nil {
			p.close()
			return err
		}
	}
	return p.close()
}

func siteFloat(s *engine.Site, c int) float64 {
	switch c {
	case contract.SiteLon:
		return s.Lon
	case contract.SiteLat:
		return s.Lat
	case contract.SiteBand:
		return s.BandMHz
	case contract.SiteHeight:
		return s.HeightM
	case contract.SiteAzimuth:
		return s.AzimuthDeg
	case contract.SiteBeamwidth:
		return s.BeamwidthDeg
	case contract.SiteTilt:
		return s.TiltDeg
	case contract.SitePCI, contract.SiteARFCN:
		if s.Cell == nil {
			return nan
		}
		v := s.Cell.PCI
		if c == contract.SiteARFCN {
			v = s.Cell.ARFCN
		}
		if v < 0 {
			return nan
		}
		return float64(v)
	}
	return s.EIRPDBm
}

func siteString(s *engine.Site, c int) string {
	switch c {
	case contract.SiteID:
		return s.SiteID
	case contract.SiteCarrier:
		return string(s.Carrier)
	case contract.SiteTech:
		return techNames[s.Tech]
	case contract.SiteStatus:
		return s.Status.String()
	case contract.SiteCellID, contract.SiteNodeID:
		if s.Cell == nil {
			return ""
		}
		if c == contract.SiteCellID {
			return s.Cell.CellID
		}
		return s.Cell.NodeID
	}
	return s.Backhaul.String()
}

// siteCell returns s's identifiers, created (all absent) on first use.
func siteCell(s *engine.Site) *engine.ServingCell {
	if s.Cell == nil {
		s.Cell = &engine.ServingCell{PCI: -1, ARFCN: -1}
	}
	return s.Cell
}

// ReadSites reads a site register written by WriteSites (or any Parquet
// file with the contract's column names and types). site_id, carrier,
// tech, lon and lat are required (engine.ErrMissingColumn); absent optional
// columns read as NaN or the zero enum.
func ReadSites(r io.ReaderAt, size int64) ([]engine.Site, error) {
	return AppendSites(nil, r, size)
}

// MaxSizedSites bounds the rows a reader reserves room for from a row
// count it has not read yet (a file's or a manifest's): a corrupt count
// cannot size an allocation beyond it (the rows actually read still grow
// the slice).
const MaxSizedSites = 1 << 24

// AppendSites is ReadSites appending the file's sites to dst: a caller
// reading several parts into one register sizes it once and copies no
// site twice. On error dst's rows are unchanged (the returned slice is
// nil).
func AppendSites(dst []engine.Site, r io.ReaderAt, size int64) ([]engine.Site, error) {
	f, err := openParquet(r, size)
	if err != nil {
		return nil, err
	}
	sc := f.MetaData().Schema
	var col [contract.SiteCount]int
	for i, fd := range siteFields {
		pt := parquet.Types.ByteArray
		if fd.kind == kindFloat64 {
			pt = parquet.Types.Double
		}
		if col[i], err = leaf(sc, fd.name, pt); err != nil {
			return nil, err
		}
		if col[i] < 0 && siteRequired[i] {
			return nil, fmt.Errorf("arrowio: site file lacks column %q: %w", fd.name, engine.ErrMissingColumn)
		}
	}
	total := f.NumRows()
	if total < 0 {
		return nil, fmt.Errorf("arrowio: site file claims %d rows: %w", total, engine.ErrUnsupportedFormat)
	}
	sites, start := slices.Grow(dst, int(min(total, MaxSizedSites))), len(dst)
	var (
		buf colBuf
		f64 []float64
	)
	tech := newLookup(func(s string) (engine.Tech, error) {
		if s == "" {
			return engine.TechUnknown, nil
		}
		return engine.ParseTech(s)
	})
	status := newLookup(engine.ParseSiteStatus)
	backhaul := newLookup(engine.ParseBackhaul)
	err = guard(func() error {
		for g := 0; g < f.NumRowGroups(); g++ {
			rg := f.RowGroup(g)
			var readers [contract.SiteCount]any
			for c := range readers {
				if col[c] >= 0 {
					cr, err := rg.Column(col[c])
					if err != nil {
						return err
					}
					readers[c] = cr
				}
			}
			for left := rg.NumRows(); left > 0; {
				n := int(min(left, DefaultBatchRows))
				base := len(sites)
				for k := 0; k < n; k++ {
					sites = append(sites, engine.Site{BandMHz: nan, HeightM: nan, AzimuthDeg: nan, BeamwidthDeg: nan, TiltDeg: nan, EIRPDBm: nan})
				}
				part := sites[base:]
				for c, rd := range readers {
					if rd == nil {
						continue
					}
					var err error
					if siteFields[c].kind == kindFloat64 {
						f64 = grow(f64, n)
						if err = buf.readF64(rd.(float64Reader), f64); err == nil {
							for k := range part {
								setSiteFloat(&part[k], c, f64[k])
							}
						}
					} else {
						var vals []parquet.ByteArray
						if vals, err = buf.readBA(rd.(byteArrayReader), n); err == nil {
							for k := range part {
								if err = setSiteString(&part[k], c, vals[k], tech, status, backhaul); err != nil {
									err = fmt.Errorf("row %d: %w", base-start+k+1, err)
									break
								}
							}
						}
					}
					if err != nil {
						return fmt.Errorf("arrowio: sites column %q: %w", siteFields[c].name, err)
					}
				}
				left -= int64(n)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sites, nil
}

func setSiteFloat(s *engine.Site, c int, v float64) {
	switch c {
	case contract.SiteLon:
		s.Lon = v
	case contract.SiteLat:
		s.Lat = v
	case contract.SiteBand:
		s.BandMHz = v
	case contract.SiteHeight:
		s.HeightM = v
	case contract.SiteAzimuth:
		s.AzimuthDeg = v
	case contract.SiteBeamwidth:
		s.BeamwidthDeg = v
	case contract.SiteTilt:
		s.TiltDeg = v
	case contract.SitePCI, contract.SiteARFCN:
		if math.IsNaN(v) {
			return
		}
		if c == contract.SitePCI {
			siteCell(s).PCI = int32(v)
		} else {
			siteCell(s).ARFCN = int32(v)
		}
	default:
		s.EIRPDBm = v
	}
}

func setSiteString(s *engine.Site, c int, v []byte, tech *lookup[engine.Tech], status *lookup[engine.SiteStatus], backhaul *lookup[engine.Backhaul]) (err error) {
	switch c {
	case contract.SiteID:
		s.SiteID = string(v)
	case contract.SiteCarrier:
		s.Carrier = engine.Carrier(v)
	case contract.SiteTech:
		s.Tech, err = tech.get(v)
	case contract.SiteStatus:
		s.Status, err = status.get(v)
	case contract.SiteCellID:
		if len(v) > 0 {
			siteCell(s).CellID = string(v)
		}
	case contract.SiteNodeID:
		if len(v) > 0 {
			siteCell(s).NodeID = string(v)
		}
	default:
		s.Backhaul, err = backhaul.get(v)
	}
	return err
}
