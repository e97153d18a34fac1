package pipeline

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math"
	"reflect"
	"slices"
	"sync"
)

// hashConfig returns the SHA-256 (hex) of a configuration value: every
// field of every struct (exported or not) in declaration order, slices and
// arrays element by element, maps as their entries' hashes sorted (so map
// order never matters), pointers by what they point to (nil apart), floats
// by their bits (so NaN and −0 are themselves). Functions and channels are
// skipped: callbacks (progress) do not change a result; so are fields
// tagged `hash:"-"`, values derived from the others (an index). Two values hash
// alike when they are deeply equal in this sense; the field and type
// names are hashed too, so a field added to an options struct changes
// every key and saved outputs are rebuilt once.
func hashConfig(v any) string {
	w := &hasher{h: sha256.New(), seen: map[uintptr]bool{}}
	w.value(reflect.ValueOf(v))
	return hex.EncodeToString(w.sum())
}

// hasher writes a value's bytes to h through a buffer: a register of
// 625,695 sites is about 25 small writes a site, each a call into the
// hash, where one call per few kilobytes hashes the same bytes.
type hasher struct {
	h    hash.Hash
	b    []byte           // bytes not yet written to h
	seen map[uintptr]bool // pointers on the current path (cycles)
}

const hasherBlock = 4096

func (w *hasher) u64(x uint64) {
	w.b = binary.LittleEndian.AppendUint64(w.b, x)
	if len(w.b) >= hasherBlock {
		w.flush()
	}
}

func (w *hasher) str(s string) {
	w.u64(uint64(len(s)))
	w.b = append(w.b, s...)
	if len(w.b) >= hasherBlock {
		w.flush()
	}
}

func (w *hasher) flush() {
	w.h.Write(w.b)
	w.b = w.b[:0]
}

// sum returns the hash of every byte written.
func (w *hasher) sum() []byte {
	w.flush()
	return w.h.Sum(nil)
}

// structInfo is what value hashes of a struct type besides its fields'
// values: its name and the fields hashed (reflect's Field and tag lookups
// per value were most of the time of a register's hash).
type structInfo struct {
	name   string
	fields []structField
}

type structField struct {
	index int
	name  string
}

var structInfos sync.Map // reflect.Type → *structInfo

func structInfoOf(t reflect.Type) *structInfo {
	if si, ok := structInfos.Load(t); ok {
		return si.(*structInfo)
	}
	si := &structInfo{name: t.String()}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if k := f.Type.Kind(); k == reflect.Func || k == reflect.Chan || f.Tag.Get("hash") == "-" {
			continue
		}
		si.fields = append(si.fields, structField{i, f.Name})
	}
	structInfos.Store(t, si)
	return si
}

func (w *hasher) value(v reflect.Value) {
	if !v.IsValid() {
		w.str("<nil>")
		return
	}
	w.u64(uint64(v.Kind()))
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			w.u64(1)
		} else {
			w.u64(0)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		w.u64(uint64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		w.u64(v.Uint())
	case reflect.Float32, reflect.Float64:
		w.u64(math.Float64bits(v.Float()))
	case reflect.Complex64, reflect.Complex128:
		c := v.Complex()
		w.u64(math.Float64bits(real(c)))
		w.u64(math.Float64bits(imag(c)))
	case reflect.String:
		w.str(v.String())
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			w.str("<nil>")
			return
		}
		w.u64(uint64(v.Len()))
		for i := 0; i < v.Len(); i++ {
			w.value(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() {
			w.str("<nil>")
			return
		}
		entries := make([][]byte, 0, v.Len())
		it := v.MapRange()
		for it.Next() {
			sub := &hasher{h: sha256.New(), seen: w.seen}
			sub.value(it.Key())
			sub.value(it.Value())
			entries = append(entries, sub.sum())
		}
		slices.SortFunc(entries, bytes.Compare)
		w.u64(uint64(len(entries)))
		for _, e := range entries {
			w.b = append(w.b, e...)
		}
		if len(w.b) >= hasherBlock {
			w.flush()
		}
	case reflect.Pointer:
		if v.IsNil() {
			w.str("<nil>")
			return
		}
		p := v.Pointer()
		if w.seen[p] {
			w.str("<cycle>")
			return
		}
		w.seen[p] = true
		w.value(v.Elem())
		delete(w.seen, p)
	case reflect.Interface:
		if v.IsNil() {
			w.str("<nil>")
			return
		}
		w.str(v.Elem().Type().String())
		w.value(v.Elem())
	case reflect.Struct:
		si := structInfoOf(v.Type())
		w.str(si.name)
		for _, f := range si.fields {
			w.str(f.name)
			w.value(v.Field(f.index))
		}
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		// skipped
	}
}

// stageKey is the key of a saved stage output: the SHA-256 of the stage's
// name and format version and of its inputs' identities, in the order
// given (configuration hashes, part checksums, upstream keys).
func stageKey(stage string, version int, inputs ...string) string {
	w := &hasher{h: sha256.New()}
	w.str(stage)
	w.u64(uint64(version))
	for _, in := range inputs {
		w.str(in)
	}
	return hex.EncodeToString(w.sum())
}
