package nth

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSelectPartitions: s[k] is the sorted one and s is partitioned
// around it, on short slices with many ties (broken by index).
func TestSelectPartitions(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for trial := 0; trial < 500; trial++ {
		n := 1 + rng.IntN(60)
		v := make([]float64, n)
		s := make([]int32, n)
		for i := range v {
			v[i] = float64(rng.IntN(8)) // many ties
			s[i] = int32(i)
		}
		less := func(a, b int32) bool { return v[a] < v[b] || (v[a] == v[b] && a < b) }
		sorted := slices.Clone(s)
		slices.SortFunc(sorted, func(a, b int32) int {
			if less(a, b) {
				return -1
			}
			return 1
		})
		k := rng.IntN(n)
		Select(s, k, less)
		if s[k] != sorted[k] {
			t.Fatalf("n %d k %d: s[k] = %d, want %d", n, k, s[k], sorted[k])
		}
		for i := range s {
			if (i < k && less(s[k], s[i])) || (i > k && less(s[i], s[k])) {
				t.Fatalf("n %d k %d: not partitioned at %d", n, k, i)
			}
		}
	}
}

// TestSelectHalves: the k-th element in place and the halves on either side,
// against a sort, for every k of small slices and random k of large ones.
func TestSelectHalves(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	key := make([]int, 3000)
	cmp := func(a, b int32) int {
		if key[a] != key[b] {
			return key[a] - key[b]
		}
		return int(a - b)
	}
	for c := range 400 {
		n := 1 + rng.IntN(60)
		if c%4 == 0 {
			n = 1 + rng.IntN(len(key))
		}
		for i := range n {
			key[i] = rng.IntN(1 + n/3) // many equal keys
		}
		s := make([]int32, n)
		for i := range s {
			s[i] = int32(i)
		}
		rng.Shuffle(n, func(i, j int) { s[i], s[j] = s[j], s[i] })
		sorted := slices.Clone(s)
		slices.SortFunc(sorted, cmp)
		k := rng.IntN(n)
		got := slices.Clone(s)
		Select(got, k, func(a, b int32) bool { return cmp(a, b) < 0 })
		if got[k] != sorted[k] {
			t.Fatalf("case %d: s[%d] = %d, want %d", c, k, got[k], sorted[k])
		}
		lo, hi := slices.Clone(got[:k]), slices.Clone(got[k+1:])
		slices.SortFunc(lo, cmp)
		slices.SortFunc(hi, cmp)
		if !slices.Equal(lo, sorted[:k]) || !slices.Equal(hi, sorted[k+1:]) {
			t.Fatalf("case %d: the halves around %d are not the sorted ones", c, k)
		}
	}
}
