package synth

import (
	"slices"
	"strings"

	"github.com/lomsong/lomsong/engine"
	"github.com/paulmach/orb"
)

// Stats summarises a world's sizes.
type Stats struct {
	Villages, RemoteHamlets, UrbanNeighbourhoods int
	Households                                   int64
	Towns, Roads                                 int
	SiteRows                                     int            // sector rows of the site register
	SiteRowsBy                                   []SiteRowCount // per carrier, technology and status, sorted
	Measurements, DriveTests, CrowdTests         int
	NoServiceTests                               int
	// CensoredTests are readings at or below the reporting floor
	// (engine.Censored), all from scanners.
	CensoredTests                    int
	DeadZoneVillages, Only2GVillages int
	// UntestedVillages have no test within 1 km.
	UntestedVillages int
	// SiteRowsDownUnregistered are sector rows registered active that are
	// down; SiteRowsMisplaced rows registered more than 100 m from their
	// antenna (Truth.Sites).
	SiteRowsDownUnregistered, SiteRowsMisplaced int
	SubscriptionRows                            int
}

// SiteRowCount counts the sector rows of one carrier, technology and status.
type SiteRowCount struct {
	Carrier engine.Carrier
	Tech    engine.Tech
	Status  engine.SiteStatus
	Rows    int
}

// Stats counts the world's rows.
func (w *World) Stats() Stats {
	s := Stats{Villages: len(w.Villages), Towns: len(w.Towns), Roads: len(w.Roads), SiteRows: len(w.Sites),
		SubscriptionRows: len(w.Subscriptions)}
	for _, v := range w.Villages {
		s.Households += v.Households
		switch v.Kind {
		case KindRemote:
			s.RemoteHamlets++
		case KindUrban:
			s.UrbanNeighbourhoods++
		}
	}
	idx := map[SiteRowCount]int{}
	for _, x := range w.Sites {
		k := SiteRowCount{Carrier: x.Carrier, Tech: x.Tech, Status: x.Status}
		i, ok := idx[k]
		if !ok {
			i = len(s.SiteRowsBy)
			idx[k] = i
			s.SiteRowsBy = append(s.SiteRowsBy, k)
		}
		s.SiteRowsBy[i].Rows++
	}
	slices.SortFunc(s.SiteRowsBy, func(a, b SiteRowCount) int {
		if c := strings.Compare(string(a.Carrier), string(b.Carrier)); c != 0 {
			return c
		}
		if a.Tech != b.Tech {
			return int(a.Tech) - int(b.Tech)
		}
		return int(a.Status) - int(b.Status)
	})
	if b := w.Measurements; b != nil {
		s.Measurements = b.Len()
		for i := range b.Len() {
			switch b.Source[i] {
			case engine.SourceDrive:
				s.DriveTests++
			case engine.SourceCrowd:
				s.CrowdTests++
			}
			if b.Service[i] == engine.ServiceNone {
				s.NoServiceTests++
			} else if engine.Censored(b.Tech[i], b.SignalDBm[i]) {
				s.CensoredTests++
			}
		}
		g := newPointGrid(0.05)
		for i := range b.Len() {
			g.add(orb.Point{b.Lon[i], b.Lat[i]})
		}
		for _, v := range w.Villages {
			if g.nearest(orb.Point{v.Lon, v.Lat}) > 1 {
				s.UntestedVillages++
			}
		}
	}
	for i, x := range w.Truth.Sites {
		r := w.Sites[i]
		if r.Status == engine.StatusActive && x.Status == engine.StatusDown {
			s.SiteRowsDownUnregistered++
		}
		if distKm(orb.Point{r.Lon, r.Lat}, orb.Point{x.Lon, x.Lat}) > 0.1 {
			s.SiteRowsMisplaced++
		}
	}
	for _, v := range w.Truth.Villages {
		if v.DeadZone {
			s.DeadZoneVillages++
		}
		if v.Only2G {
			s.Only2GVillages++
		}
	}
	return s
}
