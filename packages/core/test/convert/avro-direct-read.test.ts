import { describe, expect, it } from 'vitest';
import {
  ConnectDecimal,
  Decimal,
  LogicalDate,
  Schema,
  SchemaBuilder,
  Struct,
  Time,
  Timestamp,
  valuesEqual,
} from '../../src/data/index.js';
import { AvroData } from '../../src/convert/avro/avro-data.js';
import { directRecordType } from '../../src/convert/avro/avro-direct-read.js';
import { avscType, type AvroSchema } from '../../src/convert/avro/avsc-types.js';

// The direct reader must give exactly what the two-step path (avsc datum, then the datum reader) gives.

const point = SchemaBuilder.struct()
  .name('com.acme.Point')
  .field('x', Schema.INT8_SCHEMA)
  .field('y', Schema.INT16_SCHEMA)
  .build();
const schema = SchemaBuilder.struct()
  .name('com.acme.Everything')
  .field('id', Schema.INT64_SCHEMA)
  .field('name', Schema.OPTIONAL_STRING_SCHEMA)
  .field('price', Decimal.schema(2))
  .field('day', LogicalDate.schema())
  .field('time', Time.schema())
  .field('at', Timestamp.schema())
  .field('raw', Schema.BYTES_SCHEMA)
  .field('ratio', Schema.FLOAT32_SCHEMA)
  .field('origin', point)
  .field(
    'maybe',
    SchemaBuilder.struct().name('com.acme.Maybe').field('z', Schema.BOOLEAN_SCHEMA).optional().build(),
  )
  .field('path', SchemaBuilder.array(point).build())
  .field('labels', SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_INT32_SCHEMA).build())
  .field('byId', SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).build())
  .build();

function value(withOptionals: boolean): Struct {
  const s = new Struct(schema)
    .put('id', -9007199254740993n)
    .put('price', new ConnectDecimal(-12345n, 2))
    .put('day', new Date(Date.UTC(2024, 1, 29)))
    .put('time', new Date(45_296_789))
    .put('at', new Date(1_700_000_000_123))
    .put('raw', Buffer.from([0, 1, 254, 255]))
    .put('ratio', Math.fround(0.1))
    .put('origin', new Struct(point).put('x', -128).put('y', 32767))
    .put('path', [new Struct(point).put('x', 1).put('y', 2)])
    .put(
      'labels',
      new Map<string, number | null>([
        ['a', 1],
        ['b', null],
      ]),
    )
    .put('byId', new Map([[7, 'seven']]));
  if (withOptionals)
    s.put('name', 'ada').put('maybe', new Struct(schema.field('maybe')!.schema).put('z', true));
  return s;
}

describe('directRecordType', () => {
  const data = new AvroData();
  const avroSchema = data.fromConnectSchema(schema);
  const reader = data.readerFor(avroSchema, null);
  const type = avscType(JSON.parse(JSON.stringify(avroSchema)) as AvroSchema);
  const direct = directRecordType(type, reader.node, reader.schema)!;

  for (const withOptionals of [true, false]) {
    it(`reads the same Struct as the two-step path (${withOptionals ? 'optionals set' : 'optionals null'})`, () => {
      const original = value(withOptionals);
      const bytes = type.toBuffer(data.fromConnectData(schema, original));
      const { value: read, offset } = direct.decode(bytes, 0);
      expect(offset).toBe(bytes.length);
      expect(read).toBeInstanceOf(Struct);
      expect(valuesEqual(read, reader.read(type.fromBuffer(bytes)))).toBe(true);
      expect((read as Struct).equals(original)).toBe(true);
      expect(() => (read as Struct).validate()).not.toThrow();
    });
  }

  it('leaves the avsc type itself untouched', () => {
    const bytes = type.toBuffer(data.fromConnectData(schema, value(true)));
    expect(type.fromBuffer(bytes)).not.toBeInstanceOf(Struct);
  });

  it('yields no value for truncated bytes: decode throws or gives offset -1 (the converter then reports them)', () => {
    const bytes = type.toBuffer(data.fromConnectData(schema, value(true)));
    for (const length of [5, 20, bytes.length - 1]) {
      let offset: number;
      try {
        offset = direct.decode(bytes.subarray(0, length), 0).offset;
      } catch {
        offset = -1;
      }
      expect(offset).toBe(-1);
    }
  });

  it('is not made for schemas that are not records', () => {
    const arraySchema = SchemaBuilder.array(Schema.STRING_SCHEMA).build();
    const avro = data.fromConnectSchema(arraySchema);
    const r = data.readerFor(avro, null);
    expect(directRecordType(avscType(avro as AvroSchema), r.node, r.schema)).toBeNull();
  });
});
