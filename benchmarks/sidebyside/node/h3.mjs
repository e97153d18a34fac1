// h3-js runner: latLngToCell for every point and a Map of counts per cell.
//   node h3.mjs DIR [RES]
// Reads DIR/points.f64, writes DIR/h3_h3js.csv, appends to DIR/timings.tsv.
import { readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { latLngToCell } from 'h3-js';

const dir = process.argv[2];
const res = Number(process.argv[3] ?? 8);
const timing = (task, tool, step, s, rows) =>
  appendFileSync(join(dir, 'timings.tsv'), `${task}\t${tool}\t${step}\t${s.toFixed(6)}\t${rows}\t1\n`);

let t0 = process.hrtime.bigint();
const buf = readFileSync(join(dir, 'points.f64'));
const all = new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
const n = all.length / 2;
const lon = all.subarray(0, n), lat = all.subarray(n);
timing('load', 'h3-js', 'read binary lon/lat columns', Number(process.hrtime.bigint() - t0) / 1e9, n);

t0 = process.hrtime.bigint();
const counts = new Map();
for (let i = 0; i < n; i++) {
  const c = latLngToCell(lat[i], lon[i], res);
  counts.set(c, (counts.get(c) ?? 0) + 1);
}
const s = Number(process.hrtime.bigint() - t0) / 1e9;
timing('h3', 'h3-js', `latLngToCell res ${res} + Map count per cell`, s, n);

const keys = [...counts.keys()].sort();
const lines = ['cell,count'];
for (const k of keys) lines.push(`${k},${counts.get(k)}`);
writeFileSync(join(dir, 'h3_h3js.csv'), lines.join('\n') + '\n');
console.log(`h3-js: ${n} points, ${keys.length} cells, ${s.toFixed(2)}s`);
