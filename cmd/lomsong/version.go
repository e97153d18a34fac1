package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

// The build's identity. A release sets them with
//
//	go build -ldflags "-X main.version=1.2.0 -X main.commit=abc1234 -X main.buildDate=2026-12-01T10:00:00Z" ./cmd/lomsong
//
// Left empty, they come from the version control settings Go records in a
// binary built from a checkout (vcs.revision, vcs.time, vcs.modified) and
// the main module's version.
var version, commit, buildDate string

// buildInfo is the version, commit and build date of this binary; "unknown"
// for what neither -ldflags nor the Go build information gives. A commit
// built from a checkout with uncommitted changes ends in "-dirty".
type buildInfo struct {
	Version, Commit, BuildDate string
}

func currentBuild() buildInfo {
	b := buildInfo{Version: version, Commit: commit, BuildDate: buildDate}
	if info, ok := debug.ReadBuildInfo(); ok {
		fillBuild(&b, info)
	}
	for _, s := range []*string{&b.Version, &b.Commit, &b.BuildDate} {
		if *s == "" {
			*s = "unknown"
		}
	}
	return b
}

// fillBuild fills what -ldflags left empty from the Go build information.
func fillBuild(b *buildInfo, info *debug.BuildInfo) {
	var rev, at string
	dirty := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if b.Version == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		b.Version = info.Main.Version
	}
	if b.Version == "" {
		b.Version = "devel"
	}
	if b.Commit == "" && rev != "" {
		b.Commit = rev
		if dirty {
			b.Commit += "-dirty"
		}
	}
	if b.BuildDate == "" {
		b.BuildDate = at
	}
}

const versionSynopsis = `version

Prints lomsong's version, the commit it was built from and the build date
(the commit's time for a build from a checkout; a release sets all three with
-ldflags "-X main.version=… -X main.commit=… -X main.buildDate=…").`

func runVersion(ctx context.Context, args []string, e *env) error {
	fs := newFlags("version", versionSynopsis, "  lomsong version", e)
	rest, err := parseFlags(fs, args, e)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{fmt.Sprintf("version: unexpected argument %q", rest[0])}
	}
	b := currentBuild()
	fmt.Fprintf(e.stdout, "lomsong %s\ncommit %s\nbuilt %s\n", b.Version, b.Commit, b.BuildDate)
	return nil
}
