package engine

import "math"

// ValueHash returns the 128-bit hash of row i's values: equal for the same
// measurement read from any encoding (a time with another offset, -95 or
// -95.0, LTE or 4G, a carrier in another spelling, quoted or not: what is
// stored is equal), and for two different rows equal with a probability of
// about 2⁻¹²⁸. The dataset sums it into a source's digest of its rows and
// compares it across files; ingest compares its first word within a file.
// It is not a cryptographic hash: it tells honest repeats apart, it does
// not resist forgery. Its values are recorded in datasets (rows_digest):
// they must not change.
func (b *MeasurementBatch) ValueHash(i int) [2]uint64 {
	sc := ServingCell{PCI: -1, ARFCN: -1}
	if i < len(b.CellID) {
		sc = ServingCell{CellID: b.CellID[i], NodeID: b.NodeID[i], Band: b.Band[i], PCI: b.PCI[i], ARFCN: b.ARFCN[i]}
	}
	return valueHash(b.TimeUnixMs[i], b.Carrier[i], b.Tech[i],
		[8]float64{b.Lon[i], b.Lat[i], b.SignalDBm[i], b.RSRQDB[i], b.SINRDB[i], b.DLMbps[i], b.ULMbps[i], b.LatencyMs[i]},
		enumWord(b.Service[i], b.Source[i], b.DeviceClass[i], b.Environment[i], b.SpeedAt(i)), b.DeviceID[i], &sc)
}

// ValueHash returns the hash of m's values that MeasurementBatch.ValueHash
// returns for m appended to a batch.
func (m *Measurement) ValueHash() [2]uint64 {
	sc := ServingCell{PCI: -1, ARFCN: -1}
	if m.Serving != nil {
		sc = *m.Serving
	}
	return valueHash(m.TimeUnixMs, m.Carrier, m.Tech,
		[8]float64{m.Lon, m.Lat, m.SignalDBm, m.RSRQDB, m.SINRDB, m.DLMbps, m.ULMbps, m.LatencyMs},
		enumWord(m.Service, m.Source, m.DeviceClass, m.Environment, m.Speed), m.DeviceID, &sc)
}

// enumWord packs a row's small enums into one word.
func enumWord(svc Service, src Source, dc DeviceClass, env Environment, speed SpeedKind) uint64 {
	return uint64(svc) | uint64(src)<<8 | uint64(dc)<<16 | uint64(env)<<24 | uint64(speed)<<32
}

func valueHash(ms int64, c Carrier, t Tech, vals [8]float64, enums uint64, device string, sc *ServingCell) [2]uint64 {
	h := rowHasher{a: 0x9e3779b97f4a7c15, b: 0xc2b2ae3d27d4eb4f}
	h.word(uint64(ms))
	h.str(string(c))
	h.word(uint64(t))
	for _, v := range vals {
		h.float(v)
	}
	h.word(enums)
	h.str(device)
	// A row's serving cell, when it has one: a row without one hashes
	// alike in a batch with the columns (empty, PCI and ARFCN −1, as a
	// part read back holds them) and in one without.
	if sc.CellID != "" || sc.NodeID != "" || sc.Band != "" || sc.PCI != -1 || sc.ARFCN != -1 {
		h.str(sc.CellID)
		h.str(sc.NodeID)
		h.word(uint64(uint32(sc.PCI)) | uint64(uint32(sc.ARFCN))<<32)
		h.str(sc.Band)
	}
	return [2]uint64{h.a, h.b}
}

// rowHasher mixes a row's values into two 64-bit states.
type rowHasher struct{ a, b uint64 }

// word mixes one 64-bit word into both states (splitmix64's finaliser on
// each, with the word added under two different constants).
func (h *rowHasher) word(w uint64) {
	h.a = mix64(h.a ^ (w + 0x9e3779b97f4a7c15))
	h.b = mix64(h.b ^ (w*0xff51afd7ed558ccd + 0x632be59bd9b4e019))
}

// float mixes a float's bits, with every NaN one value (an absent reading).
func (h *rowHasher) float(v float64) {
	if math.IsNaN(v) {
		h.word(0x7ff8000000000001)
		return
	}
	h.word(math.Float64bits(v))
}

// str mixes a string's length and bytes, eight at a time.
func (h *rowHasher) str(s string) {
	h.word(uint64(len(s)))
	for len(s) >= 8 {
		h.word(uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56)
		s = s[8:]
	}
	var w uint64
	for i := 0; i < len(s); i++ {
		w |= uint64(s[i]) << (8 * i)
	}
	h.word(w)
}

// mix64 is splitmix64's finaliser (Steele, Lea and Flood, Fast Splittable
// Pseudorandom Number Generators, 2014): a bijection of 64-bit words
// whose every output bit depends on every input bit.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
