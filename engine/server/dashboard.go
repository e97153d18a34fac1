package server

import (
	"embed"
	"io/fs"
	"net/http"
	"sort"
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
		files.ServeHTTP(w, r)
	})
	s.handle("GET /{$}", public, func(w http.ResponseWriter, r *http.Request) {
		target := "/ui/"
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusFound)
	})
}

// ProvinceSummary is one province's village figures in a release.
type ProvinceSummary struct {
	Code                    string  `json:"code"`
	Name                    string  `json:"name"`
	Villages                int     `json:"villages"`
	WithoutSignal           int     `json:"without_signal"`
	HouseholdsWithoutSignal float64 `json:"households_without_signal"`
}

// releaseProvinces sums the release's villages per province: every
// province for the ministry, its own for a province user; carriers 403.
func (s *Server) releaseProvinces(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	if u.Role == RoleCarrier {
		writeError(w, http.StatusForbidden, "the province figures are for the ministry and the provinces")
		return
	}
	rl, ok := s.releaseOf(w, r)
	if !ok {
		return
	}
	vs, err := s.readVillages(rl)
	if err != nil {
		s.internal(w, err)
		return
	}
	names := map[string]string{}
	if set, err := provinces2025(); err == nil {
		for _, un := range set.Units() {
			names[un.Code] = un.Name
		}
	}
	by := map[string]*ProvinceSummary{}
	for _, v := range vs {
		if v.Province == "" || (u.Role == RoleProvince && v.Province != u.Province) {
			continue
		}
		p := by[v.Province]
		if p == nil {
			p = &ProvinceSummary{Code: v.Province, Name: names[v.Province]}
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
	writeJSON(w, http.StatusOK, map[string]any{"release": rl.Number, "period": rl.Period, "provinces": out})
}
