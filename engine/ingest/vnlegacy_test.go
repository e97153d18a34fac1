package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"golang.org/x/text/transform"

	"github.com/lomsong/lomsong/internal/shareddata"
)

// Known answers: place names as the legacy encodings write them. The
// TCVN3 and Windows-1258 bytes are glibc's (iconv -t TCVN5712-1, -t
// WINDOWS-1258); the VNI bytes follow the VNI-Windows table (base letter,
// then its marks: "Vie\xe4t" for Việt), as VNI converters write them
// ("Xin cha\xf8o ca\xf9c ba\xefn" is their documented example).
var legacyNames = []struct {
	name               string
	tcvn3, vni, cp1258 string
}{
	{"Lai Châu", "Lai Ch\xa9u", "Lai Cha\xe2u", "Lai Ch\xe2u"},
	{"Điện Biên", "\xa7i\xd6n Bi\xaan", "\xd1ie\xe4n Bie\xe2n", "\xd0i\xea\xf2n Bi\xean"},
	{"Hà Giang", "H\xb5 Giang", "Ha\xf8 Giang", "H\xe0 Giang"},
	{"Mường Khương", "M\xad\xeang Kh\xad\xacng", "M\xf6\xf4\xf8ng Kh\xf6\xf4ng", "M\xfd\xf5\xccng Kh\xfd\xf5ng"},
	{"Bảo Thắng", "B\xb6o Th\xbeng", "Ba\xfbo Tha\xe9ng", "Ba\xd2o Th\xe3\xecng"},
	{"Hoàng Su Phì", "Ho\xb5ng Su Ph\xd7", "Hoa\xf8ng Su Ph\xec", "Ho\xe0ng Su Phi\xcc"},
	{"Nậm Nhùn", "N\xcbm Nh\xefn", "Na\xe4m Nhu\xf8n", "N\xe2\xf2m Nh\xf9n"},
	{"Tỉnh Tuyên Quang", "T\xd8nh Tuy\xaan Quang", "T\xe6nh Tuye\xe2n Quang", "Ti\xd2nh Tuy\xean Quang"},
	{"Xin chào các bạn", "Xin ch\xb5o c\xb8c b\xb9n", "Xin cha\xf8o ca\xf9c ba\xefn", "Xin ch\xe0o c\xe1c ba\xf2n"},
	{"LAI CHÂU", "LAI CH\xa2U", "LAI CHA\xc2U", "LAI CH\xc2U"},
	{"ĐIỆN BIÊN", "\xa7I\x8cN BI\xa3N", "\xd1IE\xc4N BIE\xc2N", "\xd0I\xca\xf2N BI\xcaN"},
}

func TestDecodeLegacyKnownAnswers(t *testing.T) {
	for _, c := range legacyNames {
		for _, e := range []struct{ enc, in string }{{EncodingTCVN3, c.tcvn3}, {EncodingVNI, c.vni}, {EncodingWindows1258, c.cp1258}} {
			got, ok := DecodeLegacy([]byte(e.in), e.enc)
			if !ok || got != c.name {
				t.Errorf("%s %q: got %q, %v; want %q", e.enc, e.in, got, ok, c.name)
			}
		}
	}
}

// A VNI letter split across two reads (its base at the end of one, its
// mark at the start of the next) is read whole.
func TestVNIAcrossReads(t *testing.T) {
	var in, want string
	for _, c := range legacyNames {
		in += c.vni + "\n"
		want += c.name + "\n"
	}
	t2, _ := legacyDecoder(EncodingVNI)
	got, err := io.ReadAll(transform.NewReader(iotest.OneByteReader(strings.NewReader(in)), t2))
	if err != nil || string(got) != want {
		t.Fatalf("got %q, %v; want %q", got, err, want)
	}
}

// A byte outside VNI's table, or a mark after a letter that does not take
// it, is no VNI text: not read as another letter.
func TestVNIRefusesOtherBytes(t *testing.T) {
	for _, in := range []string{"Th\x93n", "Hi\xe2n" /* i takes no circumflex */, "\xe2u" /* a mark with no letter */, "Ma\x81"} {
		if got, ok := DecodeLegacy([]byte(in), EncodingVNI); ok {
			t.Errorf("%q: read as %q", in, got)
		}
	}
}

// Each name's bytes are told apart: the reading guessed is the encoding
// they were written in, for one name and for a column of them.
func TestGuessLegacy(t *testing.T) {
	var all = map[string]string{}
	for _, c := range legacyNames {
		for _, e := range []struct{ enc, in string }{{EncodingTCVN3, c.tcvn3}, {EncodingVNI, c.vni}, {EncodingWindows1258, c.cp1258}} {
			all[e.enc] += e.in + ";"
			enc, text := GuessLegacy([]byte(e.in))
			if enc != e.enc || text != c.name {
				t.Errorf("%q (%s): guessed %s %q", e.in, e.enc, enc, text)
			}
		}
	}
	for enc, in := range all {
		if got, _ := GuessLegacy([]byte(in)); got != enc {
			t.Errorf("the column in %s: guessed %s", enc, got)
		}
	}
	// Plain ASCII is no evidence of any.
	if enc, _ := GuessLegacy([]byte("Ban Phung")); enc != "" {
		t.Errorf("ASCII: guessed %s", enc)
	}
}

// A header in TCVN3 or VNI was refused as not UTF-8 with the advice to
// declare Windows-1258, which reads it as other letters: the error now
// names the encoding the names read in, and the names so read.
func TestHeaderNotUTF8NamesItsEncoding(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"ma_thon,t\xaan th\xabn,x\xb7,s\xe8 h\xe9 gia \xae\xd7nh\n", `it reads as TCVN3 (ABC, the .VnTime fonts) text ("ma_thon", "tên thôn", "xã", "số hộ gia đình"): give "encoding": "tcvn3" in the mapping`},
		{"ma_thon,teân thoân,xaõ,soá hoä gia ñình\n", ""}, // UTF-8 already: no error
		{"ma_thon,te\xe2n tho\xe2n,xa\xf5,so\xe1 ho\xe4 gia \xf1\xecnh\n", `it reads as VNI-Windows (the VNI-Times fonts) text ("ma_thon", "tên thôn", "xã", "số hộ gia đình"): give "encoding": "vni" in the mapping`},
	} {
		_, err := NewCSV(strings.NewReader(c.in), CSVOptions{})
		if c.want == "" {
			if err != nil {
				t.Errorf("%q: %v", c.in, err)
			}
			continue
		}
		var he *HeaderNotUTF8Error
		if !errors.Is(err, ErrHeaderNotUTF8) || !errors.As(err, &he) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v", c.in, err)
		}
	}
	// Windows-1258 is what the message advises already: said once.
	_, err := NewCSV(strings.NewReader("Th\xf5\xcci gian,Kinh \xf0\xf4\xf2\n"), CSVOptions{})
	if err == nil || strings.Contains(err.Error(), "it reads as") {
		t.Errorf("windows-1258: %v", err)
	}
}

// A name read in a legacy encoding it is not in is said not to read as
// Vietnamese, naming the encoding it reads in (as far as each name
// tells); a name read in its own encoding, or a UTF-8 name, is not.
func TestMisread(t *testing.T) {
	for _, c := range legacyNames {
		for _, e := range []struct{ enc, in string }{{EncodingTCVN3, c.tcvn3}, {EncodingVNI, c.vni}, {EncodingWindows1258, c.cp1258}} {
			for _, declared := range []string{EncodingTCVN3, EncodingVNI, EncodingWindows1258} {
				name, ok := DecodeLegacy([]byte(e.in), declared)
				if !ok {
					continue // bytes the declared encoding has no letter for: invalid_utf8
				}
				why := misread(name, declared)
				switch {
				case declared == e.enc && why != "":
					t.Errorf("%q in its own %s: %s", name, declared, why)
				case declared != e.enc && why != "" && strings.Contains(why, "it reads as") && !strings.Contains(why, fmt.Sprintf("%q", c.name)):
					t.Errorf("%q (%s) declared %s: %s", e.in, e.enc, declared, why)
				}
			}
		}
		if why := misread(c.name, ""); why != "" {
			t.Errorf("UTF-8 %q: %s", c.name, why)
		}
	}
	for _, c := range []struct{ in, declared, want string }{
		{"B\xb6n M\xad\xeang", EncodingWindows1258, `it reads as TCVN3 (ABC, the .VnTime fonts) text "Bản Mường": give the mapping's "encoding": "tcvn3"`},
		{"Ba\xfbn M\xf6\xf4\xf8ng", EncodingWindows1258, `it reads as VNI-Windows (the VNI-Times fonts) text "Bản Mường": give the mapping's "encoding": "vni"`},
		{"\xd1ie\xe4n Bie\xe2n", EncodingTCVN3, `it reads as VNI-Windows (the VNI-Times fonts) text "Điện Biên": give the mapping's "encoding": "vni"`},
	} {
		name, _ := DecodeLegacy([]byte(c.in), c.declared)
		if why := misread(name, c.declared); !strings.Contains(why, c.want) {
			t.Errorf("%q declared %s: %q", c.in, c.declared, why)
		}
	}
}

// No real place name reads as misread: every commune, ward and province
// name of the 2025 sets and the census's 63 provinces (Vietnamese and
// the minorities' names written in its letters: Ea Súp, Ia H'Drai, Chư
// Păh) scores as Vietnamese, in UTF-8 and read back from each legacy
// encoding it can be written in.
func TestRealNamesReadAsVietnamese(t *testing.T) {
	var names []string
	for _, f := range []string{"vn_communes_2025.geojson", "vn_provinces_2025.geojson"} {
		data, err := os.ReadFile(shareddata.Path(t, f))
		if err != nil {
			t.Fatal(err)
		}
		var fc struct {
			Features []struct {
				Properties map[string]any `json:"properties"`
			} `json:"features"`
		}
		if err := json.Unmarshal(data, &fc); err != nil {
			t.Fatal(err)
		}
		for _, ft := range fc.Features {
			for _, k := range []string{"name", "fullName"} {
				if s, ok := ft.Properties[k].(string); ok {
					names = append(names, s)
				}
			}
		}
	}
	if len(names) < 3000 {
		t.Fatalf("%d names", len(names))
	}
	for _, n := range names {
		if s := notVietnamese(n); s > 0 {
			t.Errorf("%q scores %d", n, s)
		}
		for _, enc := range []string{EncodingTCVN3, EncodingVNI, EncodingWindows1258} {
			b, ok := encodeLegacy(n, enc)
			if !ok {
				continue // a letter the encoding has not (TCVN3's capitals with tones)
			}
			if got, ok := DecodeLegacy(b, enc); !ok || got != n || misread(got, enc) != "" {
				t.Errorf("%q in %s: read back as %q, %v: %s", n, enc, got, ok, misread(got, enc))
			}
		}
	}
}

// Sampled rows of a list in TCVN3 under an ASCII header tell its
// encoding, and are read in it; rows in UTF-8 tell none.
func TestSamplesEncoding(t *testing.T) {
	samples := [][]string{{"LC1", "B\xb6n M\xad\xeang", "120"}, {"DB1", "\xa7i\xd6n Bi\xaan", "80"}, {"DB2", "\xa7i\xd6n Bi\xaan", "8"}}
	enc, read := SamplesEncoding(samples)
	if enc != EncodingTCVN3 || len(read) != 2 || read[0] != "Bản Mường" || read[1] != "Điện Biên" || samples[2][1] != "Điện Biên" || samples[0][0] != "LC1" {
		t.Errorf("%s %q %q", enc, read, samples)
	}
	if enc, read := SamplesEncoding([][]string{{"LC1", "Bản Mường"}}); enc != "" || read != nil {
		t.Errorf("UTF-8: %s %q", enc, read)
	}
	// A field of a VNI file that keeps a byte VNI has no letter for says
	// so; a UTF-8 file's names the encoding it reads in.
	if d := notUTF8Detail("Th\x93n", 2, EncodingVNI); !strings.Contains(d, "byte 0x93 at offset 2 of the value as read is no letter of VNI-Windows") {
		t.Error(d)
	}
	if d := notUTF8Detail("Ha\xf8 Giang", 2, ""); !strings.Contains(d, `it reads as VNI-Windows (the VNI-Times fonts) text "Hà Giang": give the mapping's "encoding": "vni"`) {
		t.Error(d)
	}
}
