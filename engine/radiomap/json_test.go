package radiomap

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// TestFitReportJSON checks the names radiomap.json shows: snake_case keys
// and a key written as carrier/technology.
func TestFitReportJSON(t *testing.T) {
	r := FitReport{Bins: []VariogramBin{{SameKey: true, LoM: 0, HiM: 100, DistM: 50, SemivarianceDB2: 9, Pairs: 40, Used: true}},
		KeyMeans: []KeyMean{{Key: Key{Carrier: "viettel", Tech: engine.Tech4G}, MeanDB: -1.5, Tests: 12}},
		Model:    Model{SharedSillDB2: 4, SharedRangeM: 800, OwnSillDB2: 20, OwnRangeM: 300, NuggetDB2: 2}}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`"([^"]*)":`).FindAllStringSubmatch(string(b), -1) {
		if m[1] != strings.ToLower(m[1]) {
			t.Errorf("key %q is not snake_case in %s", m[1], b)
		}
	}
	for _, want := range []string{`"key":"viettel/4G"`, `"own_range_m":300`, `"same_key":true`, `"hi_m":100`, `"key_means":[`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
}
