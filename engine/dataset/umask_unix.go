//go:build unix

package dataset

import "syscall"

// umask is the process's file mode creation mask, read once at start
// (setting it back at once: no file is created in between, before main).
var umask = func() uint32 {
	m := syscall.Umask(0)
	syscall.Umask(m)
	return uint32(m)
}()
