package main

import (
	"strings"
	"testing"
)

// TestCampaignFlagOutOfRange: a value out of its flag's range is refused
// (exit 2) naming the flag as typed, as --days is: the engine's words
// ("teams -2: want at least 1: invalid configuration", "day hours 30",
// "detour factor 0.5") named no flag.
func TestCampaignFlagOutOfRange(t *testing.T) {
	good := writeVerdicts(t, verdictsCSV)
	for _, c := range []struct{ flag, value, want string }{
		{"--teams", "-2", "--teams -2: want the number of measuring teams, 1 or more"},
		{"--day-hours", "30", "--day-hours 30: want the hours of a team-day, above 0 and at most 24"},
		{"--day-hours", "-8", "--day-hours -8: want"},
		{"--measure-hours", "-1", "--measure-hours -1: want the hours of tests at one village, above 0"},
		{"--speed-kmh", "-4", "--speed-kmh -4: want a travel speed above 0 km/h"},
		{"--detour", "0.5", "--detour 0.5: want road distance over great-circle distance, 1 or more"},
		{"--miss-cost", "-1", "--miss-cost -1: want the cost of a missed dead village"},
	} {
		_, errs, code := runCmd(t, "campaign", "--verdicts", good, "--days", "3", "--out", t.TempDir(), c.flag, c.value)
		if code != exitUsage || !strings.Contains(errs, c.want) || strings.Contains(errs, "invalid configuration") {
			t.Errorf("%s %s: exit %d (want %d), want %q:\n%s", c.flag, c.value, code, exitUsage, c.want, errs)
		}
	}
}
