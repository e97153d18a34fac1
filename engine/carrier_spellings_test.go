package engine

import "testing"

// Cell loggers write the operator as its network code, phones display
// "VN VINAPHONE", and registers add company or technology words: each was
// kept apart from its operator under a slug of its own ("45204",
// "vn-vinaphone", "tap-doan-viettel", "viettel-4g").
func TestParseCarrierSpellings(t *testing.T) {
	for in, want := range map[string]Carrier{
		"45204": Viettel, "452-04": Viettel, "452 04": Viettel, "452/004": Viettel, " 45201 ": MobiFone,
		"452-02": VinaPhone, "45205": Vietnamobile, "45207": Gmobile, "45208": ITelecom,
		"452-09": "plmn-452-09", "74001": "claro-ec",
		// A one-digit network after a separator, spaces around the
		// separator, a code typed into a spreadsheet's numeric cell.
		"452-4": Viettel, "452 - 04": Viettel, "452 4": Viettel, "45204.0": Viettel, "452-2": VinaPhone,
		"VN VINAPHONE": VinaPhone, "VN Mobifone": MobiFone, "Tập đoàn Viettel": Viettel,
		"Tổng công ty Viễn thông MobiFone": MobiFone, "MobiFone Corporation": MobiFone, "MobiFone Corp": MobiFone,
		"Viettel 4G": Viettel, "VINAPHONE 3G": VinaPhone, "Vietnamobile (HT Mobile)": "vietnamobile-ht-mobile",
		"Viettel Group JSC": Viettel, "Vietnam Mobile Telecom": Vietnamobile,
		// Not a network code, and not an operator's name with words around it.
		"12345": "12345", "4520": "4520", "452-0004": "452-0004", "45204.5": "45204-5", "4524": "4524", "452-": "452", "VN": "vn", "Telecom": "telecom",
		"Some New 4G": "some-new-4g", "Reddi": "reddi",
	} {
		if got, err := ParseCarrier(in); err != nil || got != want {
			t.Errorf("%q: %q, %v; want %q", in, got, err, want)
		}
	}
}
