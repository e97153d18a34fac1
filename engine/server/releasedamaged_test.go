package server

import (
	"os"
	"strings"
	"testing"
)

// A release of a month one of whose parts was altered in place under the
// service (its size kept, so the release is not refused before it starts,
// as for a part removed) fails saying which part and what mends it
// (lomsong dataset verify), as a certification over the damaged part is
// refused; its reason was the dataset's error alone. The reason names the
// part by its path in the dataset, not the service's folders. Once the
// part is back, the month is released.
func TestReleaseOverADamagedPart(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	ts.certifyViettelMonth(t, f)
	part, rel, good := ts.viettelPart(t)
	alterInPlace(t, part, good)
	rl := ts.release(t, "2024-10")
	if rl.Status != "failed" || !strings.Contains(rl.Error, rel) || !strings.Contains(rl.Error, "lomsong dataset verify") ||
		!strings.Contains(rl.Error, "ask for the release again") {
		t.Fatalf("a release over a damaged part: %s %q, want failed naming %s and lomsong dataset verify", rl.Status, rl.Error, rel)
	}
	if strings.Contains(rl.Error, ts.dir) {
		t.Errorf("the reason shows the service's dataset folder: %s", rl.Error)
	}
	if err := os.WriteFile(part, good, 0o644); err != nil {
		t.Fatal(err)
	}
	if rl := ts.release(t, "2024-10"); rl.Status != "published" {
		t.Fatalf("the release once the part is back: %s %q", rl.Status, rl.Error)
	}
}
