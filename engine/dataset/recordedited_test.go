package dataset

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A part's period and another's carrier edited in the record, every file
// intact: MisrecordedParts names both from their folders, Verify from
// their own metadata (it passed: checksums and rows are the recorded
// ones), and Repair takes the period and carrier back from the parts (it
// kept the record, the rows read as another month's and carrier's).
func TestPartRecordEditedByHand(t *testing.T) {
	ctx := context.Background()
	s, _, res := ingestedStore(t, "m.csv")
	dir := s.Dir()
	parts := res.Source.Parts
	if len(parts) < 2 {
		t.Fatalf("%d parts", len(parts))
	}
	b, _ := os.ReadFile(filepath.Join(dir, manifestName))
	m, _ := parseManifest(b)
	m.Sources[0].Parts[0].Period = "1999-01"
	m.Sources[0].Parts[1].Carrier = "someoneelse"
	os.WriteFile(filepath.Join(dir, manifestName), mustJSON(m), 0o644)

	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	mis := s.MisrecordedParts()
	if len(mis) != 2 || !strings.Contains(mis[0], parts[0].Path+` is listed as period "1999-01"`) ||
		!strings.Contains(mis[1], parts[1].Path+` is listed as carrier "someoneelse"`) {
		t.Errorf("MisrecordedParts: %q", mis)
	}
	vr, err := s.Verify(ctx)
	if err != nil || len(vr.Bad) != 2 {
		t.Fatalf("verify of the edited records: %+v %v", vr, err)
	}
	for i, want := range []string{
		`the manifest lists period "1999-01", the part's own metadata says "` + parts[0].Period + `"`,
		`the manifest lists carrier "someoneelse", the part's own metadata says "` + parts[1].Carrier + `"`,
	} {
		if p := vr.Bad[i]; p.Path != parts[i].Path || !strings.Contains(p.Problem, want) {
			t.Errorf("verify: %+v, want %s: %s", p, parts[i].Path, want)
		}
	}

	rep, err := Repair(dir, now)
	if err != nil || len(rep.Corrected) != 2 || len(rep.Damaged) != 0 || rep.Kept != 1 || rep.Recovered != 0 {
		t.Fatalf("repair: %+v %v", rep, err)
	}
	s, _ = Open(dir)
	if got := s.Manifest().Sources[0].Parts; got[0].Period != parts[0].Period || got[1].Carrier != parts[1].Carrier {
		t.Errorf("records not corrected: %+v", got)
	}
	if mis := s.MisrecordedParts(); len(mis) != 0 {
		t.Errorf("MisrecordedParts after repair: %q", mis)
	}
	if vr, err := s.Verify(ctx); err != nil || len(vr.Bad) != 0 {
		t.Errorf("verify after repair: %+v %v", vr, err)
	}
}
