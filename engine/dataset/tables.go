package dataset

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/lomsong/lomsong/internal/shellquote"
)

func villageColumns(v []engine.Village) []arrowio.Column {
	n := len(v)
	id, name, commune := make([]string, n), make([]string, n), make([]string, n)
	lon, lat, hh := make([]float64, n), make([]float64, n), make([]float64, n)
	for i, x := range v {
		id[i], name[i], commune[i], lon[i], lat[i], hh[i] = x.ID, x.Name, x.CommuneCode, x.Lon, x.Lat, x.Households
	}
	return []arrowio.Column{{Name: "village_id", String: id}, {Name: "name", String: name}, {Name: "commune_code", String: commune},
		{Name: "lon", Float64: lon}, {Name: "lat", Float64: lat}, {Name: "households", Float64: hh}}
}

func subscriptionColumns(s []engine.Subscription) []arrowio.Column {
	n := len(s)
	area, period := make([]string, n), make([]string, n)
	cols := make([][]float64, len(ingest.SubscriptionColumns)-2)
	for i := range cols {
		cols[i] = make([]float64, n)
	}
	for i, x := range s {
		area[i], period[i] = x.AreaCode, x.Period
		for j, v := range []float64{x.Households, x.FiberHouseholds, x.MobileSubscribers, x.SmartphoneSubscribers,
			x.Only2GSubscribers, x.SurveyedHouseholds, x.SurveyedWithSmartphone, x.FixedMedianDLMbps} {
			cols[j][i] = v
		}
	}
	out := []arrowio.Column{{Name: "area_code", String: area}, {Name: "period", String: period}}
	for j, name := range ingest.SubscriptionColumns[2:] {
		out = append(out, arrowio.Column{Name: name, Float64: cols[j]})
	}
	return out
}

// readRegister re-reads a stored register (villages, subscriptions)
// through the same validation it passed on ingest (the stored columns
// carry the contract names), so the store and the contract cannot drift
// apart, in part order; of a key several sources list, the rows of the
// source ingested last are kept (latestSource).
//
// With cache, the rows of each part are kept (after its checks) under its
// path and checksums and read from there the next time: a process that
// runs several commands (the demo, the service) decodes a register once.
func readRegister[T any, K comparable](s *Store, kind ingest.Kind,
	read func(context.Context, ingest.Records, *ingest.Mapping, ingest.Config, func([]T) error, func(ingest.Reject) error) (*ingest.Report, error),
	key func(*T) K, cache *partCache) ([]T, error) {
	var out []T
	var src []int32
	order := s.sourceOrder()
	for _, p := range s.Parts(string(kind), nil, nil) {
		if err := s.checkPart(p, false); err != nil {
			return nil, err
		}
		ck := string(kind) + "\x00" + p.Path + "\x00" + p.SHA256 + "\x00" + p.CRC32C + "\x00" + strconv.FormatInt(p.Bytes, 10)
		if rows, ok := cache.get(ck).([]T); ok {
			out = append(out, rows...)
			src = appendSource(src, len(rows), order[p.Path])
			continue
		}
		f, err := os.Open(s.Path(p))
		if err != nil {
			return nil, s.unreadablePart(p, err)
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, err
		}
		t, err := arrowio.OpenTable(f, st.Size())
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("dataset: %s: %w", p.Path, err)
		}
		cfg := ingest.Defaults(p.Path, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
		cfg.Dedup = false
		n := len(out)
		var first *ingest.Reject
		rep, err := read(context.Background(), &tableRecords{t: t, i: -1}, nil, cfg,
			func(v []T) error { out = append(out, v...); return nil },
			func(r ingest.Reject) error {
				if first == nil {
					first = &r
				}
				return nil
			})
		t.Close()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("dataset: %s: %w", p.Path, err)
		}
		if rep.RowsRead != p.Rows {
			return nil, fmt.Errorf("dataset: %s: %d rows read, the manifest lists %d: %w", p.Path, rep.RowsRead, p.Rows, ErrCorruptPart)
		}
		if rep.Rejected > 0 {
			// Stored before a rule was added (a register listing a key
			// twice): the source must be read again.
			why := ""
			if first != nil {
				why = fmt.Sprintf(" (the first: column %s, value %s: %s, %s)", first.Column, first.QuotedValue(), first.Reason, first.Detail)
			}
			return nil, fmt.Errorf("dataset: %s: %d stored rows fail validation%s; take its source out with lomsong dataset retract %s SOURCE and ingest a corrected file",
				p.Path, rep.Rejected, why, shellquote.Quote(s.dir))
		}
		cache.put(ck, slices.Clone(out[n:]))
		src = appendSource(src, len(out)-n, order[p.Path])
	}
	return latestSource(out, src, key), nil
}

// partCache keeps the decoded rows of the last few register parts read
// (partCacheParts), newest last. A nil cache keeps nothing.
type partCache struct {
	mu      sync.Mutex
	entries []partCacheEntry
}

type partCacheEntry struct {
	key  string
	rows any
}

// partCacheParts bounds a partCache: a register is one part per source,
// and a dataset holds a few.
const partCacheParts = 8

// villageParts caches the villages register, which every analysis
// command reads to place the people.
var villageParts = &partCache{}

func (c *partCache) get(key string) any {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.entries {
		if e.key == key {
			return e.rows
		}
	}
	return nil
}

func (c *partCache) put(key string, rows any) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = slices.DeleteFunc(c.entries, func(e partCacheEntry) bool { return e.key == key })
	if len(c.entries) == partCacheParts {
		c.entries = slices.Delete(c.entries, 0, 1)
	}
	c.entries = append(c.entries, partCacheEntry{key, rows})
}

// Villages returns the stored villages, in part order: a register
// ingested again replaces the earlier rows of its village ids.
func (s *Store) Villages() ([]engine.Village, error) {
	return readRegister(s, ingest.KindVillages, ingest.ReadVillages, villageKey, villageParts)
}

// villageKey is the key of a register's village rows, subscriptionKey of
// a subscription table's: a later source's rows of a key replace an
// earlier one's.
func villageKey(v *engine.Village) string { return v.ID }

type areaMonth struct{ area, period string }

func subscriptionKey(v *engine.Subscription) areaMonth { return areaMonth{v.AreaCode, v.Period} }

// Subscriptions returns the stored subscription rows, in part order: a
// table ingested again replaces the earlier rows of its (area, month).
func (s *Store) Subscriptions() ([]engine.Subscription, error) {
	return readRegister(s, ingest.KindSubscriptions, ingest.ReadSubscriptions, subscriptionKey, nil)
}

// sourceOrder returns each part's source's position in the manifest: the
// order the sources were ingested in.
func (s *Store) sourceOrder() map[string]int32 { return sourceOrderOf(&s.manifest) }

// sourceOrderOf returns each part of man's position of its source among
// man's sources.
func sourceOrderOf(man *Manifest) map[string]int32 {
	m := map[string]int32{}
	for i, src := range man.Sources {
		for _, p := range src.Parts {
			m[p.Path] = int32(i)
		}
	}
	return m
}

func appendSource(src []int32, n int, i int32) []int32 {
	for range n {
		src = append(src, i)
	}
	return src
}

// latestSource applies the registers' rule to rows read from the sources
// src (one entry per row, the source's ingest order): of rows whose key
// comes in more than one source, only those of the source ingested last
// are kept, so that a register (sites, villages, subscriptions) ingested
// again — corrected, or with a status changed — replaces its earlier rows
// instead of adding to them. Rows of one source that share a key are all
// kept (a register may list one key twice; the readers decide). The order
// of the rows kept is unchanged. With one source it returns rows as they
// are, at no cost.
func latestSource[T any, K comparable](rows []T, src []int32, key func(*T) K) []T {
	if len(src) == 0 || !slices.ContainsFunc(src, func(i int32) bool { return i != src[0] }) {
		return rows
	}
	last := make(map[K]int32, len(rows))
	for i := range rows {
		k := key(&rows[i])
		if l, ok := last[k]; !ok || src[i] > l {
			last[k] = src[i]
		}
	}
	out := rows[:0]
	for i := range rows {
		if src[i] == last[key(&rows[i])] {
			out = append(out, rows[i])
		}
	}
	return slices.Clip(out)
}
