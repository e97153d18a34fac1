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
//     sites 2G-only), sites along the main roads, and planned
//     universal-service sites at unserved remote hamlets. Remote hamlets
//     are rarely served, so real dead-zone villages exist (a few percent
//     in a mountainous province, fewer in the lowlands).
//   - The register is not the truth (Truth.Sites is): 5 % of the sites
//     registered active or down are down, of which 2 % registered down
//     and 3 % still registered active; 40 % of sites are registered
//     hundreds of metres from their antenna (median 250 m, log-normal
//     spread 0.6, at most 1.5 km), as when positions are geocoded from an
//     address or copied from a neighbour. The true signal comes from the
//     true positions and status.
//   - Measurements in the measurement month: drive tests along every road
//     (a multi-technology scanner per carrier, device class scanner, in a
//     vehicle, every 0.3 km at density 1, recording readings below every
//     phone's reporting floor down to −160 dBm: censored evidence, see
//     engine.Censored), and crowd tests by phones living in every
//     settlement, around its centre where its households cluster (a 2-D
//     Gaussian whose σ grows with the village's households, truncated at
//     0.3 km; measure.go documents it) (smartphones and tablets camp on the best of 4G, 3G, 2G;
//     feature phones on 2G only; 45 % indoors with 12 ± 4 dB penetration
//     loss; a phone that finds no network reports service none). 70 % of
//     remote hamlets have no crowd tests at all (nobody there runs a test
//     app), so many villages have no test nearby. Times fall mostly
//     between 06:00 and 22:00 Viet Nam time (UTC+7) and never after
//     Config.Now.
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
// over the true register's active sites (true positions; down and planned
// sites excluded) plus spatially correlated log-normal shadowing with the
// model's σ (shadow.go): Gaussian fields with exponential correlation
// exp(−d/dcorr), a location part every carrier and technology shares
// (half the variance, decorrelation 300 m: terrain and clutter shadow
// everyone) and a per-carrier and per-technology part (decorrelation
// 100 m), within the ranges of 3GPP TR 38.901 Table 7.5-6 and
// Gudmundson's measurements. The fields are sums of 64 seeded random
// Fourier features, evaluated at any point, so tests and villages at the
// same place see the same shadowing. On top, in mountainous provinces
// (scaled by remoteness, none in the lowlands), terrain blocks: valleys
// of 1.2–2.8 km radius on about 30 % of the cells of a 5 km lattice that
// lose 10–25 dB on every link from a site outside them (half that from a
// site inside), shadowing several sites at once. The environment class of
// a point comes from the population density around it — a Gaussian
// kernel estimate (bandwidth 343 m) over the village points and their
// people (households at the province's census household size) — through
// predict.DefaultEnvCutoffs, so clutter changes at the edge of a village,
// not at the border of an H3 cell; the engine estimates it from its
// population table and cannot see those edges exactly. Sites
// farther than a per-environment range (rangesM) are not evaluated. A
// test adds measurement noise (3 dB scanner, 4 dB phone); a phone's test
// below the technology's no-service level (engine.DefaultThresholds)
// becomes service "none" with an empty signal, a scanner's only below
// −160 dBm (or with no site in range). Every row passes ingest's
// validation.
//
// # Ground truth
//
// Truth holds, per village, the true signal of each carrier and technology
// in range (the same field the tests are drawn from, at the village
// point), whether the village is a dead zone (no carrier with 3G RSCP ≥
// −100 dBm or 4G RSRP ≥ −105 dBm there), the true register, and per area
// and month the true fibre, smartphone and 2G-only shares. The engine
// never reads it; EvaluateVillages scores village verdicts against it.
//
// # Determinism and concurrency
//
// Randomness comes from math/rand/v2 PCG streams seeded with Config.Seed
// and a stream name (stage and province), so a province's geography and
// sites are the same whichever other provinces are generated with it.
// Nothing reads a clock or global state; Generate is safe for concurrent
// use, and its result does not depend on Config.Workers.
package synth
