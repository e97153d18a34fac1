package pipeline

import (
	"bufio"
	"context"
	"io"
	"reflect"
	"testing"

	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/predict"
)

// The best-server search is saved as chunks, never as one gob message
// holding every row (gob builds a message whole in memory: for a national
// month, hundreds of MB beside the result itself), and reads back equal.
func TestBestServerSavedInChunks(t *testing.T) {
	ctx := context.Background()
	s := diskStoreOf(t, worldVillages, twoCarrierTests())
	sites, err := s.Sites(nil)
	if err != nil || len(sites) == 0 {
		t.Fatalf("sites: %d, %v", len(sites), err)
	}
	// A grid of points about the first site: several chunks of rows.
	var pts predict.Points
	const side = 160
	for i := range side * side {
		pts.Lon = append(pts.Lon, sites[0].Lon+0.0004*float64(i%side-side/2))
		pts.Lat = append(pts.Lat, sites[0].Lat+0.0004*float64(i/side-side/2))
		pts.Env = append(pts.Env, predict.EnvSuburban)
	}
	var done []StageSummary
	bs := newPeriodRun(s, "2026-10", MeasureOptions{}, nil, &RunSummary{}).savedBestServer(nil, nil, &done)
	computed, err := bs(ctx, sites, pts, predict.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if computed.Len() < 3*gobChunk {
		t.Fatalf("%d rows, want several chunks (%d a chunk)", computed.Len(), gobChunk)
	}
	read, err := bs(ctx, sites, pts, predict.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != 2 || done[0].Reused || !done[1].Reused {
		t.Fatalf("stages %+v, want computed then read back", done)
	}
	if !reflect.DeepEqual(computed, read) {
		t.Fatalf("read back differs from the search saved (%d rows, %d read)", computed.Len(), read.Len())
	}

	recs, bad, err := s.SavedStages()
	if err != nil || len(bad) > 0 {
		t.Fatalf("saved stages: %v %v", bad, err)
	}
	var rec *dataset.StageRecord
	for i := range recs {
		if recs[i].Stage == StagePredictions {
			rec = &recs[i]
		}
	}
	if rec == nil {
		t.Fatal("no saved search")
	}
	f, err := s.OpenStageFile(*rec, "output.gob")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	largest, messages := 0, 0
	for {
		n, err := gobMessageLength(br)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := br.Discard(n); err != nil {
			t.Fatal(err)
		}
		messages++
		largest = max(largest, n)
	}
	// A chunk of 8,192 float64s is at most 9 bytes each.
	if limit := 9*gobChunk + 64; largest > limit {
		t.Errorf("a saved message of %d bytes (%d rows saved in %d messages): want chunks of at most %d bytes", largest, computed.Len(), messages, limit)
	}
}

// gobMessageLength reads a gob message's length prefix (an unsigned
// integer in gob's encoding).
func gobMessageLength(r *bufio.Reader) (int, error) {
	b, err := r.ReadByte()
	if err != nil {
		return 0, err
	}
	if b < 0x80 {
		return int(b), nil
	}
	n := 0
	for range -int(int8(b)) {
		c, err := r.ReadByte()
		if err != nil {
			return 0, io.ErrUnexpectedEOF
		}
		n = n<<8 | int(c)
	}
	return n, nil
}
