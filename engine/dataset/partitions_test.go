package dataset

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTooManyPartitionsRefused: a source whose rows fall in more
// partitions than the bound (here 4: every row a carrier of its own, as
// when the carrier column holds device ids) is refused before a part is
// written, naming a few of its carriers, and the dataset is unchanged; a
// file was written per partition (10,000 distinct carriers: 20 s and
// 165 MB of parts for a 1 MB file; 200,000 of them ran for tens of
// minutes). At the bound the source is taken.
func TestTooManyPartitionsRefused(t *testing.T) {
	for _, c := range []struct {
		name, header string
		row          func(i int) string
		kind         string
	}{
		{"measurements", "ts,carrier,tech,lon,lat,signal_dbm\n",
			func(i int) string { return fmt.Sprintf("2026-10-01T08:00:00Z,dev%03d,4G,105.85,21.03,-%d\n", i, 80+i) }, "more than 4 (month, carrier) partitions: 5 carriers over 1 month"},
		{"sites", "site_id,carrier,tech,lon,lat\n",
			func(i int) string { return fmt.Sprintf("S%d,dev%03d,4G,105.8,21.0\n", i, i) }, "more than 4 carriers"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ds")
			s, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			s.maxPartitions = 4
			var b strings.Builder
			b.WriteString(c.header)
			for i := range 4 {
				b.WriteString(c.row(i))
			}
			at := writeFile(t, t.TempDir(), "at.csv", b.String())
			b.WriteString(c.row(4))
			over := writeFile(t, t.TempDir(), "over.csv", b.String())
			_, err = s.IngestFile(context.Background(), over, opts())
			var tp *TooManyPartitionsError
			if !errors.As(err, &tp) || !strings.Contains(err.Error(), "over.csv: its rows fall in "+c.kind) ||
				!strings.Contains(err.Error(), "dev000, dev001, dev002, dev003, dev004") || !strings.Contains(err.Error(), "nothing was added") {
				t.Fatalf("err = %v", err)
			}
			if n := len(s.Manifest().Sources); n != 0 {
				t.Fatalf("%d sources after the refusal", n)
			}
			for _, sub := range []string{"measurements", "sites"} {
				if _, err := os.Stat(filepath.Join(dir, sub)); !os.IsNotExist(err) {
					t.Fatalf("%s written: %v", sub, err)
				}
			}
			res, err := s.IngestFile(context.Background(), at, opts())
			if err != nil || len(res.Source.Parts) != 4 {
				t.Fatalf("at the bound: %+v %v", res, err)
			}
		})
	}
}
