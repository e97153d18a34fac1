package dataset

import (
	"fmt"

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

// add adds every row of batch.
func (d *rowsDigest) add(batch *engine.MeasurementBatch) {
	for i := 0; i < batch.Len(); i++ {
		k := rowHash(batch, i)
		d.a += k[0]
		d.b += k[1]
		d.n++
	}
}

// rowHash is the 128-bit hash of row i of batch's values that rowsDigest
// sums (engine.MeasurementBatch.ValueHash, which ingest's check for repeats
// within a file shares): equal for the same measurement read from any
// encoding, and for two different rows equal with a probability of about
// 2⁻¹²⁸.
func rowHash(batch *engine.MeasurementBatch, i int) [2]uint64 { return batch.ValueHash(i) }
