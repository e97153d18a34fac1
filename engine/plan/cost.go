package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/lomsong/lomsong/engine"
)

// Costs is the cost model of a new-build site, in Vietnamese đồng (VND).
// Every figure is an assumption for a rural 4G macro site in Vietnam
// (order of magnitude: 1–3 billion VND capex) and is meant to be replaced
// by the fund's own figures; ParseCosts overlays a JSON document on the
// defaults so a file only names what it changes.
//
// A site's cost is its net present value over the horizon:
//
//	NPV = capex + annual · AnnuityFactor(HorizonYears, DiscountRate)
//
// where annual opex is paid at the end of each year. Power and backhaul are
// each chosen as the option with the lowest NPV among those the candidate's
// distances allow (see SiteCost).
type Costs struct {
	// TowerCivilVND: a 40 m self-supporting tower, foundation, shelter or
	// outdoor cabinet, fence, access road and land. Default 900 million.
	TowerCivilVND float64 `json:"tower_civil_vnd"`
	// RadioVND: a 3-sector 4G base station (baseband, radios, antennas,
	// feeders), installation and commissioning. Default 600 million.
	RadioVND float64 `json:"radio_vnd"`
	// SiteOpexPerYearVND: maintenance, security, land lease and
	// spectrum/licence share per year. Default 60 million.
	SiteOpexPerYearVND float64 `json:"site_opex_per_year_vnd"`

	// GridConnectionVND: transformer and metering for a grid connection.
	// Default 150 million.
	GridConnectionVND float64 `json:"grid_connection_vnd"`
	// GridLinePerKmVND: a 22 kV rural spur line per km from the site to the
	// grid. Default 400 million per km.
	GridLinePerKmVND float64 `json:"grid_line_per_km_vnd"`
	// GridEnergyPerYearVND: electricity for a ~1.5 kW average load
	// (≈13,000 kWh a year at ≈2,300 VND/kWh). Default 30 million per year.
	GridEnergyPerYearVND float64 `json:"grid_energy_per_year_vnd"`
	// SolarVND: an off-grid solar package (≈6 kWp panels, lithium battery
	// bank for two days of autonomy, controller). Default 550 million.
	SolarVND float64 `json:"solar_vnd"`
	// SolarOpexPerYearVND: solar maintenance plus the battery replacement
	// spread over its life. Default 25 million per year.
	SolarOpexPerYearVND float64 `json:"solar_opex_per_year_vnd"`

	// FibrePerKmVND: aerial fibre on poles per km to the nearest fibre
	// point of presence. Default 80 million per km.
	FibrePerKmVND float64 `json:"fibre_per_km_vnd"`
	// FibreOpexPerKmYearVND: fibre maintenance per km and year. Default
	// 2 million.
	FibreOpexPerKmYearVND float64 `json:"fibre_opex_per_km_year_vnd"`
	// MicrowaveVND: one microwave hop (two radios and dishes) to an existing
	// site. Default 250 million.
	MicrowaveVND float64 `json:"microwave_vnd"`
	// MicrowaveMaxKm: the longest hop assumed to have line of sight.
	// Default 30 km.
	MicrowaveMaxKm float64 `json:"microwave_max_km"`
	// MicrowaveOpexPerYearVND: frequency licence and maintenance per year.
	// Default 10 million.
	MicrowaveOpexPerYearVND float64 `json:"microwave_opex_per_year_vnd"`
	// SatelliteVND: a VSAT terminal and installation. Default 150 million.
	SatelliteVND float64 `json:"satellite_vnd"`
	// SatelliteFeePerYearVND: satellite capacity per year (≈10 million a
	// month). Default 120 million.
	SatelliteFeePerYearVND float64 `json:"satellite_fee_per_year_vnd"`

	// HorizonYears is the appraisal period. Default 10.
	HorizonYears int `json:"horizon_years"`
	// DiscountRate is the annual discount rate. Default 0.08.
	DiscountRate float64 `json:"discount_rate"`
}

// DefaultCosts returns the documented defaults (see Costs).
func DefaultCosts() Costs {
	return Costs{
		TowerCivilVND:           900e6,
		RadioVND:                600e6,
		SiteOpexPerYearVND:      60e6,
		GridConnectionVND:       150e6,
		GridLinePerKmVND:        400e6,
		GridEnergyPerYearVND:    30e6,
		SolarVND:                550e6,
		SolarOpexPerYearVND:     25e6,
		FibrePerKmVND:           80e6,
		FibreOpexPerKmYearVND:   2e6,
		MicrowaveVND:            250e6,
		MicrowaveMaxKm:          30,
		MicrowaveOpexPerYearVND: 10e6,
		SatelliteVND:            150e6,
		SatelliteFeePerYearVND:  120e6,
		HorizonYears:            10,
		DiscountRate:            0.08,
	}
}

// ParseCosts decodes a JSON cost document over DefaultCosts: fields it
// names replace the defaults, unknown fields are an error (naming the
// figures there are), and the result is validated. A document whose
// figures would be read otherwise than written is refused: empty, a
// figure named twice (the decoder keeps the last), anything after its
// object (a second object, ignored by the decoder), or a plan's summary
// (plan.json, whose "costs" object shows the defaults used).
func ParseCosts(data []byte) (Costs, error) {
	c := DefaultCosts()
	// A byte-order mark (Notepad's) is no JSON error.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return Costs{}, fmt.Errorf("cost model: the file is empty: want a JSON object of the figures to change, e.g. {\"radio_vnd\": 600000000}: %w", engine.ErrInvalidConfig)
	}
	if err := costKeys(data); err != nil {
		return Costs{}, fmt.Errorf("cost model: %w: %w", err, engine.ErrInvalidConfig)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		msg := err.Error()
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			// Where, in the file: a figure written with thousands
			// separators (700,000,000) is the likely one.
			line, col := lineColumn(data, syn.Offset)
			msg = fmt.Sprintf("line %d, column %d: %s (write each figure as a plain number, without thousands separators, e.g. {\"radio_vnd\": 700000000})", line, col, msg)
		}
		if strings.Contains(msg, "unknown field") {
			msg += " (the figures: " + strings.Join(costNames(), ", ") + ")"
			if byTech.MatchString(msg) {
				// Figures per technology ({"5G": {…}}, "radio_vnd_5g"):
				// the model has one standard site for every candidate.
				msg += "; the cost model has no figures per technology: one standard new build (a 4G macro site) prices every candidate without a cost_vnd, whatever its tech; give a proposed site's own cost in the candidates' cost_vnd column"
			}
		}
		return Costs{}, fmt.Errorf("cost model: %s: %w", msg, engine.ErrInvalidConfig)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Costs{}, fmt.Errorf("cost model: more after its JSON object (a second object is not read): want one object of the figures to change: %w", engine.ErrInvalidConfig)
	}
	return c, c.Validate()
}

// byTech matches a decoder's unknown-field message naming a technology
// (2G to 5G, LTE, NR, UMTS) as a key or a part of one.
var byTech = regexp.MustCompile(`(?i)unknown field "(?:[^"]*[^a-z0-9"])?(?:[2-5]g|lte|nr|umts)(?:[^a-z0-9"][^"]*)?"`)

// lineColumn returns the 1-based line and column (in bytes) of the byte
// before offset, where the JSON decoder reports a syntax error.
func lineColumn(data []byte, offset int64) (line, col int) {
	offset = min(max(offset, 1), int64(len(data)))
	before := data[:offset-1]
	line = 1 + bytes.Count(before, []byte("\n"))
	col = len(before) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// costKeys checks the keys of a cost document's top-level object: none
// given twice, and not a plan's summary. A document that is no object is
// left to the decoder's error.
func costKeys(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil
		}
		key, _ := t.(string)
		// Keys match the figures' names without regard to case.
		key = strings.ToLower(key)
		if seen[key] {
			return fmt.Errorf("%q is given twice: give each figure once", key)
		}
		seen[key] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil
		}
		if !slices.Contains(costNames(), key) {
			// Not a figure: the decoder names it, a plan's summary is
			// said to be one below.
			continue
		}
		// A number with several dots (700.000.000) ends, to the
		// decoder, at its second: the figure is read as written.
		end := dec.InputOffset()
		for end < int64(len(data)) && (data[end] == '.' || data[end] >= '0' && data[end] <= '9') {
			end++
		}
		if err := figureWritten(key, string(v)+string(data[dec.InputOffset():end])); err != nil {
			return err
		}
	}
	if seen["costs"] && seen["budget_vnd"] {
		return fmt.Errorf("a plan's summary (plan.json), not a cost file: its \"costs\" object shows the figures used; write those to change into a file of their own, e.g. {\"radio_vnd\": 600000000}")
	}
	return nil
}

// dotThousands matches a number written with one dot before three digits
// (700.000): a decimal point to JSON, a thousands separator in Vietnamese.
var dotThousands = regexp.MustCompile(`^-?[1-9][0-9]{0,2}(?:\.[0-9]{3})+$`)

// textThousands matches an amount written with thousands separators
// (700,000,000, 700.000.000, 700 000 000), as a cost file may quote it.
var textThousands = regexp.MustCompile(`^-?[1-9][0-9]{0,2}(?:[,. \x{00a0}\x{202f}'][0-9]{3})+$`)

// figureWritten refuses a figure whose value would be read otherwise than
// meant: null (read as no change: the default kept, though a figure was
// named), a string ("700,000,000", "700000000": no number), and an amount
// of đồng written with a dot before three digits, which JSON reads as
// 700 where Vietnamese writes seven hundred thousand.
func figureWritten(key, raw string) error {
	switch v := strings.TrimSpace(raw); {
	case v == "null":
		return fmt.Errorf("%q is null: give its figure as a number, or leave it out to keep its default", key)
	case strings.HasPrefix(v, `"`):
		var text string
		_ = json.Unmarshal([]byte(v), &text)
		plain := strings.TrimSpace(text)
		if textThousands.MatchString(plain) {
			plain = strings.Map(func(r rune) rune {
				if r == '-' || r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, plain)
		}
		if _, err := strconv.ParseFloat(plain, 64); err != nil {
			return fmt.Errorf("%q is the text %s: give its figure as a number", key, v)
		}
		return fmt.Errorf("%q is the text %s: write the figure as a number, without quotes or thousands separators (e.g. %s)", key, v, plain)
	case strings.HasSuffix(key, "_vnd") && dotThousands.MatchString(v):
		plain := strings.ReplaceAll(v, ".", "")
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			// Several dots: no JSON number at all.
			return fmt.Errorf("%q is %s: write the amount in đồng without thousands separators: %s", key, v, plain)
		}
		return fmt.Errorf("%q is %s: %s đồng, or %s with the dot separating thousands? Write %s without separators, or %s for %s đồng",
			key, v, strconv.FormatFloat(f, 'f', -1, 64), plain, plain, strconv.FormatFloat(f, 'f', 1, 64), strconv.FormatFloat(f, 'f', -1, 64))
	}
	return nil
}

// costNames are the figures of a cost document, by their JSON names.
func costNames() []string {
	t := reflect.TypeFor[Costs]()
	names := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		if n, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); n != "" && n != "-" {
			names = append(names, n)
		}
	}
	return names
}

// Figure is one figure of the cost model: its JSON name (as a cost file
// writes it), the value used and the default.
type Figure struct {
	Name           string
	Value, Default float64
}

// Changed returns the figures of c that differ from DefaultCosts, in the
// order of Costs' fields: what a cost file changed. None for the defaults.
func (c Costs) Changed() []Figure {
	var out []Figure
	v, d := reflect.ValueOf(c), reflect.ValueOf(DefaultCosts())
	for i := range v.NumField() {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		x, y := number(v.Field(i)), number(d.Field(i))
		if x != y {
			out = append(out, Figure{Name: name, Value: x, Default: y})
		}
	}
	return out
}

// number is a figure's value: Costs holds float64 and int fields only.
func number(v reflect.Value) float64 {
	if v.CanInt() {
		return float64(v.Int())
	}
	return v.Float()
}

// Validate checks that every figure is finite and non-negative, the horizon
// is at least one year and the discount rate lies in [0, 1).
func (c Costs) Validate() error {
	figs := []struct {
		name string
		v    float64
	}{
		{"tower_civil_vnd", c.TowerCivilVND}, {"radio_vnd", c.RadioVND},
		{"site_opex_per_year_vnd", c.SiteOpexPerYearVND}, {"grid_connection_vnd", c.GridConnectionVND},
		{"grid_line_per_km_vnd", c.GridLinePerKmVND}, {"grid_energy_per_year_vnd", c.GridEnergyPerYearVND},
		{"solar_vnd", c.SolarVND}, {"solar_opex_per_year_vnd", c.SolarOpexPerYearVND},
		{"fibre_per_km_vnd", c.FibrePerKmVND}, {"fibre_opex_per_km_year_vnd", c.FibreOpexPerKmYearVND},
		{"microwave_vnd", c.MicrowaveVND}, {"microwave_max_km", c.MicrowaveMaxKm},
		{"microwave_opex_per_year_vnd", c.MicrowaveOpexPerYearVND}, {"satellite_vnd", c.SatelliteVND},
		{"satellite_fee_per_year_vnd", c.SatelliteFeePerYearVND},
	}
	for _, f := range figs {
		if !(f.v >= 0) || math.IsInf(f.v, 0) {
			return fmt.Errorf("cost model: %s = %g must be finite and ≥ 0: %w", f.name, f.v, engine.ErrInvalidConfig)
		}
		if strings.HasSuffix(f.name, "_vnd") && f.v > MaxBudgetVND {
			// A budget and a quoted cost stop at 10¹⁵ đồng; a figure
			// beyond priced every site alike (1e30 rounds them all to
			// one float) and advised raising a --budget capped below it.
			return fmt.Errorf("cost model: %s = %g above %g đồng, the most a budget or a site's cost may be: %w", f.name, f.v, float64(MaxBudgetVND), engine.ErrInvalidConfig)
		}
	}
	if c.HorizonYears < 1 || c.HorizonYears > 100 {
		return fmt.Errorf("cost model: horizon %d years outside 1…100: %w", c.HorizonYears, engine.ErrInvalidConfig)
	}
	if !(c.DiscountRate >= 0 && c.DiscountRate < 1) {
		return fmt.Errorf("cost model: discount rate %g outside [0, 1): %w", c.DiscountRate, engine.ErrInvalidConfig)
	}
	return nil
}

// AnnuityFactor returns the present value of 1 VND paid at the end of each
// of years years at discount rate r: (1 − (1+r)^−years)/r, or years when
// r is 0. 10 years at 8 % give 6.7101.
func AnnuityFactor(years int, r float64) float64 {
	if r == 0 {
		return float64(years)
	}
	return (1 - math.Pow(1+r, -float64(years))) / r
}

// SiteCost is the cost of one candidate site with the options chosen.
type SiteCost struct {
	CapexVND       float64
	OpexYearVND    float64 // per year
	NPVVND         float64 // capex + opex over the horizon, discounted
	Power          string  // "grid" or "solar"
	Backhaul       string  // "fibre", "microwave" or "satellite"
	PowerNPVVND    float64
	BackhaulNPVVND float64
}

// SiteCost prices a candidate. Distances NaN or negative are unknown:
//   - power: grid (connection + line per km of GridKm, energy per year)
//     when GridKm is known and its NPV is below the solar package's,
//     otherwise off-grid solar;
//   - backhaul: the cheapest NPV of fibre (FibreKm known), microwave
//     (SiteKm known and ≤ MicrowaveMaxKm) and satellite (always possible).
//
// Equal NPVs prefer grid over solar and fibre, microwave, satellite in that
// order. A candidate's CostVND override is not applied here (see Build).
func (c Costs) SiteCost(cand Candidate) SiteCost {
	af := AnnuityFactor(c.HorizonYears, c.DiscountRate)
	s := SiteCost{CapexVND: c.TowerCivilVND + c.RadioVND, OpexYearVND: c.SiteOpexPerYearVND}

	pCap, pOp, pName := c.SolarVND, c.SolarOpexPerYearVND, "solar"
	if known(cand.GridKm) {
		gCap := c.GridConnectionVND + c.GridLinePerKmVND*cand.GridKm
		if gCap+c.GridEnergyPerYearVND*af <= pCap+pOp*af {
			pCap, pOp, pName = gCap, c.GridEnergyPerYearVND, "grid"
		}
	}
	bCap, bOp, bName := math.Inf(1), 0.0, ""
	consider := func(capex, opex float64, name string) {
		if capex+opex*af < bCap+bOp*af {
			bCap, bOp, bName = capex, opex, name
		}
	}
	if known(cand.FibreKm) {
		consider(c.FibrePerKmVND*cand.FibreKm, c.FibreOpexPerKmYearVND*cand.FibreKm, "fibre")
	}
	if known(cand.SiteKm) && cand.SiteKm <= c.MicrowaveMaxKm {
		consider(c.MicrowaveVND, c.MicrowaveOpexPerYearVND, "microwave")
	}
	consider(c.SatelliteVND, c.SatelliteFeePerYearVND, "satellite")

	s.Power, s.Backhaul = pName, bName
	s.PowerNPVVND, s.BackhaulNPVVND = pCap+pOp*af, bCap+bOp*af
	s.CapexVND += pCap + bCap
	s.OpexYearVND += pOp + bOp
	s.NPVVND = s.CapexVND + s.OpexYearVND*af
	return s
}

func known(km float64) bool { return km >= 0 && !math.IsInf(km, 0) }
