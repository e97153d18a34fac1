package scorecard

import "testing"

// A new dead-zone hex or village alone is said in the singular: the
// alert read "1 new dead-zone hexes since 2024-10".
func TestNewDeadZoneAlertsSayOneInTheSingular(t *testing.T) {
	a, b := full("01", jan), full("01", feb)
	a.DeadZones.Hexes, a.DeadZones.VillageIDs = []string{"h1"}, []string{}
	b.DeadZones.Hexes = []string{"h1", "h2"}
	b.DeadZones.VillageIDs, b.DeadZones.Villages = []string{"v1"}, 1
	c, d := full("02", jan), full("02", feb)
	c.DeadZones.Hexes, c.DeadZones.VillageIDs = []string{}, []string{}
	d.DeadZones.Hexes = []string{"x1", "x2"}
	d.DeadZones.VillageIDs, d.DeadZones.Villages = []string{"w1", "w2"}, 2
	want := map[string]string{
		"01 " + string(AlertNewDeadZoneHexes):    "1 new dead-zone hex since " + jan.String(),
		"01 " + string(AlertNewDeadZoneVillages): "1 new dead-zone village since " + jan.String(),
		"02 " + string(AlertNewDeadZoneHexes):    "2 new dead-zone hexes since " + jan.String(),
		"02 " + string(AlertNewDeadZoneVillages): "2 new dead-zone villages since " + jan.String(),
	}
	for _, al := range build(t, []AreaInput{a, b, c, d}, DefaultConfig()).Alerts {
		k := al.Area + " " + string(al.Kind)
		if w, ok := want[k]; ok {
			if al.Message != w {
				t.Errorf("%s: %q, want %q", k, al.Message, w)
			}
			delete(want, k)
		}
	}
	for k := range want {
		t.Errorf("no alert %s", k)
	}
}
