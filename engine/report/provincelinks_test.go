package report

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/engine/scorecard"
)

// The links to the province sections at the top of the page are in
// alphabetical order as Vietnamese sorts names (a, ă, â; d, đ; u, ư; the
// tones after the letters), each with its figure of target 1: they
// followed the sections, ordered by households without 3G/4G, so a user
// looking for their province among 34 had to read them all. The sections
// keep the order given. Sorted by bytes, Đ and ư would sort after every
// plain letter (Huế, Hưng Yên, …, Đà Nẵng, Điện Biên) and "Cà Mau" after
// "Cao Bằng".
func TestProvinceLinksInVietnameseOrder(t *testing.T) {
	p := penetration.Period{Year: 2024, Month: 10}
	provs := []struct {
		code, name string
		villages   float64 // target 1; negative: no dead-zone figure
	}{
		{"11", "Điện Biên", 90}, {"04", "Cao Bằng", 75}, {"48", "Đà Nẵng", 40}, {"33", "Hưng Yên", 12},
		{"89", "An Giang", 11}, {"96", "Cà Mau", 7}, {"46", "Huế", -1}, {"01", "Hà Nội", 0},
	}
	var in []scorecard.AreaInput
	var areas []Area
	var sections []Province
	for _, pr := range provs {
		a := scorecard.AreaInput{Area: pr.code, Period: p, Households: 100_000}
		if pr.villages >= 0 {
			a.DeadZones = &scorecard.DeadZones{Villages: pr.villages, Households: 40 * pr.villages}
		}
		in = append(in, a)
		areas = append(areas, Area{Code: pr.code, Name: pr.name})
		sections = append(sections, Province{Code: pr.code})
	}
	card, err := scorecard.Build(in, scorecard.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	html := string(render(t, &Report{Title: "t", Period: "2024-10", Scorecard: card, Areas: areas, Provinces: sections}))

	nav := regexp.MustCompile(`(?s)<nav class="provinces">(.*?)</nav>`).FindStringSubmatch(html)
	if nav == nil {
		t.Fatalf("no province links at the top of the page: %q", regexp.MustCompile(`(?s)<nav>.*?</nav>`).FindString(html))
	}
	if !strings.Contains(nav[1], "Provinces, A–Z, each with its count without 3G/4G in 2024-10 (target 1):") {
		t.Errorf("the province links do not say their order and figure:\n%s", nav[1])
	}
	type entry struct{ id, name, count string }
	var got []entry
	for _, m := range regexp.MustCompile(`<a href="#([^"]+)">([^<]+)</a>(?: <span class="small">([^<]*)</span>)?`).FindAllStringSubmatch(nav[1], -1) {
		got = append(got, entry{m[1], m[2], m[3]})
	}
	// The sections in the order given: province-1 is Điện Biên.
	want := []entry{
		{"province-5", "An Giang", "11 villages"},
		{"province-6", "Cà Mau", "7 villages"},
		{"province-2", "Cao Bằng", "75 villages"},
		{"province-3", "Đà Nẵng", "40 villages"},
		{"province-1", "Điện Biên", "90 villages"},
		{"province-8", "Hà Nội", "0 villages"},
		{"province-7", "Huế", "unknown"},
		{"province-4", "Hưng Yên", "12 villages"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("province links:\n got %q\nwant %q", got, want)
	}
	// The sections themselves stay in the order given.
	var ids []string
	for _, m := range regexp.MustCompile(`<section id="(province-\d+)">\s*<h2>([^<(]+)`).FindAllStringSubmatch(html, -1) {
		ids = append(ids, m[1]+" "+strings.TrimSpace(m[2]))
	}
	if w := []string{"province-1 Điện Biên", "province-2 Cao Bằng", "province-3 Đà Nẵng", "province-4 Hưng Yên",
		"province-5 An Giang", "province-6 Cà Mau", "province-7 Huế", "province-8 Hà Nội"}; !slices.Equal(ids, w) {
		t.Errorf("sections %q, want %q", ids, w)
	}
	// The section links no longer list the provinces.
	top := regexp.MustCompile(`(?s)<nav>(.*?)</nav>`).FindStringSubmatch(html)
	if top == nil || strings.Contains(top[1], "province-") {
		t.Errorf("section links: %q", top)
	}

	// Without a scorecard the links name the provinces alone: no figure
	// is written, never a zero.
	html = string(render(t, &Report{Title: "t", Areas: areas, Provinces: sections}))
	nav = regexp.MustCompile(`(?s)<nav class="provinces">(.*?)</nav>`).FindStringSubmatch(html)
	if nav == nil || !strings.Contains(nav[1], `Provinces, A–Z:</span> <span class="entry"><a href="#province-5">An Giang</a></span>`) ||
		strings.Contains(nav[1], "villages") || strings.Contains(nav[1], "unknown") {
		t.Errorf("province links without a scorecard: %q", nav)
	}
}
