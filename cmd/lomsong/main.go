// Command lomsong indexes cell-site registers and measurement dumps into
// H3 hexagons and finds Vietnam's mobile dead zones (lõm sóng).
//
// Run "lomsong help" for the subcommands and "lomsong CMD --help" for each.
//
// Exit codes:
//
//	0  success
//	1  failure: a file could not be read or written (a dataset folder
//	   that is not there included: every command's --dataset and
//	   dataset's DIR), or an internal error
//	2  usage error: unknown subcommand or flag, missing argument, a
//	   malformed SOURCE_DATE_EPOCH
//	3  data refused: a file is empty (not even a header line) or its
//	   rejected-row share is above --max-reject-share
//	   (its report and quarantine are still written), the dataset (no
//	   site register), month or province asked for holds no data, or a
//	   mapping that validate --suggest-mapping proposes lacks a required
//	   column (the partial JSON is still printed)
//	130 interrupted: SIGINT (Ctrl-C) or SIGTERM arrived while the command
//	    ran (serve excepted: a signal is how it is stopped)
//	128+N the command was killed by signal N from outside (9: SIGKILL,
//	    most often the kernel out of memory), said on stderr
//
// A panic in a subcommand is reported as an internal error (exit 1) with
// its stack on stderr. To catch a panic on any goroutine (which the Go
// runtime ends with exit code 2), lomsong runs the command in a child
// process of itself and maps a crash of the child to exit 1 (supervise).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	// The time-zone database, embedded so that a mapping's or --timezone's
	// IANA zone resolves on machines without one (about 450 KB).
	_ "time/tzdata"

	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/engine/pipeline"
	"github.com/lomsong/lomsong/engine/population"
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

// flagNeed is a required flag and whether it is missing.
type flagNeed struct {
	flag    string // as the message names it: "--out DIR"
	missing bool
}

// requiredFlags is the usage error naming the required flags of command
// that are missing ("report: --out DIR is required"): the message named
// every required flag whichever was left out.
func requiredFlags(command string, needs ...flagNeed) error {
	var miss []string
	for _, n := range needs {
		if n.missing {
			miss = append(miss, n.flag)
		}
	}
	switch len(miss) {
	case 0:
		return nil
	case 1:
		return usageError{command + ": " + miss[0] + " is required"}
	}
	return usageError{command + ": " + strings.Join(miss[:len(miss)-1], ", ") + " and " + miss[len(miss)-1] + " are required"}
}

// refusedError marks data refused: a file whose rejected share is above
// the limit, or a month or area asked for that holds no data.
type refusedError struct{ err error }

func (e refusedError) Error() string { return e.err.Error() }
func (e refusedError) Unwrap() error { return e.err }

// internalError is a panic recovered from a subcommand: a defect, never
// a usage error, whatever the panic value.
type internalError struct {
	command string
	value   any
	stack   []byte
}

func (e internalError) Error() string {
	return fmt.Sprintf("internal error in %s: %v", e.command, e.value)
}

// supervisedEnv is set in the environment of the process that runs the
// command under supervise.
const supervisedEnv = "LOMSONG_SUPERVISED"

func main() {
	if os.Getenv(supervisedEnv) == "" {
		if exe, err := os.Executable(); err == nil {
			os.Exit(supervise(exec.Command(exe, os.Args[1:]...), os.Stderr))
		}
	}
	applyMemoryLimit()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go stopIfStuck(ctx, os.Stderr)
	stopProfile := startCPUProfile(os.Getenv(cpuProfileEnv), os.Stderr)
	stopHeap := startHeapProfile(os.Getenv(heapProfileEnv), os.Stderr)
	stopTrace := startTrace(os.Getenv(traceEnv), os.Stderr)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stopTrace()
	stopHeap()
	stopProfile()
	// The exit code reads ctx before stop cancels it: only a signal that
	// really arrived makes the run "interrupted".
	code := exitCode(ctx, err, os.Stderr)
	stop()
	os.Exit(code)
}

// interruptGrace is how long a command may take to stop once interrupted
// before it is ended as a kill would end it.
const interruptGrace = 20 * time.Second

// stopIfStuck ends the process (exit 130) when, after the signal that
// ended ctx, the command has not returned within interruptGrace, or at a
// second SIGINT or SIGTERM: a command blocked where no cancellation
// reaches it — opening a named pipe nothing writes to — ignored every
// signal but SIGKILL. Ended so, its outputs and the dataset are as after
// a kill: every output and commit whole or absent, what an unfinished one
// left cleared or completed by the next command.
func stopIfStuck(ctx context.Context, stderr io.Writer) {
	again := make(chan os.Signal, 4)
	signal.Notify(again, os.Interrupt, syscall.SIGTERM)
	<-ctx.Done()
	// The signal that ended ctx is on again too, often twice (a terminal's
	// Ctrl-C, or timeout(1), signals the whole process group, and the
	// supervisor forwards its own copy): drained once they have arrived,
	// so that only a signal sent later counts as the second.
	time.Sleep(time.Second)
	for len(again) > 0 {
		<-again
	}
	why := fmt.Sprintf("it did not stop within %s of the signal", interruptGrace)
	select {
	case <-again:
		why = "a second signal"
	case <-time.After(interruptGrace):
	}
	fmt.Fprintf(stderr, "lomsong: interrupted: stopped at once (%s; a file that gives no data, such as a named pipe nothing writes to, keeps a command waiting): each output and dataset commit is whole or absent, and the next command clears or completes what this one left\n", why)
	os.Exit(exitInterrupted)
}

// exitCode reports err on stderr and maps it to the exit code. ctx is the
// signal context, still live: it is done only when a signal arrived.
func exitCode(ctx context.Context, err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	var ie internalError
	if errors.As(err, &ie) {
		fmt.Fprintf(stderr, "lomsong: %v\n\n%s", ie, ie.stack)
		return exitFailure
	}
	if ctx.Err() != nil {
		if errors.Is(err, context.Canceled) {
			// Stopped by the signal: "context canceled" alone said
			// neither what became of its work nor what to do.
			what := "stopped by the signal before it finished"
			if err.Error() != context.Canceled.Error() {
				what = err.Error()
			}
			fmt.Fprintf(stderr, "lomsong: interrupted: %s; nothing is left half-written (each output, set of outputs and dataset commit is whole or absent; the stages of a month it saved before stay saved): run it again to finish\n", what)
			return exitInterrupted
		}
		fmt.Fprintln(stderr, "lomsong: interrupted:", err)
		return exitInterrupted
	}
	fmt.Fprintln(stderr, "lomsong:", err)
	var ue usageError
	switch {
	case errors.As(err, &ue):
		return exitUsage
	case isRefusal(err):
		return exitDataRefused
	}
	return exitFailure
}

// isRefusal reports whether err is data refused (exit 3): an empty or
// refused input, a missing column, no data for what was asked.
func isRefusal(err error) bool {
	var re refusedError
	var ea *pipeline.EmptyAreaError
	return errors.As(err, &re) || errors.As(err, &ea) || errors.Is(err, pipeline.ErrMissingData) || errors.Is(err, ingest.ErrEmptyInput) ||
		errors.Is(err, ingest.ErrMissingColumn) || errors.As(err, new(*dataset.OtherReadingError)) || errors.Is(err, dataset.ErrHeldRows) || errors.As(err, new(*dataset.ArgTableError)) || errors.As(err, new(*pipeline.ProposedOutsideError)) ||
		errors.Is(err, population.ErrInvalidInput) || errors.As(err, new(*population.ParseError))
}

// pathError is a file's error named by its path as given: the engine
// names a file by its base name (the manifest's, the quarantine's),
// which does not tell a/dump.csv from b/dump.csv.
type pathError struct {
	path, msg string
	err       error
}

func (p pathError) Error() string { return p.path + ": " + p.msg }
func (p pathError) Unwrap() error { return p.err }

// withPath returns err naming path as given: unchanged when it names it
// already, with path in place of a leading base name, or path before it.
func withPath(path string, err error) error {
	msg, base := err.Error(), filepath.Base(path)
	switch {
	case strings.HasPrefix(msg, path+": "):
		return err
	case strings.HasPrefix(msg, base+": "):
		return pathError{path, strings.TrimPrefix(msg, base+": "), err}
	}
	return pathError{path, msg, err}
}

// filesError ends a command over several input files when some could not
// be taken: each file was handled on its own (an ingest is atomic per
// file) and the others went on. It is data refused (exit 3) when every
// file's error is, else a failure (exit 1).
type filesError struct {
	errs []error
	// notTaken counts the files not taken (one error may name several:
	// the refusals are joined into one), of total.
	notTaken, total int
}

func (f filesError) Error() string {
	msgs := make([]string, len(f.errs))
	for i, err := range f.errs {
		msgs[i] = err.Error()
	}
	return fmt.Sprintf("%d of %d files not taken: %s", f.notTaken, f.total, strings.Join(msgs, "; "))
}

// Unwrap gives the files' errors when every one is a refusal, so that
// the exit code is 3; one failure among them makes the whole a failure.
func (f filesError) Unwrap() []error {
	for _, err := range f.errs {
		if !isRefusal(err) {
			return nil
		}
	}
	return f.errs
}

// supervise runs cmd — this program again, marked by supervisedEnv — with
// the standard streams passed through and SIGINT/SIGTERM forwarded, and
// returns its exit code. A panic on the command's own goroutine is
// recovered there (runCommand), but one on a worker goroutine, like any
// fatal runtime error, ends the process with the runtime's exit code 2,
// the usage code; supervise recognises the runtime's report on stderr
// ("panic: " or "fatal error: " then a goroutine stack) and exits 1 instead,
// an internal error. A child killed by a signal gives 128 + the signal,
// except by a SIGINT or SIGTERM forwarded from here: 130, interrupted.
func supervise(cmd *exec.Cmd, stderr io.Writer) int {
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, supervisedEnv+"=1")
	cmd.Stdin, cmd.Stdout = os.Stdin, os.Stdout
	watch := &crashWatcher{w: stderr}
	cmd.Stderr = watch
	sig := make(chan os.Signal, 4)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(stderr, "lomsong:", err)
		return exitFailure
	}
	done := make(chan struct{})
	var forwarded atomic.Bool
	go func() {
		for {
			select {
			case s := <-sig:
				forwarded.Store(true)
				cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	var ee *exec.ExitError
	switch {
	case err == nil:
		return exitOK
	case !errors.As(err, &ee):
		fmt.Fprintln(stderr, "lomsong:", err)
		return exitFailure
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		// A SIGINT or SIGTERM forwarded to a child still starting (its
		// handler not yet installed) ends it by the signal's default
		// action: the user interrupted, and the code says so (130).
		if forwarded.Load() && (ws.Signal() == syscall.SIGINT || ws.Signal() == syscall.SIGTERM) {
			return exitInterrupted
		}
		// Killed from outside, the command could say nothing itself:
		// said here, or the exit code alone would tell it.
		why, again := "by another process", "run it again"
		switch ws.Signal() {
		case syscall.SIGKILL:
			why = "most often by the kernel when memory ran out (see GOMEMLIMIT; the kernel log names it), or kill -9"
		case syscall.SIGPIPE:
			// Nobody killed it: what read its output (head, a closed
			// terminal) stopped reading, and the next write ended it.
			why, again = "as the program reading its output (head, a closed terminal or connection) stopped reading before it finished", "run it again with its output read to the end (or redirected to a file)"
		}
		fmt.Fprintf(stderr, "lomsong: the command was killed by signal %d (%v; exit %d), %s: what it saves is written whole or not at all, %s\n",
			int(ws.Signal()), ws.Signal(), 128+int(ws.Signal()), why, again)
		return 128 + int(ws.Signal())
	}
	code := ee.ExitCode()
	if code == exitUsage && watch.crashed {
		fmt.Fprintln(stderr, "lomsong: internal error: the program crashed (report above)")
		return exitFailure
	}
	return code
}

// crashWatcher passes a child's stderr through and notes whether it holds
// the Go runtime's crash report: a line starting "panic: " or
// "fatal error: " followed by one starting "goroutine ".
type crashWatcher struct {
	w        io.Writer
	line     []byte // the start of the current line (at most 16 bytes)
	panicked bool
	crashed  bool
}

func (c *crashWatcher) Write(p []byte) (int, error) {
	for _, b := range p {
		if b != '\n' {
			if len(c.line) < 16 {
				c.line = append(c.line, b)
			}
			continue
		}
		l := string(c.line)
		if strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") {
			c.panicked = true
		} else if c.panicked && strings.HasPrefix(l, "goroutine ") {
			c.crashed = true
		}
		c.line = c.line[:0]
	}
	return c.w.Write(p)
}

// runCommand runs one subcommand, turning a panic into an internalError
// carrying the stack.
//
// A signal that arrived while the command ran ends it as interrupted
// (exit 130, as SIGINT's default action would), even when the command
// finished before it noticed: its outputs, written atomically, are
// whole, but whoever sent the signal must not read success. serve is the
// exception: a signal is how it is stopped (it drains and exits 0).
func runCommand(ctx context.Context, name string, c command, args []string, e *env) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = internalError{command: name, value: v, stack: debug.Stack()}
		}
	}()
	err = c.run(ctx, args, e)
	err = damagedPartAdvice(err, e.dataset)
	var ea *pipeline.EmptyAreaError
	if errors.As(err, &ea) && err.Error() == ea.Error() {
		err = emptyAreaError{command: name, err: ea}
	}
	if err == nil && ctx.Err() != nil && name != "serve" {
		err = fmt.Errorf("%s finished, but a signal arrived while it ran", name)
	}
	return err
}

// emptyAreaError is a --province that holds no evidence of its own
// (pipeline.EmptyAreaError: no registered site in it, no test of the
// month in its inner hexes), said by the command asked and with what to
// do: the engine's own words, "pipeline: no measurements or sites in Hà
// Nội (01)", named neither. Data refused (exit 3), as the engine's error.
type emptyAreaError struct {
	command string
	err     *pipeline.EmptyAreaError
}

func (e emptyAreaError) Error() string {
	return fmt.Sprintf("%s: --province: %s: nothing of its own to analyse: name a province whose registered sites or tests of the month the dataset holds, or leave --province out to analyse every province that has them",
		e.command, strings.TrimPrefix(e.err.Error(), "pipeline: "))
}

func (e emptyAreaError) Unwrap() error { return e.err }

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, env *env) error
}

// env carries the standard streams to subcommands.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// clock, when set, is the current time for what the commands write
	// (ingest times, the report's date); otherwise outputNow.
	clock func() time.Time
	// dataset is the dataset an analysis command opened
	// (openForAnalysis): a part of it found damaged is said with what to
	// do about it (damagedPartAdvice).
	dataset string
}

// now is the current time for what a command writes: env's clock when
// set, else outputNow.
func (e *env) now() time.Time {
	if e.clock != nil {
		return e.clock()
	}
	return outputNow(os.Getenv)
}

// outputNow is the clock: SOURCE_DATE_EPOCH (seconds since 1970, the
// reproducible-builds convention) when set, so that runs on the same
// inputs write byte-identical files; else the wall clock. It is the
// ingest time recorded in the manifest (and the time after which a row's
// timestamp is refused as in the future) and the report's date. A
// malformed value is refused by run before any command starts
// (sourceDateEpoch); here it would fall back to the wall clock.
func outputNow(getenv func(string) string) time.Time {
	if t, ok, err := sourceDateEpoch(getenv); ok && err == nil {
		return t
	}
	return time.Now()
}

// sourceDateEpoch reads SOURCE_DATE_EPOCH: ok is false when it is unset
// or empty. Its value must be what "date +%s" prints, an integer with no
// sign other than a leading minus, no spaces and no fraction
// (reproducible-builds.org: a malformed value is an error, not a value
// to ignore), within the years 1 to 9999 that the written timestamps can
// hold.
func sourceDateEpoch(getenv func(string) string) (t time.Time, ok bool, err error) {
	v := getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		return time.Time{}, false, nil
	}
	digits := strings.TrimPrefix(v, "-")
	malformed := fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a whole number of seconds since 1970 (as date +%%s prints it)", v)
	if digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return time.Time{}, true, malformed
	}
	sec, perr := strconv.ParseInt(v, 10, 64)
	const first, last = -62135596800, 253402300799 // 0001-01-01T00:00:00Z, 9999-12-31T23:59:59Z
	if perr != nil || sec < first || sec > last {
		return time.Time{}, true, fmt.Errorf("SOURCE_DATE_EPOCH=%q is out of range: seconds since 1970 from %d to %d (the years 1 to 9999)", v, int64(first), int64(last))
	}
	return time.Unix(sec, 0).UTC(), true, nil
}

func commands() map[string]command {
	return map[string]command{
		"validate":   {"check input files against the data contract and write the quarantine", runValidate},
		"ingest":     {"validate files and add their accepted rows to a dataset", runIngest},
		"dataset":    {"summarise, verify or repair a dataset, or take a source out of it (dataset ls|verify|repair DIR, dataset retract DIR SOURCE)", runDataset},
		"aggregate":  {"per H3 cell, carrier and technology statistics of the measurements", runAggregate},
		"areas":      {"list or find provinces and communes of a boundary set", runAreas},
		"campaign":   {"where to measure next: villages, teams, days and routes by value of information", runCampaign},
		"calibrate":  {"fit the prediction error per carrier and technology on measured hexes", runCalibrate},
		"coverage":   {"fused coverage per H3 hex, carrier and technology (measured and predicted)", runCoverage},
		"deadzones":  {"populated places without 3G/4G, carrier gaps, villages, coverage challenges", runDeadzones},
		"demo":       {"generate a demo world of Vietnam and run every stage on it", runDemo},
		"plan":       {"universal-service investment plan: households newly covered per đồng, with an optimality bound", runPlan},
		"run":        {"the monthly run: every stage of a month once, saved in the dataset and reused while its inputs are unchanged", runRun},
		"report":     {"one offline HTML report: scorecard, trends, maps, dead zones, investment curve", runReport},
		"scorecard":  {"the five provincial targets per month, with intervals, ranks and alerts", runScorecard},
		"population": {"distribute population (raster, H3 table or points) onto H3 cells", runPopulation},
		"serve":      {"the authenticated HTTP service: submissions, certification, releases", runServe},
		"users":      {"add, list or revoke the users (tokens) of lomsong serve", runUsers},
		"export":     {"a month as GeoPackage, GeoParquet or PostGIS tables for QGIS, notebooks and databases", runExport},
		"version":    {"print the version, commit and build date", runVersion},
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	sw := &outWriter{w: stdout}
	err := dispatch(ctx, args, stdin, sw, stderr)
	if err == nil && sw.err != nil {
		// What the command wrote on stdout (a report, a suggested mapping,
		// a listing redirected to a file) is incomplete: a failure, not
		// exit 0 with an empty or cut file (a full disk, /dev/full).
		return fmt.Errorf("writing the output to standard output: %w; what was written there is incomplete", sw.err)
	}
	return err
}

// outWriter passes writes to w and keeps the first error: a command's
// messages on stdout are not checked one by one, and run fails the command
// when one was not written.
type outWriter struct {
	w   io.Writer
	err error
}

func (o *outWriter) Write(p []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(p)
	if err != nil {
		o.err = err
	}
	return n, err
}

// dispatch runs the command args name.
func dispatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
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
				return runCommand(ctx, args[1], c, []string{"--help"}, e)
			}
			// Help of no command is a usage error, as the command would
			// be: the general help, exit 0, read as help of it.
			printUsage(stderr)
			return usageError{fmt.Sprintf("help: unknown subcommand %q", args[1])}
		}
		printUsage(stdout)
		return nil
	}
	c, ok := commands()[name]
	if !ok {
		printUsage(stderr)
		return usageError{fmt.Sprintf("unknown subcommand %q", name)}
	}
	if _, _, err := sourceDateEpoch(os.Getenv); err != nil {
		return usageError{err.Error()}
	}
	return runCommand(ctx, name, c, args[1:], e)
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
Run "lomsong <command> --help" for a command's flags, an example and its exit codes.
Exit codes: 0 ok, 1 failure, 2 usage error, 3 data refused (an empty file, too many rejected rows,
no data in the dataset, month or province asked for, or an incomplete suggested mapping),
130 interrupted (also when the command finished after the signal arrived), 128+N killed by signal N
from outside (137: SIGKILL, most often out of memory; said on stderr).
Environment: GOMEMLIMIT (e.g. 1400MiB) is the soft limit of the memory the Go runtime keeps
before collecting harder (default: 3/4 of the memory available, the container's limit or the
machine's); LOMSONG_CPUPROFILE=FILE and LOMSONG_MEMPROFILE=FILE profile a command (go tool pprof),
LOMSONG_TRACE=FILE writes its execution trace (go tool trace: when each core ran what);
SOURCE_DATE_EPOCH (seconds since 1970) is taken as the current time for what is written (ingest
times, the report's date), so reruns on the same inputs write identical files (the demo fixes its
own clock at the end of its measured month); a value that is not a plain integer (no spaces, no
sign other than a leading minus, no fraction) is a usage error (exit 2).
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
		fmt.Fprintf(out, "\nExit codes: %s; lomsong --help has the details.\n", commandExitCodes(name))
	}
	return fs
}

// commandExitCodes is the exit codes a command's --help lists: those it
// can end with (exitCode decides them), with what gives the rarer ones.
func commandExitCodes(name string) string {
	const noData = "3 data refused (the dataset, month or province asked for holds no data to answer with, or DIR, a folder, holds no dataset)"
	switch name {
	case "validate":
		return "0 ok, 1 failure (a file not read), 2 usage error, 3 data refused (a file empty or without a required column, a rejected share above --max-reject-share, an incomplete --suggest-mapping), 130 interrupted"
	case "ingest":
		return "0 ok, 1 failure (a file not read), 2 usage error, 3 data refused (a file empty or without a required column, a rejected share above --max-reject-share, rows the dataset holds from another file, another reading of a file ingested: nothing of it is added), 130 interrupted"
	case "dataset":
		return "0 ok, 1 failure (DIR missing or not a folder, as every command's --dataset; verify: bad parts; repair: damaged or missing parts), 2 usage error (retract: no single source answers to SOURCE), 3 data refused (DIR, a folder, holds no dataset), 130 interrupted"
	case "areas":
		return "0 ok, 1 failure (a boundary file that cannot be opened), 2 usage error (a name or code no unit has), 3 data refused (a boundary file that is not GeoJSON, or has no units or not the properties named)"
	case "population":
		return "0 ok, 1 failure, 2 usage error, 3 data refused (an input without a populated cell, outside Viet Nam, or with counts too high for people), 130 interrupted"
	case "campaign":
		return "0 ok, 1 failure (also a --dataset DIR missing or not a folder), 2 usage error (also a --start not found, or a --communes file none of whose units names its province by --commune-parent-prop), 3 data refused (the dataset, month or province asked for holds no data to answer with, DIR holds no dataset, a --verdicts file without a village to plan for, or a --communes file that cannot be read as communes or gives none of the villages a commune), 130 interrupted"
	case "demo":
		return "0 ok, 1 failure, 2 usage error (also an unknown --province), 130 interrupted"
	case "serve":
		return "0 ok, also when stopped by SIGINT or SIGTERM, 1 failure (another serve on DIR, a TLS certificate or key that cannot be loaded), 2 usage error"
	case "users":
		return "0 ok, 1 failure (DIR is not a dataset's folder), 2 usage error (also a user to revoke that does not exist)"
	case "version":
		return "0 ok, 2 usage error"
	}
	return "0 ok, 1 failure (also a --dataset DIR missing or not a folder), 2 usage error, " + noData + ", 130 interrupted"
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
	if err := repeatedFlag(fs, args); err != nil {
		return nil, err
	}
	decimalIntFlags(fs)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, checkFlags(fs)
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), checkFlags(fs)
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// decimalIntFlags makes fs's integer flags take decimal digits only. The
// flag package reads an integer as Go source does: --days 010 planned 8
// days, 0x10 16 and 5_0 50, while 08 was refused as a bare "parse error".
func decimalIntFlags(fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		g, ok := f.Value.(flag.Getter)
		if !ok {
			return
		}
		switch g.Get().(type) {
		case int, int64, uint, uint64:
			f.Value = decimalInt{g}
		}
	})
}

// decimalInt is an integer flag that takes an optional sign and decimal
// digits alone.
type decimalInt struct{ flag.Getter }

func (d decimalInt) Set(s string) error {
	sign, digits := "", s
	if s != "" && (s[0] == '-' || s[0] == '+') {
		sign, digits = strings.TrimPrefix(s[:1], "+"), s[1:]
	}
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return errors.New("want a whole number in decimal digits (no spaces, fraction, exponent or 0x prefix)")
	}
	// Leading zeros are decimal too (the flag package reads 010 as octal).
	if digits = strings.TrimLeft(digits, "0"); digits == "" {
		sign, digits = "", "0"
	}
	return d.Getter.Set(sign + digits)
}

func (d decimalInt) String() string {
	if d.Getter == nil {
		return "0" // the zero value flag.PrintDefaults compares a default with
	}
	return d.Getter.String()
}

// repeatedFlag refuses a flag given twice with different values: the flag
// package keeps the last without a word, so a script's defaults followed
// by the caller's ("--budget 500e9 … --budget 2e9") or a month pasted
// twice would answer one of the two questions unasked. The same value
// twice is no conflict. args are read as the flag package reads them
// (-name or --name, =value or the next word unless a bool flag); a word
// not a known flag's is left to the parser.
func repeatedFlag(fs *flag.FlagSet, args []string) error {
	seen := map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return nil
		}
		if len(a) < 2 || a[0] != '-' {
			continue
		}
		name := strings.TrimPrefix(a[1:], "-")
		value, hasValue := "", false
		if j := strings.IndexByte(name, '='); j >= 0 {
			name, value, hasValue = name[:j], name[j+1:], true
		}
		f := fs.Lookup(name)
		if f == nil {
			continue
		}
		if !hasValue {
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				value = "true"
			} else if i+1 < len(args) {
				i++
				value = args[i]
			}
		}
		if prev, ok := seen[name]; ok && prev != value {
			return usageError{fmt.Sprintf("%s: --%s given twice (%q, then %q): give it once", fs.Name(), name, prev, value)}
		}
		seen[name] = value
	}
	return nil
}

// checkFlags refuses values the flag package accepts that no command can
// act on: finiteFlags, then companionFlags.
func checkFlags(fs *flag.FlagSet) error {
	if err := finiteFlags(fs); err != nil {
		return err
	}
	return companionFlags(fs)
}

// flagCompanions are the flags that only qualify another flag's file:
// given without it they would be ignored without a word, and the caller
// would believe, say, the units read by a property they named.
var flagCompanions = []struct {
	flags []string
	needs string            // the flag they qualify
	ok    func(string) bool // whether its value takes them
	what  string            // what it must name, for the message
}{
	{[]string{"code-prop", "name-prop", "parent-prop"}, "boundaries",
		func(v string) bool { return (&boundaryFlags{boundaries: v}).isFile() },
		"a GeoJSON file (the embedded sets' properties are fixed)"},
	{[]string{"commune-parent-prop"}, "communes",
		func(v string) bool { return v != "" }, "a communes file"},
}

// companionFlags refuses a flag of flagCompanions given while the flag it
// qualifies does not name a file it applies to (a usage error).
func companionFlags(fs *flag.FlagSet) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, c := range flagCompanions {
		needs := fs.Lookup(c.needs)
		if needs == nil {
			continue
		}
		v := needs.Value.String()
		if c.ok(v) {
			continue
		}
		for _, name := range c.flags {
			if !given[name] {
				continue
			}
			shown := "not given"
			if v != "" {
				shown = v
			}
			return usageError{fmt.Sprintf("%s: --%s %s applies to --%s naming %s; --%s is %s: give --%s FILE, or leave --%s out",
				fs.Name(), name, fs.Lookup(name).Value.String(), c.needs, c.what, c.needs, shown, c.needs, name)}
		}
	}
	return nil
}

// finiteFlags refuses a number flag given NaN or ±Inf (which strconv,
// and so the flag package, accept): every number flag is an amount, a
// share, a distance or a rate, and a NaN passes every range check written
// as a comparison ("x < 0" is false for NaN). It refuses a text flag given
// an empty or blank value too: that is a script's unset variable
// (--province "$P"), and read as the flag's default it would answer
// another question (the whole country) without a word.
func finiteFlags(fs *flag.FlagSet) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		g, ok := f.Value.(flag.Getter)
		if !ok || err != nil {
			return
		}
		switch v := g.Get().(type) {
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				err = usageError{fmt.Sprintf("%s: --%s %s: want a finite number", fs.Name(), f.Name, f.Value.String())}
			}
		case string:
			if strings.TrimSpace(v) == "" {
				err = usageError{fmt.Sprintf("%s: --%s %q: an empty value; give one, or leave the flag out for its default", fs.Name(), f.Name, v)}
			}
		}
	})
	return err
}

// parseFlagsNoArgs is parseFlags for a command that takes flags only: a
// word left over (a month given without --period, a stray file name) is a
// usage error rather than silently ignored.
func parseFlagsNoArgs(fs *flag.FlagSet, args []string, e *env) error {
	pos, err := parseFlags(fs, args, e)
	if err != nil || len(pos) == 0 {
		return err
	}
	hint := ""
	var pf periodFlag
	if pf.Set(pos[0]) == nil && fs.Lookup("period") != nil {
		hint = fmt.Sprintf(" (did you mean --period %s?)", pos[0])
	}
	return usageError{fmt.Sprintf("%s: unexpected argument %q%s: it takes flags only (lomsong %s --help)", fs.Name(), pos[0], hint, fs.Name())}
}

// periodFlag is a --period value, checked when the flags are parsed: a
// calendar month written YYYY-MM ("2026-10"; not "2026-1" or "2026-13").
type periodFlag struct {
	p   penetration.Period
	set bool
}

func (f *periodFlag) String() string {
	if f == nil || !f.set {
		return ""
	}
	return f.p.String()
}

func (f *periodFlag) Set(s string) error {
	p, err := parsePeriod(s)
	if err != nil {
		return err
	}
	f.p, f.set = p, true
	return nil
}

// periodListFlag is a comma-separated list of YYYY-MM months.
type periodListFlag []string

func (f *periodListFlag) String() string {
	if f == nil {
		return ""
	}
	return strings.Join(*f, ",")
}

func (f *periodListFlag) Set(s string) error {
	var out []string
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		p, err := parsePeriod(part)
		if err != nil {
			return err
		}
		out = append(out, p.String())
	}
	if len(out) == 0 {
		return errors.New("want one or more months YYYY-MM, comma-separated")
	}
	*f = out
	return nil
}

// parsePeriod reads a month YYYY-MM; the error (shown by the flag package
// after the flag's name and value) gives the expected form.
func parsePeriod(s string) (penetration.Period, error) {
	p, err := penetration.ParsePeriod(s)
	if err != nil || p.Year < 1000 {
		return penetration.Period{}, errors.New("want a calendar month YYYY-MM, e.g. 2026-10")
	}
	return p, nil
}
