package export

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// WriteGeoParquetProgress names each layer as its writing starts, with its
// feature count, and stops before the next layer once its context is done
// (a Ctrl-C): WriteGeoParquet wrote every layer whatever happened, and
// said nothing while a country's month took seconds a layer.
func TestWriteGeoParquetProgress(t *testing.T) {
	m, _ := testMonth(t)
	layers, err := Layers(m)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var started []string
	progress := func(layer string, features int) {
		started = append(started, layer)
		if features != layers[len(started)-1].Len() {
			t.Errorf("%s: %d features said, the layer has %d", layer, features, layers[len(started)-1].Len())
		}
		if len(started) == 2 {
			cancel() // as the second layer starts
		}
	}
	err = WriteGeoParquetProgress(ctx, dir, layers, m.Meta, progress)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled as the second layer started: %v, want context.Canceled", err)
	}
	if !slices.Equal(started, LayerNames[:2]) {
		t.Errorf("layers started: %v, want %v", started, LayerNames[:2])
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	// The second layer is written (the cancel came as it started), not
	// the third.
	if !slices.Equal(names, []string{"coverage_best.parquet", "coverage_hex.parquet"}) {
		t.Errorf("written: %v", names)
	}

	started = nil
	if err := WriteGeoParquetProgress(context.Background(), filepath.Join(dir), layers, m.Meta, func(l string, _ int) { started = append(started, l) }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(started, LayerNames) {
		t.Errorf("layers started: %v, want %v", started, LayerNames)
	}
}
