package main

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/lomsong/lomsong/engine/dataset"
)

// osFullWriter accepts n bytes, then fails as a write to a file on a full
// disk does: a *fs.PathError naming the file written (the temporary file
// beside path), ENOSPC.
type osFullWriter struct {
	f    *dataset.AtomicFile
	path string
	n    int
}

func (w *osFullWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k, _ := w.f.Write(p[:w.n])
		w.n = 0
		tmps, _ := filepath.Glob(filepath.Join(filepath.Dir(w.path), "."+filepath.Base(w.path)+setTmpInfix+"*"))
		if len(tmps) != 1 {
			return k, errors.New("the test wants one temporary file beside " + w.path)
		}
		return k, &fs.PathError{Op: "write", Path: tmps[0], Err: syscall.ENOSPC}
	}
	w.n -= len(p)
	return w.f.Write(p)
}

// A set whose file cannot be written whole (the disk full) fails naming
// that file where it would have been, DIR/villages.csv, not the staging
// folder's temporary names (DIR/.lomsong-deadzones.tmp-N/.villages.csv.tmp-M,
// gone when the command ends), says that nothing in DIR was replaced,
// and keeps ENOSPC for errors.Is; the previous set is as it was.
func TestWriteSetDiskFullNamesTheOutput(t *testing.T) {
	dir := t.TempDir()
	first := [][2]string{{"deadzones.csv", "old table"}, {"villages.csv", "old villages"}}
	if err := writeSet(context.Background(), dir, "deadzones", fillFiles(first, "")); err != nil {
		t.Fatal(err)
	}
	before := listDir(t, dir)
	err := writeSet(context.Background(), dir, "deadzones", func(stage string) error {
		for _, f := range [][2]string{{"deadzones.csv", "new table"}, {"villages.csv", "new villages, longer"}} {
			path := filepath.Join(stage, f[0])
			err := writeAtomic(path, func(af *dataset.AtomicFile) error {
				var w io.Writer = af
				if f[0] == "villages.csv" {
					w = &osFullWriter{f: af, path: path, n: 4}
				}
				_, err := io.WriteString(w, f[1])
				return err
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("want ENOSPC, got %v", err)
	}
	msg := err.Error()
	if want := filepath.Join(dir, "villages.csv") + ": no space left on device"; !strings.HasPrefix(msg, want) {
		t.Errorf("error %q does not start with %q", msg, want)
	}
	if strings.Contains(msg, setTmpInfix) || !strings.Contains(msg, "nothing was written to "+dir) {
		t.Errorf("error %q names a temporary file, or does not say nothing in %s was replaced", msg, dir)
	}
	wantContent(t, dir, map[string]string{"deadzones.csv": "old table", "villages.csv": "old villages"})
	if got := listDir(t, dir); !slices.Equal(got, before) {
		t.Fatalf("after the failure: %v, want %v", got, before)
	}
	if _, err := os.Stat(filepath.Join(dir, setReadyName("deadzones"))); err == nil {
		t.Fatal("a ready folder was left: the failed set was committed")
	}
}
