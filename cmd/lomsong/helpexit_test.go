package main

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// helpExitCodes returns the codes the "Exit codes:" line of a command's
// --help lists, failing the test when there is none.
func helpExitCodes(t *testing.T, name string) []string {
	t.Helper()
	stdout, _, code := runCmd(t, name, "--help")
	if code != exitOK {
		t.Fatalf("%s --help: exit %d, want 0", name, code)
	}
	var line string
	for _, l := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(l, "Exit codes: ") {
			line = l
		}
	}
	if line == "" {
		t.Fatalf("%s --help lists no exit codes (no \"Exit codes:\" line):\n%s", name, stdout)
	}
	// The codes are the numbers that open the line or follow ", " before
	// a word: "0 ok, 1 failure (…), 2 usage error".
	var codes []string
	for _, m := range regexp.MustCompile(`(?:^Exit codes: |, )(\d+) [a-z]`).FindAllStringSubmatch(line, -1) {
		codes = append(codes, m[1])
	}
	return codes
}

// TestEveryCommandHelpGivesItsExitCodes runs what a user runs, each
// command's --help, and then the command in a few ways whose exit code is
// known, checking that the code is one the help lists.
func TestEveryCommandHelpGivesItsExitCodes(t *testing.T) {
	if top, _, _ := runCmd(t, "--help"); !strings.Contains(top, `"lomsong <command> --help" for a command's flags, an example and its exit codes`) {
		t.Errorf("lomsong --help does not say each command's --help gives its exit codes:\n%s", top)
	}
	listed := map[string][]string{}
	for name := range commands() {
		listed[name] = helpExitCodes(t, name)
		if !slices.Contains(listed[name], "0") || !slices.Contains(listed[name], "2") {
			t.Errorf("%s --help lists exit codes %v: want 0 and 2 among them", name, listed[name])
		}
	}
	empty := t.TempDir() // a folder without a dataset
	out := t.TempDir()
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"aggregate", []string{"--dataset", empty, "--out", out + "/agg"}, exitDataRefused},
		{"calibrate", []string{"--dataset", empty}, exitDataRefused},
		{"coverage", []string{"--dataset", empty, "--out", out + "/cov"}, exitDataRefused},
		{"deadzones", []string{"--dataset", empty, "--out", out + "/dz"}, exitDataRefused},
		{"campaign", []string{"--dataset", empty, "--days", "1", "--out", out + "/camp"}, exitDataRefused},
		{"campaign", []string{"--verdicts", examples + "/sites.csv", "--days", "1", "--out", out + "/camp"}, exitDataRefused},
		{"plan", []string{"--dataset", empty, "--budget", "1e9", "--out", out + "/plan"}, exitDataRefused},
		{"run", []string{"--dataset", empty, "--period", "2026-10"}, exitDataRefused},
		{"scorecard", []string{"--dataset", empty, "--period", "2026-10", "--out", out + "/sc"}, exitDataRefused},
		{"report", []string{"--dataset", empty, "--period", "2026-10", "--out", out + "/rep"}, exitDataRefused},
		{"export", []string{"--dataset", empty, "--period", "2026-10", "--format", "geoparquet", "--out", out + "/gpq"}, exitDataRefused},
		{"dataset", []string{"ls", empty}, exitDataRefused},
		{"areas", []string{"nowhere-at-all"}, exitUsage},
		{"demo", []string{"--province", "nowhere-at-all"}, exitUsage},
		{"users", []string{"ls", "--dataset", out + "/no-such-folder"}, exitFailure},
		{"version", nil, exitOK},
	}
	for name := range commands() {
		cases = append(cases, struct {
			name string
			args []string
			code int
		}{name, []string{"--no-such-flag"}, exitUsage})
	}
	for _, c := range cases {
		_, errs, code := runCmd(t, append([]string{c.name}, c.args...)...)
		if code != c.code {
			lines := strings.Split(strings.TrimSpace(errs), "\n")
			t.Errorf("lomsong %s %s: exit %d, want %d (stderr ends %q)", c.name, strings.Join(c.args, " "), code, c.code, lines[len(lines)-1])
			continue
		}
		if want := strconv.Itoa(c.code); !slices.Contains(listed[c.name], want) {
			t.Errorf("lomsong %s %s exits %d, which its --help does not list (it lists %v)", c.name, strings.Join(c.args, " "), code, listed[c.name])
		}
	}
}
