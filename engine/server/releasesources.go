package server

import (
	"slices"
	"time"

	"github.com/lomsong/lomsong/engine/dataset"
)

// ReleaseSource is a source of the release dataset a release read, as
// its release.json lists it: a file certified through the service or
// ingested on the command line, with the months its measurements' parts
// hold (none for the other kinds).
type ReleaseSource struct {
	SHA256     string   `json:"sha256"`
	Name       string   `json:"name"`
	Kind       string   `json:"kind"`
	IngestedAt string   `json:"ingested_at"`
	Periods    []string `json:"periods,omitempty"`
}

// releaseSources lists the sources of m in their ingest order, each with
// the months of its parts.
func releaseSources(m dataset.Manifest) []ReleaseSource {
	out := []ReleaseSource{}
	for _, s := range m.Sources {
		rs := ReleaseSource{SHA256: s.SHA256, Name: s.Name, Kind: s.Kind, IngestedAt: s.IngestedAt.UTC().Format(time.RFC3339)}
		for _, p := range s.Parts {
			if p.Period != "" && !slices.Contains(rs.Periods, p.Period) {
				rs.Periods = append(rs.Periods, p.Period)
			}
		}
		slices.Sort(rs.Periods)
		out = append(out, rs)
	}
	return out
}

// bears reports whether source s can change a release of period: a
// register, villages or subscriptions feed every month, measurements
// their own month and the later ones (the scorecard's earlier months and
// speed trend).
func (s ReleaseSource) bears(period string) bool {
	if s.Kind != "measurements" || len(s.Periods) == 0 {
		return true
	}
	return s.Periods[0] <= period
}

// sourcesDiff adds to a diff's body what came into the release dataset
// between release prev and release cur and bears on cur's month: the
// sources cur read that prev had not (sources_added), those prev read
// that cur no longer has (sources_removed: retracted), and the
// submissions cur lists that prev did not (submissions_added). The
// sources are left out when either release's release.json does not list
// them (published before it did).
func (s *Server) sourcesDiff(body map[string]any, prev, cur Release) error {
	var pm, cm struct {
		Sources *[]ReleaseSource `json:"sources"`
	}
	if err := s.readReleaseJSON(prev, "release.json", &pm); err != nil {
		return err
	}
	if err := s.readReleaseJSON(cur, "release.json", &cm); err != nil {
		return err
	}
	subs := []int64{}
	for _, id := range cur.Submissions {
		if !slices.Contains(prev.Submissions, id) {
			subs = append(subs, id)
		}
	}
	body["submissions_added"] = subs
	if pm.Sources == nil || cm.Sources == nil {
		return nil
	}
	minus := func(a, b []ReleaseSource) []ReleaseSource {
		out := []ReleaseSource{}
		for _, x := range a {
			if x.bears(cur.Period) && !slices.ContainsFunc(b, func(y ReleaseSource) bool { return y.SHA256 == x.SHA256 }) {
				out = append(out, x)
			}
		}
		return out
	}
	body["sources_added"], body["sources_removed"] = minus(*cm.Sources, *pm.Sources), minus(*pm.Sources, *cm.Sources)
	return nil
}
