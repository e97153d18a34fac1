// Package ingest reads the input contract's tables (sites, measurements)
// from carriers' files, maps their own layouts onto the contract, and
// validates every row: accepted rows leave as columnar batches, rejected
// rows as quarantine rows naming the line, column, offending value and
// reason. Nothing is dropped silently: for every input,
// RowsRead == Accepted + Rejected.
//
// Sources are Records: CSV (header row, UTF-8 with or without BOM, UTF-16
// with its BOM, or a legacy Vietnamese encoding a mapping declares:
// Windows-1258, TCVN3 or VNI-Windows, vnlegacy.go; comma or semicolon,
// quoted fields, any of them gzip-compressed), OpenCelliD
// exports (headerless, 14 columns, adapted onto the sites contract), and
// Parquet or Arrow IPC through package arrowio.
//
// Memory is bounded by the batch size and Limits whatever the bytes: a CSV
// record longer than Limits.MaxLineBytes is skipped (never held) and
// quarantined as line_too_long; a quoted field that is not closed (or
// closes into a malformed record) quarantines the line it opened on as
// malformed_row and the lines after it are read again, one stray quote
// costing one row; gzip input is read under caps on its
// decompressed size and ratio (MaybeGunzipWith); the first line must be
// text. Numbers are plain decimals (no hex floats, digit separators,
// Inf or NaN) and text fields valid UTF-8 (else invalid_utf8). The
// exception is the duplicate detector,
// which keeps one 64-bit hash per distinct row, of a measurement's values
// however written, of another table's text (16–48 bytes per row with
// its table's load factor and growth; about 51 bytes of peak RSS per row
// measured at 20 million rows) up to Config.DedupMaxRows and then stops,
// saying so in the report.
//
// A mapping (Mapping, or a built-in Preset of a tool's export) renames
// columns, converts units, maps enum spellings case- and
// accent-insensitively, reads decimal commas and sets the zone of
// timestamps without an offset (default Vietnam time, UTC+7; the report
// counts them). Suggest proposes a mapping from a header and sample rows.
// Speed values recorded with no transfer running are kept but marked
// engine.SpeedIdle, out of speed statistics.
//
// Coordinates are WGS84 lon, lat degrees. The package reads no clock:
// Config.Now is the ingest time against which future timestamps are
// judged. Functions are not safe for concurrent use on the same Records.
package ingest
