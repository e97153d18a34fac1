// Package plural writes a count with its noun, in the singular for one
// and in the plural for any other count ("1 row", "0 rows", "2 rows"), so
// that every message and report lomsong prints agrees with its numbers.
//
// The caller gives both forms: English plurals are not all noun+"s"
// ("hex", "hexes"), and a verb may agree too ("village is", "villages
// are").
package plural

import "strconv"

// Integer is a count Count and Noun take.
type Integer interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64
}

// Count returns n in decimal, a space and its noun: one when n is 1, many
// otherwise ("1 row", "12 rows").
func Count[N Integer](n N, one, many string) string {
	return strconv.FormatInt(int64(n), 10) + " " + Noun(n, one, many)
}

// Noun returns one when n is 1 and many otherwise, for a count written
// apart from its noun (grouped digits, a table cell).
func Noun[N Integer](n N, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Grouped returns n in decimal with a comma between each group of three
// digits ("5,549", "-1,234,567"), as the report and the scorecard's
// reasons write counts people read.
func Grouped[N Integer](n N) string {
	d := strconv.FormatInt(int64(n), 10)
	sign := ""
	if d[0] == '-' {
		sign, d = "-", d[1:]
	}
	var b []byte
	for i := range len(d) {
		if i > 0 && (len(d)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, d[i])
	}
	return sign + string(b)
}

// CountGrouped is Count with n's digits grouped ("5,549 tests").
func CountGrouped[N Integer](n N, one, many string) string {
	return Grouped(n) + " " + Noun(n, one, many)
}
