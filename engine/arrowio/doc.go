// Package arrowio reads and writes lomsong's columnar files: Parquet and
// Arrow IPC. It is the only package of the module that imports the Apache
// Arrow Go library (github.com/apache/arrow/go/v17); a move to another
// release of that library is an import rewrite inside this package, and no
// arrow type appears in its API.
//
// # Measurement store files
//
// NewMeasurementWriter and NewMeasurementReader move engine.MeasurementBatch
// to and from Parquet with the input contract's column names:
//
//	ts            INT64 timestamp(ms, UTC), required
//	carrier       string, required, dictionary encoded
//	tech          string "2G" | "3G" | "4G" | "5G"; null = engine.TechUnknown
//	lon, lat      DOUBLE, WGS84 degrees
//	signal_dbm    DOUBLE (RSRP 4G/5G, RSCP 3G, RSSI 2G)
//	service       string "ok" | "none" | "emergency", required
//	rsrq_db, sinr_db, dl_mbps, ul_mbps, latency_ms   DOUBLE
//	source        string drive|crowd|mdt|speedtest; null = unknown
//	device_id     string; null = ""
//	device_class  string smartphone|feature|tablet|router|scanner; null = unknown
//	environment   string outdoor|vehicle|indoor; null = unknown
//	speed_test    string "no" (dl/ul_mbps are an idle connection's bitrate,
//	              engine.SpeedIdle); null = a speed test. Files written
//	              before the column existed read as all null.
//	cell_id, node_id, band   string; null = "" (the serving cell)
//	pci, arfcn    DOUBLE whole numbers; null = -1 in the batch
//
// Every DOUBLE column is optional: NaN is written as null and null reads as
// NaN (a NaN payload is not kept). Enumerations are stored as the contract's
// strings, not integers, so that any Parquet tool reads the file as the
// contract describes it; they are dictionary encoded, written as indices
// into a dictionary seeded with every spelling and read back through a
// small per-column cache, so they cost little more than integer columns.
//
// Files are compressed with zstd (default), snappy or lz4_raw (Parquet's
// LZ4_RAW, which arrow/go v17 does not implement: codecs.go registers it,
// and wraps the library's Snappy decoder so that a damaged block length is
// an error instead of an allocation of up to 4 GiB), in row groups of at
// most WithRowGroupRows rows (default 1 Mi). Uncompressed output is not
// offered: the library decodes uncompressed pages into one reused buffer,
// so string values read from such files could be overwritten mid-batch.
//
// The reader decodes pages itself (pqpage.go) straight into the reused
// batch, not through arrow records: PLAIN values, dictionary indices and
// RLE definition levels, the encodings this package writes, with each
// dictionary converted once per column chunk. Column chunks in other
// encodings go through the library's typed column readers. WithColumns
// restricts it to the columns a stage needs (lon and lat are always read);
// unread columns hold absent values. Batches never span row groups.
// NumRowGroups and SetRowGroups let several readers of one file, each on
// its own goroutine, share its row groups; Reset moves a reader to another
// file, keeping its buffers.
//
// # Sites
//
// WriteSites and ReadSites store []engine.Site with the columns site_id,
// carrier, tech, lon, lat, band_mhz, height_m, azimuth_deg, beamwidth_deg,
// tilt_deg, eirp_dbm, status, backhaul, with the same NaN ⇄ null rule; a
// null azimuth is an omnidirectional antenna.
//
// # Input tables of any layout
//
// OpenTable (Parquet) and OpenIPC (Arrow IPC file or stream, read front to
// back) yield the rows of a carrier's table as strings for the ingest layer
// to validate, with 1-based row numbers for quarantine reports; Sniff tells
// the format from the first bytes. Corrupt input returns errors wrapping
// engine.ErrUnsupportedFormat; panics inside the library on corrupt bytes
// are recovered into errors (see guard).
//
// Every Parquet reader refuses a footer whose row count is not the sum of
// its row groups' counts, and a Parquet TableReader that runs out of rows
// before the count its footer declares ends with an error, not as if the
// table were complete. ParquetFooter reads a file's declared row count and
// key-value metadata without reading its pages.
//
// # Result tables
//
// WriteTable and TableWriter write result tables (aggregates, coverage,
// quarantine) from typed columns, with key-value metadata recording the
// thresholds, model and resolution that produced them.
//
// # Write errors
//
// Every writer returns the error of a destination that fails (a full
// disk), wrapped, and writes nothing after it. arrow/go v17 panics when it
// cannot write a new file's magic number and drops the error of writing
// the footer; the writers turn such a panic into the destination's error
// and check the destination after the footer (pq.go's sink). A panic of
// the library when no write failed is a programming error and is not
// recovered.
//
// # Memory
//
// A measurement reader streams each column through a 64 KiB buffer and
// one decompressed page (at most 1 MiB as this package writes them), both
// reused, and holds one batch (WithBatchRows, default 8192 rows); other
// readers stream column chunks through a 1 MiB buffer per column. Their
// memory does not grow with the file. The strings of a measurement batch
// are never overwritten: device IDs of a batch share one allocation. Writers hold one compressed row group. ReadSites returns
// the whole register, which is small (about 10⁵ rows nationally).
//
// Readers and writers are not safe for concurrent use; distinct ones may be
// used from distinct goroutines.
package arrowio
