package main

import (
	"errors"
	"flag"
	"fmt"
	iofs "io/fs"
	"os"
)

// inputFileFlags are the flags, in any command, whose value is a file the
// command reads. Each such file given is checked by inputFilesReadable, which each command calls after its
// usage checks and before any work: a file that is not there, cannot be read or
// is a folder was found by the command only when it opened it, some
// after the month's pass over the measurements, and was said as "open
// FILE: no such file or directory", naming neither the flag nor the
// command. A value beside a file the flag also takes (--calibration none,
// --boundaries provinces2025) is not a file and is left alone.
var inputFileFlags = map[string]func(value string) bool{
	"population":  nil,
	"calibration": func(v string) bool { return v != "none" },
	"communes":    nil,
	"claims":      nil,
	"candidates":  nil,
	"costs":       nil,
	"verdicts":    nil,
	"mapping":     nil,
	"bounds":      nil,
	"raster":      nil,
	"h3":          nil,
	"points":      nil,
	"tls-cert":    nil,
	"tls-key":     nil,
	"boundaries":  func(v string) bool { return (&boundaryFlags{boundaries: v}).isFile() },
}

// inputFilesReadable refuses the first input file fs's flags name that
// the command could not read, naming the command, the flag and the file:
// "CMD: --flag FILE: no such file or directory" or "…: permission denied"
// (a failure, exit 1, as the system said it), or "CMD: --flag FILE: is a
// folder, not a file" (a usage error, exit 2, as a folder given for an
// input file of validate and ingest is). Flags are taken in the order of
// their names, so the same call names the same file.
func inputFilesReadable(fs *flag.FlagSet) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		if isFile, ok := inputFileFlags[f.Name]; err == nil && ok {
			v := f.Value.String()
			if isFile == nil || isFile(v) {
				err = inputFileReadable(fs.Name(), f.Name, v)
			}
		}
	})
	return err
}

// inputFileReadable is inputFilesReadable for the file path that the
// flag --flag of command names (none when path is empty).
func inputFileReadable(command, flag, path string) error {
	if path == "" {
		return nil
	}
	suffix := ""
	if flag == "boundaries" {
		suffix = " (it takes provinces2025, provinces2019 or a GeoJSON file)"
	}
	switch reason, folder := unreadable(path); {
	case folder:
		return usageError{fmt.Sprintf("%s: --%s %s: is a folder, not a file%s", command, flag, path, suffix)}
	case reason != nil:
		return fmt.Errorf("%s: --%s %s: %w%s", command, flag, path, reason, suffix)
	}
	return nil
}

// unreadable opens the file at path and reports why it cannot be read
// (the system's reason alone, e.g. "no such file or directory" or
// "permission denied"), or that it is a folder.
func unreadable(path string) (reason error, folder bool) {
	f, err := os.Open(path)
	if err != nil {
		var pe *iofs.PathError
		if errors.As(err, &pe) {
			return pe.Err, false
		}
		return err, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err, false
	}
	return nil, fi.IsDir()
}
