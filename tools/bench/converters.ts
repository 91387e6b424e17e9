// Converter benchmark: decode throughput (bytes → Connect data) of ~1 KB records for JsonConverter with
// schemas on and off and AvroConverter (schema id already cached), each beside its raw baseline measured
// in the same run on the same bytes: JSON.parse for JSON, avsc `type.fromBuffer` of the bytes after the
// 5-byte header for Avro. Contenders are interleaved round by round; the median round is reported.
// Two more schemaless JSON shapes show the ends the 1 KB record sits between: a small flat document
// (~200 B: the fixed cost per record) and a nested one (~1 KB with an array of objects: one Map each).
//
//   npx tsx tools/bench/converters.ts            (or: npm run bench -- converters)
//   BENCH_ROUND_RECORDS=50000 BENCH_ROUNDS=7 BENCH_WARMUP=2 (defaults)
//   Results: bench/results/converters-<UTC time>.json (case = the pair, subject sluice | raw).
//   BENCH_ONLY=avro   runs only the pairs whose label contains the text (case-insensitive), e.g. to
//                     profile one converter: node --cpu-prof --import tsx tools/bench/converters.ts
import avro from 'avsc';
import { AvroConverter } from '../../packages/core/src/convert/avro/index.js';
import type { RegisteredSchema, SchemaRegistry } from '../../packages/core/src/convert/avro/index.js';
import { JsonConverter } from '../../packages/core/src/convert/json/json-converter.js';
import {
  Schema,
  SchemaBuilder,
  Struct,
  Timestamp,
  type SchemaAndValue,
} from '../../packages/core/src/data/index.js';
import { type BenchRun, writeBenchResult } from './_results.js';

const ROUND_RECORDS = Number(process.env['BENCH_ROUND_RECORDS'] ?? 50_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 2);
const ONLY = (process.env['BENCH_ONLY'] ?? '').toLowerCase();
const POOL = 1000;
const TOPIC = 'bench';

/** The registry is in memory: this measures decoding once the schema id is cached, not HTTP. */
class InMemoryRegistry implements SchemaRegistry {
  private readonly schemas: string[] = [];
  async getSchemaById(id: number): Promise<string> {
    return this.schemas[id - 1]!;
  }
  async register(_subject: string, schema: string): Promise<number> {
    const found = this.schemas.indexOf(schema);
    return found >= 0 ? found + 1 : this.schemas.push(schema);
  }
  async lookup(subject: string, schema: string): Promise<RegisteredSchema> {
    return { id: await this.register(subject, schema), version: 1, subject, schema };
  }
  async getLatest(): Promise<RegisteredSchema> {
    throw new Error('not used');
  }
}

const address = SchemaBuilder.struct()
  .name('com.acme.Address')
  .field('street', Schema.STRING_SCHEMA)
  .field('city', Schema.STRING_SCHEMA)
  .field('zip', Schema.STRING_SCHEMA)
  .field('country', Schema.STRING_SCHEMA)
  .build();
const orderSchema = SchemaBuilder.struct()
  .name('com.acme.Order')
  .field('id', Schema.INT64_SCHEMA)
  .field('customer', Schema.STRING_SCHEMA)
  .field('email', Schema.OPTIONAL_STRING_SCHEMA)
  .field('amount', Schema.FLOAT64_SCHEMA)
  .field('quantity', Schema.INT32_SCHEMA)
  .field('paid', Schema.BOOLEAN_SCHEMA)
  .field('createdAt', Timestamp.schema())
  .field('tags', SchemaBuilder.array(Schema.STRING_SCHEMA).build())
  .field('shipTo', address)
  .field('coupon', Schema.OPTIONAL_STRING_SCHEMA)
  .field('note', Schema.OPTIONAL_STRING_SCHEMA)
  .build();

function order(i: number): Struct {
  return new Struct(orderSchema)
    .put('id', BigInt(1_000_000_000 + i))
    .put('customer', `customer-${i % 10_000}`)
    .put('email', `user${i}@example.com`)
    .put('amount', Math.round(i * 137) / 100)
    .put('quantity', i % 50)
    .put('paid', i % 3 === 0)
    .put('createdAt', new Date(1_700_000_000_000 + i * 1000))
    .put('tags', ['bench', `p${i % 7}`, `region-${i % 5}`])
    .put(
      'shipTo',
      new Struct(address)
        .put('street', `${i % 300} Long Street`)
        .put('city', 'Amsterdam')
        .put('zip', `10${i % 90}AB`)
        .put('country', 'NL'),
    )
    .put('note', `note ${i} `.padEnd(640, 'lorem ipsum dolor sit amet '));
}

/** A small flat document: an id, a few strings and numbers, a short array. */
function smallDoc(i: number): unknown {
  return {
    id: i,
    uuid: `3e4f${i}a7b-1c2d-4e5f-8a9b-0c1d2e3f4a5b`,
    name: `customer-${i}`,
    price: 12.34 + i / 100,
    active: i % 2 === 0,
    ts: 1_700_000_000_000 + i,
    tags: ['a', 'b', 'c'],
  };
}

/** A nested document: the small one plus an address object and eight line items. */
function nestedDoc(i: number): unknown {
  return {
    ...(smallDoc(i) as object),
    address: { street: '1 Main St', city: 'Springfield', zip: '12345', geo: { lat: 45.12, lon: -122.5 } },
    items: Array.from({ length: 8 }, (_, k) => ({
      sku: `SKU-${k}`,
      qty: k + 1,
      unit: 9.99 + k,
      note: 'hello world',
    })),
    description: 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(4),
  };
}

function plainDoc(struct: Struct): unknown {
  const shipTo = struct.get('shipTo') as Struct;
  return {
    id: Number(struct.get('id')),
    customer: struct.get('customer'),
    email: struct.get('email'),
    amount: struct.get('amount'),
    quantity: struct.get('quantity'),
    paid: struct.get('paid'),
    createdAt: (struct.get('createdAt') as Date).getTime(),
    tags: struct.get('tags'),
    shipTo: Object.fromEntries(['street', 'city', 'zip', 'country'].map((f) => [f, shipTo.get(f)])),
    coupon: null,
    note: struct.get('note'),
  };
}

interface Contender {
  name: string;
  decode: (bytes: Buffer) => unknown;
  pool: Buffer[];
}

function measureRound(c: Contender): number {
  const { pool, decode } = c;
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < ROUND_RECORDS; i++) {
    const result = decode(pool[i % POOL]!);
    if (result instanceof Promise) throw new Error(`${c.name} did not decode synchronously`);
    if (result !== undefined) sink++;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink !== ROUND_RECORDS) throw new Error(`${c.name} lost records`);
  return ROUND_RECORDS / seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(11);

async function main(): Promise<void> {
  const records = Array.from({ length: POOL }, (_, i) => order(i));

  const jsonWithSchemas = new JsonConverter();
  jsonWithSchemas.configure({ 'schemas.enable': 'true' }, false);
  const jsonSchemaless = new JsonConverter();
  jsonSchemaless.configure({ 'schemas.enable': 'false' }, false);
  const avroConverter = new AvroConverter({ registry: new InMemoryRegistry() });
  avroConverter.configure({ 'schema.registry.url': 'http://in-memory' }, false);

  const envelopes = records.map((r) => jsonWithSchemas.fromConnectData(TOPIC, orderSchema, r)!);
  const documents = records.map((r) => Buffer.from(JSON.stringify(plainDoc(r))));
  const smallDocuments = records.map((_, i) => Buffer.from(JSON.stringify(smallDoc(i))));
  const nestedDocuments = records.map((_, i) => Buffer.from(JSON.stringify(nestedDoc(i))));
  const framed = await Promise.all(
    records.map(async (r) => (await avroConverter.fromConnectData(TOPIC, orderSchema, r))!),
  );
  // Cache the schema id before measuring.
  await avroConverter.toConnectData(TOPIC, framed[0]!);
  const rawType = avro.Type.forSchema(
    JSON.parse(JSON.stringify(avroConverter['avroData'].fromConnectSchema(orderSchema))),
  );

  const avg = (pool: Buffer[]) => Math.round(pool.reduce((n, b) => n + b.length, 0) / pool.length);
  console.log(
    `record sizes: JSON with schema ${avg(envelopes)} B, JSON payload ${avg(documents)} B, Avro ${avg(framed)} B; ` +
      `${ROUND_RECORDS.toLocaleString()} records per round, ${WARMUP} warm-up + ${ROUNDS} measured rounds`,
  );

  const pairs: { label: string; converter: Contender; baseline: Contender; goal: number | null }[] = [
    {
      label: 'JsonConverter schemas.enable=true',
      converter: {
        name: 'JsonConverter (schemas)',
        pool: envelopes,
        decode: (b) => jsonWithSchemas.toConnectData(TOPIC, b),
      },
      baseline: {
        name: 'JSON.parse (envelope)',
        pool: envelopes,
        decode: (b) => JSON.parse(b.toString('utf8')),
      },
      goal: null,
    },
    {
      label: 'JsonConverter schemas.enable=false',
      converter: {
        name: 'JsonConverter (schemaless)',
        pool: documents,
        decode: (b) => jsonSchemaless.toConnectData(TOPIC, b),
      },
      baseline: {
        name: 'JSON.parse (payload)',
        pool: documents,
        decode: (b) => JSON.parse(b.toString('utf8')),
      },
      goal: 0.7,
    },
    {
      label: 'JsonConverter schemaless, small',
      converter: {
        name: 'JsonConverter (small)',
        pool: smallDocuments,
        decode: (b) => jsonSchemaless.toConnectData(TOPIC, b),
      },
      baseline: {
        name: 'JSON.parse (small)',
        pool: smallDocuments,
        decode: (b) => JSON.parse(b.toString('utf8')),
      },
      goal: null,
    },
    {
      label: 'JsonConverter schemaless, nested',
      converter: {
        name: 'JsonConverter (nested)',
        pool: nestedDocuments,
        decode: (b) => jsonSchemaless.toConnectData(TOPIC, b),
      },
      baseline: {
        name: 'JSON.parse (nested)',
        pool: nestedDocuments,
        decode: (b) => JSON.parse(b.toString('utf8')),
      },
      goal: null,
    },
    {
      label: 'AvroConverter (cached schema)',
      converter: {
        name: 'AvroConverter',
        pool: framed,
        decode: (b) => (avroConverter.toConnectData(TOPIC, b) as SchemaAndValue).value,
      },
      baseline: { name: 'avsc fromBuffer', pool: framed, decode: (b) => rawType.fromBuffer(b.subarray(5)) },
      goal: 0.8,
    },
  ];

  const selected = pairs.filter((p) => p.label.toLowerCase().includes(ONLY));
  if (selected.length === 0)
    throw new Error(`BENCH_ONLY=${ONLY} matches none of: ${pairs.map((p) => p.label).join(', ')}`);
  const contenders = selected.flatMap((p) => [p.converter, p.baseline]);
  const results = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const runs: BenchRun[] = [];
  for (let round = 1; round <= WARMUP + ROUNDS; round++) {
    const warm = round <= WARMUP;
    const line: string[] = [];
    for (const c of contenders) {
      const rate = measureRound(c);
      if (!warm) {
        results.get(c.name)!.push(rate);
        const pair = selected.find((p) => p.converter === c || p.baseline === c)!;
        runs.push({
          case: pair.label,
          subject: pair.converter === c ? 'sluice' : 'raw',
          round: round - WARMUP,
          records: ROUND_RECORDS,
          seconds: ROUND_RECORDS / rate,
          recordsPerSec: rate,
        });
      }
      line.push(`${c.name} ${Math.round(rate / 1000)}k/s`);
    }
    console.log(`  ${warm ? 'warm-up' : 'round'} ${warm ? round : round - WARMUP}: ${line.join(', ')}`);
  }

  // The ratio is taken per round (converter and baseline ran back to back) and its median reported:
  // on a shared machine that is steadier than the ratio of two medians.
  console.log('\nmedian records/s (decode only); ratio = median of the per-round ratios');
  let belowGoal = false;
  const notes = [
    'Decode only (bytes → Connect data), in one process; raw = JSON.parse of the same bytes, or avsc fromBuffer after the 5-byte header. ' +
      `${ROUND_RECORDS} records per round, ${WARMUP} warm-up rounds not kept.`,
  ];
  for (const p of selected) {
    const convRounds = results.get(p.converter.name)!;
    const baseRounds = results.get(p.baseline.name)!;
    const conv = median(convRounds);
    const base = median(baseRounds);
    const ratio = median(convRounds.map((c, i) => c / baseRounds[i]!));
    const goal =
      p.goal === null
        ? ''
        : ratio >= p.goal
          ? ` (goal >= ${p.goal}x: met)`
          : ` (goal >= ${p.goal}x: NOT met)`;
    if (p.goal !== null && ratio < p.goal) belowGoal = true;
    notes.push(`${p.label}: median of the per-round ratios ${ratio.toFixed(2)}x${goal}`);
    console.log(
      `  ${p.label.padEnd(36)} ${fmt(conv)}  vs ${p.baseline.name.padEnd(22)} ${fmt(base)}  = ${ratio.toFixed(2)}x${goal}`,
    );
  }
  if (belowGoal) console.log('\nSome converters are below their goal: see the ratios above.');
  writeBenchResult({
    suite: 'converters',
    config: { roundRecords: ROUND_RECORDS, rounds: ROUNDS, warmup: WARMUP, ...(ONLY ? { only: ONLY } : {}) },
    runs,
    compare: [['sluice', 'raw']],
    notes,
  });
}

await main();
