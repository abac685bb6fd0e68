// Writes an Avro object container file with avsc (independent of ailake) covering every Avro type,
// and prints the records it wrote as JSON in ailake's convention (see avsc_read.mjs) so a test can
// compare them with what ailake's reader decodes. Usage: node avsc_write.mjs OUT_FILE null|deflate
import fs from 'node:fs';
import avro from 'avsc';
import { conv, stringify, parseHook } from './avsc_read.mjs';

const schema = {
  type: 'record', name: 'manifest_entry', fields: [
    { name: 'status', type: 'int', 'field-id': 0 },
    { name: 'snapshot_id', type: ['null', 'long'], default: null, 'field-id': 1 },
    { name: 'flag', type: 'boolean', 'field-id': 2 },
    { name: 'f32', type: 'float', 'field-id': 3 },
    { name: 'f64', type: 'double', 'field-id': 4 },
    { name: 'raw', type: 'bytes', 'field-id': 5 },
    { name: 'text', type: 'string', 'field-id': 6 },
    { name: 'digest', type: { type: 'fixed', name: 'md5', size: 4 }, 'field-id': 7 },
    { name: 'kind', type: { type: 'enum', name: 'content', symbols: ['DATA', 'POSITION_DELETES', 'EQUALITY_DELETES'] }, 'field-id': 8 },
    { name: 'nothing', type: 'null', 'field-id': 9 },
    { name: 'data_file', 'field-id': 10, type: { type: 'record', name: 'r2', fields: [
      { name: 'file_path', type: 'string', 'field-id': 100 },
      { name: 'record_count', type: 'long', 'field-id': 103 },
      { name: 'split_offsets', type: ['null', { type: 'array', items: 'long', 'element-id': 133 }], default: null, 'field-id': 132 },
      { name: 'column_sizes', type: ['null', { type: 'array', logicalType: 'map', items: { type: 'record', name: 'k117_v118', fields: [
        { name: 'key', type: 'int', 'field-id': 117 }, { name: 'value', type: 'long', 'field-id': 118 } ] } }], default: null, 'field-id': 108 },
    ] } },
    { name: 'props', type: { type: 'map', values: 'string', 'key-id': 20, 'value-id': 21 }, 'field-id': 11 },
    { name: 'maybe_text', type: ['null', 'string'], default: null, 'field-id': 12 },
  ],
};

const type = parseHook(schema);
const records = [];
for (let i = 0; i < 300; i++) {
  records.push({
    status: i % 3,
    snapshot_id: i % 4 === 0 ? null : BigInt(i) * 1234567890123n - 9223372036854775807n,
    flag: i % 2 === 0,
    f32: [1.5, -0.25, 3.4028234663852886e38, 0][i % 4],
    f64: i % 5 === 0 ? NaN : i * 0.1 - 7,
    raw: Buffer.from(Array.from({ length: i % 7 }, (_, k) => (k * 37 + i) & 255)),
    text: i % 3 === 0 ? '' : 'chunk ' + i + ' — naïve café ✓',
    digest: Buffer.from([i & 255, 1, 2, 3]),
    kind: ['DATA', 'POSITION_DELETES', 'EQUALITY_DELETES'][i % 3],
    nothing: null,
    data_file: {
      file_path: 's3://bucket/t/data/' + i + '.parquet',
      record_count: i === 7 ? 9223372036854775807n : i === 8 ? -9223372036854775808n : BigInt(i * 1000),
      split_offsets: i % 2 ? null : [4n, BigInt(i) << 40n],
      column_sizes: i % 3 ? [{ key: 1, value: 100n }, { key: 2, value: BigInt(i) }] : null,
    },
    props: i % 4 === 0 ? {} : { a: 'x', ['k' + i]: 'v' + i },
    maybe_text: i % 2 ? 'yes ' + i : null,
  });
}

const [outPath, codec] = process.argv.slice(2);
const enc = new avro.streams.BlockEncoder(type, {
  codec, blockSize: 2048, metadata: { 'ailake.test': Buffer.from('written by avsc'), 'format-version': Buffer.from('2') },
});
const file = fs.createWriteStream(outPath);
enc.pipe(file);
enc.on('error', (e) => { process.stderr.write('avsc: ' + e.message + '\n'); process.exit(2); });
for (const r of records) enc.write(r);
enc.end();
// Print only once the file is completely on disk.
await new Promise((resolve, reject) => { file.on('close', resolve); file.on('error', reject); });
process.stdout.write(stringify({ schema, records: records.map(conv) }) + '\n');
