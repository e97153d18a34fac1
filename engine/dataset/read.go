package dataset

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/arrowio"
)

// SummaryRow totals the listed parts of one (kind, period, carrier).
type SummaryRow struct {
	Kind    string
	Period  string
	Carrier string
	Parts   int
	Rows    int64
	Bytes   int64
}

// Summary totals the dataset per kind, period and carrier, sorted.
func (s *Store) Summary() []SummaryRow {
	idx := map[[3]string]int{}
	var out []SummaryRow
	for _, src := range s.manifest.Sources {
		for _, p := range src.Parts {
			k := [3]string{p.Kind, p.Period, p.Carrier}
			i, ok := idx[k]
			if !ok {
				i = len(out)
				idx[k] = i
				out = append(out, SummaryRow{Kind: p.Kind, Period: p.Period, Carrier: p.Carrier})
			}
			out[i].Parts++
			out[i].Rows += p.Rows
			out[i].Bytes += p.Bytes
		}
	}
	slices.SortFunc(out, func(a, b SummaryRow) int {
		return strings.Compare(a.Kind+"\x00"+a.Period+"\x00"+a.Carrier, b.Kind+"\x00"+b.Period+"\x00"+b.Carrier)
	})
	return out
}

// Periods returns the distinct measurement periods, ascending.
func (s *Store) Periods() []string {
	var out []string
	for _, p := range s.Parts("measurements", nil, nil) {
		out = append(out, p.Period)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ScanMeasurements streams the rows of the listed measurement parts
// (filtered as in Parts) in path order, calling fn with each batch. The
// batch is reused after fn returns. Options go to the Parquet reader (for
// example arrowio.WithColumns to read fewer columns).
func (s *Store) ScanMeasurements(ctx context.Context, periods, carriers []string, fn func(*engine.MeasurementBatch) error, opts ...arrowio.Option) error {
	for _, p := range s.Parts("measurements", periods, carriers) {
		if err := s.scanPart(ctx, p, fn, opts); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) scanPart(ctx context.Context, p Part, fn func(*engine.MeasurementBatch) error, opts []arrowio.Option) error {
	f, err := os.Open(s.Path(p))
	if err != nil {
		return fmt.Errorf("dataset: part listed in the manifest is unreadable: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	r, err := arrowio.NewMeasurementReader(f, st.Size(), opts...)
	if err != nil {
		return fmt.Errorf("dataset: %s: %w", p.Path, err)
	}
	for r.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(r.Batch()); err != nil {
			return err
		}
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("dataset: %s: %w", p.Path, err)
	}
	return nil
}

// Sites reads every listed site part (filtered by carrier, nil = all), in
// path order.
func (s *Store) Sites(carriers []string) ([]engine.Site, error) {
	var out []engine.Site
	for _, p := range s.Parts("sites", nil, carriers) {
		f, err := os.Open(s.Path(p))
		if err != nil {
			return nil, fmt.Errorf("dataset: part listed in the manifest is unreadable: %w", err)
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, err
		}
		sites, err := arrowio.ReadSites(f, st.Size())
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("dataset: %s: %w", p.Path, err)
		}
		out = append(out, sites...)
	}
	return out, nil
}
