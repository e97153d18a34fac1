package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
)

// A command stopped by Ctrl-C said "lomsong: interrupted: context
// canceled": the library's words, not what became of its work nor what
// to do. It says it was stopped, that nothing is half-written, and to run
// it again; an error wrapping the cancellation keeps its own words.
func TestInterruptedSaysWhatToDo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the signal arrived
	for _, c := range []struct {
		err  error
		want string
	}{
		{context.Canceled, "lomsong: interrupted: stopped by the signal before it finished; nothing is left half-written"},
		{fmt.Errorf("ingest: a.csv: %w", context.Canceled), "lomsong: interrupted: ingest: a.csv: context canceled; nothing is left half-written"},
	} {
		var errb bytes.Buffer
		if code := exitCode(ctx, c.err, &errb); code != exitInterrupted || !strings.Contains(errb.String(), c.want) ||
			!strings.Contains(errb.String(), "run it again to finish") {
			t.Errorf("%v: exit %d\n%s", c.err, code, errb.String())
		}
	}
}
