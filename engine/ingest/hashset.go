package ingest

import "math/bits"

// hashSet is an open-addressing set of 64-bit hashes (linear probing,
// load factor ≤ 1/2). Zero is remapped so that it can mark empty slots.
type hashSet struct {
	slots []uint64
	n     int
}

func (s *hashSet) len() int { return s.n }

func (s *hashSet) contains(h uint64) bool {
	if h == 0 {
		h = 1
	}
	if len(s.slots) == 0 {
		return false
	}
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case 0:
			return false
		case h:
			return true
		}
	}
}

func (s *hashSet) add(h uint64) {
	if h == 0 {
		h = 1
	}
	if 2*(s.n+1) > len(s.slots) {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case 0:
			s.slots[i] = h
			s.n++
			return
		case h:
			return
		}
	}
}

func (s *hashSet) grow() {
	old := s.slots
	n := 1 << 12
	if len(old) > 0 {
		n = 2 * len(old)
	}
	s.slots = make([]uint64, n)
	s.n = 0
	for _, h := range old {
		if h != 0 {
			s.add(h)
		}
	}
}

// hashRecord hashes the fields of a row (FNV-1a over the bytes with a
// separator that cannot appear in a field's position, then a final mix).
// Two different rows collide with probability about n²/2⁶⁵ for n rows
// (≈1e-5 for 20 million rows), the price of not keeping every row.
func hashRecord(rec []string) uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
	for _, f := range rec {
		for i := 0; i < len(f); i++ {
			h ^= uint64(f[i])
			h *= prime
		}
		h ^= 0x1f
		h *= prime
		h = bits.RotateLeft64(h, 5)
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}
