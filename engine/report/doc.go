// Package report renders lomsong's results as one self-contained HTML
// page that a provincial director opens in a browser with no network:
// where the province stands on the five targets of 2022, why (a map of
// coverage, dead zones and villages without signal), and what changed
// since last month (changes, trends and alerts).
//
// # Contents
//
// The caller fills a Report (a plain struct; the command line adapts
// lomsong's tables into it) and Write renders it:
//
//   - a header with the title, data period, boundary set and generation
//     time (passed in: the package reads no clock), links to the sections
//     and links to the province sections in alphabetical order as
//     Vietnamese sorts names (golang.org/x/text/collate), each with its
//     figure of target 1;
//   - at-a-glance tiles for the nation: each target's value, interval,
//     status (met, not met or unknown), change since the previous month
//     and rank;
//   - the scorecard table of the month for every area, from a
//     *scorecard.Card; below 700 px wide (a phone) each area's row is a
//     card of label and value lines (each cell carries its column's name
//     as data-label, shown by a CSS rule), the column heads a key above;
//   - trend charts per target (value line, interval band, dashed goal
//     line; months with unknown data are gaps marked "?");
//   - alerts: new dead-zone hexes and villages and regressions;
//   - the top dead zones table (households, hexes, km², villages,
//     communes, nearest sites of each carrier);
//   - the investment plan's households-versus-budget curve, when given;
//   - one section per province: tiles, map, trends, alerts, dead zones,
//     villages without signal or uncertain, and its communes that hold
//     such villages (as the GeoPackage's communes_summary counts them);
//   - notes and the scorecard's rules.
//
// Unknown is always written "unknown", never as zero.
//
// # Maps
//
// Geometry is lon, lat degrees (WGS84, orb order). A map is projected
// equirectangularly, x scaled by the cosine of the middle latitude of the
// map's bound and y flipped, and fitted into a 1000 × 1000 viewBox with a
// 10-unit margin, keeping the aspect ratio. Coordinates are rounded to a
// tenth of a unit (about 15 m on a 150 km wide province) and written as
// relative path data; hexes of one state are merged into one <path>, so a
// map of 10,000 hexes is about 0.5 MB. Hex colours (blue covered, yellow
// weak, red uncovered, grey no data) are ColorBrewer's RdYlBu, told apart
// under the common colour-vision deficiencies; every colour also has a
// text label.
//
// # Guarantees
//
// The page uses inline CSS and inline SVG only: no scripts, no external
// fonts, images, styles or links (links are in-page anchors). The markup
// is XHTML-compatible and parses as well-formed XML. All text from the
// Report is escaped (html/template) and control characters XML forbids
// are dropped. Output is deterministic: the same Report gives the same
// bytes (lists are rendered in the order given, nothing in map order).
// Write is safe for concurrent use with distinct writers.
package report
