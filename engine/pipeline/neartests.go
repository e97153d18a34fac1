package pipeline

import (
	"slices"
	"strings"

	"github.com/lomsong/lomsong/engine"
)

// PredictedOnly returns, sorted, the carriers with an active site in the
// coverage's register that no test of the period informs at the places
// decided: the radio map holds no observation of theirs (none of their
// tests lies near the villages and populated hexes analysed, or they had
// none). Their verdicts rest on the prediction alone, whether the carrier
// was not measured at all or measured only elsewhere (a dump of another
// province, or of roads far from every village). Nil without the
// coverage.
func (r *DeadZoneResult) PredictedOnly() []engine.Carrier {
	if r.Coverage == nil {
		return nil
	}
	observed := map[engine.Carrier]bool{}
	for _, k := range r.RadioMap.Keys { // "carrier/tech"
		if i := strings.LastIndexByte(k, '/'); i > 0 {
			observed[engine.Carrier(k[:i])] = true
		}
	}
	var out []engine.Carrier
	for _, s := range r.Coverage.Sites {
		if s.Status == engine.StatusActive && !observed[s.Carrier] && !slices.Contains(out, s.Carrier) {
			out = append(out, s.Carrier)
		}
	}
	slices.Sort(out)
	return out
}
