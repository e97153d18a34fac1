package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/dataset"
)

// A province's village list with its names in the legacy encodings of the
// .VnTime (TCVN3, "ABC") and VNI-Times fonts. The bytes are glibc's
// (iconv -t TCVN5712-1) and the VNI table's (base letter, then its marks).
const (
	villagesHeader = "village_id,name,commune_code,lon,lat,households\n"
	villagesTCVN3  = villagesHeader + "LC1,B\xb6n M\xad\xeang,03199,103.35,22.40,120\n" +
		"DB1,\xa7i\xd6n Bi\xaan,03200,103.02,21.39,80\n" + "HG1,Th\xabn N\xb5 H\xc8u,00835,104.98,22.82,45\n"
	villagesVNI = villagesHeader + "LC1,Ba\xfbn M\xf6\xf4\xf8ng,03199,103.35,22.40,120\n" +
		"DB1,\xd1ie\xe4n Bie\xe2n,03200,103.02,21.39,80\n" + "HG1,Tho\xe2n Na\xf8 Ha\xe5u,00835,104.98,22.82,45\n"
)

var villagesNames = []string{"Bản Mường", "Điện Biên", "Thôn Nà Hẩu"}

// Such a list was refused: every name invalid_utf8 with the advice to
// declare Windows-1258, which read it as other letters ("B¶n M­êng") and
// stored them; "tcvn3" and "vni" were unknown encodings. Declared, each
// is read as its Vietnamese names; declared as Windows-1258, a TCVN3 list
// is rejected row by row naming the encoding its names read in.
func TestVillagesLegacyEncodings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct{ enc, body string }{{"tcvn3", villagesTCVN3}, {"vni", villagesVNI}} {
		file := filepath.Join(dir, "thon_"+c.enc+".csv")
		writeProbe(t, file, c.body)
		mapping := filepath.Join(dir, c.enc+".json")
		writeProbe(t, mapping, `{"encoding": "`+c.enc+`"}`)
		out, errs, code := runBinary(t, "validate", "--kind", "villages", "--mapping", mapping, file)
		if code != exitOK || !strings.Contains(out, "3 rows read, 3 accepted, 0 rejected") {
			t.Fatalf("%s: validate: exit %d\n%s\n%s", c.enc, code, out, errs)
		}
		ds := filepath.Join(dir, "ds_"+c.enc)
		if out, errs, code := runBinary(t, "ingest", "--dataset", ds, "--kind", "villages", "--mapping", mapping, file); code != exitOK {
			t.Fatalf("%s: ingest: exit %d\n%s\n%s", c.enc, code, out, errs)
		}
		s, err := dataset.Open(ds)
		if err != nil {
			t.Fatal(err)
		}
		vs, err := s.Villages()
		if err != nil || len(vs) != len(villagesNames) {
			t.Fatalf("%s: villages %v, %v", c.enc, vs, err)
		}
		for i, v := range vs {
			if v.Name != villagesNames[i] {
				t.Errorf("%s: village %s is named %q, want %q", c.enc, v.ID, v.Name, villagesNames[i])
			}
		}
	}

	file := filepath.Join(dir, "thon_tcvn3.csv")
	mapping := filepath.Join(dir, "cp1258.json")
	writeProbe(t, mapping, `{"encoding": "windows-1258"}`)
	ds := filepath.Join(dir, "ds_1258")
	out, errs, code := runBinary(t, "validate", "--kind", "villages", "--mapping", mapping, file)
	if code != exitDataRefused || !strings.Contains(out, `line 2, column "name", value "B¶n M\u00adêng": invalid_utf8 (does not read as Vietnamese in Windows-1258`) ||
		!strings.Contains(out, `it reads as TCVN3 (ABC, the .VnTime fonts) text "Bản Mường": give the mapping's "encoding": "tcvn3"`) {
		t.Fatalf("TCVN3 read as Windows-1258: exit %d\n%s\n%s", code, out, errs)
	}
	if out, errs, code = runBinary(t, "ingest", "--dataset", ds, "--kind", "villages", "--mapping", mapping, file); code != exitDataRefused {
		t.Fatalf("TCVN3 read as Windows-1258: ingest exit %d\n%s\n%s", code, out, errs)
	}
	if s, err := dataset.Open(ds); err == nil {
		if vs, _ := s.Villages(); len(vs) > 0 {
			t.Errorf("TCVN3 read as Windows-1258: stored %v", vs)
		}
	}

	// An encoding lomsong does not read is named, with those it reads.
	writeProbe(t, mapping, `{"encoding": "koi8-r"}`)
	_, errs, code = runBinary(t, "validate", "--kind", "villages", "--mapping", mapping, file)
	if code != exitUsage && code != exitFailure || !strings.Contains(errs, `encoding "koi8-r": want "utf-8" (the default), "windows-1258" (Excel's CSV on a Vietnamese Windows), "tcvn3" (TCVN3, the ABC fonts) or "vni"`) {
		t.Errorf("koi8-r: exit %d\n%s", code, errs)
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatal(err)
	}
}

// Without a mapping, such a list's rows were rejected as not UTF-8 with
// the advice to declare Windows-1258 (which stores other letters), and
// --suggest-mapping proposed Windows-1258 for a header in TCVN3. A row
// now says which encoding its value reads in, with the text so read; a
// byte VNI has no letter for says so, not "not UTF-8"; and
// --suggest-mapping proposes the encoding the header's names, or the
// sampled values under an ASCII header, read in.
func TestVillagesLegacyEncodingHints(t *testing.T) {
	dir := t.TempDir()
	tcvn3 := filepath.Join(dir, "thon_tcvn3.csv")
	writeProbe(t, tcvn3, villagesTCVN3)
	out, errs, code := runBinary(t, "validate", "--kind", "villages", tcvn3)
	if code != exitDataRefused || !strings.Contains(out, `line 2, column "name", value "B\xb6n M\xad\xeang": invalid_utf8 (byte 0xb6 at offset 1 is not UTF-8`) ||
		!strings.Contains(out, `it reads as TCVN3 (ABC, the .VnTime fonts) text "Bản Mường": give the mapping's "encoding": "tcvn3")`) {
		t.Errorf("no mapping: exit %d\n%s\n%s", code, out, errs)
	}

	mapping := filepath.Join(dir, "vni.json")
	writeProbe(t, mapping, `{"encoding": "vni"}`)
	out, errs, code = runBinary(t, "validate", "--kind", "villages", "--mapping", mapping, tcvn3)
	if code != exitDataRefused || !strings.Contains(out, `invalid_utf8 (byte 0xb6 at offset 1 of the value as read is no letter of VNI-Windows (the VNI-Times fonts), the mapping's encoding`) {
		t.Errorf("TCVN3 declared VNI: exit %d\n%s\n%s", code, out, errs)
	}

	out, errs, code = runBinary(t, "validate", "--suggest-mapping", "--kind", "villages", tcvn3)
	if code != exitOK || !strings.Contains(out, `"encoding": "tcvn3"`) ||
		!strings.Contains(errs, `values of the sampled rows are not UTF-8 and read as TCVN3 (ABC, the .VnTime fonts) text, "Bản Mường", "Điện Biên", "Thôn Nà Hẩu": check them`) {
		t.Errorf("suggest, ASCII header: exit %d\n%s\n%s", code, out, errs)
	}
	suggested := filepath.Join(dir, "suggested.json")
	writeProbe(t, suggested, out)
	if out, errs, code = runBinary(t, "validate", "--kind", "villages", "--mapping", suggested, tcvn3); code != exitOK || !strings.Contains(out, "3 accepted") {
		t.Errorf("the suggested mapping: exit %d\n%s\n%s", code, out, errs)
	}

	header := filepath.Join(dir, "ds_thon_tcvn3.csv")
	writeProbe(t, header, "m\xb7 th\xabn,t\xaan th\xabn,m\xb7 x\xb7,kinh \xae\xe9,v\xdc \xae\xe9,s\xe8 h\xe9\n"+strings.SplitN(villagesTCVN3, "\n", 2)[1])
	out, errs, code = runBinary(t, "validate", "--suggest-mapping", "--kind", "villages", header)
	if !strings.Contains(out, `"encoding": "tcvn3"`) || !strings.Contains(errs, `the header is not UTF-8; read as TCVN3 (ABC, the .VnTime fonts), its names are "mã thôn", "tên thôn", "mã xã", "kinh độ", "vĩ độ", "số hộ"`) {
		t.Errorf("suggest, TCVN3 header: exit %d\n%s\n%s", code, out, errs)
	}
}
