package arrowio

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Writing strings value by value through the library's dictionary encoder
// boxes every value in an interface (one allocation per value, measured:
// six string columns made writing 40 times slower than the numeric ones).
// Enum-like columns therefore seed each column chunk's dictionary once with
// every spelling and then write int32 indices, the path pqarrow uses for
// arrow dictionary arrays. Statistics are disabled for these columns because
// that path leaves their page statistics to the caller.

// dictSeeder is the part of the library's dictionary encoder used here.
type dictSeeder interface {
	PutDictionary(arrow.Array) error
	NumEntries() int
}

// newDict returns an arrow string array of values, for PutDictionary.
func newDict(values []string) arrow.Array {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(values, nil)
	return b.NewArray()
}

// dictIndices writes rows whose values are dict[idx[j]] (null where the
// column is optional and defs[j] is 0) to column i. It returns false,
// writing nothing, when the column chunk is not dictionary encoded or was
// seeded with a shorter dictionary; the caller then writes values.
func (p *pqWriter) dictIndices(i int, dict arrow.Array, idx []int32, defs []int16) (bool, error) {
	cw, err := p.column(i)
	if err != nil {
		return false, err
	}
	enc, ok := cw.CurrentEncoder().(dictSeeder)
	if !ok {
		return false, nil
	}
	switch enc.NumEntries() {
	case 0:
		if err := enc.PutDictionary(dict); err != nil {
			return false, p.wrap(i, err)
		}
		if enc.NumEntries() != dict.Len() {
			return false, fmt.Errorf("arrowio: column %q: dictionary has repeated values", p.fields[i].name)
		}
	case dict.Len():
	default:
		cw.FallbackToPlain()
		return false, nil
	}
	// Null slots are marked in a validity bitmap as well as by the
	// definition levels: the encoder takes indices spaced (one per row)
	// and skips the slots the bitmap marks null.
	var valid *memory.Buffer
	nulls := 0
	if defs != nil {
		p.valid = grow(p.valid, (len(idx)+7)/8)
		clear(p.valid)
		for j, d := range defs {
			if d == 1 {
				p.valid[j>>3] |= 1 << (j & 7)
			} else {
				nulls++
			}
		}
		valid = memory.NewBufferBytes(p.valid)
	}
	data := array.NewData(arrow.PrimitiveTypes.Int32, len(idx),
		[]*memory.Buffer{valid, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(idx))}, nil, nulls, 0)
	defer data.Release()
	ia := array.NewInt32Data(data)
	defer ia.Release()
	return true, p.wrap(i, cw.WriteDictIndices(ia, defs, nil))
}

// enumColumn writes an enum column whose value e is spelled names[e]; an
// empty spelling is null. dict and offset describe the dictionary: the
// non-empty spellings, starting at names[offset].
type enumColumn struct {
	names  []string
	dict   arrow.Array
	offset int32
}

func newEnumColumn(names []string) *enumColumn {
	off := 0
	if names[0] == "" {
		off = 1
	}
	return &enumColumn{names: names, dict: newDict(names[off:]), offset: int32(off)}
}

func writeEnumColumn[E ~uint8](p *pqWriter, i int, ec *enumColumn, v []E) error {
	p.idx = grow(p.idx, len(v))
	var defs []int16
	if ec.offset > 0 {
		p.defs = grow(p.defs, len(v))
		defs = p.defs
	}
	for j, e := range v {
		x := int32(e) - ec.offset
		if x < 0 {
			defs[j], x = 0, 0
		} else if defs != nil {
			defs[j] = 1
		}
		p.idx[j] = x
	}
	ok, err := p.dictIndices(i, ec.dict, p.idx, defs)
	if ok || err != nil {
		return err
	}
	p.ba = grow(p.ba, len(v))
	for j, e := range v {
		p.ba[j] = strBytes(ec.names[e])
	}
	return p.byteArrays(i, len(v))
}
