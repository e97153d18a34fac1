// lomsong dashboard: Vietnamese first, English with ?lang=en. Reads the
// API with the user's bearer token (kept in this tab's sessionStorage).
"use strict";

const params = new URLSearchParams(location.search);
const lang = params.get("lang") === "en" ? "en" : "vi";
const T = {
  vi: {
    token: "Mã truy cập (token)", signin: "Đăng nhập", signout: "Đăng xuất", ministry: "Toàn quốc", carrier: "Nhà mạng",
    province: "Tỉnh", releases: "Các kỳ công bố", release: "Kỳ công bố", period: "Kỳ", status: "Trạng thái",
    provinces: "Xếp hạng tỉnh theo số thôn chưa có 3G/4G", villages: "Thôn", without: "Chưa có 3G/4G",
    households: "Hộ", hh: "hộ", awaiting: "Bài nộp chờ xác nhận", submissions: "Bài nộp và báo cáo kiểm tra", kind: "Loại",
    file: "Tệp", read: "Đọc", accepted: "Nhận", rejected: "Loại bỏ", reasons: "Lý do", quarantine: "Dòng bị loại",
    certify: "Xác nhận", gaps: "Vùng lõm của nhà mạng", gap: "Loại", coveredBy: "Nhà mạng khác phủ", nobody: "Không ai phủ",
    other: "Nhà mạng khác phủ (dùng chung hạ tầng)", map: "Bản đồ thôn và vùng lõm", villagesWithout: "Thôn chưa có 3G/4G",
    evidence: "Bằng chứng", pdead: "Xác suất lõm", tests: "Đo trong 300 m", best: "Mạng tốt nhất", zones: "Vùng lõm sóng",
    zone: "Vùng", area: "Diện tích km²", targets: "Năm chỉ tiêu", target: "Chỉ tiêu", value: "Giá trị", trend: "Xu hướng",
    changes: "Thay đổi so với kỳ trước", newlyDead: "Mới mất sóng", newlyServed: "Mới có sóng", none: "Không có",
    gapsMore: (n, all) => `Bảng ghi ${n} hex nhiều hộ nhất trong ${all} hex.`, showAll: (all) => `Hiện tất cả ${all} hex`,
    noScorecard: (r) => `Kỳ công bố ${r} không có số liệu năm chỉ tiêu: khi công bố chưa có số liệu thuê bao nào được xác nhận.`,
    noCampaign: (r) => `Kỳ công bố ${r} không có kế hoạch đo kiểm: kỳ này được công bố trước khi có chức năng lập kế hoạch đo kiểm.`,
    noEarlier: (r, p) => `Kỳ công bố ${r} (${p}) là kỳ đầu tiên của tháng và chưa có tháng nào trước đó được công bố: chưa có gì để so sánh.`,
    notKnown: "Chưa biết: tỉnh chưa được đánh giá trong kỳ công bố này (không phải là không có).",
    // Submission errors by error_code; the English detail follows where
    // the code alone does not say what to change.
    errors: {
      too_many_rejects: (s) => `${fmt(100 * s.rejected / s.rows_read, 2)}% số dòng bị loại, vượt ngưỡng cho phép: không thể xác nhận; sửa các dòng trong tệp dòng bị loại rồi gửi lại`,
      carrier_not_yours: (s) => `mọi dòng của tệp là của nhà mạng khác, không phải nhà mạng của tài khoản này (${s.carrier}): không thể xác nhận; gửi tệp từ tài khoản của nhà mạng đó, hoặc sửa cột nhà mạng (chi tiết bằng tiếng Anh: ${s.error})`,
      no_data_rows: () => "tệp không có dòng dữ liệu nào",
      unreadable: (s) => `không đọc được tệp (chi tiết bằng tiếng Anh: ${s.error})`,
      certification_refused: (s) => `không thể xác nhận: cùng tệp đã có trong dữ liệu với cách đọc khác (chi tiết bằng tiếng Anh: ${s.error})`,
      service: (s) => `lỗi của dịch vụ, không phải của tệp (chi tiết bằng tiếng Anh: ${s.error})`,
    },
    detailEn: (e) => `chi tiết bằng tiếng Anh: ${e}`,
    refused: (st, e) => (st === 403 ? `Tài khoản này không được xem nội dung này (chi tiết bằng tiếng Anh: ${e})` : `Dịch vụ trả lời lỗi ${st} (chi tiết bằng tiếng Anh: ${e})`),
    refusedToken: (e) => `Không đăng nhập được: mã truy cập không đúng, đã bị thu hồi hoặc chưa được nhập (chi tiết bằng tiếng Anh: ${e}).`,
    notAssessedProvinces: (n) => `${n} tỉnh chưa được đánh giá (kỳ công bố không có thôn nào của tỉnh).`,
    ministryOnly: "Trang toàn quốc chỉ dành cho người dùng của Bộ (vai trò ministry).",
    carrierNotAssessed: (c, r) => `Kỳ công bố ${r} không có dữ liệu của nhà mạng ${c}, nên chưa biết vùng lõm của nhà mạng (không phải là không có vùng lõm).`,
    notAssessed: "Chưa được đánh giá", notAssessedNote: (r) => `Kỳ công bố ${r} không có thôn nào thuộc tỉnh này, nên chưa biết tình trạng lõm sóng của tỉnh (không phải là không có vùng lõm).`,
    statuses: { published: "đã công bố", failed: "thất bại", running: "đang chạy", queued: "đang chờ", validating: "đang kiểm tra", accepted: "đã nhận", certified: "đã xác nhận", retracted: "đã rút", refused: "bị từ chối" },
    noRelease: "Chưa có kỳ công bố nào", communes: "Xã", legendDead: "chưa có 3G/4G", legendOk: "có 3G/4G", zoneLegend: "vùng lõm",
    user: "Người dùng", all: "tất cả", layer: "Lớp phủ sóng", bestState: "Tốt nhất (mọi nhà mạng, 3G/4G/5G)",
    covered: "có sóng", weak: "sóng yếu", uncovered: "không có sóng", unknown: "chưa rõ",
    campaign: "Nơi cần đo kiểm tiếp", day: "Ngày", team: "Đội", order: "Thứ tự", gain: "Giá trị (hộ)",
    campaignNote: "thôn được chọn, theo ngày và đội; giá trị = số hộ bị phân loại sai dự kiến mà một ngày đo loại bỏ",
    national: "Toàn quốc", kpiVillages: "Thôn được đánh giá", kpiWithout: "Thôn chưa có 3G/4G", kpiHouseholds: "Hộ ở thôn chưa có 3G/4G",
    kpiClear: "Tỉnh không còn thôn chưa có 3G/4G", kpiClearOf: (a, n) => `trên ${a} tỉnh có thôn được đánh giá (cả nước ${n} tỉnh)`,
    kpiZones: "Vùng lõm sóng", kpiZonesOf: (hh, km2) => `${hh} hộ, ${km2} km²`, kpiAwaiting: "Bài nộp chờ xác nhận",
    kpiShare: (x) => `${x}% số thôn`, kpiOutside: (n) => `${n} thôn ngoài ranh giới 34 tỉnh`,
    nationalMap: "Bản đồ tỉnh theo tỷ lệ thôn chưa có 3G/4G", hoangSa: "QĐ. Hoàng Sa (TP. Đà Nẵng)", truongSa: "QĐ. Trường Sa (tỉnh Khánh Hòa)", noData: "chưa có số liệu", shareLegend: "tỷ lệ thôn chưa có 3G/4G",
    goal: "mục tiêu", spark: (name, vals, goal) => `Xu hướng ${name}: ${vals}; mục tiêu ${goal}`,
    met: "đạt", not_met: "chưa đạt",
    targetNames: { dead_zones: "Thôn chưa có 3G/4G", smartphone: "Hộ có điện thoại thông minh", fibre: "Hộ có cáp quang",
      "2g_only": "Máy chỉ dùng 2G", speed_yoy: "Tốc độ tải tăng so với năm trước" },
  },
  en: {
    token: "Access token", signin: "Sign in", signout: "Sign out", ministry: "National", carrier: "Carrier",
    province: "Province", releases: "Releases", release: "Release", period: "Period", status: "Status",
    provinces: "Provinces ranked by villages without 3G/4G", villages: "Villages", without: "Without 3G/4G",
    households: "Households", hh: "households", awaiting: "Submissions awaiting certification", submissions: "Submissions and validation reports", kind: "Kind",
    file: "File", read: "Read", accepted: "Accepted", rejected: "Rejected", reasons: "Reasons", quarantine: "Rejected rows",
    certify: "Certify", gaps: "The carrier's gaps", gap: "Gap", coveredBy: "Covered by", nobody: "Nobody covers",
    other: "Another carrier covers (sharing)", map: "Map of villages and dead zones", villagesWithout: "Villages without 3G/4G",
    evidence: "Evidence", pdead: "P(dead)", tests: "Tests within 300 m", best: "Best network", zones: "Dead zones",
    zone: "Zone", area: "Area km²", targets: "The five targets", target: "Target", value: "Value", trend: "Trend",
    changes: "Changes since the last release", newlyDead: "Newly without signal", newlyServed: "Newly served", none: "None",
    gapsMore: (n, all) => `The table lists the ${n} hexes with the most households of ${all}.`, showAll: (all) => `Show all ${all} hexes`,
    noScorecard: (r) => `Release ${r} has no figures of the five targets: no subscriptions were certified when it was published.`,
    noCampaign: (r) => `Release ${r} has no measuring campaign: it was published before releases planned one.`,
    noEarlier: (r, p) => `Release ${r} (${p}) is the first of its month and no earlier month is published: there is nothing to compare it with.`,
    notKnown: "Not known: the province is not assessed in this release (which is not the same as none).",
    errors: {},
    detailEn: (e) => e,
    refusedToken: (e) => `Not signed in: ${e}.`,
    refused: (st, e) => e,
    notAssessedProvinces: (n) => `${n} ${n === 1 ? "province is" : "provinces are"} not assessed (no village of theirs in the release).`,
    ministryOnly: "The national page is for ministry users (role ministry).",
    carrierNotAssessed: (c, r) => `Release ${r} holds no data of carrier ${c}: its gaps are not known (which is not the same as none).`,
    notAssessed: "Not assessed", notAssessedNote: (r) => `No village of release ${r} lies in this province: its dead zones are not known (which is not the same as none).`,
    statuses: {},
    noRelease: "No release published yet", communes: "Communes", legendDead: "without 3G/4G", legendOk: "3G/4G", zoneLegend: "dead zone",
    user: "User", all: "all", layer: "Coverage layer", bestState: "Best (any carrier, 3G/4G/5G)",
    covered: "covered", weak: "weak", uncovered: "uncovered", unknown: "unknown",
    campaign: "Where to measure next", day: "Day", team: "Team", order: "Order", gain: "Value (households)",
    campaignNote: "villages chosen, by day and team; value = expected misclassified households a test day removes",
    national: "National", kpiVillages: "Villages assessed", kpiWithout: "Villages without 3G/4G", kpiHouseholds: "Households in villages without 3G/4G",
    kpiClear: "Provinces with no village without 3G/4G", kpiClearOf: (a, n) => `of ${a} ${a === "1" ? "province" : "provinces"} with villages assessed (${n} provinces in all)`,
    kpiZones: "Dead zones", kpiZonesOf: (hh, km2) => `${hh} households, ${km2} km²`, kpiAwaiting: "Submissions awaiting certification",
    kpiShare: (x) => `${x}% of villages`, kpiOutside: (n) => `${n} villages outside the 34 provinces' boundaries`,
    nationalMap: "Provinces by share of villages without 3G/4G", hoangSa: "Hoang Sa archipelago (Da Nang)", truongSa: "Truong Sa archipelago (Khanh Hoa)", noData: "no data", shareLegend: "share of villages without 3G/4G",
    goal: "goal", spark: (name, vals, goal) => `Trend of ${name}: ${vals}; goal ${goal}`,
    met: "met", not_met: "not met",
    targetNames: { dead_zones: "Villages without 3G/4G", smartphone: "Households with a smartphone", fibre: "Households with fibre",
      "2g_only": "2G-only phones", speed_yoy: "Download speed up year on year" },
  },
}[lang];

const $ = (s) => document.querySelector(s);
const el = (tag, attrs, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const k of kids.flat()) e.append(k instanceof Node ? k : document.createTextNode(k == null ? "" : String(k)));
  return e;
};
const fmt = (n, d = 0, min = 0) => (n == null ? "–" : Number(n).toLocaleString(lang === "vi" ? "vi-VN" : "en-GB", { minimumFractionDigits: min, maximumFractionDigits: d }));
// targetFigure says a value of a target in its unit: target 1 (dead_zones)
// is a count of villages, the others are shares (speed_yoy a change, with
// its sign) shown as percentages with one decimal; null is "–".
const targetFigure = (target, v) => {
  if (v == null) return "–";
  if (target === "dead_zones") return fmt(v);
  return (target === "speed_yoy" && v > 0 ? "+" : "") + fmt(100 * v, 1, 1) + "%";
};
// targetGoal says a target's goal with its direction (the scorecard's
// rules: no dead zones, at least the goal, 2G-only phones below it).
const targetGoal = (target, goal) => {
  if (goal == null) return "–";
  if (target === "dead_zones") return fmt(goal);
  return (target === "2g_only" ? "< " : "≥ ") + (target === "speed_yoy" && goal > 0 ? "+" : "") + fmt(100 * goal, 1) + "%";
};
const withLang = (h) => (lang === "en" ? "?lang=en" : "") + h;

// table: numeric columns align right, optional ones hide on a narrow
// screen; cards lays each row out as a card there (app.css), its cells
// labelled by data-label.
function table(head, rows, numeric = [], optional = [], cards = false) {
  const cls = (i) => [numeric.includes(i) ? "num" : "", optional.includes(i) ? "opt" : ""].join(" ");
  const th = head.map((h, i) => el("th", { class: cls(i) }, h));
  const body = rows.map((r) => el("tr", {}, r.map((c, i) => el("td", { class: cls(i), "data-label": head[i] }, c))));
  return el("table", { class: cards ? "cards" : "" }, el("thead", {}, el("tr", {}, th)), el("tbody", {}, body));
}
const section = (title, ...kids) => el("section", {}, el("h2", {}, title), ...kids);

// settled awaits every request and then fails with the first failure in
// the list's order, not the first to arrive: the error a page shows does
// not depend on which response the network delivered first.
async function settled(requests) {
  const rs = await Promise.allSettled(requests);
  for (const r of rs) if (r.status === "rejected") throw r.reason;
  return rs.map((r) => r.value);
}

async function api(path, opt = {}) {
  const token = sessionStorage.getItem("lomsong-token");
  const r = await fetch(path, { ...opt, headers: { Authorization: "Bearer " + token, ...(opt.headers || {}) } });
  if (r.status === 401) { sessionStorage.removeItem("lomsong-token"); throw Object.assign(new Error(T.refusedToken(await errText(r))), { status: 401 }); }
  if (!r.ok) throw Object.assign(new Error(T.refused(r.status, await errText(r))), { status: r.status });
  return r.json();
}
async function errText(r) {
  try { return (await r.json()).error || r.statusText; } catch (_) { return r.status + " " + r.statusText; }
}

function showError(msg) { const e = $("#error"); e.textContent = msg; e.hidden = !msg; }

// latestPeriod is the newest month published (a late dump's release of
// an earlier month, published after it, does not make that month current).
async function latestPeriod() {
  const rl = (await api("/api/v1/releases")).releases.filter((r) => r.status === "published");
  return rl.reduce((m, r) => (m === null || r.period > m ? r.period : m), null);
}

// --- pages ---------------------------------------------------------------

async function ministryPage(c) {
  // Another role's refusal, said as such (the first call refused was
  // the submissions', whose message spoke of submissions).
  if (me.role !== "ministry") throw new Error(T.ministryOnly);
  const [rels, subs] = await settled([api("/api/v1/releases"), api("/api/v1/submissions")]);
  const awaiting = subs.submissions.filter((s) => s.status === "accepted");
  const period = await latestPeriod();
  if (period) {
    const [nat, ps] = await settled([api(`/api/v1/releases/${period}/national`), api(`/api/v1/releases/${period}/provinces`)]);
    c.append(section(`${T.national} — ${T.release} ${nat.release} (${period})`, tiles(nat, awaiting.length)));
    const ranked = ps.provinces.filter((p) => p.assessed !== false).sort((a, b) => b.without_signal - a.without_signal || a.code.localeCompare(b.code));
    const unassessed = ps.provinces.length - ranked.length;
    c.append(el("section", { class: "national-grid" },
      el("div", {}, el("h2", {}, `${T.nationalMap} (${period})`), nationalMap(nat.map)),
      el("div", { class: "scroll" }, el("h2", {}, `${T.provinces} (${period})`), table([T.province, T.villages, T.without, T.households],
        ranked.map((p) => [el("a", { href: withLang("#province/" + p.code) }, `${p.name} (${p.code})`), fmt(p.villages), fmt(p.without_signal), fmt(p.households_without_signal)]), [1, 2, 3]),
        unassessed ? el("p", { class: "muted" }, T.notAssessedProvinces(unassessed)) : "")));
  } else {
    c.append(section(T.national, el("p", { class: "muted" }, T.noRelease)));
  }
  c.append(section(T.awaiting, awaiting.length ? submissionsTable(awaiting, false) : el("p", { class: "muted" }, T.none)));
  c.append(section(T.releases, table([T.release, T.period, T.status, T.submissions],
    rels.releases.map((r) => [r.number, el("span", { class: "month" }, r.period), (T.statuses[r.status] || r.status) + (r.error ? " — " + T.detailEn(r.error) : ""), r.submissions.length]), [0, 3])));
}

// tiles: the release's headline figures; data-kpi names the figure and
// data-value holds it unformatted.
function tiles(nat, awaiting) {
  const tile = (kpi, value, label, note) => el("div", { class: "tile", "data-kpi": kpi, "data-value": String(value) },
    el("span", { class: "fig" }, fmt(value)), el("span", { class: "lbl" }, label), note ? el("span", { class: "note" }, note) : "");
  const share = nat.villages ? fmt((100 * nat.without_signal) / nat.villages, 1) : "–";
  return el("div", { class: "tiles" },
    tile("villages", nat.villages, T.kpiVillages, nat.outside_provinces ? T.kpiOutside(fmt(nat.outside_provinces)) : ""),
    tile("without_signal", nat.without_signal, T.kpiWithout, T.kpiShare(share)),
    tile("households_without_signal", nat.households_without_signal, T.kpiHouseholds),
    el("div", { class: "tile", "data-kpi": "provinces_clear", "data-value": String(nat.provinces_clear) },
      el("span", { class: "fig" }, `${fmt(nat.provinces_clear)} / ${fmt(nat.provinces_assessed)}`), el("span", { class: "lbl" }, T.kpiClear),
      el("span", { class: "note" }, T.kpiClearOf(fmt(nat.provinces_assessed), fmt(nat.provinces)))),
    tile("dead_zones", nat.dead_zones, T.kpiZones, T.kpiZonesOf(fmt(nat.dead_zone_households), fmt(nat.dead_zone_area_km2, 1))),
    tile("awaiting", awaiting, T.kpiAwaiting));
}

// shareBins: upper bound of the share, fill; app.css colours the legend's
// .sw-bI swatches alike.
const shareBins = [[0, "#9fd8a8"], [0.02, "#fde0c5"], [0.05, "#f7a76c"], [0.1, "#e4572e"], [Infinity, "#a11d1d"]];
const shareColor = (p) => {
  if (!p.villages) return "#e6e6e6";
  const x = p.without_signal / p.villages;
  return shareBins.find(([hi]) => x <= hi)[1];
};

// nationalMap draws the provinces (lon, lat; equirectangular at the mean
// latitude) shaded by their share of villages without 3G/4G; a province
// with villages links to its page.
// The two archipelagos of Viet Nam — Hoàng Sa (Đà Nẵng) and Trường Sa
// (Khánh Hòa) — are not in the provinces' outlines the map is drawn from:
// they are drawn as their main islands (lon, lat, approximate positions)
// with their names, and the map's extent includes them.
const archipelagos = [
  { name: "hoangSa", islands: [[112.34, 16.83], [111.61, 16.53], [111.20, 15.78], [112.73, 16.67], [111.50, 17.08], [111.92, 16.45]] },
  { name: "truongSa", islands: [[114.33, 11.43], [111.92, 8.65], [114.33, 9.88], [114.36, 10.18], [114.48, 10.38], [112.20, 8.85], [112.92, 7.87], [113.30, 8.10], [115.20, 8.40]] },
];

const ns = "http://www.w3.org/2000/svg";

// mapFrame fits lon/lat points into an SVG W wide (at least minH high):
// equirectangular, longitudes scaled by the cosine of the mean latitude,
// pad units of margin. px and py map a longitude and a latitude to SVG
// units; svg is the empty <svg role="img"> with its viewBox.
function mapFrame(coords, W, pad, minH) {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const [x, y] of coords) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  const k = Math.cos(((y0 + y1) / 2) * Math.PI / 180);
  const sx = (W - 2 * pad) / Math.max((x1 - x0) * k, 1e-6), H = Math.max(minH, Math.round((y1 - y0) * sx + 2 * pad));
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("role", "img");
  return { px: (lon) => pad + (lon - x0) * k * sx, py: (lat) => H - pad - (lat - y0) * sx, svg };
}

function nationalMap(fc) {
  const coords = fc.features.flatMap((f) => f.geometry.coordinates.flat(2));
  if (!coords.length) return el("p", { class: "muted" }, T.none);
  for (const a of archipelagos) coords.push(...a.islands);
  const frame = mapFrame(coords, 360, 6, 0), svg = frame.svg;
  const px = (lon) => frame.px(lon).toFixed(1), py = (lat) => frame.py(lat).toFixed(1);
  svg.setAttribute("aria-label", T.nationalMap);
  svg.setAttribute("id", "national-map");
  svg.setAttribute("class", "national");
  for (const f of fc.features) {
    const p = f.properties;
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", f.geometry.coordinates.map((poly) => poly.map((ring) => "M" + ring.map((q) => px(q[0]) + "," + py(q[1])).join("L") + "Z").join("")).join(""));
    path.setAttribute("fill", shareColor(p));
    path.setAttribute("stroke", "#fff");
    path.setAttribute("stroke-width", "0.6");
    path.setAttribute("data-code", p.code);
    const t = document.createElementNS(ns, "title");
    t.textContent = `${p.name} (${p.code}): ` + (p.villages ? `${fmt(p.without_signal)} / ${fmt(p.villages)} ${T.villages} ${T.legendDead}, ${fmt(p.households_without_signal)} ${T.households}` : T.noData);
    path.append(t);
    if (p.villages) {
      const a = document.createElementNS(ns, "a");
      a.setAttribute("href", withLang("#province/" + p.code));
      a.append(path);
      svg.append(a);
    } else svg.append(path);
  }
  for (const a of archipelagos) {
    const g = document.createElementNS(ns, "g");
    g.setAttribute("class", "archipelago");
    const t = document.createElementNS(ns, "title");
    t.textContent = T[a.name];
    g.append(t);
    for (const [lon, lat] of a.islands) {
      const c = document.createElementNS(ns, "circle");
      c.setAttribute("cx", px(lon)); c.setAttribute("cy", py(lat)); c.setAttribute("r", "1.6");
      c.setAttribute("fill", "#9a9a9a");
      g.append(c);
    }
    // The name in two lines (archipelago, then its province) centred
    // above the islands, inside the map's width.
    const lons = a.islands.map((q) => q[0]), top = Math.max(...a.islands.map((q) => q[1]));
    const label = document.createElementNS(ns, "text");
    label.setAttribute("x", px((Math.min(...lons) + Math.max(...lons)) / 2)); label.setAttribute("y", (+py(top) - 16).toFixed(1));
    label.setAttribute("font-size", "8.5"); label.setAttribute("fill", "#555"); label.setAttribute("text-anchor", "middle");
    const [first, second] = T[a.name].split(" (");
    for (const [i, line] of [first, second ? "(" + second : ""].entries()) {
      if (!line) continue;
      const ts = document.createElementNS(ns, "tspan");
      ts.setAttribute("x", label.getAttribute("x")); ts.setAttribute("dy", i ? "1.1em" : "0");
      ts.textContent = line;
      label.append(ts);
    }
    g.append(label);
    svg.append(g);
  }
  const pct = (x) => fmt(100 * x, 0) + "%";
  const legend = [el("span", {}, el("b", { class: "sw-nodata" }, "■"), " " + T.noData),
    el("span", {}, el("b", { class: "sw-b0" }, "■"), " 0%")];
  for (let i = 1; i < shareBins.length; i++) {
    const lo = shareBins[i - 1][0], hi = shareBins[i][0];
    legend.push(el("span", {}, el("b", { class: "sw-b" + i }, "■"), " " + (hi === Infinity ? `> ${pct(lo)}` : lo ? `${pct(lo)}–${pct(hi)}` : `≤ ${pct(hi)}`)));
  }
  return el("div", { class: "national-wrap" }, svg, el("p", { class: "legend" }, el("span", {}, T.shareLegend + ":"), legend));
}

// submissionError says a submission's error in the page's language: by
// its error_code where the dashboard has the words, else the service's
// English text, marked as such.
function submissionError(s) {
  const say = T.errors[s.error_code];
  return say ? say(s) : T.detailEn(s.error);
}

// submissionsTable: a submission queued or being validated has no counts
// nor reasons yet (the API's null until validation ends), shown as "–",
// not 0.
function submissionsTable(list, canCertify) {
  const counted = (s, n) => (s.status === "queued" || s.status === "validating" ? "–" : fmt(n));
  return table(["#", T.kind, T.file, T.status, T.read, T.accepted, T.rejected, T.reasons, ""],
    list.map((s) => [s.id, s.kind, s.filename, (T.statuses[s.status] || s.status) + (s.error ? " — " + submissionError(s) : "") + (s.note ? " — " + T.detailEn(s.note) : ""), counted(s, s.rows_read), counted(s, s.accepted), counted(s, s.rejected),
      s.rejected_by_reason ? s.rejected_by_reason.map((r) => `${r.reason}: ${fmt(r.rows)}`).join(", ") : "–",
      el("span", {},
        s.rejected ? el("a", { href: "#", onclick: (e) => { e.preventDefault(); download(s.id); } }, T.quarantine) : "",
        canCertify && (s.status === "accepted" || s.status === "retracted" || s.error_code === "certification_refused") ? el("button", { onclick: () => certify(s.id) }, T.certify) : "")]),
    [0, 4, 5, 6], [4, 7], true);
}

async function download(id) {
  const r = await fetch(`/api/v1/submissions/${id}/quarantine.csv`, { headers: { Authorization: "Bearer " + sessionStorage.getItem("lomsong-token") } });
  if (!r.ok) { showError(T.refused(r.status, await errText(r))); return; }
  const url = URL.createObjectURL(await r.blob());
  const a = el("a", { href: url, download: `submission-${id}-quarantine.csv` });
  document.body.append(a); a.click(); a.remove(); URL.revokeObjectURL(url);
}

async function certify(id) {
  try { await api(`/api/v1/submissions/${id}/certify`, { method: "POST" }); route(); } catch (e) { showError(e.message); }
}

async function carrierPage(c, me) {
  const subs = await api("/api/v1/submissions");
  c.append(section(T.submissions, submissionsTable(subs.submissions, true)));
  const period = await latestPeriod();
  if (!period) { c.append(section(T.gaps, el("p", { class: "muted" }, T.noRelease))); return; }
  const g = await api(`/api/v1/releases/${period}/gaps`);
  if (g.assessed === false) { c.append(section(T.gaps, el("p", { class: "muted" }, T.carrierNotAssessed(g.carrier, g.release)))); return; }
  const shareable = g.gaps.filter((x) => x.gap === "another_carrier_covers");
  const hh = (xs) => xs.reduce((s, x) => s + x.households, 0);
  // The table lists the gaps with the most households first, up to
  // gapRows of them; beyond that it says how many it leaves out and a
  // button shows them all (never a list cut without a word).
  const gapRows = 200;
  const sorted = g.gaps.slice().sort((a, b) => b.households - a.households || a.cell.localeCompare(b.cell));
  const gapTable = (n) => table(["H3", T.province, T.households, T.gap, T.coveredBy],
    sorted.slice(0, n).map((x) => [x.cell, x.province, fmt(x.households, 1), x.gap === "nobody_covers" ? T.nobody : T.other, x.covered_by.join(", ")]), [2], [0]);
  const holder = el("div", {}, sorted.length ? gapTable(gapRows) : el("p", { class: "muted" }, T.none));
  if (sorted.length > gapRows) {
    const more = el("p", { class: "muted", id: "gaps-more" }, T.gapsMore(fmt(gapRows), fmt(sorted.length)), " ",
      el("button", { type: "button", onclick: () => { holder.replaceChildren(gapTable(sorted.length)); more.remove(); } }, T.showAll(fmt(sorted.length))));
    holder.append(more);
  }
  c.append(section(`${T.gaps} — ${me.carrier} (${period})`,
    el("p", {}, `${T.nobody}: ${fmt(g.gaps.length - shareable.length)} hex, ${fmt(hh(g.gaps) - hh(shareable))} ${T.hh}; ${T.other}: ${fmt(shareable.length)} hex, ${fmt(hh(shareable))} ${T.hh}`),
    holder));
}

const stateColor = { covered: "#9fd8a8", weak: "#f3c26b", uncovered: "#e88", unknown: "#ccc" };
const hexStates = Object.keys(stateColor);

// swatch: a legend's small shape, an SVG hexagon (fill, stroke) or the
// outline of a zone.
function swatch(fill, stroke, zone) {
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 12 12");
  svg.setAttribute("class", "swatch");
  svg.setAttribute("aria-hidden", "true");
  const p = document.createElementNS(ns, "path");
  p.setAttribute("d", zone ? "M1.5,2.5L10.5,1.5L10,10.5L2,9.5Z" : "M6,0.5L10.8,3.25L10.8,8.75L6,11.5L1.2,8.75L1.2,3.25Z");
  p.setAttribute("fill", fill); p.setAttribute("stroke", stroke); p.setAttribute("stroke-width", zone ? "1.5" : "0.8");
  svg.append(p);
  return svg;
}

// villageMap draws the province (lon, lat; equirectangular at the mean
// latitude): the hexes filled with their state — the best over the
// carriers, or the "carrier tech" layer's — the dead zones outlined over
// them and the villages as points on top. The hexagons of one state are
// one path, a subpath per hex (data-hexes counts them), so a province of
// thousands of hexes stays a handful of elements; a hex without a boundary
// (a release written before hexes carried one) is a dot at its centre.
function villageMap(villages, zones, hexes, layer) {
  const pts = villages.filter((v) => isFinite(v.lon) && isFinite(v.lat));
  const coords = pts.map((v) => [v.lon, v.lat]);
  const outlined = (h) => Array.isArray(h.boundary) && h.boundary.length >= 3;
  for (const h of hexes) if (outlined(h)) coords.push(...h.boundary); else coords.push([h.lon, h.lat]);
  for (const f of zones.features) for (const poly of f.geometry.coordinates) for (const ring of poly) coords.push(...ring);
  if (!coords.length) return el("p", { class: "muted" }, T.none);
  const { px, py, svg } = mapFrame(coords, 600, 8, 200);
  const xy = (q) => px(q[0]).toFixed(1) + "," + py(q[1]).toFixed(1);
  svg.setAttribute("aria-label", T.map);
  svg.setAttribute("id", "province-map");
  svg.setAttribute("data-layer", layer);
  const stateOf = (h) => {
    let st = h.best;
    if (layer !== "best") { const x = h.states.find((y) => `${y.carrier} ${y.tech}` === layer); st = x ? x.state : "unknown"; }
    return stateColor[st] ? st : "unknown";
  };
  const rings = Object.fromEntries(hexStates.map((st) => [st, []]));
  const dots = [];
  for (const h of hexes) {
    const st = stateOf(h);
    if (outlined(h)) rings[st].push("M" + h.boundary.map(xy).join("L") + "Z");
    else dots.push([h, st]);
  }
  for (const st of hexStates) {
    if (!rings[st].length) continue;
    const p = document.createElementNS(ns, "path");
    p.setAttribute("d", rings[st].join(""));
    p.setAttribute("class", "hexes");
    p.setAttribute("data-state", st);
    p.setAttribute("data-hexes", rings[st].length);
    p.setAttribute("fill", stateColor[st]);
    p.setAttribute("stroke", "#fff"); p.setAttribute("stroke-width", "0.3"); p.setAttribute("stroke-linejoin", "round");
    const t = document.createElementNS(ns, "title"); t.textContent = `${T[st]}: ${fmt(rings[st].length)} hex`; p.append(t);
    svg.append(p);
  }
  for (const [h, st] of dots) {
    const c = document.createElementNS(ns, "circle");
    c.setAttribute("cx", px(h.lon).toFixed(1)); c.setAttribute("cy", py(h.lat).toFixed(1)); c.setAttribute("r", 3.2);
    c.setAttribute("class", "hex-dot");
    c.setAttribute("data-state", st);
    c.setAttribute("fill", stateColor[st]);
    svg.append(c);
  }
  for (const f of zones.features) {
    for (const poly of f.geometry.coordinates) {
      const p = document.createElementNS(ns, "path");
      p.setAttribute("d", poly.map((ring) => "M" + ring.map(xy).join("L") + "Z").join(""));
      p.setAttribute("class", "zone");
      p.setAttribute("fill", "none"); p.setAttribute("stroke", "#b00020"); p.setAttribute("stroke-width", "0.8"); p.setAttribute("stroke-linejoin", "round");
      const t = document.createElementNS(ns, "title"); t.textContent = `${T.zone} ${f.properties.zone_id}`; p.append(t);
      svg.append(p);
    }
  }
  for (const v of pts) {
    const c = document.createElementNS(ns, "circle");
    c.setAttribute("cx", px(v.lon).toFixed(1)); c.setAttribute("cy", py(v.lat).toFixed(1)); c.setAttribute("r", v.without_signal ? 1.5 : 0.8);
    c.setAttribute("fill", v.without_signal ? "#b00020" : "#1b6e20");
    if (v.without_signal) { c.setAttribute("stroke", "#fff"); c.setAttribute("stroke-width", "0.4"); }
    const t = document.createElementNS(ns, "title"); t.textContent = v.name; c.append(t);
    svg.append(c);
  }
  const hexLegend = hexStates.map((st) => el("span", {}, swatch(stateColor[st], "#888"), " " + T[st]));
  return el("div", {}, svg, el("p", { class: "legend" }, el("span", { class: "dead" }, "● " + T.legendDead), el("span", { class: "ok" }, "● " + T.legendOk),
    el("span", {}, swatch("none", "#b00020", true), " " + T.zoneLegend)),
  el("p", { class: "legend" }, el("span", {}, (layer === "best" ? T.bestState : layer) + ":"), hexLegend));
}

const statusColor = { met: "#1b6e20", not_met: "#b00020" };

// sparkline draws a target's values over the months of pts ({period,
// value}, oldest first; a null value leaves a gap) with its goal as a
// dashed line; the title and aria-label carry every value, in the
// target's unit.
function sparkline(name, target, pts, goal, status) {
  const W = 96, H = 28, pad = 3;
  const known = pts.filter((p) => p.value != null).map((p) => p.value);
  const label = T.spark(name, pts.map((p) => `${p.period} ${targetFigure(target, p.value)}`).join("; "), targetGoal(target, goal));
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("class", "spark");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  const title = document.createElementNS(ns, "title");
  title.textContent = label;
  svg.append(title);
  if (!known.length) return svg;
  const range = known.concat(goal == null ? [] : [goal]);
  let lo = Math.min(...range), hi = Math.max(...range);
  if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
  const x = (i) => (pts.length < 2 ? W / 2 : pad + (i * (W - 2 * pad)) / (pts.length - 1)).toFixed(1);
  const y = (v) => (H - pad - ((v - lo) * (H - 2 * pad)) / (hi - lo)).toFixed(1);
  const add = (tag, attrs) => { const e = document.createElementNS(ns, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); svg.append(e); return e; };
  if (goal != null) add("line", { x1: pad, x2: W - pad, y1: y(goal), y2: y(goal), stroke: "#888", "stroke-width": 1, "stroke-dasharray": "3 2" });
  let d = "", pen = false;
  pts.forEach((p, i) => {
    if (p.value == null) { pen = false; return; }
    d += (pen ? "L" : "M") + x(i) + "," + y(p.value);
    pen = true;
  });
  add("path", { d, fill: "none", stroke: "#0b3d62", "stroke-width": 1.5 });
  pts.forEach((p, i) => {
    if (p.value == null) return;
    const lastPt = i === pts.length - 1;
    add("circle", { cx: x(i), cy: y(p.value), r: lastPt ? 2.8 : 1.6, fill: lastPt ? statusColor[status] || "#666" : "#0b3d62" });
  });
  return svg;
}

async function provincePage(c, code) {
  const period = await latestPeriod();
  if (!period) { c.append(section(T.province, el("p", { class: "muted" }, T.noRelease))); return; }
  const base = `/api/v1/releases/${period}/provinces/${encodeURIComponent(code)}`;
  const [vs, zones, hx] = await settled([api(base + "/villages"), api(base + "/deadzones.geojson"), api(base + "/hexes")]);
  c.append(el("h2", {}, `${vs.name ? vs.name + " (" + code + ")" : T.province + " " + code} — ${T.release} ${vs.release} (${period})`));
  if (vs.assessed === false) {
    // No village of the release lies in the province: nothing is known of
    // its dead zones (never "0 villages without 3G/4G").
    c.append(section(T.notAssessed, el("p", { class: "muted" }, T.notAssessedNote(vs.release))));
  } else {
  const keys = [...new Set(hx.hexes.flatMap((h) => h.states.map((x) => `${x.carrier} ${x.tech}`)))].sort();
  const holder = el("div", {});
  const select = el("select", { id: "layer", "aria-label": T.layer, onchange: () => holder.replaceChildren(villageMap(vs.villages, zones, hx.hexes, select.value)) },
    el("option", { value: "best" }, T.bestState), keys.map((k) => el("option", { value: k }, k)));
  holder.append(villageMap(vs.villages, zones, hx.hexes, "best"));
  c.append(section(T.map, el("label", {}, T.layer + " ", select), holder));
  const communes = new Map();
  for (const v of vs.villages) {
    const x = communes.get(v.commune_code) || { n: 0, w: 0, hh: 0 };
    x.n++; if (v.without_signal) { x.w++; x.hh += v.households; }
    communes.set(v.commune_code, x);
  }
  c.append(section(T.communes, table([T.communes, T.villages, T.without, T.households],
    [...communes.entries()].sort((a, b) => b[1].w - a[1].w || a[0].localeCompare(b[0])).map(([k, x]) => [k, fmt(x.n), fmt(x.w), fmt(x.hh)]), [1, 2, 3])));
  const dead = vs.villages.filter((v) => v.without_signal).sort((a, b) => (b.p_dead ?? 0) - (a.p_dead ?? 0) || a.village_id.localeCompare(b.village_id));
  c.append(section(`${T.villagesWithout} (${fmt(dead.length)})`, table([T.villages, T.communes, T.households, T.pdead, T.tests, T.best],
    // with its id: two villages of a province may share a name
    dead.map((v) => [`${v.name} (${v.village_id})`, v.commune_code, fmt(v.households), fmt(v.p_dead, 2, 2), `${v.tests_300m} (${v.no_service_300m} ✗)`, [v.best_carrier, v.best_tech].filter(Boolean).join(" ") || "–"]), [2, 3], [], true)));
  c.append(section(`${T.zones} (${zones.features.length})`, table([T.zone, T.households, T.area, T.villages],
    zones.features.map((f) => [f.properties.zone_id, fmt(f.properties.households), fmt(f.properties.area_km2, 1), fmt(f.properties.villages)]), [1, 2, 3])));
  }
  const unknown = (title) => section(title, el("p", { class: "muted" }, T.notKnown));
  try {
    const card = await api(base + "/scorecard");
    if (card.assessed === false) c.append(unknown(T.targets));
    // A province not assessed has the month's row of unknowns alone: said
    // as not known, not drawn as a table of dashes.
    const rows = card.assessed === false ? [] : card.rows.slice().sort((a, b) => a.period.localeCompare(b.period));
    const last = rows[rows.length - 1];
    if (last) {
      const recent = rows.slice(-6);
      c.append(section(`${T.targets} (${last.period})`, table([T.target, T.value, T.status, T.trend],
        last.targets.map((t) => {
          const pts = recent.map((r) => { const x = r.targets.find((y) => y.target === t.target); return { period: r.period, value: x ? x.value : null }; });
          const name = T.targetNames[t.target] ? `${T.targetNames[t.target]} (${t.target})` : t.target;
          return [name, targetFigure(t.target, t.value), `${T[t.status] || t.status} (${T.goal} ${targetGoal(t.target, t.goal)})`,
            el("div", { class: "trend" }, sparkline(name, t.target, pts, t.goal, t.status), el("span", { class: "trend-values" }, pts.map((p) => targetFigure(t.target, p.value)).join(" → ")))];
        }), [1], [], true)));
    }
  } catch (e) {
    // 404: the release has no scorecard (published without
    // subscriptions), said in the page's language.
    c.append(section(T.targets, el("p", { class: "muted" }, e.status === 404 ? T.noScorecard(vs.release) : e.message)));
  }
  try {
    const cp = await api(`/api/v1/releases/${period}/campaign?province=${encodeURIComponent(code)}`);
    if (cp.assessed === false) c.append(unknown(T.campaign));
    else {
      const p = cp.campaign.provinces[0];
      const visits = p ? p.ranked.filter((v) => v.team > 0).sort((a, b) => a.day - b.day || a.team - b.team || a.order - b.order) : [];
      c.append(section(`${T.campaign} (${cp.campaign.days} × ${cp.campaign.teams})`, el("p", { class: "muted" }, T.campaignNote),
        visits.length ? table([T.day, T.team, T.order, T.villages, T.communes, T.households, T.pdead, T.gain],
          visits.map((v) => [v.day, v.team, v.order, v.name, v.commune, fmt(v.households), fmt(v.p_dead, 2, 2), fmt(v.value, 1, 1)]), [0, 1, 2, 5, 6, 7], [1, 4, 6])
          : el("p", { class: "muted" }, T.none)));
    }
  } catch (e) {
    // 404: the release has no campaign (published before releases
    // planned one), said in the page's language.
    c.append(section(T.campaign, el("p", { class: "muted" }, e.status === 404 ? T.noCampaign(vs.release) : e.message)));
  }
  try {
    const d = await api(`/api/v1/releases/${period}/diff?province=${encodeURIComponent(code)}`);
    if (d.assessed === false) c.append(unknown(T.changes));
    else {
      const list = (xs) => (xs.length ? el("ul", {}, xs.map((v) => el("li", {}, `${v.name} (${v.village_id})`))) : el("p", { class: "muted" }, T.none));
      c.append(section(`${T.changes} (${T.release} ${d.previous_release}, ${d.previous_period} → ${d.release}, ${d.period})`, el("h3", {}, T.newlyDead), list(d.newly_dead), el("h3", {}, T.newlyServed), list(d.newly_served)));
    }
  } catch (e) {
    // 404: the release has none before it (the page read this release's
    // villages already), which is said in the page's language.
    c.append(section(T.changes, el("p", { class: "muted" }, e.status === 404 ? T.noEarlier(vs.release, period) : e.message)));
  }
}

// --- routing -------------------------------------------------------------

let me = null;

async function route() {
  const c = $("#content");
  c.replaceChildren();
  showError("");
  $("#page").dataset.ready = "0";
  if (!sessionStorage.getItem("lomsong-token")) { $("#login").hidden = false; $("#nav").replaceChildren(); $("#page").dataset.ready = "1"; return; }
  $("#login").hidden = true;
  try {
    me = me || await api("/api/v1/me");
    const nav = [el("span", {}, `${T.user}: ${me.name}`)];
    if (me.role === "ministry") nav.push(el("a", { href: withLang("#ministry") }, T.ministry));
    if (me.role === "province") nav.push(el("a", { href: withLang("#province/" + me.province) }, `${T.province} ${me.province_name || me.province}`));
    if (me.role === "carrier") nav.push(el("a", { href: withLang("#carrier") }, `${T.carrier} ${me.carrier}`));
    nav.push(el("button", { type: "button", onclick: () => { sessionStorage.removeItem("lomsong-token"); me = null; location.hash = ""; route(); } }, T.signout));
    $("#nav").replaceChildren(...nav);
    const h = location.hash.slice(1);
    const home = { ministry: "ministry", carrier: "carrier", province: "province/" + me.province }[me.role];
    const [page, arg] = (h || home).split("/");
    if (page === "ministry") await ministryPage(c);
    else if (page === "carrier") await carrierPage(c, me);
    else if (page === "province") await provincePage(c, arg);
    else await { ministry: () => ministryPage(c), carrier: () => carrierPage(c, me), province: () => provincePage(c, me.province) }[me.role]();
  } catch (e) {
    if (!sessionStorage.getItem("lomsong-token")) { me = null; $("#login").hidden = false; }
    showError(e.message);
  }
  $("#page").dataset.ready = "1";
}

document.documentElement.lang = lang;
for (const e of document.querySelectorAll("[data-t]")) e.textContent = T[e.dataset.t];
$("#lang").textContent = lang === "en" ? "Tiếng Việt" : "English";
$("#lang").href = (lang === "en" ? "?" : "?lang=en") + location.hash;
$("#login").addEventListener("submit", (e) => {
  e.preventDefault();
  sessionStorage.setItem("lomsong-token", $("#token").value.trim());
  $("#token").value = "";
  me = null;
  route();
});
window.addEventListener("hashchange", route);
route();
