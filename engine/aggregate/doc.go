// Package aggregate turns measurement rows into mergeable statistics per
// (cell, carrier, tech): the measured evidence that coverage decisions and
// dead-zone maps are built on.
//
// # Flow
//
// The caller indexes each batch's lon/lat into H3 cells one resolution
// finer than the analysis resolution (hexgrid.IndexInto at
// Config.Resolution+1) and passes batch and cells to Aggregator.Add. The
// analysis cell is the fine cell's parent (hexgrid.FastParent); the fine
// cell's H3 digit records which of the seven children had rows. Add
// reduces each row to a 32-byte record and stages it; the records are
// applied to the key statistics in hash-table order when the stage holds
// about two records per key, or when a result is asked for (Len, Rows,
// All, Merge, SizeBytes). A Group takes rows from several goroutines at
// once into partitions of the keys, each applied on goroutines of its
// own; Parallel runs indexing and aggregation through one.
//
// # Units
//
// Signal in dBm (RSRP for 4G/5G, RSCP for 3G, RSSI for 2G), speeds in
// Mbit/s, times in Unix milliseconds (UTC), cells as H3 indexes.
//
// # What is counted
//
// Every row with a cell, a technology 2G..5G and a carrier is counted in
// its key; the other rows are counted in Skipped, never dropped silently.
// A row is a valid signal test when its service is ok and its signal lies
// in engine.SignalRange of its technology, or below it down to
// engine.MinSignalDBm (a censored reading, engine.Censored: counted at
// the technology's reporting floor, so below the no-service level), or
// when its service is none or emergency: a phone that found no service
// from its carrier is a negative test, counted below the covered
// threshold and below the no-service level, and its signal (if any) is
// not used. Rows of scanners (engine.DeviceScanner, measuring
// instruments) count as tests but not as devices. Threshold comparisons use the
// reported value: a 4G test at exactly −105 dBm is covered, at −120 dBm it
// is not below the no-service level. Counts are kept for outdoor+vehicle
// tests (they decide coverage), indoor tests, and all tests.
//
// # Error bounds
//
//   - Counts, first/last time, 4-hour windows and the child mask are exact.
//   - Signal min, max and mean are of the values rounded to 0.001 dB
//     (error ≤ 0.0005 dB).
//   - Signal quantiles come from an exact histogram of the signal rounded
//     to the nearest integer dBm (math.Round) over −156…−20 dBm. Rounding
//     preserves order, so a nearest-rank quantile of the histogram is
//     within 0.5 dB of the same quantile of the raw values. Each dBm bin of
//     a key counts up to 2³²−1 tests.
//   - Download/upload quantiles come from a log-bucket sketch (buckets
//     (γ^(i−1), γ^i], γ = 1.04/0.96): a bucket's representative is within
//     4% (relative) of the exact nearest-rank quantile, and reported to
//     three significant digits: within 4.6% (RateQuantileRelErr), for
//     speeds 0.001…100000 Mbit/s. Speeds below
//     0.001 Mbit/s count as 0; negative, NaN and larger values are not
//     sketched (the row still counts).
//   - Distinct devices are exact up to 64 (up to collisions of 32-bit
//     hashes: probability below n²/2³³, 5·10⁻⁷ at 64), then a HyperLogLog
//     of the same hashes with 256 registers: relative standard error
//     1.04/√256 ≈ 6.5% (linear counting, more accurate, below 640).
//     Ids are hashed eight bytes at a time with a fixed murmur3 finaliser
//     (hashDevice): the same ids give the same counts in every process.
//   - 4-hour windows are aligned by Config.WindowOffsetMs (by default to
//     midnight in Indochina Time, UTC+7).
//
// # Invariants
//
// Every statistic is a commutative monoid: Merge is associative and
// commutative and Rows of any merge order of the same partitions equal the
// Rows of one Aggregator fed every row. Rows are sorted by cell, carrier
// and tech. An Aggregator holds up to 4096 distinct carriers.
//
// # Memory
//
// Memory grows with the number of keys and the spread of their values,
// not with rows. A key costs 128 bytes of fixed statistics, 21–43 bytes of
// hash table (16-byte entries, load 3/8…3/4), and blocks in an arena: its
// signal and speed codes (2 bytes a value up to 128 values, then
// histograms of 2 bytes per code spanned per stream, 4 once a count passes
// 65535) and its device hashes (4 bytes each up to 64, then 256 bytes of
// registers). A key with a dozen rows costs about 250 bytes; one with
// hundreds about 0.6–1 KiB. Time windows of a month fit in the fixed part;
// keys whose rows span more than 32 days keep a sparse set beside it.
// SizeBytes reports the total. Rows waiting to be applied take 32 bytes
// each: about two per key (at least 2²⁰, at most 2²³) in an Aggregator,
// and twice that in each partition of a Group, which collects the next
// blocks while it applies the last ones; each producer also fills one
// 2 MiB block per partition.
//
// None of this state holds pointers, and its large pages (statistics,
// arena, hash table) are mapped outside the Go heap on Unix systems and
// unmapped when the Aggregator becomes unreachable: the garbage collector
// never scans them, and they do not raise the heap goal, so the garbage
// of the batches is collected while it is small instead of growing to the
// size of the key state.
//
// # Concurrency
//
// An Aggregator is not safe for concurrent use. Run one per goroutine and
// Merge them, or partition the keys with a Group (or Parallel, built on
// one): each Producer reduces its rows to records on its own goroutine and
// hands them to the partition of their analysis cell; partitions own
// disjoint keys (never a key twice, no merge), and the Aggregator that
// Group.Close returns holds the partitions; Rows, Len, Skipped, Add and
// Merge treat it as one. Add allocates only for new keys, growing sketches
// and a growing stage, never per row.
package aggregate
