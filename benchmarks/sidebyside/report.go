package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// step is one line of timings.tsv.
type step struct {
	task, tool, what string
	seconds          float64
	rows, threads    int
}

func (s step) rate() float64 { return float64(s.rows) / s.seconds }

func runReport(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "working directory of run.sh")
	out := fs.String("out", "", "RESULTS.md to update (a section per row count)")
	cmd := fs.String("cmd", "", "command line to record")
	seed := fs.Uint64("seed", 1, "seed the points were generated with")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("report: -dir must be set")
	}
	steps, err := readTimings(filepath.Join(*dir, "timings.tsv"))
	if err != nil {
		return err
	}
	var b bytes.Buffer
	checks, ok, err := agreement(*dir)
	if err != nil {
		return err
	}
	n := 0
	for _, s := range steps {
		if s.tool == "lomsong" && s.task == "load" {
			n = s.rows
		}
	}
	machine, err := os.ReadFile(filepath.Join(*dir, "machine.txt"))
	if err != nil {
		return err
	}
	fmt.Fprintf(&b, "## %s rows\n\n", thousands(int64(n)))
	fmt.Fprintf(&b, "Command (from the repository root): `%s`, seed %d.\n\n", *cmd, *seed)
	for _, l := range strings.Split(strings.TrimSpace(string(machine)), "\n") {
		fmt.Fprintf(&b, "- %s\n", l)
	}
	b.WriteString("\n")
	writeTable(&b, steps)
	b.WriteString("\n### Agreement checks\n\n")
	for _, c := range checks {
		fmt.Fprintf(&b, "- %s\n", c)
	}
	if plan, err := os.ReadFile(filepath.Join(*dir, "postgis_plan.txt")); err == nil {
		fmt.Fprintf(&b, "\nPostGIS plan of the province join:\n\n```\n%s```\n", plan)
	}
	stdout.Write(b.Bytes())
	if *out != "" {
		if err := updateResults(*out, n, b.String()); err != nil {
			return err
		}
	}
	if !ok {
		return errors.New("report: results disagree (see the checks above)")
	}
	return nil
}

func readTimings(path string) ([]step, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []step
	for i, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Split(l, "\t")
		if len(f) != 6 {
			return nil, fmt.Errorf("%s:%d: %d fields, want 6", path, i+1, len(f))
		}
		sec, err1 := strconv.ParseFloat(f[3], 64)
		rows, err2 := strconv.Atoi(f[4])
		thr, err3 := strconv.Atoi(f[5])
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
		out = append(out, step{f[0], f[1], f[2], sec, rows, thr})
	}
	return out, nil
}

// taskOrder and the reference step of each task: the ratio column is the
// reference's rows/s over the row's. The 0.01° grid has no lomsong
// counterpart; its reference is lomsong's own points-to-cells count.
var (
	taskOrder = []string{"h3", "provinces", "grid", "load"}
	taskTitle = map[string]string{
		"h3":        "points → H3 res-8 cell counts",
		"provinces": "points → counts per province (63)",
		"grid":      "points → 0.01° grid counts",
		"load":      "loading the points (not compared)",
	}
	reference = map[string][2]string{ // task → (task, tool) of the reference
		"h3":        {"h3", "lomsong"},
		"provinces": {"provinces", "lomsong (points)"},
		"grid":      {"h3", "lomsong"},
	}
)

func writeTable(w io.Writer, steps []step) {
	fmt.Fprintln(w, "| task | tool | step timed | rows | threads | seconds | rows/s | lomsong ÷ tool |")
	fmt.Fprintln(w, "|---|---|---|--:|--:|--:|--:|--:|")
	for _, task := range taskOrder {
		var ref *step
		if r, ok := reference[task]; ok {
			for i := range steps {
				if steps[i].task == r[0] && steps[i].tool == r[1] {
					ref = &steps[i]
				}
			}
		}
		rows := []step{}
		for _, s := range steps {
			if s.task == task {
				rows = append(rows, s)
			}
		}
		// PostGIS needs its geometry column and index before the join: a
		// row with both adds them up.
		if task == "provinces" {
			var sum step
			k := 0
			for _, s := range rows {
				if strings.HasPrefix(s.tool, "PostGIS") {
					sum.seconds += s.seconds
					sum.tool, sum.rows, sum.threads = s.tool, s.rows, max(sum.threads, s.threads)
					k++
				}
			}
			if k == 2 {
				sum.task, sum.what = task, "both steps above"
				rows = append(rows, sum)
			}
		}
		for _, s := range rows {
			ratio := "—"
			if ref != nil {
				ratio = fmt.Sprintf("%.2f", ref.rate()/s.rate())
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %d | %.2f | %s | %s |\n",
				taskTitle[task], s.tool, s.what, thousands(int64(s.rows)), s.threads, s.seconds, thousands(int64(math.Round(s.rate()))), ratio)
		}
	}
	fmt.Fprintln(w, "\n\"lomsong ÷ tool\" is lomsong's rows/s over the tool's in this same run (above 1: lomsong is faster). "+
		"The reference is `hexgrid.IndexInto` + count for the H3 and grid tasks (lomsong has no degree grid; its grid is H3) "+
		"and lomsong's point-by-point province count for the province task, the same question ST_Contains and sjoin answer; "+
		"lomsong (hex) is lomsong's own method (count per hexagon, attribute hexagons), which answers a slightly different question (see the checks).")
}

// counts reads a "key,count" CSV (or "gx,gy,count": the key is then "gx,gy").
func counts(path string) (map[string]int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	r.ReuseRecord = true
	out := map[string]int64{}
	for line := 0; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if line == 0 {
			continue
		}
		c, err := strconv.ParseInt(rec[len(rec)-1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line+1, err)
		}
		out[strings.Join(rec[:len(rec)-1], ",")] += c
	}
}

// diff compares two count maps, ignoring keys starting with "_" (notes
// such as points in no province), and returns the differing keys sorted.
func diff(a, b map[string]int64) (keys []string, absDiff, total int64) {
	seen := map[string]bool{}
	for _, m := range []map[string]int64{a, b} {
		for k := range m {
			if strings.HasPrefix(k, "_") || seen[k] {
				continue
			}
			seen[k] = true
			total += a[k]
			if a[k] != b[k] {
				keys = append(keys, k)
				absDiff += abs(a[k] - b[k])
			}
		}
	}
	sort.Strings(keys)
	return keys, absDiff, total
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// agreement runs the checks; ok is false when results that must be
// identical (cells, grid) differ, or when province counts differ by more
// than the points lying on a province boundary can explain.
func agreement(dir string) (lines []string, ok bool, err error) {
	load := func(names ...string) ([]map[string]int64, error) {
		var ms []map[string]int64
		for _, n := range names {
			m, err := counts(filepath.Join(dir, n))
			if err != nil {
				return nil, err
			}
			ms = append(ms, m)
		}
		return ms, nil
	}
	ok = true
	exact := func(what, an, bn string, a, b map[string]int64) {
		keys, d, total := diff(a, b)
		if len(keys) == 0 {
			lines = append(lines, fmt.Sprintf("%s: **identical** — %s keys, %s points, %s = %s.", what, thousands(int64(len(a))), thousands(total), an, bn))
			return
		}
		ok = false
		lines = append(lines, fmt.Sprintf("%s: **DIFFER** — %d of %d keys, %d points apart (%s vs %s); first: %s.", what, len(keys), len(a), d, an, bn, strings.Join(keys[:min(5, len(keys))], " ")))
	}
	ms, err := load("h3_lomsong.csv", "h3_h3js.csv")
	if err != nil {
		return nil, false, err
	}
	exact("H3 res-8 counts per cell", "lomsong", "h3-js", ms[0], ms[1])
	ms, err = load("grid_postgis.csv", "grid_duckdb.csv", "grid_duckdb_parquet.csv")
	if err != nil {
		return nil, false, err
	}
	exact("0.01° grid counts", "PostGIS", "DuckDB table", ms[0], ms[1])
	exact("0.01° grid counts", "DuckDB table", "DuckDB Parquet scan", ms[1], ms[2])

	ms, err = load("provinces_lomsong_points.csv", "provinces_postgis.csv", "provinces_lomsong_points_prefix.csv",
		"provinces_postgis_prefix.csv", "provinces_geopandas.csv", "provinces_lomsong_hex.csv")
	if err != nil {
		return nil, false, err
	}
	pts, pg, ptsPre, pgPre, gpd, hex := ms[0], ms[1], ms[2], ms[3], ms[4], ms[5]
	on, err := readBoundary(filepath.Join(dir, "boundary_points_postgis.csv"))
	if err != nil {
		return nil, false, err
	}
	// Closed and open point-in-polygon tests can disagree only at points on
	// a boundary, each at most once per province whose boundary it is on:
	// a larger difference is a wrong answer.
	border := func(what, an, bn string, a, b map[string]int64) {
		keys, d, total := diff(a, b)
		if len(keys) == 0 {
			lines = append(lines, fmt.Sprintf("%s: **identical** — %d provinces, %s point-in-province matches, %s = %s.", what, len(a)-countNotes(a), thousands(total), an, bn))
			return
		}
		var ds []string
		for _, k := range keys {
			ds = append(ds, fmt.Sprintf("%s %+d", k, b[k]-a[k]))
		}
		verdict := ""
		if d > int64(len(on)) {
			ok = false
			verdict = fmt.Sprintf(" **DIFFER** beyond the %d (point, province) pairs on a boundary:", len(on))
		}
		lines = append(lines, fmt.Sprintf("%s:%s %d of %d provinces differ by %d point(s) in all (%s over %s: %s) out of %s matches.",
			what, verdict, len(keys), len(a)-countNotes(a), d, bn, an, strings.Join(ds, ", "), thousands(total)))
	}
	border("Province counts, all rows", "lomsong (points)", "PostGIS", pts, pg)
	border("Province counts, first geopandas rows", "lomsong (points)", "PostGIS", ptsPre, pgPre)
	border("Province counts, first geopandas rows", "lomsong (points)", "geopandas", ptsPre, gpd)
	if len(on) == 0 {
		lines = append(lines, "No point lies exactly on a province boundary (PostGIS ST_Intersects with ST_Boundary).")
	} else {
		lines = append(lines, fmt.Sprintf("Points exactly on a province boundary (PostGIS ST_Intersects with ST_Boundary), where ST_Contains and sjoin's \"within\" exclude the boundary and lomsong's Unit.Contains (orb planar) may include it: %s.",
			strings.Join(on[:min(10, len(on))], "; ")))
	}
	lines = append(lines, fmt.Sprintf("lomsong (points): %s points in no province (sea, Laos, Cambodia, China, or gaps between simplified borders), %s in more than one (overlapping borders; counted once per province, as the joins do).",
		thousands(pts["_none"]), thousands(pts["_multi"])))
	keys, d, total := diff(pts, hex)
	lines = append(lines, fmt.Sprintf("lomsong (hex) against lomsong (points): %d of %d provinces differ, %s points in all (%.3f%% of %s): by design, a point counts for the province its res-8 hexagon (≈0.74 km²) is attributed to, so points within a hexagon of a border can change province; %s points fall in hexagons attributed to no province.",
		len(keys), len(pts)-countNotes(pts), thousands(d), 100*float64(d)/float64(total), thousands(total), thousands(hex["_none"])))
	return lines, ok, nil
}

func countNotes(m map[string]int64) int {
	k := 0
	for c := range m {
		if strings.HasPrefix(c, "_") {
			k++
		}
	}
	return k
}

func thousands(v int64) string {
	s := strconv.FormatInt(v, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

const resultsHeader = `# Side-by-side benchmark results

Written by ` + "`benchmarks/sidebyside/run.sh`" + `, one section per row count (a rerun at the same
count replaces its section). The points are uniform over Vietnam's extent (lon 102.2–109.4,
lat 8.6–23.3, six decimals), generated by ` + "`sidebyside gen`" + ` from a seed, and every tool reads
the same values. The machine is shared with other jobs: absolute times move between runs, so
compare the ratios within one section. geopandas joins the first 1,000,000 rows only.
`

var sectionMark = regexp.MustCompile(`(?m)^<!-- run n=(\d+) -->\n`)

// updateResults replaces or inserts the section for n rows, sections in
// ascending n.
func updateResults(path string, n int, section string) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	sections := map[int]string{}
	if len(old) > 0 {
		locs := sectionMark.FindAllSubmatchIndex(old, -1)
		for i, l := range locs {
			k, _ := strconv.Atoi(string(old[l[2]:l[3]]))
			end := len(old)
			if i+1 < len(locs) {
				end = locs[i+1][0]
			}
			sections[k] = strings.TrimSpace(string(old[l[1]:end]))
		}
	}
	sections[n] = strings.TrimSpace(section)
	keys := make([]int, 0, len(sections))
	for k := range sections {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var b strings.Builder
	b.WriteString(resultsHeader)
	for _, k := range keys {
		fmt.Fprintf(&b, "\n<!-- run n=%d -->\n%s\n", k, sections[k])
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// readBoundary lists "id (lon, lat) on code" for each boundary point.
func readBoundary(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	var out []string
	for i, r := range recs {
		if i == 0 || len(r) != 4 {
			continue
		}
		out = append(out, fmt.Sprintf("row %s (%s, %s) on the boundary of %s", r[0], r[1], r[2], r[3]))
	}
	return out, nil
}
