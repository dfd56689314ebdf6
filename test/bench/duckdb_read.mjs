// Baseline (e) of the benchmark's scenario 1, for measuring only: DuckDB's
// read_json over the very file nginx serves, one thread, the columns given,
// the same count as the other sources.  Usage: node duckdb_read.mjs FILE RUNS
// (the @duckdb/node-api npm package in NODE_PATH's node_modules).  Prints
// {"median": s, "min": s, "runs": n, "count": rows} after one untimed run.
import { DuckDBInstance } from '@duckdb/node-api';
const file = process.argv[2], runs = +process.argv[3] || 5;
const inst = await DuckDBInstance.create(':memory:', { threads: '1' });
const con = await inst.connect();
const cols = "{'id':'BIGINT','name':'VARCHAR','amount':'DECIMAL(18,2)','score':'DOUBLE','flag':'BOOLEAN','day':'DATE','created_at':'TIMESTAMPTZ','status':'VARCHAR'}";
const q = `SELECT count(*) FROM read_json('${file}', format='array', columns=${cols}) t WHERE id IS NOT NULL AND name IS NOT NULL AND amount IS NOT NULL AND score IS NOT NULL AND flag IS NOT NULL AND day IS NOT NULL AND created_at IS NOT NULL AND status IS NOT NULL`;
const times = [];
for (let i = 0; i <= runs; i++) {
  const t0 = process.hrtime.bigint();
  const r = await con.runAndReadAll(q);
  const t = Number(process.hrtime.bigint() - t0) / 1e9;
  if (i > 0) times.push(t);
  if (i === 0) globalThis.count = Number(r.getRows()[0][0]);
}
times.sort((a, b) => a - b);
const mid = times.length >> 1;
const median = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
console.log(JSON.stringify({ median, min: times[0], runs,
                             count: globalThis.count }));
