// Package dataset is lomsong's on-disk store of ingested, validated rows:
// a directory of Parquet partitions and a manifest that lists every source
// file ever ingested.
//
// Layout under the dataset directory:
//
//	manifest.json                                   every source: checksums, counts, parts
//	manifest.prev.json                              the manifest the last commit replaced
//	measurements/period=YYYY-MM/carrier=C/part-H[-N].parquet
//	sites/carrier=C/part-H.parquet
//	villages/part-H.parquet, subscriptions/part-H.parquet
//	quarantine/H.csv                                rejected rows of source H
//	rejected/H/{report.json,quarantine.csv}         sources refused for too many rejects
//	orphans/NNNN/{NOTE.txt,...}                     unlisted files moved aside, never deleted
//	.commit.json                                    the commit under way (or stopped): its source and files
//
// where H is the first 16 hex digits of the source's SHA-256 and the period
// is the calendar month of the test in Vietnam's time (UTC+7, no daylight
// saving), the month the ministry reports on. C is the carrier when it is
// at most 64 bytes of a-z, 0-9, '-', '_', '.' (not first); any other value
// keeps at most 40 such bytes and ends in '~' and 8 hex digits of its
// SHA-256, so that names fit every file system and distinct carriers
// (invalid UTF-8 included) never share a directory. An ingest stages rows
// per partition in memory and keeps at most maxOpenParts partition files
// open, finishing the least recently used one when it needs another; a
// partition it reopens gets part-H-N.parquet. A source whose rows fall in
// more than MaxPartitions partitions (a carrier column holding a device id
// per row) is refused before any part is written (TooManyPartitionsError).
//
// The manifest is the truth: readers see only the parts it lists. For each
// source it records the SHA-256 of its bytes and, when compressed, of its
// decoded content (a source whose either checksum is listed is already
// ingested); for each part its rows, bytes, SHA-256 and CRC-32C. An
// ingest writes every part to a private temporary directory, fsyncs it,
// writes the commit journal (.commit.json: the source's record and every
// file it places, with sizes and SHA-256), renames the parts into place,
// keeps the current manifest as manifest.prev.json (a hard link), writes
// the new manifest (temp file, fsync, rename, fsync of the directory) and
// removes the journal last. An ingest that fails at any step removes what
// it placed, so the dataset a reader sees is exactly as before. An ingest
// stopped during its commit (killed, a power cut) leaves the journal: the
// next Open that can take the lock, ingest or Repair completes that
// commit from it (places the files still in the temporary directory and
// records the source whole) or, when some of its files are gone, rolls it
// back whole (the files it had placed go to orphans/ with a note; the
// source is not recorded, so the next ingest of the file stores all of
// it). A commit is thus never taken for a smaller source from the parts it
// happened to place. A source without data rows is refused (NoDataError)
// and recorded nowhere.
//
// No data file is ever deleted because the manifest does not list it. Open
// refuses a directory that holds data files but no manifest (ErrNoManifest)
// or a manifest that fails its checks (ErrBadManifest): such a directory is
// not empty, and an ingest into it would hide every part. Files the
// manifest does not list (what a crashed ingest placed, or parts a
// restored older manifest does not know) are moved by the next ingest to
// orphans/NNNN/ with a NOTE.txt saying why and when. One ingest (or
// repair) at a time holds an exclusive lock file.
//
// Every part carries, in its Parquet key-value metadata, its kind, carrier,
// period and its source's checksums, name, format and ingest time. Repair
// rebuilds a manifest from them: sources recorded whole in manifest.json or
// manifest.prev.json are kept as recorded, others rebuilt from the parts'
// metadata (or, for parts of earlier versions, from their paths) and marked
// Recovered; files that are not readable parts go to orphans/. Verify
// checks every listed part: size, SHA-256 and CRC-32C, the footer's row
// count and the rows decoded, against the manifest.
//
// Readers check each part before using its rows: its size and CRC-32C
// (or its SHA-256 when only that is recorded; parts of earlier versions
// have neither), the footer's row count and the rows read, against the
// manifest; a mismatch is an error wrapping ErrCorruptPart that names the
// part. The check reads each part once more than decoding does: measured
// on 1 Mi random rows (38 bytes a row) scanned on two workers, the CRC-32C
// check took 9-15% of the scan's CPU time, SHA-256 and CRC-32C together
// 32-43%, which is why readers leave SHA-256 to Verify.
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
