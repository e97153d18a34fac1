package report

import "html/template"

// page is the report's template. The markup is XHTML-compatible: void
// elements are self-closed and only XML's own entities are used.
var page = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;color:#222;background:#fff;line-height:1.4}
header,main,footer{max-width:1200px;margin:0 auto;padding:0 16px}
header{border-bottom:3px solid #08519c;padding-bottom:8px}
h1{margin:16px 0 4px;font-size:1.6em}
h2{border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:32px}
h3{margin:20px 0 8px}
.meta{color:#555;margin:0}
nav{margin:8px 0;font-size:.95em}
nav a{margin-right:12px;color:#08519c}
.tiles{display:flex;flex-wrap:wrap;gap:10px}
.tile{border:1px solid #ccc;border-radius:6px;padding:8px 10px;min-width:190px;flex:1}
.tile .name{font-weight:bold;font-size:.9em}
.tile .value{font-size:1.5em;font-weight:bold}
.small{font-size:.8em;color:#555}
.note{color:#8a4b00}
.status{display:inline-block;padding:1px 6px;border-radius:4px;font-size:.85em;font-weight:bold}
.status.met{background:#d1e5f0;color:#053061}
.status.notmet{background:#fddbc7;color:#67001f}
.status.unknown{background:#eee;color:#444;border:1px dashed #888}
.better{color:#2166ac}.worse{color:#b2182b}.same{color:#555}
table{border-collapse:collapse;width:100%;font-size:.85em}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
td.sites{min-width:18em}
main svg{max-width:100%;height:auto}
.scroll>svg.chart{max-width:none}
th,td{border:1px solid #ddd;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f3f3f3}
th .shared{font-weight:normal}
tr.national td{background:#f7fbff;font-weight:bold}
td.num{text-align:right;white-space:nowrap}
.charts{display:flex;flex-wrap:wrap;gap:8px}
.mapbox{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
svg.map{width:100%;max-width:820px;height:auto;border:1px solid #ddd;background:#fff}
.legend{list-style:none;padding:0;margin:0;font-size:.9em}
.legend li{margin:4px 0}
.key{display:inline-block;width:14px;height:14px;vertical-align:middle;margin-right:6px;border:1px solid #888}
.key.covered{background:#4575b4}.key.weak{background:#fee090}.key.uncovered{background:#d73027}.key.nodata{background:#d9d9d9}.key.outside{background:#f7f7f7}
.key.zone{border:2px solid #000;background:transparent}
.key.village{border-radius:50%;border:2px solid #000;background:#fff;width:9px;height:9px}
.key.village-dead{border-radius:50%;border:2px solid #000;background:#000;width:9px;height:9px}
.key.village-uncertain{border-radius:50%;border:2px dashed #e66101;background:#fff;width:9px;height:9px}
td.village-dead{font-weight:bold}td.village-uncertain{color:#b35806}
.key.site{background:#636363;width:4px;height:4px;border:0}
.alert{border-left:4px solid #d55e00;padding:4px 8px;margin:6px 0;background:#fff7ec}
footer{color:#777;font-size:.85em;border-top:1px solid #ccc;margin-top:32px;padding-top:8px;padding-bottom:24px}
nav.provinces .entry{white-space:nowrap;margin-right:12px}
nav.provinces .entry a{margin-right:0}
@media (max-width:700px){
table.scorecard,table.scorecard thead,table.scorecard tbody,table.scorecard tr,table.scorecard th{display:block}
table.scorecard thead tr{border:1px solid #ccc;border-radius:6px;background:#f3f3f3;padding:4px 0;margin-bottom:12px}
table.scorecard thead th{border:0;padding:3px 8px}
table.scorecard thead th:first-child,table.scorecard thead th:last-child{display:none}
table.scorecard tbody tr{border:1px solid #ccc;border-radius:6px;margin-bottom:12px;overflow:hidden}
table.scorecard td{display:grid;grid-template-columns:38% 1fr;gap:8px;border:0;border-top:1px solid #e5e5e5;padding:6px 8px;text-align:left;white-space:normal}
table.scorecard td[data-label]::before{content:attr(data-label);font-weight:bold;color:#444}
table.scorecard td.area{display:block;border-top:0;background:#f3f3f3;font-weight:bold;font-size:1.1em}
table.scorecard td.area::before{content:none}
table.scorecard tr.nodata td{display:block;border-top:0}
table.cards,table.cards tbody,table.cards tr{display:block}
table.cards thead{display:none}
table.cards tbody tr{border:1px solid #ccc;border-radius:6px;margin-bottom:10px;overflow:hidden}
table.cards td{display:grid;grid-template-columns:42% 1fr;gap:8px;border:0;border-top:1px solid #e5e5e5;padding:4px 8px;text-align:left;white-space:normal;min-width:0;overflow-wrap:anywhere}
table.cards td[data-label]::before{content:attr(data-label);font-weight:bold;color:#444}
table.cards td.head{display:block;border-top:0;background:#f3f3f3;font-weight:bold}
table.cards td.rank{display:none}
table.cards td.head[data-rank]::before{content:attr(data-rank) " "}
}
@media print{nav{display:none}section{page-break-inside:avoid}}
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<p class="meta">{{if .Period}}Data period: <strong>{{.Period}}</strong>{{end}}{{if .BoundarySet}} · Boundaries: {{.BoundarySet}}{{end}}{{if .GeneratedAt}} · Generated {{.GeneratedAt}}{{end}}</p>
{{if .Carriers}}<p class="meta">Carriers analysed: {{.Carriers}}. <span class="small">{{.CarriersNote}}</span></p>
{{end}}{{if .Nav}}<nav>{{range .Nav}}<a href="#{{.ID}}">{{.Text}}</a> {{end}}</nav>{{end}}
{{if .ProvinceNav}}<nav class="provinces"><span class="small">{{.ProvinceNavText}}</span> {{range .ProvinceNav}}<span class="entry"><a href="#{{.ID}}">{{.Text}}</a>{{if .Count}} <span class="small">{{.Count}}</span>{{end}}</span> {{end}}</nav>{{end}}
</header>
<main>
{{if .HasCard}}
<section id="summary">
<h2>At a glance{{with .Glance}}: {{.Area}}, {{.Period}}{{end}}</h2>
{{with .Glance}}{{template "glance" .}}{{else}}<p>No national figures for this month.</p>{{end}}
{{if .Trends}}<h3>Trends</h3><div class="charts">{{range .Trends}}{{.}}{{end}}</div>
<p class="small">Line: value; shaded band: interval; dashed line: goal; gaps marked ? are months with unknown data.</p>{{end}}
</section>
<section id="scorecard">
{{with .Table}}
<h2>Scorecard, {{.Period}}</h2>
<div class="scroll"><table class="scorecard">
<thead><tr><th>Area</th>{{range .Head}}<th>{{.Name}}<br/><span class="small">{{.Goal}}</span>{{range .Shared}}<br/><span class="small shared">{{.}}</span>{{end}}</th>{{end}}<th>Met</th></tr></thead>
<tbody>
{{range .Rows}}<tr{{if .National}} class="national"{{end}}><td class="area" data-label="Area">{{if .Link}}<a href="#{{.Link}}">{{.Code}}</a>{{else}}{{.Code}}{{end}}{{if .Name}} {{.Name}}{{end}}{{if .National}} (national){{end}}</td>{{range .Cells}}<td data-label="{{.Label}}"><div>{{template "cell" .}}</div></td>{{end}}<td class="num" data-label="Met">{{.Met}}</td></tr>
{{end}}{{range .NoData}}<tr class="nodata"><td colspan="7"><span class="status unknown">unknown ?</span> <strong>every target unknown in {{.CountText}} area{{if ne .Count 1}}s{{end}}</strong> (none counted as met or not met): {{range $i, $a := .Areas}}{{if $i}}, {{end}}{{if $a.ID}}<a href="#{{$a.ID}}">{{$a.Text}}</a>{{else}}{{$a.Text}}{{end}}{{end}}{{.More}}<br/><span class="small">{{.Reason}}</span></td></tr>
{{end}}</tbody>
</table></div>
{{end}}
</section>
<section id="alerts">
<h2>Alerts: what changed</h2>
{{template "alerts" .Alerts}}{{if .AlertsNote}}<p><span class="status unknown">unknown ?</span> {{.AlertsNote}}</p>{{end}}
</section>
{{end}}
{{if .Zones}}
<section id="deadzones">
<h2>Top dead zones (lõm sóng)</h2>
{{template "zones" .Zones}}{{if .ZonesMore}}
<p class="small">{{.ZonesMore}}</p>{{end}}
</section>
{{end}}
{{if .OffAir}}
<section id="offair">
<h2>Masts listed active that the tests show off the air</h2>
<p class="small">Each mast's tests read far below what it should give and about what the other masts give, or nothing where no other mast reaches; "standing up to 800 m from its registered position" was weighed too. Every stage predicts these masts as down. Check the register and the site: a power or backhaul fault, or a wrong position or status.</p>
<div class="scroll"><table>
<thead><tr><th>Carrier</th><th>Mast (first site id)</th><th>Sectors</th><th>Area</th><th>Lat, lon</th><th>Tested places</th><th>Median reading vs. prediction</th><th>P(off the air)</th></tr></thead>
<tbody>
{{range .OffAir}}<tr><td>{{.Carrier}}</td><td>{{.Mast}}</td><td class="num">{{.Sectors}}</td><td>{{.Area}}</td><td>{{.Position}}</td><td class="num">{{.Observations}}</td><td class="num">{{.Residual}}</td><td class="num">{{.POff}}</td></tr>
{{end}}</tbody>
</table></div>
{{if .OffAirMore}}<p class="small">{{.OffAirMore}}</p>{{end}}
</section>
{{end}}
{{if .PlanText}}
<section id="plan">
<h2>Investment plan: households reached vs. budget</h2>
<p>{{.PlanText}}</p>
{{if .Plan}}<div class="scroll">{{.Plan}}</div>{{end}}
</section>
{{end}}
{{range .Provinces}}
<section id="{{.ID}}">
<h2>{{.Name}}{{if .Code}} ({{.Code}}){{end}}</h2>
{{if .HasCard}}{{with .Glance}}<p><strong>{{.Met}}</strong> in {{.Period}}.</p>{{template "glance" .}}{{else}}<p>No scorecard figures for this province in this month.</p>{{end}}{{end}}
{{if .Map}}
<h3>Coverage map</h3>
<div class="mapbox">
{{.Map}}
<ul class="legend">
{{range .Legend}}<li><span class="key {{.Key}}"></span>{{.Text}}</li>
{{end}}</ul>
</div>
<p class="small">Each hexagon shows the best 3G/4G coverage from any carrier. North is up.</p>
{{end}}
{{if .Trends}}<h3>Trends</h3><div class="charts">{{range .Trends}}{{.}}{{end}}</div>{{end}}
{{if .HasCard}}<h3>Alerts</h3>{{template "alerts" .Alerts}}{{if .AlertsNote}}<p><span class="status unknown">unknown ?</span> {{.AlertsNote}}</p>{{end}}{{end}}
{{if .Zones}}<h3>Top dead zones</h3>{{template "zones" .Zones}}{{end}}
{{if .Villages}}<h3>Villages without 3G/4G or uncertain</h3>
<p class="small">p_dead is the probability that no carrier reaches 3G/4G at the village point, from every test and the calibrated prediction. Uncertain villages (0.2 &lt; p_dead &lt; 0.8) are where a test decides most: they are shown as such, not as served or dead. Target 1 counts every village at or above the cut (p_dead ≥ 0.5 unless --miss-cost moves it): an uncertain one over it is marked "counted without 3G/4G".</p>
{{template "villages" .Villages}}{{if .MoreVillages}}<p class="small">{{.MoreVillages}}</p>{{end}}{{if .Expected}}<p class="small">{{.Expected}}</p>{{end}}{{end}}{{if or .Communes .CommunesNote}}
<h3>Communes</h3>
{{if .Communes}}<p class="small">The communes with a village without 3G/4G or an uncertain one, most households without 3G/4G first, as the GeoPackage's communes_summary counts them (uncertain villages are counted as served, not without 3G/4G).</p>
<div class="scroll"><table>
<thead><tr><th>Commune</th><th>Villages</th><th>Without 3G/4G</th><th>Their households</th><th>Uncertain</th><th>Their households</th></tr></thead>
<tbody>
{{range .Communes}}<tr><td{{if .Dead}} class="village-dead"{{end}}>{{.Commune}}</td><td class="num">{{.Villages}}</td><td class="num">{{.WithoutSignal}}</td><td class="num">{{.Households}}</td><td class="num">{{.Uncertain}}</td><td class="num">{{.HouseholdsUncertain}}</td></tr>
{{end}}</tbody>
</table></div>{{end}}{{if .CommunesNote}}<p class="small">{{.CommunesNote}}</p>{{end}}{{end}}
{{if .Notes}}<h3>Notes</h3><ul>{{range .Notes}}<li>{{.}}</li>{{end}}</ul>{{end}}
</section>
{{end}}
{{if .Files}}
<section id="files">
<h2>GIS files</h2>
<p>The month's layers as files for QGIS, notebooks and databases (docs/exports.md lists their columns):</p>
<ul>{{range .Files}}<li><a href="{{.Href}}">{{.Name}}</a>: {{.Text}}</li>
{{end}}</ul>
</section>
{{end}}{{if or .Notes .Rules}}
<section id="notes">
<h2>Notes and assumptions</h2>
<ul>{{range .Rules}}<li>{{.}}</li>{{end}}{{range .Notes}}<li>{{.}}</li>{{end}}</ul>
</section>
{{end}}
</main>
<footer>lomsong report{{if .GeneratedAt}}, generated {{.GeneratedAt}}{{end}}. This file works offline: it loads nothing from the network.</footer>
</body>
</html>
{{define "cell"}}<span class="status {{.Status}}">{{.StatusText}}</span> <strong>{{.Value}}</strong>{{if .Interval}}<br/><span class="small">{{.Interval}}</span>{{end}}{{if .Change}}<br/><span class="small {{.ChangeClass}}">{{.Change}}</span>{{end}}{{if .Reason}}<br/><span class="small">{{.Reason}}</span>{{end}}{{if .Notes}}<br/><span class="small note">{{.Notes}}</span>{{end}}{{if .Rank}}<br/><span class="small">{{.Rank}}</span>{{end}}{{end}}
{{define "glance"}}<div class="tiles">{{range .Tiles}}<div class="tile"><div class="name">{{.Name}}</div><div class="value">{{.Value}}</div><div><span class="status {{.Status}}">{{.StatusText}}</span> <span class="small">{{.Goal}}</span></div>{{if .Interval}}<div class="small">{{.Interval}}</div>{{end}}<div class="small {{.ChangeClass}}">{{.Change}}</div>{{if .Reason}}<div class="small">{{.Reason}}</div>{{end}}{{if .Notes}}<div class="small note">{{.Notes}}</div>{{end}}{{if .Rank}}<div class="small">{{.Rank}}</div>{{end}}</div>{{end}}</div>{{end}}
{{define "alerts"}}{{if .}}{{range .}}<div class="alert"><strong>{{.Kind}}</strong> · {{.Area}} · {{.Period}}: {{.Message}}{{if .Items}}<br/><span class="small">{{.Items}}</span>{{end}}</div>
{{end}}{{else}}<p>No alerts this month.</p>{{end}}{{end}}
{{define "villages"}}<div class="scroll"><table class="cards">
<thead><tr><th>Village</th><th>Commune</th><th>Households</th><th>Verdict</th><th>p_dead</th><th>Most likely service</th><th>Signal (mean ± σ)</th><th>Tests within 300 m</th><th>Nearest test</th></tr></thead>
<tbody>
{{range .}}<tr><td class="head">{{.Name}}</td><td data-label="Commune">{{.Commune}}</td><td class="num" data-label="Households">{{.Households}}</td><td class="{{.StatusClass}}" data-label="Verdict">{{.Status}}</td><td class="num" data-label="p_dead">{{.PDead}}</td><td data-label="Most likely service">{{.Best}}</td><td class="num" data-label="Signal (mean ± σ)">{{.Signal}}</td><td class="num" data-label="Tests within 300 m">{{.Tests}}</td><td class="num" data-label="Nearest test">{{.Nearest}}</td></tr>
{{end}}</tbody>
</table></div>{{end}}
{{define "zones"}}<div class="scroll"><table class="cards">
<thead><tr><th>#</th><th>Zone</th><th>Households without 3G/4G</th><th>Hexes</th><th>Area (km²)</th><th>Villages</th><th>Communes</th><th>Nearest sites</th></tr></thead>
<tbody>
{{range .}}<tr><td class="num rank">{{.Rank}}</td><td class="head" data-rank="{{.Rank}}.">{{.ID}}</td><td class="num" data-label="Households without 3G/4G">{{.Households}}</td><td class="num" data-label="Hexes">{{.Hexes}}</td><td class="num" data-label="Area (km²)">{{.Area}}</td><td class="num" data-label="Villages">{{.Villages}}</td><td data-label="Communes">{{.Communes}}</td><td class="sites" data-label="Nearest sites">{{.Nearest}}</td></tr>
{{end}}</tbody>
</table></div>{{end}}
`))
