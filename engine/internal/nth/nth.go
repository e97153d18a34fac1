// Package nth holds the selection the engine's k-d trees split their
// points by.
package nth

// Select reorders s so that s[k] is the element a full sort by less
// would put there, with no greater element before it and no smaller one
// after (Hoare's quickselect, median-of-three pivots: O(len(s)) expected,
// deterministic).
func Select[T any](s []T, k int, less func(a, b T) bool) {
	lo, hi := 0, len(s)-1
	for hi > lo {
		mid := lo + (hi-lo)/2
		// median of three to s[mid]
		if less(s[mid], s[lo]) {
			s[mid], s[lo] = s[lo], s[mid]
		}
		if less(s[hi], s[lo]) {
			s[hi], s[lo] = s[lo], s[hi]
		}
		if less(s[hi], s[mid]) {
			s[hi], s[mid] = s[mid], s[hi]
		}
		pivot := s[mid]
		i, j := lo, hi
		for i <= j {
			for less(s[i], pivot) {
				i++
			}
			for less(pivot, s[j]) {
				j--
			}
			if i <= j {
				s[i], s[j] = s[j], s[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
}
