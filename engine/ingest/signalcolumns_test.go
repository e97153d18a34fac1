package ingest

import (
	"context"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// A drive-test export writes each technology's measure in a column of its
// own (RSRP, RSCP, RxLev): signal_columns reads a row's signal from its
// technology's column, so a 3G row gets its RSCP and not the stale RSRP
// beside it, and a 2G row its RxLev. Without it only one of the columns
// could be mapped, and every row of the other technologies was rejected
// ("service is ok but the row has no signal").
func TestSignalColumnsPerTechnology(t *testing.T) {
	const dump = "Time,Lat,Lon,Operator,Network Type,RSRP,RSCP,RxLev\n" +
		"2026-10-03 08:00:01,21.0285,105.8542,Viettel,LTE,-95,,\n" +
		"2026-10-03 08:00:02,21.0286,105.8543,Viettel,WCDMA,-97,-88,\n" +
		"2026-10-03 08:00:03,21.0287,105.8544,Viettel,GSM,,,-70\n" +
		"2026-10-03 08:00:04,21.0288,105.8545,Viettel,WCDMA,,-10,\n" +
		"2026-10-03 08:00:05,21.0289,105.8546,Viettel,NR,-80,,\n" +
		"2026-10-03 08:00:06,21.0290,105.8547,Viettel,GSM,-99,-77,\n"
	js := `{"columns": {"Time": "ts", "Lat": "lat", "Lon": "lon", "Operator": "carrier", "Network Type": "tech"},
	  "signal_columns": {"LTE": "RSRP", "5G": "rsrp", "3G": "RSCP", "2G": "RxLev"}}`
	m, err := ParseMapping([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	rows, rejects, rep := readM(t, dump, m, nil)
	want := []float64{-95, -88, -70, -80}
	if len(rows) != len(want) {
		t.Fatalf("accepted %d rows, want %d; rejects %+v", len(rows), len(want), rejects)
	}
	for i, r := range rows {
		if r.SignalDBm != want[i] {
			t.Errorf("row %d (%s): signal %v, want %v", i, r.Tech, r.SignalDBm, want[i])
		}
	}
	if len(rejects) != 2 || rejects[0].Line != 5 || rejects[0].Column != "RSCP → signal_dbm" || rejects[0].Reason != ReasonOutOfRange ||
		rejects[1].Line != 7 || rejects[1].Column != "RxLev → signal_dbm" || rejects[1].Reason != ReasonInconsistent {
		t.Errorf("rejects %+v", rejects)
	}
	if len(rep.IgnoredColumns) != 0 {
		t.Errorf("ignored columns %v: the per-technology columns are read", rep.IgnoredColumns)
	}

	// A technology the map does not list has no signal: its row says why.
	m2, err := ParseMapping([]byte(`{"columns": {"Time": "ts", "Lat": "lat", "Lon": "lon", "Operator": "carrier", "Network Type": "tech"},
	  "signal_columns": {"4G": "RSRP", "3G": "RSCP"}}`))
	if err != nil {
		t.Fatal(err)
	}
	_, rejects, _ = readM(t, dump, m2, nil)
	var gsm []Reject
	for _, r := range rejects {
		if r.Line == 4 {
			gsm = append(gsm, r)
		}
	}
	if len(gsm) != 1 || gsm[0].Reason != ReasonInconsistent || !strings.Contains(gsm[0].Detail, "signal_columns names no column for 2G's RSSI") {
		t.Errorf("2G row without a signal column: %+v", gsm)
	}

	for _, c := range []struct{ name, js, want string }{
		{"with a column mapped to signal_dbm", `{"columns": {"RSRP": "signal_dbm"}, "signal_columns": {"3G": "RSCP"}}`, `both give signal_dbm`},
		{"one technology twice", `{"signal_columns": {"4G": "RSRP", "LTE": "RSRP2"}}`, `both name 4G's column`},
		{"not a technology", `{"signal_columns": {"WiFi": "RSSI"}}`, `signal_columns["WiFi"]`},
		{"a sites mapping", `{"kind": "sites", "signal_columns": {"4G": "RSRP"}}`, `signal_columns is for measurements`},
		{"an empty column name", `{"signal_columns": {"4G": " "}}`, `signal_columns["4G"] is empty`},
	} {
		if _, err := ParseMapping([]byte(c.js)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.name, err, c.want)
		}
	}
	// A column the file lacks is named, as a column of "columns" is.
	m3, _ := ParseMapping([]byte(`{"columns": {"Time": "ts", "Lat": "lat", "Lon": "lon", "Operator": "carrier", "Network Type": "tech"}, "signal_columns": {"4G": "RSRP", "5G": "SS-RSRP"}}`))
	if err := readErr(t, dump, string(m3.JSON())); err == nil || !strings.Contains(err.Error(), `the file has no column "SS-RSRP"`) {
		t.Errorf("missing column: %v", err)
	}
}

// --suggest-mapping proposes signal_columns for a header with the signal
// columns of several technologies; it mapped RSRP alone.
func TestSuggestSignalColumns(t *testing.T) {
	header := []string{"Time", "Latitude", "Longitude", "Operator", "Network Type", "RSRP (dBm)", "RSCP (dBm)", "RxLev Full (dBm)"}
	sg := Suggest(KindMeasurements, header, [][]string{{"2026-10-03 08:00:01", "21.02", "105.85", "Viettel", "LTE", "-95", "", ""}})
	want := map[string]string{"2G": "RxLev Full (dBm)", "3G": "RSCP (dBm)", "4G": "RSRP (dBm)", "5G": "RSRP (dBm)"}
	if len(sg.Missing) != 0 || len(sg.Mapping.SignalColumns) != 4 {
		t.Fatalf("missing %v, signal_columns %v", sg.Missing, sg.Mapping.SignalColumns)
	}
	for k, v := range want {
		if sg.Mapping.SignalColumns[k] != v {
			t.Errorf("signal_columns[%s] = %q, want %q", k, sg.Mapping.SignalColumns[k], v)
		}
	}
	for src, dst := range sg.Mapping.Columns {
		if dst == "signal_dbm" {
			t.Errorf("columns[%q] = signal_dbm beside signal_columns", src)
		}
	}
	if _, err := ParseMapping(sg.Mapping.JSON()); err != nil {
		t.Errorf("suggested mapping does not parse: %v", err)
	}
	// A TEMS export (the preset's layout) across 2G, 3G and 4G: the
	// preset reads RSRP alone, so the suggestion reads each technology's
	// column and says the preset would ignore the others. It adopted the
	// preset, and every 3G and 2G row was rejected.
	tems := []string{"Time", "Latitude", "Longitude", "Operator", "RAT", "Serving Cell RSRP (dBm)", "Serving Cell RSRQ (dB)",
		"Serving Cell RS SINR (dB)", "Serving Cell Identity", "Serving Cell PCI", "Serving Cell EARFCN",
		"PDSCH Throughput (kbit/s)", "PUSCH Throughput (kbit/s)", "Serving Cell RSCP (dBm)", "RxLev Full (dBm)"}
	sg = Suggest(KindMeasurements, tems, nil)
	if sg.Preset != "tems" || sg.Mapping.SignalColumns["3G"] != "Serving Cell RSCP (dBm)" || sg.Mapping.SignalColumns["4G"] != "Serving Cell RSRP (dBm)" ||
		sg.Mapping.Columns["Serving Cell RSRP (dBm)"] != "" || strings.Join(sg.PresetIgnores, "|") != "Serving Cell RSCP (dBm)|RxLev Full (dBm)" {
		t.Errorf("TEMS across technologies: preset %q, ignores %v, mapping %+v", sg.Preset, sg.PresetIgnores, sg.Mapping)
	}
	if _, err := ParseMapping(sg.Mapping.JSON()); err != nil {
		t.Errorf("suggested mapping does not parse: %v", err)
	}
	// One technology's column alone stays a plain signal_dbm.
	sg = Suggest(KindMeasurements, []string{"Time", "Latitude", "Longitude", "Operator", "Network Type", "RSRP"}, nil)
	if sg.Mapping.SignalColumns != nil || sg.Mapping.Columns["RSRP"] != "signal_dbm" {
		t.Errorf("RSRP alone: %+v", sg.Mapping)
	}
}

// A mapping (or a preset) that reads RSRP alone rejects a 3G row without
// it as "no signal"; the rejection now names the file's RSCP column left
// unread and the way to read it, which it did not.
func TestUnreadSignalColumnNamed(t *testing.T) {
	const dump = "Time,Lat,Lon,Operator,Network Type,RSRP,RSCP (dBm),RxLev\n" +
		"2026-10-03 08:00:01,21.0285,105.8542,Viettel,LTE,-95,,\n" +
		"2026-10-03 08:00:02,21.0286,105.8543,Viettel,WCDMA,,-88,\n" +
		"2026-10-03 08:00:03,21.0287,105.8544,Viettel,GSM,,,-70\n" +
		"2026-10-03 08:00:04,21.0288,105.8545,Viettel,LTE,,,\n"
	m, err := ParseMapping([]byte(`{"columns": {"Time": "ts", "Lat": "lat", "Lon": "lon", "Operator": "carrier", "Network Type": "tech", "RSRP": "signal_dbm"}}`))
	if err != nil {
		t.Fatal(err)
	}
	_, rejects, _ := readM(t, dump, m, nil)
	want := map[int64]string{
		3: `the file's column "RSCP (dBm)", 3G's RSCP, is not read: the mapping's signal_columns`,
		4: `the file's column "RxLev", 2G's RSSI, is not read`,
	}
	if len(rejects) != 3 {
		t.Fatalf("rejects %+v", rejects)
	}
	for _, r := range rejects {
		w, ok := want[r.Line]
		switch {
		case !ok && strings.Contains(r.Detail, "is not read"):
			t.Errorf("line %d (4G, its own column read): %s", r.Line, r.Detail)
		case ok && !strings.Contains(r.Detail, w):
			t.Errorf("line %d: %s; want %q", r.Line, r.Detail, w)
		}
	}
}

// A measurements mapping with signal_columns or carrier_plmn given to a
// table of another kind (--kind villages) is an error, not a crash (an
// index of a column the kind lacks) nor ignored.
func TestSignalAndPLMNColumnsOfAnotherKind(t *testing.T) {
	const villages = "village_id,name,commune_code,lon,lat,households,RSRP,MCC,MNC\nV1,Bản A,01234,105.1,21.2,40,-95,452,04\n"
	for _, js := range []string{`{"signal_columns": {"4G": "RSRP"}}`, `{"carrier_plmn": {"mcc": "MCC", "mnc": "MNC"}}`} {
		m, err := ParseMapping([]byte(js))
		if err != nil {
			t.Fatal(err)
		}
		rec, err := NewCSV(strings.NewReader(villages), CSVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = ReadVillages(context.Background(), rec, m, Defaults("v.csv", testNow), func([]engine.Village) error { return nil }, nil)
		if err == nil || !strings.Contains(err.Error(), "a table of this kind has no") {
			t.Errorf("%s on villages: %v", js, err)
		}
	}
}
