package dataset

import (
	"errors"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// A source's name typed or pasted decomposed (NFD: macOS file names, some
// editors) names the source recorded composed, and the other way round:
// the two spellings look the same, and were told "neither a source's
// name nor …" with that name listed.
func TestFindSourceNormalForm(t *testing.T) {
	const name = "Đo kiểm tháng 11 (MobiFone).csv"
	for _, c := range []struct{ recorded, typed string }{
		{norm.NFC.String(name), norm.NFD.String(name)},
		{norm.NFD.String(name), norm.NFC.String(name)},
		{norm.NFC.String(name), "/home/u/" + norm.NFD.String(name)},
	} {
		if c.recorded == c.typed {
			t.Fatal("the two forms are equal: the test tests nothing")
		}
		sources := []Source{{Name: "other.csv", SHA256: "aa"}, {Name: c.recorded, SHA256: "bb"}}
		if i, err := findSource(sources, c.typed); err != nil || i != 1 {
			t.Errorf("recorded %q, typed %q: %d, %v; want source 1", c.recorded, c.typed, i, err)
		}
	}
	if _, err := findSource([]Source{{Name: name, SHA256: "bb"}}, "Do kiem thang 11 (MobiFone).csv"); !errors.Is(err, ErrNoSource) {
		t.Errorf("a name without its diacritics: %v, want ErrNoSource", err)
	}
}
