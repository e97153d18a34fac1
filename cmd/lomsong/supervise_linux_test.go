//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestChildDiesWithParent: kill -9 of lomsong kills the process that runs
// the command too; orphaned, it ran on and could commit an ingest whose
// command had been killed.
func TestChildDiesWithParent(t *testing.T) {
	// The service runs until stopped: its process must not outlive the
	// supervisor. Its output goes to a file, not a pipe that Wait would
	// drain until the child closed it.
	dir := t.TempDir()
	logf, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(lomsongBinary(t), "serve", "--dataset", exampleDataset(t), "--listen", "127.0.0.1:0")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	deadline := time.Now().Add(60 * time.Second)
	for {
		b, _ := os.ReadFile(filepath.Join(dir, "log"))
		if strings.Contains(string(b), "listen") {
			break
		}
		if time.Now().After(deadline) || cmd.ProcessState != nil {
			t.Fatalf("serve did not start:\n%s", b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/task/" + strconv.Itoa(cmd.Process.Pid) + "/children")
	if err != nil {
		t.Skip("no /proc children list:", err)
	}
	var kids []int
	for _, f := range strings.Fields(string(b)) {
		if pid, err := strconv.Atoi(f); err == nil {
			kids = append(kids, pid)
		}
	}
	if len(kids) == 0 {
		// The child may have been started from another thread of the
		// supervisor: look through all of them.
		tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/task/*/children")
		for _, p := range tasks {
			b, _ := os.ReadFile(p)
			for _, f := range strings.Fields(string(b)) {
				if pid, err := strconv.Atoi(f); err == nil {
					kids = append(kids, pid)
				}
			}
		}
	}
	if len(kids) != 1 {
		t.Fatalf("children of the supervisor: %v, want one", kids)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	deadline = time.Now().Add(10 * time.Second)
	for {
		// Signal 0: does the process still exist (a zombie reaped by init
		// soon after)?
		st, err := os.ReadFile("/proc/" + strconv.Itoa(kids[0]) + "/stat")
		if err != nil || strings.Contains(string(st), ") Z ") {
			return
		}
		if time.Now().After(deadline) {
			syscall.Kill(kids[0], syscall.SIGKILL)
			t.Fatal("the command's process outlived lomsong killed with SIGKILL")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
