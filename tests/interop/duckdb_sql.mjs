// Runs SQL statements with DuckDB (an independent Parquet reader/writer) and prints the rows of the
// last statement as JSON Lines. Usage: node duckdb_sql.mjs "SQL1" ["SQL2" ...]
// Values: BIGINT/HUGEINT as JSON numbers when safe else strings; BLOB as base64; DATE as YYYY-MM-DD;
// TIMESTAMP as ISO-8601 UTC; lists as arrays; NaN/Inf as strings; null as null.
import { DuckDBInstance } from '@duckdb/node-api';

function conv(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(-Number.MAX_SAFE_INTEGER)) ? Number(v) : v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : (Number.isNaN(v) ? 'NaN' : (v > 0 ? 'Infinity' : '-Infinity'));
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (v.bytes instanceof Uint8Array) return Buffer.from(v.bytes).toString('base64');
  if (Array.isArray(v.items)) return v.items.map(conv);
  if (v.days !== undefined && v.constructor && v.constructor.name === 'DuckDBDateValue') return v.toString();
  if (v.micros !== undefined) {
    // Floor division: BigInt '/' truncates toward zero, which is wrong before 1970.
    let ms = v.micros / 1000n, rem = v.micros % 1000n;
    if (rem < 0n) { rem += 1000n; ms -= 1n; }
    return new Date(Number(ms)).toISOString().replace(/Z$/, String(rem).padStart(3, '0') + 'Z');
  }
  if (v.entries !== undefined && typeof v.entries === 'object') { const o = {}; for (const [k, x] of Object.entries(v.entries)) o[k] = conv(x); return o; }
  return v.toString();
}

const stmts = process.argv.slice(2);
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
let reader = null;
for (const s of stmts) reader = await con.runAndReadAll(s);
if (reader) {
  const names = reader.columnNames();
  for (const row of reader.getRows()) {
    const o = {};
    row.forEach((v, i) => { o[names[i]] = conv(v); });
    process.stdout.write(JSON.stringify(o) + '\n');
  }
}
