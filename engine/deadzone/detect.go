package deadzone

import (
	"math"
	"slices"
	"strings"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/paulmach/orb"
)

// Zone is one dead zone: a connected set of populated hexes that no
// carrier covers with 3G, 4G or 5G.
type Zone struct {
	// ID is "DZ-" followed by the hexadecimal form of the zone's smallest
	// cell: the same input always gives the same ids, and a zone keeps its
	// id while its smallest cell stays in it.
	ID      string
	Cells   []hexgrid.Cell // ascending
	AreaKm2 float64
	// Households are the zone's households without 3G/4G, the sum of
	// CellHouseholds; Population the people in them (a hex's population
	// in the share its households counted bear to all of its households).
	Households float64
	Population float64
	// CellHouseholds are the households without 3G/4G of each of Cells:
	// all of a hex's households, except in a hex judged at its villages
	// (Input.HouseholdsAtVillages), which counts those of its villages
	// without signal.
	CellHouseholds []float64
	// Centroid is the mean of the hex centres (lon, lat) weighted by
	// CellHouseholds; the plain mean when none is positive.
	Centroid orb.Point
	// Provinces and Communes touched, by share of the zone's hexes,
	// largest first; empty without Input.Admin.
	Provinces, Communes []UnitShare
	// Villages are the ids of the villages whose point lies in one of the
	// zone's hexes, ascending; Served are those of them judged served
	// (Input.Judged: not WithoutSignal), ascending. With
	// Input.HouseholdsAtVillages the served villages' households are not
	// the zone's.
	Villages, Served []string
	// Nearest is the nearest active site of each carrier of the register,
	// by carrier.
	Nearest []SiteDistance
	// Partly2G reports that some carrier covers part of the zone with 2G;
	// Carriers2G lists them.
	Partly2G   bool
	Carriers2G []engine.Carrier
	// PDeadMean is the mean of its hexes' P(dead) (Input.PDead) weighted
	// by all of their households (the plain mean when no household count
	// is positive) and PDeadMin the least of them: the expected share of
	// its hexes' households without 3G/4G, and how sure its least sure
	// hex is (a hex judged at its villages may be below the cut: it is in
	// the zone for its villages without signal). NaN when the zone's
	// hexes have no P(dead).
	PDeadMean, PDeadMin float64
}

// SiteDistance is a carrier's nearest active site (any technology) to a
// zone, with the great-circle distance in metres from the site to the
// nearest hex centre of the zone.
type SiteDistance struct {
	Carrier   engine.Carrier
	SiteID    string
	DistanceM float64
}

// Detect finds the dead zones of in: hexes with more than zero households
// whose best service is Only2G or NoSignal, grouped into zones of
// neighbouring hexes (H3 grid distance 1). Zones are sorted by households
// descending, then by id.
func Detect(in Input) ([]Zone, error) {
	w, err := newWorld(in)
	if err != nil {
		return nil, err
	}
	dead := make(map[hexgrid.Cell]bool)
	var order []hexgrid.Cell
	for _, p := range w.pop {
		if p.Households > 0 && w.level(p.Cell) != Covered {
			dead[p.Cell] = true
			order = append(order, p.Cell) // ascending: w.pop is sorted
		}
	}
	villageAt := villagesByCell(in.Villages, w.res)
	served := map[string]bool{}
	if in.Judged != nil {
		for _, v := range in.Judged.Villages {
			if !v.WithoutSignal() {
				served[v.ID] = true
			}
		}
	}
	sites := newSiteIndex(in.Sites)

	seen := make(map[hexgrid.Cell]bool, len(dead))
	var zones []Zone
	for _, start := range order {
		if seen[start] {
			continue
		}
		seen[start] = true
		comp := []hexgrid.Cell{start}
		for q := 0; q < len(comp); q++ {
			nb, err := comp[q].Disk(1)
			if err != nil {
				return nil, err
			}
			for _, n := range nb {
				if dead[n] && !seen[n] {
					seen[n] = true
					comp = append(comp, n)
				}
			}
		}
		slices.Sort(comp)
		z, err := w.zone(comp, in.Admin, villageAt, served, sites)
		if err != nil {
			return nil, err
		}
		zones = append(zones, z)
	}
	slices.SortFunc(zones, func(a, b Zone) int {
		switch {
		case a.Households > b.Households:
			return -1
		case a.Households < b.Households:
			return 1
		}
		return strings.Compare(a.ID, b.ID)
	})
	return zones, nil
}

func (w *world) zone(cells []hexgrid.Cell, admin map[hexgrid.Cell]Admin, villageAt map[hexgrid.Cell][]string, served map[string]bool, sites *siteIndex) (Zone, error) {
	z := Zone{ID: "DZ-" + cells[0].String(), Cells: cells, CellHouseholds: make([]float64, len(cells)), PDeadMean: math.NaN(), PDeadMin: math.NaN()}
	var sx, sy, sw, mx, my float64
	var pw, pws, ps float64
	var pn int
	prov, comm := map[string]int{}, map[string]int{}
	twoG := map[engine.Carrier]bool{}
	centres := make([]orb.Point, len(cells))
	for i, c := range cells {
		a, err := c.AreaKm2()
		if err != nil {
			return Zone{}, err
		}
		z.AreaKm2 += a
		p := w.pop[w.popAt[c]]
		dead, people := p.Households, p.Population
		if d, ok := w.deadHH[c]; ok {
			dead = d
			if p.Households > 0 {
				people = p.Population * d / p.Households
			}
		}
		z.CellHouseholds[i] = dead
		z.Households += dead
		z.Population += people
		ctr, err := c.Center()
		if err != nil {
			return Zone{}, err
		}
		centres[i] = ctr
		hh := max(dead, 0)
		sx += hh * ctr[0]
		sy += hh * ctr[1]
		sw += hh
		mx += ctr[0]
		my += ctr[1]
		if pd, ok := w.pDead[c]; ok {
			hh := max(p.Households, 0)
			pw += hh * pd
			pws += hh
			ps += pd
			pn++
			if !(pd >= z.PDeadMin) {
				z.PDeadMin = pd
			}
		}
		if ad, ok := admin[c]; ok {
			if ad.Province != "" {
				prov[ad.Province]++
			}
			if ad.Commune != "" {
				comm[ad.Commune]++
			}
		}
		z.Villages = append(z.Villages, villageAt[c]...)
		for k, m := range w.cover[c] {
			if m&bit2G != 0 {
				twoG[w.carriers[k]] = true
			}
		}
	}
	if sw > 0 {
		z.Centroid = orb.Point{sx / sw, sy / sw}
	} else {
		n := float64(len(cells))
		z.Centroid = orb.Point{mx / n, my / n}
	}
	switch {
	case pws > 0:
		z.PDeadMean = pw / pws
	case pn > 0:
		z.PDeadMean = ps / float64(pn)
	}
	z.Provinces = shares(prov, len(cells))
	z.Communes = shares(comm, len(cells))
	slices.Sort(z.Villages)
	for _, id := range z.Villages {
		if served[id] {
			z.Served = append(z.Served, id)
		}
	}
	for c := range twoG {
		z.Carriers2G = append(z.Carriers2G, c)
	}
	slices.Sort(z.Carriers2G)
	z.Partly2G = len(z.Carriers2G) > 0
	z.Nearest = sites.nearest(centres)
	return z, nil
}

func shares(counts map[string]int, total int) []UnitShare {
	if len(counts) == 0 {
		return nil
	}
	out := make([]UnitShare, 0, len(counts))
	for c, n := range counts {
		out = append(out, UnitShare{Code: c, Share: float64(n) / float64(total)})
	}
	sortShares(out)
	return out
}

// villagesByCell indexes village ids by the hex of their point; villages
// whose point cannot be indexed are in no zone.
func villagesByCell(vs []Village, res int) map[hexgrid.Cell][]string {
	m := make(map[hexgrid.Cell][]string)
	for _, v := range vs {
		c, ok := pointCell(orb.Point{v.Lon, v.Lat}, res)
		if !ok {
			continue
		}
		m[c] = append(m[c], v.ID)
	}
	return m
}
