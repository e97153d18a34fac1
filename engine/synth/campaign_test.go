package synth

import (
	"bytes"
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/paulmach/orb"
)

// campaignVisits picks four dead-zone and four served rural villages of
// the default world, two teams, two days.
func campaignVisits(t *testing.T, w *World) []CampaignVisit {
	t.Helper()
	var dead, served []string
	for i, vt := range w.Truth.Villages {
		if w.Villages[i].Kind == KindUrban {
			continue
		}
		if vt.DeadZone && len(dead) < 4 {
			dead = append(dead, vt.VillageID)
		}
		if !vt.DeadZone && len(served) < 4 {
			served = append(served, vt.VillageID)
		}
	}
	if len(dead) < 4 || len(served) < 4 {
		t.Fatalf("world has %d dead and %d served rural villages to test", len(dead), len(served))
	}
	var out []CampaignVisit
	for k, id := range append(dead, served...) {
		out = append(out, CampaignVisit{VillageID: id, Team: 1 + k%2, Day: 1 + k/4, Order: 1 + (k/2)%2})
	}
	return out
}

func TestCampaignFollowsTruth(t *testing.T) {
	w := world(t)
	visits := campaignVisits(t, w)
	cfg := CampaignConfig{}
	b, err := w.Campaign(visits, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.withDefaults(w)
	byID := map[string]Village{}
	for _, v := range w.Villages {
		byID[v.ID] = v
	}
	type key struct {
		id      string
		carrier engine.Carrier
		tech    string
	}
	truth := map[key]float64{}
	for _, s := range w.Truth.Signals {
		truth[key{s.VillageID, s.Carrier, s.Tech}] = s.SignalDBm
	}
	dead := map[string]bool{}
	for _, id := range w.Truth.DeadZoneVillages() {
		dead[id] = true
	}
	th := engine.DefaultThresholds()
	day0 := time.Date(2024, time.November, 1, 0, 0, 0, 0, ICT)
	atPoint := map[string]int{}
	var n int
	var sum, sum2 float64
	for i := range b.Len() {
		m := b.Row(i)
		// The row belongs to the nearest visited village, within the walk.
		best, bestKm := CampaignVisit{}, math.Inf(1)
		for _, v := range visits {
			vv := byID[v.VillageID]
			if d := distKm(orb.Point{m.Lon, m.Lat}, orb.Point{vv.Lon, vv.Lat}); d < bestKm {
				best, bestKm = v, d
			}
		}
		if bestKm > cfg.RadiusKm+0.005 {
			t.Fatalf("row %d at %.6f, %.6f is %.3f km from the nearest visited village", i, m.Lon, m.Lat, bestKm)
		}
		// On its day, from arrival for the measuring time.
		local := time.UnixMilli(m.TimeUnixMs).In(ICT)
		arrive := day0.AddDate(0, 0, best.Day-1).Add(time.Duration((8 + 2*float64(best.Order-1)) * float64(time.Hour)))
		if local.Before(arrive) || local.After(arrive.Add(90*time.Minute+time.Second)) {
			t.Errorf("row %d of %s (day %d, order %d) at %s", i, best.VillageID, best.Day, best.Order, local)
		}
		if m.Environment != engine.EnvOutdoor || m.Source != engine.SourceDrive {
			t.Errorf("row %d: %v, %v; want outdoor drive", i, m.Environment, m.Source)
		}
		v := byID[best.VillageID]
		if m.Lon != v.Lon || m.Lat != v.Lat {
			continue
		}
		// At the village's own point the scanner reads the true signal
		// plus 3 dB of noise.
		atPoint[v.ID]++
		tr, ok := truth[key{v.ID, m.Carrier, m.Tech.String()}]
		if !ok {
			if m.Service != engine.ServiceNone {
				t.Errorf("%s %s %s: no site in range but service %v", v.ID, m.Carrier, m.Tech, m.Service)
			}
			continue
		}
		if m.Service == engine.ServiceNone {
			if tr > th.NoService(m.Tech)+4*driveNoiseDB {
				t.Errorf("%s %s %s: true %.1f dBm measured as no service", v.ID, m.Carrier, m.Tech, tr)
			}
			continue
		}
		r := m.SignalDBm - tr
		if math.Abs(r) > 4*driveNoiseDB {
			t.Errorf("%s %s %s: measured %.1f dBm, true %.1f", v.ID, m.Carrier, m.Tech, m.SignalDBm, tr)
		}
		if dead[v.ID] && m.Tech != engine.Tech2G && m.SignalDBm >= th.Covered(m.Tech)+4*driveNoiseDB {
			t.Errorf("dead-zone village %s: %s %s measured %.1f dBm", v.ID, m.Carrier, m.Tech, m.SignalDBm)
		}
		n++
		sum += r
		sum2 += r * r
	}
	for _, vis := range visits {
		if atPoint[vis.VillageID] == 0 {
			t.Errorf("no test at village %s's own point", vis.VillageID)
		}
	}
	if n < 20 {
		t.Fatalf("only %d tests with service at the villages' points", n)
	}
	mean := sum / float64(n)
	sd := math.Sqrt(sum2/float64(n) - mean*mean)
	if math.Abs(mean) > 1.5 || sd < 2 || sd > 4.2 {
		t.Errorf("residuals at the village points over %d tests: mean %.2f dB, sd %.2f dB; want ≈ 0 and ≈ %d", n, mean, sd, driveNoiseDB)
	}
	t.Logf("%d rows; residuals at the village points over %d tests: mean %.2f dB, sd %.2f dB", b.Len(), n, mean, sd)

	// Every row passes ingest's validation.
	var buf bytes.Buffer
	if err := WriteMeasurementsCSV(&buf, b); err != nil {
		t.Fatal(err)
	}
	rec, err := ingest.NewCSV(bytes.NewReader(buf.Bytes()), ingest.CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ingest.ReadMeasurements(context.Background(), rec, nil, ingest.Defaults("campaign", day0.AddDate(0, 1, 0)),
		func(*engine.MeasurementBatch) error { return nil },
		func(r ingest.Reject) error {
			t.Errorf("rejected: line %d %s=%q %s", r.Line, r.Column, r.Value, r.Reason)
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accepted != int64(b.Len()) {
		t.Errorf("%d of %d rows accepted", rep.Accepted, b.Len())
	}
}

func TestCampaignDeterministic(t *testing.T) {
	w := world(t)
	visits := campaignVisits(t, w)
	render := func(vs []CampaignVisit, cfg CampaignConfig) []byte {
		b, err := w.Campaign(vs, cfg)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := WriteMeasurementsCSV(&buf, b); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	a := render(visits, CampaignConfig{})
	if !bytes.Equal(a, render(visits, CampaignConfig{})) {
		t.Fatal("two campaigns with the same visits differ")
	}
	if bytes.Equal(a, render(visits, CampaignConfig{Seed: 99})) {
		t.Error("another seed gives the same tests")
	}
	// A visit's tests do not depend on the other visits.
	last := visits[len(visits)-1:]
	alone := render(last, CampaignConfig{})
	if !bytes.HasSuffix(a, alone[bytes.IndexByte(alone, '\n')+1:]) {
		t.Error("the last visit's tests change with the other visits")
	}
}

func TestCampaignErrors(t *testing.T) {
	w := world(t)
	id := w.Villages[0].ID
	cases := []struct {
		name   string
		visits []CampaignVisit
		cfg    CampaignConfig
		want   error
	}{
		{"unknown village", []CampaignVisit{{VillageID: "nowhere", Team: 1, Day: 1, Order: 1}}, CampaignConfig{}, engine.ErrInvalidValue},
		{"day 0", []CampaignVisit{{VillageID: id, Team: 1, Day: 0, Order: 1}}, CampaignConfig{}, engine.ErrInvalidValue},
		{"after 22:00", []CampaignVisit{{VillageID: id, Team: 1, Day: 1, Order: 8}}, CampaignConfig{}, engine.ErrInvalidValue},
		{"negative radius", []CampaignVisit{{VillageID: id, Team: 1, Day: 1, Order: 1}}, CampaignConfig{RadiusKm: -1}, engine.ErrInvalidConfig},
	}
	for _, c := range cases {
		if _, err := w.Campaign(c.visits, c.cfg); !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.want)
		}
	}
}
