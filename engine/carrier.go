package engine

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Carrier is a normalised carrier identifier: lower-case ASCII letters,
// digits and dashes, e.g. "viettel", "vinaphone", "mobifone".
type Carrier string

// The Vietnamese operators, by their normalised identifiers.
const (
	Viettel      Carrier = "viettel"
	VinaPhone    Carrier = "vinaphone"
	MobiFone     Carrier = "mobifone"
	Vietnamobile Carrier = "vietnamobile"
	Gmobile      Carrier = "gmobile"
	ITelecom     Carrier = "itelecom"
)

// Known reports whether c is one of the operators lomsong knows by name
// (the constants above); any other carrier is a slug of its name as given,
// which may be an unknown spelling of a known one.
func (c Carrier) Known() bool {
	switch c {
	case Viettel, VinaPhone, MobiFone, Vietnamobile, Gmobile, ITelecom:
		return true
	}
	return false
}

// carrierAliases maps common spellings (after Fold) onto identifiers.
var carrierAliases = map[string]Carrier{
	"viettel": Viettel, "viettelmobile": Viettel, "vtl": Viettel, "vt": Viettel,
	"viettelgroup": Viettel, "evntelecom": Viettel, "emobile": Viettel, "vietteltelecom": Viettel,
	"vinaphone": VinaPhone, "vnpt": VinaPhone, "vnptvinaphone": VinaPhone, "vina": VinaPhone,
	"vinafone": VinaPhone, "gpc": VinaPhone, "vinaphonevnpt": VinaPhone, "vnp": VinaPhone,
	"mobifone": MobiFone, "mobiphone": MobiFone, "mobi": MobiFone, "vms": MobiFone,
	"vmsmobifone": MobiFone, "mobifonevms": MobiFone, "mbf": MobiFone,
	"vietnamobile": Vietnamobile, "vnmobile": Vietnamobile, "vnm": Vietnamobile,
	"htmobile": Vietnamobile, "vietnammobile": Vietnamobile, "vnmb": Vietnamobile,
	"gmobile": Gmobile, "gtel": Gmobile, "gtelmobile": Gmobile, "beeline": Gmobile,
	"beelinevn": Gmobile,
	"itelecom":  ITelecom, "itel": ITelecom, "indochinatelecom": ITelecom,
}

// Fold reduces a name for alias matching: Vietnamese diacritics removed
// (đ → d), lower case, and everything but letters and digits dropped.
func Fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			b.WriteByte('d')
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// ParseCarrier normalises a carrier name. Known operators are matched by
// their common spellings ("VNPT", "Vina", "Mobiphone", "Viettel Mobile").
// Any other non-empty name becomes a slug (lower case, diacritics removed,
// runs of other characters replaced by one dash), so a carrier lomsong does
// not know is kept under a stable identifier rather than rejected.
//
// A network's MCC and MNC ("45204", "452-04", "452 04", as cell loggers
// write the operator) name its carrier as CarrierForPLMN does, so that a
// measurement and an OpenCelliD site of one network share it. A known
// operator's name with a country prefix, a company word or a technology
// around it ("VN VINAPHONE", as phones display the network; "Tập đoàn
// Viettel", "MobiFone Corporation", "Viettel 4G") is that operator; such
// words around a name lomsong does not know are kept in its slug.
func ParseCarrier(s string) (Carrier, error) {
	f := Fold(s)
	if c, ok := carrierAliases[f]; ok {
		return c, nil
	}
	if p, ok := plmnSpelling(s); ok {
		c, _ := CarrierForPLMN(p)
		return c, nil
	}
	if c, ok := carrierAliases[trimCarrierWords(f)]; ok {
		return c, nil
	}
	slug := Slug(s)
	if slug == "" {
		return "", fmt.Errorf("empty carrier name %q: %w", s, ErrInvalidValue)
	}
	return Carrier(slug), nil
}

// plmnSpelling reads a network written as its MCC and MNC: three digits,
// an optional dash, space, slash, dot or underscore (spaces around it
// allowed), and two or three digits ("45204", "452-04", "452 004",
// "452 - 04"), or one after a separator ("452-4": the separator says where
// the MNC starts, 4 is network 04), the MCC one of the ITU's (200–799). A
// spreadsheet's number ("45204.0", the code typed into a numeric cell) is
// the code.
func plmnSpelling(s string) (PLMN, bool) {
	s = strings.TrimSpace(s)
	if whole, ok := strings.CutSuffix(s, ".0"); ok && len(whole) >= 5 && len(whole) <= 6 {
		s = whole
	}
	if len(s) < 5 || len(s) > 9 {
		return PLMN{}, false
	}
	digits := func(t string) (int, bool) {
		n := 0
		for i := 0; i < len(t); i++ {
			if t[i] < '0' || t[i] > '9' {
				return 0, false
			}
			n = n*10 + int(t[i]-'0')
		}
		return n, true
	}
	mcc, ok := digits(s[:3])
	if !ok || mcc < 200 || mcc > 799 {
		return PLMN{}, false
	}
	rest := strings.TrimLeft(s[3:], " ")
	minDigits := 2
	if rest != "" && strings.IndexByte("-/._", rest[0]) >= 0 {
		rest, minDigits = strings.TrimLeft(rest[1:], " "), 1
	} else if len(rest) < len(s)-3 {
		minDigits = 1 // spaces alone separated them
	}
	mnc, ok := digits(rest)
	if !ok || len(rest) < minDigits || len(rest) > 3 {
		return PLMN{}, false
	}
	return PLMN{MCC: mcc, MNC: mnc}, true
}

// carrierPrefixes and carrierSuffixes are the words (folded) that phones
// and registers write around an operator's name: the country code of a
// network's display name (before it, "VN VINAPHONE", or after it,
// "VIETTEL VN"), Vietnamese and English company words, and the
// technology.
var (
	carrierPrefixes = []string{"tapdoan", "tongcongty", "congty", "vienthong", "vn"}
	carrierSuffixes = []string{"telecommunications", "telecom", "corporation", "corp", "group", "jsc",
		"volte", "lte", "nr", "2g", "3g", "4g", "5g", "vn"}
)

// trimCarrierWords removes carrierPrefixes and carrierSuffixes from a
// folded name, as many as it has.
func trimCarrierWords(f string) string {
	for changed := true; changed; {
		changed = false
		for _, w := range carrierPrefixes {
			if len(f) > len(w) && strings.HasPrefix(f, w) {
				f, changed = f[len(w):], true
			}
		}
		for _, w := range carrierSuffixes {
			if len(f) > len(w) && strings.HasSuffix(f, w) {
				f, changed = f[:len(f)-len(w)], true
			}
		}
	}
	return f
}

// Slug lower-cases s, removes diacritics and joins the runs of letters and
// digits with single dashes.
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			r = 'd'
		}
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		} else {
			dash = true
		}
	}
	return b.String()
}

// PLMN is a public land mobile network identity (mobile country code and
// mobile network code).
type PLMN struct {
	MCC, MNC int
}

// plmnCarriers is the documented MCC+MNC table. Vietnam (MCC 452) follows
// the ITU-T E.212 assignments as operated in 2025: 01 MobiFone,
// 02 VinaPhone (VNPT), 04 Viettel, 05 Vietnamobile, 07 Gmobile (GTEL, the
// former Beeline), 08 I-Telecom (an MVNO). 03 (S-Fone) and 06 (EVNTelecom,
// absorbed into Viettel in 2011) no longer operate; 06 maps to Viettel and
// 03 to "s-fone" so that old records are kept and recognisable. Ecuador
// (MCC 740) is listed because its public OpenCelliD export is the project's
// real test file: 00 Movistar, 01 Claro, 02 CNT.
var plmnCarriers = map[PLMN]Carrier{
	{452, 1}: MobiFone,
	{452, 2}: VinaPhone,
	{452, 3}: "s-fone",
	{452, 4}: Viettel,
	{452, 5}: Vietnamobile,
	{452, 6}: Viettel,
	{452, 7}: Gmobile,
	{452, 8}: ITelecom,
	{740, 0}: "movistar-ec",
	{740, 1}: "claro-ec",
	{740, 2}: "cnt-ec",
}

// CarrierForPLMN returns the carrier of a network. A network missing from
// the table gets the identifier "plmn-MCC-MNC" (e.g. "plmn-452-09") and
// known is false.
func CarrierForPLMN(p PLMN) (c Carrier, known bool) {
	if c, ok := plmnCarriers[p]; ok {
		return c, true
	}
	return Carrier(fmt.Sprintf("plmn-%03d-%02d", p.MCC, p.MNC)), false
}
