package pipeline

import (
	"cmp"
	"encoding/gob"
	"fmt"
	"maps"
	"slices"

	"github.com/lomsong/lomsong/engine/coverage"
)

// Gob writes a map in Go's iteration order, which changes from run to
// run: a saved output holding a map was different bytes each time the
// same inputs were saved (its checksum too). The saved forms therefore
// leave their maps out of the gob header and write each after it as its
// entries in key order (encodeMap), through encodeChunks.

// entry is one key and value of a saved map.
type entry[K comparable, V any] struct {
	K K
	V V
}

// encodeMap writes m's entries sorted by compare.
func encodeMap[K comparable, V any](enc *gob.Encoder, m map[K]V, compare func(a, b K) int) error {
	keys := slices.SortedFunc(maps.Keys(m), compare)
	es := make([]entry[K, V], len(keys))
	for i, k := range keys {
		es[i] = entry[K, V]{k, m[k]}
	}
	return encodeChunks(enc, es)
}

// decodeMap reads what encodeMap wrote; a key read twice is an error. An
// empty map is read as nil, as gob reads an empty map field.
func decodeMap[K comparable, V any](dec *gob.Decoder) (map[K]V, error) {
	es, err := decodeChunks[entry[K, V]](dec, nil)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, nil
	}
	m := make(map[K]V, len(es))
	for _, e := range es {
		if _, dup := m[e.K]; dup {
			return nil, fmt.Errorf("saved map: key %v twice", e.K)
		}
		m[e.K] = e.V
	}
	return m, nil
}

func compareCarrierTech(a, b coverage.CarrierTech) int {
	return cmp.Or(cmp.Compare(a.Carrier, b.Carrier), cmp.Compare(a.Tech, b.Tech))
}
