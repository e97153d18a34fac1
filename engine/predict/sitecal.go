package predict

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/lomsong/lomsong/engine"
)

// Shrinkage is the empirical-Bayes estimate of per-site offsets from the
// residuals (measured − predicted, dB) of one network's sites.
//
// Model (a one-way random-effects model): residual j of site s is
//
//	r_sj = μ + u_s + e_sj,  u_s ~ N(0, τ²),  e_sj ~ N(0, σ²),
//
// all independent: μ is the network's (carrier and technology's) mean
// error, u_s the site's own error (a wrong EIRP, height, azimuth or local
// clutter the model misses), e_sj the location variability about it. With
// n_s residuals of mean ȳ_s, the posterior mean of the site's offset is
//
//	offset_s = μ + B_s·(ȳ_s − μ),  B_s = n_s / (n_s + σ²/τ²) = τ² / (τ² + σ²/n_s),
//
// so a site with few measurements stays near its network's mean and one
// with many keeps its own. The variances are estimated by the method of
// moments:
//
//	σ² = Σ_s Σ_j (r_sj − ȳ_s)² / (N − S)           (pooled within-site variance)
//	τ² = max(0, Σ_s (ȳ_s − ȳ)² / (S − 1) − σ²·mean_s(1/n_s))
//
// (ȳ the unweighted mean of the S site means: E[Σ(ȳ_s − ȳ)²] = (S − 1)·τ² +
// (S − 1)/S·σ²·Σ 1/n_s), and μ is the precision-weighted mean of the site
// means, weights 1/(τ² + σ²/n_s) (with τ² = 0, the mean of all residuals).
//
// Assumptions: the residuals of a site are exchangeable (no trend with
// distance is left in them: fit a slope first if there is one) and
// independent (spatially correlated shadowing makes σ² an underestimate of
// a site's sampling variance when its measurements are bunched, so B_s is
// then too large); u_s and e_sj are roughly normal (the estimator is
// unbiased for the variances without it, the posterior mean is then the
// best linear one). Degenerate cases: fewer than two sites, or no site with
// two residuals (N = S), leave τ² or σ² unknown (NaN): every B_s is 0 and
// every offset is μ, the mean of all residuals. τ² = 0 (sites differ no
// more than sampling explains) gives B_s = 0 too; σ² = 0 with τ² > 0 gives
// B_s = 1.
type Shrinkage struct {
	MeanDB   float64   // μ
	Sigma2   float64   // σ², dB²; NaN when N = S
	Tau2     float64   // τ², dB²; NaN when S < 2 or σ² is NaN
	N        []int     // n_s
	SiteMean []float64 // ȳ_s
	Weight   []float64 // B_s
	OffsetDB []float64 // μ + B_s·(ȳ_s − μ)
}

// Shrink estimates per-site offsets from each site's residuals (dB). Sites
// with no residual are given n 0, mean NaN, weight 0 and offset μ. It
// returns an error wrapping engine.ErrInvalidValue for a non-finite
// residual or when no site has a residual.
func Shrink(residuals [][]float64) (Shrinkage, error) {
	k := len(residuals)
	sh := Shrinkage{N: make([]int, k), SiteMean: make([]float64, k), Weight: make([]float64, k), OffsetDB: make([]float64, k)}
	var total, sumAll, ss float64
	sites := 0
	for s, r := range residuals {
		sh.N[s] = len(r)
		if len(r) == 0 {
			sh.SiteMean[s] = math.NaN()
			continue
		}
		var sum float64
		for j, v := range r {
			if !finite(v) {
				return Shrinkage{}, fmt.Errorf("shrink: site %d residual %d is %g: %w", s, j, v, engine.ErrInvalidValue)
			}
			sum += v
		}
		m := sum / float64(len(r))
		for _, v := range r {
			ss += (v - m) * (v - m)
		}
		sh.SiteMean[s] = m
		total += float64(len(r))
		sumAll += sum
		sites++
	}
	if sites == 0 {
		return Shrinkage{}, fmt.Errorf("shrink: no residuals: %w", engine.ErrInvalidValue)
	}
	sh.Sigma2, sh.Tau2 = math.NaN(), math.NaN()
	if total > float64(sites) {
		sh.Sigma2 = ss / (total - float64(sites))
	}
	if sites >= 2 && !math.IsNaN(sh.Sigma2) {
		var mbar, invN float64
		for s, m := range sh.SiteMean {
			if sh.N[s] > 0 {
				mbar += m
				invN += 1 / float64(sh.N[s])
			}
		}
		mbar /= float64(sites)
		invN /= float64(sites)
		var dev float64
		for s, m := range sh.SiteMean {
			if sh.N[s] > 0 {
				dev += (m - mbar) * (m - mbar)
			}
		}
		sh.Tau2 = max(0, dev/float64(sites-1)-sh.Sigma2*invN)
	}
	sh.MeanDB = sumAll / total
	if sh.Tau2 > 0 {
		var sw, swm float64
		for s, m := range sh.SiteMean {
			if sh.N[s] > 0 {
				w := 1 / (sh.Tau2 + sh.Sigma2/float64(sh.N[s]))
				sw += w
				swm += w * m
			}
		}
		sh.MeanDB = swm / sw
		for s := range sh.Weight {
			if sh.N[s] > 0 {
				sh.Weight[s] = sh.Tau2 / (sh.Tau2 + sh.Sigma2/float64(sh.N[s]))
			}
		}
	}
	for s := range sh.OffsetDB {
		sh.OffsetDB[s] = sh.MeanDB
		if sh.Weight[s] > 0 {
			sh.OffsetDB[s] += sh.Weight[s] * (sh.SiteMean[s] - sh.MeanDB)
		}
	}
	return sh, nil
}

// SiteMeasurements are the measurements to calibrate sites against, as
// columns of equal length: position, the propagation environment at the
// point, the network, the measured signal (RSRP, RSCP or RSSI, dBm; NaN for
// a no-service test) and the serving cell the row names (nil entries, or a
// nil slice, when none).
type SiteMeasurements struct {
	Lon, Lat  []float64
	Env       []Env
	EnvFrac   []float64 // each point's share of the next class up (Points); nil: none
	Carrier   []engine.Carrier
	Tech      []engine.Tech
	SignalDBm []float64
	Serving   []*engine.ServingCell
}

// Attribution says how a measurement was tied to a site.
type Attribution uint8

// Attributions, in the order they are tried.
const (
	AttrNone       Attribution = iota // not attributed (no signal, censored, or no site predicted)
	AttrCellID                        // the register has a sector with the serving cell_id
	AttrPCIARFCN                      // a sector with the serving PCI and ARFCN (the strongest predicted when PCIs repeat)
	AttrNodeID                        // a sector of the serving node_id (the strongest predicted of the node)
	AttrBestServer                    // no identifier matched: the predicted best server
)

// SiteOffset is the calibration of one site of one network.
type SiteOffset struct {
	Carrier engine.Carrier
	Tech    engine.Tech
	SiteID  string
	// N counts the measurements attributed to the site, ByID those tied by
	// the serving cell's identifiers (the rest by best server).
	N, ByID int
	// MeanResidualDB is the mean of measured − predicted over them.
	MeanResidualDB float64
	// Weight is the shrinkage weight B_s (Shrinkage).
	Weight float64
	// OffsetDB is the site's shrunk offset, μ + B_s·(ȳ_s − μ), and
	// DeviationDB = OffsetDB − μ its departure from its network's mean:
	// what a prediction already corrected by the network's fit still
	// needs for this site.
	OffsetDB, DeviationDB float64
}

// SiteNetwork is the per-site calibration summary of one network.
type SiteNetwork struct {
	Carrier engine.Carrier
	Tech    engine.Tech
	N       int     // attributed measurements
	Sites   int     // sites with at least one
	MeanDB  float64 // μ
	SigmaDB float64 // √σ², location variability within a site; NaN when unknown
	TauDB   float64 // √τ², spread of the sites' true offsets; NaN when unknown
}

// SiteCounts say what happened to each measurement.
type SiteCounts struct {
	Rows         int // measurements given
	NoSignal     int // no-service tests (no level to compare)
	Censored     int // at or below the technology's reporting floor (level unknown)
	ByCellID     int
	ByPCIARFCN   int
	ByNodeID     int
	ByBestServer int
	// IDsUnmatched counts rows whose serving cell named identifiers that no
	// sector of the register has (they fell back to the best server).
	IDsUnmatched int
	// NoPrediction counts rows no site could be predicted for (none in
	// range, or the matched sector is down, planned or not evaluable).
	NoPrediction int
}

// SiteCalibration is the result of CalibrateSites.
type SiteCalibration struct {
	Networks []SiteNetwork // sorted by carrier, tech
	Sites    []SiteOffset  // sorted by carrier, tech, site id
	Counts   SiteCounts
}

// Deviation returns the deviation of a site from its network's mean (0,
// false when the calibration has no offset for it).
func (c *SiteCalibration) Deviation(carrier engine.Carrier, tech engine.Tech, siteID string) (float64, bool) {
	i, ok := slices.BinarySearchFunc(c.Sites, SiteOffset{Carrier: carrier, Tech: tech, SiteID: siteID}, cmpSiteOffset)
	if !ok {
		return 0, false
	}
	return c.Sites[i].DeviationDB, true
}

func cmpSiteOffset(a, b SiteOffset) int {
	return cmp.Or(strings.Compare(string(a.Carrier), string(b.Carrier)), cmp.Compare(a.Tech, b.Tech), strings.Compare(a.SiteID, b.SiteID))
}

// CalibrateSites attributes each measurement to the site that served it
// and estimates per-site offsets with shrinkage toward each network's
// mean (Shrink).
//
// Attribution, per measurement with a level (no-service tests and levels
// at or below the reporting floor, engine.Censored, are left out), among
// the register's sectors of the measurement's carrier and technology:
//
//  1. the sector whose cell_id equals the serving cell's (compared without
//     case and surrounding spaces; several sectors with one cell_id: the
//     strongest predicted of them);
//  2. else the sectors whose PCI and ARFCN both equal the serving cell's
//     (PCIs are reused across a network, so the strongest predicted of
//     them at the point: the nearest reuse wins by far);
//  3. else the sectors of the serving node_id (the strongest predicted);
//  4. else, with no serving cell or identifiers no sector has, the
//     predicted best server of the whole register (BestServer).
//
// The residual is the measured level minus the attributed sector's
// prediction at the point (BestServer over the candidate sectors, cfg), and
// the offset is per site_id: the sectors of one site share it. A row whose
// candidate sectors have no prediction at the point (out of range, down,
// planned without cfg.IncludePlanned) is counted in NoPrediction.
//
// Errors: ragged columns or invalid points wrap engine.ErrInvalidValue; an
// invalid cfg wraps engine.ErrInvalidConfig.
func CalibrateSites(sites []engine.Site, m SiteMeasurements, cfg Config) (*SiteCalibration, error) {
	n := len(m.Lon)
	if len(m.Lat) != n || len(m.Env) != n || m.EnvFrac != nil && len(m.EnvFrac) != n || len(m.Carrier) != n || len(m.Tech) != n || len(m.SignalDBm) != n ||
		(m.Serving != nil && len(m.Serving) != n) {
		return nil, fmt.Errorf("calibrate sites: columns differ in length: %w", engine.ErrInvalidValue)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	out := &SiteCalibration{Counts: SiteCounts{Rows: n}}
	idx := newCellIndex(sites)
	// candidate set (sector indices) → rows attributed through it
	type group struct {
		sectors []int
		rows    []int
		attr    []Attribution
	}
	groups := map[string]*group{}
	var fallback []int
	for i := range n {
		v := m.SignalDBm[i]
		switch {
		case math.IsNaN(v):
			out.Counts.NoSignal++
			continue
		case engine.Censored(m.Tech[i], v):
			out.Counts.Censored++
			continue
		}
		var sc *engine.ServingCell
		if m.Serving != nil {
			sc = m.Serving[i]
		}
		cand, attr := idx.match(m.Carrier[i], m.Tech[i], sc)
		if len(cand) == 0 {
			if sc != nil && (sc.CellID != "" || sc.NodeID != "" || sc.PCI >= 0 && sc.ARFCN >= 0) {
				out.Counts.IDsUnmatched++
			}
			fallback = append(fallback, i)
			continue
		}
		key := candKey(cand)
		g := groups[key]
		if g == nil {
			g = &group{sectors: cand}
			groups[key] = g
		}
		g.rows = append(g.rows, i)
		g.attr = append(g.attr, attr)
	}
	type pair struct {
		row   int
		site  int // sector index into sites
		resid float64
		attr  Attribution
	}
	var pairs []pair
	predictAt := func(sectors []int, rows []int) (map[int]pair, error) {
		sub := make([]engine.Site, len(sectors))
		for k, s := range sectors {
			sub[k] = sites[s]
		}
		pts := Points{Lon: make([]float64, len(rows)), Lat: make([]float64, len(rows)), Env: make([]Env, len(rows)), EnvFrac: make([]float64, len(rows))}
		for k, r := range rows {
			pts.Lon[k], pts.Lat[k], pts.Env[k], pts.EnvFrac[k] = m.Lon[r], m.Lat[r], m.Env[r], shareAt(m.EnvFrac, r)
		}
		res, err := BestServer(sub, pts, cfg)
		if err != nil {
			return nil, err
		}
		got := map[int]pair{}
		for j := range res.Len() {
			r := rows[res.Point[j]]
			if res.Carrier[j] == m.Carrier[r] && res.Tech[j] == m.Tech[r] {
				got[r] = pair{row: r, site: sectors[res.Site[j]], resid: m.SignalDBm[r] - res.SignalDBm[j]}
			}
		}
		return got, nil
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		g := groups[k]
		got, err := predictAt(g.sectors, g.rows)
		if err != nil {
			return nil, err
		}
		for j, r := range g.rows {
			p, ok := got[r]
			if !ok {
				out.Counts.NoPrediction++
				continue
			}
			p.attr = g.attr[j]
			pairs = append(pairs, p)
		}
	}
	if len(fallback) > 0 {
		all := make([]int, len(sites))
		for s := range all {
			all[s] = s
		}
		got, err := predictAt(all, fallback)
		if err != nil {
			return nil, err
		}
		for _, r := range fallback {
			p, ok := got[r]
			if !ok {
				out.Counts.NoPrediction++
				continue
			}
			p.attr = AttrBestServer
			pairs = append(pairs, p)
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int { return cmp.Compare(a.row, b.row) })
	type netKey struct {
		c engine.Carrier
		t engine.Tech
	}
	type siteAcc struct {
		resid []float64
		byID  int
	}
	perNet := map[netKey]map[string]*siteAcc{}
	for _, p := range pairs {
		switch p.attr {
		case AttrCellID:
			out.Counts.ByCellID++
		case AttrPCIARFCN:
			out.Counts.ByPCIARFCN++
		case AttrNodeID:
			out.Counts.ByNodeID++
		case AttrBestServer:
			out.Counts.ByBestServer++
		}
		k := netKey{m.Carrier[p.row], m.Tech[p.row]}
		if perNet[k] == nil {
			perNet[k] = map[string]*siteAcc{}
		}
		id := sites[p.site].SiteID
		a := perNet[k][id]
		if a == nil {
			a = &siteAcc{}
			perNet[k][id] = a
		}
		a.resid = append(a.resid, p.resid)
		if p.attr != AttrBestServer {
			a.byID++
		}
	}
	nets := make([]netKey, 0, len(perNet))
	for k := range perNet {
		nets = append(nets, k)
	}
	slices.SortFunc(nets, func(a, b netKey) int {
		return cmp.Or(strings.Compare(string(a.c), string(b.c)), cmp.Compare(a.t, b.t))
	})
	for _, k := range nets {
		ids := make([]string, 0, len(perNet[k]))
		for id := range perNet[k] {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		res := make([][]float64, len(ids))
		for j, id := range ids {
			res[j] = perNet[k][id].resid
		}
		sh, err := Shrink(res)
		if err != nil {
			return nil, fmt.Errorf("calibrate sites %s %s: %w", k.c, k.t, err)
		}
		net := SiteNetwork{Carrier: k.c, Tech: k.t, Sites: len(ids), MeanDB: sh.MeanDB, SigmaDB: math.Sqrt(sh.Sigma2), TauDB: math.Sqrt(sh.Tau2)}
		for j, id := range ids {
			net.N += sh.N[j]
			out.Sites = append(out.Sites, SiteOffset{Carrier: k.c, Tech: k.t, SiteID: id, N: sh.N[j], ByID: perNet[k][id].byID,
				MeanResidualDB: sh.SiteMean[j], Weight: sh.Weight[j], OffsetDB: sh.OffsetDB[j], DeviationDB: sh.OffsetDB[j] - sh.MeanDB})
		}
		out.Networks = append(out.Networks, net)
	}
	return out, nil
}

func candKey(c []int) string {
	var b strings.Builder
	for i, s := range c {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(s))
	}
	return b.String()
}

// cellIndex finds a network's sectors by their identifiers.
type cellIndex struct {
	byCell, byNode map[string][]int
	byPCI          map[string][]int
}

func netPrefix(c engine.Carrier, t engine.Tech) string {
	return string(c) + "\x00" + strconv.Itoa(int(t)) + "\x00"
}

func normID(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func newCellIndex(sites []engine.Site) *cellIndex {
	x := &cellIndex{byCell: map[string][]int{}, byNode: map[string][]int{}, byPCI: map[string][]int{}}
	for i, s := range sites {
		c := s.Cell
		if c == nil {
			continue
		}
		p := netPrefix(s.Carrier, s.Tech)
		if id := normID(c.CellID); id != "" {
			x.byCell[p+id] = append(x.byCell[p+id], i)
		}
		if id := normID(c.NodeID); id != "" {
			x.byNode[p+id] = append(x.byNode[p+id], i)
		}
		if c.PCI >= 0 && c.ARFCN >= 0 {
			k := p + strconv.Itoa(int(c.PCI)) + "/" + strconv.Itoa(int(c.ARFCN))
			x.byPCI[k] = append(x.byPCI[k], i)
		}
	}
	return x
}

// match returns the candidate sectors for a serving cell, in index order.
func (x *cellIndex) match(c engine.Carrier, t engine.Tech, sc *engine.ServingCell) ([]int, Attribution) {
	if sc == nil {
		return nil, AttrNone
	}
	p := netPrefix(c, t)
	if id := normID(sc.CellID); id != "" {
		if s := x.byCell[p+id]; len(s) > 0 {
			return s, AttrCellID
		}
	}
	if sc.PCI >= 0 && sc.ARFCN >= 0 {
		if s := x.byPCI[p+strconv.Itoa(int(sc.PCI))+"/"+strconv.Itoa(int(sc.ARFCN))]; len(s) > 0 {
			return s, AttrPCIARFCN
		}
	}
	if id := normID(sc.NodeID); id != "" {
		if s := x.byNode[p+id]; len(s) > 0 {
			return s, AttrNodeID
		}
	}
	return nil, AttrNone
}
