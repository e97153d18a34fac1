package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"runtime/trace"
	"time"

	"github.com/lomsong/lomsong/engine/dataset"
)

// cpuProfileEnv names a file to write a CPU profile of the command to
// (go tool pprof reads it): LOMSONG_CPUPROFILE=/tmp/cpu.pprof lomsong run ….
const cpuProfileEnv = "LOMSONG_CPUPROFILE"

// startCPUProfile starts profiling into path (nothing when path is empty)
// and returns the function that ends it; a profile that cannot be written
// is reported on stderr and the command runs anyway.
func startCPUProfile(path string, stderr io.Writer) func() {
	return startRecording(path, cpuProfileEnv, "CPU profile", func(f io.Writer) error { return pprof.StartCPUProfile(f) }, pprof.StopCPUProfile, stderr)
}

// startRecording starts a recording named what (a CPU profile, an
// execution trace) into path with start, and returns the function that
// ends it with stop and closes the file; nothing when path is empty. A
// recording that cannot be written is reported on stderr, naming its
// variable env, and the command runs anyway.
func startRecording(path, env, what string, start func(io.Writer) error, stop func(), stderr io.Writer) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		if err = start(f); err != nil {
			f.Close()
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "lomsong: %s: no %s: %v\n", env, what, err)
		return func() {}
	}
	return func() {
		stop()
		if err := f.Close(); err != nil {
			fmt.Fprintf(stderr, "lomsong: %s: %v\n", env, err)
		}
	}
}

// traceEnv names a file to write an execution trace of the command to
// (go tool trace reads it): LOMSONG_TRACE=/tmp/run.trace lomsong run ….
// It shows when each core ran what (the stretches where one core is idle)
// and where goroutines waited; expect a few MB a second of a busy command.
const traceEnv = "LOMSONG_TRACE"

// startTrace starts the execution trace into path (nothing when path is
// empty) and returns the function that ends it; a trace that cannot be
// written is reported on stderr and the command runs anyway.
func startTrace(path string, stderr io.Writer) func() {
	return startRecording(path, traceEnv, "trace", trace.Start, trace.Stop, stderr)
}

// heapProfileEnv names a file to write a heap profile of the command to,
// taken when the live heap is at its largest:
// LOMSONG_MEMPROFILE=/tmp/heap.pprof lomsong run …, then
// go tool pprof -sample_index=inuse_space lomsong /tmp/heap.pprof.
const heapProfileEnv = "LOMSONG_MEMPROFILE"

// heapPollInterval is how often startHeapProfile reads the live heap.
const heapPollInterval = 250 * time.Millisecond

// startHeapProfile watches the live heap (runtime/metrics'
// /gc/heap/live:bytes, the heap marked live by the last collection) and
// rewrites the profile at path each time it grows by 5% over the largest
// seen, so the file ends holding the profile of the peak (within 5% and
// a poll interval); nothing when path is empty. The returned function
// stops watching.
func startHeapProfile(path string, stderr io.Writer) func() {
	if path == "" {
		return func() {}
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var peak uint64
	write := func() error {
		return writeAtomic(path, func(f *dataset.AtomicFile) error { return pprof.Lookup("heap").WriteTo(f, 0) })
	}
	check := func() error {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return nil
		}
		if live := sample[0].Value.Uint64(); live > peak+peak/20 {
			peak = live
			return write()
		}
		return nil
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(heapPollInterval)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if err := check(); err != nil {
					fmt.Fprintf(stderr, "lomsong: %s: %v\n", heapProfileEnv, err)
					return
				}
			}
		}
	}()
	return func() {
		close(stop)
		<-done
		if err := check(); err != nil {
			fmt.Fprintf(stderr, "lomsong: %s: %v\n", heapProfileEnv, err)
		}
		if peak > 0 {
			fmt.Fprintf(stderr, "lomsong: %s: heap profile at a live heap of %.0f MiB in %s\n", heapProfileEnv, float64(peak)/(1<<20), path)
		}
	}
}

// writePhase starts a command's write phase: what it writes is built and
// is most of the live heap to the end, and the writers' garbage is
// short-lived. It collects, so the collector's next target follows what
// is live now, and sets that target at 1.5× the live heap (GOGC 50)
// instead of 2×; the second core marks while a writer works. The returned
// function restores the collector's setting. A GOGC the user set is left
// as it is.
func writePhase() func() {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	runtime.GC()
	old := debug.SetGCPercent(50)
	return func() { debug.SetGCPercent(old) }
}
