package pipeline

import (
	"errors"
	"github.com/lomsong/lomsong/engine/hexgrid"
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

// TestReadPopulationCSVRows: the rows lomsong population would not write
// are refused, naming line and column; each was read before — a table
// without households as 0 households everywhere ("0 dead zones" on a
// populated province), a cell listed twice as double its households, a
// cell at another resolution dropped, NaN or empty households as 0, more
// households than people counted, 1e308 people summed to +Inf, and a
// neighbour country's table taken as Viet Nam's.
func TestReadPopulationCSVRows(t *testing.T) {
	const head = "cell,population,households\n"
	for _, c := range []struct{ name, text, msg string }{
		{"no households", "cell,res,lon,lat,population\n8840644d07fffff,8,103.17,22.39,120\n", "no households column (its columns: cell, res, lon, lat, population)"},
		{"twice", head + "8840644d07fffff,120,30\n8840644d07fffff,120,30\n", "line 3, column cell: cell 8840644d07fffff is listed on line 2 too"},
		{"resolution", head + "8840644d07fffff,120,30\n8740644d0ffffff,500,120\n", "line 3, column cell: cell 8740644d0ffffff at resolution 7 where line 2's is at 8"},
		{"NaN households", head + "8840644d07fffff,120,NaN\n", `line 2, column households: "NaN" is not a count`},
		{"empty households", head + "8840644d07fffff,120,\n", "line 2, column households: empty"},
		{"households above people", head + "8840644d07fffff,33.54,500\n", "line 2, column households: 500 households for 33.54 people"},
		{"huge", head + "8840644d07fffff,1e308,1e308\n", "line 2, column population: 1e308 people in a cell of resolution 8"},
		{"bad cell", "h3,population,households\nzzz,1,1\n", "line 2, column h3: "},
		{"Laos", head + "886596ccb7fffff,120,30\n", "1 of its 1 cells lie outside Viet Nam"},
	} {
		_, err := ReadPopulationCSV(strings.NewReader(c.text))
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v, want %q", c.name, err, c.msg)
		}
	}
}

// A byte-order mark before the header is read; a bad cell or population is
// data refused (exit 3), as a bad households value is (they exited 1).
func TestReadPopulationCSVBOMAndClass(t *testing.T) {
	if cells, err := ReadPopulationCSV(strings.NewReader("\ufeffcell,population,households\r\n8840644d07fffff,120,30\r\n")); err != nil || len(cells) != 1 {
		t.Errorf("with a byte-order mark: %v %v", cells, err)
	}
	for _, text := range []string{"cell,population,households\nzzz,1,1\n", "cell,population,households\n8840644d07fffff,x,1\n"} {
		if _, err := ReadPopulationCSV(strings.NewReader(text)); !errors.Is(err, population.ErrInvalidInput) {
			t.Errorf("%q: %v", text, err)
		}
	}
}

// A village's people at its point in one fine cell (lomsong population
// --points --res 12) are a place, not 2 million a km²: accepted, bounded
// as a resolution-8 cell's people.
func TestReadPopulationCSVFineCells(t *testing.T) {
	c, err := hexgrid.Index(103.17, 22.39, 12)
	if err != nil {
		t.Fatal(err)
	}
	if cells, err := ReadPopulationCSV(strings.NewReader("cell,population,households\n" + c.String() + ",625.8,149\n")); err != nil || len(cells) != 1 {
		t.Errorf("a village of 626 people in a resolution-12 cell: %v %v", cells, err)
	}
	if _, err := ReadPopulationCSV(strings.NewReader("cell,population,households\n" + c.String() + ",2e6,1\n")); err == nil || !strings.Contains(err.Error(), "2e6 people in a cell of resolution 12") {
		t.Errorf("2 million people in a resolution-12 cell: %v", err)
	}
}

// A table whose every cell has 0 households is refused: every hex would
// count none, and the run would answer "no dead zone".
func TestReadPopulationCSVZeroHouseholds(t *testing.T) {
	_, err := ReadPopulationCSV(strings.NewReader("cell,population,households\n8840644d07fffff,120,0\n8840644d3bfffff,80,0\n"))
	if !errors.Is(err, population.ErrInvalidInput) || !strings.Contains(err.Error(), "every cell has 0 households") {
		t.Errorf("zero households everywhere: %v", err)
	}
}

// A table coarser than the analysis is the user's data refused (exit 3),
// with its advice said once.
func TestAtResolutionCoarserTable(t *testing.T) {
	c7, err := hexgrid.Index(103.17, 22.39, 7)
	if err != nil {
		t.Fatal(err)
	}
	_, err = atResolution([]population.Cell{{Cell: c7, Population: 100, Households: 25}}, 8)
	if !errors.Is(err, population.ErrInvalidInput) || strings.Count(err.Error(), "lomsong population") != 1 ||
		!strings.Contains(err.Error(), "resolution 7, coarser than the analysis at 8") {
		t.Errorf("a resolution-7 table for an analysis at 8: %v", err)
	}
}

// The population table reads as lomsong population --h3 reads it:
// semicolon- or tab-separated with decimal commas (Excel under a
// Vietnamese locale), UTF-16 with its byte-order mark; it was refused as
// missing its columns. A count a point may group ("1.200") is refused
// there as ambiguous, naming line and column.
func TestReadPopulationCSVExcelLocale(t *testing.T) {
	utf16 := func(s string) string {
		b := []byte{0xff, 0xfe}
		for _, r := range s {
			b = append(b, byte(r), byte(r>>8))
		}
		return string(b)
	}
	for _, c := range []struct{ name, text string }{
		{"semicolons", "\ufeffcell;res;lon;lat;population;households\r\n8840644d07fffff;8;103,45;22,39;1000,5;219,49\r\n"},
		{"tabs", "cell\tpopulation\thouseholds\n8840644d07fffff\t1000,5\t219,49\n"},
		{"utf-16", utf16("cell\tpopulation\thouseholds\r\n8840644d07fffff\t1000,5\t219,49\r\n")},
	} {
		cells, err := ReadPopulationCSV(strings.NewReader(c.text))
		if err != nil || len(cells) != 1 || cells[0].Population != 1000.5 || cells[0].Households != 219.49 {
			t.Errorf("%s: %v %+v", c.name, err, cells)
		}
	}
	_, err := ReadPopulationCSV(strings.NewReader("cell;population;households\n8840644d07fffff;1.200;300\n"))
	if !errors.Is(err, population.ErrInvalidInput) || !strings.Contains(err.Error(), `line 2, column population: `) || !strings.Contains(err.Error(), `"1.200" may group thousands`) {
		t.Errorf("an ambiguous count: %v", err)
	}
	// With commas between fields, a point is the decimal mark.
	cells, err := ReadPopulationCSV(strings.NewReader("cell,population,households\n8840644d07fffff,1.200,0.3\n"))
	if err != nil || cells[0].Population != 1.2 {
		t.Errorf("a comma-separated table: %v %+v", err, cells)
	}
}
