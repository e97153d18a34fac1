package report

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// On a phone (400 px wide) the report's page does not scroll sideways and
// no chart's text is drawn smaller than 9 px: the investment curve, 640
// units wide, was shrunk to the screen with its 11-unit labels at 6.3 px;
// it keeps its size and scrolls in its own box, as the wide tables do.
func TestReportChartsReadableOnAPhone(t *testing.T) {
	ctx, page := reportInChromium(t, 60*time.Second)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(400, 844), chromedp.Navigate("file://"+page)); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify({
		width: document.documentElement.scrollWidth,
		charts: [...document.querySelectorAll("svg.chart")].map((s) => [s.querySelector("title").textContent,
			parseFloat(s.getAttribute("font-size")) * s.getBoundingClientRect().width / s.viewBox.baseVal.width])})`))
	if err != nil {
		t.Fatal(err)
	}
	var shown struct {
		Width  int
		Charts [][2]any
	}
	if err := json.Unmarshal([]byte(got), &shown); err != nil {
		t.Fatal(err)
	}
	if shown.Width > 400 {
		t.Errorf("the page is %d px wide at a 400 px viewport", shown.Width)
	}
	if len(shown.Charts) < 2 {
		t.Fatalf("charts: %v", shown.Charts)
	}
	for _, c := range shown.Charts {
		if px, _ := c[1].(float64); px < 9 {
			t.Errorf("chart %q: text at %.1f px on a 400 px screen", c[0], px)
		}
	}
}

// reportInChromium writes the test report's page to a temporary folder and
// returns a headless Chromium's context (ended with the test, at most
// timeout) and the page's path; the test is skipped in -short and when no
// Chromium is on PATH.
func reportInChromium(t *testing.T, timeout time.Duration) (context.Context, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("drives headless Chromium; not in -short")
	}
	chrome := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			chrome = p
			break
		}
	}
	if chrome == "" {
		t.Skip("no Chromium found (chromium, chromium-browser or google-chrome on PATH): install Debian's chromium package to run this test")
	}
	page := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(page, render(t, testReport(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.Flag("headless", true))...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx, page
}
