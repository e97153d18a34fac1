package dataset

import (
	"context"
	"fmt"
	"strings"

	"github.com/lomsong/lomsong/engine/ingest"
)

// A command's own input tables (claims for lomsong deadzones, proposed
// sites for lomsong plan) are read here through OpenSource and the ingest
// readers, like every input: any format ingest reads, gzip included, the
// same limits, a reason for every rejected row.

// ArgTable is what reading such a table gave besides its rows: the report
// (rows read, accepted, rejected per reason) and the rejected rows, the
// first MaxArgRejects of them, for a quarantine file.
type ArgTable struct {
	Path    string
	Report  *ingest.Report
	Rejects []ingest.Reject
}

// MaxArgRejects bounds the rejected rows an ArgTable keeps (all are counted
// in its report).
const MaxArgRejects = 10_000

// MaxArgRejectShare is the share of rejected rows above which Check
// refuses a table: as for ingest, a file mostly rejected is the wrong file
// or the wrong layout, not data to analyse.
const MaxArgRejectShare = 0.05

// Check refuses a table without an accepted row, or whose rejected share
// is above MaxArgRejectShare, naming the file and the commonest reasons.
func (t *ArgTable) Check() error {
	r := t.Report
	accepted := r.RowsRead - r.Rejected
	switch {
	case accepted <= 0:
		return fmt.Errorf("%s: no valid %s rows (%d read, %d rejected%s)", t.Path, r.Kind, r.RowsRead, r.Rejected, t.reasons())
	case r.RejectShare() > MaxArgRejectShare:
		return fmt.Errorf("%s: %d of %d %s rows rejected (%.1f%%, above %.0f%%%s)", t.Path, r.Rejected, r.RowsRead, r.Kind,
			100*r.RejectShare(), 100*MaxArgRejectShare, t.reasons())
	}
	return nil
}

// RejectedByReason lists the rejected rows per reason ("out_of_range 2,
// invalid_enum 1"; "" when none were).
func (t *ArgTable) RejectedByReason() string {
	var parts []string
	for _, reason := range t.Report.Reasons() {
		parts = append(parts, fmt.Sprintf("%s %d", reason, t.Report.ByReason[reason]))
	}
	return strings.Join(parts, ", ")
}

// reasons lists the rejected rows per reason, and the first one's line
// and column.
func (t *ArgTable) reasons() string {
	if t.Report.Rejected == 0 {
		return ""
	}
	s := ": " + t.RejectedByReason()
	if len(t.Rejects) > 0 {
		r := t.Rejects[0]
		s += fmt.Sprintf("; first at line %d", r.Line)
		if r.Column != "" {
			s += fmt.Sprintf(", column %s", r.Column)
		}
		if r.Detail != "" {
			s += ": " + r.Detail
		}
	}
	return s
}

// ReadClaims reads a claims table (ingest.ReadClaims).
func ReadClaims(ctx context.Context, path string, cfg ingest.Config) ([]ingest.Claim, *ArgTable, error) {
	return readArgTable(ctx, path, ingest.KindClaims, cfg, ingest.ReadClaims)
}

// ReadCandidates reads a table of proposed sites (ingest.ReadCandidates).
func ReadCandidates(ctx context.Context, path string, cfg ingest.Config) ([]ingest.Candidate, *ArgTable, error) {
	return readArgTable(ctx, path, ingest.KindCandidates, cfg, ingest.ReadCandidates)
}

func readArgTable[T any](ctx context.Context, path string, kind ingest.Kind, cfg ingest.Config,
	read func(context.Context, ingest.Records, *ingest.Mapping, ingest.Config, func([]T) error, func(ingest.Reject) error) (*ingest.Report, error),
) ([]T, *ArgTable, error) {
	src, err := OpenSource(path, kind, nil, cfg.Limits)
	if err != nil {
		return nil, nil, err
	}
	defer src.Close()
	if cfg.Source == "" {
		cfg.Source = path
	}
	// The commands read these tables without a mapping (a header without
	// a required column is told to rename, ingest.Config.NoMapping).
	cfg.NoMapping = true
	t := &ArgTable{Path: path}
	var rows []T
	t.Report, err = read(ctx, src.Records, nil, cfg,
		func(b []T) error { rows = append(rows, b...); return nil },
		func(r ingest.Reject) error {
			if len(t.Rejects) < MaxArgRejects {
				t.Rejects = append(t.Rejects, r)
			}
			return nil
		})
	if err != nil {
		if !strings.Contains(err.Error(), path) {
			err = fmt.Errorf("%s: %w", path, err)
		}
		return nil, nil, err
	}
	return rows, t, nil
}
