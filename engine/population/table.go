package population

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/lomsong/lomsong/geodata"
)

// ParseError reports a bad value in a table, with its 1-based line and
// column name.
type ParseError struct {
	Line   int
	Column string
	Err    error
}

func (e *ParseError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("population: line %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("population: line %d, column %s: %v", e.Line, e.Column, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// columns maps a table's columns: names in order and their positions.
type columns struct {
	names []string
	pos   map[string]int
}

// readTable reads a CSV whose columns are want (required) then optional
// (in that order when there is no header). A header row is recognised by
// any of its fields being a known column name; aliases maps other
// spellings. It returns the header's columns it did not read (their names
// as written, in order; nil without a header).
func readTable(r io.Reader, want, optional []string, aliases map[string]string, row func(line int, get func(string) (string, bool)) error) (ignored []string, err error) {
	err = readRows(r, want, optional, aliases, &ignored, row)
	return ignored, err
}

// notText refuses a file whose first bytes (head) are not a CSV table's:
// a TIFF raster, a JSON (GeoJSON) document, or binary bytes on the first
// line. Read as CSV, a GeoTIFF's first line was printed back as its
// "columns", binary bytes on the terminal, and a GeoJSON file's "{" was
// said not to be a longitude.
func notText(head []byte) error {
	first := bytes.TrimLeft(head, " \t\r\n\ufeff")
	line := head
	if n := bytes.IndexByte(head, '\n'); n >= 0 {
		line = head[:n]
	}
	switch {
	case bytes.HasPrefix(head, []byte("II*\x00")) || bytes.HasPrefix(head, []byte("MM\x00*")) ||
		bytes.HasPrefix(head, []byte("II+\x00")) || bytes.HasPrefix(head, []byte("MM\x00+")):
		return fmt.Errorf("%w: a TIFF image, not a table: a GeoTIFF raster of people per pixel is read by lomsong population --raster", ErrInvalidInput)
	case len(first) > 0 && (first[0] == '{' || first[0] == '['):
		return fmt.Errorf("%w: a JSON document (GeoJSON?), not a table: population tables are CSV; write points as lon,lat,population (ogr2ogr -f CSV -lco GEOMETRY=AS_XY)", ErrInvalidInput)
	case bytes.IndexByte(line, 0) >= 0 || !utf8.Valid(line[:max(0, len(line)-utf8.UTFMax)]):
		return fmt.Errorf("%w: binary bytes in its first line: not a CSV table", ErrInvalidInput)
	}
	return nil
}

// TableText returns r as the UTF-8 text of a table: UTF-16 with its
// byte-order mark, Excel's "Unicode text" (tab separated), is decoded, as
// ingest reads it. lomsong population's tables and the population table
// the analyses read back (pipeline.ReadPopulationCSV) are read through it.
func TableText(r io.Reader) *bufio.Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, _ := br.Peek(2); bytes.Equal(b, []byte{0xff, 0xfe}) || bytes.Equal(b, []byte{0xfe, 0xff}) {
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		br = bufio.NewReaderSize(transform.NewReader(br, dec), 64<<10)
	}
	return br
}

// NewTableCSV returns a CSV reader (records reused) of br, split at the
// delimiter of its first line — comma, semicolon or tab, as the
// contract's CSV inputs (ingest.SniffDelimiter) — and whether the table's
// decimal mark is the comma: a table separated by semicolons or tabs is
// written where it is (Excel's CSV on a Vietnamese or European Windows:
// "105,85" is 105.85 there; LocaleNumber reads its counts).
func NewTableCSV(br *bufio.Reader) (*csv.Reader, bool) {
	cr := csv.NewReader(br)
	cr.Comma = ingest.SniffDelimiter(br)
	cr.ReuseRecord = true
	return cr, cr.Comma != ','
}

// readRows is readTable's loop, appending the columns not read to *ignored.
func readRows(r io.Reader, want, optional []string, aliases map[string]string, ignored *[]string, row func(line int, get func(string) (string, bool)) error) error {
	br := TableText(r)
	head, _ := br.Peek(512)
	if ingest.Sniff(head) != ingest.FormatCSV {
		return fmt.Errorf("%w: a %s file; population tables are CSV (comma, semicolon or tab separated)", ErrInvalidInput, ingest.Sniff(head))
	}
	if err := notText(head); err != nil {
		return err
	}
	cr, decimalComma := NewTableCSV(br)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var cols *columns
	width := 0 // fields a row may have: the header's, or every column's
	all := append(append([]string(nil), want...), optional...)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidInput, err)
		}
		line, _ := cr.FieldPos(0)
		if cols == nil {
			cols = &columns{pos: map[string]int{}}
			// A header names one of the columns somewhere (a leading id
			// column of the user's does not make it a data row); a data
			// row is numbers and cells.
			isHeader := false
			names := make([]string, len(rec))
			for i, f := range rec {
				name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(f, "\ufeff")))
				if a, ok := aliases[name]; ok {
					name = a
				}
				names[i] = name
				isHeader = isHeader || slices.Contains(all, name)
			}
			if isHeader {
				for i, name := range names {
					if _, seen := cols.pos[name]; !seen && slices.Contains(all, name) {
						cols.pos[name] = i
					} else {
						*ignored = append(*ignored, strings.TrimSpace(strings.TrimPrefix(rec[i], "\ufeff")))
					}
				}
				for _, w := range want {
					if _, ok := cols.pos[w]; !ok {
						return &ParseError{Line: line, Column: w, Err: errors.New("missing from the header")}
					}
				}
				width = len(rec)
				continue
			}
			for i, n := range all {
				cols.pos[n] = i
			}
			width = len(all)
			if len(rec) > width {
				// More fields than columns on the first line: most
				// likely a header naming none of them.
				fields := strings.Join(rec[:min(len(rec), 6)], ", ")
				if len(rec) > 6 {
					fields += ", …"
				}
				return &ParseError{Line: line, Err: fmt.Errorf("%w: the first line (%s) names none of this table's columns (%s), and as a row of data it has %d fields where the table has %d: name the columns in a header, or give a file of this kind (or, if it is data, is there a decimal comma in an unquoted number?)",
					ErrInvalidInput, fields, strings.Join(all, ", "), len(rec), width)}
			}
		}
		if len(rec) > width {
			// Read from its first fields, the row would be another place
			// (103,25,22,4,1500 — decimal commas unquoted — read as lon
			// 103, lat 25, population 22).
			return &ParseError{Line: line, Err: fmt.Errorf("%w: %d fields where the header has %d (a decimal comma in an unquoted number? quote the field or use a point)",
				ErrInvalidInput, len(rec), width)}
		}
		get := func(name string) (string, bool) {
			i, ok := cols.pos[name]
			if !ok || i >= len(rec) {
				return "", false
			}
			v, _ := LocaleNumber(strings.TrimSpace(rec[i]), decimalComma)
			return v, true
		}
		if decimalComma {
			for _, name := range []string{"population", "households"} {
				if i, ok := cols.pos[name]; ok && i < len(rec) {
					if _, err := LocaleNumber(strings.TrimSpace(rec[i]), true); err != nil {
						return &ParseError{Line: line, Column: name, Err: err}
					}
				}
			}
		}
		if err := row(line, get); err != nil {
			return err
		}
	}
}

// decimalCommaRE matches a number written with a decimal comma, and
// thousandsPointRE one that may be grouped by points (1.200, 12.345.678).
var (
	decimalCommaRE   = regexp.MustCompile(`^[+-]?[0-9]+,[0-9]+$`)
	thousandsPointRE = regexp.MustCompile(`^[+-]?[0-9]{1,3}(\.[0-9]{3})+$`)
)

// LocaleNumber reads a count of a table whose fields may be written as a
// Vietnamese or European Excel writes them (decimalComma: the table is
// semicolon- or tab-separated, the comma its decimal mark): "1000,5" is
// 1000.5. There a point may group thousands, so "1.200" is refused as
// ambiguous (1.2 or 1200) — it was read as 1.2 people — naming both
// readings; "1200", "1200,5" and "1.5" are read. Without decimalComma the
// value is returned as it is.
func LocaleNumber(v string, decimalComma bool) (string, error) {
	if !decimalComma {
		return v, nil
	}
	if decimalCommaRE.MatchString(v) {
		return strings.Replace(v, ",", ".", 1), nil
	}
	if thousandsPointRE.MatchString(v) {
		return v, fmt.Errorf("%w: %q may group thousands with a point (%s) or mark decimals with it, in a table whose decimal mark is the comma: write %s without grouping, or the decimals after a comma",
			ErrInvalidInput, v, strings.ReplaceAll(v, ".", ""), strings.ReplaceAll(v, ".", ""))
	}
	return v, nil
}

// commaHint says why a number with a comma in a comma-separated table is
// not read; "" for one without.
func commaHint(s string) string {
	if !strings.Contains(s, ",") {
		return ""
	}
	return " (a decimal comma, or a thousands separator? in a comma-separated table write numbers with a point and no grouping; a semicolon- or tab-separated table may give a decimal comma)"
}

func parseCount(line int, col, s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, &ParseError{Line: line, Column: col, Err: fmt.Errorf("%q is not a non-negative number%s", s, commaHint(s))}
	}
	if v > MaxCount {
		return 0, &ParseError{Line: line, Column: col, Err: fmt.Errorf("%v is above %g: no place holds that many", v, float64(MaxCount))}
	}
	return v, nil
}

// householdsFit refuses a row of more households than people: a
// household holds at least one person, so the row's counts contradict
// each other (swapped columns, or a count of another place).
func householdsFit(line int, households, population float64) error {
	if households > population {
		return &ParseError{Line: line, Column: "households", Err: fmt.Errorf("%v households for %v people: a household holds at least one person", households, population)}
	}
	return nil
}

// MaxCount is the largest population or household count one row may
// give: 10⁹, about India's or China's population. Above it a value is a
// wrong unit or a corrupt number, not a place (summing such values would
// overflow to +Inf).
const MaxCount = 1e9

// ReadH3Table reads an H3 table: h3,population[,households]. The header
// row is optional (Kontur files have none; without a header the columns
// are in that order); "h3_index" and "cell" (the column of the table
// lomsong population writes, read back whole: its other columns ignored)
// are accepted for "h3". Repeated cells are summed (a table may split a
// cell's people over rows, by age or sex) and counted in H3Table.Repeats,
// for the caller to say so: a repeat is as often a row given twice. A
// cell of another resolution than the first row's is a *ParseError naming
// both rows. The cells are sorted.
func ReadH3Table(r io.Reader) (H3Table, error) {
	var t H3Table
	pop := map[hexgrid.Cell]float64{}
	hh := map[hexgrid.Cell]float64{}
	lines := map[hexgrid.Cell]int{}
	var first struct {
		cell hexgrid.Cell
		line int
	}
	var given allOrNone
	var err error
	t.Ignored, err = readTable(r, []string{"h3", "population"}, []string{"households"}, map[string]string{"h3_index": "h3", "h3index": "h3", "cell": "h3"},
		func(line int, get func(string) (string, bool)) error {
			s, _ := get("h3")
			c, err := hexgrid.Parse(s)
			if err != nil {
				return &ParseError{Line: line, Column: "h3", Err: err}
			}
			// One resolution per table: whether it is split or summed
			// is decided for the whole table.
			if first.line == 0 {
				first.cell, first.line = c, line
			} else if r, r0 := c.Resolution(), first.cell.Resolution(); r != r0 {
				return &ParseError{Line: line, Column: "h3", Err: fmt.Errorf("cell %v is of resolution %d, the table's first (%v, line %d) of %d: give one resolution per table", c, r, first.cell, first.line, r0)}
			}
			ps, ok := get("population")
			if !ok {
				return &ParseError{Line: line, Column: "population", Err: errors.New("missing")}
			}
			p, err := parseCount(line, "population", ps)
			if err != nil {
				return err
			}
			if first, ok := lines[c]; ok {
				if t.Repeats == 0 {
					t.FirstRepeat = Repeat{Cell: c, Line: line, Earlier: first}
				}
				t.Repeats++
			} else {
				lines[c] = line
			}
			pop[c] += p
			hs, ok := get("households")
			if err := given.check(line, ok && hs != ""); err != nil {
				return err
			}
			if ok && hs != "" {
				h, err := parseCount(line, "households", hs)
				if err != nil {
					return err
				}
				if err := householdsFit(line, h, p); err != nil {
					return err
				}
				hh[c] += h
				t.HasHouseholds = true
			}
			return nil
		})
	if err != nil {
		return H3Table{}, err
	}
	t.Cells = fromSums(pop, hh)
	return t, nil
}

// H3Table is what ReadH3Table read.
type H3Table struct {
	Cells         []Cell // one per cell, sorted; a repeated cell's rows summed
	HasHouseholds bool   // the table had a households column
	Repeats       int    // rows whose cell an earlier row gave
	FirstRepeat   Repeat // the first of them (when Repeats > 0)
	// Ignored are the header's columns not read (as written, in order).
	Ignored []string
}

// Repeat is a row of an H3 table whose cell an earlier row gave.
type Repeat struct {
	Cell    hexgrid.Cell
	Line    int // the repeating row's line
	Earlier int // the line of the cell's first row
}

// Points is a columnar point table; Households is nil when the input had
// no households column.
type Points struct {
	Lon, Lat, Population, Households []float64
	// Ignored are the header's columns not read (as written, in order).
	Ignored []string
}

// Len returns the number of points.
func (p *Points) Len() int { return len(p.Lon) }

// ReadPoints reads a point table lon,lat,population[,households]. The
// header row is optional (without one, columns are in that order).
func ReadPoints(r io.Reader) (*Points, error) {
	p := &Points{}
	var given allOrNone
	var err error
	p.Ignored, err = readTable(r, []string{"lon", "lat", "population"}, []string{"households"}, map[string]string{"lng": "lon", "longitude": "lon", "latitude": "lat"},
		func(line int, get func(string) (string, bool)) error {
			var v [3]float64
			for i, col := range []string{"lon", "lat", "population"} {
				s, ok := get(col)
				if !ok {
					return &ParseError{Line: line, Column: col, Err: errors.New("missing")}
				}
				x, err := strconv.ParseFloat(s, 64)
				if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
					return &ParseError{Line: line, Column: col, Err: fmt.Errorf("%q is not a number%s", s, commaHint(s))}
				}
				v[i] = x
			}
			if v[0] < -180 || v[0] > 180 {
				return &ParseError{Line: line, Column: "lon", Err: fmt.Errorf("%v outside -180..180", v[0])}
			}
			if v[1] < -90 || v[1] > 90 {
				err := fmt.Errorf("%v outside -90..90", v[1])
				if geodata.NearVietNam(v[1], v[0]) {
					// As ingest names it: a point of Viet Nam with its
					// columns swapped always lands here (every point of the
					// country lies east of 90°E).
					err = fmt.Errorf("%v outside -90..90; lon and lat swapped? (%v, %v) as latitude, longitude is in Viet Nam: check which column is which", v[1], v[0], v[1])
				}
				return &ParseError{Line: line, Column: "lat", Err: err}
			}
			if v[0] == 0 && v[1] == 0 {
				// As the data contract refuses it for measurements and
				// villages: the usual mark of a missing GPS fix.
				return &ParseError{Line: line, Column: "lon", Err: errors.New("0,0 is the usual mark of a missing position")}
			}
			if v[2] < 0 {
				return &ParseError{Line: line, Column: "population", Err: fmt.Errorf("%v is negative", v[2])}
			}
			if v[2] > MaxCount {
				return &ParseError{Line: line, Column: "population", Err: fmt.Errorf("%v is above %g: no place holds that many", v[2], float64(MaxCount))}
			}
			hs, ok := get("households")
			has := ok && hs != ""
			if err := given.check(line, has); err != nil {
				return err
			}
			p.Lon = append(p.Lon, v[0])
			p.Lat = append(p.Lat, v[1])
			p.Population = append(p.Population, v[2])
			if has {
				h, err := parseCount(line, "households", hs)
				if err != nil {
					return err
				}
				if err := householdsFit(line, h, v[2]); err != nil {
					return err
				}
				p.Households = append(p.Households, h)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// FromPoints sums the points' population (and households, if given) into
// the cells at res containing them.
func FromPoints(p *Points, res int) ([]Cell, error) {
	n := p.Len()
	if len(p.Lat) != n || len(p.Population) != n || (p.Households != nil && len(p.Households) != n) {
		return nil, fmt.Errorf("%w: point columns of different lengths", ErrInvalidInput)
	}
	pop := map[hexgrid.Cell]float64{}
	hh := map[hexgrid.Cell]float64{}
	idx := make([]hexgrid.Cell, min(n, batch))
	for s := 0; s < n; s += batch {
		e := min(n, s+batch)
		if err := hexgrid.IndexInto(idx[:e-s], p.Lon[s:e], p.Lat[s:e], res); err != nil {
			return nil, err
		}
		for i, c := range idx[:e-s] {
			if c == 0 {
				return nil, fmt.Errorf("%w: point %d (lon=%v lat=%v) could not be indexed", ErrInvalidInput, s+i, p.Lon[s+i], p.Lat[s+i])
			}
			pop[c] += p.Population[s+i]
			if p.Households != nil {
				hh[c] += p.Households[s+i]
			}
		}
	}
	return fromSums(pop, hh), nil
}

// allOrNone checks that a table gives households on every row or on none:
// a row without them amid rows with them would otherwise count 0
// households (or, in a points table, misalign the column), where the
// reader derives them from the census household size only for a table
// with none.
type allOrNone struct{ seen, given bool }

func (a *allOrNone) check(line int, given bool) error {
	if !a.seen {
		a.seen, a.given = true, given
		return nil
	}
	if given != a.given {
		return &ParseError{Line: line, Column: "households", Err: errors.New("given on some rows only")}
	}
	return nil
}
