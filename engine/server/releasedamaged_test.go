package server

import (
	"os"
	"path/filepath"
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
	parts, err := filepath.Glob(filepath.Join(ts.dir, "measurements", "period=2024-10", "carrier=viettel", "part-*.parquet"))
	if err != nil || len(parts) != 1 {
		t.Fatalf("viettel's parts: %v %v", parts, err)
	}
	part := parts[0]
	rel, _ := filepath.Rel(ts.dir, part)
	good, err := os.ReadFile(part)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		damage func()
	}{
		{"altered in place", func() {
			b := append([]byte{}, good...)
			for i := len(b) / 3; i < len(b)/3+256 && i < len(b); i++ {
				b[i] ^= 0x5a
			}
			if err := os.WriteFile(part, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.damage()
			defer func() {
				if err := os.WriteFile(part, good, 0o644); err != nil {
					t.Fatal(err)
				}
			}()
			rl := ts.release(t, "2024-10")
			if rl.Status != "failed" || !strings.Contains(rl.Error, rel) || !strings.Contains(rl.Error, "lomsong dataset verify") ||
				!strings.Contains(rl.Error, "ask for the release again") {
				t.Fatalf("a release over a damaged part: %s %q, want failed naming %s and lomsong dataset verify", rl.Status, rl.Error, rel)
			}
			if strings.Contains(rl.Error, ts.dir) {
				t.Errorf("the reason shows the service's dataset folder: %s", rl.Error)
			}
		})
	}
	if rl := ts.release(t, "2024-10"); rl.Status != "published" {
		t.Fatalf("the release once the part is back: %s %q", rl.Status, rl.Error)
	}
}
