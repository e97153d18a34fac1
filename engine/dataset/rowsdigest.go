package dataset

import (
	"fmt"
	"math"

	"github.com/lomsong/lomsong/engine"
)

// rowsDigest is a digest of a multiset of accepted measurement rows: two
// sums (mod 2⁶⁴) of a 64-bit hash of each row's values under two seeds,
// and the count. Being sums it does not depend on the rows' order, so the
// same measurements re-saved in another encoding (a semicolon or quoted
// CSV, a Parquet copy, the rows sorted otherwise) give the same digest,
// where the file's checksum differs. Two different multisets of rows
// share a digest with a probability of about 2⁻¹²⁸ (a hash collision in
// both sums), beyond any dataset's size. It is not a cryptographic
// digest: it guards against a carrier's honest re-sending, not forgery.
type rowsDigest struct {
	a, b uint64
	n    int64
}

// String renders the digest as it is recorded (Source.RowsDigest).
func (d *rowsDigest) String() string { return fmt.Sprintf("%016x%016x:%d", d.a, d.b, d.n) }

// add adds every row of batch, and gives keys (nil: none) each row's
// hash to keep: a row is hashed once for both.
func (d *rowsDigest) add(batch *engine.MeasurementBatch, keys *rowKeys) {
	serving := batch.HasServing()
	for i := 0; i < batch.Len(); i++ {
		k := rowHash(batch, i, serving)
		d.a += k[0]
		d.b += k[1]
		d.n++
		if keys != nil {
			keys.keep(batch, i, k)
		}
	}
}

// rowHash is the 128-bit hash of row i of batch's values that rowsDigest
// sums (serving is batch.HasServing()): equal for the same measurement
// read from any encoding, and for two different rows equal with a
// probability of about 2⁻¹²⁸.
func rowHash(batch *engine.MeasurementBatch, i int, serving bool) [2]uint64 {
	h := rowHasher{a: 0x9e3779b97f4a7c15, b: 0xc2b2ae3d27d4eb4f}
	h.word(uint64(batch.TimeUnixMs[i]))
	h.str(string(batch.Carrier[i]))
	h.word(uint64(batch.Tech[i]))
	for _, v := range []float64{batch.Lon[i], batch.Lat[i], batch.SignalDBm[i], batch.RSRQDB[i], batch.SINRDB[i],
		batch.DLMbps[i], batch.ULMbps[i], batch.LatencyMs[i]} {
		h.float(v)
	}
	h.word(uint64(batch.Service[i]) | uint64(batch.Source[i])<<8 | uint64(batch.DeviceClass[i])<<16 |
		uint64(batch.Environment[i])<<24 | uint64(batch.SpeedAt(i))<<32)
	h.str(batch.DeviceID[i])
	// A row's serving cell, when it has one: a part read back has the
	// columns for every row, empty (PCI and ARFCN −1) where the file
	// named none, where the batch written may have had no columns.
	if serving && (batch.CellID[i] != "" || batch.NodeID[i] != "" || batch.Band[i] != "" || batch.PCI[i] != -1 || batch.ARFCN[i] != -1) {
		h.str(batch.CellID[i])
		h.str(batch.NodeID[i])
		h.word(uint64(uint32(batch.PCI[i])) | uint64(uint32(batch.ARFCN[i]))<<32)
		h.str(batch.Band[i])
	}
	return [2]uint64{h.a, h.b}
}

// rowHasher mixes a row's values into two 64-bit states.
type rowHasher struct{ a, b uint64 }

// word mixes one 64-bit word into both states (splitmix64's finaliser on
// each, with the word added under two different constants).
func (h *rowHasher) word(w uint64) {
	h.a = mix64(h.a ^ (w + 0x9e3779b97f4a7c15))
	h.b = mix64(h.b ^ (w*0xff51afd7ed558ccd + 0x632be59bd9b4e019))
}

// float mixes a float's bits, with every NaN one value (an absent reading).
func (h *rowHasher) float(v float64) {
	if math.IsNaN(v) {
		h.word(0x7ff8000000000001)
		return
	}
	h.word(math.Float64bits(v))
}

// str mixes a string's length and bytes, eight at a time.
func (h *rowHasher) str(s string) {
	h.word(uint64(len(s)))
	for len(s) >= 8 {
		h.word(uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56)
		s = s[8:]
	}
	var w uint64
	for i := 0; i < len(s); i++ {
		w |= uint64(s[i]) << (8 * i)
	}
	h.word(w)
}

// mix64 is splitmix64's finaliser (Steele, Lea and Flood, Fast Splittable
// Pseudorandom Number Generators, 2014): a bijection of 64-bit words
// whose every output bit depends on every input bit.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
