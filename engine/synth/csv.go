package synth

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/ingest"
)

// VillageColumns and SubscriptionColumns are the contract's column layouts
// of the villages and subscriptions tables (DESIGN.md).
var (
	VillageColumns      = []string{"village_id", "name", "commune_code", "lon", "lat", "households"}
	SubscriptionColumns = []string{"area_code", "period", "households", "fiber_households", "mobile_subscribers",
		"smartphone_subscribers", "only_2g_subscribers", "surveyed_households", "surveyed_with_smartphone", "fixed_median_dl_mbps"}
)

// num formats a float with at most prec decimals; NaN is the empty string.
func num(v float64, prec int) string {
	if math.IsNaN(v) {
		return ""
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if s[0] == '-' && isZero(s[1:]) {
		return s[1:] // no "-0.0"
	}
	return s
}

func isZero(s string) bool {
	for _, c := range s {
		if c != '0' && c != '.' {
			return false
		}
	}
	return true
}

type table struct {
	bw *bufio.Writer
	cw *csv.Writer
}

func newTable(w io.Writer, header []string) (*table, error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	t := &table{bw: bw, cw: csv.NewWriter(bw)}
	return t, t.cw.Write(header)
}

func (t *table) close() error {
	t.cw.Flush()
	if err := t.cw.Error(); err != nil {
		return err
	}
	return t.bw.Flush()
}

// WriteVillagesCSV writes the villages table with a header, in the
// contract's column order (VillageColumns).
func WriteVillagesCSV(w io.Writer, villages []Village) error {
	t, err := newTable(w, VillageColumns)
	if err != nil {
		return err
	}
	for _, v := range villages {
		if err := t.cw.Write([]string{v.ID, v.Name, v.CommuneCode, num(v.Lon, 6), num(v.Lat, 6),
			strconv.FormatInt(v.Households, 10)}); err != nil {
			return err
		}
	}
	return t.close()
}

// WriteSitesCSV writes a site register with a header, in the contract's
// column order (ingest.SiteColumns). An omnidirectional site has an empty
// azimuth.
func WriteSitesCSV(w io.Writer, sites []engine.Site) error {
	t, err := newTable(w, ingest.SiteColumns)
	if err != nil {
		return err
	}
	for _, s := range sites {
		bh := ""
		if s.Backhaul != engine.BackhaulUnknown {
			bh = s.Backhaul.String()
		}
		cellID, nodeID, pci, arfcn := "", "", int32(-1), int32(-1)
		if c := s.Cell; c != nil {
			cellID, nodeID, pci, arfcn = c.CellID, c.NodeID, c.PCI, c.ARFCN
		}
		if err := t.cw.Write([]string{s.SiteID, string(s.Carrier), s.Tech.String(), num(s.Lon, 6), num(s.Lat, 6),
			num(s.BandMHz, 0), num(s.HeightM, 1), num(s.AzimuthDeg, 1), num(s.BeamwidthDeg, 1), num(s.TiltDeg, 1),
			num(s.EIRPDBm, 1), s.Status.String(), bh, cellID, nodeID, cellNum(pci), cellNum(arfcn)}); err != nil {
			return err
		}
	}
	return t.close()
}

// cellNum writes a PCI or ARFCN, empty when absent (−1).
func cellNum(v int32) string {
	if v < 0 {
		return ""
	}
	return strconv.Itoa(int(v))
}

// WriteMeasurementsCSV writes a measurement batch with a header, in the
// contract's column order (ingest.MeasurementColumns). Timestamps are RFC
// 3339 with milliseconds in Viet Nam time (+07:00); absent values are
// empty.
func WriteMeasurementsCSV(w io.Writer, b *engine.MeasurementBatch) error {
	t, err := newTable(w, ingest.MeasurementColumns)
	if err != nil {
		return err
	}
	enum := func(s string, zero bool) string {
		if zero {
			return ""
		}
		return s
	}
	rec := make([]string, len(ingest.MeasurementColumns))
	for i := range b.Len() {
		rec[0] = time.UnixMilli(b.TimeUnixMs[i]).In(ICT).Format("2006-01-02T15:04:05.000Z07:00")
		rec[1] = string(b.Carrier[i])
		rec[2] = b.Tech[i].String()
		rec[3] = num(b.Lon[i], 6)
		rec[4] = num(b.Lat[i], 6)
		rec[5] = num(b.SignalDBm[i], 1)
		rec[6] = b.Service[i].String()
		rec[7] = num(b.RSRQDB[i], 1)
		rec[8] = num(b.SINRDB[i], 1)
		rec[9] = num(b.DLMbps[i], 2)
		rec[10] = num(b.ULMbps[i], 2)
		rec[11] = num(b.LatencyMs[i], 0)
		rec[12] = enum(b.Source[i].String(), b.Source[i] == engine.SourceUnknown)
		rec[13] = b.DeviceID[i]
		rec[14] = enum(b.DeviceClass[i].String(), b.DeviceClass[i] == engine.DeviceUnknown)
		rec[15] = enum(b.Environment[i].String(), b.Environment[i] == engine.EnvUnknown)
		if b.HasServing() {
			rec[17], rec[18], rec[19], rec[20], rec[21] = b.CellID[i], b.NodeID[i], cellNum(b.PCI[i]), cellNum(b.ARFCN[i]), b.Band[i]
		}
		if err := t.cw.Write(rec); err != nil {
			return err
		}
	}
	return t.close()
}

// WriteSubscriptionsCSV writes the subscriptions table with a header, in
// the contract's column order (SubscriptionColumns).
func WriteSubscriptionsCSV(w io.Writer, subs []Subscription) error {
	t, err := newTable(w, SubscriptionColumns)
	if err != nil {
		return err
	}
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	for _, s := range subs {
		if err := t.cw.Write([]string{s.AreaCode, s.Period.String(), i(s.Households), i(s.FiberHouseholds),
			i(s.MobileSubscribers), i(s.SmartphoneSubscribers), i(s.Only2GSubscribers), i(s.SurveyedHouseholds),
			i(s.SurveyedWithSmartphone), strconv.FormatFloat(s.FixedMedianDLMbps, 'f', 2, 64)}); err != nil {
			return err
		}
	}
	return t.close()
}

// VillageTruthColumns is the layout of WriteVillageTruthCSV.
var VillageTruthColumns = []string{"village_id", "kind", "env", "best_3g4g_margin_db", "covered_by", "only_2g", "dead_zone"}

// WriteVillageTruthCSV writes the true coverage of every village as CSV
// (VillageTruthColumns; covered_by joins carriers with "|").
func WriteVillageTruthCSV(w io.Writer, t *Truth) error {
	tb, err := newTable(w, VillageTruthColumns)
	if err != nil {
		return err
	}
	for _, v := range t.Villages {
		cb := ""
		for i, c := range v.CoveredBy {
			if i > 0 {
				cb += "|"
			}
			cb += string(c)
		}
		if err := tb.cw.Write([]string{v.VillageID, v.Kind, v.Env, num(v.Best3G4GMarginDB, 1), cb,
			strconv.FormatBool(v.Only2G), strconv.FormatBool(v.DeadZone)}); err != nil {
			return err
		}
	}
	return tb.close()
}

// WriteGroundTruth writes the whole ground truth as one JSON document:
// {"thresholds": …, "villages": […], "signals": […], "penetration": […]}.
// Shares are rounded to 6 decimals; the output is deterministic.
func WriteGroundTruth(w io.Writer, t *Truth) error {
	type thresholds struct {
		CoveredDBm   map[string]float64 `json:"covered_dbm"`
		NoServiceDBm map[string]float64 `json:"no_service_dbm"`
	}
	doc := struct {
		Thresholds  thresholds      `json:"thresholds"`
		Villages    []VillageTruth  `json:"villages"`
		Signals     []VillageSignal `json:"signals"`
		Penetration []Penetration   `json:"penetration"`
	}{Thresholds: thresholds{map[string]float64{}, map[string]float64{}}, Villages: t.Villages, Signals: t.Signals}
	for _, tech := range engine.Techs {
		doc.Thresholds.CoveredDBm[tech.String()] = t.Thresholds.Covered(tech)
		doc.Thresholds.NoServiceDBm[tech.String()] = t.Thresholds.NoService(tech)
	}
	for _, p := range t.Penetration {
		r := func(x float64) float64 { return math.Round(x*1e6) / 1e6 }
		p.FiberShare, p.SmartphoneUserShare, p.HouseholdSmartphoneShare, p.Only2GShare =
			r(p.FiberShare), r(p.SmartphoneUserShare), r(p.HouseholdSmartphoneShare), r(p.Only2GShare)
		doc.Penetration = append(doc.Penetration, p)
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	return bw.Flush()
}

// VillageSignalColumns is the layout of WriteVillageSignalsCSV.
var VillageSignalColumns = []string{"village_id", "carrier", "tech", "signal_dbm", "site_id", "covered"}

// WriteVillageSignalsCSV writes the true signal per village, carrier and
// technology as CSV (VillageSignalColumns), the bulk of the ground truth
// in a form smaller than JSON.
func WriteVillageSignalsCSV(w io.Writer, t *Truth) error {
	tb, err := newTable(w, VillageSignalColumns)
	if err != nil {
		return err
	}
	for _, s := range t.Signals {
		if err := tb.cw.Write([]string{s.VillageID, string(s.Carrier), s.Tech, num(s.SignalDBm, 1), s.SiteID,
			strconv.FormatBool(s.Covered)}); err != nil {
			return err
		}
	}
	return tb.close()
}
