package pipeline

import (
	"errors"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/population"
)

// TestReadPopulationCSVRefusals: a table without cells, an empty file, a
// Parquet file and a raster are refused with the class the command's exit
// code reads (data refused), each saying what it is; a table with a cell
// is read.
func TestReadPopulationCSVRefusals(t *testing.T) {
	for _, c := range []struct {
		name, text string
		want       error
		msg        string
	}{
		{"header only", "cell,res,lon,lat,population,households\n", ErrMissingData, "only a header, no cells"},
		{"empty", "", ErrMissingData, "an empty file"},
		{"parquet", "PAR1\x15\x04\x15\x10\x15\x14L", population.ErrInvalidInput, "not CSV text but parquet"},
		{"geotiff", "II*\x00\x08\x00\x00\x00\x17\x00\xfe\x00\x04\x00", population.ErrInvalidInput, "binary bytes in its first line"},
	} {
		_, err := ReadPopulationCSV(strings.NewReader(c.text))
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) || strings.Contains(err.Error(), "dataset") {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	cells, err := ReadPopulationCSV(strings.NewReader("cell,population,households\n8840644d07fffff,120,30\n"))
	if err != nil || len(cells) != 1 || cells[0].Households != 30 {
		t.Fatalf("%v %+v", err, cells)
	}
}
