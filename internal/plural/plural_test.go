package plural

import "testing"

func TestCount(t *testing.T) {
	for _, c := range []struct {
		name      string
		n         int64
		one, many string
		want      string
	}{
		{"one", 1, "row", "rows", "1 row"},
		{"none", 0, "row", "rows", "0 rows"},
		{"two", 2, "row", "rows", "2 rows"},
		{"eleven", 11, "row", "rows", "11 rows"},
		{"twenty-one", 21, "row", "rows", "21 rows"},
		{"negative one", -1, "row", "rows", "-1 rows"},
		{"irregular", 1, "tested hex", "tested hexes", "1 tested hex"},
		{"irregular plural", 3, "tested hex", "tested hexes", "3 tested hexes"},
		{"verb agrees", 1, "village is", "villages are", "1 village is"},
		{"large", 9223372036854775807, "row", "rows", "9223372036854775807 rows"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Count(c.n, c.one, c.many); got != c.want {
				t.Errorf("Count(%d, %q, %q) = %q, want %q", c.n, c.one, c.many, got, c.want)
			}
		})
	}
}

// TestCountIntTypes: an int, an int32 and a named integer type say the
// same as an int64.
func TestCountIntTypes(t *testing.T) {
	type rows int32
	if got := Count(1, "day", "days"); got != "1 day" {
		t.Errorf("int 1: %q", got)
	}
	if got := Count(int32(5), "day", "days"); got != "5 days" {
		t.Errorf("int32 5: %q", got)
	}
	if got := Count(rows(1), "row", "rows"); got != "1 row" {
		t.Errorf("named 1: %q", got)
	}
}

func TestNoun(t *testing.T) {
	for n, want := range map[int]string{0: " hexes", 1: " hex", 2: " hexes", 1000: " hexes"} {
		if got := Noun(n, " hex", " hexes"); got != want {
			t.Errorf("Noun(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestGrouped(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 5549: "5,549", -1234567: "-1,234,567",
		9223372036854775807: "9,223,372,036,854,775,807", -9223372036854775808: "-9,223,372,036,854,775,808"} {
		if got := Grouped(n); got != want {
			t.Errorf("Grouped(%d) = %q, want %q", n, got, want)
		}
	}
	if got := CountGrouped(3321, "area", "areas"); got != "3,321 areas" {
		t.Errorf("CountGrouped(3321) = %q", got)
	}
	if got := CountGrouped(1, "test", "tests"); got != "1 test" {
		t.Errorf("CountGrouped(1) = %q", got)
	}
}
