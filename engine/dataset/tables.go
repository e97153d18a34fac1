package dataset

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/ingest"
)

func villageColumns(v []engine.Village) []arrowio.Column {
	n := len(v)
	id, name, commune := make([]string, n), make([]string, n), make([]string, n)
	lon, lat, hh := make([]float64, n), make([]float64, n), make([]float64, n)
	for i, x := range v {
		id[i], name[i], commune[i], lon[i], lat[i], hh[i] = x.ID, x.Name, x.CommuneCode, x.Lon, x.Lat, x.Households
	}
	return []arrowio.Column{{Name: "village_id", String: id}, {Name: "name", String: name}, {Name: "commune_code", String: commune},
		{Name: "lon", Float64: lon}, {Name: "lat", Float64: lat}, {Name: "households", Float64: hh}}
}

func subscriptionColumns(s []engine.Subscription) []arrowio.Column {
	n := len(s)
	area, period := make([]string, n), make([]string, n)
	cols := make([][]float64, 7)
	for i := range cols {
		cols[i] = make([]float64, n)
	}
	for i, x := range s {
		area[i], period[i] = x.AreaCode, x.Period
		for j, v := range []float64{x.Households, x.FiberHouseholds, x.MobileSubscribers, x.SmartphoneSubscribers,
			x.Only2GSubscribers, x.SurveyedHouseholds, x.SurveyedWithSmartphone} {
			cols[j][i] = v
		}
	}
	out := []arrowio.Column{{Name: "area_code", String: area}, {Name: "period", String: period}}
	for j, name := range ingest.SubscriptionColumns[2:] {
		out = append(out, arrowio.Column{Name: name, Float64: cols[j]})
	}
	return out
}

// readTable re-reads a stored contract table through the same validation
// it passed on ingest (the stored columns carry the contract names), so
// the store and the contract cannot drift apart.
func (s *Store) readTable(kind ingest.Kind, read func(rec ingest.Records, cfg ingest.Config) (*ingest.Report, error)) error {
	for _, p := range s.Parts(string(kind), nil, nil) {
		if err := s.checkPart(p, false); err != nil {
			return err
		}
		f, err := os.Open(s.Path(p))
		if err != nil {
			return fmt.Errorf("dataset: part listed in the manifest is unreadable: %w", err)
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return err
		}
		t, err := arrowio.OpenTable(f, st.Size())
		if err != nil {
			f.Close()
			return fmt.Errorf("dataset: %s: %w", p.Path, err)
		}
		cfg := ingest.Defaults(p.Path, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
		cfg.Dedup = false
		rep, err := read(&tableRecords{t: t, i: -1}, cfg)
		t.Close()
		f.Close()
		if err != nil {
			return fmt.Errorf("dataset: %s: %w", p.Path, err)
		}
		if rep.RowsRead != p.Rows {
			return fmt.Errorf("dataset: %s: %d rows read, the manifest lists %d: %w", p.Path, rep.RowsRead, p.Rows, ErrCorruptPart)
		}
		if rep.Rejected > 0 {
			return fmt.Errorf("dataset: %s: %d stored rows fail validation", p.Path, rep.Rejected)
		}
	}
	return nil
}

// Villages returns every stored village, in part order.
func (s *Store) Villages() ([]engine.Village, error) {
	var out []engine.Village
	err := s.readTable(ingest.KindVillages, func(rec ingest.Records, cfg ingest.Config) (*ingest.Report, error) {
		return ingest.ReadVillages(context.Background(), rec, nil, cfg,
			func(v []engine.Village) error { out = append(out, v...); return nil }, nil)
	})
	return out, err
}

// Subscriptions returns every stored subscription row, in part order.
func (s *Store) Subscriptions() ([]engine.Subscription, error) {
	var out []engine.Subscription
	err := s.readTable(ingest.KindSubscriptions, func(rec ingest.Records, cfg ingest.Config) (*ingest.Report, error) {
		return ingest.ReadSubscriptions(context.Background(), rec, nil, cfg,
			func(v []engine.Subscription) error { out = append(out, v...); return nil }, nil)
	})
	return out, err
}
