//go:build !unix

package aggregate

// offHeap is empty where memory is not mapped: values come from the heap.
type offHeap struct{}

func allocOffHeap[T any](m *offHeap, n int) []T { return make([]T, n) }

func freeOffHeap[T any](m *offHeap, s []T) {}

func (m *offHeap) free() {}
