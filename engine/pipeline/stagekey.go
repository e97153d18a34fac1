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
	h := sha256.New()
	w := &hasher{h: h, seen: map[uintptr]bool{}}
	w.value(reflect.ValueOf(v))
	return hex.EncodeToString(h.Sum(nil))
}

type hasher struct {
	h    hash.Hash
	buf  [8]byte
	seen map[uintptr]bool // pointers on the current path (cycles)
}

func (w *hasher) u64(x uint64) {
	binary.LittleEndian.PutUint64(w.buf[:], x)
	w.h.Write(w.buf[:])
}

func (w *hasher) str(s string) {
	w.u64(uint64(len(s)))
	w.h.Write([]byte(s))
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
			entries = append(entries, sub.h.Sum(nil))
		}
		slices.SortFunc(entries, bytes.Compare)
		w.u64(uint64(len(entries)))
		for _, e := range entries {
			w.h.Write(e)
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
		t := v.Type()
		w.str(t.String())
		for i := 0; i < v.NumField(); i++ {
			if k := t.Field(i).Type.Kind(); k == reflect.Func || k == reflect.Chan || t.Field(i).Tag.Get("hash") == "-" {
				continue
			}
			w.str(t.Field(i).Name)
			w.value(v.Field(i))
		}
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		// skipped
	}
}

// stageKey is the key of a saved stage output: the SHA-256 of the stage's
// name and format version and of its inputs' identities, in the order
// given (configuration hashes, part checksums, upstream keys).
func stageKey(stage string, version int, inputs ...string) string {
	h := sha256.New()
	w := &hasher{h: h}
	w.str(stage)
	w.u64(uint64(version))
	for _, in := range inputs {
		w.str(in)
	}
	return hex.EncodeToString(h.Sum(nil))
}
