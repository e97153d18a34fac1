package predict

import (
	"cmp"
	"math"
	"slices"

	"github.com/lomsong/lomsong/engine"
)

// Register fields a site may leave empty, and which BestServer fills from
// Config (siteValues): the names are the site register's columns.
const (
	FieldBandMHz      = "band_mhz"      // Tech[t].BandMHz
	FieldEIRPDBm      = "eirp_dbm"      // Tech[t].EIRPDBm
	FieldHeightM      = "height_m"      // DefaultHeightM
	FieldTiltDeg      = "tilt_deg"      // DefaultTiltDeg
	FieldBeamwidthDeg = "beamwidth_deg" // Pattern.HBeamwidthDeg
)

// siteFields are the fields siteValues fills, in the order SiteDefaults
// lists them.
var siteFields = [...]string{FieldBandMHz, FieldEIRPDBm, FieldHeightM, FieldTiltDeg, FieldBeamwidthDeg}

// siteValues are a site's band, EIRP, height, tilt and beamwidth as the
// best-server search predicts it: the register's, or where it has none
// (not positive for band, height and beamwidth; not finite for EIRP and
// tilt) the configuration's default. filled[i] says siteFields[i] took
// its default. The height is the register's (or default) one, before
// clamping to the models' range (ModelHeightM).
type siteValues struct {
	freqMHz, eirpDBm, heightM, tiltDeg, beamDeg float64
	filled                                      [len(siteFields)]bool
}

// siteValues applies the defaults to s: the one rule BestServer and
// SiteDefaults share.
func (c Config) siteValues(s *engine.Site) siteValues {
	tp := c.Tech[s.Tech]
	var v siteValues
	v.freqMHz, v.filled[0] = orDefault(s.BandMHz, tp.BandMHz), !positive(s.BandMHz)
	v.eirpDBm, v.filled[1] = orDefaultAny(s.EIRPDBm, tp.EIRPDBm), !finite(s.EIRPDBm)
	v.heightM, v.filled[2] = orDefault(s.HeightM, c.DefaultHeightM), !positive(s.HeightM)
	v.tiltDeg, v.filled[3] = orDefaultAny(s.TiltDeg, c.DefaultTiltDeg), !finite(s.TiltDeg)
	v.beamDeg, v.filled[4] = orDefault(s.BeamwidthDeg, c.Pattern.HBeamwidthDeg), !positive(s.BeamwidthDeg)
	return v
}

// positive reports whether v is a finite positive number (orDefault keeps
// it).
func positive(v float64) bool { return v > 0 && !math.IsInf(v, 0) }

// evaluates reports whether BestServer predicts site s: active (or
// planned, with IncludePlanned), of a known technology and at a valid
// position. (A site it evaluates may still be rejected for a band no
// model covers.)
func (c Config) evaluates(s *engine.Site) bool {
	switch {
	case s.Status == engine.StatusDown, s.Status == engine.StatusPlanned && !c.IncludePlanned, !s.Tech.Valid():
		return false
	}
	return finite(s.Lon) && finite(s.Lat) && math.Abs(s.Lat) <= 90 && math.Abs(s.Lon) <= 180
}

// SiteDefault is a default BestServer gave the sites (sector rows) whose
// register left a field empty: the technology, the register column, the
// value used and how many of the sites it evaluates took it.
type SiteDefault struct {
	Tech  engine.Tech
	Field string // FieldBandMHz, FieldEIRPDBm, FieldHeightM, FieldTiltDeg or FieldBeamwidthDeg
	Value float64
	Sites int
}

// SiteDefaults returns the defaults c fills into the sites BestServer
// evaluates (active, planned with IncludePlanned; known technology, valid
// position), with the number of sites that took each: a register without
// powers, bands or heights (an OpenCelliD file has none) is predicted
// with these. Sorted by technology, then field in the order of the
// Field constants; a default no site took is left out.
func (c Config) SiteDefaults(sites []engine.Site) []SiteDefault {
	var counts [len(engine.Techs) + 1][len(siteFields)]int
	var values [len(engine.Techs) + 1][len(siteFields)]float64
	for i := range sites {
		s := &sites[i]
		if !c.evaluates(s) {
			continue
		}
		v := c.siteValues(s)
		vals := [len(siteFields)]float64{v.freqMHz, v.eirpDBm, v.heightM, v.tiltDeg, v.beamDeg}
		for f, filled := range v.filled {
			if filled {
				counts[s.Tech][f]++
				values[s.Tech][f] = vals[f]
			}
		}
	}
	var out []SiteDefault
	for _, t := range engine.Techs {
		for f, n := range counts[t] {
			if n > 0 {
				out = append(out, SiteDefault{Tech: t, Field: siteFields[f], Value: values[t][f], Sites: n})
			}
		}
	}
	return out
}

// ModelUse is the propagation model BestServer uses in each environment
// for the sites of one technology and band (ModelConfig.Select), and how
// many of the sites it evaluates are of them.
type ModelUse struct {
	Tech    engine.Tech
	BandMHz float64       // the band predicted at: the register's or the default, within the models' range (ModelBandMHz)
	Models  [numEnv]Model // indexed by Env
	Sites   int
}

// ModelsInUse returns the propagation models of the sites BestServer
// evaluates, per technology and the band it predicts them at (a site
// without a band at its technology's default; one outside the models'
// range at the nearer bound, ModelBandMHz), sorted by technology and
// band. A band no model covers (the site is rejected) is left out.
func (c Config) ModelsInUse(sites []engine.Site) []ModelUse {
	type key struct {
		tech engine.Tech
		band float64
	}
	idx := map[key]int{}
	var out []ModelUse
	for i := range sites {
		s := &sites[i]
		if !c.evaluates(s) {
			continue
		}
		k := key{s.Tech, ModelBandMHz(s.Tech, c.siteValues(s).freqMHz)}
		if j, ok := idx[k]; ok {
			if j >= 0 {
				out[j].Sites++
			}
			continue
		}
		u := ModelUse{Tech: k.tech, BandMHz: k.band, Sites: 1}
		ok := true
		for e := range numEnv {
			m, err := c.Models.Select(k.tech, k.band, e)
			if err != nil {
				ok = false
				break
			}
			u.Models[e] = m
		}
		if !ok {
			idx[k] = -1
			continue
		}
		idx[k] = len(out)
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b ModelUse) int { return cmp.Or(cmp.Compare(a.Tech, b.Tech), cmp.Compare(a.BandMHz, b.BandMHz)) })
	return out
}
