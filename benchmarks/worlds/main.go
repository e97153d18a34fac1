// Command worlds generates synthetic mountain worlds in lomsong's input
// contract, written from the contract and a physical description alone
// (not from the engine or its demo generator), runs the lomsong binary on
// them as a user would (ingest, population --points, calibrate, coverage,
// deadzones) and scores its dead-zone village verdicts against the
// world's truth, with a "plain rule" baseline and a breakdown of every
// miss and false alarm. See README.md.
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lomsong/lomsong/geodata"
)

func main() {
	seeds := flag.String("seeds", "1,2,3", "comma-separated world seeds (world A, B, C, … in order)")
	villages := flag.Int("villages", fullVillages, "villages per world (420: the Lai Châu box; fewer: a smaller box of the same village density, e.g. 60 for a run of seconds)")
	out := flag.String("out", filepath.Join(os.TempDir(), "lomsong-worlds"), "working directory (worlds, datasets, outputs)")
	bin := flag.String("lomsong", "", "lomsong binary to measure (default: built from this module into -out)")
	results := flag.String("results", "", "also write the results as Markdown to this file (e.g. benchmarks/worlds/RESULTS.md)")
	flag.Float64Var(&decorrScale, "decorr-scale", 1, "multiply the shadowing's decorrelation distances (common 60–120 m, per carrier 30–80 m) by this factor: 4 gives the few hundred metres Gudmundson measured in suburban areas")
	flag.Float64Var(&crowdMeanM, "crowd-mean-m", 150, "mean distance in metres of a village's crowd tests from its point (exponential, cut at 500 m): smaller puts the phones in the village")
	flag.Parse()
	if !(crowdMeanM > 0) || math.IsInf(crowdMeanM, 0) {
		fmt.Fprintf(os.Stderr, "worlds: -crowd-mean-m %g: a positive distance\n", crowdMeanM)
		os.Exit(2)
	}
	if !(decorrScale > 0) || math.IsInf(decorrScale, 0) {
		fmt.Fprintf(os.Stderr, "worlds: -decorr-scale %g: a positive factor\n", decorrScale)
		os.Exit(2)
	}
	if err := run(*seeds, *villages, *out, *bin, *results); err != nil {
		fmt.Fprintln(os.Stderr, "worlds:", err)
		os.Exit(1)
	}
}

func run(seedList string, villages int, out, bin, results string) error {
	if villages < 12 {
		return fmt.Errorf("-villages %d: at least 12", villages)
	}
	var seeds []int64
	for _, s := range strings.Split(seedList, ",") {
		v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return fmt.Errorf("-seeds: %q is not an integer", s)
		}
		seeds = append(seeds, v)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if bin == "" {
		bin = filepath.Join(out, "lomsong")
		cmd := exec.Command("go", "build", "-o", bin, "./cmd/lomsong")
		cmd.Dir = moduleRoot()
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("building lomsong: %w", err)
		}
	}
	var reps []*Report
	for i, seed := range seeds {
		name := string(rune('A' + i))
		t0 := time.Now()
		w, err := Generate(seed, villages)
		if err != nil {
			return fmt.Errorf("world %s: %w", name, err)
		}
		dir := filepath.Join(out, fmt.Sprintf("world-%s-seed%d-v%d", name, seed, villages))
		os.RemoveAll(dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		tests := append(w.driveTests(rand.New(rand.NewPCG(uint64(seed), 11))), w.crowdTests(rand.New(rand.NewPCG(uint64(seed), 12)))...)
		if err := w.writeInputs(dir, tests); err != nil {
			return err
		}
		if err := w.writeTruth(dir); err != nil {
			return err
		}
		gen := time.Since(t0)
		fmt.Fprintf(os.Stderr, "world %s (seed %d): %d villages, %d masts, %d tests, generated in %.1f s\n", name, seed, len(w.Villages), len(w.Masts), len(tests), gen.Seconds())
		steps, err := runLomsong(bin, dir)
		if err != nil {
			return fmt.Errorf("world %s: %w", name, err)
		}
		rep, err := Score(w, tests, dir)
		if err != nil {
			return fmt.Errorf("world %s: %w", name, err)
		}
		rep.Name, rep.Seed, rep.Steps, rep.GenSeconds = name, seed, steps, gen.Seconds()
		if rep.NoOffAir, rep.NoOffAirDec, rep.NoOffAirBrier, err = scoreVariant(w, filepath.Join(dir, "deadzones-offair-false", "villages.csv")); err != nil {
			return fmt.Errorf("world %s: %w", name, err)
		}
		if err := rep.Check(); err != nil {
			return fmt.Errorf("world %s: %w", name, err)
		}
		reps = append(reps, rep)
	}
	md := Markdown(reps, villages, seedList)
	fmt.Print(md)
	if results != "" {
		return os.WriteFile(results, []byte(md), 0o644)
	}
	return nil
}

func moduleRoot() string {
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// Generate builds world seed with n villages: terrain, villages, roads,
// masts, register errors, shadowing; then masts are added near dead
// villages (or taken away at random) until 17–29 per 420 villages are
// dead at their point.
func Generate(seed int64, n int) (*World, error) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	p := Params{
		Villages:       n,
		SigmaTotalDB:   6 + 2*rng.Float64(),
		LocShare:       0.55 + 0.2*rng.Float64(),
		DecorrLocM:     (60 + 60*rng.Float64()) * decorrScale,
		DecorrCarM:     (30 + 50*rng.Float64()) * decorrScale,
		DownShare:      0.03 + 0.02*rng.Float64(),
		DisplacedShare: 0.10,
	}
	s := math.Sqrt(float64(n) / fullVillages)
	cl, ca := (fullLon0+fullLon1)/2+0.1, (fullLat0+fullLat1)/2
	p.Lon0, p.Lon1 = cl-(fullLon1-fullLon0)/2*s, cl+(fullLon1-fullLon0)/2*s
	p.Lat0, p.Lat1 = ca-(fullLat1-fullLat0)/2*s, ca+(fullLat1-fullLat0)/2*s
	if p.Lon0 < fullLon0 {
		p.Lon0, p.Lon1 = fullLon0, fullLon0+(fullLon1-fullLon0)*s
	}
	prov, err := geodata.Provinces2025()
	if err != nil {
		return nil, err
	}
	w := &World{Seed: seed, P: p, prov: prov,
		latM: 110574, lonM: 111320 * math.Cos((p.Lat0+p.Lat1)/2*math.Pi/180)}
	w.genDEM()
	if err := w.genVillages(rand.New(rand.NewPCG(uint64(seed), 1))); err != nil {
		return nil, err
	}
	w.genRoads(rand.New(rand.NewPCG(uint64(seed), 2)))
	w.genMasts(rand.New(rand.NewPCG(uint64(seed), 3)))
	w.Shadow = newShadow(rand.New(rand.NewPCG(uint64(seed), 4)), p)
	erng := rand.New(rand.NewPCG(uint64(seed), 5))
	for _, m := range w.Masts {
		m.Down = erng.Float64() < p.DownShare
	}
	w.tune(rand.New(rand.NewPCG(uint64(seed), 6)))
	for _, m := range w.Masts {
		if erng.Float64() < p.DisplacedShare {
			a := erng.Float64() * 2 * math.Pi
			r := 150 + erng.Float64()*550
			m.Reg = XY{m.P.X + r*math.Sin(a), m.P.Y + r*math.Cos(a)}
			m.Displace = r
		}
	}
	return w, nil
}

// decorrScale multiplies the decorrelation distances Generate draws
// (-decorr-scale); 1 keeps the worlds RESULTS.md describes.
var decorrScale = 1.0

// crowdMeanM is the mean distance of a village's crowd tests from its
// point (-crowd-mean-m); 150 keeps the worlds RESULTS.md describes.
var crowdMeanM = 150.0

func deadRange(n int) (int, int) {
	return int(math.Round(17 * float64(n) / fullVillages)), int(math.Round(29 * float64(n) / fullVillages))
}

// tune adds Viettel fill-in masts near dead villages while more than the
// middle of the range are dead, or takes masts away at random while fewer
// than its low end are.
func (w *World) tune(rng *rand.Rand) {
	lo, hi := deadRange(len(w.Villages))
	mid := (lo + hi) / 2
	// levels[m][v]: mast m's median levels at village v (before shadowing).
	cache := map[*Mast][][3]float64{}
	linkAll := func(m *Mast) [][3]float64 {
		if c, ok := cache[m]; ok {
			return c
		}
		c := make([][3]float64, len(w.Villages))
		for i, v := range w.Villages {
			c[i] = w.link(m, m.P, v.P)
		}
		cache[m] = c
		return c
	}
	shadow := make([][4]float64, len(w.Villages))
	for i, v := range w.Villages {
		for c := range carriers {
			shadow[i][c] = w.Shadow.Of(c, v.P)
		}
	}
	dead := func() []int {
		best := make([]float64, len(w.Villages))
		for i := range best {
			best[i] = math.Inf(-1)
		}
		for _, m := range w.Masts {
			if m.Down {
				continue
			}
			l := linkAll(m)
			for i := range w.Villages {
				for t := 1; t <= 2; t++ {
					best[i] = math.Max(best[i], l[i][t]+shadow[i][m.Carrier]-techCovered[t])
				}
			}
		}
		var d []int
		for i, b := range best {
			if b < 0 {
				d = append(d, i)
			}
		}
		return d
	}
	before, added, removed := len(dead()), 0, 0
	defer func() {
		fmt.Fprintf(os.Stderr, "world seed %d: %d villages dead at their point before tuning, %d after (%d fill-in masts added, %d masts taken away)\n",
			w.Seed, before, len(dead()), added, removed)
	}()
	for iter := 0; iter < 1000; iter++ {
		d := dead()
		if len(d) > mid {
			v := w.Villages[d[rng.IntN(len(d))]]
			if p, ok := w.siteNear(rng, v.P); ok {
				m := w.newMast(rng, 0, p)
				m.Has = [3]bool{true, true, true}
				m.Added = true
				added++
			}
			continue
		}
		if len(d) < lo {
			k := rng.IntN(len(w.Masts))
			w.Masts = append(w.Masts[:k], w.Masts[k+1:]...)
			removed++
			continue
		}
		break
	}
	// Ids in order, after the tuning.
	sort.SliceStable(w.Masts, func(i, j int) bool { return w.Masts[i].Carrier < w.Masts[j].Carrier })
	for i, m := range w.Masts {
		m.ID = fmt.Sprintf("%s-%d-%04d", carriers[m.Carrier][:3], w.Seed, i+1)
	}
}

// runLomsong runs the month as a user would, from the commands' --help:
// ingest the register, villages and measurements; population --points;
// calibrate; coverage; deadzones. Every command must exit 0.
func runLomsong(bin, dir string) ([]Step, error) {
	ds := filepath.Join(dir, "dataset")
	pop := filepath.Join(dir, "pop", "population.csv")
	cmds := [][]string{
		{"ingest", "--dataset", ds, filepath.Join(dir, "sites.csv"), filepath.Join(dir, "villages.csv"),
			filepath.Join(dir, "measurements_drive.csv"), filepath.Join(dir, "measurements_crowd.csv")},
		{"population", "--points", filepath.Join(dir, "villages_points.csv"), "--out", filepath.Join(dir, "pop")},
		{"calibrate", "--dataset", ds, "--population", pop},
		{"coverage", "--dataset", ds, "--population", pop, "--out", filepath.Join(dir, "coverage")},
		{"deadzones", "--dataset", ds, "--population", pop, "--out", filepath.Join(dir, "deadzones")},
		// The same month with the register taken as listed: how much the
		// off-air check changes.
		{"calibrate", "--dataset", ds, "--population", pop, "--off-air=false", "--out", filepath.Join(dir, "calibration-offair-false.json")},
		{"deadzones", "--dataset", ds, "--population", pop, "--calibration", filepath.Join(dir, "calibration-offair-false.json"),
			"--out", filepath.Join(dir, "deadzones-offair-false")},
	}
	var steps []Step
	for _, args := range cmds {
		t0 := time.Now()
		cmd := exec.Command(bin, args...)
		// The measurement month is October 2026; the clock is fixed after
		// it so that reruns write identical files.
		cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH=1793750400")
		logName := filepath.Join(dir, fmt.Sprintf("%d-%s.log", len(steps)+1, args[0]))
		logf, err := os.Create(logName)
		if err != nil {
			return steps, err
		}
		cmd.Stdout, cmd.Stderr = logf, logf
		err = cmd.Run()
		logf.Close()
		name := args[0]
		if strings.Contains(strings.Join(args, " "), "offair-false") {
			name += " (off-air off)"
		}
		st := Step{Command: name, Seconds: time.Since(t0).Seconds(), Exit: cmd.ProcessState.ExitCode()}
		steps = append(steps, st)
		if err != nil {
			b, _ := os.ReadFile(logName)
			return steps, fmt.Errorf("lomsong %s exited %d: %s", strings.Join(args, " "), st.Exit, tail(string(b), 2000))
		}
	}
	return steps, nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

type Step struct {
	Command string
	Seconds float64
	Exit    int
}
