package server

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds a Chromium to drive; the dashboard test skips without
// one (Debian: apt-get install chromium).
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestDashboardInChromium loads each role's page in headless Chromium at
// 390 px wide: the page shows the role's data and no one else's, throws
// no error, logs none to the console and needs no horizontal scrolling; the
// province map draws the API's hexes as hexagons of their state in the
// layer the toggle shows, or as dots for a release without boundaries.
func TestDashboardInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("drives headless Chromium; not in -short")
	}
	chrome := chromiumPath()
	if chrome == "" {
		t.Skip("no Chromium found (chromium, chromium-browser or google-chrome on PATH): install Debian's chromium package to run the dashboard test")
	}
	f := world(t)
	ts := newService(t, nil)
	vil := ts.submit(t, "cuc", "villages", "villages.csv", f.villages)
	subs := ts.submit(t, "cuc", "subscriptions", "subscriptions.csv", f.subs)
	vtm := ts.submit(t, "vt", "measurements", "viettel-m.csv", f.measurements["viettel"])
	vts := ts.submit(t, "vt", "sites", "viettel-s.csv", f.sites["viettel"])
	vnp := ts.submit(t, "vnp", "measurements", "vnp-m.csv", f.measurements["vinaphone"])
	for _, c := range []struct {
		user string
		id   int64
	}{{"cuc", vil}, {"cuc", subs}, {"vt", vtm}, {"vt", vts}} {
		ts.wait(t, c.user, c.id)
		if code := ts.certify(t, c.user, c.id); code != 200 {
			t.Fatalf("certify %d: %d", c.id, code)
		}
	}
	ts.wait(t, "vnp", vnp) // accepted, awaiting certification
	// A Viettel file whose rows are VinaPhone's: refused as another
	// carrier's, which the Vietnamese page says in Vietnamese.
	if s := ts.wait(t, "vt", ts.submit(t, "vt", "measurements", "not-ours.csv", f.measurements["vinaphone"])); s.Status != "refused" || s.ErrorCode != "carrier_not_yours" {
		t.Fatalf("another carrier's rows: %+v", s)
	}
	if rl := ts.release(t, "2024-10"); rl.Status != "published" {
		t.Fatalf("release: %+v", rl)
	}
	_, b := ts.call(t, "laichau", "GET", "/api/v1/releases/2024-10/provinces/12/villages", "", nil, "")
	var vs struct{ Villages []ReleaseVillage }
	json.Unmarshal(b, &vs)
	deadName, deadVillage := "", ""
	for _, v := range vs.Villages {
		if v.WithoutSignal {
			deadName, deadVillage = v.Name, v.Name+" ("+v.ID+")"
			break
		}
	}
	if deadName == "" {
		t.Fatal("the fixture has no village without signal")
	}
	_, b = ts.call(t, "cuc", "GET", "/api/v1/releases/2024-10/national", "", nil, "")
	var nat National
	if err := json.Unmarshal(b, &nat); err != nil {
		t.Fatal(err)
	}
	// The ministry's tiles: the figure each shows, as the API gives it.
	natTiles := map[string]float64{"villages": float64(nat.Villages), "without_signal": float64(nat.WithoutSignal),
		"households_without_signal": nat.HouseholdsWithoutSignal, "provinces_clear": float64(nat.ProvincesClear),
		"dead_zones": float64(nat.DeadZones), "awaiting": 1}
	_, b = ts.call(t, "laichau", "GET", "/api/v1/releases/2024-10/provinces/12/scorecard", "", nil, "")
	var card struct {
		Rows []struct {
			Period  string
			Targets []struct {
				Target string
				Value  *float64
			}
		}
	}
	if err := json.Unmarshal(b, &card); err != nil || len(card.Rows) == 0 {
		t.Fatalf("scorecard: %v %.200s", err, b)
	}
	// Each target's sparkline names its latest value, and its row shows
	// it, in the target's unit: target 1 a count of villages, the others
	// percentages (not the shares 0,946 the API sends).
	sparks := map[string]string{}
	last := card.Rows[len(card.Rows)-1]
	for _, x := range last.Targets {
		v := "–"
		if x.Value != nil {
			v = viTarget(x.Target, *x.Value)
		}
		sparks[x.Target] = last.Period + " " + v
	}

	// The province's hexes as the API sends them: the map draws each as a
	// hexagon filled with its state in the layer shown.
	_, b = ts.call(t, "laichau", "GET", "/api/v1/releases/2024-10/provinces/12/hexes", "", nil, "")
	var hx struct{ Hexes []ReleaseHex }
	if err := json.Unmarshal(b, &hx); err != nil || len(hx.Hexes) == 0 {
		t.Fatalf("hexes: %v %.200s", err, b)
	}
	statesIn := func(layer string) map[string]int {
		n := map[string]int{}
		for _, h := range hx.Hexes {
			st := h.Best
			if layer != "best" {
				st = "unknown"
				for _, k := range h.States {
					if k.Carrier+" "+k.Tech == layer {
						st = k.State
					}
				}
			}
			n[st]++
		}
		return n
	}
	// The layer the toggle shows: the first carrier and technology whose
	// hexes' states differ from the best ones.
	toggle := ""
	for _, h := range hx.Hexes {
		for _, k := range h.States {
			key := k.Carrier + " " + k.Tech
			if (toggle == "" || key < toggle) && !maps.Equal(statesIn(key), statesIn("best")) {
				toggle = key
			}
		}
	}
	if toggle == "" {
		t.Fatal("no carrier and technology of the fixture's hexes differs from the best state")
	}

	actx, cancel := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.Flag("headless", true))...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	cases := []struct {
		name, user, query, hash string
		want, not               []string
		wantError               string
		tiles                   map[string]float64 // data-kpi → figure; nil: no tiles, no national map
		sparks                  map[string]string  // target → "period value" its label must hold; nil: none
		hexMap                  bool               // the province map of province 12's hexes
		oldRelease              bool               // the release's hexes.json loses its boundaries first
		manyGaps                bool               // the carrier's gaps, repeated to 250, list 200 and say so
		bare                    bool               // the release's scorecard.json and campaign.json are removed first
		token                   string             // signs in with this token instead of the user's
	}{
		{name: "ministry", user: "cuc", want: []string{"Thôn được đánh giá", "Tỉnh không còn thôn chưa có 3G/4G", "Vùng lõm sóng", "Xếp hạng tỉnh", "Lai Châu", "Bài nộp chờ xác nhận", "vnp-m.csv"}, tiles: natTiles},
		{name: "ministry in English", user: "cuc", query: "?lang=en", want: []string{"Villages assessed", "Provinces by share of villages without 3G/4G", "Submissions awaiting certification", "33 provinces are not assessed"}, tiles: natTiles},
		// A province none of whose villages is in the release: its
		// campaign, changes and targets are not known, never "none".
		{name: "province not assessed", user: "hanoi", query: "?lang=en", want: []string{"Not assessed", "Not known: the province is not assessed"}, not: []string{"None"}},
		// A token mistyped: refused in the page's language, the sign-in
		// form shown again.
		{name: "wrong token", token: "ls_not-a-token", wantError: "Không đăng nhập được: mã truy cập không đúng, đã bị thu hồi hoặc chưa được nhập"},
		{name: "carrier at the national page", user: "vt", hash: "#ministry", wantError: "Trang toàn quốc chỉ dành cho người dùng của Bộ", not: []string{"Thôn được đánh giá", "vnp-m.csv"}},
		{name: "province at the national page", user: "laichau", hash: "#ministry", wantError: "Trang toàn quốc chỉ dành cho người dùng của Bộ", not: []string{"Thôn được đánh giá"}},
		{name: "carrier", user: "vt", want: []string{"viettel-m.csv", "viettel-s.csv", "Vùng lõm của nhà mạng", " hộ; Nhà mạng khác phủ (dùng chung hạ tầng): ", "bị từ chối — mọi dòng của tệp là của nhà mạng khác, không phải nhà mạng của tài khoản này (viettel)"},
			not: []string{"vnp-m.csv", "villages.csv", "Xếp hạng", "of rows rejected"}, manyGaps: true},
		{name: "other carrier", user: "vnp", want: []string{"vnp-m.csv", "không có dữ liệu của nhà mạng vinaphone"}, not: []string{"viettel-m.csv", "viettel-s.csv"}},
		{name: "province", user: "laichau", want: []string{"Thôn chưa có 3G/4G", deadName, "Năm chỉ tiêu", "Vùng lõm sóng", "Lớp phủ sóng", "viettel 4G", "Nơi cần đo kiểm tiếp (20 × 1)", "Giá trị (hộ)",
			// each village without 3G/4G with its id: the fixture's province has two "Bản Hồ Sà"
			deadVillage,
			"Kỳ công bố 1 (2024-10) là kỳ đầu tiên của tháng và chưa có tháng nào trước đó được công bố: chưa có gì để so sánh."},
			// the first release's changes are said in Vietnamese, not in the API's English
			not: []string{"Bài nộp", "viettel-m.csv", "Thôn được đánh giá", "nothing to compare"}, sparks: sparks, hexMap: true},
		{name: "province in English", user: "laichau", query: "?lang=en", want: []string{"Villages without 3G/4G", "The five targets", deadName, "Where to measure next (20 × 1)", "Release 1 (2024-10) is the first of its month"}, sparks: sparks, hexMap: true},
		// refused in the page's language, the API's English in brackets
		{name: "province outside its scope", user: "laichau", hash: "#province/01", wantError: "Tài khoản này không được xem nội dung này (chi tiết bằng tiếng Anh: ", not: []string{"Thôn chưa có 3G/4G", deadName}},
		// Last two: they rewrite the release as one written before hexes
		// had boundaries, then without a scorecard and a campaign.
		{name: "province of an older release", user: "laichau", want: []string{"Lớp phủ sóng", deadName}, sparks: sparks, hexMap: true, oldRelease: true},
		// A release published without subscriptions, before releases
		// planned campaigns: both said in the page's language, not in the
		// API's English 404.
		{name: "province of a release without targets", user: "laichau", bare: true, want: []string{deadName,
			"Kỳ công bố 1 không có số liệu năm chỉ tiêu: khi công bố chưa có số liệu thuê bao nào được xác nhận.",
			"Kỳ công bố 1 không có kế hoạch đo kiểm"}, not: []string{"no subscriptions were certified", "has no campaign"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.oldRelease {
				dropBoundaries(t, filepath.Join(ts.dir, StateDir, "releases"))
			}
			if c.bare {
				dropFiles(t, filepath.Join(ts.dir, StateDir, "releases"), "scorecard.json", "campaign.json")
			}
			ctx, cancel := chromedp.NewContext(bctx)
			defer cancel()
			ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
			defer cancel()
			var mu sync.Mutex
			var problems []string
			if err := chromedp.Listen(ctx, func(ev any) {
				mu.Lock()
				defer mu.Unlock()
				switch ev := ev.(type) {
				case *runtime.EventExceptionThrown:
					d := ev.ExceptionDetails
					problems = append(problems, fmt.Sprintf("exception: %s at %s:%d", d.Text, d.URL, d.LineNumber))
				case *runtime.EventConsoleAPICalled:
					if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
						var args []string
						for _, a := range ev.Args {
							args = append(args, string(a.Value)+a.Description)
						}
						problems = append(problems, fmt.Sprintf("console %s: %s", ev.Type, strings.Join(args, " ")))
					}
				}
			}); err != nil {
				t.Fatal(err)
			}
			err := chromedp.Do(ctx,
				chromedp.EmulateViewport(390, 844),
				chromedp.Navigate(ts.ts.URL+"/"+c.query+c.hash),
				chromedp.WaitVisible(chromedp.CSS("#token")),
				chromedp.SendKeys(chromedp.CSS("#token"), cmp.Or(c.token, ts.tokens[c.user])),
				chromedp.Click(chromedp.CSS("#login button")),
			)
			if err != nil {
				t.Fatal(err)
			}
			ready := `document.querySelector("#page").dataset.ready === "1" && getComputedStyle(document.querySelector("#login")).display === "none"`
			if c.token != "" {
				// refused: the form again, with the error under it
				ready = `document.querySelector("#page").dataset.ready === "1" && !document.querySelector("#error").hidden`
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](ready, chromedp.WithPollingTimeout(45*time.Second))); err != nil {
				t.Fatal(err)
			}
			text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
			if err != nil {
				t.Fatal(err)
			}
			errText, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS("#error")))
			if err != nil {
				t.Fatal(err)
			}
			scrollWidth, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth"))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, n := range c.not {
				if strings.Contains(text, n) {
					t.Errorf("page shows %q, which it must not (another role's data, or the API's English)", n)
				}
			}
			if c.wantError != "" && !strings.Contains(errText, c.wantError) {
				t.Errorf("error shown: %q, want %q", errText, c.wantError)
			}
			if c.wantError == "" && errText != "" {
				t.Errorf("error shown: %q", errText)
			}
			if scrollWidth > 390 {
				t.Errorf("the page is %d px wide at a 390 px viewport", scrollWidth)
			}
			// Every button and link is on screen, not in a table scrolled
			// out of sight.
			offscreen, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#content button, #content a")]
				.filter((e) => e.getBoundingClientRect().right > innerWidth).map((e) => e.textContent)`))
			if err != nil {
				t.Fatal(err)
			}
			if len(offscreen) > 0 {
				t.Errorf("controls beyond the right edge at 390 px: %q", offscreen)
			}
			shown, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify({
				tiles: Object.fromEntries([...document.querySelectorAll(".tile")].map((t) => [t.dataset.kpi, [Number(t.dataset.value), t.querySelector(".fig").textContent]])),
				provinces: document.querySelectorAll("#national-map path").length,
				archipelagos: [...document.querySelectorAll("#national-map g.archipelago")].map((g) => g.querySelector("title").textContent),
				sparks: [...document.querySelectorAll("svg.spark")].map((s) => s.getAttribute("aria-label")),
				probabilities: [...document.querySelectorAll("td")].filter((td) => ["Xác suất lõm", "P(dead)", "Giá trị (hộ)", "Value (households)"].includes(td.dataset.label))
					.map((td) => td.dataset.label + "|" + td.textContent),
				targetCells: [...document.querySelectorAll("svg.spark")].flatMap((s) => [...s.closest("tr").children].slice(0, 3)
					.map((td) => [td.textContent, Math.round(td.getBoundingClientRect().height)])),
				targetValues: Object.fromEntries([...document.querySelectorAll("svg.spark")].map((s) => [s.getAttribute("aria-label").split(": ")[0], s.closest("tr").children[1].textContent]))})`))
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Tiles        map[string][2]any
				Provinces    int
				Archipelagos []string
				Sparks       []string
				TargetValues map[string]string // sparkline's name → the value cell of its row
				// "label|text" of each p_dead and campaign value cell
				Probabilities []string
				// the name, value and status cells of the targets' rows:
				// text, height in px
				TargetCells [][2]any
			}
			if err := json.Unmarshal([]byte(shown), &got); err != nil {
				t.Fatal(err)
			}
			if len(got.Tiles) != len(c.tiles) {
				t.Errorf("tiles %v, want %v", got.Tiles, c.tiles)
			}
			for kpi, v := range c.tiles {
				fig := viNumber(v, 0)
				if kpi == "provinces_clear" {
					fig += " / " + viNumber(float64(nat.ProvincesAssessed), 0)
				}
				if c.query == "?lang=en" {
					fig = strings.ReplaceAll(fig, ".", ",")
				}
				if g, ok := got.Tiles[kpi]; !ok || g[0] != v || g[1] != fig {
					t.Errorf("tile %s shows %v, want %g shown as %q", kpi, g, v, fig)
				}
			}
			if want := map[bool]int{true: 34}[c.tiles != nil]; got.Provinces != want {
				t.Errorf("the national map has %d provinces, want %d", got.Provinces, want)
			}
			// The archipelagos are drawn with their names on every national map.
			if c.tiles != nil && (len(got.Archipelagos) != 2 || !strings.Contains(strings.Join(got.Archipelagos, "|"), "Hoàng Sa") && c.query == "" ||
				!strings.Contains(strings.Join(got.Archipelagos, "|"), "Truong Sa") && c.query == "?lang=en") {
				t.Errorf("the national map's archipelagos: %q", got.Archipelagos)
			}
			// Every p_dead has two decimals and every campaign value one,
			// so that a column reads alike (0,50 and 1,00, not 0,5 and 1,
			// which reads as a count).
			for _, p := range got.Probabilities {
				label, v, _ := strings.Cut(p, "|")
				decimals := 2
				if strings.HasPrefix(label, "Giá") || strings.HasPrefix(label, "Value") {
					decimals = 1
				}
				if !regexp.MustCompile(fmt.Sprintf(`^(-?[0-9.,]*[0-9][.,][0-9]{%d}|–)$`, decimals)).MatchString(v) {
					t.Errorf("%s shows %q, want %d decimals", label, v, decimals)
				}
			}
			// At 390 px each target's name, value and status reads on one
			// or two lines (a card of labelled fields), not squeezed into
			// a column a word wide ("chưa / đạt / (mục / tiêu ≥ / 100%)").
			for _, cell := range got.TargetCells {
				if h, _ := cell[1].(float64); h > 50 {
					t.Errorf("the targets' cell %q is %g px high at 390 px wide", cell[0], h)
				}
			}
			if c.hexMap && len(got.Probabilities) == 0 {
				t.Error("no p_dead shown")
			}
			if len(got.Sparks) != len(c.sparks) {
				t.Errorf("%d sparklines, want %d: %q", len(got.Sparks), len(c.sparks), got.Sparks)
			}
			for target, latest := range c.sparks {
				found := false
				for _, label := range got.Sparks {
					if strings.Contains(label, "("+target+"): ") {
						found = true
						if c.query == "?lang=en" {
							latest = strings.ReplaceAll(latest, ",", ".")
						}
						if !strings.HasSuffix(strings.Split(label, ";")[len(strings.Split(label, ";"))-2], latest) {
							t.Errorf("the sparkline of %s: %q, want its latest value %q", target, label, latest)
						}
						if cell, want := got.TargetValues[strings.Split(label, ": ")[0]], strings.TrimPrefix(latest, last.Period+" "); cell != want {
							t.Errorf("the value of %s shows %q, want %q", target, cell, want)
						}
					}
				}
				if !found {
					t.Errorf("no sparkline of %s among %q", target, got.Sparks)
				}
			}
			if c.hexMap {
				checkHexMap(t, ctx, "best", statesIn("best"), c.oldRelease)
				// The toggle redraws the map in the layer's states: as the
				// colour of each state stays, a count that changes is
				// hexagons whose fill changed.
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(() => { const s = document.querySelector("#layer");
					s.value = %q; s.dispatchEvent(new Event("change")); return s.value; })()`, toggle))); err != nil {
					t.Fatal(err)
				}
				checkHexMap(t, ctx, toggle, statesIn(toggle), c.oldRelease)
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const s = document.querySelector("#layer");
					s.value = "best"; s.dispatchEvent(new Event("change")); return s.value; })()`)); err != nil {
					t.Fatal(err)
				}
				checkHexMap(t, ctx, "best", statesIn("best"), c.oldRelease)
			}
			if c.manyGaps {
				checkManyGaps(t, ctx)
				checkCountsWhileValidating(t, ctx)
				checkDownloadRefused(t, ctx)
			}
			// The listener runs under chromedp's lock of the tab's
			// listeners: hold mu only to copy, never across a call to
			// the browser.
			mu.Lock()
			seen := slices.Clone(problems)
			mu.Unlock()
			if len(seen) > 0 {
				t.Errorf("console: %v", seen)
			}
			if t.Failed() {
				t.Logf("page text: %.1500s", text)
			}
			if dir := os.Getenv("LOMSONG_DASHBOARD_SHOTS"); dir != "" {
				// Whole-page shots at the phone width and a desktop's; the
				// tab is brought to the front first, as a background tab
				// paints no frame to capture.
				for _, width := range []int64{390, 1280} {
					_, err := chromedp.Call(ctx, page.BringToFront, cdp.Empty{})
					if err == nil {
						err = chromedp.Do(ctx, chromedp.EmulateViewport(width, 844))
					}
					var png []byte
					if err == nil {
						png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
					}
					if err == nil {
						err = os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", strings.ReplaceAll(c.name, " ", "_"), width)), png, 0o644)
					}
					if err != nil {
						t.Log(err)
					}
				}
				// The province map alone at three times a desktop's
				// pixels, where the hexagons' shapes can be seen.
				if c.hexMap {
					png, err := chromedp.Run(ctx, chromedp.ScreenshotScale(chromedp.CSS("#province-map"), 3))
					if err == nil {
						err = os.WriteFile(filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+"-map.png"), png, 0o644)
					}
					if err != nil {
						t.Log(err)
					}
				}
			}
		})
	}
}

// viNumber formats v as the page does in Vietnamese (toLocaleString
// "vi-VN", at most digits decimals): "." groups thousands, "," marks
// decimals.
func viNumber(v float64, digits int) string {
	s := strconv.FormatFloat(math.Round(v*math.Pow10(digits))/math.Pow10(digits), 'f', -1, 64)
	whole, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	var b strings.Builder
	if v < 0 && s != "0" {
		b.WriteString("-")
	}
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(".")
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString("," + frac)
	}
	return b.String()
}

// checkManyGaps redraws the carrier's page with its gaps repeated to 250
// (the page's api, a global function of its script, wrapped): the table
// lists the 200 with the most households, says it leaves 50 out, and its
// button lists them all. The page cut the list at 200 without a word.
func checkManyGaps(t *testing.T, ctx context.Context) {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
		const real = api;
		api = async (path, opt) => {
			const r = await real(path, opt);
			if (path.includes("/gaps") && r.gaps.length) {
				const one = r.gaps;
				for (let k = 1; r.gaps.length < 250; k++) r.gaps = r.gaps.concat(one.map((x) => ({ ...x, cell: x.cell + "-" + k })));
				r.gaps = r.gaps.slice(0, 250);
			}
			return r;
		};
		await route();
		api = real;
		const rows = () => [...document.querySelectorAll("section")].find((s) => s.querySelector("h2").textContent.startsWith("Vùng lõm của nhà mạng")).querySelectorAll("tbody tr").length;
		const before = rows(), more = document.querySelector("#gaps-more");
		const said = more ? more.textContent : "";
		if (more) more.querySelector("button").click();
		return JSON.stringify([before, said, rows(), !!document.querySelector("#gaps-more")]);
	})()`, chromedp.EvalAsValue, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	var res []any
	if err := json.Unmarshal([]byte(got), &res); err != nil {
		t.Fatal(err)
	}
	if want := []any{200.0, "Bảng ghi 200 hex nhiều hộ nhất trong 250 hex. Hiện tất cả 250 hex", 250.0, false}; !slices.Equal(res, want) {
		t.Errorf("250 gaps: rows shown, note, rows after the button, note left: %v, want %v", res, want)
	}
}

// checkCountsWhileValidating redraws the carrier's page with its first
// submission queued and its second being validated, their counts the
// API's 0 until validation ends: the page shows "–" for them, not 0 rows
// read, accepted and rejected.
func checkCountsWhileValidating(t *testing.T, ctx context.Context) {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
		const real = api;
		api = async (path, opt) => {
			const r = await real(path, opt);
			if (path === "/api/v1/submissions") {
				r.submissions.slice(0, 2).forEach((s, i) => Object.assign(s, { status: ["queued", "validating"][i], rows_read: 0, accepted: 0, rejected: 0,
					rejected_by_reason: [], error: "", error_code: "", note: "" }));
			}
			return r;
		};
		await route();
		api = real;
		const rows = [...document.querySelectorAll("section")].find((s) => s.querySelector("h2").textContent.startsWith("Bài nộp")).querySelectorAll("tbody tr");
		const counts = [...rows].slice(0, 2).map((tr) => [...tr.children].slice(4, 7).map((td) => td.textContent));
		await route();
		return JSON.stringify(counts);
	})()`, chromedp.EvalAsValue, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if want := `[["–","–","–"],["–","–","–"]]`; got != want {
		t.Errorf("counts of a queued and a validating submission: %s, want %s", got, want)
	}
}

// checkDownloadRefused asks the page for the rejected rows of a
// submission that is not there: the refusal is said in Vietnamese with the
// API's English detail, as every other refusal.
func checkDownloadRefused(t *testing.T, ctx context.Context) {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
		await download(999999);
		const e = document.querySelector("#error"), said = e.hidden ? "" : e.textContent;
		showError("");
		return said;
	})()`, chromedp.EvalAsValue, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got, "Dịch vụ trả lời lỗi 404 (chi tiết bằng tiếng Anh: ") {
		t.Errorf("the rejected rows of a missing submission: %q", got)
	}
}

// viTarget formats a target's value as the page does in Vietnamese:
// target 1 (dead_zones) a count, the others percentages with one decimal
// (speed_yoy with its sign when above zero).
func viTarget(target string, v float64) string {
	if target == "dead_zones" {
		return viNumber(v, 0)
	}
	s := viNumber(100*v, 1)
	if !strings.Contains(s, ",") {
		s += ",0"
	}
	if target == "speed_yoy" && v > 0 {
		s = "+" + s
	}
	return s + "%"
}

// stateFill is each state's colour on the province map.
var stateFill = map[string]string{"covered": "#9fd8a8", "weak": "#f3c26b", "uncovered": "#e88", "unknown": "#ccc"}

// checkHexMap checks the province map shows layer with want hexes of each
// state: with boundaries, one path per state, a hexagon (six vertices) per
// hex in it, filled with the state's colour; without (dots), a circle per
// hex at its centre and no hexagons.
func checkHexMap(t *testing.T, ctx context.Context, layer string, want map[string]int, dots bool) {
	t.Helper()
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const m = document.querySelector("#province-map");
		return JSON.stringify(m ? {layer: m.dataset.layer,
			paths: [...m.querySelectorAll("path.hexes")].map((p) => ({state: p.dataset.state, n: Number(p.dataset.hexes), fill: p.getAttribute("fill"),
				vertices: p.getAttribute("d").split("M").slice(1).map((r) => r.split("L").length)})),
			dots: [...m.querySelectorAll("circle.hex-dot")].map((c) => [c.dataset.state, c.getAttribute("fill")])} : {}); })()`))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Layer string
		Paths []struct {
			State, Fill string
			N           int
			Vertices    []int
		}
		Dots [][2]string
	}
	if err := json.Unmarshal([]byte(shown), &got); err != nil {
		t.Fatal(err)
	}
	if got.Layer != layer {
		t.Fatalf("the map shows layer %q, want %q", got.Layer, layer)
	}
	hexagons, circles := map[string]int{}, map[string]int{}
	for _, p := range got.Paths {
		if p.Fill != stateFill[p.State] || hexagons[p.State] > 0 {
			t.Errorf("layer %s: a path of state %q filled %s (want one, filled %s)", layer, p.State, p.Fill, stateFill[p.State])
		}
		if len(p.Vertices) != p.N {
			t.Errorf("layer %s, %s: %d hexagons drawn, data-hexes %d", layer, p.State, len(p.Vertices), p.N)
		}
		for _, v := range p.Vertices {
			if v != 6 {
				t.Errorf("layer %s, %s: a hex drawn with %d vertices", layer, p.State, v)
				break
			}
		}
		hexagons[p.State] = len(p.Vertices)
	}
	for _, d := range got.Dots {
		if d[1] != stateFill[d[0]] {
			t.Errorf("layer %s: a dot of state %s filled %s", layer, d[0], d[1])
		}
		circles[d[0]]++
	}
	drawn, none := hexagons, circles
	if dots {
		drawn, none = circles, hexagons
	}
	if !maps.Equal(drawn, want) || len(none) > 0 {
		t.Errorf("layer %s: hexagons %v, dots %v; want %v as %s", layer, hexagons, circles, want, map[bool]string{false: "hexagons", true: "dots"}[dots])
	}
}

// dropBoundaries rewrites the hexes.json of every release under dir
// without the hexes' boundaries, as releases were written before them.
// dropFiles removes the named files from every release under dir, as a
// release published without them has none.
func dropFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	for _, name := range names {
		files, err := filepath.Glob(filepath.Join(dir, "*", name))
		if err != nil || len(files) == 0 {
			t.Fatalf("no %s under %s (%v)", name, dir, err)
		}
		for _, f := range files {
			// A release is read-only once published.
			if err := os.Chmod(filepath.Dir(f), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func dropBoundaries(t *testing.T, dir string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*", "hexes.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no hexes.json under %s (%v)", dir, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var hexes []map[string]any
		if err := json.Unmarshal(b, &hexes); err != nil {
			t.Fatal(err)
		}
		for _, h := range hexes {
			delete(h, "boundary")
		}
		if b, err = json.Marshal(hexes); err != nil {
			t.Fatal(err)
		}
		// A release is read-only once published.
		if err := os.Chmod(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(f, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, b, 0o444); err != nil {
			t.Fatal(err)
		}
	}
}
