package ingest

import (
	"slices"
	"strings"
)

// A rejected row's text is kept in the quarantine for correction, but a
// device_id that is a phone number or an IMEI (personalID) is not kept
// there either: it is left out of the text as it is left out of the
// stored rows (an empty field), and the detail says so. The functions
// below do it for the three kinds of row text the quarantine holds.

// withheldNote is appended to the detail of a rejected row whose text had
// an identifier left out.
func withheldNote(what string) string {
	return "; device_id withheld from this text (" + what + ")"
}

// joinRow writes fields as one record of a delimited file with the
// delimiter sep: a field holding sep, a quote or a line end quoted, its
// quotes doubled (RFC 4180). Read back with that delimiter it gives the
// same fields, so a rejected row's text can be corrected and sent again;
// the file's own quoting of fields that need none is not kept.
func joinRow(fields []string, sep byte) string {
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(sep)
		}
		if !strings.ContainsAny(f, string(rune(sep))+"\"\r\n") {
			b.WriteString(f)
			continue
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(f, `"`, `""`))
		b.WriteByte('"')
	}
	return b.String()
}

// withholdField returns fields joined as one record with the delimiter
// sep (joinRow), the field at index i empty when it is a personal
// identifier, and what it was ("" when nothing was left out). For a row
// split into the header's fields, where i is the device_id column.
func withholdField(fields []string, i int, sep byte) (string, string) {
	if i < 0 || i >= len(fields) {
		return joinRow(fields, sep), ""
	}
	what := personalID(strings.TrimSpace(fields[i]))
	if what == "" {
		return joinRow(fields, sep), ""
	}
	f := slices.Clone(fields)
	f[i] = ""
	return joinRow(f, sep), what
}

// withholdFields returns fields joined as one record with the delimiter
// sep (joinRow), every field that is a personal identifier empty: for a
// row of another field count than the header's, whose device_id may be
// in any field.
func withholdFields(fields []string, sep byte) (string, string) {
	var f []string
	what := ""
	for i, v := range fields {
		if w := personalID(strings.TrimSpace(v)); w != "" {
			if f == nil {
				f = slices.Clone(fields)
			}
			f[i], what = "", w
		}
	}
	if f == nil {
		return joinRow(fields, sep), ""
	}
	return joinRow(f, sep), what
}

// withholdText returns a line that could not be split into fields with
// every run that is a personal identifier left out: a run of digits and
// the separators a number is written with (+ - . ( ) and spaces), with an
// "IMEI"/"IMEISV" label before it and a "/SV" suffix after it.
func withholdText(s string) (string, string) {
	isNum := func(c byte) bool {
		return c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.' || c == '(' || c == ')' || c == ' '
	}
	var b strings.Builder
	what, last := "", 0
	for i := 0; i < len(s); {
		if !isNum(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isNum(s[j]) {
			j++
		}
		start, end := i, j
		if end < len(s) && s[end] == '/' { // an IMEISV's "/01"
			k := end + 1
			for k < len(s) && s[k] >= '0' && s[k] <= '9' {
				k++
			}
			if k > end+1 {
				end = k
			}
		}
		// An "IMEI" or "IMEISV" label and its separator before the run.
		k := start
		for k > last && (s[k-1] == ':' || s[k-1] == '#' || s[k-1] == '=' || s[k-1] == ' ') {
			k--
		}
		for _, label := range []string{"imeisv", "imei"} {
			if k-len(label) >= last && strings.EqualFold(s[k-len(label):k], label) {
				start = k - len(label)
				break
			}
		}
		if w := personalID(strings.TrimSpace(s[start:end])); w != "" {
			// Spaces around the identifier stay: they belong to the text.
			lead := len(s[start:end]) - len(strings.TrimLeft(s[start:end], " "))
			trail := len(s[start:end]) - len(strings.TrimRight(s[start:end], " "))
			b.WriteString(s[last : start+lead])
			last, what = end-trail, w
		}
		i = max(j, end)
	}
	if what == "" {
		return s, ""
	}
	b.WriteString(s[last:])
	return b.String(), what
}
