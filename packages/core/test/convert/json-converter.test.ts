import { describe, expect, it } from 'vitest';
import { JsonConverter } from '../../src/convert/json/json-converter.js';
import {
  ConnectDecimal,
  Date as ConnectDate,
  Decimal,
  Schema,
  SchemaBuilder,
  schemasEqual,
  Struct,
  Timestamp,
} from '../../src/data/index.js';
import { ConfigException, DataException } from '../../src/errors.js';

function converter(config: Record<string, string> = {}): JsonConverter {
  const c = new JsonConverter();
  c.configure(config, false);
  return c;
}

const text = (b: Buffer | null) => (b === null ? null : b.toString('utf8'));
const read = (c: JsonConverter, json: string) => c.toConnectData('orders', Buffer.from(json));

describe('JsonConverter: exact numbers', () => {
  it('keeps int64 values beyond 2^53 exact, with and without schemas', () => {
    const schemaless = converter({ 'schemas.enable': 'false' });
    expect(read(schemaless, '{"id": 9223372036854775807}').value).toEqual(
      new Map([['id', 9223372036854775807n]]),
    );
    const withSchema = converter();
    const r = read(withSchema, '{"schema":{"type":"int64"},"payload":9007199254740993}');
    expect(r.value).toBe(9007199254740993n);
    expect(text(withSchema.fromConnectData('t', Schema.INT64_SCHEMA, 9007199254740993n))).toBe(
      '{"schema":{"type":"int64","optional":false},"payload":9007199254740993}',
    );
  });

  it('distinguishes 12 (INT64) from 12.0 (FLOAT64) in schemaless data', () => {
    const c = converter({ 'schemas.enable': 'false' });
    expect(read(c, '[12, 12.0, 12.5, 1e2, -0.0]').value).toEqual([12n, 12, 12.5, 100, -0]);
    expect(read(c, '"version 1.0"').value).toBe('version 1.0');
  });

  it('writes integral floats with .0 and floats as Java does', () => {
    const c = converter({ 'schemas.enable': 'false' });
    expect(text(c.fromConnectData('t', Schema.FLOAT64_SCHEMA, 12))).toBe('12.0');
    expect(text(c.fromConnectData('t', Schema.FLOAT32_SCHEMA, 12.34))).toBe('12.34');
    expect(text(c.fromConnectData('t', Schema.FLOAT64_SCHEMA, 1e7))).toBe('1.0E7');
    expect(text(c.fromConnectData('t', null, 12))).toBe('12');
    expect(text(c.fromConnectData('t', null, 12.5))).toBe('12.5');
  });

  it('keeps decimal scale: reads a numeric payload with its own scale and writes NUMERIC with trailing zeros', () => {
    const d17 = Decimal.schema(17);
    const schemaJson = JSON.stringify(converter().asJsonSchema(d17));
    const r = read(converter(), `{"schema":${schemaJson},"payload":1.23456789123456789}`);
    expect((r.value as ConnectDecimal).toString()).toBe('1.23456789123456789');
    const numeric = converter({ 'decimal.format': 'numeric', 'schemas.enable': 'false' });
    expect(text(numeric.fromConnectData('t', Decimal.schema(4), ConnectDecimal.parse('1.5600')))).toBe(
      '1.5600',
    );
    expect(
      text(
        converter({ 'schemas.enable': 'false' }).fromConnectData(
          't',
          Decimal.schema(2),
          ConnectDecimal.parse('1.56'),
        ),
      ),
    ).toBe('"AJw="');
  });

  it('accepts leading zeros as Jackson does', () => {
    expect(read(converter({ 'schemas.enable': 'false' }), '{"a": 007}').value).toEqual(new Map([['a', 7n]]));
  });
});

describe('JsonConverter: envelope and schemas', () => {
  const order = SchemaBuilder.struct()
    .name('com.acme.Order')
    .version(2)
    .doc('an order')
    .field('id', Schema.INT64_SCHEMA)
    .field('price', Decimal.builder(2).optional())
    .field('day', ConnectDate.builder().optional())
    .field('at', Timestamp.schema())
    .field('tags', SchemaBuilder.array(Schema.STRING_SCHEMA).optional())
    .field('attrs', SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.BOOLEAN_SCHEMA).optional())
    .field('qty', SchemaBuilder.int16().defaultValue(1))
    .build();

  it('writes Java member order and round-trips a struct', () => {
    const c = converter();
    const value = new Struct(order)
      .put('id', 1n)
      .put('price', ConnectDecimal.parse('9.99'))
      .put('day', new Date('2024-01-02T00:00:00Z'))
      .put('at', new Date(1700000000000))
      .put('tags', ['a'])
      .put('attrs', new Map([[7, true]]));
    const bytes = c.fromConnectData('orders', order, value);
    const json = text(bytes) as string;
    expect(
      json.startsWith('{"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"}'),
    ).toBe(true);
    expect(json).toContain('"optional":false,"name":"com.acme.Order","version":2,"doc":"an order"}');
    expect(json).toContain(
      '"payload":{"id":1,"price":"A+c=","day":19724,"at":1700000000000,"tags":["a"],"attrs":[[7,true]],"qty":1}',
    );
    const back = c.toConnectData('orders', bytes);
    expect(schemasEqual(back.schema, order)).toBe(true);
    expect((back.value as Struct).equals(value.put('qty', 1))).toBe(true);
  });

  it('asConnectSchema / asJsonSchema are inverse', () => {
    const c = converter();
    expect(c.asConnectSchema(c.asJsonSchema(order))?.toString()).toBe('Schema{com.acme.Order:STRUCT}');
    expect(c.asConnectSchema(null)).toBeNull();
  });

  it('writes tombstones as null bytes and reads empty input by mode', () => {
    expect(converter().fromConnectData('t', null, null)).toBeNull();
    expect(converter({ 'schemas.enable': 'false' }).toConnectData('t', Buffer.alloc(0)).value).toBeNull();
    expect(() => converter().toConnectData('t', Buffer.alloc(0))).toThrow(
      'requires "schema" and "payload" fields',
    );
  });

  it('replaces null with the default only when configured', () => {
    const s = SchemaBuilder.string().optional().defaultValue('d').build();
    expect(text(converter({ 'schemas.enable': 'false' }).fromConnectData('t', s, null))).toBe('"d"');
    const keep = converter({ 'schemas.enable': 'false', 'replace.null.with.default': 'false' });
    expect(text(keep.fromConnectData('t', s, null))).toBe('null');
  });
});

describe('JsonConverter: bad input', () => {
  it('names the topic for invalid JSON, without echoing the payload', () => {
    const run = () => read(converter(), '{"password": "hunter2", oops}');
    expect(run).toThrow(DataException);
    expect(run).toThrow(
      /^Converting byte\[\] to Kafka Connect data failed due to serialization error of topic orders: /,
    );
    expect(run).not.toThrow(/hunter2/);
  });

  it('rejects values that do not fit the schema', () => {
    expect(() => read(converter(), '{"schema":{"type":"int8"},"payload":300}')).toThrow(
      'failed for topic orders: Value 300 is out of range for INT8',
    );
    expect(() => read(converter(), '{"schema":{"type":"int32"},"payload":"x"}')).toThrow(
      'Invalid JSON for INT32 value',
    );
    expect(() => read(converter(), '{"schema":{"type":"nope"},"payload":1}')).toThrow(
      'Unknown schema type: nope',
    );
    expect(() => read(converter(), '{"schema":{"type":"int32"},"payload":null}')).toThrow(
      'Invalid null value for required INT32 field',
    );
    expect(() =>
      read(converter(), '{"schema":{"type":"struct","fields":[{"type":"int8"}]},"payload":{}}'),
    ).toThrow("Struct schema's field name not specified properly");
    const c = converter();
    expect(() => c.fromConnectData('orders', Schema.INT32_SCHEMA, 'x')).toThrow(
      'Invalid type for INT32: string',
    );
    expect(() => c.fromConnectData('orders', Schema.STRING_SCHEMA, null)).toThrow(
      'Conversion error: null value for field that is required and has no default value',
    );
    expect(() => c.fromConnectData('orders', null, new Date())).toThrow(
      'does not have corresponding schema type',
    );
  });

  it('rejects bad configuration', () => {
    expect(() => converter({ 'decimal.format': 'HEX' })).toThrow(ConfigException);
    expect(() => converter({ 'schemas.enable': 'maybe' })).toThrow(ConfigException);
  });

  it('writes plain objects as schemaless maps', () => {
    expect(
      text(converter({ 'schemas.enable': 'false' }).fromConnectData('t', null, { properties: { a: 'b' } })),
    ).toBe('{"properties":{"a":"b"}}');
  });
});
