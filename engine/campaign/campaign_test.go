package campaign

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/paulmach/orb"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestValue(t *testing.T) {
	cases := []struct {
		name              string
		h, p, c, eps      float64
		now, after, value float64
	}{
		{"boundary", 100, 0.5, 1, 0.05, 50, 5, 45},
		{"unlikely dead: test cannot change the decision", 100, 0.01, 1, 0.05, 1, 1, 0},
		{"perfect test", 80, 0.3, 1, 0, 24, 0, 24},
		{"miss cost 4", 10, 0.3, 4, 0.1, 7, 1.9, 5.1},
		{"certainly served", 50, 0, 1, 0.05, 0, 0, 0},
		{"certainly dead", 50, 1, 1, 0.05, 0, 0, 0},
		{"no households", 0, 0.5, 1, 0.05, 0, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			now, after, v := Value(c.h, c.p, c.c, c.eps)
			if !near(now, c.now, 1e-9) || !near(after, c.after, 1e-9) || !near(v, c.value, 1e-9) {
				t.Errorf("Value(%g, %g, %g, %g) = %g, %g, %g; want %g, %g, %g", c.h, c.p, c.c, c.eps, now, after, v, c.now, c.after, c.value)
			}
			if v < 0 {
				t.Errorf("negative value %g", v)
			}
		})
	}
	// The value is never negative and never above the risk now.
	for p := 0.0; p <= 1; p += 0.01 {
		for _, eps := range []float64{0, 0.01, 0.2, 0.49} {
			now, _, v := Value(37, p, 2.5, eps)
			if v < 0 || v > now+1e-9 {
				t.Fatalf("p %g ε %g: value %g outside [0, risk now %g]", p, eps, v, now)
			}
		}
	}
}

func TestGreatCircleKm(t *testing.T) {
	deg := 2 * math.Pi * EarthRadiusKm / 360 // 111.19508 km
	cases := []struct {
		name string
		a, b orb.Point
		km   float64
	}{
		{"meridian degree", orb.Point{105, 21}, orb.Point{105, 22}, deg},
		{"equator degree", orb.Point{0, 0}, orb.Point{1, 0}, deg},
		{"same point", orb.Point{103.4, 22.4}, orb.Point{103.4, 22.4}, 0},
		{"quarter meridian", orb.Point{10, 0}, orb.Point{10, 90}, 90 * deg},
	}
	for _, c := range cases {
		if got := GreatCircleKm(c.a, c.b); !near(got, c.km, 1e-6) {
			t.Errorf("%s: %g km, want %g", c.name, got, c.km)
		}
	}
	if !near(deg, 111.19508, 1e-5) {
		t.Errorf("a degree is %g km", deg)
	}
}

// euclid returns a distance over points in the plane.
func euclid(pts [][2]float64) func(i, j int) float64 {
	return func(i, j int) float64 { return math.Hypot(pts[i][0]-pts[j][0], pts[i][1]-pts[j][1]) }
}

func TestNearestNeighbour(t *testing.T) {
	// 0 (0,0) is the start; 2 and 4 are both 1 away (2 comes first in the
	// list); from 3, 1 and 4 are both √10 away (1 comes first).
	d := euclid([][2]float64{{0, 0}, {5, 0}, {1, 0}, {2, 1}, {-1, 0}})
	got := NearestNeighbour(0, []int{1, 2, 3, 4}, d)
	if want := []int{0, 2, 3, 1, 4}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	// The list order decides ties: 4 before 2 now.
	got = NearestNeighbour(0, []int{4, 3, 2, 1}, d)
	if want := []int{0, 4, 2, 3, 1}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	if got := NearestNeighbour(0, nil, d); !slices.Equal(got, []int{0}) {
		t.Errorf("no nodes: %v", got)
	}
}

func TestTwoOptCrossedSquare(t *testing.T) {
	d := euclid([][2]float64{{0, 0}, {1, 0}, {1, 1}, {0, 1}})
	cases := []struct {
		name          string
		closed        bool
		before, after float64
		want          []int
	}{
		{"closed tour", true, 2 + 2*math.Sqrt2, 4, []int{0, 1, 2, 3}},
		{"open path", false, 1 + 2*math.Sqrt2, 3, []int{0, 1, 2, 3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			route := []int{0, 2, 1, 3} // the diagonals cross
			if l := PathLength(route, d, c.closed); !near(l, c.before, 1e-12) {
				t.Fatalf("crossed length %g, want %g", l, c.before)
			}
			got := TwoOpt(route, d, c.closed)
			if !slices.Equal(got, c.want) {
				t.Errorf("route %v, want %v", got, c.want)
			}
			if l := PathLength(got, d, c.closed); !near(l, c.after, 1e-12) {
				t.Errorf("length %g, want %g", l, c.after)
			}
		})
	}
}

func TestTwoOptNeverLengthens(t *testing.T) {
	neverLengthens(t, "2-opt", rand.New(rand.NewPCG(7, 11)), 200, TwoOpt)
}

// neverLengthens gives improve trials random routes of 2 to 13 points,
// closed and open in turn, and checks that each comes back a permutation
// of its nodes, with its first node first, and no longer.
func neverLengthens(t *testing.T, name string, rng *rand.Rand, trials int, improve func(route []int, dist func(i, j int) float64, closed bool) []int) {
	t.Helper()
	for trial := range trials {
		n := 2 + rng.IntN(12)
		pts := make([][2]float64, n)
		for i := range pts {
			pts[i] = [2]float64{rng.Float64() * 100, rng.Float64() * 100}
		}
		d := euclid(pts)
		route := rng.Perm(n)
		first := route[0]
		closed := trial%2 == 0
		before := PathLength(route, d, closed)
		got := improve(slices.Clone(route), d, closed)
		if got[0] != first {
			t.Fatalf("trial %d: first node moved from %d to %d", trial, first, got[0])
		}
		if after := PathLength(got, d, closed); after > before+1e-9 {
			t.Fatalf("trial %d: %s lengthened %g → %g", trial, name, before, after)
		}
		s := slices.Clone(got)
		slices.Sort(s)
		for i := range s {
			if s[i] != i {
				t.Fatalf("trial %d: %v is not a permutation of 0..%d", trial, got, n-1)
			}
		}
	}
}

// kmEast returns the point km kilometres east of (0, 0) on the equator.
func kmEast(km float64) (lon, lat float64) {
	return km / (2 * math.Pi * EarthRadiusKm / 360), 0
}

func village(id string, km, households, p float64) Village {
	lon, lat := kmEast(km)
	return Village{Village: engine.Village{ID: id, Name: "Bản " + id, Lon: lon, Lat: lat, Households: households}, PDead: p}
}

func TestBuildKnownPlan(t *testing.T) {
	// Start at (0, 0); 30 km/h, no detour, 1 h per village, 8 h days.
	// A (15 km) and B (30 km) fit day 1 (1 h travel, 2 h tests); C at 235
	// km does not fit any day from the start (7.83 h + 1 h) but fits day 2
	// from B, where the team lodged (205 km: 6.83 h + 1 h).
	vs := []Village{village("C", 235, 100, 0.5), village("B", 30, 100, 0.5), village("A", 15, 100, 0.5),
		village("Z", 40, 100, 0)}
	cfg := Config{Teams: 1, Days: 2, MeasureHours: 1, SpeedKmh: 30, DetourFactor: 1, DayHours: 8,
		ResidualError: -1, Start: orb.Point{1e-9, 0}}
	p, err := Build(vs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Routes) != 2 {
		t.Fatalf("%d routes, want 2: %+v", len(p.Routes), p.Routes)
	}
	r1, r2 := p.Routes[0], p.Routes[1]
	if r1.Team != 1 || r1.Day != 1 || !slices.Equal(r1.Rows, []int{2, 1}) {
		t.Errorf("day 1: team %d day %d rows %v, want team 1 day 1 rows [2 1] (A, B)", r1.Team, r1.Day, r1.Rows)
	}
	if !near(r1.LengthKm, 30, 1e-6) || !near(r1.Hours, 3, 1e-6) {
		t.Errorf("day 1: %g km, %g h; want 30 km, 3 h", r1.LengthKm, r1.Hours)
	}
	if !slices.Equal(r2.Rows, []int{0}) || !near(r2.LengthKm, 205, 1e-6) || !near(r2.Hours, 205.0/30+1, 1e-6) {
		t.Errorf("day 2: rows %v, %g km, %g h; want [0] (C), 205 km, %g h", r2.Rows, r2.LengthKm, r2.Hours, 205.0/30+1)
	}
	if r2.Start != r1.End {
		t.Errorf("day 2 starts at %v, day 1 ended at %v", r2.Start, r1.End)
	}
	// Perfect tests: every value is the risk now, 50 households each.
	if !near(p.Value, 150, 1e-9) || !near(p.RiskNow, 150, 1e-9) {
		t.Errorf("value %g, risk now %g; want 150, 150", p.Value, p.RiskNow)
	}
	// Ranked: Z has no value and is left out; equal values go by ID.
	var ids []string
	for _, v := range p.Ranked {
		ids = append(ids, fmt.Sprintf("%s:%d/%d/%d", v.ID, v.Team, v.Day, v.Order))
	}
	if want := []string{"A:1/1/1", "B:1/1/2", "C:1/2/1"}; !slices.Equal(ids, want) {
		t.Errorf("ranked %v, want %v", ids, want)
	}

	// Returning to base every evening, C is out of reach.
	cfg.ReturnToBase = true
	p, err = Build(vs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Routes) != 1 || !slices.Equal(p.Routes[0].Rows, []int{2, 1}) || !near(p.Routes[0].LengthKm, 60, 1e-6) {
		t.Fatalf("round trips: %+v, want one day A, B of 60 km", p.Routes)
	}
	if p.Routes[0].End != p.Routes[0].Start {
		t.Errorf("round trip ends at %v, not its start %v", p.Routes[0].End, p.Routes[0].Start)
	}
}

func TestBuildPrefersValuePerHour(t *testing.T) {
	// Near (30 km, value 25) has 25/2 h per hour; Far (190 km, value 50)
	// 50/7.33 h. Near goes first; Far no longer fits (1 h + 1 h + 160 km
	// = 5.33 h + 1 h = 8.33 h > 8 h).
	vs := []Village{village("Far", 190, 100, 0.5), village("Near", 30, 50, 0.5)}
	p, err := Build(vs, Config{Days: 1, MeasureHours: 1, DetourFactor: 1, ResidualError: -1, Start: orb.Point{1e-9, 0}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Routes) != 1 || !slices.Equal(p.Routes[0].Rows, []int{1}) {
		t.Fatalf("routes %+v, want Near alone", p.Routes)
	}
	if p.Ranked[0].ID != "Far" || p.Ranked[0].Chosen() || !p.Ranked[1].Chosen() {
		t.Errorf("ranked %+v: want Far first, not chosen; Near chosen", p.Ranked)
	}
}

// randomVillages scatters n villages over about 100 × 100 km.
func randomVillages(seed uint64, n int) []Village {
	rng := rand.New(rand.NewPCG(seed, 3))
	vs := make([]Village, n)
	for i := range vs {
		vs[i] = Village{Village: engine.Village{ID: fmt.Sprintf("V%04d", i), Lon: 103 + rng.Float64(), Lat: 22 + rng.Float64(),
			Households: float64(20 + rng.IntN(300))}, PDead: rng.Float64()}
	}
	return vs
}

func TestBudgetNeverExceeded(t *testing.T) {
	configs := []Config{
		{Teams: 3, Days: 5},
		{Teams: 2, Days: 4, ReturnToBase: true},
		{Teams: 1, Days: 10, DayHours: 6, MeasureHours: 2, SpeedKmh: 20, DetourFactor: 1.8, MissCost: 3},
		{Teams: 4, Days: 2, DayHours: 3, MeasureHours: 2.5, ResidualError: 0.2},
	}
	for ci, cfg := range configs {
		for seed := uint64(1); seed <= 4; seed++ {
			vs := randomVillages(seed, 150)
			p, err := Build(vs, cfg)
			if err != nil {
				t.Fatal(err)
			}
			eff := p.Config
			seen := map[int]bool{}
			for _, r := range p.Routes {
				if r.Hours > eff.DayHours {
					t.Errorf("config %d seed %d: team %d day %d takes %g h > %g h", ci, seed, r.Team, r.Day, r.Hours, eff.DayHours)
				}
				// Recompute the route from the villages' points.
				pts := []orb.Point{r.Start}
				for _, row := range r.Rows {
					if seen[row] {
						t.Fatalf("config %d seed %d: village row %d visited twice", ci, seed, row)
					}
					seen[row] = true
					pts = append(pts, orb.Point{vs[row].Lon, vs[row].Lat})
				}
				if eff.ReturnToBase {
					pts = append(pts, r.Start)
				}
				var km float64
				for k := 1; k < len(pts); k++ {
					km += GreatCircleKm(pts[k-1], pts[k])
				}
				km *= eff.DetourFactor
				h := km/eff.SpeedKmh + float64(len(r.Rows))*eff.MeasureHours
				if !near(km, r.LengthKm, 1e-6) || !near(h, r.Hours, 1e-9) {
					t.Errorf("config %d seed %d: route says %g km %g h, its points %g km %g h", ci, seed, r.LengthKm, r.Hours, km, h)
				}
				// The route is a 2-opt local optimum: no move shortens it.
				nodes := make([]int, len(pts))
				for k := range nodes {
					nodes[k] = k
				}
				if eff.ReturnToBase {
					nodes = nodes[:len(nodes)-1]
				}
				d := func(i, j int) float64 { return GreatCircleKm(pts[i], pts[j]) }
				l := PathLength(nodes, d, eff.ReturnToBase)
				if l2 := PathLength(TwoOpt(slices.Clone(nodes), d, eff.ReturnToBase), d, eff.ReturnToBase); l2 < l-1e-6 {
					t.Errorf("config %d seed %d: team %d day %d: 2-opt still shortens %g → %g km", ci, seed, r.Team, r.Day, l, l2)
				}
				if r.Team < 1 || r.Team > eff.Teams || r.Day < 1 || r.Day > eff.Days {
					t.Errorf("config %d: team %d day %d out of range", ci, r.Team, r.Day)
				}
			}
			var chosen int
			for _, v := range p.Ranked {
				if v.Chosen() != seen[v.Row] {
					t.Errorf("config %d seed %d: %s chosen %v but in a route %v", ci, seed, v.ID, v.Chosen(), seen[v.Row])
				}
				if v.Chosen() {
					chosen++
				}
				if v.Value <= 0 {
					t.Errorf("ranked village %s has value %g", v.ID, v.Value)
				}
			}
			if chosen != len(seen) || chosen == 0 {
				t.Errorf("config %d seed %d: %d chosen in the ranking, %d in routes", ci, seed, chosen, len(seen))
			}
			for i := 1; i < len(p.Ranked); i++ {
				if p.Ranked[i].Value > p.Ranked[i-1].Value {
					t.Fatalf("ranking not by value at %d", i)
				}
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	vs := randomVillages(9, 300)
	cfg := Config{Teams: 3, Days: 6}
	a, err := Build(vs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		b, err := Build(slices.Clone(vs), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatal("two builds of the same input differ")
		}
	}
	if a.Config.Start != DefaultStart(vs) {
		t.Errorf("default start %v, want the village nearest the centroid, %v", a.Config.Start, DefaultStart(vs))
	}
}

func TestBuildErrors(t *testing.T) {
	good := []Village{village("A", 10, 10, 0.5)}
	cases := []struct {
		name string
		vs   []Village
		cfg  Config
		want error
	}{
		{"no days", good, Config{}, engine.ErrInvalidConfig},
		{"negative teams", good, Config{Days: 1, Teams: -1}, engine.ErrInvalidConfig},
		{"measure longer than a day", good, Config{Days: 1, MeasureHours: 9}, engine.ErrInvalidConfig},
		{"detour below 1", good, Config{Days: 1, DetourFactor: 0.5}, engine.ErrInvalidConfig},
		{"residual error 0.5", good, Config{Days: 1, ResidualError: 0.5}, engine.ErrInvalidConfig},
		{"start off the globe", good, Config{Days: 1, Start: orb.Point{200, 0}}, engine.ErrInvalidConfig},
		{"p above 1", []Village{village("A", 1, 1, 1.2)}, Config{Days: 1}, engine.ErrInvalidValue},
		{"p NaN", []Village{village("A", 1, 1, math.NaN())}, Config{Days: 1}, engine.ErrInvalidValue},
		{"negative households", []Village{village("A", 1, -1, 0.5)}, Config{Days: 1}, engine.ErrInvalidValue},
		{"lat NaN", []Village{{Village: engine.Village{ID: "A", Lat: math.NaN()}}}, Config{Days: 1}, engine.ErrInvalidValue},
	}
	for _, c := range cases {
		if _, err := Build(c.vs, c.cfg); !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.want)
		}
	}
	p, err := Build(nil, Config{Days: 3})
	if err != nil || len(p.Routes) != 0 || len(p.Ranked) != 0 {
		t.Errorf("no villages: %+v, %v", p, err)
	}
}

func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		vs := randomVillages(5, n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Build(vs, Config{Teams: 3, Days: 20}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
