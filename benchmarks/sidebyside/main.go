// Command sidebyside is the Go half of the side-by-side benchmark that
// run.sh drives: it generates the measurement points every tool reads,
// runs lomsong's own tasks on them, and checks that all tools' results
// agree before it prints the table of rows per second.
//
//	go run ./benchmarks/sidebyside gen     -n 1000000 -dir DIR
//	go run ./benchmarks/sidebyside lomsong -dir DIR
//	go run ./benchmarks/sidebyside report  -dir DIR -out RESULTS.md
//
// Files in DIR: points.csv (id,lon,lat with six decimals), points.f64
// (the same values as two little-endian float64 columns, lon then lat),
// each tool's results as CSV, and timings.tsv (one line per timed step:
// task, tool, step, seconds, rows, threads).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "sidebyside:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: sidebyside gen|lomsong|report [flags]")
	}
	switch args[0] {
	case "gen":
		return runGen(args[1:], stdout, stderr)
	case "lomsong":
		return runLomsong(ctx, args[1:], stdout, stderr)
	case "report":
		return runReport(args[1:], stdout, stderr)
	}
	return fmt.Errorf("unknown subcommand %q (want gen, lomsong or report)", args[0])
}
