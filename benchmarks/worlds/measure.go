package main

import (
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Test is one measurement row as written, with what the scorer needs.
type Test struct {
	P         XY
	TS        time.Time
	Carrier   int
	Tech      int // -1: no-service row without a technology
	Signal    float64
	Service   string // ok | none
	Source    string // drive | crowd
	Device    string
	Class     string // scanner | smartphone | feature | tablet
	Env       string // vehicle | outdoor | indoor
	IndoorDB  float64
	TrueLevel float64 // the true outdoor level of (carrier, tech) at P; NaN for no-service rows
}

var vnZone = time.FixedZone("ICT", 7*3600)

func randTime(rng *rand.Rand) time.Time {
	day := 1 + rng.IntN(28)
	sec := 7*3600 + rng.IntN(14*3600)
	return time.Date(2026, 10, day, 0, 0, 0, 0, vnZone).Add(time.Duration(sec) * time.Second)
}

// driveTests samples the roads every 60–100 m, in a random 75 % of the
// road edges; at each point a scanner on the roof reads every carrier's
// 3G and 4G (σ 1 dB), a level below the reporting floor reported at the
// floor.
func (w *World) driveTests(rng *rand.Rand) []Test {
	var out []Test
	for ri, road := range w.Roads {
		if rng.Float64() > 0.75 {
			continue
		}
		dev := fmt.Sprintf("scan%02x%02x", w.Seed, ri%4)
		t0 := randTime(rng)
		carry, npt := 0.0, 0
		for i := 1; i < len(road); i++ {
			a, b := road[i-1], road[i]
			l := dist(a, b)
			for s := carry; s < l; s += 60 + rng.Float64()*40 {
				p := XY{a.X + (b.X-a.X)*s/l, a.Y + (b.Y-a.Y)*s/l}
				ts := t0.Add(time.Duration(npt) * 8 * time.Second)
				npt++
				lv := w.truth(p)
				for c := range carriers {
					for t := 1; t <= 2; t++ {
						v := math.Round((lv.L[c][t]+rng.NormFloat64())*10) / 10
						if v <= techFloor[t] {
							v = techFloor[t]
						}
						if v > -31 {
							v = -31
						}
						out = append(out, Test{P: p, TS: ts, Carrier: c, Tech: t, Signal: v, Service: "ok",
							Source: "drive", Device: dev, Class: "scanner", Env: "vehicle", TrueLevel: lv.L[c][t]})
					}
				}
				carry = s
			}
			carry -= l
			if carry < 0 {
				carry = 0
			}
		}
	}
	return out
}

// crowdTests: 75 % of villages get 2–30 phone tests within 0–500 m of
// their point (exponential, mean 150 m), each by a phone of one carrier
// (market shares), 30 % indoors with a building loss N(12, 4) dB. The
// phone camps on the highest technology it can and reports its level
// (σ 3 dB, at the floor when below); with nothing it writes a no-service
// row without a technology.
func (w *World) crowdTests(rng *rand.Rand) []Test {
	var out []Test
	for vi, v := range w.Villages {
		if rng.Float64() > 0.75 {
			continue
		}
		n := min(30, 2+int(rng.ExpFloat64()*7))
		for k := 0; k < n; k++ {
			r := math.Min(500, rng.ExpFloat64()*crowdMeanM)
			a := rng.Float64() * 2 * math.Pi
			p := XY{v.P.X + r*math.Sin(a), v.P.Y + r*math.Cos(a)}
			u, c := rng.Float64(), 0
			for c = 0; c < len(carriers)-1 && u > marketShare[c]; c++ {
				u -= marketShare[c]
			}
			class := "smartphone"
			switch x := rng.Float64(); {
			case x < 0.05:
				class = "feature"
			case x < 0.08:
				class = "tablet"
			}
			env, loss := "outdoor", 0.0
			if rng.Float64() < 0.30 {
				env, loss = "indoor", math.Max(0, 12+4*rng.NormFloat64())
			}
			lv := w.truth(p)
			top := 2
			if class == "feature" {
				top = 0
			}
			noise := 3 * rng.NormFloat64()
			tst := Test{P: p, TS: randTime(rng), Carrier: c, Tech: -1, Service: "none", Source: "crowd",
				Device: fmt.Sprintf("d%x", splitmix(uint64(w.Seed)<<40^uint64(vi)<<8^uint64(k))&0xffffffffffff),
				Class:  class, Env: env, IndoorDB: loss, TrueLevel: math.NaN()}
			for t := top; t >= 0; t-- {
				l := lv.L[c][t] - loss
				if l >= techCamp[t] {
					s := math.Round((l+noise)*10) / 10
					lo, hi := techFloor[t], -31.0
					if t < 2 {
						hi = -25
					}
					s = math.Min(math.Max(s, lo), hi)
					tst.Tech, tst.Signal, tst.Service, tst.TrueLevel = t, s, "ok", lv.L[c][t]
					break
				}
			}
			out = append(out, tst)
		}
	}
	return out
}

func writeCSV(path string, header []string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(f)
	cw.Write(header)
	cw.WriteAll(rows)
	if err := cw.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func ff(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }

// writeInputs writes the contract's files: sites.csv (the register),
// villages.csv, villages_points.csv (lon,lat,population,households for
// lomsong population --points), measurements_drive.csv and
// measurements_crowd.csv.
func (w *World) writeInputs(dir string, tests []Test) error {
	var rows [][]string
	for _, m := range w.Masts {
		lon, lat := w.LonLat(m.Reg)
		for t := 0; t < 3; t++ {
			if !m.Has[t] {
				continue
			}
			for si, s := range m.Sectors {
				rows = append(rows, []string{m.ID, carriers[m.Carrier], techNames[t], ff(lon, 6), ff(lat, 6),
					ff(techMHz[t], 0), ff(m.Height, 0), ff(math.Mod(s.Azimuth, 360), 0), "65", ff(s.Tilt, 0),
					ff(m.EIRP[t], 0), "active", fmt.Sprintf("%s-%s-%d", m.ID, techNames[t], si+1)})
			}
		}
	}
	if err := writeCSV(filepath.Join(dir, "sites.csv"), []string{"site_id", "carrier", "tech", "lon", "lat",
		"band_mhz", "height_m", "azimuth_deg", "beamwidth_deg", "tilt_deg", "eirp_dbm", "status", "cell_id"}, rows); err != nil {
		return err
	}
	rows, prow := nil, [][]string(nil)
	for _, v := range w.Villages {
		lon, lat := w.LonLat(v.P)
		rows = append(rows, []string{v.ID, v.Name, ff(lon, 6), ff(lat, 6), ff(v.Households, 0)})
		prow = append(prow, []string{ff(lon, 6), ff(lat, 6), ff(v.Households*4.3, 0), ff(v.Households, 0)})
	}
	if err := writeCSV(filepath.Join(dir, "villages.csv"), []string{"village_id", "name", "lon", "lat", "households"}, rows); err != nil {
		return err
	}
	if err := writeCSV(filepath.Join(dir, "villages_points.csv"), []string{"lon", "lat", "population", "households"}, prow); err != nil {
		return err
	}
	hdr := []string{"ts", "carrier", "tech", "lon", "lat", "signal_dbm", "service", "source", "device_id", "device_class", "environment"}
	for _, src := range []string{"drive", "crowd"} {
		rows = nil
		for _, t := range tests {
			if t.Source != src {
				continue
			}
			lon, lat := w.LonLat(t.P)
			tech, sig := "", ""
			if t.Tech >= 0 {
				tech, sig = techNames[t.Tech], ff(t.Signal, 1)
			}
			rows = append(rows, []string{t.TS.Format(time.RFC3339), carriers[t.Carrier], tech, ff(lon, 6), ff(lat, 6),
				sig, t.Service, t.Source, t.Device, t.Class, t.Env})
		}
		if err := writeCSV(filepath.Join(dir, "measurements_"+src+".csv"), hdr, rows); err != nil {
			return err
		}
	}
	return nil
}

// writeTruth writes what the scorer knows and lomsong does not: every
// mast as it stands (truth_masts.csv) and every village's true levels
// (truth_villages.csv), for whoever wants to look further.
func (w *World) writeTruth(dir string) error {
	var rows [][]string
	for _, m := range w.Masts {
		lon, lat := w.LonLat(m.P)
		rlon, rlat := w.LonLat(m.Reg)
		techs := ""
		for t := range m.Has {
			if m.Has[t] {
				techs += techNames[t]
			}
		}
		rows = append(rows, []string{m.ID, carriers[m.Carrier], techs, ff(lon, 6), ff(lat, 6), ff(rlon, 6), ff(rlat, 6),
			strconv.FormatBool(m.Down), ff(m.Displace, 0), strconv.FormatBool(m.Added), ff(m.Height, 0), ff(m.Ground, 0)})
	}
	if err := writeCSV(filepath.Join(dir, "truth_masts.csv"), []string{"site_id", "carrier", "techs", "lon", "lat",
		"listed_lon", "listed_lat", "down", "listed_off_m", "fill_in", "height_m", "ground_m"}, rows); err != nil {
		return err
	}
	rows = nil
	hdr := []string{"village_id", "dead", "margin_db", "best_key"}
	for _, c := range carriers {
		for _, t := range techNames {
			hdr = append(hdr, c+"_"+t+"_dbm")
		}
	}
	for _, v := range w.Villages {
		lv := w.truth(v.P)
		m, c, t := lv.Margin()
		row := []string{v.ID, strconv.FormatBool(m < 0), ff(m, 1), keyName(c, t)}
		for c := range carriers {
			for t := range techNames {
				row = append(row, ff(math.Max(lv.L[c][t], -999), 1))
			}
		}
		rows = append(rows, row)
	}
	return writeCSV(filepath.Join(dir, "truth_villages.csv"), hdr, rows)
}
