package main

import (
	"strings"
	"testing"
)

// lomsong run by a user who may read the dataset but not write it is
// refused before it reads a measurement: the run made the month's whole
// pass over the measurements (hours for a national month) and only then
// failed to save it.
func TestRunByAReaderRefusedBeforeThePass(t *testing.T) {
	_, ds, reader := readerOfDataset(t, nil)
	o, errs, code := reader("run", "--dataset", ds, "--period", "2026-10")
	if code != exitFailure || !strings.Contains(errs, "run saves the month in the dataset, and this user may not write to it: run it as its owner") ||
		!strings.Contains(errs, "nothing computed") || strings.Contains(errs, "measure viettel: started") {
		t.Fatalf("run by a reader: exit %d\n%s\n%s", code, o, errs)
	}
}
