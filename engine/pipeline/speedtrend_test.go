package pipeline

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/geodata"
)

// speedTest is a smartphone's outdoor crowd test at (lon, lat) with a
// download speed of dl Mbit/s.
func speedTest(ts int64, c engine.Carrier, tech engine.Tech, lon, lat, dl float64) engine.Measurement {
	return engine.Measurement{TimeUnixMs: ts, Carrier: c, Tech: tech, Lon: lon, Lat: lat, SignalDBm: -80, Service: engine.ServiceOK,
		RSRQDB: math.NaN(), SINRDB: math.NaN(), DLMbps: dl, ULMbps: math.NaN(),
		LatencyMs: math.NaN(), Source: engine.SourceCrowd, DeviceID: "s", DeviceClass: engine.DeviceSmartphone, Environment: engine.EnvOutdoor}
}

// The speed trend compares each carrier and technology with itself a year
// before: a month a year before with one carrier's tests only, against the
// same tests now with a slower carrier's added, is no change (a pooled
// median read it as a fall), and names the carrier measured now only; a
// uniform +40% reads +40%; no carrier and technology measured in both
// months is unknown.
func TestSpeedTrendLikeWithLike(t *testing.T) {
	ctx := context.Background()
	provinces, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	yearAgo := time.UnixMilli(worldT0).AddDate(-1, 0, 0).UnixMilli()
	test := func(ts int64, c engine.Carrier, tech engine.Tech, dl float64, rng *rand.Rand) engine.Measurement {
		return speedTest(ts, c, tech, 103.31+0.01*rng.Float64(), 22.40+0.01*rng.Float64(), dl)
	}
	for _, tc := range []struct {
		name string
		// now scales the year-ago Viettel 4G speeds in the current month;
		// before says whether Viettel 4G is measured a year before (else
		// Vinaphone 2G is).
		now    float64
		before bool
		want   float64 // NaN: unknown
		issue  string
	}{
		{"same speeds, another carrier added", 1, true, 0, "measured in 2026-10 only: mobifone 3G"},
		{"every stratum +40%", 1.4, true, 0.4, "measured in 2026-10 only: mobifone 3G"},
		{"no common stratum", 1, false, math.NaN(), "no carrier and technology measured"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 7))
			b := &engine.MeasurementBatch{}
			for i := range 41 {
				dl := 20 + float64(i)
				if tc.before {
					b.Append(test(yearAgo+int64(i)*3600_000, engine.Viettel, engine.Tech4G, dl, rng))
				} else {
					b.Append(test(yearAgo+int64(i)*3600_000, engine.VinaPhone, engine.Tech2G, dl, rng))
				}
				b.Append(test(worldT0+int64(i)*3600_000, engine.Viettel, engine.Tech4G, dl*tc.now, rng))
				// The added carrier is much slower, with more tests.
				b.Append(test(worldT0+int64(i)*3600_000+60_000, engine.MobiFone, engine.Tech3G, 2+0.1*float64(i), rng))
				b.Append(test(worldT0+int64(i)*3600_000+120_000, engine.MobiFone, engine.Tech3G, 2+0.1*float64(i), rng))
			}
			s := storeOf(t, worldVillages, b)
			opt := ScorecardOptions{Areas: provinces, Bootstrap: penetration.DefaultBootstrap(), Seed: 3}
			got, err := speedChanges(ctx, s, opt)
			if err != nil {
				t.Fatal(err)
			}
			p, _ := penetration.ParsePeriod("2026-10")
			if len(got[p]) != 1 {
				t.Fatalf("estimates of 2026-10: %v", got[p])
			}
			for _, e := range got[p] {
				switch {
				case math.IsNaN(tc.want) != math.IsNaN(e.Value):
					t.Fatalf("change %v, want %v (%+v)", e.Value, tc.want, *e)
				case !math.IsNaN(tc.want) && math.Abs(e.Value-tc.want) > 1e-9:
					t.Fatalf("change %v, want %v (%+v)", e.Value, tc.want, *e)
				case !math.IsNaN(tc.want) && !(e.Lower <= e.Value && e.Value <= e.Upper):
					t.Fatalf("interval [%v, %v] does not hold %v", e.Lower, e.Upper, e.Value)
				case !strings.Contains(strings.Join(e.Issues, "; "), tc.issue):
					t.Fatalf("issues %q do not say %q", e.Issues, tc.issue)
				}
			}
		})
	}
}

// An area's speed change and its bootstrap interval depend on its own
// tests and the seed alone: another province's tests, added to the same
// month, leave Lai Châu's figures as they were (the areas drew from one
// stream in the order of their codes, so Hà Nội's tests, drawn first,
// moved Lai Châu's interval).
func TestSpeedIntervalOwnTestsOnly(t *testing.T) {
	ctx := context.Background()
	provinces, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	yearAgo := time.UnixMilli(worldT0).AddDate(-1, 0, 0).UnixMilli()
	test := func(ts int64, lon, lat, dl float64) engine.Measurement {
		return speedTest(ts, engine.Viettel, engine.Tech4G, lon, lat, dl)
	}
	laiChau := func(withHanoi bool) *penetration.Estimate {
		rng := rand.New(rand.NewPCG(5, 5))
		b := &engine.MeasurementBatch{}
		for i := range 60 {
			b.Append(test(yearAgo+int64(i)*3600_000, 103.31, 22.40, 10+20*rng.Float64()))
			b.Append(test(worldT0+int64(i)*3600_000, 103.31, 22.40, 14+25*rng.Float64()))
		}
		if withHanoi {
			hr := rand.New(rand.NewPCG(9, 9))
			for i := range 50 {
				b.Append(test(yearAgo+int64(i)*3600_000+60_000, 105.85, 21.03, 30+40*hr.Float64()))
				b.Append(test(worldT0+int64(i)*3600_000+60_000, 105.85, 21.03, 35+40*hr.Float64()))
			}
		}
		s := storeOf(t, worldVillages, b)
		opt := ScorecardOptions{Areas: provinces, Bootstrap: penetration.DefaultBootstrap(), Seed: 3}
		got, err := speedChanges(ctx, s, opt)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := penetration.ParsePeriod("2026-10")
		if n := len(got[p]); n != map[bool]int{false: 1, true: 2}[withHanoi] {
			t.Fatalf("areas with a change in 2026-10: %d (%v)", n, got[p])
		}
		e := got[p]["12"]
		if e == nil || math.IsNaN(e.Lower) || !(e.Lower < e.Upper) {
			t.Fatalf("Lai Châu (12): %+v", e)
		}
		return e
	}
	alone, beside := laiChau(false), laiChau(true)
	if alone.Value != beside.Value || alone.Lower != beside.Lower || alone.Upper != beside.Upper {
		t.Fatalf("Lai Châu's change %v [%v, %v] alone, %v [%v, %v] beside Hà Nội's tests",
			alone.Value, alone.Lower, alone.Upper, beside.Value, beside.Lower, beside.Upper)
	}
}
