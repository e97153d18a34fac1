// Package synth generates lomsong's demo world: a deterministic, invented
// but plausible picture of mobile coverage in Viet Nam, built on the real
// province outlines and 2019 census figures of package geodata, so that
// lomsong runs end to end on a machine with no data ("lomsong demo").
//
// Generate returns every table in memory; the Write*CSV functions render
// them in the input contract's CSV layouts (DESIGN.md) with a header row,
// fixed decimals and no map order, so the same Config gives byte-identical
// files. Writing files is the caller's job.
//
// # The world
//
// For each 2019 province (a 2025 province is the union of its 2019
// members):
//
//   - Towns: the provincial capital near the middle and district towns
//     spread over the outline (about one per 1,100 km² plus one per 70,000
//     households, 3–30). The census urban households are split among them,
//     the capital taking the largest share, and each town becomes urban
//     neighbourhoods (tổ dân phố) of about 350 households, denser at the
//     centre.
//   - Roads: random walks in 1 km steps from the capital to every district
//     town and short valley roads from each town.
//   - Villages (thôn/bản): the census rural households in villages of a
//     mean size that grows with population density (60–350 households),
//     strung along the roads (offset ~0.6 km), around the towns, and a
//     share of remote hamlets far from any road (3 % in the lowlands, 12 %
//     in the mountains). Households are apportioned by largest remainder,
//     so they add up to the census households of every province exactly.
//     Villages carry no real commune: commune_code is the output area code
//     followed by a 3-digit district-like index (the nearest town).
//   - Sites: Viettel dense everywhere, VinaPhone and MobiFone thinner,
//     Vietnamobile in the larger towns only. Urban grids of 25–35 m,
//     three-sector sites (4G 1800 MHz everywhere, 4G 2100, 3G 2100 and 2G
//     900 MHz on a share); rural 36–40 m towers near every village a carrier
//     chooses to serve (2G 900, mostly 3G 2100 and 4G 1800; some remote
//     sites 2G-only), sites along the main roads, about 2 % down, and
//     planned universal-service sites at unserved remote hamlets. Remote
//     hamlets are rarely served, so real dead-zone villages exist (a few
//     percent in a mountainous province, fewer in the lowlands).
//   - Measurements in the measurement month: drive tests along every road
//     (a multi-technology scanner per carrier, in a vehicle, every 0.3 km
//     at density 1), and crowd tests by phones living in every settlement
//     (smartphones and tablets camp on the best of 4G, 3G, 2G; feature
//     phones on 2G only; 45 % indoors with 12 ± 4 dB penetration loss).
//     Times fall mostly between 06:00 and 22:00 Viet Nam time (UTC+7) and
//     never after Config.Now.
//   - Subscriptions per area and month, drawn from true shares that follow
//     the national figures (fibre households 74.5 % in Dec 2022 → 82.3 % in
//     Oct 2024; smartphones 75 % → 88.7 % of mobile users; 2G-only phones
//     falling towards 4 %) with provincial offsets from remoteness and the
//     urban share (mountainous provinces near 57 % smartphone users in
//     2022).
//
// # Signals
//
// The true signal at a point is engine/predict's best-server prediction
// over active sites (down and planned sites excluded) plus log-normal
// shadowing with the model's σ, spatially consistent: a seeded hash of the
// point's H3 resolution-9 cell, carrier and technology, so every test and
// village in a cell shares it. The environment class of a point comes from
// the population density of its H3 resolution-8 cell (the world's
// households at the province's census household size) through
// predict.DefaultEnvCutoffs, the way the engine classifies hexes. Sites
// farther than a per-environment range (rangesM) are not evaluated.
// A test adds measurement noise (3 dB scanner, 4 dB phone); one below the
// technology's no-service level (engine.DefaultThresholds) becomes service
// "none" with an empty signal. Every row passes ingest's validation.
//
// # Ground truth
//
// Truth holds, per village, the true signal of each carrier and technology
// in range, whether the village is a dead zone (no carrier with 3G RSCP ≥
// −100 dBm or 4G RSRP ≥ −105 dBm there), and per area and month the true
// fibre, smartphone and 2G-only shares. The engine never reads it.
//
// # Determinism and concurrency
//
// Randomness comes from math/rand/v2 PCG streams seeded with Config.Seed
// and a stream name (stage and province), so a province's geography and
// sites are the same whichever other provinces are generated with it.
// Nothing reads a clock or global state; Generate is safe for concurrent
// use, and its result does not depend on Config.Workers.
package synth
