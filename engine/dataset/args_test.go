package dataset

import (
	"bytes"
	"compress/gzip"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/ingest"
)

func TestReadArgTables(t *testing.T) {
	dir := t.TempDir()
	cfg := ingest.Defaults("", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	cell, err := hexgrid.Index(103.3, 22.4, 8)
	if err != nil {
		t.Fatal(err)
	}
	// Claims, gzip-compressed, with a mapped carrier name in another case
	// and a row of an unknown technology.
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte("Cell,Carrier,Tech\n" + cell.String() + ",Viettel,4G\n" + cell.String() + ",viettel,6G\n"))
	w.Close()
	path := filepath.Join(dir, "claims.csv.gz")
	os.WriteFile(path, gz.Bytes(), 0o644)
	claims, tab, err := ReadClaims(context.Background(), path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(claims) != 1 || claims[0] != (ingest.Claim{Cell: cell, Carrier: engine.Carrier("viettel"), Tech: engine.Tech4G}) {
		t.Fatalf("claims %+v", claims)
	}
	if len(tab.Rejects) != 1 || tab.Rejects[0].Line != 3 || tab.Rejects[0].Column != "tech" || tab.Rejects[0].Reason != ingest.ReasonInvalidEnum {
		t.Fatalf("rejects %+v", tab.Rejects)
	}
	// One row in two rejected: refused, naming the file, the reason, line and column.
	if err := tab.Check(); err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "invalid_enum 1; first at line 3, column tech") {
		t.Fatalf("check: %v", err)
	}

	// Candidates: empty numbers are NaN, present ones parsed; a missing
	// required column is an error naming it.
	path = filepath.Join(dir, "cands.csv")
	os.WriteFile(path, []byte("candidate_id,lon,lat,band_mhz,cost_vnd\nP1,103.3,22.4,900,\nP2,103.4,22.5,,2e9\n"), 0o644)
	cands, tab, err := ReadCandidates(context.Background(), path, cfg)
	if err != nil || tab.Check() != nil || len(cands) != 2 {
		t.Fatalf("%+v %v", cands, err)
	}
	if cands[0].BandMHz != 900 || !math.IsNaN(cands[0].CostVND) || !math.IsNaN(cands[1].BandMHz) || cands[1].CostVND != 2e9 || cands[1].ID != "P2" {
		t.Fatalf("candidates %+v", cands)
	}
	// A cost of 0 is refused, not read as "not given" (the plan would
	// take its cost model).
	os.WriteFile(path, []byte("candidate_id,lon,lat,cost_vnd\nP1,103.3,22.4,0\nP2,103.4,22.5,\n"), 0o644)
	cands, tab, err = ReadCandidates(context.Background(), path, cfg)
	if err != nil || len(cands) != 1 || cands[0].ID != "P2" || len(tab.Rejects) != 1 || tab.Rejects[0].Line != 2 ||
		tab.Rejects[0].Column != "cost_vnd" || tab.Rejects[0].Reason != ingest.ReasonOutOfRange {
		t.Fatalf("a zero cost: %+v %+v %v", cands, tab.Rejects, err)
	}
	os.WriteFile(path, []byte("candidate_id,lon\nP1,103.3\n"), 0o644)
	if _, _, err := ReadCandidates(context.Background(), path, cfg); err == nil || !strings.Contains(err.Error(), "lat") {
		t.Fatalf("missing lat: %v", err)
	}
}
