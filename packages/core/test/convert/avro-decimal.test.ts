import { describe, expect, it } from 'vitest';
import { ConnectDecimal, Decimal, SchemaBuilder, Struct } from '../../src/data/index.js';
import { AvroConverter, AvroData } from '../../src/convert/avro/index.js';
import { FakeSchemaRegistry } from './avro-fake-registry.js';
import { avscType, type AvroSchema } from '../../src/convert/avro/avsc-types.js';

// Decimals as Avro `bytes` and as Avro `fixed`, both directions (issue 13, defect 12). The writer
// schemas below are what Avro tools (Spark, Hudi, avro-tools) produce.

const bytesDecimal = { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 };
const fixedDecimal = {
  type: 'fixed',
  name: 'Price',
  namespace: 'com.acme',
  size: 8,
  logicalType: 'decimal',
  precision: 18,
  scale: 6,
};

function record(fieldType: object) {
  return {
    type: 'record',
    name: 'Row',
    namespace: 'com.acme',
    fields: [{ name: 'amount', type: fieldType }],
  };
}

/** An Avro datum written with avsc from the writer schema, as a consumer would decode it. */
function decoded(avroSchema: object, unscaled: bigint, size: number | null) {
  const type = avscType(avroSchema as AvroSchema);
  const bytes = twosComplement(unscaled, size);
  return type.fromBuffer(type.toBuffer({ amount: bytes }));
}

function twosComplement(v: bigint, size: number | null): Buffer {
  let hex = (v < 0n ? (1n << 64n) + v : v).toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let b = Buffer.from(hex, 'hex');
  if (v >= 0n && b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  if (v < 0n) while (b.length > 1 && b[0] === 0xff && b[1]! & 0x80) b = b.subarray(1);
  if (size === null) return b;
  const out = Buffer.alloc(size, v < 0n ? 0xff : 0);
  b.copy(out, size - b.length);
  return out;
}

describe('AvroData decimals', () => {
  it('reads a decimal carried in bytes: Connect Decimal schema and value', () => {
    const data = new AvroData();
    const schema = data.toConnectSchema(record(bytesDecimal))!;
    const field = schema.field('amount')!.schema;
    expect(field.name).toBe(Decimal.LOGICAL_NAME);
    expect(Decimal.scale(field)).toBe(2);
    const value = data.toConnectData(record(bytesDecimal), decoded(record(bytesDecimal), 123456n, null));
    expect(((value.value as Struct).get('amount') as ConnectDecimal).toString()).toBe('1234.56');
  });

  it('reads a decimal carried in a named fixed: Connect Decimal schema and value', () => {
    const data = new AvroData();
    const schema = data.toConnectSchema(record(fixedDecimal))!;
    const field = schema.field('amount')!.schema;
    expect(field.name).toBe(Decimal.LOGICAL_NAME);
    expect(Decimal.scale(field)).toBe(6);
    expect(field.parameters?.get('connect.fixed.size')).toBe('8');
    const positive = data.toConnectData(
      record(fixedDecimal),
      decoded(record(fixedDecimal), 12_345_678_901n, 8),
    );
    expect(((positive.value as Struct).get('amount') as ConnectDecimal).toString()).toBe('12345.678901');
    const negative = data.toConnectData(record(fixedDecimal), decoded(record(fixedDecimal), -1_500_000n, 8));
    expect(((negative.value as Struct).get('amount') as ConnectDecimal).toString()).toBe('-1.500000');
  });

  it('writes a Connect Decimal as Avro bytes and reads it back', () => {
    const data = new AvroData();
    const schema = SchemaBuilder.struct().name('com.acme.Row').field('amount', Decimal.schema(2)).build();
    const avro = data.fromConnectSchema(schema) as { fields: { type: object }[] };
    expect(avro.fields[0]!.type).toMatchObject({ type: 'bytes', logicalType: 'decimal', scale: 2 });
    const datum = data.fromConnectData(
      schema,
      new Struct(schema).put('amount', new ConnectDecimal(-1999n, 2)),
    );
    const type = avscType(avro as AvroSchema);
    const back = data.toConnectData(avro, type.fromBuffer(type.toBuffer(datum)));
    expect(((back.value as Struct).get('amount') as ConnectDecimal).toString()).toBe('-19.99');
  });

  it('writes a Decimal read from a fixed back as a fixed of the same size, and reads it again', () => {
    const data = new AvroData();
    const schema = data.toConnectSchema(record(fixedDecimal))!;
    const avro = data.fromConnectSchema(schema) as { fields: { type: Record<string, unknown> }[] };
    expect(avro.fields[0]!.type).toMatchObject({
      type: 'fixed',
      size: 8,
      logicalType: 'decimal',
      scale: 6,
      precision: 18,
    });
    const datum = data.fromConnectData(
      schema,
      new Struct(schema).put('amount', new ConnectDecimal(-42_000_001n, 6)),
    );
    const type = avscType(avro as AvroSchema);
    const bytes = type.toBuffer(datum);
    const back = data.toConnectData(avro, type.fromBuffer(bytes));
    expect(((back.value as Struct).get('amount') as ConnectDecimal).toString()).toBe('-42.000001');
  });

  it('reads a record whose registered writer schema has a decimal fixed, through the converter', async () => {
    const registry = new FakeSchemaRegistry();
    const id = await registry.register('prices-value', JSON.stringify(record(fixedDecimal)));
    const converter = new AvroConverter({ registry });
    converter.configure({ 'schema.registry.url': 'http://registry.invalid:8081' }, false);
    const body = avscType(record(fixedDecimal) as AvroSchema).toBuffer({
      amount: twosComplement(2_500_000n, 8),
    });
    const header = Buffer.alloc(5);
    header.writeInt32BE(id, 1);
    const read = await converter.toConnectData('prices', Buffer.concat([header, body]));
    expect(((read.value as Struct).get('amount') as ConnectDecimal).toString()).toBe('2.500000');
  });
});
