// Command run measures lomsong's monthly run (pipeline.Run, what
// "lomsong run" calls) on a generated national-like month: a full run on a
// fresh dataset, then the incremental run after one carrier adds a late
// dump, then a run with nothing changed. It counts the passes over the
// measurements each run makes and checks them (one pass per period for the
// full run, one pass over the late carrier's parts alone after its dump,
// none when nothing changed), and reports wall and CPU time and peak RSS
// of each phase, every phase in a child process of its own.
//
//	go run ./benchmarks/run                                   # tiny (CI)
//	go run ./benchmarks/run -rows 5000000 -sectors 60000 -villages 14000
//
// See README.md for what is generated and RESULTS.md for the last run.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/challenge"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/pipeline"
	"github.com/lomsong/lomsong/geodata"
)

// config is the generated month.
type config struct {
	Rows     int64   `json:"rows"`
	Sectors  int     `json:"sectors"`
	Villages int     `json:"villages"`
	Late     float64 `json:"late_share"` // share of the last carrier's rows in its late dump
	Seed     uint64  `json:"seed"`
	Dir      string  `json:"-"`
}

// carriers and their shares of the rows; the last one's late dump is
// added between the full and the incremental run.
var carriers = []struct {
	c     engine.Carrier
	share float64
}{{engine.Viettel, 0.45}, {engine.VinaPhone, 0.25}, {engine.MobiFone, 0.22}, {engine.Vietnamobile, 0.08}}

const period = "2026-05"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	if len(os.Args) > 2 && os.Args[1] == "-child" {
		err = child(ctx, os.Args[2], os.Args[3:])
	} else {
		err = parent(ctx, os.Args[1:])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "run:", err)
		os.Exit(1)
	}
}

// phaseResult is what a child reports.
type phaseResult struct {
	Phase    string            `json:"phase"`
	Seconds  float64           `json:"seconds"`
	Scans    int64             `json:"scans"`
	ScanRows int64             `json:"scan_rows"`
	Rows     int64             `json:"rows"` // generated or ingested
	Rebuilt  []string          `json:"rebuilt,omitempty"`
	Reused   []string          `json:"reused,omitempty"`
	Figures  map[string]string `json:"figures,omitempty"`
	// StageTimes are the stages' wall times, "stage=seconds".
	StageTimes []string `json:"stage_times,omitempty"`
	// Filled by the parent from the child's rusage.
	CPUSeconds float64 `json:"cpu_seconds"`
	PeakRSSMiB float64 `json:"peak_rss_mib"`
}

func parent(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	var c config
	fs.Int64Var(&c.Rows, "rows", 20_000, "measurement rows of the month (all carriers, late dump included)")
	fs.IntVar(&c.Sectors, "sectors", 300, "site sectors (all carriers)")
	fs.IntVar(&c.Villages, "villages", 400, "villages")
	fs.Float64Var(&c.Late, "late", 0.5, "share of the last carrier's rows that come in its late dump")
	fs.Uint64Var(&c.Seed, "seed", 1, "seed of the generated month")
	fs.StringVar(&c.Dir, "dir", filepath.Join(os.TempDir(), "lomsong-run-bench"), "working directory (its dataset is replaced)")
	results := fs.String("results", "benchmarks/run/RESULTS.md", "file to write the results to (\"\" = none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.Rows < 1000 || c.Sectors < len(carriers) || c.Villages < 1 || !(c.Late > 0 && c.Late < 1) {
		return errors.New("want -rows ≥ 1000, -sectors ≥ 4, -villages ≥ 1 and 0 < -late < 1")
	}
	if err := os.RemoveAll(c.Dir); err != nil {
		return err
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return err
	}
	cfgJSON, _ := json.Marshal(c)
	var out []phaseResult
	for _, ph := range []string{"generate", "full", "late-dump", "incremental", "unchanged"} {
		r, err := runChild(ctx, ph, c.Dir, string(cfgJSON))
		if err != nil {
			return fmt.Errorf("%s: %w", ph, err)
		}
		fmt.Printf("%-12s %8.2fs wall %8.2fs CPU %8.0f MiB peak RSS  passes %d over %d rows  computed: %s  times: %s\n",
			r.Phase, r.Seconds, r.CPUSeconds, r.PeakRSSMiB, r.Scans, r.ScanRows, strings.Join(r.Rebuilt, " "), strings.Join(r.StageTimes, " "))
		out = append(out, r)
	}
	full, late, inc, same := out[1], out[2], out[3], out[4]
	// The checks: one pass per period; after the late dump one pass over
	// that carrier's parts only, and only its measure stage rebuilt; none
	// with nothing changed.
	total := out[0].Rows + late.Rows
	lm, ll := rowsOf(c, len(carriers)-1)
	lastRows := lm + ll
	var problems []string
	if full.Scans != 1 || full.ScanRows != out[0].Rows {
		problems = append(problems, fmt.Sprintf("full run: %d passes over %d rows, want 1 over %d", full.Scans, full.ScanRows, out[0].Rows))
	}
	last := string(carriers[len(carriers)-1].c)
	if inc.Scans != 1 || inc.ScanRows != lastRows || lastRows >= total {
		problems = append(problems, fmt.Sprintf("incremental run: %d passes over %d rows, want 1 over %s's rows only", inc.Scans, inc.ScanRows, last))
	}
	for _, s := range inc.Rebuilt {
		if strings.HasPrefix(s, "measure:") && s != "measure:"+last {
			problems = append(problems, "incremental run rebuilt "+s)
		}
	}
	if same.Scans != 0 || len(same.Rebuilt) != 0 {
		problems = append(problems, fmt.Sprintf("unchanged run: %d passes, rebuilt %v", same.Scans, same.Rebuilt))
	}
	ratio := inc.Seconds / full.Seconds
	fmt.Printf("incremental / full: %.1f%% of the wall time (target ≤ 30%%), %.1f%% of the CPU time\n", 100*ratio, 100*inc.CPUSeconds/full.CPUSeconds)
	if *results != "" {
		if err := writeResults(*results, c, args, out, ratio, problems); err != nil {
			return err
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

func runChild(ctx context.Context, phase, dir, cfg string) (phaseResult, error) {
	exe, err := os.Executable()
	if err != nil {
		return phaseResult{}, err
	}
	cmd := exec.CommandContext(ctx, exe, "-child", phase, cfg, dir)
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return phaseResult{}, err
	}
	var r phaseResult
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("child output %q: %w", b, err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.PeakRSSMiB = float64(ru.Maxrss) / 1024 // KiB on Linux
		r.CPUSeconds = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	}
	return r, nil
}

func child(ctx context.Context, phase string, args []string) error {
	var c config
	if len(args) != 2 {
		return errors.New("child: want CONFIG DIR")
	}
	if err := json.Unmarshal([]byte(args[0]), &c); err != nil {
		return err
	}
	c.Dir = args[1]
	ds := filepath.Join(c.Dir, "dataset")
	// LOMSONG_BENCH_PROFILES=DIR writes a CPU and an allocation profile of
	// each phase there (PHASE.cpu.pprof, PHASE.allocs.pprof).
	if dir := os.Getenv("LOMSONG_BENCH_PROFILES"); dir != "" {
		f, err := os.Create(filepath.Join(dir, phase+".cpu.pprof"))
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
			if h, err := os.Create(filepath.Join(dir, phase+".allocs.pprof")); err == nil {
				pprof.Lookup("allocs").WriteTo(h, 0)
				h.Close()
			}
		}()
	}
	start := time.Now()
	r := phaseResult{Phase: phase}
	var err error
	switch phase {
	case "generate":
		r.Rows, err = generate(ds, c)
	case "late-dump":
		r.Rows, err = lateDump(ds, c)
	case "full", "incremental", "unchanged":
		err = runMonth(ctx, ds, &r)
	default:
		err = fmt.Errorf("unknown phase %q", phase)
	}
	if err != nil {
		return err
	}
	r.Seconds = time.Since(start).Seconds()
	return json.NewEncoder(os.Stdout).Encode(r)
}

// runMonth is what lomsong run does with its default options.
func runMonth(ctx context.Context, ds string, r *phaseResult) error {
	s, err := dataset.Open(ds)
	if err != nil {
		return err
	}
	provinces, err := geodata.Provinces2025()
	if err != nil {
		return err
	}
	copt, err := pipeline.DefaultCoverageOptions(aggregate.DefaultConfig().Resolution)
	if err != nil {
		return err
	}
	villages, err := s.Villages()
	if err != nil {
		return err
	}
	pop, err := pipeline.VillagePopulation(villages, copt.Aggregate.Config.Resolution)
	if err != nil {
		return err
	}
	copt.Population = pop
	copt.SpeedAreas = provinces // as lomsong run's --boundaries
	for _, p := range pop {
		if p.Population > 0 {
			copt.Cells = append(copt.Cells, p.Cell)
		}
	}
	opt := pipeline.RunOptions{Period: period, DeadZones: pipeline.DeadZoneOptions{Coverage: copt, Provinces: provinces,
		Villages: deadzone.DefaultVillageOptions(), Challenge: challenge.DefaultConfig()}}
	var lastPrint time.Time
	opt.Progress = func(p pipeline.Progress) {
		if p.Finished || time.Since(lastPrint) > 5*time.Second {
			lastPrint = time.Now()
			fmt.Fprintf(os.Stderr, "  %s: %d/%d %s finished=%v reused=%v\n", p.Stage, p.Done, p.Total, p.Unit, p.Finished, p.Reused)
		}
	}
	sum, err := pipeline.Run(ctx, s, opt)
	if err != nil {
		return err
	}
	r.Scans, r.ScanRows = sum.Scans.Scans, sum.Scans.Rows
	for _, st := range sum.Stages {
		name := st.Stage
		if st.Carrier != "" {
			name += ":" + st.Carrier
		}
		if st.Reused {
			r.Reused = append(r.Reused, name)
		} else {
			r.Rebuilt = append(r.Rebuilt, name)
		}
		if st.Elapsed > 0 {
			r.StageTimes = append(r.StageTimes, fmt.Sprintf("%s=%.1f", name, st.Elapsed.Seconds()))
		}
	}
	dz := sum.DeadZones
	without := 0
	for _, v := range dz.Villages.Villages {
		if v.WithoutSignal() {
			without++
		}
	}
	r.Figures = map[string]string{"keys": fmt.Sprint(sum.Keys), "zones": fmt.Sprint(len(dz.Zones)),
		"villages_without_signal": fmt.Sprint(without), "coverage_states": fmt.Sprint(len(dz.Coverage.States))}
	return nil
}

// place is where tests cluster: a village.
type place struct{ lon, lat float64 }

// world returns the generated villages and sites (deterministic in the seed).
func world(c config) ([]engine.Village, []engine.Site) {
	rng := rand.New(rand.NewPCG(c.Seed, 1))
	// Villages along Vietnam's length: a band from the north (23°N) to the
	// south (8.8°N), its longitude following the coast.
	vills := make([]engine.Village, c.Villages)
	for i := range vills {
		lat := 8.8 + 14.2*rng.Float64()
		lon := 104.6 + 0.35*(lat-8.8) - 0.02*(lat-8.8)*(lat-8.8) + 1.2*rng.NormFloat64()
		if lat > 17 { // the north widens westward
			lon = 102.5 + 4.8*rng.Float64()
		}
		vills[i] = engine.Village{ID: fmt.Sprintf("V%06d", i), Name: fmt.Sprintf("Bản %d", i), Lon: lon, Lat: lat,
			Households: float64(20 + rng.IntN(300))}
	}
	nan := math.NaN()
	sites := make([]engine.Site, c.Sectors)
	for i := range sites {
		cr := carriers[i%len(carriers)].c
		v := vills[rng.IntN(len(vills))]
		tech := []engine.Tech{engine.Tech4G, engine.Tech4G, engine.Tech3G, engine.Tech2G}[rng.IntN(4)]
		sites[i] = engine.Site{SiteID: fmt.Sprintf("%s-%06d", cr, i), Carrier: cr, Tech: tech,
			Lon: v.Lon + 0.03*rng.NormFloat64(), Lat: v.Lat + 0.03*rng.NormFloat64(), BandMHz: nan, HeightM: nan,
			AzimuthDeg: float64(rng.IntN(3)) * 120, BeamwidthDeg: 65, TiltDeg: nan, EIRPDBm: 55 + 5*rng.Float64()}
	}
	return vills, sites
}

// measurements appends n tests of carrier cr clustered around villages.
func measurements(b *engine.MeasurementBatch, rng *rand.Rand, vills []engine.Village, cr engine.Carrier, n int64, t0 int64) {
	for i := int64(0); i < n; i++ {
		v := vills[rng.IntN(len(vills))]
		svc, sig := engine.ServiceOK, -85+12*rng.NormFloat64()
		if rng.IntN(25) == 0 {
			svc, sig = engine.ServiceNone, math.NaN()
		}
		sig = max(sig, -139)
		dl := math.NaN()
		if rng.IntN(8) == 0 {
			dl = 40 * rng.ExpFloat64()
		}
		b.Append(engine.Measurement{TimeUnixMs: t0 + rng.Int64N(30*86400_000), Carrier: cr,
			Tech: []engine.Tech{engine.Tech4G, engine.Tech4G, engine.Tech3G, engine.Tech2G}[rng.IntN(4)],
			Lon:  v.Lon + 0.01*rng.NormFloat64(), Lat: v.Lat + 0.01*rng.NormFloat64(), SignalDBm: math.Round(sig), Service: svc,
			RSRQDB: math.NaN(), SINRDB: math.NaN(), DLMbps: dl, ULMbps: math.NaN(), LatencyMs: math.NaN(),
			Source: engine.SourceCrowd, DeviceID: fmt.Sprintf("d%d", rng.IntN(5000)), DeviceClass: engine.DeviceSmartphone,
			Environment: engine.Environment(rng.IntN(4))})
	}
}

func monthStart() int64 { return time.Date(2026, 5, 1, 0, 0, 0, 0, dataset.ReportTime).UnixMilli() }

func commit(s *dataset.Store, sha, name, kind string, f func(*dataset.Txn) error) error {
	txn, err := s.Begin(strings.Repeat(sha, 32), name, kind)
	if err != nil {
		return err
	}
	if err := f(txn); err != nil {
		txn.Abort()
		return err
	}
	_, err = txn.Commit(dataset.Meta{Format: "generated", IngestedAt: time.Unix(0, 0)})
	return err
}

// rowsOf returns each carrier's rows in the month and its late dump's.
func rowsOf(c config, i int) (main, late int64) {
	n := int64(float64(c.Rows) * carriers[i].share)
	if i == len(carriers)-1 {
		late = int64(float64(n) * c.Late)
		return n - late, late
	}
	return n, 0
}

// generate writes the dataset: sites, villages and every carrier's dump
// of the month but the last carrier's late one. It returns the rows.
func generate(ds string, c config) (int64, error) {
	s, err := dataset.Open(ds)
	if err != nil {
		return 0, err
	}
	vills, sites := world(c)
	if err := commit(s, "a1", "sites", "sites", func(t *dataset.Txn) error { return t.WriteSites(sites) }); err != nil {
		return 0, err
	}
	if err := commit(s, "b2", "villages", "villages", func(t *dataset.Txn) error { return t.WriteVillages(vills) }); err != nil {
		return 0, err
	}
	var total int64
	for i, cr := range carriers {
		n, _ := rowsOf(c, i)
		rng := rand.New(rand.NewPCG(c.Seed, uint64(10+i)))
		err := commit(s, fmt.Sprintf("%02x", 0xc0+i), string(cr.c)+"-2026-05", "measurements", func(t *dataset.Txn) error {
			const chunk = 1 << 16
			b := &engine.MeasurementBatch{}
			for done := int64(0); done < n; done += chunk {
				b.Reset()
				measurements(b, rng, vills, cr.c, min(chunk, n-done), monthStart())
				if err := t.WriteMeasurements(b); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// lateDump ingests the last carrier's late dump of the month.
func lateDump(ds string, c config) (int64, error) {
	s, err := dataset.Open(ds)
	if err != nil {
		return 0, err
	}
	vills, _ := world(c)
	i := len(carriers) - 1
	_, n := rowsOf(c, i)
	rng := rand.New(rand.NewPCG(c.Seed, 99))
	err = commit(s, "d9", string(carriers[i].c)+"-2026-05-late", "measurements", func(t *dataset.Txn) error {
		b := &engine.MeasurementBatch{}
		measurements(b, rng, vills, carriers[i].c, n, monthStart())
		return t.WriteMeasurements(b)
	})
	return n, err
}

func writeResults(path string, c config, args []string, out []phaseResult, ratio float64, problems []string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# lomsong run: full and incremental monthly run\n\n")
	fmt.Fprintf(&b, "Command: `go run ./benchmarks/run %s`\n\n", strings.Join(args, " "))
	fmt.Fprintf(&b, "Generated month %s: %d measurement rows (4 carriers; %s's late dump %.0f%% of its rows), %d site sectors, %d villages; %d CPUs (GOMAXPROCS), %s.\n\n",
		period, c.Rows, carriers[len(carriers)-1].c, 100*c.Late, c.Sectors, c.Villages, runtime.GOMAXPROCS(0), runtime.Version())
	fmt.Fprintf(&b, "| phase | wall s | CPU s | peak RSS MiB | passes | rows read | stages computed | stage wall times, s |\n|---|---:|---:|---:|---:|---:|---|---|\n")
	for _, r := range out {
		fmt.Fprintf(&b, "| %s | %.2f | %.2f | %.0f | %d | %d | %s | %s |\n", r.Phase, r.Seconds, r.CPUSeconds, r.PeakRSSMiB, r.Scans, r.ScanRows,
			strings.Join(r.Rebuilt, " "), strings.Join(r.StageTimes, " "))
	}
	fmt.Fprintf(&b, "\nIncremental run after the late dump: %.1f%% of the full run's wall time, %.1f%% of its CPU time (target ≤ 30%%).\n",
		100*ratio, 100*out[3].CPUSeconds/out[1].CPUSeconds)
	if f := out[1].Figures; f != nil {
		fmt.Fprintf(&b, "\nFull run: %s keys, %s coverage states, %s dead zones, %s villages without signal.\n", f["keys"], f["coverage_states"], f["zones"], f["villages_without_signal"])
	}
	if len(problems) > 0 {
		fmt.Fprintf(&b, "\nCHECKS FAILED: %s\n", strings.Join(problems, "; "))
	} else {
		fmt.Fprintf(&b, "\nChecks passed: one pass over the month's rows in the full run, one pass over the late carrier's rows alone after its dump (only its measure stage rebuilt), no pass and nothing rebuilt when nothing changed.\n")
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
