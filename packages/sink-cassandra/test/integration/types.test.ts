import {
  connectJson,
  encodeAvro,
  kafkaTopic,
  registerAvroSchema,
  runConnector,
  uniqueName,
  waitFor,
  type StandaloneWorker,
} from '@sluice/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  cassandraConnector,
  count,
  rows,
  setUpCassandraIt,
  tearDownCassandraIt,
  type CassandraIt,
} from './harness.js';

// Every row of the README's type table, end to end: real Kafka → `sluice standalone` → Cassandra 5.0,
// read back with the driver. Connect JSON with schemas carries every Connect type (INT8/INT16 and the
// logical types included); Avro through the schema registry and schemaless JSON are converted by the
// columns' types.

let env: CassandraIt;
let worker: StandaloneWorker | undefined;

beforeAll(async () => {
  env = await setUpCassandraIt();
  await env.client.execute(`CREATE TYPE ${env.keyspace}.address (street text, zip int)`);
  await env.client.execute(
    `CREATE TABLE ${env.keyspace}.everything (id int PRIMARY KEY, "UpperCase" text, i8 tinyint, i16 smallint, i64 bigint, ` +
      `vi varint, f32 float, f64 double, dec decimal, ts timestamp, day date, tod time, raw blob, u uuid, tu timeuuid, ` +
      `ip inet, nums list<int>, tags set<text>, attrs map<text, int>, home frozen<address>, work address, flag boolean)`,
  );
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});
afterAll(async () => {
  await tearDownCassandraIt(env);
});

const field = (name: string, type: string, extra: object = {}) => ({
  field: name,
  type,
  optional: true,
  ...extra,
});
const addressSchema = (name: string) => ({
  field: name,
  type: 'struct',
  optional: true,
  fields: [field('street', 'string'), field('zip', 'int32')],
});
const everythingSchema = {
  type: 'struct',
  optional: false,
  fields: [
    { field: 'id', type: 'int32', optional: false },
    field('UpperCase', 'string'),
    field('i8', 'int8'),
    field('i16', 'int16'),
    field('i64', 'int64'),
    field('vi', 'int64'),
    field('f32', 'float'),
    field('f64', 'double'),
    field('dec', 'bytes', { name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '2' } }),
    field('ts', 'int64', { name: 'org.apache.kafka.connect.data.Timestamp' }),
    field('day', 'int32', { name: 'org.apache.kafka.connect.data.Date' }),
    field('tod', 'int32', { name: 'org.apache.kafka.connect.data.Time' }),
    field('raw', 'bytes'),
    field('u', 'string'),
    field('tu', 'string'),
    field('ip', 'string'),
    { field: 'nums', type: 'array', items: { type: 'int32' }, optional: true },
    { field: 'tags', type: 'array', items: { type: 'string' }, optional: true },
    { field: 'attrs', type: 'map', keys: { type: 'string' }, values: { type: 'int32' }, optional: true },
    addressSchema('home'),
    addressSchema('work'),
    field('flag', 'boolean'),
  ],
};
const AT = Date.UTC(2024, 0, 2, 3, 4, 5, 6);
const UUID = '123e4567-e89b-12d3-a456-426614174000';
const TIMEUUID = '50554d6e-29bb-11e5-b345-feff819cdc9f';

async function expectEverything(id: number): Promise<void> {
  const [row] = await rows(env, `SELECT * FROM ${env.keyspace}.everything WHERE id = ?`, [id]);
  expect(row).toBeDefined();
  const r = row!;
  expect(r.get('UpperCase')).toBe('Upper');
  expect(r.get('i8')).toBe(-7);
  expect(r.get('i16')).toBe(300);
  expect(r.get('i64')).toBe(9007199254740993n);
  expect(r.get('vi')).toBe(-123456789012345n);
  expect(r.get('f32')).toBe(1.5);
  expect(r.get('f64')).toBe(3);
  expect(r.get('dec').toString()).toBe('123.45');
  expect(r.get('ts')).toEqual(new Date(AT));
  expect(r.get('day').toString()).toBe('2024-01-02');
  expect(r.get('tod').toString()).toBe('01:02:03.004');
  expect(r.get('raw')).toEqual(Buffer.from([0, 1, 254, 255]));
  expect(r.get('u').toString()).toBe(UUID);
  expect(r.get('tu').toString()).toBe(TIMEUUID);
  expect(r.get('ip').toString()).toBe('10.1.2.3');
  expect(r.get('nums')).toEqual([3, 1, 3]);
  expect(r.get('tags')).toEqual(['a', 'b']);
  expect(r.get('attrs')).toEqual(
    new Map([
      ['x', 1],
      ['y', 2],
    ]),
  );
  expect(r.get('home')).toEqual({ street: 'Main', zip: 1000 });
  expect(r.get('work')).toEqual({ street: 'Side', zip: 2000 });
  expect(r.get('flag')).toBe(true);
}

describe('Cassandra sink: every Connect type to its CQL type', () => {
  it('Connect JSON with schemas: each row of the type table, read back with the driver', async () => {
    const t = await kafkaTopic(env, 'cass-types');
    const payload = {
      id: 1,
      UpperCase: 'Upper',
      i8: -7,
      i16: 300,
      i64: 9007199254740993n,
      vi: -123456789012345,
      f32: 1.5,
      f64: 3.0,
      dec: Buffer.from([0x30, 0x39]).toString('base64'), // unscaled 12345, scale 2
      ts: AT,
      day: 19724,
      tod: 3_723_004,
      raw: Buffer.from([0, 1, 254, 255]).toString('base64'),
      u: UUID,
      tu: TIMEUUID,
      ip: '10.1.2.3',
      nums: [3, 1, 3],
      tags: ['b', 'a', 'b'],
      attrs: { x: 1, y: 2 },
      home: { street: 'Main', zip: 1000 },
      work: { street: 'Side', zip: 2000 },
      flag: true,
    };
    // JSON.stringify cannot write a bigint: the int64 beyond 2^53 goes in as its digits.
    const text = connectJson(everythingSchema, { ...payload, i64: 0 }).replace(
      '"i64":0',
      '"i64":9007199254740993',
    );
    await env.kafka.produce(t, [{ value: text }]);
    worker = await runConnector(
      env,
      cassandraConnector(
        env,
        uniqueName('c'),
        t,
        `INSERT INTO ${env.keyspace}.everything SELECT * FROM ${t}`,
      ),
      { 'value.converter.schemas.enable': 'true' },
    );
    await waitFor(async () => (await count(env, 'everything')) >= 1, { what: 'the row in everything' });
    await expectEverything(1);
  });

  it('schemaless JSON: values converted by the columns’ types (text dates, uuids, inets; numbers to varint and decimal)', async () => {
    const t = await kafkaTopic(env, 'cass-schemaless');
    const value =
      '{"id":2,"UpperCase":"Upper","i8":-7,"i16":300,"i64":9007199254740993,"vi":-123456789012345,"f32":1.5,"f64":3.0,' +
      '"dec":123.45,"ts":"2024-01-02T03:04:05.006Z","day":"2024-01-02","tod":"01:02:03.004","raw":"AAH+/w==",' +
      `"u":"${UUID}","tu":"${TIMEUUID}","ip":"10.1.2.3","nums":[3,1,3],"tags":["a","b"],"attrs":{"x":1,"y":2},` +
      '"home":{"street":"Main","zip":1000},"work":{"zip":2000,"street":"Side"},"flag":true}';
    await env.kafka.produce(t, [{ value }]);
    worker = await runConnector(
      env,
      cassandraConnector(
        env,
        uniqueName('c'),
        t,
        `INSERT INTO ${env.keyspace}.everything SELECT * FROM ${t}`,
      ),
    );
    await waitFor(
      async () => (await rows(env, `SELECT id FROM ${env.keyspace}.everything WHERE id = 2`)).length === 1,
      {
        what: 'row 2',
      },
    );
    await expectEverything(2);
  });

  it('Avro through the schema registry: selected fields, aliases and nested paths arrive typed', async () => {
    const t = await kafkaTopic(env, 'cass-avro');
    await env.client.execute(
      `CREATE TABLE ${env.keyspace}.readings (sensor text, at timestamp, count bigint, lat double, raw blob, tags list<text>, attrs map<text, int>, note text, PRIMARY KEY (sensor, at))`,
    );
    const avro = await registerAvroSchema(env.registryUrl, `${t}-value`, {
      type: 'record',
      name: 'Reading',
      fields: [
        { name: 'sensorID', type: 'string' },
        { name: 'count', type: 'long' },
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'raw', type: 'bytes' },
        {
          name: 'location',
          type: { type: 'record', name: 'Location', fields: [{ name: 'lat', type: 'double' }] },
        },
        { name: 'tags', type: { type: 'array', items: 'string' } },
        { name: 'attrs', type: { type: 'map', values: 'int' } },
        { name: 'note', type: ['null', 'string'], default: null },
      ],
    });
    await env.kafka.produce(
      t,
      [1, 2].map((n) => ({
        value: encodeAvro(avro, {
          sensorID: 's1',
          count: 5_000_000_000 + n,
          at: AT + n,
          raw: Buffer.from([n]),
          location: { lat: 51.5 },
          tags: ['x', 'y'],
          attrs: { k: n },
          note: null,
        }),
      })),
    );
    worker = await runConnector(
      env,
      cassandraConnector(
        env,
        uniqueName('c'),
        t,
        `INSERT INTO ${env.keyspace}.readings SELECT sensorID AS sensor, at, count, location.lat AS lat, raw, tags, attrs, note FROM ${t}`,
      ),
      {
        'value.converter': 'io.confluent.connect.avro.AvroConverter',
        'value.converter.schema.registry.url': env.registryUrl,
      },
    );
    await waitFor(async () => (await count(env, 'readings')) >= 2, { what: 'two readings' });
    const [r] = await rows(env, `SELECT * FROM ${env.keyspace}.readings WHERE sensor = 's1' AND at = ?`, [
      new Date(AT + 2),
    ]);
    expect(r!.get('count')).toBe(5_000_000_002n);
    expect(r!.get('lat')).toBe(51.5);
    expect(r!.get('raw')).toEqual(Buffer.from([2]));
    expect(r!.get('tags')).toEqual(['x', 'y']);
    expect(r!.get('attrs')).toEqual(new Map([['k', 2]]));
    expect(r!.get('note')).toBeNull();
  });
});
