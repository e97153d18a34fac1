package deadzone

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lomsong/lomsong/geodata"
)

// CommunesGiven is what a commune set gave the places attributed with it
// (AttributePlaces, or the villages of a run given the set): the one rule
// every command and stage that takes a commune set judges the set by.
type CommunesGiven struct {
	// Located is the places that lie in a province; Given, those of them
	// given a commune.
	Located, Given int
	// Provinces are the provinces of the located places, sorted, each
	// once.
	Provinces []string
	// Unheld counts, per province the set has no commune of, its places
	// given none: communes of another year's provinces (the 2025
	// communes under the 2019 provinces) leave a former province's places
	// all without a commune.
	Unheld map[string]int
}

// CheckCommunes returns what communes gave places (each place's province
// and commune as attributed). It is the zero value when communes is nil.
func CheckCommunes(places []PlaceAdmin, communes *geodata.BoundarySet) CommunesGiven {
	var g CommunesGiven
	if communes == nil {
		return g
	}
	held := map[string]bool{}
	for _, u := range communes.Units() {
		held[u.ParentCode] = true
	}
	for _, p := range places {
		if p.Province == "" {
			continue
		}
		g.Located++
		g.Provinces = append(g.Provinces, p.Province)
		if p.Commune != "" {
			g.Given++
		} else if !held[p.Province] {
			if g.Unheld == nil {
				g.Unheld = map[string]int{}
			}
			g.Unheld[p.Province]++
		}
	}
	slices.Sort(g.Provinces)
	g.Provinces = slices.Compact(g.Provinces)
	return g
}

// Err is a *NoCommuneGivenError when the set gave none of the located
// places a commune (the communes of another province): every commune
// figure would be empty. It is nil when some place got one, or none lies
// in a province.
func (g CommunesGiven) Err() error {
	if g.Located == 0 || g.Given > 0 {
		return nil
	}
	return &NoCommuneGivenError{Villages: g.Located, Provinces: g.Provinces}
}

// NoCommuneGivenError is a commune set that gave none of the villages
// located in a province a commune. Its message follows the file's name:
// "communes.geojson gives none of the 12 villages a commune: …".
type NoCommuneGivenError struct {
	Villages  int
	Provinces []string // the villages' provinces, sorted, each once
}

func (e *NoCommuneGivenError) Error() string {
	provs := e.Provinces
	if len(provs) > 8 {
		provs = append(slices.Clone(provs[:8]), fmt.Sprintf("… (%d more)", len(e.Provinces)-8))
	}
	return fmt.Sprintf("gives none of the %d villages a commune: none of its communes holds one of them (their provinces: %s); give the communes of those provinces",
		e.Villages, strings.Join(provs, ", "))
}
