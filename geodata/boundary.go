package geodata

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/lomsong/lomsong/engine"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// ErrNotFound is returned when no unit matches a code, name or point.
var ErrNotFound = errors.New("geodata: unit not found")

// ErrInvalidBoundaries is returned for a boundary file that cannot be used.
var ErrInvalidBoundaries = errors.New("geodata: invalid boundaries")

// AmbiguousError is returned when a name matches several units.
type AmbiguousError struct {
	Query      string
	Candidates []Unit // sorted by code
}

func (e *AmbiguousError) Error() string {
	parts := make([]string, len(e.Candidates))
	for i, u := range e.Candidates {
		s := u.Code + " " + u.Name
		if u.ParentCode != "" {
			s += " (in " + u.ParentCode + ")"
		}
		parts[i] = s
	}
	return fmt.Sprintf("geodata: %q is ambiguous: %s", e.Query, strings.Join(parts, "; "))
}

// Unit is one administrative unit of a BoundarySet.
type Unit struct {
	Code       string // official code, unique within its set
	Name       string
	ParentCode string // empty for top-level units
	Geometry   orb.MultiPolygon
	Bound      orb.Bound
}

// Contains reports whether p (lon, lat) lies inside the unit.
func (u *Unit) Contains(p orb.Point) bool {
	return u.Bound.Contains(p) && planar.MultiPolygonContains(u.Geometry, p)
}

// BoundarySet is a named set of units of one level (e.g. "province").
type BoundarySet struct {
	Name  string // e.g. "vn-provinces-2025"
	Level string // e.g. "province", "commune"
	units []Unit // sorted by code
	code  map[string]int
	name  map[string][]int // folded name → indexes, ascending
}

// NewBoundarySet builds a set from units. Codes must be non-empty and
// unique; bounds are recomputed from the geometry. Units are sorted by code.
func NewBoundarySet(name, level string, units []Unit) (*BoundarySet, error) {
	us := make([]Unit, len(units))
	copy(us, units)
	sort.SliceStable(us, func(i, j int) bool { return us[i].Code < us[j].Code })
	s := &BoundarySet{Name: name, Level: level, units: us,
		code: make(map[string]int, len(us)), name: make(map[string][]int, len(us))}
	for i := range us {
		u := &us[i]
		if u.Code == "" {
			return nil, fmt.Errorf("%w: unit %q has an empty code", ErrInvalidBoundaries, u.Name)
		}
		if _, dup := s.code[u.Code]; dup {
			return nil, fmt.Errorf("%w: duplicate code %q", ErrInvalidBoundaries, u.Code)
		}
		s.code[u.Code] = i
		u.Bound = u.Geometry.Bound()
		f := engine.Fold(u.Name)
		s.name[f] = append(s.name[f], i)
	}
	return s, nil
}

// Len returns the number of units.
func (s *BoundarySet) Len() int { return len(s.units) }

// Units returns the units sorted by code. The slice is a copy; the
// geometry is shared and must not be modified.
func (s *BoundarySet) Units() []Unit {
	out := make([]Unit, len(s.units))
	copy(out, s.units)
	return out
}

// Codes returns the unit codes in ascending order.
func (s *BoundarySet) Codes() []string {
	out := make([]string, len(s.units))
	for i, u := range s.units {
		out[i] = u.Code
	}
	return out
}

// ByCode returns the unit with exactly this code.
func (s *BoundarySet) ByCode(code string) (Unit, bool) {
	i, ok := s.code[code]
	if !ok {
		return Unit{}, false
	}
	return s.units[i], true
}

// Lookup finds a unit by code or by name. A code matches exactly (after
// trimming spaces); a name matches ignoring case, diacritics, spaces and
// punctuation ("lai chau" = "Lai Châu"). A name shared by several units
// returns an *AmbiguousError; no match returns ErrNotFound.
func (s *BoundarySet) Lookup(query string) (Unit, error) {
	q := strings.TrimSpace(query)
	if u, ok := s.ByCode(q); ok {
		return u, nil
	}
	idx := s.name[engine.Fold(q)]
	switch len(idx) {
	case 0:
		return Unit{}, fmt.Errorf("%w: %q in %s", ErrNotFound, query, s.Name)
	case 1:
		return s.units[idx[0]], nil
	}
	e := &AmbiguousError{Query: query}
	for _, i := range idx {
		e.Candidates = append(e.Candidates, s.units[i])
	}
	return Unit{}, e
}

// Locate returns the unit containing p (lon, lat): bounding boxes first,
// then planar point-in-MultiPolygon. Where units overlap (simplified
// borders), the one with the lowest code wins.
func (s *BoundarySet) Locate(p orb.Point) (Unit, bool) {
	for i := range s.units {
		if s.units[i].Contains(p) {
			return s.units[i], true
		}
	}
	return Unit{}, false
}

// LoadBoundaries reads a GeoJSON FeatureCollection of Polygon or
// MultiPolygon features. codeProp and nameProp name the properties holding
// each unit's code and name (strings, or integers for codes); parentProp,
// if not empty, names the optional parent-code property. A feature without
// code or name, with another geometry type, or with a duplicate code is an
// error naming the feature index and property. Name and Level of the
// result are left empty for the caller to set.
func LoadBoundaries(r io.Reader, codeProp, nameProp, parentProp string) (*BoundarySet, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("geodata: read boundaries: %w", err)
	}
	var fc geojson.FeatureCollection
	if err := json.Unmarshal(data, &fc); err != nil {
		return nil, fmt.Errorf("%w: not a GeoJSON FeatureCollection: %w", ErrInvalidBoundaries, err)
	}
	units := make([]Unit, 0, len(fc.Features))
	seen := make(map[string]int, len(fc.Features))
	for i, f := range fc.Features {
		code, err := propString(f.Properties, codeProp)
		if err != nil {
			return nil, fmt.Errorf("%w: feature %d: property %q: %w", ErrInvalidBoundaries, i, codeProp, err)
		}
		name, err := propString(f.Properties, nameProp)
		if err != nil {
			return nil, fmt.Errorf("%w: feature %d: property %q: %w", ErrInvalidBoundaries, i, nameProp, err)
		}
		var parent string
		if parentProp != "" {
			if _, ok := f.Properties[parentProp]; ok && f.Properties[parentProp] != nil {
				parent, err = propString(f.Properties, parentProp)
				if err != nil {
					return nil, fmt.Errorf("%w: feature %d: property %q: %w", ErrInvalidBoundaries, i, parentProp, err)
				}
			}
		}
		if j, dup := seen[code]; dup {
			return nil, fmt.Errorf("%w: feature %d: property %q: duplicate code %q (also feature %d)", ErrInvalidBoundaries, i, codeProp, code, j)
		}
		seen[code] = i
		var mp orb.MultiPolygon
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			mp = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			mp = g
		case nil:
			return nil, fmt.Errorf("%w: feature %d (code %q): no geometry", ErrInvalidBoundaries, i, code)
		default:
			return nil, fmt.Errorf("%w: feature %d (code %q): geometry %s, want Polygon or MultiPolygon", ErrInvalidBoundaries, i, code, f.Geometry.GeoJSONType())
		}
		units = append(units, Unit{Code: code, Name: name, ParentCode: parent, Geometry: mp})
	}
	return NewBoundarySet("", "", units)
}

// propString reads a non-empty string property; integral numbers are
// accepted and formatted without a decimal point.
func propString(p geojson.Properties, key string) (string, error) {
	v, ok := p[key]
	if !ok || v == nil {
		return "", errors.New("missing")
	}
	var s string
	switch x := v.(type) {
	case string:
		s = strings.TrimSpace(x)
	case float64:
		if x != float64(int64(x)) {
			return "", fmt.Errorf("not an integer code: %v", x)
		}
		s = strconv.FormatInt(int64(x), 10)
	default:
		return "", fmt.Errorf("unsupported value type %T", v)
	}
	if s == "" {
		return "", errors.New("empty")
	}
	return s, nil
}
