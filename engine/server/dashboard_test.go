package server

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

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
// no error, logs none to the console and needs no horizontal scrolling.
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
	if rl := ts.release(t, "2024-10"); rl.Status != "published" {
		t.Fatalf("release: %+v", rl)
	}
	_, b := ts.call(t, "laichau", "GET", "/api/v1/releases/2024-10/provinces/12/villages", "", nil, "")
	var vs struct{ Villages []ReleaseVillage }
	json.Unmarshal(b, &vs)
	deadName := ""
	for _, v := range vs.Villages {
		if v.WithoutSignal {
			deadName = v.Name
			break
		}
	}
	if deadName == "" {
		t.Fatal("the fixture has no village without signal")
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
	}{
		{name: "ministry", user: "cuc", want: []string{"Xếp hạng tỉnh", "Lai Châu", "Bài nộp chờ xác nhận", "vnp-m.csv"}},
		{name: "carrier", user: "vt", want: []string{"viettel-m.csv", "viettel-s.csv", "Vùng lõm của nhà mạng"}, not: []string{"vnp-m.csv", "villages.csv", "Xếp hạng"}},
		{name: "other carrier", user: "vnp", want: []string{"vnp-m.csv"}, not: []string{"viettel-m.csv", "viettel-s.csv"}},
		{name: "province", user: "laichau", want: []string{"Thôn chưa có 3G/4G", deadName, "Năm chỉ tiêu", "Vùng lõm sóng", "Lớp phủ sóng", "viettel 4G", "Nơi cần đo kiểm tiếp (20 × 1)", "Giá trị (hộ)"}, not: []string{"Bài nộp", "viettel-m.csv"}},
		{name: "province in English", user: "laichau", query: "?lang=en", want: []string{"Villages without 3G/4G", "The five targets", deadName, "Where to measure next (20 × 1)"}},
		{name: "province outside its scope", user: "laichau", hash: "#province/01", wantError: "outside your scope", not: []string{"Thôn chưa có 3G/4G", deadName}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
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
				chromedp.SendKeys(chromedp.CSS("#token"), ts.tokens[c.user]),
				chromedp.Click(chromedp.CSS("#login button")),
			)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("#page").dataset.ready === "1" && getComputedStyle(document.querySelector("#login")).display === "none"`,
				chromedp.WithPollingTimeout(45*time.Second))); err != nil {
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
					t.Errorf("page shows %q, outside the role's scope", n)
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
			mu.Lock()
			defer mu.Unlock()
			if len(problems) > 0 {
				t.Errorf("console: %v", problems)
			}
			if t.Failed() {
				t.Logf("page text: %.1500s", text)
			}
			if dir := os.Getenv("LOMSONG_DASHBOARD_SHOTS"); dir != "" {
				png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
				if err == nil {
					err = os.WriteFile(filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".png"), png, 0o644)
				}
				if err != nil {
					t.Log(err)
				}
			}
		})
	}
}
