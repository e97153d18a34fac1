package ingest

import (
	"slices"
	"strings"
	"testing"
)

// Decimal commas are found in every kind's numbers, not in measurements'
// alone: a site register saved by a Vietnamese Excel writes "103,30512",
// and a suggestion without "decimal": "," rejects every row.
func TestSuggestDecimalCommaEveryKind(t *testing.T) {
	for _, c := range []struct {
		name    string
		kind    Kind
		header  []string
		samples [][]string
	}{
		{"sites in a register's names", KindSites, []string{"Site", "Carrier", "Tech", "Longitude", "Latitude", "Azimuth"},
			[][]string{{"LC-1", "Viettel", "4G", "103,30512", "22,40123", "120"}, {"LC-2", "Viettel", "4G", "103,41234", "22,51234", "240"}}},
		{"sites in the contract's names", KindSites, []string{"site_id", "carrier", "tech", "lon", "lat"},
			[][]string{{"LC-1", "Viettel", "4G", "103,30512", "22,40123"}}},
		{"sites, the comma in the tilt only", KindSites, []string{"site_id", "carrier", "tech", "lon", "lat", "tilt_deg"},
			[][]string{{"LC-1", "Viettel", "4G", "103", "22", "2,5"}}},
		{"villages", KindVillages, []string{"village_id", "lon", "lat", "households"},
			[][]string{{"V1", "105,8512", "21,0285", "120"}}},
		{"subscriptions", KindSubscriptions, []string{"area_code", "period", "households", "fixed_median_dl_mbps"},
			[][]string{{"001", "2026-09", "1200", "45,5"}}},
		{"candidates", KindCandidates, []string{"candidate_id", "lon", "lat", "height_m"},
			[][]string{{"C1", "105,8512", "21,0285", "30"}}},
		{"measurements", KindMeasurements, []string{"ts", "carrier", "tech", "lon", "lat", "signal_dbm"},
			[][]string{{"2026-10-01 10:00:00", "Viettel", "4G", "103,30512", "22,40123", "-90,5"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			sg := Suggest(c.kind, c.header, c.samples)
			if sg.Mapping.Decimal != "," {
				t.Fatalf("decimal %q, notes %q; want \",\"", sg.Mapping.Decimal, sg.Notes)
			}
			if !slices.ContainsFunc(sg.Notes, func(n string) bool { return strings.Contains(n, "decimal commas found") }) {
				t.Errorf("notes %q: want the decimal commas named", sg.Notes)
			}
			// The suggestion reads the samples it came from.
			acc, reasons, first, err := TrySample(t.Context(), c.kind, c.header, c.samples, sg.Mapping, Defaults("x.csv", testNow))
			if err != nil || acc != int64(len(c.samples)) {
				t.Errorf("the suggested mapping accepts %d of %d sampled rows (%v, first %+v, %v)", acc, len(c.samples), reasons, first, err)
			}
		})
	}
	// Points stay points; a whole-number column's "1,200" (thousands
	// grouped) says nothing about the decimal mark.
	for _, c := range []struct {
		name    string
		kind    Kind
		header  []string
		samples [][]string
	}{
		{"site points", KindSites, []string{"site_id", "carrier", "tech", "lon", "lat"}, [][]string{{"LC-1", "Viettel", "4G", "103.30512", "22.40123"}}},
		{"households grouped", KindVillages, []string{"village_id", "lon", "lat", "households"}, [][]string{{"V1", "105", "21", "1,200"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if sg := Suggest(c.kind, c.header, c.samples); sg.Mapping.Decimal != "" {
				t.Errorf("decimal %q; want none", sg.Mapping.Decimal)
			}
		})
	}
	// Every column named is a column of its kind.
	for _, k := range append(slices.Clone(Kinds), KindClaims, KindCandidates) {
		for _, col := range decimalColumns(k) {
			if !slices.Contains(k.Columns(), col) {
				t.Errorf("%s: decimal column %q is not one of its columns", k, col)
			}
		}
	}
}
