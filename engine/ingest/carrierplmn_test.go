package ingest

import (
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// Drive-test tools and cell loggers write the operator as the network's
// MCC and MNC in two columns. No mapping could read them (a carrier
// column holds one value): carrier_plmn does, as a "452-04" in a carrier
// column is read, an MNC written without its leading zero included, and
// pandas' floats of whole numbers ("452.0", "4.0").
func TestCarrierFromMCCAndMNC(t *testing.T) {
	const dump = "Time,Lat,Lon,MCC,MNC,Tech,RSRP\n" +
		"2026-10-03 08:00:01,21.0285,105.8542,452,04,LTE,-95\n" +
		"2026-10-03 08:00:02,21.0286,105.8543,452,1,LTE,-96\n" +
		"2026-10-03 08:00:03,21.0287,105.8544,452,02,LTE,-97\n" +
		"2026-10-03 08:00:04,21.0288,105.8545,452,05,LTE,-98\n" +
		"2026-10-03 08:00:05,21.0289,105.8546,452,007,LTE,-99\n" +
		"2026-10-03 08:00:06,21.0290,105.8547,452,99,LTE,-99\n" +
		"2026-10-03 08:00:07,21.0291,105.8548,452,,LTE,-99\n" +
		"2026-10-03 08:00:08,21.0292,105.8549,,,LTE,-99\n" +
		"2026-10-03 08:00:09,21.0293,105.8550,452,x4,LTE,-99\n" +
		"2026-10-03 08:00:10,21.0294,105.8551,45,204,LTE,-99\n" +
		"2026-10-03 08:00:11,21.0295,105.8552,452.0,4.0,LTE,-99\n" +
		"2026-10-03 08:00:12,21.0296,105.8553,452.5,4,LTE,-99\n"
	m, err := ParseMapping([]byte(`{"columns": {"Time": "ts", "Lat": "lat", "Lon": "lon", "RSRP": "signal_dbm"}, "carrier_plmn": {"mcc": "mcc", "mnc": "MNC"}}`))
	if err != nil {
		t.Fatal(err)
	}
	rows, rejects, rep := readM(t, dump, m, nil)
	want := []engine.Carrier{engine.Viettel, engine.MobiFone, engine.VinaPhone, engine.Vietnamobile, engine.Gmobile, "plmn-452-99", engine.Viettel}
	if len(rows) != len(want) {
		t.Fatalf("accepted %d rows, want %d; rejects %+v", len(rows), len(want), rejects)
	}
	for i, r := range rows {
		if r.Carrier != want[i] {
			t.Errorf("row %d: carrier %q, want %q", i, r.Carrier, want[i])
		}
	}
	wantRej := []struct {
		line   int64
		reason Reason
	}{{8, ReasonInvalidNumber}, {9, ReasonMissingValue}, {10, ReasonInvalidNumber}, {11, ReasonInvalidNumber}, {13, ReasonInvalidNumber}}
	if len(rejects) != len(wantRej) {
		t.Fatalf("rejects %+v", rejects)
	}
	for i, w := range wantRej {
		if r := rejects[i]; r.Line != w.line || r.Reason != w.reason || r.Column != "MCC, MNC → carrier" {
			t.Errorf("reject %d: %+v, want line %d %s in MCC, MNC → carrier", i, r, w.line, w.reason)
		}
	}
	if len(rep.IgnoredColumns) != 0 || rep.OtherCarriers["plmn-452-99"] != 1 {
		t.Errorf("ignored %v, other carriers %v", rep.IgnoredColumns, rep.OtherCarriers)
	}

	for _, c := range []struct{ name, js, want string }{
		{"with a carrier column", `{"columns": {"Op": "carrier"}, "carrier_plmn": {"mcc": "MCC", "mnc": "MNC"}}`, "both give carrier"},
		{"with a constant", `{"constants": {"carrier": "Viettel"}, "carrier_plmn": {"mcc": "MCC", "mnc": "MNC"}}`, "both give carrier"},
		{"without mnc", `{"carrier_plmn": {"mcc": "MCC"}}`, `carrier_plmn needs "mnc"`},
		{"another key", `{"carrier_plmn": {"mcc": "MCC", "mnc": "MNC", "lac": "LAC"}}`, `carrier_plmn["lac"]`},
		{"one column for both", `{"carrier_plmn": {"mcc": "PLMN", "mnc": "plmn"}}`, "for both MCC and MNC"},
		{"with carrier spellings", `{"values": {"carrier": {"452-99": "Viettel"}}, "carrier_plmn": {"mcc": "MCC", "mnc": "MNC"}}`, `values["carrier"] does not apply with carrier_plmn`},
		{"a villages table", `{"kind": "villages", "carrier_plmn": {"mcc": "MCC", "mnc": "MNC"}}`, "has no carrier"},
	} {
		if _, err := ParseMapping([]byte(c.js)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.name, err, c.want)
		}
	}
	if err := readErr(t, dump, `{"columns": {"Time": "ts", "Lat": "lat", "Lon": "lon", "RSRP": "signal_dbm"}, "carrier_plmn": {"mcc": "MCC", "mnc": "Net"}}`); err == nil ||
		!strings.Contains(err.Error(), `the file has no column "Net"`) {
		t.Errorf("missing column: %v", err)
	}
}

// --suggest-mapping proposes carrier_plmn for a header with MCC and MNC
// and no operator name; the carrier was left missing.
func TestSuggestCarrierFromMCCAndMNC(t *testing.T) {
	header := []string{"Time", "Latitude", "Longitude", "MCC", "MNC", "Network Type", "RSRP"}
	sg := Suggest(KindMeasurements, header, [][]string{{"2026-10-03 08:00:01", "21.02", "105.85", "452", "04", "LTE", "-95"}})
	if len(sg.Missing) != 0 || sg.Mapping.CarrierPLMN["mcc"] != "MCC" || sg.Mapping.CarrierPLMN["mnc"] != "MNC" {
		t.Fatalf("missing %v, carrier_plmn %v, notes %v", sg.Missing, sg.Mapping.CarrierPLMN, sg.Notes)
	}
	if _, err := ParseMapping(sg.Mapping.JSON()); err != nil {
		t.Errorf("suggested mapping does not parse: %v", err)
	}
	// An operator's name is read before its codes.
	sg = Suggest(KindMeasurements, append(header, "Operator"), nil)
	if sg.Mapping.CarrierPLMN != nil || sg.Mapping.Columns["Operator"] != "carrier" {
		t.Errorf("with an operator column: %+v", sg.Mapping)
	}
}
