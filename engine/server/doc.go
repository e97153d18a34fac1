// Package server is lomsong's HTTP service (lomsong serve): carriers
// submit their measurement dumps and site registers, every submission is
// validated by a persistent job queue exactly as lomsong ingest validates a
// file, the carrier certifies what was accepted, and the ministry publishes
// a month as an immutable, numbered release that provinces read.
//
// net/http is imported here only. The service's state — users, token
// hashes, submissions (which are also the job queue), releases and the
// append-only audit log — is a SQLite database opened through
// engine/sqlitedb (modernc.org/sqlite: no C compiler at build time; see
// that package for the choice); the data stay Parquet in the dataset.
//
// State layout, under the dataset directory DIR:
//
//	DIR/                      the dataset releases are computed from: only
//	                          certified submissions are merged into it (and
//	                          whatever an operator ingests with lomsong ingest)
//	DIR/serve/state.db        users, submissions/jobs, releases, audit (WAL)
//	DIR/serve/spool/ID/NAME   a submission's bytes as uploaded (kept for audit
//	                          and re-validation); .upload-* are uploads in
//	                          progress, removed at startup
//	DIR/serve/submissions/ID/ a staging dataset per submission: its validation
//	                          (accepted parts, quarantine, or a refusal report)
//	DIR/serve/releases/NNNN-YYYY-MM/  frozen releases (read-only files)
//
// Only certified submissions reach a release: validation ingests a
// submission into its own staging dataset, never into DIR; certifying it
// ingests the same bytes with the same options (the same mapping, allowed
// carriers and ingest time, and the limits its validation recorded, not
// those the service runs with by then) into DIR, through engine/dataset's
// transactional ingest, so the rows that reach DIR are exactly the rows the
// validation report counted, and DIR is either unchanged or fully updated.
package server
