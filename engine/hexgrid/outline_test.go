package hexgrid

import (
	"testing"

	"github.com/paulmach/orb/planar"
)

func TestOutline(t *testing.T) {
	c, _ := Index(105.85, 21.03, 8)
	disk, err := c.Disk(1)
	if err != nil {
		t.Fatal(err)
	}
	mp, err := Outline(append(disk, disk[0])) // a duplicate is ignored
	if err != nil {
		t.Fatal(err)
	}
	if len(mp) != 1 || len(mp[0]) != 1 {
		t.Fatalf("a 7-cell disk is one polygon without holes, got %d polygons", len(mp))
	}
	ring := mp[0][0]
	if ring[0] != ring[len(ring)-1] || len(ring) != 19 { // 18 outer vertices, closed
		t.Fatalf("ring of %d points", len(ring))
	}
	ctr, _ := c.Center()
	if !planar.RingContains(ring, ctr) {
		t.Fatal("outline does not contain the centre cell")
	}
	// Removing the centre leaves a ring of 6 cells with a hole.
	var ringOnly []Cell
	for _, d := range disk {
		if d != c {
			ringOnly = append(ringOnly, d)
		}
	}
	mp, err = Outline(ringOnly)
	if err != nil || len(mp) != 1 || len(mp[0]) != 2 {
		t.Fatalf("want one polygon with a hole: %v %v", len(mp), err)
	}
	other, _ := Index(105.85, 21.03, 7)
	if _, err := Outline([]Cell{c, other}); err == nil {
		t.Fatal("mixed resolutions must be refused")
	}
	if mp, err := Outline(nil); mp != nil || err != nil {
		t.Fatal("empty input")
	}
}
