package aggregate

import "unsafe"

// arena holds the variable-size parts of the key statistics (code logs,
// histograms, device hashes, HyperLogLog registers) in pointer-free pages,
// addressed by 32-bit references instead of slices, so the garbage
// collector never scans them and a key costs no slice headers. Blocks come
// in a few size classes; a freed block goes on its class's free list and
// is reused by the next block of that class.
//
// A reference is a word index: page<<arenaPageBits | word. Reference 0 is
// never handed out (the first word of the first page is reserved), so 0
// means "no block".
type arena struct {
	pages [][]uint64
	next  uint32 // next free word in the last page
	free  [nArenaClasses]uint32
	bytes int64 // words held by live blocks ×8
	mem   *offHeap
}

const (
	arenaPageBits  = 17 // 1 MiB pages
	arenaPageWords = 1 << arenaPageBits
	arenaFirstPage = 1 << 13 // words of the first page, on the heap, so small aggregators stay small
)

// arenaClasses are block sizes in 8-byte words.
var arenaClasses = [...]uint32{2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384}

const nArenaClasses = len(arenaClasses)

// classFor returns the smallest class holding words words.
func classFor(words uint32) uint8 {
	for c, w := range arenaClasses {
		if w >= words {
			return uint8(c)
		}
	}
	panic("aggregate: arena block too large") // programmer error: blocks are bounded by design
}

// alloc returns a zeroed block of class c.
func (a *arena) alloc(c uint8) uint32 {
	n := arenaClasses[c]
	a.bytes += int64(n) * 8
	if r := a.free[c]; r != 0 {
		w := a.words(r, n)
		a.free[c] = uint32(w[0])
		clear(w)
		return r
	}
	if len(a.pages) == 0 || a.next+n > uint32(len(a.pages[len(a.pages)-1])) {
		if len(a.pages) == 0 {
			a.pages = append(a.pages, make([]uint64, arenaFirstPage))
		} else {
			a.pages = append(a.pages, allocOffHeap[uint64](a.mem, arenaPageWords))
		}
		a.next = 0
		if len(a.pages) == 1 {
			a.next = 1
		}
	}
	r := uint32(len(a.pages)-1)<<arenaPageBits | a.next
	a.next += n
	return r
}

// release puts block r of class c on its free list.
func (a *arena) release(r uint32, c uint8) {
	if r == 0 {
		return
	}
	n := arenaClasses[c]
	a.bytes -= int64(n) * 8
	w := a.words(r, n)
	w[0] = uint64(a.free[c])
	a.free[c] = r
}

// words returns n words of the block at r.
func (a *arena) words(r, n uint32) []uint64 {
	p := a.pages[r>>arenaPageBits]
	o := r & (arenaPageWords - 1)
	return p[o : o+n : o+n]
}

// u16 and u32 view n words at r as 16- and 32-bit integers.
func (a *arena) u16(r, n uint32) []uint16 {
	w := a.words(r, n)
	return unsafe.Slice((*uint16)(unsafe.Pointer(&w[0])), 4*n)
}

func (a *arena) u32(r, n uint32) []uint32 {
	w := a.words(r, n)
	return unsafe.Slice((*uint32)(unsafe.Pointer(&w[0])), 2*n)
}

func (a *arena) u8(r, n uint32) []uint8 {
	w := a.words(r, n)
	return unsafe.Slice((*uint8)(unsafe.Pointer(&w[0])), 8*n)
}

// heldBytes returns the bytes of the pages.
func (a *arena) heldBytes() (n int64) {
	for _, p := range a.pages {
		n += int64(len(p)) * 8
	}
	return n
}
