import { describe, expect, it } from 'vitest';
import {
  ConnectDecimal,
  Decimal,
  Schema,
  SchemaAndValue,
  SchemaBuilder,
  Struct,
  Timestamp,
} from '../../src/data/index.js';
import { ConfigException, DataException, RetriableException } from '../../src/errors.js';
import { AvroConverter } from '../../src/convert/avro/index.js';
import { avscType } from '../../src/convert/avro/avsc-types.js';
import { FakeSchemaRegistry } from './avro-fake-registry.js';
import { loadAvroVectors } from './avro-vectors.js';
import { vectorSchema, vectorValue } from './vector-values.js';

function converter(
  registry: FakeSchemaRegistry,
  config: Record<string, string> = {},
  isKey = false,
): AvroConverter {
  const c = new AvroConverter({ registry });
  c.configure({ 'schema.registry.url': 'http://registry.invalid:8081', ...config }, isKey);
  return c;
}

const orderSchema = SchemaBuilder.struct()
  .name('com.acme.Order')
  .field('id', Schema.INT64_SCHEMA)
  .field('customer', Schema.STRING_SCHEMA)
  .field('note', Schema.OPTIONAL_STRING_SCHEMA)
  .field('amount', Decimal.schema(2))
  .field('at', Timestamp.schema())
  .build();

function order(): Struct {
  return new Struct(orderSchema)
    .put('id', 9007199254740993n)
    .put('customer', 'ada')
    .put('amount', new ConnectDecimal(1999n, 2))
    .put('at', new Date(1_700_000_000_000));
}

describe('AvroConverter', () => {
  it('writes the Confluent wire format: magic 0, big-endian schema id, Avro binary (avroconv.primitive.roundtrip)', async () => {
    const c = converter(new FakeSchemaRegistry());
    const bytes = await c.fromConnectData('topic', Schema.BOOLEAN_SCHEMA, true);
    expect(bytes!.toString('hex')).toBe('00' + '00000001' + '01');
    const back = await c.toConnectData('topic', bytes);
    expect(back.schema?.type).toBe('BOOLEAN');
    expect(back.schema?.version).toBe(1);
    expect(back.value).toBe(true);
  });

  it('keeps the Connect version written in the schema over the registry version (avroconv.versionMaintained)', async () => {
    const vector = loadAvroVectors().find((v) => v.id === 'avroconv.versionMaintained')!;
    const c = converter(new FakeSchemaRegistry());
    for (const step of vector.steps!) {
      const schema = vectorSchema(step.schema)!;
      const bytes = await c.fromConnectData('topic', schema, vectorValue(step.value, schema));
      const back = await c.toConnectData('topic', bytes);
      expect(back.schema?.version).toBe(step.expectedVersionAfterRoundTrip);
    }
  });

  it('round-trips a record with int64 beyond 2^53, decimal, timestamp and an unset optional field', async () => {
    const registry = new FakeSchemaRegistry();
    const c = converter(registry);
    const bytes = await c.fromConnectData('orders', orderSchema, order());
    expect(registry.subjects.has('orders-value')).toBe(true);
    const back = await c.toConnectData('orders', bytes);
    const struct = back.value as Struct;
    expect(struct.get('id')).toBe(9007199254740993n);
    expect(struct.get('note')).toBeNull();
    expect((struct.get('amount') as ConnectDecimal).toString()).toBe('19.99');
    expect((struct.get('at') as Date).getTime()).toBe(1_700_000_000_000);
    expect(back.schema?.name).toBe('com.acme.Order');
  });

  it('writes null as a tombstone (null bytes) without registering, and reads null bytes as SchemaAndValue.NULL', async () => {
    const registry = new FakeSchemaRegistry();
    const c = converter(registry);
    expect(await c.fromConnectData('orders', orderSchema, null)).toBeNull();
    expect(registry.calls).toEqual([]);
    expect(c.toConnectData('orders', null)).toBe(SchemaAndValue.NULL);
  });

  it('decodes synchronously once a schema id is cached, asking the registry once per id', async () => {
    const registry = new FakeSchemaRegistry();
    const writer = converter(registry);
    const bytes = (await writer.fromConnectData('orders', orderSchema, order()))!;
    const reader = converter(registry);
    const first = await reader.toConnectData('orders', bytes);
    const second = reader.toConnectData('orders', bytes);
    expect(second).not.toBeInstanceOf(Promise);
    expect((second as SchemaAndValue).value).toEqual(first.value);
    expect(registry.calls.filter((c) => c.startsWith('getSchemaById'))).toEqual(['getSchemaById 1']);
  });

  it('names the topic and the converter key for bytes that are not Confluent Avro', () => {
    const c = converter(new FakeSchemaRegistry());
    expect(() => c.toConnectData('orders', Buffer.from('{"id":1}'))).toThrow(
      new DataException(
        'Unknown magic byte 0x7b for topic orders: the value is not in Confluent Avro wire format (is value.converter right?)',
      ),
    );
    expect(() => c.toConnectData('orders', Buffer.from([0, 0, 1]))).toThrow(
      /too short .* is value.converter right/,
    );
  });

  it('rejects truncated Avro data and trailing bytes with a DataException naming the topic and schema id', async () => {
    const registry = new FakeSchemaRegistry();
    const c = converter(registry);
    const bytes = (await c.fromConnectData('orders', orderSchema, order()))!;
    await expect(c.toConnectData('orders', bytes.subarray(0, bytes.length - 3))).rejects.toThrow(
      /Failed to deserialize Avro data of the value of topic orders \(schema id 1, \d+ bytes\)/,
    );
    expect(() => c.toConnectData('orders', Buffer.concat([bytes, Buffer.from([1])]))).toThrow(DataException);
  });

  it('fails an unknown schema id with a DataException, not a retriable one', async () => {
    const c = converter(new FakeSchemaRegistry());
    const bytes = Buffer.from('00000003e718', 'hex');
    await expect(c.toConnectData('orders', bytes)).rejects.toThrow(DataException);
    await expect(c.toConnectData('orders', bytes)).rejects.toThrow(
      /Schema id 999 of the value of topic orders is not in the schema registry/,
    );
  });

  it('makes an unreachable registry a RetriableException, on read and on write', async () => {
    const registry = new FakeSchemaRegistry();
    const writer = converter(registry);
    const bytes = (await writer.fromConnectData('orders', orderSchema, order()))!;
    registry.unavailable = true;
    const reader = converter(registry);
    await expect(reader.toConnectData('orders', bytes)).rejects.toBeInstanceOf(RetriableException);
    const otherSchema = SchemaBuilder.struct().name('com.acme.Other').field('x', Schema.INT32_SCHEMA).build();
    await expect(
      writer.fromConnectData('orders', otherSchema, new Struct(otherSchema).put('x', 1)),
    ).rejects.toBeInstanceOf(RetriableException);
  });

  it('rejects a value that does not fit its schema with a DataException naming the topic', async () => {
    const c = converter(new FakeSchemaRegistry());
    await expect(c.fromConnectData('orders', Schema.INT32_SCHEMA, 'twelve')).rejects.toThrow(
      /Failed to convert value of topic orders to Avro: Invalid Java object for schema with type INT32/,
    );
    const missing = new Struct(orderSchema).put('id', 1n);
    await expect(c.fromConnectData('orders', orderSchema, missing)).rejects.toBeInstanceOf(DataException);
  });

  it('uses the subject name strategies by Confluent class name or short name', async () => {
    const registry = new FakeSchemaRegistry();
    await converter(registry, {
      'value.subject.name.strategy': 'io.confluent.kafka.serializers.subject.RecordNameStrategy',
    }).fromConnectData('orders', orderSchema, order());
    await converter(
      registry,
      { 'key.subject.name.strategy': 'TopicRecordNameStrategy' },
      true,
    ).fromConnectData('orders', orderSchema, order());
    await converter(registry, {}, true).fromConnectData('orders', Schema.STRING_SCHEMA, 'k1');
    expect([...registry.subjects.keys()]).toEqual(['com.acme.Order', 'orders-com.acme.Order', 'orders-key']);
    expect(() => converter(registry, { 'value.subject.name.strategy': 'NoSuchStrategy' })).toThrow(
      ConfigException,
    );
  });

  it('does not register when auto.register.schemas=false: a registered schema is found, an unknown one is a DataException', async () => {
    const registry = new FakeSchemaRegistry();
    await converter(registry).fromConnectData('orders', orderSchema, order());
    const c = converter(registry, { 'auto.register.schemas': 'false' });
    const bytes = await c.fromConnectData('orders', orderSchema, order());
    expect(bytes!.readInt32BE(1)).toBe(1);
    await expect(c.fromConnectData('orders', Schema.STRING_SCHEMA, 'x')).rejects.toThrow(
      /not registered under subject orders-value and auto.register.schemas=false/,
    );
    expect(registry.calls.filter((call) => call.startsWith('register'))).toHaveLength(1);
  });

  it('reads old data with the latest schema as reader schema when use.latest.version=true', async () => {
    const registry = new FakeSchemaRegistry();
    const v1 = SchemaBuilder.struct().name('com.acme.User').field('name', Schema.STRING_SCHEMA).build();
    const v2 = SchemaBuilder.struct()
      .name('com.acme.User')
      .field('name', Schema.STRING_SCHEMA)
      .field('email', SchemaBuilder.string().optional().defaultValue('none').build())
      .build();
    const oldBytes = await converter(registry).fromConnectData(
      'users',
      v1,
      new Struct(v1).put('name', 'ada'),
    );
    await converter(registry).fromConnectData(
      'users',
      v2,
      new Struct(v2).put('name', 'bob').put('email', 'b@x'),
    );

    const plain = await converter(registry).toConnectData('users', oldBytes);
    expect((plain.value as Struct).schema.field('email')).toBeNull();
    const latest = await converter(registry, { 'use.latest.version': 'true' }).toConnectData(
      'users',
      oldBytes,
    );
    expect((latest.value as Struct).get('name')).toBe('ada');
    expect((latest.value as Struct).get('email')).toBe('none');
    expect(latest.schema?.version).toBe(2);
  });

  it('reads the writer schema version from the registry when connect.version is absent', async () => {
    const registry = new FakeSchemaRegistry();
    const raw = JSON.stringify({ type: 'record', name: 'Plain', fields: [{ name: 'n', type: 'int' }] });
    await registry.register('plain-value', JSON.stringify({ type: 'record', name: 'Plain', fields: [] }));
    const id = await registry.register('plain-value', raw);
    const body = avscType(JSON.parse(raw)).toBuffer({ n: 7 });
    const bytes = Buffer.concat([Buffer.from([0, 0, 0, 0, id]), body]);
    const back = await converter(registry).toConnectData('plain', bytes);
    expect(back.schema?.version).toBe(2);
    expect((back.value as Struct).get('n')).toBe(7);
  });

  it('writes and reads schemaless data through the Anything record', async () => {
    const c = converter(new FakeSchemaRegistry());
    const value = new Map<unknown, unknown>([
      ['a', [1, 'two', null]],
      [3n, Buffer.from('x')],
    ]);
    const back = await c.toConnectData('free', await c.fromConnectData('free', null, value));
    expect(back.schema).toBeNull();
    expect(back.value).toEqual(value);
  });

  it('requires schema.registry.url and a user-info when the credentials source is USER_INFO', () => {
    expect(() => new AvroConverter().configure({}, false)).toThrow(ConfigException);
    expect(() =>
      new AvroConverter().configure(
        { 'schema.registry.url': 'http://127.0.0.1:1', 'basic.auth.credentials.source': 'USER_INFO' },
        false,
      ),
    ).toThrow(/basic.auth.user.info/);
  });
});
