package engine

import (
	"fmt"
	"slices"
	"strings"
)

// Tech is a radio access technology generation. The zero value is TechUnknown.
type Tech uint8

// The technologies of the input contract.
const (
	TechUnknown Tech = iota
	Tech2G
	Tech3G
	Tech4G
	Tech5G
)

// Techs lists the known technologies in ascending order.
var Techs = [...]Tech{Tech2G, Tech3G, Tech4G, Tech5G}

// String returns the contract spelling ("2G", "3G", "4G", "5G"), or "unknown".
func (t Tech) String() string {
	switch t {
	case Tech2G:
		return "2G"
	case Tech3G:
		return "3G"
	case Tech4G:
		return "4G"
	case Tech5G:
		return "5G"
	}
	return "unknown"
}

// Valid reports whether t is one of Tech2G..Tech5G.
func (t Tech) Valid() bool { return t >= Tech2G && t <= Tech5G }

// SignalMeasure names what SignalDBm means for this technology:
// RSRP for 4G/5G, RSCP for 3G, RSSI for 2G.
func (t Tech) SignalMeasure() string {
	switch t {
	case Tech2G:
		return "RSSI"
	case Tech3G:
		return "RSCP"
	case Tech4G, Tech5G:
		return "RSRP"
	}
	return ""
}

// techAliases maps the spellings carriers use onto the contract. Keys are
// lower case with spaces, dashes and underscores removed.
var techAliases = map[string]Tech{
	"2g": Tech2G, "gsm": Tech2G, "gprs": Tech2G, "edge": Tech2G, "egprs": Tech2G,
	"3g": Tech3G, "umts": Tech3G, "wcdma": Tech3G, "hspa": Tech3G, "hspa+": Tech3G,
	"hsdpa": Tech3G, "hsupa": Tech3G, "hspap": Tech3G, "tdscdma": Tech3G, "3.5g": Tech3G,
	"4g": Tech4G, "lte": Tech4G, "4g+": Tech4G, "lte+": Tech4G, "ltea": Tech4G,
	"lteadvanced": Tech4G, "lteca": Tech4G, "4.5g": Tech4G, "fdd-lte": Tech4G, "fddlte": Tech4G,
	"tddlte": Tech4G,
	"5g":     Tech5G, "nr": Tech5G, "5gnr": Tech5G, "5gnsa": Tech5G, "5gsa": Tech5G, "nrnsa": Tech5G,
	"nrsa": Tech5G,
	// 3GPP's radio access network names, as TEMS and Nemo write the RAT;
	// marketing generations; dual-carrier HSPA; E-UTRA–NR dual
	// connectivity (5G NSA).
	"geran": Tech2G, "2.5g": Tech2G, "2.75g": Tech2G,
	"utran": Tech3G, "utra": Tech3G, "3.75g": Tech3G, "dchspa": Tech3G, "dchspa+": Tech3G, "dchsdpa": Tech3G,
	"eutran": Tech4G, "eutra": Tech4G, "ltepro": Tech4G, "lteapro": Tech4G,
	"ngran": Tech5G, "endc": Tech5G, "nr5g": Tech5G, "5g+": Tech5G, "5gnrnsa": Tech5G, "5gnrsa": Tech5G,
	// Qualcomm modems' and Android's longer names.
	"lteadvancedpro": Tech4G, "nr5gnsa": Tech5G, "nr5gsa": Tech5G,
	// The letters a phone's status bar shows, as crowd apps export them:
	// G (GPRS), E (EDGE), H and H+ (HSPA, HSPA+).
	"g": Tech2G, "e": Tech2G, "h": Tech3G, "h+": Tech3G,
}

// techBands are the carrier frequencies in MHz that registers and
// drive-test exports write after a technology's name ("GSM900",
// "UMTS2100", "LTE1800"): the name with one of them is the name's
// technology.
var techBands = []string{"700", "800", "850", "900", "1800", "1900", "2100", "2300", "2600", "3500"}

func normKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.NewReplacer(" ", "", "_", "", "-", "").Replace(s)
}

// ParseTech maps a technology spelling onto the contract. It accepts the
// contract values (2G, 3G, 4G, 5G) and common aliases (GSM, EDGE, UMTS,
// WCDMA, HSPA, LTE, "4G+", LTE-A, NR, "5G NSA"; the status bar's E and H+;
// a name with its band, GSM900 or LTE1800), case-insensitively.
func ParseTech(s string) (Tech, error) {
	if t, ok := techAliases[normKey(s)]; ok {
		return t, nil
	}
	if t, ok := techAliases[strings.ToLower(strings.TrimSpace(s))]; ok {
		return t, nil
	}
	for _, b := range techBands {
		if name, ok := strings.CutSuffix(normKey(s), b); ok && len(name) > 1 {
			if t, ok := techAliases[name]; ok {
				return t, nil
			}
		}
	}
	// A generation with its technology, or two names of one: "4G (LTE)",
	// "3G (WCDMA)", "LTE/4G", "GSM/EDGE", "4G LTE" as phones display it.
	// Names of different generations ("4G/3G") name none.
	// Spaces part names only where the other marks did not: "5G (NR SA)"
	// is 5G and NR SA. 5G's architecture beside a 5G name ("5G (NSA)",
	// "NR SA/NSA") is that name's: NSA or SA alone, or beside another
	// generation, names none.
	for _, seps := range []string{"/()|,", "/()|, "} {
		parts := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) })
		if len(parts) < 2 {
			continue
		}
		t, arch := TechUnknown, false
		for _, p := range parts {
			if k := normKey(p); k == "nsa" || k == "sa" {
				arch = true
				continue
			}
			pt, ok := techAliases[normKey(p)]
			if !ok || t != TechUnknown && pt != t {
				t = TechUnknown
				break
			}
			t = pt
		}
		if t != TechUnknown && (!arch || t == Tech5G) {
			return t, nil
		}
	}
	return TechUnknown, fmt.Errorf("unknown technology %q (want 2G, 3G, 4G, 5G or an alias such as GSM, UMTS, LTE, NR): %w", s, ErrInvalidValue)
}

// cdmaNames are the spellings (normKey) of CDMA networks' technologies:
// cdmaOne (IS-95), CDMA2000 1x and its data generations EV-DO and eHRPD,
// as OpenCelliD's radio and cell loggers write them. WCDMA and TD-SCDMA
// are 3G (UMTS), in techAliases.
var cdmaNames = []string{"cdma", "cdmaone", "is95", "cdma2000", "cdma20001x", "cdma1x", "1x", "1xrtt", "is2000",
	"evdo", "1xevdo", "cdma2000evdo", "evdorev0", "evdoreva", "evdorevb", "ehrpd"}

// IsCDMA reports whether s names a CDMA network's technology (cdmaOne,
// CDMA2000, EV-DO), case, spaces, hyphens and underscores aside: a mobile
// technology, but none lomsong analyses (it predicts and reads GSM, UMTS,
// LTE and NR: 2G to 5G), so no mapping makes its rows one of those.
func IsCDMA(s string) bool {
	return slices.Contains(cdmaNames, normKey(s))
}

// IsWiFi reports whether s names a Wi-Fi connection rather than a mobile
// network's technology, as crowd speed-test exports write it beside the
// cellular ones: "wifi", "Wi-Fi", "WLAN", a Wi-Fi generation ("Wi-Fi 6",
// "wifi6e"), a band in brackets ("WiFi (5 GHz)") or an IEEE 802.11
// standard ("802.11ac"), case, spaces, hyphens and underscores aside.
func IsWiFi(s string) bool {
	k := normKey(s)
	if k == "wlan" || strings.HasPrefix(k, "802.11") {
		return true
	}
	rest, ok := strings.CutPrefix(k, "wifi")
	if !ok {
		return false
	}
	rest = strings.TrimSuffix(strings.TrimLeft(rest, "0123456789"), "e")
	return rest == "" || rest[0] == '('
}
