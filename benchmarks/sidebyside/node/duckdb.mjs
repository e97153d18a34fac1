// DuckDB runner: load the CSV, 0.01° grid GROUP BY, write Parquet, and the
// same GROUP BY over a Parquet scan.
//   node duckdb.mjs DIR
// Reads DIR/points.csv, writes DIR/points.parquet, DIR/grid_duckdb.csv and
// DIR/grid_duckdb_parquet.csv, appends to DIR/timings.tsv.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const dir = process.argv[2];
const q = (s) => `'${s.replaceAll("'", "''")}'`;
const csv = q(join(dir, 'points.csv'));
const parquet = q(join(dir, 'points.parquet'));

const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
const threads = Number((await con.runAndReadAll("SELECT current_setting('threads')")).getRows()[0][0]);
const version = (await con.runAndReadAll('SELECT version()')).getRows()[0][0];
const timing = (task, step, s, rows) =>
  appendFileSync(join(dir, 'timings.tsv'), `${task}\tDuckDB ${version}\t${step}\t${s.toFixed(6)}\t${rows}\t${threads}\n`);
const timed = async (sql) => {
  const t0 = process.hrtime.bigint();
  await con.run(sql);
  return Number(process.hrtime.bigint() - t0) / 1e9;
};

let s = await timed(`CREATE TABLE pts AS SELECT * FROM read_csv(${csv}, header = true,
  columns = {'id': 'INTEGER', 'lon': 'DOUBLE', 'lat': 'DOUBLE'})`);
const n = Number((await con.runAndReadAll('SELECT count(*) FROM pts')).getRows()[0][0]);
timing('load', 'read_csv into a table', s, n);

const grid = (from) => `SELECT floor(lon * 100)::INTEGER AS gx, floor(lat * 100)::INTEGER AS gy, count(*) AS count
  FROM ${from} GROUP BY ALL`;
s = await timed(`CREATE TABLE g AS ${grid('pts')}`);
timing('grid', '0.01° grid GROUP BY (table)', s, n);

s = await timed(`COPY pts TO ${parquet} (FORMAT parquet)`);
timing('load', 'write Parquet', s, n);
s = await timed(`CREATE TABLE gp AS ${grid(`read_parquet(${parquet})`)}`);
timing('grid', '0.01° grid GROUP BY (Parquet scan)', s, n);

for (const [t, f] of [['g', 'grid_duckdb.csv'], ['gp', 'grid_duckdb_parquet.csv']]) {
  await con.run(`COPY (SELECT * FROM ${t} ORDER BY gx, gy) TO ${q(join(dir, f))} (HEADER, DELIMITER ',')`);
}
console.log(`DuckDB ${version}: ${n} points, ${threads} threads`);
