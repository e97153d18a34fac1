package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// validate and ingest said "unmapped values, …: add them to the mapping's
// "values"" however the file was read: with no mapping at all, with a
// preset, and for an OpenCelliD export's CDMA cells, which no mapping can
// make a technology lomsong analyses. The advice now fits: a mapping file
// is told to take them; a preset or no mapping, to write one; CDMA rows
// are said apart as a technology lomsong does not analyse.
func TestUnmappedValuesAdvice(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const addThem = `add them to the mapping's "values"`

	// An OpenCelliD export (headerless): 40 cells, 2 of them CDMA.
	var oc strings.Builder
	for i := range 40 {
		radio := "LTE"
		if i%20 == 7 {
			radio = "CDMA"
		}
		fmt.Fprintf(&oc, "%s,452,4,1,%d,0,103.4%d,22.40,1000,5,1,0,0,0\n", radio, 100+i, i%10)
	}
	cells := writeFile(t, dir, "cells_452.csv", []byte(oc.String()))
	const cdma = `2 CDMA rows ("CDMA"): a technology lomsong does not analyse`
	for _, args := range [][]string{
		{"validate", cells},
		{"ingest", "--dataset", filepath.Join(dir, "ds"), "--max-reject-share", "0.1", cells},
	} {
		stdout, errs, code := runBinary(t, args...)
		if code != exitOK || !strings.Contains(stdout, "[opencellid, sites]: 40 rows read, 38 accepted, 2 rejected") ||
			!strings.Contains(stdout, cdma) || strings.Contains(stdout, "unmapped values") || strings.Contains(stdout, addThem) {
			t.Errorf("%s: exit %d\nstdout: %s\nstderr: %s", args[0], code, stdout, errs)
		}
	}

	// A technology's unknown spelling: no mapping, a preset, a mapping.
	plain := writeFile(t, dir, "plain.csv", fortyTests("viettel", "Foo"))
	g, err := os.ReadFile(filepath.Join("..", "..", "engine", "ingest", "testdata", "gnettrack.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(g), "\n")
	lines[1] = strings.Replace(lines[1], "\tLTE\tLTE\t", "\tFoo\tLTE\t", 1)
	if !strings.Contains(lines[1], "\tFoo\t") {
		t.Fatalf("gnettrack fixture: %q", lines[1])
	}
	gnet := writeFile(t, dir, "gnettrack.txt", []byte(strings.Join(lines, "\n")))
	m := writeFile(t, dir, "m.json", []byte(`{"columns": {"tech": "tech"}}`))
	zone := []string{"--timezone", "UTC"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{plain}, `unmapped values, tech: "Foo" (1 row): no mapping is in use: write one with them in its "values" and give it with --mapping`},
		{append(zone, plain), `unmapped values, tech: "Foo" (1 row): no mapping is in use`},
		{[]string{"--mapping", m, plain}, `unmapped values, tech: "Foo" (1 row): ` + addThem},
		{[]string{"--preset", "gnettrack", "--max-reject-share", "0.5", gnet}, `unmapped values, tech: "Foo" (1 row): the gnettrack preset does not map them: give a mapping instead of --preset`},
	} {
		for _, cmd := range [][]string{{"validate"}, {"ingest", "--dataset", filepath.Join(t.TempDir(), "ds")}} {
			args := append(cmd, c.args...)
			stdout, errs, code := runBinary(t, args...)
			if !strings.Contains(stdout, c.want) || !strings.HasSuffix(c.want, addThem) && strings.Contains(stdout, addThem) {
				t.Errorf("%v: exit %d\nstdout: %s\nstderr: %s", args, code, stdout, errs)
			}
		}
	}
}

// fortyTests is a measurements CSV of 40 Viettel 4G tests a minute apart,
// the sixth of carrier and tech as given (a spelling to be advised on).
func fortyTests(carrier, tech string) []byte {
	var b strings.Builder
	b.WriteString("ts,carrier,tech,lon,lat,signal_dbm\n")
	for i := range 40 {
		c, x := "viettel", "LTE"
		if i == 5 {
			c, x = carrier, tech
		}
		fmt.Fprintf(&b, "2026-10-01T08:%02d:00+07:00,%s,%s,103.45,22.40,-95\n", i, c, x)
	}
	return []byte(b.String())
}
