package pipeline

import (
	"bytes"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/lomsong/lomsong/engine/arrowio"
)

// TestCSVTableOnEveryCoreSameBytes: a long table's lines formatted on
// every core are the bytes one goroutine writes — runs of equal fields
// across the pieces' bounds, NaN, nulls, a last piece cut short — and in
// a table written in several calls.
func TestCSVTableOnEveryCoreSameBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 4))
	const n = 3*csvSpanLines*4 + 777
	cols := []arrowio.Column{{Name: "cell"}, {Name: "v"}, {Name: "k"}, {Name: "ok"}, {Name: "maybe"}}
	cols[4].Null = make([]bool, n)
	for r := range n {
		cell := "88" + string(rune('a'+r/300%26))
		cols[0].String = append(cols[0].String, cell)
		v := math.Round(rng.NormFloat64()*100) / 10
		if r%11 == 0 {
			v = math.NaN()
		}
		if r%3 != 0 && r > 0 {
			v = cols[1].Float64[r-1] // runs across the pieces' bounds
		}
		cols[1].Float64 = append(cols[1].Float64, v)
		cols[2].Int64 = append(cols[2].Int64, rng.Int64N(1000))
		cols[3].Bool = append(cols[3].Bool, r%2 == 0)
		cols[4].Float64 = append(cols[4].Float64, float64(r))
		cols[4].Null[r] = r%5 == 0
	}
	write := func(parts int) []byte {
		var b bytes.Buffer
		ct := NewCSVTable(&b)
		for p := range parts {
			lo, hi := p*n/parts, (p+1)*n/parts
			part := make([]arrowio.Column, len(cols))
			for i, c := range cols {
				part[i] = arrowio.Column{Name: c.Name}
				switch {
				case c.String != nil:
					part[i].String = c.String[lo:hi]
				case c.Float64 != nil:
					part[i].Float64 = c.Float64[lo:hi]
				case c.Int64 != nil:
					part[i].Int64 = c.Int64[lo:hi]
				case c.Bool != nil:
					part[i].Bool = c.Bool[lo:hi]
				}
				if c.Null != nil {
					part[i].Null = c.Null[lo:hi]
				}
			}
			if err := ct.Write(part); err != nil {
				t.Fatal(err)
			}
		}
		if err := ct.Flush(); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	defer func(v int) { csvParallelRows = v }(csvParallelRows)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(3, runtime.GOMAXPROCS(0))))
	for _, parts := range []int{1, 3} {
		csvParallelRows = math.MaxInt
		want := write(parts)
		csvParallelRows = 1000
		if got := write(parts); !bytes.Equal(got, want) {
			t.Fatalf("%d calls: the lines formatted on every core differ from one goroutine's (%d bytes, want %d)", parts, len(got), len(want))
		}
	}
}
