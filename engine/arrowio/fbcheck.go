package arrowio

import (
	"encoding/binary"
	"errors"
)

// The Arrow IPC reader sizes slices from flatbuffer vector lengths in a
// message's metadata (schema fields, their children and key-value
// metadata, record batch nodes and buffers) without checking them against
// the metadata's size, so a corrupt length makes it allocate without bound
// (the fuzzer found a 29 GiB request). checkIPCMetadata walks those vectors
// first and refuses any that does not fit in the bytes it is read from.
// It checks only what the allocations depend on; the library still
// validates the rest.

var errFlatbuffer = errors.New("corrupt ipc message metadata")

// Message header types (Arrow format Message.fbs).
const (
	fbHeaderSchema          = 1
	fbHeaderDictionaryBatch = 2
	fbHeaderRecordBatch     = 3
)

type fbuf []byte

func (b fbuf) u32(p int) (int, bool) {
	if p < 0 || p+4 > len(b) {
		return 0, false
	}
	return int(binary.LittleEndian.Uint32(b[p:])), true
}

func (b fbuf) u16(p int) (int, bool) {
	if p < 0 || p+2 > len(b) {
		return 0, false
	}
	return int(binary.LittleEndian.Uint16(b[p:])), true
}

// table follows the offset stored at p to a table.
func (b fbuf) table(p int) (int, bool) {
	off, ok := b.u32(p)
	if !ok || off == 0 || p+off >= len(b) {
		return 0, false
	}
	return p + off, true
}

// field returns the position of field i of the table at t, 0 if absent.
func (b fbuf) field(t, i int) (int, bool) {
	so, ok := b.u32(t)
	if !ok {
		return 0, false
	}
	vt := t - int(int32(uint32(so)))
	vtSize, ok := b.u16(vt)
	if !ok || vtSize < 4 {
		return 0, false
	}
	slot := 4 + 2*i
	if slot >= vtSize {
		// As the flatbuffers library decides presence (slot < vtable
		// size): a vtable of odd size whose last slot has one byte inside
		// it still gives that field to the library, which reads its two
		// bytes; so must the check (it took the field as absent, and the
		// library then sized its fields from an unchecked vector).
		return 0, true
	}
	off, ok := b.u16(vt + slot)
	if !ok {
		return 0, false
	}
	if off == 0 {
		return 0, true
	}
	if t+off >= len(b) {
		return 0, false
	}
	return t + off, true
}

// vector checks the vector whose offset is at field i of table t: its
// elements of elem bytes must lie inside b. It returns the start of the
// elements and their count.
func (b fbuf) vector(t, i, elem int) (start, n int, ok bool) {
	p, ok := b.field(t, i)
	if !ok || p == 0 {
		return 0, 0, ok
	}
	v, ok := b.table(p)
	if !ok {
		return 0, 0, false
	}
	n, ok = b.u32(v)
	if !ok || n > (len(b)-v-4)/elem {
		return 0, 0, false
	}
	return v + 4, n, true
}

func (b fbuf) checkKeyValues(t, i int) bool {
	_, _, ok := b.vector(t, i, 4)
	return ok
}

// checkField checks a Field table: its name, children (recursively) and
// custom metadata.
func (b fbuf) checkField(t, depth int) bool {
	if depth > 64 {
		return false
	}
	if _, _, ok := b.vector(t, 0, 1); !ok { // name
		return false
	}
	start, n, ok := b.vector(t, 5, 4) // children
	if !ok {
		return false
	}
	for k := 0; k < n; k++ {
		c, ok := b.table(start + 4*k)
		if !ok || !b.checkField(c, depth+1) {
			return false
		}
	}
	return b.checkKeyValues(t, 6)
}

func (b fbuf) checkRecordBatch(t int) bool {
	for _, f := range []struct{ i, elem int }{{1, 16}, {2, 16}, {4, 8}} { // nodes, buffers, variadic counts
		if _, _, ok := b.vector(t, f.i, f.elem); !ok {
			return false
		}
	}
	return true
}

// checkIPCMetadata validates the vectors of one message's metadata.
func checkIPCMetadata(meta []byte) error {
	b := fbuf(meta)
	root, ok := b.table(0)
	if !ok {
		return errFlatbuffer
	}
	ht, ok := b.field(root, 1)
	if !ok {
		return errFlatbuffer
	}
	if ht == 0 {
		return nil
	}
	htype := int(b[ht])
	hp, ok := b.field(root, 2)
	if !ok {
		return errFlatbuffer
	}
	if hp == 0 {
		return nil
	}
	h, ok := b.table(hp)
	if !ok {
		return errFlatbuffer
	}
	if !b.checkKeyValues(root, 4) {
		return errFlatbuffer
	}
	switch htype {
	case fbHeaderSchema:
		start, n, ok := b.vector(h, 1, 4)
		if !ok {
			return errFlatbuffer
		}
		for k := 0; k < n; k++ {
			f, ok := b.table(start + 4*k)
			if !ok || !b.checkField(f, 0) {
				return errFlatbuffer
			}
		}
		if !b.checkKeyValues(h, 2) {
			return errFlatbuffer
		}
	case fbHeaderRecordBatch:
		if !b.checkRecordBatch(h) {
			return errFlatbuffer
		}
	case fbHeaderDictionaryBatch:
		dp, ok := b.field(h, 1)
		if !ok {
			return errFlatbuffer
		}
		if dp != 0 {
			d, ok := b.table(dp)
			if !ok || !b.checkRecordBatch(d) {
				return errFlatbuffer
			}
		}
	}
	return nil
}
