package pipeline

import (
	"bufio"
	"context"
	"io"
	"reflect"
	"strings"
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

// A search at more points extends the saved one at some of them (a late
// dump's newly measured hexes): only the new points are searched, and the
// result's rows are those of a search at every point at once, the points
// in the order asked (the new interleaved with the old). A search at
// fewer points (a dump taken out) is searched whole, as are points in
// another class.
func TestBestServerExtendedByNewPoints(t *testing.T) {
	ctx := context.Background()
	s := diskStoreOf(t, worldVillages, twoCarrierTests())
	sites, err := s.Sites(nil)
	if err != nil || len(sites) == 0 {
		t.Fatalf("sites: %d, %v", len(sites), err)
	}
	var all predict.Points
	const side = 60
	for i := range side * side {
		all.Lon = append(all.Lon, sites[0].Lon+0.003*float64(i%side-side/2))
		all.Lat = append(all.Lat, sites[0].Lat+0.003*float64(i/side-side/2))
		all.Env = append(all.Env, predict.Env(i%3))
		all.EnvFrac = append(all.EnvFrac, float64(i%5)/5)
	}
	// The first search: two points in three, the others come later.
	pick := func(keep func(i int) bool) predict.Points {
		var p predict.Points
		for i := range all.Lon {
			if keep(i) {
				p.Lon, p.Lat, p.Env, p.EnvFrac = append(p.Lon, all.Lon[i]), append(p.Lat, all.Lat[i]), append(p.Env, all.Env[i]), append(p.EnvFrac, all.EnvFrac[i])
			}
		}
		return p
	}
	first := pick(func(i int) bool { return i%3 != 1 })
	cfg := predict.DefaultConfig()
	var done []StageSummary
	bs := newPeriodRun(s, "2026-10", MeasureOptions{}, nil, &RunSummary{}).savedBestServer([]string{"sites part"}, nil, &done)
	if _, err := bs(ctx, sites, first, cfg); err != nil {
		t.Fatal(err)
	}
	got, err := bs(ctx, sites, all, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != 2 || done[1].Reused || !strings.Contains(done[1].Why, "extended by 1,200 new points") && !strings.Contains(done[1].Why, "extended by 1200 new points") {
		t.Fatalf("stages %+v, want the second extended by the 1,200 new points", done)
	}
	want, err := predict.BestServer(sites, all, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if want.Len() == 0 {
		t.Fatal("no rows: the test's points lie out of every site's reach")
	}
	sub, _ := predict.BestServer(sites, pick(func(i int) bool { return i%3 == 1 }), cfg)
	firstRes, _ := predict.BestServer(sites, first, cfg)
	if got.Evaluations != firstRes.Evaluations+sub.Evaluations {
		t.Errorf("evaluations %d, want the two searches' %d + %d", got.Evaluations, firstRes.Evaluations, sub.Evaluations)
	}
	got.Evaluations, want.Evaluations = 0, 0
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("the extended search (%d rows) differs from a search at every point (%d rows)", got.Len(), want.Len())
	}
	// Read back as it was saved, under its own key.
	again, err := bs(ctx, sites, all, cfg)
	if err != nil || !done[2].Reused {
		t.Fatalf("read back: %v, %+v", err, done)
	}
	again.Evaluations = 0
	if !reflect.DeepEqual(again, got) {
		t.Fatal("read back differs from the extended search")
	}
	// Fewer points than the saved searches: searched whole.
	fewer := pick(func(i int) bool { return i%3 == 2 })
	if _, err := bs(ctx, sites, fewer, cfg); err != nil {
		t.Fatal(err)
	}
	if d := done[len(done)-1]; d.Reused || strings.Contains(d.Why, "extended") {
		t.Fatalf("a search at points the saved ones hold more than: %+v", d)
	}
}
