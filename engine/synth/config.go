package synth

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/geodata"
)

// Period is a calendar month, the unit of the subscriptions table
// (written YYYY-MM).
type Period struct {
	Year  int
	Month time.Month
}

// ParsePeriod reads "YYYY-MM".
func ParsePeriod(s string) (Period, error) {
	y, m, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok || len(y) != 4 || len(m) != 2 {
		return Period{}, fmt.Errorf("period %q is not YYYY-MM: %w", s, engine.ErrInvalidValue)
	}
	yi, err1 := strconv.Atoi(y)
	mi, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || mi < 1 || mi > 12 {
		return Period{}, fmt.Errorf("period %q is not YYYY-MM: %w", s, engine.ErrInvalidValue)
	}
	return Period{yi, time.Month(mi)}, nil
}

// String returns "YYYY-MM".
func (p Period) String() string { return fmt.Sprintf("%04d-%02d", p.Year, int(p.Month)) }

// IsZero reports whether p is the zero Period.
func (p Period) IsZero() bool { return p.Year == 0 && p.Month == 0 }

// Add returns the period n months later (earlier for negative n).
func (p Period) Add(n int) Period {
	i := p.index() + n
	return Period{i / 12, time.Month(i%12 + 1)}
}

// Sub returns the number of months from q to p.
func (p Period) Sub(q Period) int { return p.index() - q.index() }

func (p Period) index() int { return p.Year*12 + int(p.Month) - 1 }

// Start returns the first instant of the period in Viet Nam time (UTC+7).
func (p Period) Start() time.Time { return time.Date(p.Year, p.Month, 1, 0, 0, 0, 0, ICT) }

// ICT is Indochina Time (UTC+7, no daylight saving), the zone of every
// local time in the demo world.
var ICT = time.FixedZone("ICT", 7*3600)

// Boundary sets a Config can name provinces in.
const (
	Boundaries2019 = 2019 // the 63 provinces of 2008 – June 2025
	Boundaries2025 = 2025 // the 34 provinces since 1 July 2025
)

// DefaultProvince is the province of the default world: Lai Châu (GSO 12),
// a mountainous northern border province, the same code in both sets.
const DefaultProvince = "12"

// Config configures Generate. Zero fields take the documented defaults
// (see DefaultConfig); Validate checks the effective configuration.
type Config struct {
	// Seed selects the world. The same Config gives a byte-identical world.
	Seed uint64
	// Boundaries is the province set that Provinces and the output area
	// codes refer to: 2019 (63 provinces, default) or 2025 (34 provinces).
	// The world is always built from the 2019 provinces (census and
	// outline); a 2025 province is the union of its 2019 members.
	Boundaries int
	// Provinces are codes or names of provinces of the Boundaries set.
	// Default: Lai Châu. Must be empty when Country is set.
	Provinces []string
	// Country generates every province of the set.
	Country bool
	// Start is the first subscriptions period. Default 2022-11.
	Start Period
	// Months is the number of subscriptions periods. Default 24.
	Months int
	// MeasurementMonth is the month of the measurements. Default the last
	// subscriptions period. It must lie within the subscriptions periods.
	MeasurementMonth Period
	// MeasurementDensity multiplies the number of drive-test points and
	// crowd tests. Default 1; Country worlds are usually generated at 0.2.
	MeasurementDensity float64
	// ServingCells gives every register sector a cell_id (ServingCellOf)
	// and every measurement with a level the cell_id of the true sector
	// that served it, as drive-test tools log it; a sector missing from the
	// register leaves its measurements' cell_id unmatched there. Default
	// false (the world is otherwise the same, byte for byte).
	ServingCells bool
	// SiteEIRPErrorDB is the standard deviation of each sector's true EIRP
	// about the register's (Truth.Sites EIRPDBm − Sites EIRPDBm is the
	// sector's known offset; drawn from the sector id, so the rest of the
	// world's randomness is untouched). Default 0: the register's EIRP is
	// the truth.
	SiteEIRPErrorDB float64
	// Now is the generation time: every timestamp is at or before it, and
	// it must lie after the first day of MeasurementMonth. Default: the end
	// of MeasurementMonth (first instant of the next month, UTC+7).
	Now time.Time
	// Workers is the number of goroutines for signal prediction; 0 means
	// GOMAXPROCS. The world does not depend on it.
	Workers int
	// Progress, when set, is called as each phase of Generate starts (its
	// name and what it works on), from Generate's goroutine; the world
	// does not depend on it.
	Progress func(phase string)
}

// DefaultConfig returns the defaults: seed 1, 2019 boundaries, Lai Châu,
// periods 2022-11 … 2024-10, measurements in 2024-10, density 1, Now
// 2024-11-01T00:00+07:00.
func DefaultConfig() Config {
	return Config{}.withDefaults()
}

func (c Config) withDefaults() Config {
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Boundaries == 0 {
		c.Boundaries = Boundaries2019
	}
	if len(c.Provinces) == 0 && !c.Country {
		c.Provinces = []string{DefaultProvince}
	}
	if c.Start.IsZero() {
		c.Start = Period{2022, time.November}
	}
	if c.Months == 0 {
		c.Months = 24
	}
	if c.MeasurementMonth.IsZero() {
		c.MeasurementMonth = c.Start.Add(c.Months - 1)
	}
	if c.MeasurementDensity == 0 {
		c.MeasurementDensity = 1
	}
	if c.Now.IsZero() {
		c.Now = c.MeasurementMonth.Add(1).Start()
	}
	return c
}

// Validate checks the effective configuration (defaults applied). Errors
// wrap engine.ErrInvalidConfig.
func (c Config) Validate() error {
	_, err := c.resolve()
	return err
}

// resolve applies defaults, validates and returns the area units.
func (c Config) resolve() (resolved, error) {
	c = c.withDefaults()
	bad := func(format string, a ...any) (resolved, error) {
		return resolved{}, fmt.Errorf("synth config: "+format+": %w", append(a, engine.ErrInvalidConfig)...)
	}
	var set *geodata.BoundarySet
	var err error
	switch c.Boundaries {
	case Boundaries2019:
		set, err = geodata.Provinces2019()
	case Boundaries2025:
		set, err = geodata.Provinces2025()
	default:
		return bad("Boundaries %d is neither 2019 nor 2025", c.Boundaries)
	}
	if err != nil {
		return resolved{}, err
	}
	if c.Country && len(c.Provinces) > 0 {
		return bad("Country and Provinces are exclusive")
	}
	if c.Start.Month < 1 || c.Start.Month > 12 || c.Start.Year < 2000 || c.Start.Year > 2100 {
		return bad("Start %s is not a month of 2000–2100", c.Start)
	}
	if c.Months < 1 || c.Months > 240 {
		return bad("Months %d outside 1…240", c.Months)
	}
	if c.MeasurementMonth.Month < 1 || c.MeasurementMonth.Month > 12 {
		return bad("MeasurementMonth %s is not a month", c.MeasurementMonth)
	}
	if k := c.MeasurementMonth.Sub(c.Start); k < 0 || k >= c.Months {
		return bad("MeasurementMonth %s outside the periods %s…%s", c.MeasurementMonth, c.Start, c.Start.Add(c.Months-1))
	}
	if !(c.MeasurementDensity > 0) || math.IsInf(c.MeasurementDensity, 0) || c.MeasurementDensity > 100 {
		return bad("MeasurementDensity %g outside (0, 100]", c.MeasurementDensity)
	}
	if !c.Now.After(c.MeasurementMonth.Start().Add(24 * time.Hour)) {
		return bad("Now %s is not at least a day after the start of MeasurementMonth %s", c.Now.Format(time.RFC3339), c.MeasurementMonth)
	}
	if c.Start.Start().After(c.Now) {
		return bad("Start %s is after Now", c.Start)
	}
	if c.Workers < 0 {
		return bad("Workers %d is negative", c.Workers)
	}
	r := resolved{cfg: c}
	var units []geodata.Unit
	if c.Country {
		units = set.Units()
	} else {
		seen := map[string]bool{}
		for _, q := range c.Provinces {
			u, err := set.Lookup(q)
			if err != nil {
				return bad("province %q: %v", q, err)
			}
			if seen[u.Code] {
				return bad("province %q given twice", q)
			}
			seen[u.Code] = true
			units = append(units, u)
		}
	}
	census := map[string]geodata.ProvinceCensus{}
	for _, pc := range geodata.Census2019() {
		census[pc.Code] = pc
	}
	p2019, err := geodata.Provinces2019()
	if err != nil {
		return resolved{}, err
	}
	for _, u := range units {
		a := Area{Code: u.Code, Name: u.Name}
		for _, pc := range geodata.Census2019() {
			member := pc.Code == u.Code
			if c.Boundaries == Boundaries2025 {
				member = pc.Code2025 == u.Code
			}
			if !member {
				continue
			}
			mu, ok := p2019.ByCode(pc.Code)
			if !ok {
				return resolved{}, fmt.Errorf("synth: 2019 province %s has no outline: %w", pc.Code, engine.ErrInvalidConfig)
			}
			a.Members = append(a.Members, pc.Code)
			r.members = append(r.members, member2019{area: len(r.areas), census: census[pc.Code], unit: mu})
		}
		if len(a.Members) == 0 {
			return bad("province %s has no census figures", u.Code)
		}
		r.areas = append(r.areas, a)
	}
	return r, nil
}

// Area is one province of the output, in the Config's boundary set.
type Area struct {
	Code    string   // GSO code in the Config's boundary set
	Name    string   // official name
	Members []string // the 2019 provinces it is made of (itself for 2019)
}

type member2019 struct {
	area   int // index into resolved.areas
	census geodata.ProvinceCensus
	unit   geodata.Unit
}

type resolved struct {
	cfg     Config
	areas   []Area
	members []member2019
}
