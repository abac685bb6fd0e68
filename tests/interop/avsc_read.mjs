// Reads an Avro object container file with avsc (an implementation independent of ailake's) and
// prints {"codec": ..., "metadata": {key: text}, "records": [...]} as JSON, values in ailake's
// convention (AvroValueToJson): bytes/fixed as lowercase hex, longs as exact integers, NaN and
// infinities as strings, unions as the branch value. Usage: node avsc_read.mjs FILE
import avro from 'avsc';

// Longs as BigInt so values beyond 2^53 survive exactly.
function longType() {
  return avro.types.LongType.__with({
    fromBuffer: (buf) => buf.readBigInt64LE(),
    toBuffer: (n) => { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(n)); return b; },
    fromJSON: (x) => BigInt(x),
    toJSON: (n) => Number(n),
    isValid: (n) => typeof n === 'bigint',
    compare: (a, b) => (a === b ? 0 : a < b ? -1 : 1),
  });
}

export function conv(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return '__BIGINT__' + v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : (Number.isNaN(v) ? 'NaN' : (v > 0 ? 'Infinity' : '-Infinity'));
  if (Buffer.isBuffer(v)) return v.toString('hex');
  if (Array.isArray(v)) return v.map(conv);
  if (typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v)) o[k] = conv(v[k]);
    return o;
  }
  return v;
}

export function stringify(x) {
  return JSON.stringify(x).replace(/"__BIGINT__(-?\d+)"/g, '$1');
}

export function parseHook(schema) {
  return avro.Type.forSchema(schema, { registry: { long: longType() }, wrapUnions: false });
}

if (process.argv[1] && process.argv[1].endsWith('avsc_read.mjs')) {
  const out = { codec: null, metadata: {}, records: [] };
  avro.createFileDecoder(process.argv[2], { parseHook })
    .on('metadata', (type, codec, header) => {
      out.codec = codec;
      for (const [k, v] of Object.entries(header.meta)) out.metadata[k] = v.toString('utf8');
    })
    .on('data', (r) => out.records.push(conv(r)))
    .on('error', (e) => { process.stderr.write('avsc: ' + e.message + '\n'); process.exit(2); })
    .on('end', () => process.stdout.write(stringify(out) + '\n'));
}
