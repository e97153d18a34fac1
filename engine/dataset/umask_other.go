//go:build !unix

package dataset

// umask: no creation mask outside Unix.
var umask uint32
