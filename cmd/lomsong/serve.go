package main

import (
	"context"
	"fmt"

	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/server"
)

const serveSynopsis = `serve --dataset DIR [--listen 127.0.0.1:8080] [--tls-cert F --tls-key F] [flags]

Serves the dataset in DIR over HTTP(S): carriers submit files, which a
persistent job queue validates exactly as lomsong ingest does, under its
limits (--max-line-bytes and the others below); a carrier certifies its
accepted submissions, which are then merged into DIR, read under the limits
they were validated under; the ministry publishes a month as an immutable,
numbered release; provinces read their own villages and dead zones. Every request but /healthz and
/api/v1/openapi.json needs Authorization: Bearer TOKEN (lomsong users add).
State: DIR/serve (SQLite state.db, spool, staging datasets, releases).
One serve per dataset: another one on DIR is refused (exit 1), as is a
TLS certificate or key that cannot be loaded, before anything is served.
Logs are JSON lines on standard error. SIGINT or SIGTERM stops accepting
connections, drains the requests in flight and exits 0. See docs/service.md.`

const serveExample = `  TOKEN=$(lomsong users add --dataset lomsong-demo/dataset --role ministry cuc-vt-api | tail -1)
  lomsong serve --dataset lomsong-demo/dataset &
  curl --retry 5 --retry-connrefused -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/api/v1/releases`

func runServe(ctx context.Context, args []string, e *env) error {
	fs := newFlags("serve", serveSynopsis, serveExample, e)
	var opt server.Options
	fs.StringVar(&opt.Dataset, "dataset", "", "dataset `directory` to serve")
	fs.StringVar(&opt.Listen, "listen", "127.0.0.1:8080", "`address` to listen on (host:port; port 0 picks a free one)")
	fs.StringVar(&opt.TLSCert, "tls-cert", "", "TLS certificate `file` (PEM); with --tls-key serves HTTPS")
	fs.StringVar(&opt.TLSKey, "tls-key", "", "TLS private key `file` (PEM)")
	maxUpload := byteSize(4 << 30)
	fs.Var(&maxUpload, "max-upload-bytes", "largest submission `size` (e.g. 4GiB); a larger body is refused with 413")
	fs.Float64Var(&opt.RatePerSecond, "rate", 20, "requests per `second` allowed to each token (token bucket refill)")
	fs.IntVar(&opt.Burst, "burst", 60, "requests a token may make at once (token bucket `size`)")
	fs.Float64Var(&opt.MaxRejectShare, "max-reject-share", 0.05, "refuse a submission when more than this `share` of its rows are rejected (0..1; 0 refuses any rejected row)")
	// The limits of lomsong ingest and validate, their flags, defaults and
	// checks: a refusal's advice ("raise --max-line-bytes") holds for
	// serve too.
	var lim limitFlags
	lim.register(fs)
	pos, err := parseFlags(fs, args, e)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("serve: unexpected argument %q", pos[0])}
	}
	if opt.Dataset == "" {
		fs.Usage()
		return usageError{"serve: --dataset DIR is required"}
	}
	if err := server.CheckListen(opt.Listen); err != nil {
		return usageError{"serve: " + err.Error()}
	}
	if (opt.TLSCert == "") != (opt.TLSKey == "") {
		return usageError{"serve: give both --tls-cert and --tls-key, or neither"}
	}
	if opt.RatePerSecond <= 0 || opt.Burst < 1 {
		return usageError{"serve: --rate must be positive and --burst at least 1"}
	}
	if opt.MaxRejectShare, err = dataset.RejectShare(opt.MaxRejectShare); err != nil {
		return usageError{"serve: --max-reject-share: " + err.Error()}
	}
	if err := lim.check(); err != nil {
		return usageError{"serve: " + err.Error()}
	}
	opt.Limits = lim.limits()
	if maxUpload < 1 {
		return usageError{"serve: --max-upload-bytes must be positive"}
	}
	opt.MaxUploadBytes = int64(maxUpload)
	if err := inputFilesReadable(fs); err != nil {
		return err
	}
	s, err := server.New(ctx, opt)
	if err != nil {
		return err
	}
	err = s.Serve(ctx, func(addr string) {
		scheme := "http"
		if opt.TLSCert != "" {
			scheme = "https"
		}
		fmt.Fprintf(e.stdout, "lomsong serve: listening on %s://%s\n", scheme, addr)
	})
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}
