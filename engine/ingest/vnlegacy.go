package ingest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// The legacy Vietnamese encodings of provincial offices' files, read when
// a mapping declares them ("encoding"). Neither is in golang.org/x/text.
//
// TCVN3 ("ABC", the .VnTime fonts) is the VN3 subset of TCVN 5712:1993: one
// byte per letter, ASCII below 0x80. Its table, tcvn3High, is the standard's
// as glibc publishes it (the TCVN5712-1 charmap, `iconv -f TCVN5712-1`),
// for 0x80–0xFF; bytes below 0x80 are ASCII, as in the ABC fonts (VN1's
// capitals with tones in C0 control positions are not read: a control byte
// in a CSV file is no letter). 0xB0–0xB4 are combining tone marks, composed
// with the letter before them (NFC).
//
// VNI-Windows (the VNI-Times fonts) writes a letter with its marks as the
// base letter followed by a byte for the marks ("Vie\xe4t" is "Việt"), and
// đ, ơ, ư, ĩ, ỉ, ị, ỵ, ì, í as single bytes. Its table is the one the VNI
// converters publish (duydev/vietnamese-conversion, charsets.ts, read as
// Windows-1252 bytes): vniSingle and vniMarks below. A byte that is neither
// a letter of the table nor a mark after a letter that takes it is no VNI
// text: it is passed through as it is (not UTF-8), so the row it is in is
// rejected as invalid_utf8, naming it, never stored as other letters.
const (
	EncodingTCVN3 = "tcvn3"
	EncodingVNI   = "vni"
)

// canonicalEncoding returns a mapping's encoding as CSVOptions takes it:
// lower case, "abc" as EncodingTCVN3 and "vni-windows" as EncodingVNI;
// another name as it is (lower case), for the mapping to refuse.
func canonicalEncoding(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "abc", "tcvn-3":
		return EncodingTCVN3
	case "vni-windows", "vni windows":
		return EncodingVNI
	}
	return s
}

// tcvn3High maps bytes 0x80–0xFF of TCVN3 to their runes.
var tcvn3High = [128]rune{
	// 0x80
	0x00c0, 0x1ea2, 0x00c3, 0x00c1, 0x1ea0, 0x1eb6, 0x1eac, 0x00c8,
	0x1eba, 0x1ebc, 0x00c9, 0x1eb8, 0x1ec6, 0x00cc, 0x1ec8, 0x0128,
	// 0x90
	0x00cd, 0x1eca, 0x00d2, 0x1ece, 0x00d5, 0x00d3, 0x1ecc, 0x1ed8,
	0x1edc, 0x1ede, 0x1ee0, 0x1eda, 0x1ee2, 0x00d9, 0x1ee6, 0x0168,
	// 0xA0
	0x00a0, 0x0102, 0x00c2, 0x00ca, 0x00d4, 0x01a0, 0x01af, 0x0110,
	0x0103, 0x00e2, 0x00ea, 0x00f4, 0x01a1, 0x01b0, 0x0111, 0x1eb0,
	// 0xB0
	0x0300, 0x0309, 0x0303, 0x0301, 0x0323, 0x00e0, 0x1ea3, 0x00e3,
	0x00e1, 0x1ea1, 0x1eb2, 0x1eb1, 0x1eb3, 0x1eb5, 0x1eaf, 0x1eb4,
	// 0xC0
	0x1eae, 0x1ea6, 0x1ea8, 0x1eaa, 0x1ea4, 0x1ec0, 0x1eb7, 0x1ea7,
	0x1ea9, 0x1eab, 0x1ea5, 0x1ead, 0x00e8, 0x1ec2, 0x1ebb, 0x1ebd,
	// 0xD0
	0x00e9, 0x1eb9, 0x1ec1, 0x1ec3, 0x1ec5, 0x1ebf, 0x1ec7, 0x00ec,
	0x1ec9, 0x1ec4, 0x1ebe, 0x1ed2, 0x0129, 0x00ed, 0x1ecb, 0x00f2,
	// 0xE0
	0x1ed4, 0x1ecf, 0x00f5, 0x00f3, 0x1ecd, 0x1ed3, 0x1ed5, 0x1ed7,
	0x1ed1, 0x1ed9, 0x1edd, 0x1edf, 0x1ee1, 0x1edb, 0x1ee3, 0x00f9,
	// 0xF0
	0x1ed6, 0x1ee7, 0x0169, 0x00fa, 0x1ee5, 0x1eeb, 0x1eed, 0x1eef,
	0x1ee9, 0x1ef1, 0x1ef3, 0x1ef7, 0x1ef9, 0x00fd, 0x1ef5, 0x1ed0,
}

// vniSingle maps VNI's one-byte letters to their runes.
var vniSingle = map[byte]rune{
	0xf1: 'đ', 0xd1: 'Đ', 0xf4: 'ơ', 0xd4: 'Ơ', 0xf6: 'ư', 0xd6: 'Ư',
	0xf3: 'ĩ', 0xd3: 'Ĩ', 0xe6: 'ỉ', 0xc6: 'Ỉ', 0xf2: 'ị', 0xd2: 'Ị',
	0xee: 'ỵ', 0xce: 'Ỵ', 0xec: 'ì', 0xcc: 'Ì', 0xed: 'í', 0xcd: 'Í',
}

// vniMark is a VNI mark byte: the combining marks it adds and the base
// letters that take it (lower case; its upper-case byte follows an
// upper-case letter).
type vniMark struct {
	lower, upper byte
	marks        string
	bases        string
}

const (
	vniTonedBases = "aeouyơư" // take a tone
	vniHatBases   = "aeo"     // take a circumflex
	vniBreveBases = "a"       // take a breve
)

var vniMarks = []vniMark{
	{0xf8, 0xd8, "\u0300", vniTonedBases}, // ø Ø: huyền
	{0xf9, 0xd9, "\u0301", vniTonedBases}, // ù Ù: sắc
	{0xfb, 0xdb, "\u0309", vniTonedBases}, // û Û: hỏi
	{0xf5, 0xd5, "\u0303", vniTonedBases}, // õ Õ: ngã
	{0xef, 0xcf, "\u0323", "aeouơư"},      // ï Ï: nặng (ỵ is a letter of its own)
	{0xe2, 0xc2, "\u0302", vniHatBases},   // â Â: circumflex
	{0xe1, 0xc1, "\u0302\u0301", vniHatBases},
	{0xe0, 0xc0, "\u0302\u0300", vniHatBases},
	{0xe5, 0xc5, "\u0302\u0309", vniHatBases},
	{0xe3, 0xc3, "\u0302\u0303", vniHatBases},
	{0xe4, 0xc4, "\u0302\u0323", vniHatBases},
	{0xea, 0xca, "\u0306", vniBreveBases}, // ê Ê: breve
	{0xe9, 0xc9, "\u0306\u0301", vniBreveBases},
	{0xe8, 0xc8, "\u0306\u0300", vniBreveBases},
	{0xfa, 0xda, "\u0306\u0309", vniBreveBases},
	{0xfc, 0xdc, "\u0306\u0303", vniBreveBases},
	{0xeb, 0xcb, "\u0306\u0323", vniBreveBases},
}

// vniBase is a VNI base letter as bytes: ASCII, or ơ/ư as VNI writes them.
func vniBaseByte(r rune) byte {
	switch r {
	case 'ơ':
		return 0xf4
	case 'Ơ':
		return 0xd4
	case 'ư':
		return 0xf6
	case 'Ư':
		return 0xd6
	}
	return byte(r)
}

// vniPairs maps a VNI base byte and its mark byte to the composed letter.
var vniPairs = func() map[[2]byte]rune {
	pairs := map[[2]byte]rune{}
	for _, m := range vniMarks {
		for _, b := range m.bases {
			for _, up := range []bool{false, true} {
				base, mark := b, m.lower
				if up {
					base, mark = unicode.ToUpper(b), m.upper
				}
				s := norm.NFC.String(string(base) + m.marks)
				r, n := utf8.DecodeRuneInString(s)
				if n != len(s) {
					panic("ingest: VNI pair " + s + " does not compose into one letter") // programmer error in the table
				}
				pairs[[2]byte{vniBaseByte(base), mark}] = r
			}
		}
	}
	return pairs
}()

// vniBases holds the bytes a VNI mark may follow.
var vniBases = func() [256]bool {
	var bs [256]bool
	for k := range vniPairs {
		bs[k[0]] = true
	}
	return bs
}()

// tcvn3Decoder decodes TCVN3 bytes into UTF-8.
type tcvn3Decoder struct{ transform.NopResetter }

func (tcvn3Decoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		c := src[nSrc]
		if c < utf8.RuneSelf {
			if nDst >= len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = c
			nDst++
			nSrc++
			continue
		}
		r := tcvn3High[c-0x80]
		if nDst+utf8.RuneLen(r) > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += utf8.EncodeRune(dst[nDst:], r)
		nSrc++
	}
	return nDst, nSrc, nil
}

// vniDecoder decodes VNI-Windows bytes into UTF-8; a byte outside its
// table is passed through as it is (invalid UTF-8, rejected by the rows'
// check).
type vniDecoder struct{ transform.NopResetter }

func (vniDecoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		c := src[nSrc]
		if vniBases[c] {
			if nSrc+1 >= len(src) && !atEOF {
				return nDst, nSrc, transform.ErrShortSrc // its mark may be in the next buffer
			}
			if nSrc+1 < len(src) {
				if r, ok := vniPairs[[2]byte{c, src[nSrc+1]}]; ok {
					if nDst+utf8.RuneLen(r) > len(dst) {
						return nDst, nSrc, transform.ErrShortDst
					}
					nDst += utf8.EncodeRune(dst[nDst:], r)
					nSrc += 2
					continue
				}
			}
		}
		r, ok := vniSingle[c]
		switch {
		case c < utf8.RuneSelf:
			r = rune(c)
		case !ok:
			// Not VNI: kept as the byte it is.
			if nDst >= len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = c
			nDst++
			nSrc++
			continue
		}
		if nDst+utf8.RuneLen(r) > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += utf8.EncodeRune(dst[nDst:], r)
		nSrc++
	}
	return nDst, nSrc, nil
}

// legacyDecoder returns the decoder of a legacy encoding a mapping may
// declare (EncodingWindows1258, EncodingTCVN3, EncodingVNI), its output
// UTF-8 in normal form C; ok is false for another name.
func legacyDecoder(encoding string) (t transform.Transformer, ok bool) {
	switch encoding {
	case EncodingWindows1258:
		// Windows-1258 writes most Vietnamese tones as combining marks
		// after the letter: composed (NFC) as the contract's names are.
		return transform.Chain(charmap.Windows1258.NewDecoder(), norm.NFC), true
	case EncodingTCVN3:
		return transform.Chain(tcvn3Decoder{}, norm.NFC), true
	case EncodingVNI:
		// Its letters are composed already; a byte it passes through is
		// not UTF-8, which NFC would not keep as it is.
		return vniDecoder{}, true
	}
	return nil, false
}

// DecodeLegacy returns b read in a legacy encoding (EncodingWindows1258,
// EncodingTCVN3 or EncodingVNI), in UTF-8 NFC; ok is false when a byte of
// it is not a letter of that encoding (VNI) or the name is not one.
func DecodeLegacy(b []byte, encoding string) (s string, ok bool) {
	t, ok := legacyDecoder(encoding)
	if !ok {
		return "", false
	}
	out, _, err := transform.Bytes(t, b)
	if err != nil || !utf8.Valid(out) {
		return "", false
	}
	return string(out), true
}

// LegacyEncodingName describes a legacy encoding a mapping may give, for
// messages.
func LegacyEncodingName(encoding string) string {
	switch encoding {
	case EncodingWindows1258:
		return "Windows-1258 (Excel's CSV on a Vietnamese Windows)"
	case EncodingTCVN3:
		return "TCVN3 (ABC, the .VnTime fonts)"
	case EncodingVNI:
		return "VNI-Windows (the VNI-Times fonts)"
	}
	return encoding
}

// GuessLegacy tells which legacy Vietnamese encoding text that is not
// UTF-8 reads as: EncodingWindows1258, EncodingTCVN3 or EncodingVNI, with
// the text so read; "" when it reads as Vietnamese in none of them. It is
// a guess for a message or a suggested mapping, never applied unasked:
// the same bytes can be two encodings' words ("Ho\xe0ng" is Hoàng in
// Windows-1258 and Hồng in VNI), so each reading is scored by what
// Vietnamese text never holds — letters of other languages (ø, ä, µ, ©),
// two tones in one word, a vowel followed by itself with a mark ("aâ") —
// and the reading with the fewest wins, a tie going to Windows-1258, then
// VNI. The more text it is given (a header, a sample of rows), the
// surer.
func GuessLegacy(b []byte) (encoding, text string) {
	best, bestScore := "", -1
	for _, enc := range []string{EncodingWindows1258, EncodingVNI, EncodingTCVN3} {
		s, ok := DecodeLegacy(b, enc)
		if !ok {
			continue
		}
		score := notVietnamese(s)
		if score < 0 {
			continue
		}
		if bestScore < 0 || score < bestScore {
			best, bestScore, text = enc, score, s
		}
	}
	return best, text
}

// notVietnamese scores s by what Vietnamese text does not hold: 4 per
// letter or sign of another language, 1 per word with two tones or a
// vowel doubled with a mark; -1 when it holds no letter beyond ASCII (no
// evidence either way).
func notVietnamese(s string) int {
	score, beyond := 0, false
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) }) {
		tones, prev := 0, rune(0)
		for _, r := range w {
			if r < utf8.RuneSelf {
				prev = r
				continue
			}
			beyond = true
			base, tone, ok := vietnameseLetter(r)
			if !ok {
				score += 4
				prev = r
				continue
			}
			if tone {
				tones++
			}
			if base == unicode.ToLower(prev) && base != 'o' {
				score++ // "aâ", "eê": VNI's marks read as letters
			}
			prev = r
		}
		if tones > 1 || !vowelsRead(w) {
			score++
		}
	}
	for _, r := range s {
		if r >= utf8.RuneSelf && !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) && !strings.ContainsRune("\u00a0–—‘’“”…", r) {
			beyond = true
			score += 4
		}
	}
	if !beyond {
		return -1
	}
	return score
}

// vowelClusters are Vietnamese spelling's runs of vowels (tones left
// out): what a syllable may hold between its consonants.
var vowelClusters = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(`a ă â e ê i o ô ơ u ư y
		ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui uô uơ uy ưa ưi ưu ươ yê
		iêu oai oay oao oeo uây uôi uya uyê uyu ươi ươu yêu uêu
		êê ôô`) { // the last, of the minorities' names (La Êê, La Dêê)
		m[c] = true
	}
	return m
}()

// vowelsRead reports whether each run of vowels of word w that holds a
// letter beyond ASCII is one Vietnamese spells ("ươ", not "aư"): a legacy
// encoding read as another puts a marked letter where no syllable has
// one. Runs of ASCII vowels are not looked at (the minorities' names
// written in Vietnamese letters have their own: "Ea", "Yang").
func vowelsRead(w string) bool {
	lower := []rune(strings.ToLower(w))
	// "qu" and "gi" before a vowel are consonants.
	if len(lower) > 2 && (lower[0] == 'q' && lower[1] == 'u' || lower[0] == 'g' && lower[1] == 'i' && isVowel(lower[2])) {
		lower = lower[2:]
	}
	var run []rune
	marked := false
	check := func() bool {
		ok := !marked || vowelClusters[string(run)]
		run, marked = run[:0], false
		return ok
	}
	for _, r := range lower {
		if !isVowel(r) {
			if !check() {
				return false
			}
			continue
		}
		base := []rune(norm.NFD.String(string(r)))
		var keep []rune
		for _, m := range base {
			if !strings.ContainsRune("\u0300\u0301\u0303\u0309\u0323", m) {
				keep = append(keep, m)
			}
		}
		run = append(run, []rune(norm.NFC.String(string(keep)))...)
		marked = marked || r >= utf8.RuneSelf
	}
	return check()
}

// isVowel reports whether r is a vowel letter of Vietnamese (lower case,
// with its marks).
func isVowel(r rune) bool {
	if r < utf8.RuneSelf {
		return strings.ContainsRune("aeiouy", r)
	}
	base, _, ok := vietnameseLetter(r)
	return ok && base != 'd'
}

// vietnameseLetter reports whether r is a letter of Vietnamese beyond
// ASCII, its base letter (lower case, without marks) and whether it
// carries a tone.
func vietnameseLetter(r rune) (base rune, tone, ok bool) {
	d := norm.NFD.String(string(unicode.ToLower(r)))
	base, n := utf8.DecodeRuneInString(d)
	if base == 'đ' {
		return 'd', false, len(d) == n
	}
	if !strings.ContainsRune("aeiouy", base) {
		return 0, false, false
	}
	hats := 0
	for _, m := range d[n:] {
		var takes string // the base letters that take m
		switch m {
		case '\u0300', '\u0301', '\u0303', '\u0309', '\u0323': // the five tones
			tone = true
			continue
		case '\u0302': // circumflex: â ê ô
			takes = "aeo"
		case '\u0306': // breve: ă
			takes = "a"
		case '\u031b': // horn: ơ ư
			takes = "ou"
		}
		if !strings.ContainsRune(takes, base) {
			return 0, false, false
		}
		hats++
	}
	if hats > 1 || !tone && hats == 0 {
		return 0, false, false
	}
	return base, tone, true
}

// misread returns why a name read in a declared legacy encoding is not
// Vietnamese text (letters of other languages, two tones in a word), and
// the encoding it reads as Vietnamese in, when it tells; "" when it reads
// as Vietnamese, or the encoding is UTF-8 (a name's spelling is its
// owner's: only a legacy encoding misread is looked for).
func misread(name, encoding string) string {
	if encoding == "" || encoding == EncodingUTF8 || notVietnamese(name) <= 0 {
		return ""
	}
	why := fmt.Sprintf("does not read as Vietnamese in %s, the mapping's encoding", LegacyEncodingName(encoding))
	// Read back into its bytes, the name may read as Vietnamese in
	// another legacy encoding: name it.
	if b, ok := encodeLegacy(name, encoding); ok {
		if enc, text := GuessLegacy(b); enc != "" && enc != encoding && notVietnamese(text) == 0 {
			return fmt.Sprintf("%s; it reads as %s text %q: give the mapping's \"encoding\": %q (or re-save the file as UTF-8)", why, LegacyEncodingName(enc), text, enc)
		}
	}
	return why + ": is the file in another encoding (TCVN3, VNI)? Re-save it as UTF-8, or give its encoding in the mapping"
}

// encodeLegacy writes s, read in a legacy encoding, back in it: the bytes
// it was read from, or bytes that read as the same text.
func encodeLegacy(s, encoding string) ([]byte, bool) {
	switch encoding {
	case EncodingWindows1258:
		return encode1258(s)
	case EncodingTCVN3:
		return encodeTable(s, func(r rune) ([]byte, bool) {
			b, ok := tcvn3Bytes[r]
			return []byte{b}, ok
		})
	case EncodingVNI:
		return encodeTable(s, func(r rune) ([]byte, bool) {
			bs, ok := vniBytes[r]
			return bs, ok
		})
	}
	return nil, false
}

// encodeTable writes s with ASCII as itself and every other rune as the
// bytes bytesOf gives it; false when a rune has none.
func encodeTable(s string, bytesOf func(rune) ([]byte, bool)) ([]byte, bool) {
	var out []byte
	for _, r := range s {
		if r < utf8.RuneSelf {
			out = append(out, byte(r))
			continue
		}
		bs, ok := bytesOf(r)
		if !ok {
			return nil, false
		}
		out = append(out, bs...)
	}
	return out, true
}

// tcvn3Bytes and vniBytes are the tables' inverses: a rune's bytes.
var (
	tcvn3Bytes = func() map[rune]byte {
		m := map[rune]byte{}
		for i, r := range tcvn3High {
			m[r] = byte(0x80 + i)
		}
		return m
	}()
	vniBytes = func() map[rune][]byte {
		m := map[rune][]byte{}
		for b, r := range vniSingle {
			m[r] = []byte{b}
		}
		for k, r := range vniPairs {
			m[r] = []byte{k[0], k[1]}
		}
		return m
	}()
)

// encode1258 writes s back in Windows-1258, a letter the code page does
// not hold whole as its letter without its tone and the tone's combining
// mark (as Windows-1258 writes Vietnamese).
func encode1258(s string) ([]byte, bool) {
	var out []byte
	for _, r := range s {
		if b, ok := charmap.Windows1258.EncodeRune(r); ok {
			out = append(out, b)
			continue
		}
		d := []rune(norm.NFD.String(string(r)))
		var base, tones []rune
		for _, m := range d {
			if strings.ContainsRune("\u0300\u0301\u0303\u0309\u0323", m) {
				tones = append(tones, m)
			} else {
				base = append(base, m)
			}
		}
		for _, p := range append([]rune(norm.NFC.String(string(base))), tones...) {
			b, ok := charmap.Windows1258.EncodeRune(p)
			if !ok {
				return nil, false
			}
			out = append(out, b)
		}
	}
	return out, true
}

// HeaderNotUTF8Error refuses a CSV file whose header line is not UTF-8
// (it wraps ErrHeaderNotUTF8), saying which legacy encoding its names
// read as Vietnamese in, when one does.
type HeaderNotUTF8Error struct {
	Column int    // the first column that is not UTF-8 (1-based)
	Raw    string // its bytes
	// Encoding is the legacy encoding the header line reads as
	// Vietnamese in (GuessLegacy), "" when none does; Names are the
	// header's names read in it.
	Encoding string
	Names    []string
}

func (e *HeaderNotUTF8Error) Error() string {
	msg := fmt.Sprintf("%v (column %d is %q)", ErrHeaderNotUTF8, e.Column, e.Raw)
	if e.Encoding != "" && e.Encoding != EncodingWindows1258 {
		names := make([]string, 0, 4)
		for _, n := range e.Names[:min(len(e.Names), 4)] {
			names = append(names, strconv.Quote(n))
		}
		msg += fmt.Sprintf("; it reads as %s text (%s): give \"encoding\": %q in the mapping", LegacyEncodingName(e.Encoding), strings.Join(names, ", "), e.Encoding)
	}
	return msg
}

func (e *HeaderNotUTF8Error) Unwrap() error { return ErrHeaderNotUTF8 }

// headerNotUTF8 returns the error of a header whose column col (0-based)
// is not UTF-8, guessing its encoding from every name.
func headerNotUTF8(names []string, col int) error {
	e := &HeaderNotUTF8Error{Column: col + 1, Raw: names[col]}
	if enc, text := GuessLegacy([]byte(strings.Join(names, "\x00"))); enc != "" {
		e.Encoding = enc
		for _, n := range strings.Split(text, "\x00") {
			e.Names = append(e.Names, strings.TrimSpace(n))
		}
	}
	return e
}

// legacyHint returns, for a field that is not UTF-8, the legacy encoding
// it reads as Vietnamese in and its text so read, as the end of a row's
// message; "" when it reads so in none.
func legacyHint(b []byte) string {
	enc, text := GuessLegacy(b)
	if enc == "" {
		return ""
	}
	return fmt.Sprintf("; it reads as %s text %q: give the mapping's \"encoding\": %q", LegacyEncodingName(enc), text, enc)
}

// notUTF8Detail is the detail of a row's invalid_utf8: field f, its
// byte at offset at not UTF-8, read in encoding (the mapping's; "" for
// UTF-8). A field of a VNI file keeps a byte VNI has no letter for; a
// field of a UTF-8 file that reads as Vietnamese in a legacy encoding
// says which, with its text so read.
func notUTF8Detail(f string, at int, encoding string) string {
	if encoding == EncodingVNI {
		return fmt.Sprintf("byte 0x%02x at offset %d of the value as read is no letter of %s, the mapping's encoding, nor a mark after a letter that takes it: is the file in another encoding? (re-save it as UTF-8)", f[at], at, LegacyEncodingName(encoding))
	}
	return fmt.Sprintf("byte 0x%02x at offset %d is not UTF-8 (the contract's encoding; re-save the file as UTF-8, or give the mapping's \"encoding\": \"windows-1258\" for Excel's CSV of a Vietnamese Windows)%s", f[at], at, legacyHint([]byte(f)))
}

// SamplesEncoding tells the legacy encoding that the sampled rows' fields
// which are not UTF-8 read as Vietnamese in (GuessLegacy over them all),
// and reads those fields in it, in place; "" and nil when every field is
// UTF-8 or they read as Vietnamese in none. read holds the fields so read
// (the first of each value), to show.
func SamplesEncoding(samples [][]string) (encoding string, read []string) {
	var all []byte
	for _, rec := range samples {
		for _, f := range rec {
			if !utf8.ValidString(f) && len(all) < 1<<16 {
				all = append(append(all, f...), 0)
			}
		}
	}
	if len(all) == 0 {
		return "", nil
	}
	if encoding, _ = GuessLegacy(all); encoding == "" {
		return "", nil
	}
	seen := map[string]bool{}
	for _, rec := range samples {
		for i, f := range rec {
			if utf8.ValidString(f) {
				continue
			}
			if s, ok := DecodeLegacy([]byte(f), encoding); ok {
				rec[i] = s
				if !seen[s] {
					seen[s] = true
					read = append(read, s)
				}
			}
		}
	}
	return encoding, read
}
