package main

import (
	"flag"
	"io"
	"strings"
	"testing"
)

// Integer flags take decimal digits: the flag package read them as Go
// source does, so --days 010 planned 8 days, 0x10 16 and 5_0 50, and 08
// was refused as a bare "parse error".
func TestDecimalIntFlags(t *testing.T) {
	for _, c := range []struct {
		arg  string
		want int64
		ok   bool
	}{
		{"10", 10, true}, {"010", 10, true}, {"08", 8, true}, {"+4", 4, true}, {"-3", -3, true}, {"00", 0, true}, {"-0", 0, true},
		{"0x10", 0, false}, {"5_0", 0, false}, {" 5", 0, false}, {"2.0", 0, false}, {"1e1", 0, false}, {"", 0, false}, {"-", 0, false}, {"+-5", 0, false},
	} {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		n := fs.Int("n", 1, "")
		n64 := fs.Int64("n64", 1, "")
		u := fs.Uint64("u", 1, "")
		decimalIntFlags(fs)
		err := fs.Parse([]string{"--n", c.arg, "--n64", c.arg})
		if c.ok != (err == nil) || c.ok && (int64(*n) != c.want || *n64 != c.want) {
			t.Errorf("%q: %d, %d, %v (want %d, ok %v)", c.arg, *n, *n64, err, c.want, c.ok)
		}
		if !c.ok && err != nil && !strings.Contains(err.Error(), "decimal digits") {
			t.Errorf("%q: %v", c.arg, err)
		}
		if c.ok && c.want >= 0 {
			if err := fs.Parse([]string{"--u", c.arg}); err != nil || int64(*u) != c.want {
				t.Errorf("%q as uint64: %d, %v", c.arg, *u, err)
			}
		}
	}
	// The usage a bad value prints keeps the defaults.
	var out strings.Builder
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(&out)
	fs.Int("days", 0, "days")
	fs.Int("teams", 1, "teams")
	decimalIntFlags(fs)
	_ = fs.Parse([]string{"--days", "0x1"})
	if !strings.Contains(out.String(), "(default 1)") || strings.Contains(out.String(), "default 0") || strings.Contains(out.String(), "PANIC") {
		t.Errorf("usage:\n%s", out.String())
	}
	// Through the command.
	stdout, errs, code := runCmd(t, "campaign", "--verdicts", writeVerdicts(t, verdictsCSV), "--days", "0x2", "--out", t.TempDir())
	if code != exitUsage || !strings.Contains(errs, `invalid value "0x2" for flag -days: want a whole number in decimal digits`) {
		t.Errorf("exit %d\n%s\n%s", code, stdout, errs)
	}
}
