package raster

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/internal/shareddata"
)

func openFile(tb testing.TB, name string) *Reader {
	tb.Helper()
	f, err := os.Open(shareddata.Path(tb, name))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		tb.Fatal(err)
	}
	rd, err := Open(f, st.Size())
	if err != nil {
		tb.Fatal(err)
	}
	return rd
}

func TestWorldPop(t *testing.T) {
	rd := openFile(t, "vnm_worldpop_2020_1km.tif")
	in := rd.Info()
	if in.Width != 879 || in.Height != 1781 || in.Type != Float32 || !in.BigTIFF ||
		in.Compression != CompressionLZW || in.Predictor != 2 || !in.HasNoData || in.NoData != -99999 || in.EPSG != 4326 {
		t.Errorf("info %+v", in)
	}
	const arcsec30 = 1.0 / 120
	if math.Abs(in.Transform[1]-arcsec30) > 1e-9 || math.Abs(in.Transform[5]+arcsec30) > 1e-9 {
		t.Errorf("pixel size %v x %v, want 30 arc-seconds", in.Transform[1], in.Transform[5])
	}
	vals, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var total float64
	positive := 0
	for _, v := range vals {
		if !in.IsNoData(v) && v > 0 {
			total += v
			positive++
		}
	}
	t.Logf("WorldPop 2020 total %.0f in %d populated pixels", total, positive)
	const want = 97338583.0
	if math.Abs(total-want) > 0.001*want {
		t.Errorf("total %.0f, want %.0f ± 0.1%%", total, want)
	}

	// Every pixel of the CSV beside the tif, looked up by its centre.
	f, err := os.Open(shareddata.Path(t, "vnm_worldpop_2020_1km.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	rows, bad := 0, 0
	var csvTotal float64
	for sc.Scan() {
		p := strings.Split(sc.Text(), ",")
		lon, _ := strconv.ParseFloat(p[0], 64)
		lat, _ := strconv.ParseFloat(p[1], 64)
		pop, _ := strconv.ParseFloat(p[2], 64)
		csvTotal += pop
		col := int(math.Floor((lon - in.Transform[0]) / in.Transform[1]))
		row := int(math.Floor((lat - in.Transform[3]) / in.Transform[5]))
		rows++
		if col < 0 || col >= in.Width || row < 0 || row >= in.Height {
			t.Fatalf("CSV point %v,%v outside the raster", lon, lat)
		}
		v := vals[row*in.Width+col]
		// The CSV rounds to 2 decimals.
		if math.Abs(v-pop) > 0.005+1e-9 {
			if bad++; bad < 5 {
				t.Errorf("pixel (%d,%d) at %v,%v = %v, CSV %v", col, row, lon, lat, v, pop)
			}
		}
	}
	if rows != positive {
		t.Errorf("CSV has %d rows, raster %d populated pixels", rows, positive)
	}
	if bad > 0 {
		t.Errorf("%d of %d pixels differ from the CSV", bad, rows)
	}
}

func BenchmarkWorldPopRows(b *testing.B) {
	rd := openFile(b, "vnm_worldpop_2020_1km.tif")
	b.ReportAllocs()
	for b.Loop() {
		rows := rd.Rows()
		for rows.Next() {
		}
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
	}
}
