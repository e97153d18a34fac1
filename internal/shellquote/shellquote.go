// Package shellquote quotes a path for the advice messages print ("run
// lomsong dataset repair DIR"), so that the command can be pasted into a
// POSIX shell as it is: a directory with a space or Vietnamese letters
// ("bộ dữ liệu") is one argument.
package shellquote

import "strings"

// Quote returns s as is when it holds only characters no shell treats
// specially (ASCII letters, digits and -_./=:@+,), else single-quoted,
// each ' written '\”. The empty string is ”.
func Quote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:@+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
