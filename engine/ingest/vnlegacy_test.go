package ingest

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"golang.org/x/text/transform"
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
