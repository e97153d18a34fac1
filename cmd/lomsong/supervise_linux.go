//go:build linux

package main

import (
	"os/exec"
	"runtime"
	"syscall"
)

// dieWithParent makes the kernel kill the supervised child when the
// supervising process dies (kill -9 of lomsong): without it the child ran
// on, orphaned, and could commit an ingest whose command had been killed.
// The signal is sent when the thread that started the child exits, so the
// calling goroutine keeps its thread for the rest of the process.
func dieWithParent(cmd *exec.Cmd) {
	runtime.LockOSThread()
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
