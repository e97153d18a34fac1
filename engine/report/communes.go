package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/lomsong/lomsong/internal/plural"
)

// maxCommuneRows is the number of communes a province's communes table
// lists (the ones with the most households without 3G/4G first).
const maxCommuneRows = 60

// CommuneRow is one commune of a province's communes table: its villages,
// those counted without 3G/4G (Only2G of them with 2G) and their
// households, and those counted as served on an uncertain verdict and
// theirs, as the GeoPackage's communes_summary counts them. Code is empty
// for the villages no commune was attributed to (shown as NoCommune).
type CommuneRow struct {
	Code, Name                                   string
	Villages, WithoutSignal, Only2G              int
	Uncertain                                    int
	HouseholdsWithoutSignal, HouseholdsUncertain float64
}

type communeView struct {
	Commune, Villages, WithoutSignal, Households, Uncertain, HouseholdsUncertain string
	Dead                                                                         bool
}

// communeRows lists a province's communes that have a village without
// 3G/4G or an uncertain one: most households without 3G/4G first, then
// most uncertain households, then by code; the first maxCommuneRows, and
// a sentence on the rest and on the communes whose villages are all
// served.
func communeRows(cs []CommuneRow) ([]communeView, string) {
	var shown []CommuneRow
	served, servedVillages := 0, 0
	for _, c := range cs {
		if c.WithoutSignal == 0 && c.Uncertain == 0 {
			served++
			servedVillages += c.Villages
			continue
		}
		shown = append(shown, c)
	}
	slices.SortStableFunc(shown, func(a, b CommuneRow) int {
		if c := cmp.Compare(b.HouseholdsWithoutSignal, a.HouseholdsWithoutSignal); c != 0 {
			return c
		}
		if c := cmp.Compare(b.HouseholdsUncertain, a.HouseholdsUncertain); c != 0 {
			return c
		}
		return strings.Compare(a.Code, b.Code)
	})
	var notes []string
	if len(shown) > maxCommuneRows {
		notes = append(notes, fmt.Sprintf("… and %s more communes with villages without 3G/4G or uncertain: the GeoPackage's communes_summary lists every commune.",
			group(int64(len(shown)-maxCommuneRows))))
		shown = shown[:maxCommuneRows]
	}
	if served > 0 {
		other := "other "
		if len(shown) == 0 {
			other = ""
		}
		notes = append(notes, fmt.Sprintf("%s %s%s, with %s %s: none without 3G/4G or uncertain.",
			group(int64(served)), other, plural.Noun(served, "commune", "communes"), group(int64(servedVillages)), plural.Noun(servedVillages, "village", "villages")))
	}
	out := make([]communeView, len(shown))
	for i, c := range shown {
		name := NoCommune
		if c.Code != "" {
			name = clean(c.Code)
			if n := clean(c.Name); n != "" && n != name {
				name = n + " (" + name + ")"
			}
		}
		without := group(int64(c.WithoutSignal))
		if c.Only2G > 0 {
			without += fmt.Sprintf(" (%s 2G only)", group(int64(c.Only2G)))
		}
		out[i] = communeView{Commune: name, Villages: group(int64(c.Villages)), WithoutSignal: without,
			Households: count(c.HouseholdsWithoutSignal), Uncertain: group(int64(c.Uncertain)),
			HouseholdsUncertain: count(c.HouseholdsUncertain), Dead: c.WithoutSignal > 0}
	}
	return out, strings.Join(notes, " ")
}
