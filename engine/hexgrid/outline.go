package hexgrid

import (
	"fmt"
	"slices"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"
)

// Outline returns the outline of a set of cells of one resolution as a
// lon/lat MultiPolygon (one polygon per connected group, holes where the
// set encloses cells it does not hold), rings closed, for GeoJSON.
// Duplicates are ignored.
func Outline(cells []Cell) (orb.MultiPolygon, error) {
	if len(cells) == 0 {
		return nil, nil
	}
	u := slices.Clone(cells)
	slices.Sort(u)
	u = slices.Compact(u)
	res := u[0].Resolution()
	in := make([]h3.Cell, len(u))
	for i, c := range u {
		if !c.Valid() || c.Resolution() != res {
			return nil, fmt.Errorf("hexgrid: outline: cell %v is invalid or not at resolution %d", c, res)
		}
		in[i] = h3.Cell(c)
	}
	polys, err := h3.CellsToMultiPolygon(in)
	if err != nil {
		return nil, fmt.Errorf("hexgrid: outline of %d cells: %w", len(u), err)
	}
	mp := make(orb.MultiPolygon, 0, len(polys))
	for _, p := range polys {
		poly := orb.Polygon{closedRing(p.GeoLoop)}
		for _, h := range p.Holes {
			poly = append(poly, closedRing(h))
		}
		mp = append(mp, poly)
	}
	return mp, nil
}

func closedRing(l h3.GeoLoop) orb.Ring {
	r := make(orb.Ring, 0, len(l)+1)
	for _, ll := range l {
		r = append(r, orb.Point{ll.Lng, ll.Lat})
	}
	if len(r) > 0 && r[0] != r[len(r)-1] {
		r = append(r, r[0])
	}
	return r
}
