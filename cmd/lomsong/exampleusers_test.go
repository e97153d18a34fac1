package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExampleUsersFollowReadme: the README's set-up adds a user to the
// demo dataset; the users and serve --help examples that add one to the
// same dataset, followed after it, each add their own (a name taken
// already is refused with exit 2, "exists already"). Every such line is
// run, README first, against one dataset folder.
func TestExampleUsersFollowReadme(t *testing.T) {
	const demo = "lomsong-demo/dataset"
	var lines [][]string
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(readme), "\n") {
		_, cmd, ok := strings.Cut(line, "go run ./cmd/lomsong users add ")
		if !ok {
			continue
		}
		if j := strings.IndexAny(cmd, "|)#"); j >= 0 {
			cmd = cmd[:j]
		}
		args, err := splitExampleLine("users add " + cmd)
		if err != nil {
			t.Fatalf("README: %q: %v", line, err)
		}
		lines = append(lines, args)
	}
	if len(lines) == 0 {
		t.Fatal("the README adds no user")
	}
	for _, name := range []string{"serve", "users"} {
		for _, ex := range helpExamples(t, name) {
			if len(ex.args) > 3 && ex.args[1] == "users" && ex.args[2] == "add" {
				lines = append(lines, ex.args[1:])
			}
		}
	}
	ds := filepath.Join(t.TempDir(), "dataset")
	if err := os.Mkdir(ds, 0o755); err != nil {
		t.Fatal(err)
	}
	onDemo := 0
	for _, args := range lines {
		if !strings.Contains(strings.Join(args, " "), "--dataset "+demo+" ") {
			continue // another dataset (./ds)
		}
		onDemo++
		run := append([]string(nil), args...)
		for j := range run {
			if run[j] == demo {
				run[j] = ds
			}
		}
		if _, errs, code := runCmd(t, run...); code != exitOK {
			t.Errorf("%s, after the README's set-up: exit %d: %s", strings.Join(args, " "), code, strings.TrimSpace(errs))
		}
	}
	if onDemo < 3 {
		t.Fatalf("%d users add lines on %s (README, serve and users --help each have one)", onDemo, demo)
	}
}
