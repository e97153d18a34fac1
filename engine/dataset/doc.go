// Package dataset is lomsong's on-disk store of ingested, validated rows:
// a directory of Parquet partitions and a manifest that lists every source
// file ever ingested.
//
// Layout under the dataset directory:
//
//	manifest.json                                   every source: SHA-256, counts, parts
//	measurements/period=YYYY-MM/carrier=ID/part-H.parquet
//	sites/carrier=ID/part-H.parquet
//	quarantine/H.csv                                rejected rows of source H
//	rejected/H/{report.json,quarantine.csv}         sources refused for too many rejects
//
// where H is the first 16 hex digits of the source's SHA-256 and the period
// is the calendar month of the test in Vietnam's time (UTC+7, no daylight
// saving), the month the ministry reports on.
//
// The manifest is the truth: readers see only the parts it lists. An ingest
// writes every part to a private temporary directory, fsyncs it, renames the
// parts into place, and writes the manifest last (temp file, fsync,
// rename, fsync of the directory). An ingest that fails at any step removes
// what it placed, and a crash that leaves unlisted files behind is cleaned
// up by the next ingest, so the dataset a reader sees is exactly as before.
// A source whose SHA-256 is already listed is reported as already ingested
// and changes nothing. One ingest at a time holds an exclusive lock file.
//
// ScanMeasurements reads the measurement parts in path order on the calling
// goroutine. ScanMeasurementsParallel hands their row groups (at most
// 128 Ki rows each) to several workers, each with its own file handle and
// reader, so that reading uses several cores.
//
// This package touches the file system by design: it is the adapter between
// the pure engine and the directory a user names, in the way package
// os is for files. It reads no clock: callers pass the ingest time.
package dataset
