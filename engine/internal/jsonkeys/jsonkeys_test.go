package jsonkeys

import "testing"

func TestRepeated(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"a": 1, "b": {"c": 2, "d": [1, {"e": 1}]}}`, ""},
		{`{"a": 1, "a": 2}`, `"a"`},
		{`{"kind": "m", "constants": {"carrier": "MobiFone", "source": "crowd", "carrier": "Viettel"}}`, `constants: "carrier"`},
		{`{"x": [{"k": 1}, {"k": 1, "k": 2}]}`, `x.1: "k"`},
		{`{"RAT": "tech", "rat": ""}`, ""},
		{`{"a": {"b": 1}, "c": {"b": 2}}`, ""},
		{`{"a": 1, "a"`, `"a"`},
		{`{"a": 1,`, ""},
		{`not json`, ""},
		{``, ""},
		{`[1, 2]`, ""},
	} {
		if got := Repeated([]byte(c.in)); got != c.want {
			t.Errorf("Repeated(%s) = %q, want %q", c.in, got, c.want)
		}
	}
}
