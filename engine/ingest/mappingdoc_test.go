package ingest

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// TestDataContractMappingExample: the mapping file docs/data-contract.md
// shows under "Mapping file" parses as written, and reads a file in the
// layout it describes with every entry applied: its columns renamed, ASU,
// kbit/s and Unix seconds converted, the decimal comma read, its constants,
// technology spelling and values for environment and service taken.
func TestDataContractMappingExample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "data-contract.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## Mapping file\n")
	if !ok {
		t.Fatal(`docs/data-contract.md has no "## Mapping file" section`)
	}
	_, block, ok := strings.Cut(section, "```json\n")
	if !ok {
		t.Fatal("the Mapping file section shows no ```json block")
	}
	block, _, _ = strings.Cut(block, "```")
	m, err := ParseMapping([]byte(block))
	if err != nil {
		t.Fatalf("the documented mapping does not parse: %v\n%s", err, block)
	}
	rows, rejects, _ := readM(t, "Thoi_gian;Kinh_do;Vi_do;RAT;Level_ASU;environment;service;dl_mbps\n"+
		"1759305600;105,85;21,03;LTE-A Pro;40;Walking;ok;2500\n"+
		"1759305660;105,86;21,04;LTE;;Driving;Mất sóng;\n", m, nil)
	if len(rejects) != 0 || len(rows) != 2 {
		t.Fatalf("%d rows accepted, rejected: %+v", len(rows), rejects)
	}
	r := rows[0]
	if r.TimeUnixMs != 1759305600000 || r.Carrier != "mobifone" || r.Source != engine.SourceCrowd || r.Tech != engine.Tech4G ||
		r.SignalDBm != 40-140 || math.Abs(r.DLMbps-2.5) > 1e-9 || r.Lon != 105.85 || r.Environment != engine.EnvOutdoor {
		t.Errorf("first row read as %+v", r)
	}
	if r := rows[1]; r.Service != engine.ServiceNone || r.Environment != engine.EnvVehicle || r.Carrier != "mobifone" {
		t.Errorf("second row read as %+v", r)
	}
}
