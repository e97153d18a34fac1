//go:build linux

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// childArgsEnv carries the arguments of TestHostileChild.
const childArgsEnv = "LOMSONG_HOSTILE_CHILD_ARGS"

// maxRSS is the peak resident memory a command may reach on hostile input.
const maxRSS = 512 << 20

// TestHostileChild runs lomsong with the arguments in childArgsEnv and
// exits with its exit code; it is the child process of TestHostileMemory
// and skips otherwise.
func TestHostileChild(t *testing.T) {
	args := os.Getenv(childArgsEnv)
	if args == "" {
		t.Skip("runs only as the child process of TestHostileMemory")
	}
	ctx := context.Background()
	err := run(ctx, strings.Split(args, "\x1f"), strings.NewReader(""), os.Stdout, os.Stderr)
	os.Exit(exitCode(ctx, err, os.Stderr))
}

// TestHostileMemory runs each probe in a child process and checks its
// outcome and its peak RSS (getrusage's ru_maxrss, in KiB on Linux).
func TestHostileMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds inputs of hundreds of MB (compressed to a few hundred KB); not in -short")
	}
	dir := t.TempDir()
	good := "2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-98\n"
	good2 := "2026-10-01T08:00:00Z,viettel,4G,105.86,21.03,-97\n"
	// A 5 MB line between two good rows, as a plain file.
	f, err := os.Create(filepath.Join(dir, "long.csv"))
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(hostileHeader + good)
	chunk := []byte(strings.Repeat("0", 1<<20))
	for range 5 {
		f.Write(chunk)
	}
	f.WriteString("\n" + good2)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	long := f.Name()
	zeros := writeGzip(t, dir, "zeros.csv.gz", hostileHeader+good, []byte("0"), 200<<20)
	blank := writeGzip(t, dir, "blank.csv.gz", hostileHeader+good, []byte("\n"), 200<<20)
	commas := writeGzip(t, dir, "commas.csv.gz", hostileHeader+good, []byte(","), 50<<20)
	// gzip of commas ends with the good row: append a second member.
	appendGzip(t, commas, "\n"+good2)
	wide := make([]string, 100000)
	for i := range wide {
		wide[i] = "col" + strconv.Itoa(i)
	}
	wideCSV := writeFile(t, dir, "wide.csv", []byte(strings.Join(wide, ",")+"\n"))

	for _, c := range []struct {
		name string
		args []string
		code int
		want string // in stdout or stderr
	}{
		{"5 MB line", []string{"validate", "--max-reject-share", "1", long}, exitOK, "line_too_long    1"},
		{"5 MB line, ingest", []string{"ingest", "--dataset", filepath.Join(dir, "ds"), "--max-reject-share", "1", long}, exitOK, "line_too_long    1"},
		{"200 MB of zeros, no line end", []string{"validate", "--max-gzip-ratio", "5000", zeros}, exitFailure, "zeros.csv.gz: line 3: no line end within 67108864 bytes"},
		{"200 MB of line ends", []string{"validate", blank}, exitFailure, "decompresses to more than 1000 times its compressed size"},
		{"50 MB line of commas", []string{"validate", "--max-gzip-ratio", "5000", "--max-reject-share", "1", commas}, exitOK, "2 accepted, 1 rejected"},
		{"100,000 columns", []string{"validate", "--suggest-mapping", wideCSV}, exitDataRefused, "only the first 10000 are considered"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run", "^TestHostileChild$")
			cmd.Env = append(os.Environ(), childArgsEnv+"="+strings.Join(c.args, "\x1f"))
			out, _ := cmd.CombinedOutput()
			code := cmd.ProcessState.ExitCode()
			rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
			t.Logf("peak RSS %d MiB, exit %d", rss>>20, code)
			if code != c.code || !strings.Contains(string(out), c.want) {
				t.Fatalf("exit %d, want %d and %q in:\n%.2000s", code, c.code, c.want, out)
			}
			if rss > maxRSS {
				t.Fatalf("peak RSS %d MiB, above %d MiB", rss>>20, maxRSS>>20)
			}
		})
	}
}

// appendGzip appends a gzip member holding s to the file at path.
func appendGzip(t *testing.T, path, s string) {
	t.Helper()
	tmp := writeGzip(t, t.TempDir(), "m.gz", s, []byte("\n"), 0)
	b, err := os.ReadFile(tmp)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(b)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
