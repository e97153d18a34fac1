// Command lomsong indexes cell-site registers and measurement dumps into
// H3 hexagons and finds Vietnam's mobile dead zones (lõm sóng).
//
// Run "lomsong help" for the subcommands and "lomsong CMD --help" for each.
//
// Exit codes:
//
//	0  success
//	1  failure: a file could not be read or written, or an internal error
//	2  usage error: unknown subcommand or flag, missing argument
//	3  data refused: a file's rejected-row share is above --max-reject-share
//	   (its report and quarantine are still written)
//	130 interrupted (Ctrl-C)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// Exit codes (documented in the package comment and README).
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitDataRefused = 3
	exitInterrupted = 130
)

// usageError marks an error in how the command was called.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// refusedError marks input refused for its reject share.
type refusedError struct{ err error }

func (e refusedError) Error() string { return e.err.Error() }
func (e refusedError) Unwrap() error { return e.err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(ctx, err, os.Stderr))
}

func exitCode(ctx context.Context, err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintln(stderr, "lomsong:", err)
	var ue usageError
	var re refusedError
	switch {
	case errors.As(err, &ue):
		return exitUsage
	case errors.As(err, &re):
		return exitDataRefused
	case ctx.Err() != nil || errors.Is(err, context.Canceled):
		return exitInterrupted
	}
	return exitFailure
}

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, env *env) error
}

// env carries the standard streams to subcommands.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

func commands() map[string]command {
	return map[string]command{
		"validate":   {"check input files against the data contract and write the quarantine", runValidate},
		"ingest":     {"validate files and add their accepted rows to a dataset", runIngest},
		"dataset":    {"summarise, verify or repair a dataset (dataset ls|verify|repair DIR)", runDataset},
		"aggregate":  {"per H3 cell, carrier and technology statistics of the measurements", runAggregate},
		"areas":      {"list or find provinces and communes of a boundary set", runAreas},
		"calibrate":  {"fit the prediction error per carrier and technology on measured hexes", runCalibrate},
		"coverage":   {"fused coverage per H3 hex, carrier and technology (measured and predicted)", runCoverage},
		"deadzones":  {"populated places without 3G/4G, carrier gaps, villages, coverage challenges", runDeadzones},
		"demo":       {"generate a demo world of Vietnam and run every stage on it", runDemo},
		"plan":       {"universal-service investment plan: households newly covered per đồng, with an optimality bound", runPlan},
		"report":     {"one offline HTML report: scorecard, trends, maps, dead zones, investment curve", runReport},
		"scorecard":  {"the five provincial targets per month, with intervals, ranks and alerts", runScorecard},
		"population": {"distribute population (raster, H3 table or points) onto H3 cells", runPopulation},
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		printUsage(stderr)
		return usageError{"no subcommand given"}
	}
	name := args[0]
	switch name {
	case "help", "-h", "--help", "-help":
		if len(args) > 1 {
			if c, ok := commands()[args[1]]; ok {
				return c.run(ctx, []string{"--help"}, e)
			}
		}
		printUsage(stdout)
		return nil
	}
	c, ok := commands()[name]
	if !ok {
		printUsage(stderr)
		return usageError{fmt.Sprintf("unknown subcommand %q", name)}
	}
	return c.run(ctx, args[1:], e)
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `lomsong — telecom coverage and dead-zone (lõm sóng) analysis for Vietnam

Usage: lomsong <command> [flags] [arguments]

Commands:
`)
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprint(w, `
Run "lomsong <command> --help" for a command's flags and an example.
Exit codes: 0 ok, 1 failure, 2 usage error, 3 data refused (too many rejected rows), 130 interrupted.
`)
}

// newFlags returns a flag set whose usage text shows the command's synopsis,
// an example and its flags.
func newFlags(name, synopsis, example string, e *env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: lomsong %s\n\n%s\n\nFlags:\n", name, strings.TrimSpace(synopsis))
		fs.PrintDefaults()
		fmt.Fprintf(out, "\nExample:\n%s\n", example)
	}
	return fs
}

// parseFlags parses args, allowing flags after positional arguments
// ("ingest a.csv --dataset d"), and returns the positional arguments;
// --help prints the usage to stdout and returns flag.ErrHelp; a bad flag is
// a usage error.
func parseFlags(fs *flag.FlagSet, args []string, e *env) ([]string, error) {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			fs.SetOutput(e.stdout)
			fs.Usage()
			return nil, flag.ErrHelp
		}
		if a == "--" {
			break
		}
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
