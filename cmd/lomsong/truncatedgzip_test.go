package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A .gz dump cut short (a copy or download stopped part-way) was refused
// by validate and ingest with "gzip: unexpected EOF" alone. The built
// command now says the file is cut short, names it and the line reached,
// and ingest that nothing of it was ingested, which holds: the dataset
// the file was given to keeps its files and manifest byte for byte.
func TestTruncatedGzipSaysCutShort(t *testing.T) {
	bin := lomsongBinary(t)
	dir := t.TempDir()
	ds := filepath.Join(dir, "ds")
	sites := filepath.Join(dir, "sites.csv")
	writeProbe(t, sites, "site_id,carrier,tech,lon,lat\nS1,viettel,4G,105.80,21.00\nS2,viettel,4G,105.82,21.01\n")
	if out, err := exec.Command(bin, "ingest", "--dataset", ds, sites).CombinedOutput(); err != nil {
		t.Fatalf("ingest of the sites: %v\n%s", err, out)
	}
	before := treeOf(t, ds)

	var raw strings.Builder
	raw.WriteString("ts,carrier,tech,lon,lat,signal_dbm\n")
	for i := range 20000 {
		fmt.Fprintf(&raw, "2024-10-%02d 08:%02d:%02d,viettel,4G,105.%05d,21.03,-%d\n", 1+i%28, i%60, i/60%60, i*7919%100000, 70+i%40)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(raw.String()))
	zw.Close()
	cut := filepath.Join(dir, "dump.csv.gz")
	writeProbe(t, cut, gz.String()[:gz.Len()/2])

	for _, args := range [][]string{{"validate", cut}, {"ingest", "--dataset", ds, cut}} {
		var stderr bytes.Buffer
		c := exec.Command(bin, args...)
		c.Stderr = &stderr
		err := c.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitFailure {
			t.Fatalf("%s: %v, want exit %d\n%s", args[0], err, exitFailure, stderr.String())
		}
		msg := stderr.String()
		if !strings.Contains(msg, cut+": line ") || !strings.Contains(msg, "the file is cut short") {
			t.Errorf("%s of a cut-short gzip file: %q", args[0], msg)
		}
		if args[0] == "ingest" && !strings.Contains(msg, "nothing of it was ingested") {
			t.Errorf("ingest of a cut-short gzip file does not say nothing of it was ingested: %q", msg)
		}
	}
	if after := treeOf(t, ds); !slices.Equal(before, after) {
		t.Errorf("the dataset changed:\nbefore %q\nafter  %q", before, after)
	}
	if out, err := exec.Command(bin, "dataset", "verify", ds).CombinedOutput(); err != nil {
		t.Errorf("dataset verify after the refusal: %v\n%s", err, out)
	}
}

// treeOf lists every file under dir with its contents' length and bytes
// (directories by name): what an ingest that took nothing leaves as it was.
func treeOf(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			out = append(out, rel+"/")
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, fmt.Sprintf("%s %d %x", rel, len(b), b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
