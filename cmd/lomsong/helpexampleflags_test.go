package main

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// exampleSentinel is a flag no command defines. Appended to a --help
// example's arguments, it is the first flag the parser refuses when every
// flag before it exists and its value parses; the command then stops
// with a usage error before it reads or writes anything.
const exampleSentinel = "--lomsong-example-sentinel"

// TestHelpExamplesFlagsParse: every lomsong line of every command's --help
// example names a command that exists and gives only flags that command
// defines, each with a value it accepts (a month, an amount, a size, a
// preset, a role), so a user who copies the example does not meet a usage
// error.
func TestHelpExamplesFlagsParse(t *testing.T) {
	checked := 0
	for name := range commands() {
		for _, ex := range helpExamples(t, name) {
			if len(ex.args) < 2 || ex.args[0] != "lomsong" {
				continue // curl and other tools' lines
			}
			checked++
			if code, msg, ok := argsParse(t, ex.args[1:]); !ok {
				t.Errorf("%s --help example does not parse as written:\n  %s\nexit %d: %s", name, ex.line, code, msg)
			}
		}
	}
	if checked < len(commands()) {
		t.Fatalf("checked %d example lines for %d commands", checked, len(commands()))
	}
}

// TestReadmeCommandsFlagsParse: the lomsong commands of the README's
// shell blocks (go run ./cmd/lomsong ..., also inside $(...)) name
// commands that exist and give only flags they define, with values they
// accept.
func TestReadmeCommandsFlagsParse(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	const prefix = "go run ./cmd/lomsong "
	checked := 0
	blocks := strings.Split(string(readme), "```")
	for i := 1; i < len(blocks); i += 2 {
		block, ok := strings.CutPrefix(blocks[i], "sh\n")
		if !ok {
			continue
		}
		for _, line := range strings.Split(strings.ReplaceAll(block, "\\\n", " "), "\n") {
			_, cmd, ok := strings.Cut(line, prefix)
			if !ok {
				continue
			}
			if j := strings.IndexAny(cmd, "|)#"); j >= 0 {
				cmd = cmd[:j]
			}
			args, err := splitExampleLine(cmd)
			if err != nil {
				t.Errorf("README: %q: %v", line, err)
				continue
			}
			checked++
			if code, msg, ok := argsParse(t, args); !ok {
				t.Errorf("README command does not parse as written:\n  %s\nexit %d: %s", strings.TrimSpace(line), code, msg)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no go run ./cmd/lomsong command found in the README's sh blocks")
	}
}

// argsParse runs lomsong with args and the sentinel flag after them: ok
// when the parser got as far as the sentinel, so that the command and
// every flag before it were accepted; else the exit code and the first
// line of the error.
func argsParse(t *testing.T, args []string) (code int, msg string, ok bool) {
	t.Helper()
	_, errs, code := runCmd(t, append(slices.Clone(args), exampleSentinel)...)
	want := "flag provided but not defined: " + strings.TrimPrefix(exampleSentinel, "-")
	msg, _, _ = strings.Cut(strings.TrimSpace(errs), "\n")
	return code, msg, code == exitUsage && strings.Contains(errs, want)
}

// helpExample is one line of a command's --help example and its words.
type helpExample struct {
	line string
	args []string
}

// helpExamples runs name --help and returns its example's lines
// (helpExampleLines), each split into words as a shell does
// (splitExampleLine); a line that does not split fails the test.
func helpExamples(t *testing.T, name string) []helpExample {
	t.Helper()
	help, _, code := runCmd(t, name, "--help")
	if code != exitOK {
		t.Fatalf("%s --help: exit %d", name, code)
	}
	var out []helpExample
	for _, line := range helpExampleLines(t, name, help) {
		args, err := splitExampleLine(line)
		if err != nil {
			t.Fatalf("%s --help example %q: %v", name, line, err)
		}
		out = append(out, helpExample{line, args})
	}
	return out
}

// helpExampleLines returns the lines of a --help text's Example section,
// a line continued with a trailing backslash joined to the next, a
// command substitution's command taken out of it (TOKEN=$(lomsong ... |
// tail -1)), and a trailing note in parentheses, a redirection of the
// output or a trailing & cut off.
func helpExampleLines(t *testing.T, name, help string) []string {
	t.Helper()
	_, ex, ok := strings.Cut(help, "\nExample:\n")
	if !ok {
		t.Fatalf("%s --help has no example", name)
	}
	ex, _, _ = strings.Cut(ex, "\nExit codes:")
	ex = strings.ReplaceAll(ex, "\\\n", " ")
	var lines []string
	for _, line := range strings.Split(ex, "\n") {
		if _, sub, ok := strings.Cut(line, "$("); ok {
			if i := strings.IndexAny(sub, "|)"); i >= 0 {
				sub = sub[:i]
			}
			line = sub
		}
		line = strings.TrimSuffix(strings.TrimSpace(line), " &")
		if i := strings.Index(line, "   ("); i >= 0 {
			line = line[:i]
		}
		if i := strings.Index(line, " > "); i >= 0 {
			line = line[:i]
		}
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	return lines
}

// splitExampleLine splits a command line into words as a POSIX shell
// does for the quoting the examples use: single and double quotes, no
// expansion.
func splitExampleLine(line string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	var quote rune
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			w.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, errUnclosedQuote
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}

var errUnclosedQuote = errors.New("a quote is not closed")
