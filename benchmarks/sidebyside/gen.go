package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// Vietnam's extent, the box the points are drawn from.
const (
	minLon, maxLon = 102.2, 109.4
	minLat, maxLat = 8.6, 23.3
)

// points returns n deterministic points, uniform over the box, rounded to
// six decimals so that the CSV text and the binary columns hold the very
// same float64 values: k/1e6 is the correctly rounded double of the
// decimal k·10⁻⁶, which is what every CSV reader parses "%.6f" to.
func points(n int, seed uint64) (lon, lat []float64) {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	lon, lat = make([]float64, n), make([]float64, n)
	for i := range n {
		lon[i] = math.Round((minLon+r.Float64()*(maxLon-minLon))*1e6) / 1e6
		lat[i] = math.Round((minLat+r.Float64()*(maxLat-minLat))*1e6) / 1e6
	}
	return lon, lat
}

func runGen(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 1_000_000, "number of points")
	seed := fs.Uint64("seed", 1, "random seed")
	dir := fs.String("dir", "", "output directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n <= 0 || *dir == "" {
		return errors.New("gen: -n must be positive and -dir set")
	}
	lon, lat := points(*n, *seed)
	if err := writeCSV(filepath.Join(*dir, "points.csv"), lon, lat); err != nil {
		return err
	}
	if err := writeF64(filepath.Join(*dir, "points.f64"), lon, lat); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "gen: %d points, seed %d, lon %.1f–%.1f, lat %.1f–%.1f\n", *n, *seed, minLon, maxLon, minLat, maxLat)
	return nil
}

func writeCSV(path string, lon, lat []float64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("id,lon,lat\n")
	var b []byte
	for i := range lon {
		b = strconv.AppendInt(b[:0], int64(i+1), 10)
		b = append(b, ',')
		b = strconv.AppendFloat(b, lon[i], 'f', 6, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, lat[i], 'f', 6, 64)
		b = append(b, '\n')
		w.Write(b)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeF64(path string, lon, lat []float64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var b [8]byte
	for _, col := range [][]float64{lon, lat} {
		for _, v := range col {
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
			w.Write(b[:])
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// readF64 reads the columns writeF64 wrote.
func readF64(path string) (lon, lat []float64, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	if len(data)%16 != 0 {
		return nil, nil, fmt.Errorf("%s: size %d is not a multiple of 16", path, len(data))
	}
	n := len(data) / 16
	lon, lat = make([]float64, n), make([]float64, n)
	for i := range n {
		lon[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
		lat[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*(n+i):]))
	}
	return lon, lat, nil
}
