package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// validate and ingest told a file's carriers lomsong does not know to be
// mapped "in the mapping's "values" for carrier" even when no mapping was
// in use. The advice follows how the file was read, by the rule the
// unmapped values' advice follows: no mapping, write one; a mapping file,
// map it in its values.
func TestOtherCarriersAdvice(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	plain := writeFile(t, dir, "plain.csv", fortyTests("Vietel", "LTE"))
	m := writeFile(t, dir, "m.json", []byte(`{"columns": {"tech": "tech"}}`))
	const (
		known     = "carriers lomsong does not know, kept under their own names: vietel (1 row) (if one is a spelling of a known operator, "
		mapIt     = `map it in the mapping's "values" for carrier, or its rows stay apart)`
		noneInUse = `its rows stay apart: no mapping is in use, so write one that maps it in its "values" for carrier and give it with --mapping`
	)
	for _, c := range []struct {
		args      []string
		want, not string
	}{
		{[]string{plain}, known + noneInUse, mapIt},
		{[]string{"--timezone", "UTC", plain}, known + noneInUse, mapIt},
		{[]string{"--mapping", m, plain}, known + mapIt, "no mapping is in use"},
	} {
		for _, cmd := range [][]string{{"validate"}, {"ingest", "--dataset", filepath.Join(t.TempDir(), "ds")}} {
			args := append(cmd, c.args...)
			stdout, errs, code := runBinary(t, args...)
			if code != exitOK || !strings.Contains(stdout, c.want) || strings.Contains(stdout, c.not) {
				t.Errorf("%v: exit %d\nstdout: %s\nstderr: %s", args, code, stdout, errs)
			}
		}
	}
}
