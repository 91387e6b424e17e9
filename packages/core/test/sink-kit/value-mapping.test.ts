import { describe, expect, it } from 'vitest';
import {
  ConnectDecimal,
  Decimal,
  LogicalDate,
  RecordView,
  SchemaBuilder,
  Struct,
  Time,
  Timestamp,
  projectRecord,
  valueHooks,
  valueMapper,
  type KcqlField,
  type SinkRecord,
} from '../../src/sink-kit/index.js';

// A mapper that tags each value with the hook that saw it: what a store with native types relies on.
const tags = valueHooks<unknown>({
  int: (v, type) => `${type}:${v}`,
  int64: (v) => `INT64:${v}`,
  float: (v, type) => `${type}:${v}`,
  decimal: (v) => `DECIMAL:${v.toString()}`,
  date: (v) => `DATE:${v.toISOString().slice(0, 10)}`,
  time: (ms) => `TIME:${ms}`,
  timestamp: (v) => `TS:${v.toISOString()}`,
  bytes: (v) => `BYTES:${v.toString('hex')}`,
});
const tagged = valueMapper<unknown>(tags);

describe('valueMapper: values with a schema', () => {
  const schema = SchemaBuilder.struct()
    .field('i8', SchemaBuilder.int8().build())
    .field('i32', SchemaBuilder.int32().build())
    .field('i64', SchemaBuilder.int64().build())
    .field('f32', SchemaBuilder.float32().build())
    .field('f64', SchemaBuilder.float64().build())
    .field('dec', Decimal.schema(2))
    .field('day', LogicalDate.schema())
    .field('time', Time.schema())
    .field('ts', Timestamp.schema())
    .field('raw', SchemaBuilder.bytes().build())
    .field('tags', SchemaBuilder.array(SchemaBuilder.string().build()).build())
    .field(
      'scores',
      SchemaBuilder.map(SchemaBuilder.string().build(), SchemaBuilder.float64().build()).build(),
    )
    .field('opt', SchemaBuilder.string().optional().build())
    .build();
  const struct = new Struct(schema)
    .put('i8', 7)
    .put('i32', 70000)
    .put('i64', 2n ** 60n + 1n)
    .put('f32', 1.5)
    .put('f64', 3.0)
    .put('dec', new ConnectDecimal(12345n, 2))
    .put('day', new Date(Date.UTC(2024, 1, 29)))
    .put('time', new Date(45_296_789))
    .put('ts', new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 5)))
    .put('raw', Buffer.from([1, 255]))
    .put('tags', ['a', 'b'])
    .put('scores', new Map([['x', 2.0]]))
    .put('opt', null);

  it('gives each Connect type to its hook; a whole FLOAT64 stays a float and INT64 a bigint', () => {
    expect(tagged(struct)).toEqual({
      i8: 'INT8:7',
      i32: 'INT32:70000',
      i64: `INT64:${2n ** 60n + 1n}`,
      f32: 'FLOAT32:1.5',
      f64: 'FLOAT64:3',
      dec: 'DECIMAL:123.45',
      day: 'DATE:2024-02-29',
      time: 'TIME:45296789',
      ts: 'TS:2024-02-29T12:00:00.005Z',
      raw: 'BYTES:01ff',
      tags: ['a', 'b'],
      scores: { x: 'FLOAT64:2' },
      opt: null,
    });
  });

  it('defaults keep exact representations for JSON-like stores', () => {
    const plain = valueMapper()(struct) as Record<string, unknown>;
    expect(plain['i64']).toBe(2n ** 60n + 1n);
    expect(plain['dec']).toEqual(new ConnectDecimal(12345n, 2));
    expect(plain['time']).toBe(45_296_789);
    expect(plain['ts']).toEqual(new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 5)));
    expect(plain['scores']).toEqual({ x: 2 });
  });

  it('a map with non-string keys stays a Map', () => {
    const schema = SchemaBuilder.map(SchemaBuilder.int32().build(), SchemaBuilder.string().build()).build();
    expect(valueMapper()(new Map([[1, 'one']]), schema)).toEqual(new Map([[1, 'one']]));
  });

  it('a "__proto__" key is a field of the object, not its prototype', () => {
    const mapped = valueMapper()(
      new Map<string, unknown>([
        ['__proto__', { polluted: true }],
        ['id', 1],
      ]),
    ) as Record<string, unknown>;
    expect(Object.getPrototypeOf(mapped)).toBe(Object.prototype);
    expect(Object.keys(mapped)).toEqual(['__proto__', 'id']);
    expect(Object.getOwnPropertyDescriptor(mapped, '__proto__')?.value).toEqual({ polluted: true });
  });
});

describe('valueMapper: values without a schema, by runtime type', () => {
  it('integers, fractions, bigints, dates, bytes, maps and objects', () => {
    expect(
      tagged({
        n: 5,
        big: 5_000_000_000,
        f: 2.5,
        b: 9n,
        d: new Date(0),
        raw: Buffer.from([2]),
        m: new Map([['k', 1]]),
        s: 'x',
        ok: true,
      }),
    ).toEqual({
      n: 'INT32:5',
      big: 'INT64:5000000000',
      f: 'FLOAT64:2.5',
      b: 'INT64:9',
      d: 'TS:1970-01-01T00:00:00.000Z',
      raw: 'BYTES:02',
      m: { k: 'INT32:1' },
      s: 'x',
      ok: true,
    });
  });
});

describe('RecordView: JSON text', () => {
  const record = (value: unknown): SinkRecord => ({
    topic: 't',
    kafkaPartition: 0,
    kafkaOffset: 3,
    keySchema: null,
    key: '{"id": 12345678901234567890}',
    valueSchema: null,
    value,
    timestamp: null,
    timestampType: 'CreateTime',
    headers: [],
  });

  it('keeps integers beyond 2^53 exact, in the value and the key', () => {
    const view = new RecordView(
      record('{"id": 9007199254740993, "n": 1, "f": 1.5, "list": [18446744073709551615]}'),
    );
    expect(view.value()).toEqual({ id: 9007199254740993n, n: 1, f: 1.5, list: [18446744073709551615n] });
    expect(view.key()).toEqual({ id: 12345678901234567890n });
    expect(tagged((view.value() as Record<string, unknown>)['id'])).toBe('INT64:9007199254740993');
  });

  it('projection reads the exact value', () => {
    const doc = projectRecord(record(Buffer.from('{"id": 9007199254740993, "x": 2.0}')), {
      fields: [{ name: '*', alias: '*', type: 'VALUE', parents: null }],
      keyFields: [],
      headerFields: [],
      ignoredFields: [],
      retainStructure: false,
    });
    expect(doc).toEqual({ id: 9007199254740993n, x: 2 });
  });

  it('invalid JSON text is still a data error naming the record', () => {
    expect(() => new RecordView(record('{"id": '), { connectorName: 'c' }).value()).toThrow(
      /Connector c: record at topic t partition 0 offset 3: the value is not valid JSON/,
    );
  });
});

describe('projectRecord with valueHooks: projected values keep their schema', () => {
  const inner = SchemaBuilder.struct()
    .field('price', SchemaBuilder.float64().build())
    .field('secret', SchemaBuilder.string().build())
    .build();
  const schema = SchemaBuilder.struct()
    .field('id', SchemaBuilder.int64().build())
    .field('amount', SchemaBuilder.float64().build())
    .field('item', inner)
    .build();
  const value = new Struct(schema)
    .put('id', 42n)
    .put('amount', 3.0)
    .put('item', new Struct(inner).put('price', 10.0).put('secret', 's'));
  const rec: SinkRecord = {
    topic: 't',
    kafkaPartition: 0,
    kafkaOffset: 0,
    keySchema: null,
    key: null,
    valueSchema: schema,
    value,
    timestamp: null,
    timestampType: 'CreateTime',
    headers: [],
  };
  const field = (name: string, parents: string[] | null = null, alias = name): KcqlField => ({
    name,
    alias,
    type: 'VALUE',
    parents,
  });
  const statement = (fields: KcqlField[], ignoredFields: KcqlField[] = []) => ({
    fields,
    keyFields: [],
    headerFields: [],
    ignoredFields,
    retainStructure: false,
  });

  it('SELECT * with IGNORE: whole doubles reach the float hook, ignored paths are left out', () => {
    const doc = projectRecord(rec, statement([field('*')], [field('secret', ['item'])]), {
      valueHooks: tags,
    });
    expect(doc).toEqual({ id: 'INT64:42', amount: 'FLOAT64:3', item: { price: 'FLOAT64:10' } });
  });

  it('a nested path reads its schema from the parent Struct', () => {
    const doc = projectRecord(rec, statement([field('price', ['item'], 'p'), field('id')]), {
      valueHooks: tags,
    });
    expect(doc).toEqual({ p: 'FLOAT64:10', id: 'INT64:42' });
  });

  it('without valueHooks values stay plain, as before', () => {
    expect(projectRecord(rec, statement([field('amount')]))).toEqual({ amount: 3 });
  });
});
