package server

import (
	"embed"
	"io/fs"
	"net/http"
	"slices"
	"sort"
	"sync"

	"github.com/lomsong/lomsong/geodata"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// The dashboard: static files embedded in the binary (no CDN, works with
// no internet), served without a token; the page asks for the user's
// token and reads the API with it, so it shows only what the API lets the
// role see. Vietnamese first; ?lang=en switches to English.
//
//go:embed ui
var uiFiles embed.FS

func (s *Server) dashboardRoutes() {
	sub, err := fs.Sub(uiFiles, "ui")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	files := http.StripPrefix("/ui/", http.FileServerFS(sub))
	s.handle("GET /ui/", public, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(&jsonNotFound{ResponseWriter: w, path: r.URL.Path}, r)
	})
	s.handle("GET /{$}", public, func(w http.ResponseWriter, r *http.Request) {
		target := "/ui/"
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusFound)
	})
}

// jsonNotFound answers the file server's 404 (a file the dashboard does
// not have) as every other 404 is, a JSON error naming the path, in place
// of the file server's text.
type jsonNotFound struct {
	http.ResponseWriter
	path    string
	written bool // the JSON error was written: the file server's text is dropped
}

func (w *jsonNotFound) WriteHeader(code int) {
	if code != http.StatusNotFound {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.written = true
	w.Header().Del("Content-Length")
	writeError(w.ResponseWriter, code, "no such resource: GET %s: the dashboard has no such file", w.path)
}

func (w *jsonNotFound) Write(b []byte) (int, error) {
	if w.written {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func (w *jsonNotFound) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ProvinceSummary is one province's village figures in a release.
type ProvinceSummary struct {
	Code                    string  `json:"code"`
	Name                    string  `json:"name"`
	Villages                int     `json:"villages"`
	WithoutSignal           int     `json:"without_signal"`
	HouseholdsWithoutSignal float64 `json:"households_without_signal"`
	// Assessed is false for a province none of whose villages is in the
	// release: its zeros are "not known", not "none".
	Assessed bool `json:"assessed"`
}

// provinceSums sums villages per province code (villages without a
// province are left out), provinces by code, keeping those keep accepts.
func provinceSums(vs []ReleaseVillage, keep func(code string) bool) []ProvinceSummary {
	names := map[string]string{}
	if set, err := provinces2025(); err == nil {
		for _, un := range set.Units() {
			names[un.Code] = un.Name
		}
	}
	by := map[string]*ProvinceSummary{}
	for _, v := range vs {
		if v.Province == "" || !keep(v.Province) {
			continue
		}
		p := by[v.Province]
		if p == nil {
			p = &ProvinceSummary{Code: v.Province, Name: names[v.Province], Assessed: true}
			by[v.Province] = p
		}
		p.Villages++
		if v.WithoutSignal {
			p.WithoutSignal++
			p.HouseholdsWithoutSignal += v.Households
		}
	}
	out := make([]ProvinceSummary, 0, len(by))
	for _, p := range by {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// releaseProvinces sums the release's villages per province: every
// province for the ministry, its own for a province user; carriers 403.
func (s *Server) releaseProvinces(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	if u.Role == RoleCarrier {
		writeError(w, http.StatusForbidden, "the province figures are for the ministry and the provinces")
		return
	}
	rl, vs, ok := s.releaseVillagesOf(w, r)
	if !ok {
		return
	}
	inScope := func(code string) bool { return u.Role == RoleMinistry || code == u.Province }
	out := provinceSums(vs, inScope)
	// Every province in scope is listed: one none of whose villages is in
	// the release as not assessed (left out, it read as nothing to see).
	set, err := provinces2025()
	if err != nil {
		s.internal(w, err)
		return
	}
	for _, un := range set.Units() {
		if inScope(un.Code) && !slices.ContainsFunc(out, func(p ProvinceSummary) bool { return p.Code == un.Code }) {
			out = append(out, ProvinceSummary{Code: un.Code, Name: un.Name})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	writeJSON(w, http.StatusOK, map[string]any{"release": rl.Number, "period": rl.Period, "provinces": out})
}

// National is the ministry's headline figures of a release and its map of
// the 34 provinces.
type National struct {
	Release int64  `json:"release"`
	Period  string `json:"period"`
	// Villages counts every village of the release, those outside the 34
	// provinces' (coarse) boundaries too; OutsideProvinces counts those.
	Villages                int     `json:"villages"`
	WithoutSignal           int     `json:"without_signal"`
	HouseholdsWithoutSignal float64 `json:"households_without_signal"`
	OutsideProvinces        int     `json:"outside_provinces"`
	// Provinces is the number of provinces (34); ProvincesAssessed those
	// with at least one village in the release; ProvincesClear those of
	// them with no village without 3G/4G.
	Provinces          int     `json:"provinces"`
	ProvincesAssessed  int     `json:"provinces_assessed"`
	ProvincesClear     int     `json:"provinces_clear"`
	DeadZones          int     `json:"dead_zones"`
	DeadZoneHouseholds float64 `json:"dead_zone_households"`
	DeadZoneAreaKm2    float64 `json:"dead_zone_area_km2"`
	// Map holds one feature per province, by code: its outline (lon, lat,
	// 3 decimals) and, as properties, code, name and the ProvinceSummary
	// figures (zero for a province without villages in the release).
	Map *geojson.FeatureCollection `json:"map"`
}

// provinceOutlines are the 34 provinces' outlines for the national map,
// rounded to 3 decimals (about 100 m, finer than the Natural Earth
// geometry they come from), consecutive repeated points dropped.
var provinceOutlines = sync.OnceValues(func() ([]geodata.Unit, error) {
	set, err := provinces2025()
	if err != nil {
		return nil, err
	}
	units := set.Units()
	out := make([]geodata.Unit, 0, len(units))
	for _, u := range units {
		mp := orb.MultiPolygon{}
		for _, poly := range u.Geometry {
			var np orb.Polygon
			for _, ring := range poly {
				var nr orb.Ring
				for _, p := range ring {
					q := orb.Point{round(p[0], 3), round(p[1], 3)}
					if len(nr) == 0 || nr[len(nr)-1] != q {
						nr = append(nr, q)
					}
				}
				if len(nr) >= 4 {
					np = append(np, nr)
				}
			}
			if len(np) > 0 {
				mp = append(mp, np)
			}
		}
		out = append(out, geodata.Unit{Code: u.Code, Name: u.Name, Geometry: mp})
	}
	return out, nil
})

// releaseNational sends the ministry the release's national figures: the
// villages and households without 3G/4G, the provinces with none, the
// dead zones, and the provinces' map shaded by their figures.
func (s *Server) releaseNational(w http.ResponseWriter, r *http.Request) {
	rl, vs, ok := s.releaseVillagesOf(w, r)
	if !ok {
		return
	}
	units, err := provinceOutlines()
	if err != nil {
		s.internal(w, err)
		return
	}
	n := National{Release: rl.Number, Period: rl.Period, Provinces: len(units), Map: geojson.NewFeatureCollection()}
	for _, v := range vs {
		n.Villages++
		if v.Province == "" {
			n.OutsideProvinces++
		}
		if v.WithoutSignal {
			n.WithoutSignal++
			n.HouseholdsWithoutSignal += v.Households
		}
	}
	sums := map[string]ProvinceSummary{}
	for _, p := range provinceSums(vs, func(string) bool { return true }) {
		sums[p.Code] = p
		n.ProvincesAssessed++
		if p.WithoutSignal == 0 {
			n.ProvincesClear++
		}
	}
	for _, u := range units {
		p := sums[u.Code]
		f := geojson.NewFeature(u.Geometry)
		f.Properties["code"] = u.Code
		f.Properties["name"] = u.Name
		f.Properties["villages"] = p.Villages
		f.Properties["without_signal"] = p.WithoutSignal
		f.Properties["households_without_signal"] = p.HouseholdsWithoutSignal
		n.Map.Append(f)
	}
	zones, err := s.readZones(rl)
	if err != nil {
		s.internal(w, err)
		return
	}
	for _, z := range zones.Features {
		n.DeadZones++
		n.DeadZoneHouseholds += z.Properties.MustFloat64("households", 0)
		n.DeadZoneAreaKm2 += z.Properties.MustFloat64("area_km2", 0)
	}
	// The sum of the zones' own areas, not of their areas rounded to
	// 0.1 km² each (1.3% short on 50 zones).
	totals, err := s.readExactTotals(rl)
	if err != nil {
		s.internal(w, err)
		return
	}
	if a, ok := totals["deadzones.area_km2"]; ok {
		n.DeadZoneAreaKm2 = a
	}
	n.DeadZoneAreaKm2 = round(n.DeadZoneAreaKm2, 1)
	// Unindented: the outlines are some 9,000 points.
	writeCompactJSON(w, "application/json; charset=utf-8", n)
}
