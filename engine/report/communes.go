package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/lomsong/lomsong/internal/plural"
)

// maxEmptyCommunes is the number of communes without a village in the
// data that a province's communes note names (the rest are counted).
const maxEmptyCommunes = 30

// communeLabel is a commune's name with its code, "Sìn Hồ (03517)", its
// code alone without a name, NoCommune for the villages of none.
func communeLabel(c CommuneRow) string {
	if c.Code == "" {
		return NoCommune
	}
	name := clean(c.Code)
	if n := clean(c.Name); n != "" && n != name {
		name = n + " (" + name + ")"
	}
	return name
}

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
// a sentence on the rest, on the communes whose villages are all served,
// on the villages in no commune (not a commune: not counted as one) and
// on the communes with no village (named: not judged, so not served).
func communeRows(cs []CommuneRow) ([]communeView, string) {
	var shown []CommuneRow
	served, servedVillages := 0, 0
	unattributed := 0  // villages in no commune, none without 3G/4G or uncertain
	var empty []string // communes with no village in the data
	for _, c := range cs {
		if c.WithoutSignal == 0 && c.Uncertain == 0 {
			switch {
			case c.Code == "":
				// Not a commune: its villages are said apart.
				unattributed += c.Villages
			case c.Villages == 0:
				// No village to judge: not "none without 3G/4G".
				empty = append(empty, communeLabel(c))
			default:
				served++
				servedVillages += c.Villages
			}
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
	if unattributed > 0 {
		notes = append(notes, fmt.Sprintf("%s %s in no commune: none without 3G/4G or uncertain.",
			group(int64(unattributed)), plural.Noun(unattributed, "village", "villages")))
	}
	if len(empty) > 0 {
		named := empty
		more := ""
		if len(named) > maxEmptyCommunes {
			named, more = named[:maxEmptyCommunes], fmt.Sprintf(" and %s more", group(int64(len(empty)-maxEmptyCommunes)))
		}
		notes = append(notes, fmt.Sprintf("%s %s no village in the data, so none judged (unknown, not served): %s%s.",
			group(int64(len(empty))), plural.Noun(len(empty), "commune has", "communes have"), strings.Join(named, ", "), more))
	}
	out := make([]communeView, len(shown))
	for i, c := range shown {
		name := communeLabel(c)
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
