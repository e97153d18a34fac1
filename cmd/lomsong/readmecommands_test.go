package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeTableListsEveryCommand: the README's table of commands has a
// row for each command lomsong --help lists.
func TestReadmeTableListsEveryCommand(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), "\n## Commands\n")
	if !ok {
		t.Fatal("README.md has no \"## Commands\" section")
	}
	table, _, _ = strings.Cut(table, "\n## ")
	for name := range commands() {
		if !strings.Contains(table, "\n| `lomsong "+name+" ") && !strings.Contains(table, "\n| `lomsong "+name+"`") {
			t.Errorf("README.md's table of commands has no row for lomsong %s", name)
		}
	}
}
