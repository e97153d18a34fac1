package ingest

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// headerKey is a column name as a header line repeated mid-file is
// compared with the file's header: without the byte-order mark of a file
// joined after the first (copy /b a.csv+b.csv), zero-width spaces and the
// spaces around it, runs of white space (a no-break space, a line break
// in a quoted name) as one space, in Unicode normal form C (macOS and
// some exporters write names decomposed), and in lower case.
func headerKey(s string) string {
	s = strings.ReplaceAll(cleanHeader(strings.ReplaceAll(s, "\ufeff", "")), "\u200b", "")
	return strings.ToLower(norm.NFC.String(strings.Join(strings.Fields(s), " ")))
}

// headerOrder reports whether a row's fields are the header's names
// (compared by headerKey), in its order or in another: a header line
// again, as in files joined each with its header. When they are in
// another order (one export's columns arranged otherwise than the
// other's), order gives, for each column of the header, the position of
// its name in the row — the rows after such a line are in its order, and
// read in the header's through order. A name the header repeats is
// matched occurrence by occurrence. order is nil when the row repeats the
// header in its own order.
func headerOrder(fields, header []string) (order []int, ok bool) {
	if len(fields) != len(header) || len(fields) == 0 {
		return nil, false
	}
	same := true
	at := make(map[string][]int, len(fields))
	for i, f := range fields {
		k := headerKey(f)
		at[k] = append(at[k], i)
		if k != headerKey(header[i]) {
			same = false
		}
	}
	if same {
		return nil, true
	}
	order = make([]int, len(header))
	for i, h := range header {
		k := headerKey(h)
		pos := at[k]
		if len(pos) == 0 {
			return nil, false
		}
		order[i], at[k] = pos[0], pos[1:]
	}
	return order, true
}

// headerLines tells the header lines among a file's rows (headerOrder)
// at little cost for the others: a row is compared whole only when its
// first field's first byte can start one of the header's names and that
// field is one of them.
type headerLines struct {
	header []string
	keys   map[string]bool
	lead   [256]bool
}

func newHeaderLines(header []string) *headerLines {
	h := &headerLines{header: header, keys: make(map[string]bool, len(header))}
	for _, name := range header {
		k := headerKey(name)
		h.keys[k] = true
		if k == "" {
			continue
		}
		// The first letter as the key has it (lower case, NFC), in upper
		// case, and its base letter as NFD writes it, in either case.
		r, _ := utf8.DecodeRuneInString(k)
		base, _ := utf8.DecodeRuneInString(norm.NFD.String(string(r)))
		for _, c := range []rune{r, unicode.ToUpper(r), base, unicode.ToUpper(base)} {
			h.lead[string(c)[0]] = true
		}
	}
	return h
}

// order is headerOrder of the row against the file's header.
func (h *headerLines) order(fields []string) ([]int, bool) {
	if len(fields) != len(h.header) || len(fields) == 0 {
		return nil, false
	}
	f := strings.TrimLeft(fields[0], " \t\u00a0\ufeff\u200b")
	if f == "" {
		if !h.keys[""] {
			return nil, false
		}
	} else if !h.lead[f[0]] || !h.keys[headerKey(f)] {
		return nil, false
	}
	return headerOrder(fields, h.header)
}

// reordered returns a row of a header block in another order (order, of
// headerOrder) in the header's order.
func reordered(fields []string, order []int) []string {
	out := make([]string, len(order))
	for i, j := range order {
		out[i] = fields[j]
	}
	return out
}

// movedColumns names the header's columns that a header line in another
// order puts elsewhere, the first few.
func movedColumns(header []string, order []int) string {
	var moved []string
	for i, j := range order {
		if i != j {
			moved = append(moved, cleanHeader(strings.ReplaceAll(header[i], "\ufeff", "")))
		}
	}
	return strings.Join(firstNames(moved, 6), ", ")
}

// otherHeader reports whether a row that did not read as one of kind is
// a header line of another layout: at least half its fields, and two,
// hold text, none of them a number, and the names of two of the
// contract's columns of kind or more are among them as SuggestMapping
// finds columns by name (contract names, accents and case aside, the
// synonyms of common tools). A row of data has numbers (positions,
// codes, counts); only the rows refused are asked.
func otherHeader(kind Kind, fields []string) bool {
	text := 0
	for _, f := range fields {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if _, err := strconv.ParseFloat(strings.Replace(f, ",", ".", 1), 64); err == nil {
			return false
		}
		text++
	}
	if text < 2 || 2*text < len(fields) {
		return false
	}
	m, _ := SuggestMapping(kind, fields)
	return m != nil && len(m.Columns) >= 2
}
