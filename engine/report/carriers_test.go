package report

import (
	"strings"
	"testing"
)

// The carriers analysed are said under the title; none read is said as
// none, not left out; a report built without them says nothing.
func TestCarriersLine(t *testing.T) {
	for _, c := range []struct {
		name     string
		carriers []CarrierEvidence
		want     []string
		not      []string
	}{
		{"not given", nil, nil, []string{"Carriers analysed"}},
		{"none read", []CarrierEvidence{}, []string{"Carriers analysed: none. <span class=\"small\">No carrier&#39;s sites or tests were read"}, nil},
		{"one", []CarrierEvidence{{"viettel", 1200, 310, 53100}}, []string{"Carriers analysed: viettel (1,200 site sectors, 310 serving the places analysed; 53,100 tests).", "Only viettel&#39;s data were read"}, nil},
		{"two", []CarrierEvidence{{"mobifone", 3, 0, 0}, {"viettel <x>", 12, 12, 7}}, []string{
			"Carriers analysed: mobifone (3 site sectors, 0 serving the places analysed; 0 tests); viettel &lt;x&gt; (12 site sectors, 12 serving the places analysed; 7 tests).", "none of these carriers reaches it"},
			[]string{"Only "}},
	} {
		t.Run(c.name, func(t *testing.T) {
			html := string(render(t, &Report{Title: "t", Carriers: c.carriers}))
			checkXML(t, "page", []byte(html))
			for _, w := range c.want {
				if !strings.Contains(html, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range c.not {
				if strings.Contains(html, w) {
					t.Errorf("page has %q", w)
				}
			}
		})
	}
}
