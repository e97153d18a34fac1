package engine

import "testing"

// The RAT names drive-test tools write (3GPP's E-UTRAN, UTRAN, GERAN;
// EN-DC), a generation with its technology ("4G (LTE)", "LTE/4G") and
// marketing generations were refused as invalid_enum, every row of a
// TEMS or Excel export with them.
func TestParseTechSpellings(t *testing.T) {
	for in, want := range map[string]Tech{
		"E-UTRAN": Tech4G, "UTRAN": Tech3G, "GERAN": Tech2G, "NG-RAN": Tech5G, "EN-DC": Tech5G, "NR5G": Tech5G, "5G+": Tech5G,
		"4G (LTE)": Tech4G, "3G (WCDMA)": Tech3G, "LTE/4G": Tech4G, "GSM/EDGE": Tech2G, "2G / GSM": Tech2G, "5G (NR SA)": Tech5G,
		"2.5G": Tech2G, "2.75G": Tech2G, "3.75G": Tech3G, "DC-HSPA+": Tech3G, "LTE-A Pro": Tech4G,
		"LTE": Tech4G, "wcdma": Tech3G,
		// Phones display "4G LTE"; Qualcomm modems write NR5G-NSA, and
		// LTE-Advanced Pro is written out. They were refused.
		"4G LTE": Tech4G, "LTE 4G": Tech4G, "3G WCDMA": Tech3G, "2G GSM": Tech2G, "5G NR SA": Tech5G, "4G  (LTE)": Tech4G,
		"LTE-Advanced Pro": Tech4G, "NR5G-NSA": Tech5G, "NR5G SA": Tech5G,
		// The status bar's letters and a name with its band, as crowd apps
		// and registers export them: refused as unmapped.
		"E": Tech2G, "G": Tech2G, "H": Tech3G, "H+": Tech3G, "h+": Tech3G,
		"GSM900": Tech2G, "GSM 1800": Tech2G, "UMTS2100": Tech3G, "WCDMA-900": Tech3G, "LTE1800": Tech4G, "LTE 2600": Tech4G, "NR3500": Tech5G,
	} {
		if got, err := ParseTech(in); err != nil || got != want {
			t.Errorf("%q: %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"4G/3G", "LTE (WCDMA)", "Unknown", "-", "/", "()", "LTE/", "NB-IoT", "LTE-M", "4G 3G", "Unknown 4G", "LTE M",
		"GSM123", "LTE18000", "900", "E1800", "EE"} {
		if got, err := ParseTech(in); err == nil {
			t.Errorf("%q: %v; want refused", in, got)
		}
	}
}
