package geodata

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
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
		if u.FullName != "" {
			s = u.Code + " " + u.FullName
		}
		if u.ParentCode != "" {
			s += " (in " + u.ParentCode + ")"
		}
		parts[i] = s
	}
	return fmt.Sprintf("geodata: %q is ambiguous: %s", e.Query, strings.Join(parts, "; "))
}

// NotFoundError is returned by Lookup when no unit matches; it wraps
// ErrNotFound. Former is set when the query names (or codes) a unit of an
// earlier boundary set that merged into a unit of this one; Nearest holds
// the units whose names are closest to the query.
type NotFoundError struct {
	Query   string
	Set     string // the set's Name
	Former  *Former
	Nearest []Unit // at most 3, closest first (ties by code)
	// OtherKind is set when the name after the query's kind names a unit
	// (or a former one) of another kind: "Thành phố Lai Châu" is the city,
	// not Tỉnh Lai Châu, and a set of provinces holds no city, town,
	// district or commune. Former and Nearest are then unset.
	OtherKind *OtherKind
}

// OtherKind is the unit a query's name names, whose kind is not the one
// the query gave.
type OtherKind struct {
	Kind       string // the query's kind ("thành phố", "huyện")
	Code, Name string // the unit the name names
	// Is is what that unit is: its full name ("Tỉnh Lai Châu"), or its
	// set's level ("a province") when the set gives none.
	Is string
	// Former is set when the name names a unit of an earlier set (Code
	// and Name are then that unit's): what became of it.
	Former *Former
}

// Former is a unit of an earlier boundary set and the unit it became.
type Former struct {
	Code, Name string
	FullName   string // with its kind ("Tỉnh Hà Giang"), or ""
	Into       Unit
	Since      string // e.g. "1 July 2025"
	// Renamed: the unit became Into alone (a new name for the same
	// land, as Thừa Thiên Huế became Huế), not merged with others.
	Renamed bool
}

// Became says what became of the former unit: "merged into X on D" or
// "renamed X in YYYY" (a rename's date is not the merger's: Huế was
// named in January 2025).
func (f *Former) Became() string {
	if f.Renamed {
		return fmt.Sprintf("renamed %s in 2025", f.Into.Name)
	}
	return fmt.Sprintf("merged into %s on %s", f.Into.Name, f.Since)
}

func (e *NotFoundError) Error() string {
	if o := e.OtherKind; o != nil {
		verb := "is"
		if o.Former != nil {
			verb = "was"
		}
		return fmt.Sprintf("%v: %q in %s: %s (%s) %s %s, not a %s", ErrNotFound, e.Query, e.Set, o.Name, o.Code, verb, o.Is, o.Kind)
	}
	if f := e.Former; f != nil {
		if f.Renamed {
			return fmt.Sprintf("geodata: %q in %s: %s (%s) renamed %s (%s) in 2025", e.Query, e.Set, f.Name, f.Code, f.Into.Name, f.Into.Code)
		}
		return fmt.Sprintf("geodata: %q in %s: %s (%s) merged into %s (%s) on %s", e.Query, e.Set, f.Name, f.Code, f.Into.Name, f.Into.Code, f.Since)
	}
	s := fmt.Sprintf("%v: %q in %s", ErrNotFound, e.Query, e.Set)
	if len(e.Nearest) > 0 {
		names := make([]string, len(e.Nearest))
		for i, u := range e.Nearest {
			names[i] = fmt.Sprintf("%s (%s)", u.Name, u.Code)
		}
		s += "; nearest: " + strings.Join(names, ", ")
	}
	return s
}

func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// Unit is one administrative unit of a BoundarySet.
type Unit struct {
	Code       string // official code, unique within its set
	Name       string
	ParentCode string // empty for top-level units
	// FullName is the name with its kind ("Phường Ba Đình", "Xã Ba
	// Đình") when the boundary file gives it (its fullName property, as
	// the GSO's commune sets do); "" otherwise. Lookup tells units of one
	// name apart by it; a label, so configuration hashes leave it out.
	FullName string `hash:"-"`
	Geometry orb.MultiPolygon
	Bound    orb.Bound
	// index answers Contains for units of a BoundarySet (NewBoundarySet
	// builds it); nil for units built elsewhere. It is derived from
	// Geometry: configuration hashes leave it out (hash:"-").
	index *PolygonIndex `hash:"-"`
}

// Contains reports whether p (lon, lat) lies inside the unit: on its
// boundary counts as inside, in a hole as outside
// (planar.MultiPolygonContains).
func (u *Unit) Contains(p orb.Point) bool {
	if !u.Bound.Contains(p) {
		return false
	}
	if u.index != nil {
		return u.index.Contains(p)
	}
	return planar.MultiPolygonContains(u.Geometry, p)
}

// BoundarySet is a named set of units of one level (e.g. "province").
type BoundarySet struct {
	Name  string // e.g. "vn-provinces-2025"
	Level string // e.g. "province", "commune"
	units []Unit // sorted by code
	code  map[string]int
	name  map[string][]int // folded name → indexes, ascending
	// formerCode and formerName find the units of an earlier set that
	// merged into this one's (by code, and by folded name); nil for sets
	// without a predecessor.
	formerCode, formerName map[string]Former
	// Coarse says why the set's outlines are only approximate ("" for a
	// set given as accurate): the embedded sets are Natural Earth's
	// 1:10m outlines, a few kilometres off along borders and coasts, so a
	// place near a border may fall outside every unit or in a neighbour.
	Coarse string
	// NumericCodes are the codes LoadBoundaries read from JSON numbers,
	// as a spreadsheet or QGIS writes a code column it took for numbers:
	// a leading zero is lost there (Hà Nội's 01 reads as 1), so they may
	// not match the GSO codes of other tables. Sorted.
	NumericCodes []string
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
		u.index = NewPolygonIndex(u.Geometry)
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
// returns an *AmbiguousError; no match returns a *NotFoundError (which
// wraps ErrNotFound) saying what a former unit merged into, or else the
// nearest names.
func (s *BoundarySet) Lookup(query string) (Unit, error) {
	q := strings.TrimSpace(query)
	if u, ok := s.ByCode(q); ok {
		return u, nil
	}
	if u, ok := s.byPaddedCode(q); ok {
		return u, nil // "8" for 08, as codes are often written without their leading zero
	}
	f := engine.Fold(q)
	// "Tỉnh Lai Châu", "TP. Hồ Chí Minh", "Phường Ba Đình": the name
	// without the unit's kind, as the sets name their units; "HCM": a
	// common short name. Current units are matched by it, and so are
	// former ones ("Tỉnh Hà Giang" merged as "Hà Giang" did).
	alt := f
	kind, rest, kinded := withoutUnitKind(q)
	if kinded {
		alt = engine.Fold(rest)
	} else {
		// The English kind after the name: "Ho Chi Minh City", "Lai
		// Chau Province" (as foreign datasets write them).
		for _, suffix := range []string{"city", "province"} {
			if r, ok := strings.CutSuffix(f, suffix); ok && r != "" {
				alt = r
				break
			}
		}
	}
	if a, ok := nameAliases[alt]; ok {
		alt = a
	}
	idx, byAlt := s.name[f], false
	if len(idx) == 0 && len(s.name[alt]) > 0 {
		f, idx, byAlt = alt, s.name[alt], true
	}
	switch len(idx) {
	case 0:
		e := &NotFoundError{Query: query, Set: s.Name}
		if fo, ok := s.formerByCode(q); ok {
			e.Former = &fo
		} else if fo, ok := s.formerName[f]; ok && f != "" {
			e.Former = &fo
		} else if fo, ok := s.formerName[alt]; ok && alt != "" {
			// "Thành phố Hà Giang" is the city, not the former Tỉnh
			// Hà Giang that merged into Tuyên Quang.
			if was := (Unit{Code: fo.Code, Name: fo.Name, FullName: fo.FullName}); kinded && !kind.fits(was, s.Level) {
				e.OtherKind = &OtherKind{Kind: kind.name, Code: fo.Code, Name: fo.Name, Is: kindOf(was, s.Level), Former: &fo}
			} else {
				e.Former = &fo
			}
		} else {
			e.Nearest = s.nearest(f, 3)
		}
		return Unit{}, e
	case 1:
		// "Thành phố Lai Châu" names the city, which a set of provinces
		// does not hold, not Tỉnh Lai Châu; "TP Hồ Chí Minh" names
		// Thành phố Hồ Chí Minh.
		if u := s.units[idx[0]]; byAlt && kinded && !kind.fits(u, s.Level) {
			return Unit{}, &NotFoundError{Query: query, Set: s.Name,
				OtherKind: &OtherKind{Kind: kind.name, Code: u.Code, Name: u.Name, Is: kindOf(u, s.Level)}}
		}
		return s.units[idx[0]], nil
	}
	if kinded {
		// "Phường Ba Đình" where a phường and a xã are named Ba Đình:
		// the kind said picks the unit whose full name it is.
		var same []int
		for _, i := range idx {
			if u := s.units[i]; u.FullName != "" && engine.Fold(u.FullName) == engine.Fold(q) {
				same = append(same, i)
			}
		}
		if len(same) == 1 {
			return s.units[same[0]], nil
		}
		if len(same) > 1 {
			idx = same
		}
	}
	e := &AmbiguousError{Query: query}
	for _, i := range idx {
		e.Candidates = append(e.Candidates, s.units[i])
	}
	return Unit{}, e
}

// unitKind is a word or two naming a unit's kind before its name.
type unitKind struct {
	words []string // folded, as a query writes them ("tp" or "thanh pho")
	key   string   // folded, as a full name writes it ("thanhpho")
	name  string   // as a message says it ("thành phố")
	// province: the kind of a province (tỉnh) or of a city run by the
	// State as one (thành phố: Hà Nội, Hồ Chí Minh).
	province bool
}

// unitKinds are the kinds of unit: province (tỉnh, thành phố, TP),
// commune (phường, xã, thị trấn, đặc khu) and the districts of before
// 2025 (quận, huyện, thị xã, and thành phố: a province's city).
var unitKinds = []unitKind{
	{[]string{"thanh", "pho"}, "thanhpho", "thành phố", true}, {[]string{"thi", "tran"}, "thitran", "thị trấn", false},
	{[]string{"thi", "xa"}, "thixa", "thị xã", false}, {[]string{"dac", "khu"}, "dackhu", "đặc khu", false},
	{[]string{"tinh"}, "tinh", "tỉnh", true}, {[]string{"tp"}, "thanhpho", "thành phố", true},
	{[]string{"phuong"}, "phuong", "phường", false}, {[]string{"xa"}, "xa", "xã", false},
	{[]string{"quan"}, "quan", "quận", false}, {[]string{"huyen"}, "huyen", "huyện", false}}

// fullKind is the folded kind of u from its full name ("tinh" of "Tỉnh
// Lai Châu"), or "" when it has no full name or one that is not a kind
// and its name.
func fullKind(u Unit) string {
	full, name := engine.Fold(u.FullName), engine.Fold(u.Name)
	if full == "" || name == "" || full == name || !strings.HasSuffix(full, name) {
		return ""
	}
	return strings.TrimSuffix(full, name)
}

// levelOfUnits is the level the units' full names say they are all of:
// "commune" when each is a phường, xã, thị trấn or đặc khu (a commune set,
// as the GSO's 2025 one), "province" when each is a tỉnh or a thành phố
// without a parent; "" when a unit has no full name of a kind, or the
// kinds are of both levels or of districts.
func levelOfUnits(units []Unit) string {
	level := ""
	for _, u := range units {
		l := ""
		switch fullKind(u) {
		case "phuong", "xa", "thitran", "dackhu":
			l = "commune"
		case "tinh", "thanhpho":
			if u.ParentCode == "" {
				l = "province"
			}
		}
		if l == "" || level != "" && l != level {
			return ""
		}
		level = l
	}
	return level
}

// fits says whether u, named by its name after k, is of kind k: its full
// name's kind is k, or k is tỉnh and u a top-level thành phố (a city run
// as a province, still often called one: Tỉnh Đồng Nai). A unit without
// a full name fits any kind but a province's level holds no commune or
// district kind.
func (k unitKind) fits(u Unit, level string) bool {
	if uk := fullKind(u); uk != "" {
		return uk == k.key || k.key == "tinh" && uk == "thanhpho" && u.ParentCode == ""
	}
	return level != "province" || k.province
}

// kindOf says what u is, for a query of another kind: its full name
// ("Tỉnh Lai Châu"), else its set's level ("a province").
func kindOf(u Unit, level string) string {
	if fullKind(u) != "" {
		return u.FullName
	}
	if level == "" {
		return "a unit of another kind"
	}
	return "a " + level
}

// nameAliases are common short names (folded), to the folded name of the
// unit they stand for.
var nameAliases = map[string]string{"hcm": "hochiminh", "hcmc": "hochiminh", "tphcm": "hochiminh", "saigon": "hochiminh"}

// withoutUnitKind returns the leading words of a unit's kind in q and q
// without them ("Tỉnh Lai Châu" → tỉnh, "Lai Châu"; "TP.HCM" → thành
// phố, "HCM"), and whether it had them, with a name after them.
func withoutUnitKind(q string) (unitKind, string, bool) {
	words := strings.Fields(strings.ReplaceAll(q, ".", " "))
	for _, kind := range unitKinds {
		n := 0
		for n < len(kind.words) && n < len(words) && engine.Fold(words[n]) == kind.words[n] {
			n++
		}
		if n == len(kind.words) && n < len(words) {
			return kind, strings.Join(words[n:], " "), true
		}
	}
	return unitKind{}, "", false
}

// FormerByCode returns the unit of an earlier boundary set whose code is
// code (as written, leading zeros and all) and that became a unit of this
// set under another code: a 2019 province merged into a 2025 one.
func (s *BoundarySet) FormerByCode(code string) (Former, bool) {
	fo, ok := s.formerCode[code]
	return fo, ok
}

// formerByCode finds the former unit of code q, also written without its
// leading zeros ("2" for 02, as byPaddedCode reads current codes).
func (s *BoundarySet) formerByCode(q string) (Former, bool) {
	if fo, ok := s.formerCode[q]; ok {
		return fo, true
	}
	if q == "" || strings.Trim(q, "0123456789") != "" {
		return Former{}, false
	}
	for n := len(q) + 1; n <= 5; n++ {
		if fo, ok := s.formerCode[strings.Repeat("0", n-len(q))+q]; ok {
			return fo, true
		}
	}
	return Former{}, false
}

// byPaddedCode finds the unit whose code is q, all digits, with leading
// zeros added ("8" → "08"), when exactly one code length fits.
func (s *BoundarySet) byPaddedCode(q string) (Unit, bool) {
	if q == "" || strings.Trim(q, "0123456789") != "" {
		return Unit{}, false
	}
	var found []Unit
	for width := len(q) + 1; width <= len(q)+4; width++ {
		if u, ok := s.ByCode(strings.Repeat("0", width-len(q)) + q); ok {
			found = append(found, u)
		}
	}
	// And the other way: "01" for a file whose codes are numbers (1),
	// their leading zeros lost (BoundarySet.NumericCodes).
	if t := strings.TrimLeft(q, "0"); t != q && t != "" {
		if u, ok := s.ByCode(t); ok {
			found = append(found, u)
		}
	}
	if len(found) != 1 {
		return Unit{}, false
	}
	return found[0], true
}

// nearest returns up to k units whose folded names are within a small
// edit distance of the folded query (at most 2 edits, or a third of the
// name's length) or contain it or are contained in it ("dien bien phu"
// finds Điện Biên), closest first, ties by code.
func (s *BoundarySet) nearest(folded string, k int) []Unit {
	if folded == "" {
		return nil
	}
	type cand struct{ i, d int }
	var cs []cand
	for i := range s.units {
		name := engine.Fold(s.units[i].Name)
		d := editDistance(folded, name)
		contains := len(folded) >= 4 && len(name) >= 4 && (strings.Contains(name, folded) || strings.Contains(folded, name))
		if d <= 2 || 3*d <= len(name) || contains {
			cs = append(cs, cand{i, d})
		}
	}
	sort.SliceStable(cs, func(a, b int) bool { return cs[a].d < cs[b].d }) // units are sorted by code
	var out []Unit
	for _, c := range cs[:min(k, len(cs))] {
		out = append(out, s.units[c.i])
	}
	return out
}

// editDistance is the optimal-string-alignment distance between a and b
// (bytes): insertions, deletions, substitutions and transpositions of
// neighbours each cost 1.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
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
// error naming the feature index and property. A ring that encloses
// nothing (its points on one line, or one point repeated) is dropped, with
// its polygon when it is the outer ring (withoutFlatRings); so are a hole
// wholly outside its outer ring and a polygon wholly inside another of the
// unit (withoutStrayRings): none of them changes which points the unit
// contains, and a GIS reads each as invalid. The result's Level is the
// one its units' full names say they are all of (levelOfUnits: "commune"
// for the GSO's communes, "province" for its provinces), else empty; its
// Name is left empty for the caller to set.
func LoadBoundaries(r io.Reader, codeProp, nameProp, parentProp string) (*BoundarySet, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("geodata: read boundaries: %w", err)
	}
	// A byte-order mark, as some Windows editors write, is no JSON error.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var fc geojson.FeatureCollection
	if err := json.Unmarshal(data, &fc); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidBoundaries, whereUnreadable(data, err))
	}
	if err := checkCRS(fc.ExtraMembers["crs"]); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidBoundaries, err)
	}
	units := make([]Unit, 0, len(fc.Features))
	seen := make(map[string]int, len(fc.Features))
	var numeric []string
	for i, f := range fc.Features {
		if _, ok := f.Properties[codeProp].(float64); ok {
			numeric = append(numeric, fmt.Sprint(f.Properties[codeProp]))
		}
		code, err := propString(f.Properties, codeProp)
		if err != nil {
			err = missingProp(err, f.Properties)
			return nil, fmt.Errorf("%w: feature %d: property %q: %w", ErrInvalidBoundaries, i, codeProp, err)
		}
		name, err := propString(f.Properties, nameProp)
		if err != nil {
			err = missingProp(err, f.Properties)
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
		if err := CheckLonLat(mp); err != nil {
			return nil, fmt.Errorf("%w: feature %d (code %q): %w", ErrInvalidBoundaries, i, code, err)
		}
		mp = withoutStrayRings(withoutFlatRings(mp))
		full, _ := f.Properties[fullNameProp].(string)
		units = append(units, Unit{Code: code, Name: name, FullName: strings.TrimSpace(full), ParentCode: parent, Geometry: mp})
	}
	set, err := NewBoundarySet("", levelOfUnits(units), units)
	if err != nil {
		return nil, err
	}
	slices.Sort(numeric)
	set.NumericCodes = numeric
	return set, nil
}

// whereUnreadable says where in data, a GeoJSON file that could not be
// decoded (err), the problem lies: the line and column of a JSON syntax
// error, or the feature (its index, and its code when readable) whose
// geometry or members are malformed, as a string where a number belongs
// or a ring given without its brackets. The decoding of the whole file
// named neither, only "cannot unmarshal number into Go value of type
// orb.Point", in a file of 3,321 features.
func whereUnreadable(data []byte, err error) error {
	notFC := func(err error) error { return fmt.Errorf("not a GeoJSON FeatureCollection: %w", err) }
	var top map[string]json.RawMessage
	if e := json.Unmarshal(data, &top); e != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(e, &se) && se.Offset < int64(len(data)):
			line, col := lineColumn(data, se.Offset)
			return notFC(fmt.Errorf("line %d, column %d: %w", line, col, e))
		case errors.As(e, &te):
			line, col := lineColumn(data, te.Offset)
			return notFC(fmt.Errorf("line %d, column %d: %w", line, col, e))
		}
		return notFC(e)
	}
	var feats []json.RawMessage
	if raw, ok := top["features"]; ok {
		if e := json.Unmarshal(raw, &feats); e != nil {
			return notFC(fmt.Errorf("its features are not an array: %w", e))
		}
	}
	for i, raw := range feats {
		if _, e := geojson.UnmarshalFeature(raw); e != nil {
			var f struct {
				Properties map[string]any `json:"properties"`
			}
			what := fmt.Sprintf("feature %d", i)
			if json.Unmarshal(raw, &f) == nil {
				for _, k := range []string{"code", "id", "name"} {
					if v, ok := f.Properties[k]; ok && v != nil {
						what += fmt.Sprintf(" (%s %q)", k, fmt.Sprint(v))
						break
					}
				}
			}
			return fmt.Errorf("%s: not a GeoJSON feature: %w", what, e)
		}
	}
	return notFC(err)
}

// lineColumn returns the line and column (1-based, in bytes) of the byte
// before offset in data, where encoding/json's errors point (their Offset
// counts the bytes read, the offending one included).
func lineColumn(data []byte, offset int64) (int, int) {
	offset = min(max(offset, 1), int64(len(data)))
	before := data[:offset-1]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// withoutFlatRings returns mp without the rings that enclose nothing (every
// point on one line, or one point repeated: the GSO's 2025 communes hold 24,
// outer rings and holes of four copies of one point or of two points) and
// without the polygons whose outer ring is one of them. Such a ring contains
// no point, so nothing located changes, but a GIS reads a polygon holding
// one as invalid ("Too few points in geometry component"), and the unit's
// outline is written out as read (the export's communes_summary). CheckLonLat
// has made sure that some outer ring encloses an area. mp is returned as it
// is when it has no such ring.
func withoutFlatRings(mp orb.MultiPolygon) orb.MultiPolygon {
	flat := false
	for _, p := range mp {
		for _, r := range p {
			flat = flat || collinear(r)
		}
	}
	if !flat {
		return mp
	}
	out := make(orb.MultiPolygon, 0, len(mp))
	for _, p := range mp {
		if collinear(p[0]) {
			continue
		}
		q := make(orb.Polygon, 0, len(p))
		for _, r := range p {
			if !collinear(r) {
				q = append(q, r)
			}
		}
		out = append(out, q)
	}
	return out
}

// fullNameProp is the optional GeoJSON property of a unit's name with its
// kind (Unit.FullName), as the GSO's commune sets name it.
const fullNameProp = "fullName"

// CheckLonLat checks that a (multi)polygon has rings, each of at least
// three points, that its coordinates are longitudes and latitudes in
// degrees (GeoJSON's WGS 84), and that its outer rings enclose some area:
// an empty or flat geometry contains nothing, and one in a projected CRS
// (VN-2000 metres) or with latitude and longitude swapped would place
// nothing in it, silently.
func CheckLonLat(mp orb.MultiPolygon) error {
	if err := checkRings(mp); err != nil {
		return err
	}
	for _, p := range mp {
		if planar.Area(p[0]) != 0 {
			return nil
		}
	}
	for _, p := range mp {
		if !collinear(p[0]) {
			// Its points span an area, but its signed area is zero: the
			// ring crosses itself, its lobes winding opposite ways.
			return fmt.Errorf("a geometry of zero area: its outer ring around (%.5f, %.5f) crosses itself, and its lobes, winding opposite ways, cancel (a bow tie): it contains nothing; fix its vertex order", p[0][0][0], p[0][0][1])
		}
	}
	return errors.New("a geometry of zero area (every outer ring's points on one line or one point): it contains nothing")
}

// collinear reports whether every point of r lies on one line (or is one
// point).
func collinear(r orb.Ring) bool {
	for i := 2; i < len(r); i++ {
		a, b, c := r[0], r[i-1], r[i]
		if (b[0]-a[0])*(c[1]-a[1])-(b[1]-a[1])*(c[0]-a[0]) != 0 {
			return false
		}
	}
	return true
}

// checkRings is CheckLonLat's check of the rings and coordinates.
func checkRings(mp orb.MultiPolygon) error {
	if len(mp) == 0 {
		return errors.New("an empty geometry (no polygon)")
	}
	for _, p := range mp {
		if len(p) == 0 {
			return errors.New("a polygon without rings (empty coordinates)")
		}
		for _, r := range p {
			if len(r) < 3 {
				return fmt.Errorf("a ring of %d points (a ring needs at least 3)", len(r))
			}
			for _, q := range r {
				if !(q[0] >= -180 && q[0] <= 180 && q[1] >= -90 && q[1] <= 90) {
					return fmt.Errorf("coordinate (%g, %g) is not a longitude and latitude in degrees: GeoJSON is WGS 84 (EPSG:4326), longitude first; reproject a file in metres (VN-2000, UTM) first", q[0], q[1])
				}
			}
		}
	}
	return nil
}

// checkCRS refuses a GeoJSON file whose (obsolete, 2008) "crs" member (crs,
// as the collection's decoding keeps it among its foreign members) names
// another CRS than WGS 84 longitude/latitude: its coordinates are not what
// GeoJSON reads. A member that is null or not of the 2008 form says nothing.
func checkCRS(crs any) error {
	c, ok := crs.(map[string]any)
	if !ok {
		return nil
	}
	var name string
	if p := c["properties"]; p != nil {
		props, ok := p.(map[string]any)
		if !ok {
			return nil
		}
		if n := props["name"]; n != nil {
			if name, ok = n.(string); !ok {
				return nil
			}
		}
	}
	for _, ok := range []string{"CRS84", "EPSG::4326", "EPSG:4326"} {
		if strings.Contains(strings.ToUpper(name), strings.ToUpper(ok)) {
			return nil
		}
	}
	return fmt.Errorf("the file's crs is %q: GeoJSON coordinates are WGS 84 longitude/latitude (EPSG:4326); reproject it first (ogr2ogr -t_srs EPSG:4326)", name)
}

// errMissingProp is propString's error for a property the feature lacks.
var errMissingProp = errors.New("missing")

// missingProp returns err, when it is errMissingProp, with the names of the
// properties the feature has (sorted, at most 12): a file of another
// schema (ma_tinh, MA_XA, ADM1_PCODE) names its code otherwise, and the
// flags that choose the property need its name.
func missingProp(err error, p geojson.Properties) error {
	if !errors.Is(err, errMissingProp) {
		return err
	}
	if len(p) == 0 {
		return fmt.Errorf("%w (the feature has no properties)", err)
	}
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, strconv.Quote(k))
	}
	slices.Sort(keys)
	more := ""
	if len(keys) > 12 {
		more = fmt.Sprintf(" and %d more", len(keys)-12)
		keys = keys[:12]
	}
	return fmt.Errorf("%w (the feature's properties: %s%s)", err, strings.Join(keys, ", "), more)
}

// propString reads a non-empty string property; integral numbers are
// accepted and formatted without a decimal point.
func propString(p geojson.Properties, key string) (string, error) {
	v, ok := p[key]
	if !ok {
		return "", errMissingProp
	}
	if v == nil {
		return "", errors.New("null (no value)")
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
