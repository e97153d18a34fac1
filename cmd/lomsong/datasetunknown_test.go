package main

import (
	"strings"
	"testing"
)

// TestDatasetUnknownSubcommand: lomsong dataset frob DIR names the unknown
// subcommand and the valid ones (exit 2); it only repeated the synopsis,
// leaving the user to guess which word was wrong.
func TestDatasetUnknownSubcommand(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"dataset", "frob", dir}, {"dataset", "frob"}, {"dataset", "--why", "x", "frob", dir}} {
		stdout, errs, code := runBinary(t, args...)
		if code != exitUsage || stdout != "" {
			t.Errorf("%v: exit %d, want %d\nstdout: %s\nstderr: %s", args, code, exitUsage, stdout, errs)
		}
		last := errs[strings.LastIndex(strings.TrimSuffix(errs, "\n"), "\n")+1:]
		for _, want := range []string{`unknown subcommand "frob"`, "ls", "verify", "repair", "retract"} {
			if !strings.Contains(last, want) {
				t.Errorf("%v: the error %q does not say %q", args, last, want)
			}
		}
	}
	// The known ones are unchanged: a missing DIR is still a usage error.
	if _, errs, code := runBinary(t, "dataset", "ls"); code != exitUsage || strings.Contains(errs, "unknown subcommand") {
		t.Errorf("dataset ls: exit %d\n%s", code, errs)
	}
}
