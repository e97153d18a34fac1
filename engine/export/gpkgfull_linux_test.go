package export

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/paulmach/orb"
)

// A GeoPackage that does not fit on its disk fails as every other write
// on a full disk does, "no space left on device" (ENOSPC), where it said
// SQLite's "database or disk is full (13)"; the earlier file stays and no
// temporary file is left. The folder is a small tmpfs: the test needs
// the privilege to mount one, and skips without.
func TestGeoPackageFullDiskSaysNoSpace(t *testing.T) {
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=1m"); err != nil {
		t.Skipf("cannot mount a tmpfs (%v): run as root to test a full disk", err)
	}
	t.Cleanup(func() { syscall.Unmount(mnt, syscall.MNT_DETACH) })
	path := filepath.Join(mnt, "month.gpkg")
	if err := os.WriteFile(path, []byte("the earlier export"), 0o644); err != nil {
		t.Fatal(err)
	}
	const n = 20000
	l := Layer{Name: "villages", Geometry: Point, Geoms: make([]orb.Geometry, n), Fields: []Field{{Name: "name", Type: Text, Texts: make([]string, n)}}}
	for i := range n {
		l.Geoms[i] = orb.Point{103 + float64(i)*1e-4, 22}
		l.Fields[0].Texts[i] = strings.Repeat("Bản ", 20)
	}
	err := WriteGeoPackage(context.Background(), path, []Layer{l}, Meta{})
	if err == nil || !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "no space left on device") || !strings.Contains(err.Error(), path) {
		t.Fatalf("a GeoPackage larger than its disk: %v; want ENOSPC, naming %s", err, path)
	}
	if b, _ := os.ReadFile(path); string(b) != "the earlier export" {
		t.Errorf("the earlier file became %d bytes", len(b))
	}
	if ents, _ := os.ReadDir(mnt); len(ents) != 1 {
		t.Errorf("left in the folder: %v", ents)
	}
}
