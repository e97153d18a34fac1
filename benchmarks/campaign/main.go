// Command campaign measures what a measurement campaign chosen by
// `lomsong campaign` buys against the same number of test-days spent on
// villages chosen at random.
//
// It runs, with the lomsong binary (built from this module when -lomsong
// is empty):
//
//  1. `lomsong demo` on the demo province (seed, density): the month's
//     dataset, its verdicts (deadzones/villages.csv) and the generator's
//     truth;
//  2. `lomsong campaign --verdicts … --days D --teams K`: the villages the
//     teams visit, day by day;
//  3. a baseline: the same (team, day, order) slots filled with villages
//     drawn at random (seeded, without replacement) from the province;
//  4. for each plan, the generator carries the tests out
//     (synth.World.Campaign, on the same world regenerated in process:
//     the same seed gives the same world) dated within the measurement
//     month, and on a copy of the month's dataset: `lomsong ingest` of
//     those tests, `lomsong calibrate` and `lomsong deadzones` on the
//     month again;
//  5. scores every villages.csv against the truth
//     (synth.EvaluateVillages): F1 over all villages and over the
//     decidable ones, precision, recall, Brier score, and misclassified
//     villages before and after.
//
// The results table is printed and, unless -results is empty, written to
// RESULTS.md. See README.md.
package main

import (
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/lomsong/lomsong/engine/synth"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "campaign benchmark:", err)
		os.Exit(1)
	}
}

type options struct {
	lomsong, work, results string
	seed                   uint64
	density                float64
	days, teams            int
	keep                   bool
}

func run() error {
	var o options
	flag.StringVar(&o.lomsong, "lomsong", "", "lomsong `binary` (default: go build ./cmd/lomsong into the work folder; run from the module root)")
	flag.StringVar(&o.work, "work", "", "work `folder` (default: a new temporary folder, removed at the end unless -keep)")
	flag.StringVar(&o.results, "results", filepath.Join("benchmarks", "campaign", "RESULTS.md"), "results `file` to write; empty: print only")
	flag.Uint64Var(&o.seed, "seed", 1, "demo world `seed`")
	flag.Float64Var(&o.density, "density", 1, "demo measurement `density` (1: the demo's default)")
	flag.IntVar(&o.days, "days", 20, "campaign working `days` per team")
	flag.IntVar(&o.teams, "teams", 3, "measuring `teams`")
	flag.BoolVar(&o.keep, "keep", false, "keep the work folder")
	flag.Parse()
	if flag.NArg() > 0 || o.days < 1 || o.teams < 1 || !(o.density > 0) {
		flag.Usage()
		os.Exit(2)
	}
	start := time.Now()
	if o.work == "" {
		d, err := os.MkdirTemp("", "lomsong-bench-campaign-")
		if err != nil {
			return err
		}
		o.work = d
		if !o.keep {
			defer os.RemoveAll(d)
		}
	} else if err := os.MkdirAll(o.work, 0o755); err != nil {
		return err
	}
	if o.lomsong == "" {
		o.lomsong = filepath.Join(o.work, "lomsong")
		if err := runCmd("go", "build", "-o", o.lomsong, "./cmd/lomsong"); err != nil {
			return fmt.Errorf("building lomsong (run from the module root or give -lomsong): %w", err)
		}
	}

	// 1. The month.
	demo := filepath.Join(o.work, "demo")
	if err := os.RemoveAll(demo); err != nil {
		return err
	}
	t := time.Now()
	if err := runCmd(o.lomsong, "demo", "--seed", strconv.FormatUint(o.seed, 10), "--density", strconv.FormatFloat(o.density, 'g', -1, 64), "--out", demo); err != nil {
		return err
	}
	demoSecs := time.Since(t).Seconds()
	cfg := synth.Config{Seed: o.seed, MeasurementDensity: o.density, Boundaries: synth.Boundaries2025}
	w, err := synth.Generate(cfg)
	if err != nil {
		return err
	}
	area := []string{"--boundaries", "provinces2025", "--province", w.Config.Provinces[0]}
	if len(w.Config.Provinces) != 1 {
		return fmt.Errorf("the demo world has %d provinces, want one", len(w.Config.Provinces))
	}

	// 2. The campaign.
	camp := filepath.Join(o.work, "campaign")
	if err := runCmd(o.lomsong, "campaign", "--verdicts", filepath.Join(demo, "deadzones", "villages.csv"),
		"--days", strconv.Itoa(o.days), "--teams", strconv.Itoa(o.teams), "--out", camp); err != nil {
		return err
	}
	planned, err := readCampaign(filepath.Join(camp, "campaign.csv"))
	if err != nil {
		return err
	}
	if len(planned) == 0 {
		return errors.New("the campaign chose no village")
	}

	// 3. The random baseline: the same slots, random villages.
	rng := rand.New(rand.NewPCG(o.seed, 0xca3a))
	perm := rng.Perm(len(w.Villages))
	random := make([]synth.CampaignVisit, len(planned))
	for i, v := range planned {
		random[i] = v
		random[i].VillageID = w.Villages[perm[i]].ID
	}

	// 4–5. Carry each plan out and score it.
	before, err := evaluate(filepath.Join(demo, "deadzones", "villages.csv"), &w.Truth)
	if err != nil {
		return err
	}
	rows := []result{{arm: "month only (before)", eval: before}}
	ccfg := synth.CampaignConfig{Start: w.Config.MeasurementMonth.Start()}
	for _, arm := range []struct {
		name   string
		visits []synth.CampaignVisit
	}{{"lomsong campaign", planned}, {"random villages", random}} {
		t := time.Now()
		dir := filepath.Join(o.work, strings.ReplaceAll(arm.name, " ", "-"))
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		ds := filepath.Join(dir, "dataset")
		if err := copyDir(filepath.Join(demo, "dataset"), ds); err != nil {
			return err
		}
		b, err := w.Campaign(arm.visits, ccfg)
		if err != nil {
			return err
		}
		tests := filepath.Join(dir, "campaign_measurements.csv")
		if err := writeFile(tests, func(f io.Writer) error { return synth.WriteMeasurementsCSV(f, b) }); err != nil {
			return err
		}
		if err := runCmd(o.lomsong, "ingest", "--dataset", ds, tests); err != nil {
			return err
		}
		if err := runCmd(o.lomsong, append([]string{"calibrate", "--dataset", ds, "--res", "8"}, area...)...); err != nil {
			return err
		}
		if err := runCmd(o.lomsong, append([]string{"deadzones", "--dataset", ds, "--res", "8", "--out", filepath.Join(dir, "deadzones")}, area...)...); err != nil {
			return err
		}
		ev, err := evaluate(filepath.Join(dir, "deadzones", "villages.csv"), &w.Truth)
		if err != nil {
			return err
		}
		visited := map[string]bool{}
		for _, v := range arm.visits {
			visited[v.VillageID] = true
		}
		rows = append(rows, result{arm: arm.name, eval: ev, tests: b.Len(), villages: len(visited), secs: time.Since(t).Seconds()})
	}
	for i := 1; i < len(rows); i++ {
		rows[i].fixed, rows[i].broken = diff(before, rows[i].eval)
	}
	table := render(o, rows, planned)
	fmt.Print(table)
	fmt.Printf("\n(demo %.1fs; total %.1fs; work folder %s)\n", demoSecs, time.Since(start).Seconds(), o.work)
	if o.results != "" {
		head := "# Campaign benchmark: results\n\nCommand: `go run ./benchmarks/campaign" + cmdFlags(o) + "` (README.md explains each step and column).\n\n"
		if err := os.WriteFile(o.results, []byte(head+table), 0o644); err != nil {
			return err
		}
		fmt.Println("wrote", o.results)
	}
	return nil
}

func cmdFlags(o options) string {
	s := ""
	if o.seed != 1 {
		s += fmt.Sprintf(" -seed %d", o.seed)
	}
	if o.density != 1 {
		s += fmt.Sprintf(" -density %g", o.density)
	}
	if o.days != 20 {
		s += fmt.Sprintf(" -days %d", o.days)
	}
	if o.teams != 3 {
		s += fmt.Sprintf(" -teams %d", o.teams)
	}
	return s
}

// result is one row of the table.
type result struct {
	arm             string
	eval            synth.VillageEvaluation
	tests, villages int
	fixed, broken   int // villages misclassified before and right after, and the reverse
	secs            float64
}

// misclassified returns the ids of the villages whose verdict is wrong.
func misclassified(e synth.VillageEvaluation) map[string]bool {
	m := map[string]bool{}
	for _, id := range e.Missed {
		m[id] = true
	}
	for _, id := range e.Spurious {
		m[id] = true
	}
	return m
}

func diff(before, after synth.VillageEvaluation) (fixed, broken int) {
	b, a := misclassified(before), misclassified(after)
	for id := range b {
		if !a[id] {
			fixed++
		}
	}
	for id := range a {
		if !b[id] {
			broken++
		}
	}
	return fixed, broken
}

func render(o options, rows []result, planned []synth.CampaignVisit) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "Demo province, seed %d, density %g; campaign of %d days × %d teams: %d village visits.\n\n",
		o.seed, o.density, o.days, o.teams, len(planned))
	sb.WriteString("| plan | tests added | villages visited | F1 all | F1 decidable | precision | recall | Brier | misclassified (all / decidable) | fixed / newly wrong vs before | seconds |\n")
	sb.WriteString("|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		e := r.eval
		brier := "—"
		if e.Brier != nil {
			brier = fmt.Sprintf("%.4f", *e.Brier)
		}
		decWrong := (e.Decidable.Found - e.Decidable.Correct) + (e.Decidable.True - e.Decidable.Correct)
		added, fx, secs := "—", "—", "—"
		if r.tests > 0 {
			added, fx, secs = strconv.Itoa(r.tests), fmt.Sprintf("%d / %d", r.fixed, r.broken), fmt.Sprintf("%.1f", r.secs)
		}
		visited := "—"
		if r.villages > 0 {
			visited = strconv.Itoa(r.villages)
		}
		fmt.Fprintf(&sb, "| %s | %s | %s | %.3f | %.3f | %.3f | %.3f | %s | %d / %d | %s | %s |\n", r.arm, added, visited,
			e.F1, e.Decidable.F1, e.Precision, e.Recall, brier, len(e.Missed)+len(e.Spurious), decWrong, fx, secs)
	}
	if len(rows) == 3 {
		c, r := rows[1].eval, rows[2].eval
		fmt.Fprintf(&sb, "\nCampaign against random: F1 all %+.3f, decidable %+.3f; against the month alone: all %+.3f, decidable %+.3f.\n",
			c.F1-r.F1, c.Decidable.F1-r.Decidable.F1, c.F1-rows[0].eval.F1, c.Decidable.F1-rows[0].eval.Decidable.F1)
	}
	return sb.String()
}

// readCampaign reads the chosen visits of a campaign.csv.
func readCampaign(path string) ([]synth.CampaignVisit, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, c := range []string{"village_id", "team", "day", "order"} {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("%s: no column %q", path, c)
		}
	}
	var out []synth.CampaignVisit
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if rec[col["team"]] == "" {
			continue // ranked but not chosen
		}
		var v synth.CampaignVisit
		v.VillageID = rec[col["village_id"]]
		for _, x := range []struct {
			name string
			dst  *int
		}{{"team", &v.Team}, {"day", &v.Day}, {"order", &v.Order}} {
			n, err := strconv.Atoi(rec[col[x.name]])
			if err != nil || n < 1 {
				return nil, fmt.Errorf("%s row %d column %s: %q is not a positive integer", path, line, x.name, rec[col[x.name]])
			}
			*x.dst = n
		}
		out = append(out, v)
	}
}

func evaluate(villagesCSV string, truth *synth.Truth) (synth.VillageEvaluation, error) {
	f, err := os.Open(villagesCSV)
	if err != nil {
		return synth.VillageEvaluation{}, err
	}
	defer f.Close()
	v, err := synth.ReadVillageVerdictsCSV(f)
	if err != nil {
		return synth.VillageEvaluation{}, fmt.Errorf("%s: %w", villagesCSV, err)
	}
	return synth.EvaluateVillages(truth, v)
}

func runCmd(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, out.String())
	}
	return nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// copyDir copies the regular files of src into dst (created), keeping the
// tree.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file", p)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		return writeFile(target, func(w io.Writer) error { _, err := io.Copy(w, in); return err })
	})
}
