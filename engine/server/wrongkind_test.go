package server

import (
	"strings"
	"testing"
)

// TestWrongKindSaysWhichKind: a file submitted as another kind than its
// header's (a carrier's site register sent as ?kind=measurements, the
// villages as sites) is refused saying which kind its header is and to
// submit it as that, and a carrier that sends the villages hears that they
// come from the ministry; a header that is no kind's asks for a mapping
// part, as a user of the service sends one, not for lomsong's --mapping
// alone. The command line's advice ("give a mapping (lomsong validate
// --suggest-mapping prints one)") was all any of them got.
func TestWrongKindSaysWhichKind(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	for _, c := range []struct {
		name, user, kind string
		data             []byte
		want             string
	}{
		{"sites as measurements", "vt", "measurements", f.sites["viettel"],
			"its header is a sites table's, and it was submitted as ?kind=measurements: if it holds sites, submit it with ?kind=sites"},
		{"villages as sites", "cuc", "sites", f.villages,
			"its header is a villages table's, and it was submitted as ?kind=sites: if it holds villages, submit it with ?kind=villages"},
		{"villages as a carrier's sites", "vt", "sites", f.villages,
			"its header is a villages table's, and it was submitted as ?kind=sites: villages come from the ministry, not from a carrier"},
		{"columns of other names", "vt", "measurements",
			[]byte("time,network,rat,x,y,rsrp\n2024-10-10T08:00:00+07:00,viettel,4G,103.2,22.3,-90\n"),
			"send the file again with a mapping part naming its columns (curl -F file=@FILE -F mapping=@mapping.json"},
	} {
		id := ts.submit(t, c.user, c.kind, "file.csv", c.data)
		s := ts.wait(t, c.user, id)
		if s.Status != "refused" || s.ErrorCode != "unreadable" || !strings.Contains(s.Error, c.want) || strings.Contains(s.Error, "give a mapping (lomsong") {
			t.Errorf("%s: %+v\nwant the error to say %q", c.name, s, c.want)
		}
	}
}
