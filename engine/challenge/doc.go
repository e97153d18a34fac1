// Package challenge adjudicates claimed coverage against submitted tests,
// after the US FCC's mobile challenge process (Broadband Data Collection):
// residents, provincial departments or other carriers submit tests where
// a carrier claims coverage, and a claimed hex falls when the tests are
// spread in space and time and enough of them fail.
//
// # Rules (Config, defaults)
//
// A claim is a (resolution-8 hex, carrier, technology). A test belongs to
// the claim of its resolution-9 cell's parent with its carrier and
// technology. It counts when taken between 06:00 and 22:00 local time
// (start included, end excluded; the zone is Config.UTCOffset, +7 h for
// Vietnam), outdoors or in a vehicle, with a usable result. It is negative
// when its service is none or emergency, or its signal is below the
// covered threshold of its technology (engine.Thresholds: 4G/5G RSRP
// −105 dBm, 3G RSCP −100 dBm, 2G RSSI −95 dBm; a signal exactly at the
// threshold is covered).
//
// A hex is challenged when its counted tests meet all three thresholds:
// geographic (tests in ≥ 4 of its 7 resolution-9 children), temporal (two
// negatives ≥ 4 h apart) and volume (≥ 5 negatives, and the negative share
// significantly above 10%: the one-sided exact binomial test P(X ≥ k | n,
// 0.1) < 0.05, UpperTail). It is upheld when tests meet the geographic
// threshold but the negative share is not significant, and insufficient
// otherwise; Result.Reason lists every threshold not met. A resolution-7
// parent is challenged when ≥ 4 of its 7 children are, and likewise from
// 7 to 6; it is upheld when ≥ 4 of its children are decided (upheld or
// challenged) but fewer than 4 challenged, and insufficient otherwise: a
// parent whose children hold no test, or too few to decide them, is not
// said to uphold the claim.
//
// # Determinism
//
// Results are sorted by carrier, technology and cell; rollups by
// resolution (finest first), then the same keys. The package does no I/O,
// reads no clock (times are Unix milliseconds in the input) and holds no
// global state.
package challenge
