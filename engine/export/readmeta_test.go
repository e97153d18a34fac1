package export

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestMetaMatches(t *testing.T) {
	m := Meta{Period: "2026-10", Province: "12", Resolution: 8, ManifestSHA256: "aa"}
	for _, tc := range []struct {
		got       Meta
		ok, stale bool
		why       string
	}{
		{Meta{Period: "2026-10", Province: "12", Resolution: 8, ManifestSHA256: "aa"}, true, false, ""},
		{Meta{Period: "2026-10", Province: "12", Resolution: 8, ManifestSHA256: "bb"}, true, true, ""},
		{Meta{Period: "2026-10", Province: "12", Resolution: 8}, true, false, ""},
		{Meta{Period: "2026-09", Province: "12", Resolution: 8}, false, false, "the month 2026-09"},
		{Meta{Period: "2026-10", Resolution: 8}, false, false, "the whole dataset"},
		{Meta{Period: "2026-10", Province: "01", Resolution: 8}, false, false, "province 01"},
		{Meta{Period: "2026-10", Province: "12", Resolution: 9}, false, false, "H3 resolution 9"},
	} {
		ok, stale, why := m.Matches(tc.got)
		if ok != tc.ok || stale != tc.stale || why != tc.why {
			t.Errorf("%+v: %v %v %q, want %v %v %q", tc.got, ok, stale, why, tc.ok, tc.stale, tc.why)
		}
	}
}

func TestReadMetaRefusesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"notes.gpkg": "not a database", "x.parquet": "PAR1 broken", "a.csv": "a,b\n"} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		if _, err := ReadMeta(context.Background(), p); !errors.Is(err, ErrNotAnExport) {
			t.Errorf("%s: %v, want ErrNotAnExport", name, err)
		}
	}
}
