package pipeline

import (
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/geodata"
)

// WithName puts the names right after the codes, which stay text as they
// were ("01", not 1); a code the set does not hold, an empty one and a
// table without a set get an empty name; a table without the code column
// is left as it is.
func TestWithNameBesideTheCode(t *testing.T) {
	set, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	hn, ok := set.ByCode("01")
	if !ok {
		t.Fatal("provinces2025 has no 01")
	}
	cols := []arrowio.Column{{Name: "cell", String: []string{"a", "b", "c", "d"}},
		{Name: "province", String: []string{"01", "12", "99", ""}}, {Name: "households", Float64: []float64{1, 2, 3, 4}}}
	got := WithName(cols, "province", "province_name", set)
	var names []string
	for _, c := range got {
		names = append(names, c.Name)
	}
	if !slices.Equal(names, []string{"cell", "province", "province_name", "households"}) {
		t.Fatalf("columns %v", names)
	}
	if !slices.Equal(got[1].String, []string{"01", "12", "99", ""}) {
		t.Errorf("codes %q changed", got[1].String)
	}
	if want := []string{hn.Name, "Lai Châu", "", ""}; !slices.Equal(got[2].String, want) {
		t.Errorf("names %q, want %q", got[2].String, want)
	}
	if len(cols) != 3 {
		t.Errorf("the table given was changed: %d columns", len(cols))
	}
	if none := WithName(cols, "province", "province_name", nil); !slices.Equal(none[2].String, []string{"", "", "", ""}) {
		t.Errorf("names without a set: %q", none[2].String)
	}
	if same := WithName(cols, "commune", "commune_name", set); len(same) != len(cols) {
		t.Errorf("a table without the code column got %d columns", len(same))
	}
}
