package server

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A release dataset whose manifest.json was edited by hand was released
// without a word, where lomsong run refuses it (dataset.Store.CheckListed)
// or warns of it (dataset.Store.UnlistedNote): a part's record moved to
// another month published October's tests as September's, and a source's
// record taken out published the month without its rows. A release is now
// refused 409 with the engine's words and nothing started, the refusal
// logged; one asked for while a certification held the dataset fails with
// them.
func TestReleaseRefusesAnEditedManifest(t *testing.T) {
	f := world(t)
	logs := &logBuffer{}
	ts := newService(t, func(o *Options) { o.Logger = slog.New(slog.NewJSONHandler(logs, nil)) })
	ts.certifyViettelMonth(t, f)
	mpath := filepath.Join(ts.dir, "manifest.json")
	orig, err := os.ReadFile(mpath)
	if err != nil {
		t.Fatal(err)
	}
	// edit rewrites manifest.json through fn, given its sources.
	edit := func(fn func(sources []any) []any) {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal(orig, &m); err != nil {
			t.Fatal(err)
		}
		m["sources"] = fn(m["sources"].([]any))
		b, _ := json.MarshalIndent(m, "", "  ")
		if err := os.WriteFile(mpath, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ask := func(period string) (int, string) {
		t.Helper()
		code, b := ts.call(t, "cuc", "POST", "/api/v1/releases", "/api/v1/releases", strings.NewReader(`{"period":"`+period+`"}`), "application/json")
		return code, string(b)
	}
	releases := func() int {
		t.Helper()
		code, b := ts.call(t, "cuc", "GET", "/api/v1/releases", "/api/v1/releases", nil, "")
		if code != http.StatusOK {
			t.Fatalf("releases: %d %s", code, b)
		}
		var l struct {
			Releases []Release `json:"releases"`
		}
		if err := json.Unmarshal(b, &l); err != nil || l.Releases == nil {
			t.Fatalf("releases: %v: %s", err, b)
		}
		return len(l.Releases)
	}

	// October's measurements listed as September's.
	moved := ""
	edit(func(sources []any) []any {
		for _, s := range sources {
			for _, p := range s.(map[string]any)["parts"].([]any) {
				part := p.(map[string]any)
				if part["kind"] == "measurements" && part["period"] == "2024-10" && moved == "" {
					part["period"] = "2024-09"
					moved = part["path"].(string)
				}
			}
		}
		return sources
	})
	if moved == "" {
		t.Fatal("no measurements part of 2024-10 in the manifest")
	}
	for _, period := range []string{"2024-09", "2024-10"} {
		code, b := ask(period)
		if code != http.StatusConflict || !strings.Contains(b, "no release for "+period) || !strings.Contains(b, "manifest.json") ||
			!strings.Contains(b, moved) || !strings.Contains(b, jsonEscaped(`period "2024-09"`)) ||
			!strings.Contains(b, "lomsong dataset repair") || !strings.Contains(b, "nothing was started") {
			t.Errorf("release of %s over a part listed under another month: %d %s", period, code, b)
		}
	}
	if n := releases(); n != 0 {
		t.Errorf("%d releases after the refusals, want none", n)
	}
	waitLog(t, logs, `"msg":"release refused"`)
	if !strings.Contains(logs.String(), moved) {
		t.Errorf("the log does not name the part:\n%s", logs.String())
	}

	// The measurements' source taken out of the manifest: its part is
	// not listed, and the month would be released without its rows.
	var unlisted []string
	edit(func(sources []any) []any {
		var keep []any
		for _, s := range sources {
			src := s.(map[string]any)
			if src["kind"] == "measurements" {
				for _, p := range src["parts"].([]any) {
					unlisted = append(unlisted, p.(map[string]any)["path"].(string))
				}
				continue
			}
			keep = append(keep, s)
		}
		return keep
	})
	if len(unlisted) == 0 {
		t.Fatal("no measurements source in the manifest")
	}
	code, b := ask("2024-10")
	if code != http.StatusConflict || !strings.Contains(b, "not in manifest.json and not read") || !strings.Contains(b, unlisted[0]) ||
		!strings.Contains(b, "lomsong dataset repair") || !strings.Contains(b, "nothing was started") {
		t.Errorf("release of a month whose measurements' source was taken out of the manifest: %d %s", code, b)
	}

	// Asked for while a certification holds the dataset, the release is
	// started, and fails with the same words.
	edit(func(sources []any) []any {
		for _, s := range sources {
			for _, p := range s.(map[string]any)["parts"].([]any) {
				if part := p.(map[string]any); part["path"] == moved {
					part["period"] = "2024-09"
				}
			}
		}
		return sources
	})
	ts.s.dsMu.Lock()
	code, b = ask("2024-10")
	ts.s.dsMu.Unlock()
	if code != http.StatusAccepted {
		t.Fatalf("release asked for while the dataset was held: %d %s", code, b)
	}
	var rl Release
	json.Unmarshal([]byte(b), &rl)
	got := ts.waitRelease(t, rl.Number)
	if got.Status != "failed" || !strings.Contains(got.Error, moved) || !strings.Contains(got.Error, `period "2024-09"`) {
		t.Errorf("release over a part listed under another month: %+v", got)
	}

	// The manifest put back, the month is released.
	if err := os.WriteFile(mpath, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	code, b = ask("2024-10")
	if code != http.StatusAccepted {
		t.Fatalf("release once the manifest is put back: %d %s", code, b)
	}
	json.Unmarshal([]byte(b), &rl)
	if got := ts.waitRelease(t, rl.Number); got.Status != "published" {
		t.Errorf("release once the manifest is put back: %+v", got)
	}

	// A part of the month grown by a byte: the month's stages, saved by
	// the release just published, are current and would be read back
	// without reading the part; refused as lomsong run warns of it.
	part := filepath.Join(ts.dir, filepath.FromSlash(moved))
	if err := os.Chmod(part, 0o644); err != nil {
		t.Fatal(err)
	}
	pf, err := os.OpenFile(part, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	pf.Write([]byte{0})
	pf.Close()
	code, b = ask("2024-10")
	if code != http.StatusConflict || !strings.Contains(b, "not its recorded size") || !strings.Contains(b, moved) ||
		!strings.Contains(b, "lomsong dataset verify") || !strings.Contains(b, "nothing was started") {
		t.Errorf("release of a month one of whose parts grew: %d %s", code, b)
	}
}
