package report

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/engine/scorecard"
)

// A report over communes has thousands of areas without any figure: the
// line that gathers them names the first 60 and counts the rest, instead
// of filling pages with 3,285 names.
func TestAreasWithoutFiguresAreCapped(t *testing.T) {
	p := penetration.Period{Year: 2025, Month: 9}
	in := []scorecard.AreaInput{{Area: "12", Period: p, Households: 110_000, DeadZones: &scorecard.DeadZones{Villages: 4, Households: 500}}}
	for i := 0; i < 1234; i++ {
		in = append(in, scorecard.AreaInput{Area: fmt.Sprintf("C%05d", i), Period: p, Households: math.NaN()})
	}
	card, err := scorecard.Build(in, scorecard.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	html := string(render(t, &Report{Title: "t", Scorecard: card}))
	checkXML(t, "page", []byte(html))
	row := regexp.MustCompile(`<tr class="nodata"><td colspan="7">.*?</td></tr>`).FindString(html)
	for _, want := range []string{"every target unknown in 1,234 areas", "C00000, C00001", "C00059 and 1,174 more (lomsong scorecard lists every area&#39;s row)"} {
		if !strings.Contains(row, want) {
			t.Errorf("line lacks %q: %.300q…", want, row)
		}
	}
	if strings.Contains(row, "C00060") {
		t.Errorf("the 61st area is named")
	}
}
