package ingest

import (
	"strings"
	"testing"
)

// A month-first file read with a day-first layout (or the reverse) has
// its times with a day above 12 rejected as "month out of range", and
// those with a day up to 12 accepted with day and month exchanged. The
// rejection said only "month out of range"; it now gives the reading
// with the two swapped and says what it means for the accepted rows.
func TestSwappedDayAndMonthSaid(t *testing.T) {
	for _, c := range []struct{ value, layout, want string }{
		{"10/13/2026 08:00:02", "02/01/2006 15:04:05", `with day and month swapped (layout "01/02/2006 15:04:05") it is 13 October 2026`},
		{"13/10/2026 08:00:02", "01/02/2006 15:04:05", `with day and month swapped (layout "02/01/2006 15:04:05") it is 13 October 2026`},
		{"10/13/2026 8:00", "2/1/2006 15:04", `with day and month swapped (layout "1/2/2006 15:04") it is 13 October 2026`},
		{"13/13/2026 08:00:02", "02/01/2006 15:04:05", ""},
		{"31/02/2026 08:00:02", "02/01/2006 15:04:05", ""}, // the day is wrong, not the order
	} {
		_, _, err := parseTime(c.value, "layout:"+c.layout, vietnamZone)
		if err == nil {
			t.Errorf("%s in %s: read", c.value, c.layout)
			continue
		}
		if c.want == "" && strings.Contains(err.Error(), "swapped") || c.want != "" && !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s in %s: %v; want %q", c.value, c.layout, err, c.want)
		}
	}
}
