package pipeline

import (
	"slices"

	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/geodata"
)

// NationalName is the name of the national row of a scorecard.
const NationalName = "Việt Nam"

// UnitName is the name of the unit of set with this code: "" without a
// set, for an empty code, and for a code the set does not hold (a
// village's own commune_code outside every commune, a unit of another
// year's boundaries). The boundary set the month was attributed with is
// the one owner of the names every table writes beside its codes.
func UnitName(set *geodata.BoundarySet, code string) string {
	if set == nil || code == "" {
		return ""
	}
	if u, ok := set.ByCode(code); ok {
		return u.Name
	}
	return ""
}

// AreaNames are the names of set's units by code, with the national row's
// (NationalName) under the code national: a scorecard's Card.Names.
func AreaNames(set *geodata.BoundarySet, national string) map[string]string {
	names := map[string]string{national: NationalName}
	if set == nil {
		return names
	}
	for _, u := range set.Units() {
		names[u.Code] = u.Name
	}
	return names
}

// WithName returns cols with a text column name inserted right after the
// text column code, holding the name (UnitName in set) of each row's
// code, as the scorecard writes area_name right after area. The code
// column stays as it is. cols is returned unchanged when it has no column
// code.
func WithName(cols []arrowio.Column, code, name string, set *geodata.BoundarySet) []arrowio.Column {
	i := slices.IndexFunc(cols, func(c arrowio.Column) bool { return c.Name == code })
	if i < 0 {
		return cols
	}
	names := make([]string, len(cols[i].String))
	for r, c := range cols[i].String {
		names[r] = UnitName(set, c)
	}
	return slices.Insert(slices.Clone(cols), i+1, arrowio.Column{Name: name, String: names})
}

// NamedGapTable is GapTable with each hex's province and commune named
// right after their codes (province_name, commune_name; WithName), as
// carrier_gaps.csv gives them: lomsong deadzones and run --out, and a
// release of the service.
func NamedGapTable(g deadzone.GapReport, provinces, communes *geodata.BoundarySet) ([]arrowio.Column, error) {
	cols, err := GapTable(g)
	if err != nil {
		return nil, err
	}
	return WithAreaNames(cols, provinces, communes), nil
}

// WithAreaNames names a table's province and commune codes right after
// them (province_name after province, commune_name after commune;
// WithName), as every table a person reads by area gives them.
func WithAreaNames(cols []arrowio.Column, provinces, communes *geodata.BoundarySet) []arrowio.Column {
	return WithName(WithName(cols, "province", "province_name", provinces), "commune", "commune_name", communes)
}

// NamedVillageTable is VillageTable with each village's province and
// attributed commune named right after their codes (province_name after
// province, commune_name after commune; WithName), as villages.csv gives
// them: lomsong deadzones and run --out, and a release of the service.
// The village's own commune_code, as its list spelled it, is not named:
// commune is the commune it was attributed to.
func NamedVillageTable(v deadzone.VillageReport, provinces, communes *geodata.BoundarySet) []arrowio.Column {
	return WithAreaNames(VillageTable(v), provinces, communes)
}

// NamedHexTable is HexTable with each hex's province and commune named
// right after their codes (province_name, commune_name; WithName), as
// hexes.csv gives them: lomsong deadzones and run --out, and a release of
// the service.
func NamedHexTable(r *DeadZoneResult, provinces, communes *geodata.BoundarySet) ([]arrowio.Column, error) {
	cols, err := HexTable(r)
	if err != nil {
		return nil, err
	}
	return WithAreaNames(cols, provinces, communes), nil
}
