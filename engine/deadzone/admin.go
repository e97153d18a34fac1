package deadzone

import (
	"cmp"
	"math"
	"slices"

	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/geodata"
	"github.com/paulmach/orb"
)

// Attribution of a place (see AttributePlaces).
const (
	// AttributedByCode: the commune of the place's own commune code, which
	// belongs to the province the place's point falls in (without a
	// commune set, the place's own code, unchecked).
	AttributedByCode = "commune_code"
	// AttributedByPoint: the province, and the commune of that province,
	// holding the place's point; for a point in none of that province's
	// communes, the one holding most of its PointGapRes cell (a gap
	// between simplified borders: the point may lie tens of metres
	// outside the commune's outline, in a neighbour's).
	AttributedByPoint = "point"
	// AttributedProvinceOnly: the point falls in a province but in none of
	// that province's communes (a gap between the two boundary sets), or,
	// without a commune set, the place has no commune code.
	AttributedProvinceOnly = "province_only"
	// AttributedOutside: the point falls in no province and no commune.
	AttributedOutside = "outside_all_units"
	// AttributedNoBoundaries: no boundary set was given, so the place was
	// not attributed (its own commune code stands, unchecked).
	AttributedNoBoundaries = "no_boundaries"
)

// PointGapRes is the H3 resolution whose cell around a point settles a
// point that falls in no unit (a gap or sliver between simplified
// borders, tens of metres): the unit holding most of the cell's samples
// wins. Resolution 10 cells are about 66 m across an edge.
const PointGapRes = 10

// PlaceAdmin is the province and commune of one place.
type PlaceAdmin struct {
	Province, Commune string
	Attribution       string // one of the Attributed* values
}

// Place is a point to attribute, with the commune code its source gives
// (empty when none).
type Place struct {
	Point       orb.Point
	CommuneCode string
}

// nested attributes to provinces and to the communes of each province.
type nested struct {
	provinces *unitIndex            // nil without a province set
	communes  *unitIndex            // every commune; nil without a commune set
	byParent  map[string]*unitIndex // the communes of each province
	commune   map[string]geodata.Unit
}

func newNested(provinces, communes *geodata.BoundarySet) *nested {
	n := &nested{byParent: map[string]*unitIndex{}, commune: map[string]geodata.Unit{}}
	if provinces != nil {
		n.provinces = newUnitIndex(provinces.Units())
	}
	if communes != nil {
		us := communes.Units()
		n.communes = newUnitIndex(us)
		group := map[string][]geodata.Unit{}
		for _, u := range us {
			n.commune[u.Code] = u
			group[u.ParentCode] = append(group[u.ParentCode], u)
		}
		for p, g := range group {
			n.byParent[p] = newUnitIndex(g) // g is sorted by code, as Units is
		}
	}
	return n
}

// AdminCells attributes each of cells to a province of provinces and to a
// commune of communes (either set may be nil) and returns the hexes that
// got a province or a commune. A hex's province is decided as in
// Attribute; its commune is then chosen among that province's communes
// only (the communes whose ParentCode is the province's code), by the
// same rule, so a hex is never given a commune of another province. A hex
// in no province takes the commune that holds it among all communes, and
// that commune's province.
func AdminCells(provinces, communes *geodata.BoundarySet, cells []hexgrid.Cell) (map[hexgrid.Cell]Admin, error) {
	n := newNested(provinces, communes)
	uniq := slices.Clone(cells)
	slices.Sort(uniq)
	uniq = slices.Compact(uniq)
	out := make(map[hexgrid.Cell]Admin, len(uniq))
	var cand []int32
	for _, c := range uniq {
		var a Admin
		if n.provinces != nil {
			at, err := n.provinces.attribute(c, &cand)
			if err != nil {
				return nil, err
			}
			a.Province = at.Code
		}
		if n.communes != nil {
			idx := n.communes
			if a.Province != "" {
				idx = n.byParent[a.Province]
			}
			if idx != nil {
				at, err := idx.attribute(c, &cand)
				if err != nil {
					return nil, err
				}
				a.Commune = at.Code
				if a.Province == "" && a.Commune != "" {
					a.Province = n.commune[a.Commune].ParentCode
				}
			}
		}
		if a != (Admin{}) {
			out[c] = a
		}
	}
	return out, nil
}

// AttributePlaces gives each place (a village) its province and a commune
// of that province, one PlaceAdmin per place in order; either set may be
// nil.
//
// The province is the one holding the point (the lowest code when
// overlapping slivers hold it twice); a point in no province is settled
// by the area share of its PointGapRes cell, and failing that takes the
// province of the commune holding it. The commune is the place's own
// commune code when the commune set has it under that province
// (AttributedByCode); otherwise the commune of that province holding the
// point, by containment and then by share of its cell (AttributedByPoint).
// A point inside a province but none of its communes keeps the province
// (AttributedProvinceOnly); a point in no unit at all is
// AttributedOutside, never left silently without a province. Without a
// commune set the place's own commune code is kept as it is; without a
// province set a commune code the commune set has is taken with its
// province.
func AttributePlaces(provinces, communes *geodata.BoundarySet, places []Place) ([]PlaceAdmin, error) {
	n := newNested(provinces, communes)
	out := make([]PlaceAdmin, len(places))
	var cand []int32
	for i, pl := range places {
		var a PlaceAdmin
		if n.provinces != nil {
			code, err := n.provinces.locate(pl.Point, &cand)
			if err != nil {
				return nil, err
			}
			a.Province = code
		}
		if n.communes != nil {
			if u, ok := n.commune[pl.CommuneCode]; ok && pl.CommuneCode != "" && (n.provinces == nil || u.ParentCode == a.Province) {
				// Without a province set, the code's own province stands;
				// with one, only a commune of the point's province.
				a.Commune, a.Attribution = u.Code, AttributedByCode
				if a.Province == "" {
					a.Province = u.ParentCode
				}
			} else {
				idx := n.communes
				if a.Province != "" {
					idx = n.byParent[a.Province]
				}
				if idx != nil {
					code, err := idx.locate(pl.Point, &cand)
					if err != nil {
						return nil, err
					}
					if code != "" {
						a.Commune, a.Attribution = code, AttributedByPoint
						if a.Province == "" {
							a.Province = n.commune[code].ParentCode
						}
					}
				}
			}
		}
		if n.communes == nil {
			a.Commune = pl.CommuneCode // nothing to check it against
		}
		switch {
		case a.Attribution != "":
		case n.provinces == nil && n.communes == nil:
			a.Attribution = AttributedNoBoundaries
		case a.Province == "":
			a.Attribution = AttributedOutside
		case n.communes == nil && a.Commune != "":
			// The province by point, the commune the place's own code.
			a.Attribution = AttributedByCode
		default:
			a.Attribution = AttributedProvinceOnly
		}
		out[i] = a
	}
	return out, nil
}

// attribute decides one hex as Attribute does: centre containment, else
// area share.
func (ix *unitIndex) attribute(c hexgrid.Cell, cand *[]int32) (Attribution, error) {
	ctr, err := c.Center()
	if err != nil {
		return Attribution{}, err
	}
	*cand = ix.at((*cand)[:0], ctr)
	hit, k := int32(-1), 0
	for _, i := range *cand {
		if ix.units[i].Contains(ctr) {
			hit = i
			k++
		}
	}
	if k == 1 {
		return Attribution{Cell: c, Code: ix.units[hit].Code, Share: math.NaN()}, nil
	}
	if k == 0 {
		near, err := ix.near(c)
		if err != nil || !near {
			return Attribution{Cell: c, Share: 0}, err
		}
	}
	return ix.byShare(c, nil)
}

// locate returns the code of the unit holding p (the lowest code when
// several do); a point in none is settled by the area share of its
// PointGapRes cell; "" when that finds no unit either.
func (ix *unitIndex) locate(p orb.Point, cand *[]int32) (string, error) {
	*cand = ix.at((*cand)[:0], p)
	for _, i := range *cand { // ascending index, and units are sorted by code
		if ix.units[i].Contains(p) {
			return ix.units[i].Code, nil
		}
	}
	c, ok := pointCell(p, PointGapRes)
	if !ok {
		return "", nil
	}
	near, err := ix.near(c)
	if err != nil || !near {
		return "", err
	}
	a, err := ix.byShare(c, nil)
	return a.Code, err
}

// villageAdmin returns village i's province and commune: Input.VillageAdmin
// when given; otherwise the province of the village's own commune code
// (CommuneProvince), else of its hex (Admin), with that code as commune.
func (in Input) villageAdmin(i int, v Village, cell hexgrid.Cell) PlaceAdmin {
	if len(in.VillageAdmin) == len(in.Villages) {
		return in.VillageAdmin[i]
	}
	a := PlaceAdmin{Province: in.CommuneProvince[v.CommuneCode], Commune: v.CommuneCode, Attribution: AttributedByCode}
	if a.Province == "" {
		a.Province, a.Attribution = in.Admin[cell].Province, AttributedByPoint
	}
	if a.Province == "" {
		a.Attribution = AttributedOutside
	}
	return a
}

// placeVote is a place's vote for the admin units of the hex it lies in,
// with its weight (households): CommunesFromPlaces and AdminFromPlaces.
type placeVote struct {
	cell              hexgrid.Cell
	province, commune string
	weight            float64
}

// heaviest returns the index of the first vote of the run of votes with
// equal key (votes sorted so that equal keys are together) whose weights
// sum highest: the first such run on a tie.
func heaviest(votes []placeVote, key func(placeVote) string) int {
	best, bestW := -1, 0.0
	for i := 0; i < len(votes); {
		j, w := i, 0.0
		for j < len(votes) && key(votes[j]) == key(votes[i]) {
			w += votes[j].weight
			j++
		}
		if best < 0 || w > bestW {
			best, bestW = i, w
		}
		i = j
	}
	return best
}

func voteProvince(v placeVote) string { return v.province }
func voteCommune(v placeVote) string  { return v.commune }

// CommunesFromPlaces gives a commune to the hexes that have none, from the
// places (villages) they hold: without commune boundaries a hex's commune
// is unknown, yet the villages in it name theirs. cells[i] is the hex of
// places[i] and weights[i] its weight (households). A hex takes, among
// the places in it whose commune is known and whose province is the
// hex's (any province when the hex has none), the commune of the largest
// total weight — the lowest code on a tie — and, when it had no
// province, that place's province. A hex holding no such place keeps no
// commune. admin is updated in place.
func CommunesFromPlaces(admin map[hexgrid.Cell]Admin, cells []hexgrid.Cell, places []PlaceAdmin, weights []float64) {
	var votes []placeVote
	for i, p := range places {
		if p.Commune == "" {
			continue
		}
		a := admin[cells[i]]
		if a.Commune != "" || (a.Province != "" && a.Province != p.Province) {
			continue
		}
		votes = append(votes, placeVote{cells[i], p.Province, p.Commune, weights[i]})
	}
	slices.SortFunc(votes, func(a, b placeVote) int {
		return cmp.Or(cmp.Compare(a.cell, b.cell), cmp.Compare(a.commune, b.commune), cmp.Compare(a.province, b.province))
	})
	for i := 0; i < len(votes); {
		j := i
		for j < len(votes) && votes[j].cell == votes[i].cell {
			j++
		}
		best := votes[i+heaviest(votes[i:j], voteCommune)]
		a := admin[best.cell]
		a.Commune = best.commune
		if a.Province == "" {
			a.Province = best.province
		}
		admin[best.cell] = a
		i = j
	}
}

// AdminFromPlaces gives each hex holding places (villages) of a known
// province the province of the largest total weight among them (the lowest
// code on a tie) and, within it, the commune of the largest weight; the
// hex keeps its own commune when no place of that province names one and
// the province is its own, else it has none. It is for a population that
// is the places' (the villages table's households per hex): a hex's
// households are then its villages', so its province and commune are
// theirs wherever its centre lies — a hex by a border centred across it
// would otherwise count a province's households in its neighbour. cells[i]
// is the hex of places[i] and weights[i] its weight (households). Hexes
// holding no such place keep theirs. admin is updated in place.
func AdminFromPlaces(admin map[hexgrid.Cell]Admin, cells []hexgrid.Cell, places []PlaceAdmin, weights []float64) {
	var votes []placeVote
	for i, p := range places {
		if p.Province != "" && cells[i] != 0 {
			votes = append(votes, placeVote{cells[i], p.Province, p.Commune, weights[i]})
		}
	}
	slices.SortFunc(votes, func(a, b placeVote) int {
		return cmp.Or(cmp.Compare(a.cell, b.cell), cmp.Compare(a.province, b.province), cmp.Compare(a.commune, b.commune))
	})
	for i := 0; i < len(votes); {
		j := i
		for j < len(votes) && votes[j].cell == votes[i].cell {
			j++
		}
		prov := votes[i+heaviest(votes[i:j], voteProvince)].province
		lo := i
		for lo < j && votes[lo].province != prov {
			lo++
		}
		hi := lo
		for hi < j && votes[hi].province == prov {
			hi++
		}
		for lo < hi && votes[lo].commune == "" {
			lo++ // communes sort after "": skip the places naming none
		}
		old := admin[votes[i].cell]
		a := Admin{Province: prov}
		switch {
		case lo < hi:
			a.Commune = votes[lo+heaviest(votes[lo:hi], voteCommune)].commune
		case prov == old.Province:
			a.Commune = old.Commune
		}
		admin[votes[i].cell] = a
		i = j
	}
}
