package dataset

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// TestSitesPartsReadBesideEachOther: the register's parts read beside
// each other give the rows read one part after another — every carrier's
// part, a register ingested again replacing its sectors' rows — and a
// damaged dataset the same error: the first part, in the manifest's
// order, that is gone or altered, whichever part was read first.
func TestSitesPartsReadBesideEachOther(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	const head = "site_id,carrier,tech,lon,lat,band_mhz,height_m,azimuth_deg,status\n"
	var first, again strings.Builder
	first.WriteString(head)
	again.WriteString(head)
	for i := range 300 {
		c := []string{"viettel", "mobifone", "vinaphone", "vietnamobile"}[i%4]
		fmt.Fprintf(&first, "S%d,%s,4G,%.4f,%.4f,1800,%d,%d,active\n", i, c, 103+float64(i)/1000, 21+float64(i%17)/100, 20+i%30, (i*37)%360)
		if i%5 == 0 {
			fmt.Fprintf(&again, "S%d,%s,4G,%.4f,%.4f,1800,%d,%d,down\n", i, c, 103+float64(i)/1000, 21+float64(i%17)/100, 20+i%30, (i*37)%360)
		}
	}
	ingestAll(t, dir, [2]string{"sites.csv", first.String()}, [2]string{"sites_update.csv", again.String()})
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	parts := s.Parts("sites", nil, nil)
	if len(parts) < 6 {
		t.Fatalf("%d site parts, want one per carrier and register", len(parts))
	}
	read := func(parallel bool) (any, error) {
		defer func(v bool) { sitesInParallel = v }(sitesInParallel)
		sitesInParallel = parallel
		return s.Sites(nil)
	}
	want, err := read(false)
	if err != nil {
		t.Fatal(err)
	}
	got, err := read(true)
	// Printed: a register's empty values are NaN, which DeepEqual never
	// finds equal.
	if err != nil || fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Fatalf("read beside each other: %v, or rows that differ from the reads one by one", err)
	}
	if n := len(want.([]engine.Site)); n != 300 {
		t.Fatalf("%d sites, want 300 (the second register's sectors replacing the first's)", n)
	}
	// The second part gone and the last altered: both reads name the
	// second.
	gone, altered := s.Path(parts[1]), s.Path(parts[len(parts)-1])
	b, err := os.ReadFile(altered)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x55
	if err := os.WriteFile(altered, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	_, serr := read(false)
	_, perr := read(true)
	if serr == nil || perr == nil || serr.Error() != perr.Error() || !strings.Contains(perr.Error(), filepath.Base(gone)) {
		t.Fatalf("errors: one by one %v; beside each other %v (want the same, naming %s)", serr, perr, gone)
	}
}
