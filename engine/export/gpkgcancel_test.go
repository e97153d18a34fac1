package export

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/paulmach/orb"
)

// cancelAfter is a context cancelled at its k-th look (a call of Done or
// Err): walking k from 1 up interrupts a write at every point it checks,
// as a Ctrl-C arriving at any moment does.
type cancelAfter struct {
	context.Context
	mu     sync.Mutex
	looks  int
	k      int
	done   chan struct{}
	closed bool
}

func newCancelAfter(k int) *cancelAfter {
	return &cancelAfter{Context: context.Background(), k: k, done: make(chan struct{})}
}

func (c *cancelAfter) look() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.looks++
	if c.looks >= c.k && !c.closed {
		close(c.done)
		c.closed = true
	}
}

func (c *cancelAfter) Done() <-chan struct{} { c.look(); return c.done }

func (c *cancelAfter) Err() error {
	c.look()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return context.Canceled
	}
	return nil
}

// TestGeoPackageInterruptedAnywhere interrupts the writing of a GeoPackage
// at each point where it looks at its context: every interruption is an
// error wrapping context.Canceled, with no file at the path and no
// temporary file left beside it. An interruption as the first full
// statement of a layer's features was being prepared panicked (the
// driver's nil statement was closed) and left the temporary file.
func TestGeoPackageInterruptedAnywhere(t *testing.T) {
	const n = 300 // more than one full statement of rows (256)
	geoms := make([]orb.Geometry, n)
	ids := make([]string, n)
	for i := range geoms {
		geoms[i] = orb.Point{105 + float64(i)*1e-3, 21}
		ids[i] = "V" + string(rune('a'+i%26))
	}
	layers := []Layer{
		{Name: "villages", Description: "points", Geometry: Point, Geoms: geoms,
			Fields: []Field{{Name: "village_id", Type: Text, Texts: ids}}},
		{Name: "plan", Description: "one point", Geometry: Point, Geoms: geoms[:1],
			Fields: []Field{{Name: "candidate", Type: Text, Texts: ids[:1]}}},
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "m.gpkg")
	// An uninterrupted write first: how many looks it takes, and at
	// which each layer starts. In -short mode (the race detector's run)
	// the sweep covers the first layer's writing only, from its start to
	// the next layer's.
	whole := newCancelAfter(math.MaxInt)
	var starts []int
	progress := func(string, int) {
		whole.mu.Lock()
		starts = append(starts, whole.looks)
		whole.mu.Unlock()
	}
	if err := WriteGeoPackageProgress(whole, path, layers, Meta{Period: "2026-11"}, progress); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	whole.mu.Lock()
	from, to := 1, whole.looks
	whole.mu.Unlock()
	if testing.Short() {
		from, to = starts[0], starts[1]
	}
	for k := from; k <= to; k++ {
		ctx := newCancelAfter(k)
		err := func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("interrupted at look %d: panic: %v", k, r)
				}
			}()
			return WriteGeoPackage(ctx, path, layers, Meta{Period: "2026-11"})
		}()
		if err == nil {
			// The last looks come after the last statement.
			if _, err := os.Stat(path); err != nil {
				t.Fatal(err)
			}
			os.Remove(path)
			continue
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted at look %d: %v, want context.Canceled", k, err)
		}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			t.Fatalf("interrupted at look %d: %s left in the folder", k, e.Name())
		}
	}
}
