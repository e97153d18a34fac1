package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVillagesCSVEncodingDocumented: villages.csv holds the villages'
// Vietnamese names in UTF-8 without a byte-order mark, which Excel reads
// in the Windows code page when the file is double-clicked ("Báº£n" for
// "Bản"); nothing said so or how to open it. deadzones --help says the
// encoding, how to open the file in Excel and that codes are text; the
// file is checked to be as the help says.
func TestVillagesCSVEncodingDocumented(t *testing.T) {
	ds := exampleDataset(t)
	out := filepath.Join(t.TempDir(), "dz")
	if stdout, errs, code := runBinary(t, "deadzones", "--dataset", ds, "--out", out); code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, errs)
	}
	b, err := os.ReadFile(filepath.Join(out, "villages.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) || !bytes.HasPrefix(b, []byte("village_id,name,")) || !bytes.Contains(b, []byte("Bản A")) {
		t.Fatalf("villages.csv is not UTF-8 without a byte-order mark holding the names as given: %.80q", b)
	}
	help, errs, code := runBinary(t, "deadzones", "--help")
	if code != exitOK {
		t.Fatalf("deadzones --help: exit %d\n%s", code, errs)
	}
	help = strings.Join(strings.Fields(help+errs), " ")
	for _, want := range []string{
		"The CSV files are UTF-8 without a byte-order mark",
		`Data > From Text/CSV with File origin "65001: Unicode (UTF-8)"`,
		"Codes and ids are text",
	} {
		if !strings.Contains(help, want) {
			t.Errorf("deadzones --help does not say %q", want)
		}
	}
}
