// Command indexing times lon/lat → H3 cell indexing over Vietnam: h3-go's
// LatLngToCell per point (cgo), hexgrid.IndexInto on one goroutine, and
// IndexInto split over GOMAXPROCS goroutines. It checks that all three
// give identical cells and prints rows per second and the speed-up over
// h3-go.
//
//	go run ./benchmarks/indexing -n 10000000 -res 8
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"time"

	"github.com/lomsong/lomsong/engine/hexgrid"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "indexing:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("indexing", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 10_000_000, "number of points")
	res := fs.Int("res", 8, "H3 resolution")
	seed := fs.Uint64("seed", 1, "random seed for the points")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "goroutines for the parallel run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n <= 0 || *workers <= 0 {
		return errors.New("-n and -workers must be positive")
	}

	lon, lat := points(*n, *seed)
	ref := make([]hexgrid.Cell, *n)
	got := make([]hexgrid.Cell, *n)
	for i := range ref { // fault the pages in before timing
		ref[i], got[i] = 1, 1
	}
	fmt.Fprintf(stdout, "%d points over Vietnam (lon 102.1–109.5, lat 8.4–23.4), seed %d, res %d, GOMAXPROCS %d\n\n",
		*n, *seed, *res, runtime.GOMAXPROCS(0))

	tH3, err := timed(func() error { return hexgrid.IndexIntoH3(ref, lon, lat, *res) })
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	tOne, err := timed(func() error { return hexgrid.IndexInto(got, lon, lat, *res) })
	if err != nil {
		return err
	}
	if err := check("IndexInto", got, ref, lon, lat); err != nil {
		return err
	}
	clear(got)
	tPar, err := timed(func() error { return parallel(got, lon, lat, *res, *workers) })
	if err != nil {
		return err
	}
	if err := check("parallel IndexInto", got, ref, lon, lat); err != nil {
		return err
	}

	row := func(name string, d time.Duration) {
		ns := float64(d.Nanoseconds()) / float64(*n)
		fmt.Fprintf(stdout, "%-34s %8.1f ns/point %14.0f rows/s %7.1f× h3-go\n",
			name, ns, float64(*n)/d.Seconds(), tH3.Seconds()/d.Seconds())
	}
	row("h3-go LatLngToCell (1 goroutine)", tH3)
	row("hexgrid.IndexInto (1 goroutine)", tOne)
	row(fmt.Sprintf("hexgrid.IndexInto (%d goroutines)", *workers), tPar)
	fmt.Fprintf(stdout, "\nall %d cells identical to h3-go\n", *n)
	return nil
}

// points returns n seeded uniform points over Vietnam's extent.
func points(n int, seed uint64) (lon, lat []float64) {
	rng := rand.New(rand.NewPCG(seed, 0x1a7))
	lon, lat = make([]float64, n), make([]float64, n)
	for i := range lon {
		lon[i] = 102.1 + rng.Float64()*(109.5-102.1)
		lat[i] = 8.4 + rng.Float64()*(23.4-8.4)
	}
	return lon, lat
}

func timed(f func() error) (time.Duration, error) {
	start := time.Now()
	err := f()
	return time.Since(start), err
}

// parallel runs IndexInto on contiguous slices of the input, one per worker.
func parallel(dst []hexgrid.Cell, lon, lat []float64, res, workers int) error {
	var wg sync.WaitGroup
	errs := make([]error, workers)
	step := (len(lon) + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := min(w*step, len(lon)), min((w+1)*step, len(lon))
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = hexgrid.IndexInto(dst[lo:hi], lon[lo:hi], lat[lo:hi], res)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func check(name string, got, want []hexgrid.Cell, lon, lat []float64) error {
	for i := range got {
		if got[i] != want[i] {
			return fmt.Errorf("%s row %d (lon %.17g, lat %.17g): got %v, h3-go %v", name, i, lon[i], lat[i], got[i], want[i])
		}
	}
	return nil
}
