package deadzone

import (
	"context"
	"errors"
	"iter"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// pairedReadings are readings at 169 places with outdoor and indoor ones
// (a 12 dB loss, some bounds): enough pairs for the fit.
func pairedReadings(t *testing.T) []PlaceResidual {
	t.Helper()
	rng := rand.New(rand.NewPCG(5, 6))
	base, err := hexgrid.Index(103.2, 22.4, IndoorPlaceRes)
	if err != nil {
		t.Fatal(err)
	}
	places, err := base.Disk(7)
	if err != nil {
		t.Fatal(err)
	}
	key := Key{Carrier: engine.Carrier("viettel"), Tech: engine.Tech4G}
	var rs []PlaceResidual
	for _, c := range places {
		field := 8 * rng.NormFloat64()
		for _, indoor := range []bool{false, false, true, true} {
			r := field + 3*rng.NormFloat64()
			if indoor {
				r -= 12
			}
			upper := r < -20
			rs = append(rs, PlaceResidual{Place: IndoorPlace{c, key}, ResidualDB: max(r, -20), Indoor: indoor, Upper: upper})
		}
	}
	return rs
}

// The indoor fit stops with the context's error once it is cancelled: a
// run cancelled while the dead-zone stage fitted it waited a minute for
// the fit's 2,000 EM steps over a province's readings. Uncancelled, it
// fits what IndoorLossPaired fits.
func TestIndoorLossPairedContextStops(t *testing.T) {
	rs := pairedReadings(t)
	want := IndoorLossPaired(rs)
	if !want.Fitted {
		t.Fatalf("the readings are too few to fit: %+v", want)
	}
	got, err := IndoorLossPairedContext(context.Background(), slices.Values(rs))
	if err != nil || got != want {
		t.Fatalf("uncancelled: %+v, %v; want %+v", got, err, want)
	}
	// Cancelled while its readings are ranged over.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var seq iter.Seq[PlaceResidual] = func(yield func(PlaceResidual) bool) {
		for i, r := range rs {
			if i == len(rs)/2 {
				cancel()
			}
			if !yield(r) {
				return
			}
		}
	}
	if f, err := IndoorLossPairedContext(ctx, seq); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %+v, %v; want context.Canceled", f, err)
	}
}

// The EM stops at its next step once done is closed; never with done nil.
func TestTobitGroupsStopsWhenDone(t *testing.T) {
	rs := pairedReadings(t)
	idx := map[IndoorPlace]int32{}
	var obs []tobitObs
	for _, r := range rs {
		k, ok := idx[r.Place]
		if !ok {
			k = int32(len(idx))
			idx[r.Place] = k
		}
		obs = append(obs, tobitObs{group: k, y: r.ResidualDB, indoor: r.Indoor, upper: r.Upper})
	}
	if _, loss, _, _, stopped := tobitGroups(obs, len(idx), true, nil); stopped || loss < 9 || loss > 15 {
		t.Fatalf("never done: loss %.2f dB, stopped %v; want about 12 dB, not stopped", loss, stopped)
	}
	done := make(chan struct{})
	close(done)
	if _, _, _, _, stopped := tobitGroups(obs, len(idx), true, done); !stopped {
		t.Fatal("done closed: the EM ran to its end")
	}
}
