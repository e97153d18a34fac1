package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/ingest"
)

// limitCase is a submission over one of the limits a submission is read
// under: refused by a service with tight, accepted by one with the
// default limits.
type limitCase struct {
	name, file, kind string
	data             []byte
	tight            func(*Options)
	// advice is what the refusal under tight says, code its error_code.
	advice, code string
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var z bytes.Buffer
	zw, err := gzip.NewWriterLevel(&z, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return z.Bytes()
}

// limitCases: one submission over each limit of Options a submission is
// read under, all of them accepted under the defaults.
func limitCases(t *testing.T) []limitCase {
	f := world(t)
	csv := f.measurements["viettel"]
	rows := bytes.Count(csv, []byte("\n")) - 1
	// A line of 512 KiB: rejected as one row under the default 1 MiB cap,
	// and without a line end within 64 times a 1 KiB cap, which stops
	// the file.
	long := append(append(bytes.Clone(csv), bytes.Repeat([]byte("x"), 512<<10)...), '\n')
	// 16 MiB of blank lines after the rows: about 80 times the
	// compressed size once the first 8 MiB are read.
	blank := append(bytes.Clone(csv), bytes.Repeat([]byte("\n"), 16<<20)...)
	// 3% of the rows rejected.
	junk := bytes.Clone(csv)
	for i := range rows * 3 / 100 {
		junk = fmt.Appendf(junk, "junk %d\n", i)
	}
	return []limitCase{
		{"max-line-bytes", "long.csv", "measurements", long, func(o *Options) { o.Limits.MaxLineBytes = 1 << 10 },
			"raise --max-line-bytes", "unreadable"},
		{"max-decompressed-bytes", "m.csv.gz", "measurements", gzipped(t, csv), func(o *Options) { o.Limits.MaxDecompressedBytes = 1 << 10 },
			"raise --max-decompressed-bytes", "unreadable"},
		{"max-spill-bytes", "sites.parquet.gz", "sites", gzipped(t, f.sitesParquet), func(o *Options) { o.Limits.MaxSpillBytes = 1 << 10 },
			"raise --max-spill-bytes", "unreadable"},
		{"max-gzip-ratio", "blank.csv.gz", "measurements", gzipped(t, blank), func(o *Options) { o.Limits.MaxGzipRatio = 20 },
			"raise --max-gzip-ratio", "unreadable"},
		{"max-reject-share", "junk.csv", "measurements", junk, func(o *Options) { o.MaxRejectShare = 0.01 },
			"above the limit of 1.00%", "too_many_rejects"},
		// serve --max-reject-share 0, as lomsong ingest's: one rejected
		// row refuses the submission (zero in Options is the default).
		{"max-reject-share 0", "one.csv", "measurements", append(bytes.Clone(csv), "junk\n"...), func(o *Options) { o.MaxRejectShare = dataset.NoRejects },
			"rejected", "too_many_rejects"},
	}
}

// TestReadLimits: a submission over a limit of lomsong ingest's is
// refused with the advice to raise it (serve has the flag: --max-line-bytes,
// --max-decompressed-bytes, --max-spill-bytes, --max-gzip-ratio), and
// accepted by a service started with the limit raised. Options out of
// range are refused as lomsong ingest refuses its flags.
func TestReadLimits(t *testing.T) {
	for _, c := range limitCases(t) {
		t.Run(c.name, func(t *testing.T) {
			tight := newService(t, c.tight)
			s := tight.wait(t, "cuc", tight.submit(t, "cuc", c.kind, c.file, c.data))
			if s.Status != "refused" || s.ErrorCode != c.code || !strings.Contains(s.Error, c.advice) {
				t.Errorf("under the tight %s: %s %s %q, want refused %s saying %q", c.name, s.Status, s.ErrorCode, s.Error, c.code, c.advice)
			}
			raised := newService(t, nil)
			if s := raised.wait(t, "cuc", raised.submit(t, "cuc", c.kind, c.file, c.data)); s.Status != "accepted" {
				t.Errorf("with %s raised: %+v", c.name, s)
			}
		})
	}
	for _, c := range []struct {
		opt  Options
		want string
	}{
		{Options{Limits: ingest.Limits{MaxLineBytes: -1}}, "MaxLineBytes -1: want 1 byte to 1GiB"},
		{Options{Limits: ingest.Limits{MaxLineBytes: 1<<30 + 1}}, "MaxLineBytes 1073741825: want 1 byte to 1GiB"},
		{Options{Limits: ingest.Limits{MaxDecompressedBytes: -1}}, "MaxDecompressedBytes -1: want a positive size"},
		{Options{Limits: ingest.Limits{MaxSpillBytes: -5}}, "MaxSpillBytes -5: want a positive size"},
		{Options{MaxRejectShare: -0.1}, "MaxRejectShare -0.1"},
		{Options{MaxRejectShare: 1.5}, "MaxRejectShare 1.5"},
	} {
		c.opt.Dataset, c.opt.Logger = t.TempDir(), quietLogger()
		if s, err := New(context.Background(), c.opt); err == nil || !strings.Contains(err.Error(), c.want) {
			if err == nil {
				s.Close()
			}
			t.Errorf("%+v: %v, want %q", c.opt, err, c.want)
		}
	}
}

// TestLimitsRecordedAtValidation: a submission is certified under the
// limits it was validated under, whatever the service runs with when it
// is certified: accepted under the defaults, then certified by a service
// restarted with each limit lowered under it, with the rows its
// validation counted. A submission of a state database written before
// the limits were recorded is taken to have been validated under the
// defaults; one that these refuse is refused at certification with a 409
// naming the limits, not a 500.
func TestLimitsRecordedAtValidation(t *testing.T) {
	certify := func(t *testing.T, ts *testService, id int64) (int, Submission, string) {
		t.Helper()
		code, b := ts.call(t, "cuc", "POST", fmt.Sprintf("/api/v1/submissions/%d/certify", id), "/api/v1/submissions/{id}/certify", nil, "")
		var s Submission
		json.Unmarshal(b, &s)
		return code, s, string(b)
	}
	inDataset := func(t *testing.T, ts *testService, sub Submission) {
		t.Helper()
		store, err := dataset.Open(ts.dir)
		if err != nil {
			t.Fatal(err)
		}
		if src, ok := store.Lookup(sub.SHA256); !ok || src.Accepted != sub.Accepted || src.Rejected != sub.Rejected {
			t.Errorf("in the release dataset: %+v %v, validated %d accepted, %d rejected", src, ok, sub.Accepted, sub.Rejected)
		}
	}
	dropColumn := func(t *testing.T, ts *testService) {
		t.Helper()
		ts.ts.Close()
		ts.s.Close()
		st, err := openState(context.Background(), ts.dir)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := st.Exec(`ALTER TABLE submissions DROP COLUMN read_limits`); err != nil {
			t.Fatal(err)
		}
	}
	cases := limitCases(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts := newService(t, nil)
			id := ts.submit(t, "cuc", c.kind, c.file, c.data)
			sub := ts.wait(t, "cuc", id)
			if sub.Status != "accepted" {
				t.Fatalf("under the defaults: %+v", sub)
			}
			ts = ts.reopenWith(t, c.tight)
			code, got, b := certify(t, ts, id)
			if code != http.StatusOK || got.Status != "certified" {
				t.Fatalf("certified after a restart with %s lowered: %d %s", c.name, code, b)
			}
			inDataset(t, ts, sub)
		})
	}
	t.Run("before the limits were recorded", func(t *testing.T) {
		c := cases[0]
		ts := newService(t, nil)
		id := ts.submit(t, "cuc", c.kind, c.file, c.data)
		sub := ts.wait(t, "cuc", id)
		dropColumn(t, ts)
		ts = ts.reopenWith(t, c.tight)
		if code, _, b := certify(t, ts, id); code != http.StatusOK {
			t.Fatalf("a submission validated before the limits were recorded, certified under the defaults: %d %s", code, b)
		}
		inDataset(t, ts, sub)

		// Validated under a share above the default: the defaults refuse it.
		ts = newService(t, func(o *Options) { o.MaxRejectShare = 0.5 })
		bad := bytes.Clone(world(t).measurements["viettel"])
		for i := range bytes.Count(bad, []byte("\n")) / 10 {
			bad = fmt.Appendf(bad, "junk %d\n", i)
		}
		id = ts.submit(t, "cuc", "measurements", "junk.csv", bad)
		if sub := ts.wait(t, "cuc", id); sub.Status != "accepted" || sub.Rejected == 0 {
			t.Fatalf("under --max-reject-share 0.5: %+v", sub)
		}
		dropColumn(t, ts)
		ts = ts.reopenWith(t, func(o *Options) { o.MaxRejectShare = 0.5 })
		code, _, b := certify(t, ts, id)
		if code != http.StatusConflict || !strings.Contains(b, "--max-reject-share 0.05") || !strings.Contains(b, "above the limit of 5.00%") ||
			strings.Contains(b, ts.dir) {
			t.Fatalf("certification under the defaults that refuse it: %d %s", code, b)
		}
		if s := ts.wait(t, "cuc", id); s.Status != "refused" || s.ErrorCode != "certification_refused" || !strings.HasPrefix(s.Error, "certification refused: ") {
			t.Errorf("after the refused certification: %+v", s)
		}
	})
}
