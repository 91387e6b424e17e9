import { describe, expect, it } from 'vitest';
import {
  BooleanConverter,
  createConverter,
  createHeaderConverter,
  DoubleConverter,
  FloatConverter,
  IntegerConverter,
  KNOWN_CONVERTER_CLASSES,
  LongConverter,
  ShortConverter,
} from '../../src/convert/index.js';
import { Schema } from '../../src/data/index.js';
import { DataException } from '../../src/errors.js';

// The byte layouts are those of Kafka's serializers (ShortSerializer, IntegerSerializer, ...): what a
// Java producer with, say, `key.serializer=...LongSerializer` writes.

const hex = (h: string) => Buffer.from(h.replace(/ /g, ''), 'hex');

describe("Kafka's number converters", () => {
  const cases = [
    {
      c: new ShortConverter(),
      schema: Schema.OPTIONAL_INT16_SCHEMA,
      value: -2,
      bytes: hex('fffe'),
      name: 'short',
    },
    {
      c: new IntegerConverter(),
      schema: Schema.OPTIONAL_INT32_SCHEMA,
      value: 305419896,
      bytes: hex('12345678'),
      name: 'integer',
    },
    {
      c: new LongConverter(),
      schema: Schema.OPTIONAL_INT64_SCHEMA,
      value: -9223372036854775807n,
      bytes: hex('8000 0000 0000 0001'),
      name: 'long',
    },
    {
      c: new FloatConverter(),
      schema: Schema.OPTIONAL_FLOAT32_SCHEMA,
      value: 1.5,
      bytes: hex('3fc00000'),
      name: 'float',
    },
    {
      c: new DoubleConverter(),
      schema: Schema.OPTIONAL_FLOAT64_SCHEMA,
      value: -0.1,
      bytes: hex('bfb9 9999 9999 999a'),
      name: 'double',
    },
  ];

  for (const { c, schema, value, bytes, name } of cases) {
    describe(c.constructor.name, () => {
      it(`reads and writes a ${name} in Kafka's big-endian layout`, () => {
        c.configure({}, true);
        expect(c.toConnectData('t', bytes)).toEqual({ schema, value });
        expect(c.fromConnectData('t', schema, value)).toEqual(bytes);
        expect(c.toConnectHeader('t', 'h', bytes)).toEqual({ schema, value });
        expect(c.fromConnectHeader('t', 'h', null, value)).toEqual(bytes);
      });

      it('keeps null as null (a tombstone stays a tombstone)', () => {
        expect(c.toConnectData('t', null)).toEqual({ schema, value: null });
        expect(c.fromConnectData('t', schema, null)).toBeNull();
      });

      it('rejects bytes of the wrong size and values of another type', () => {
        const short = bytes.subarray(1);
        expect(() => c.toConnectData('t', short)).toThrow(DataException);
        expect(() => c.toConnectData('t', short)).toThrow(
          new RegExp(
            `^Failed to deserialize ${name}: Size of data received by \\w*Deserializer is not ${bytes.length}$`,
          ),
        );
        expect(() => c.fromConnectData('t', null, 'seven')).toThrow(
          `Failed to serialize to ${name} (was string)`,
        );
      });
    });
  }

  it('keeps the int32 range for IntegerConverter and the full int64 range for LongConverter', () => {
    expect(() => new IntegerConverter().fromConnectData('t', null, 2 ** 31)).toThrow(DataException);
    expect(() => new ShortConverter().fromConnectData('t', null, 1.5)).toThrow(DataException);
    expect(new LongConverter().fromConnectData('t', null, 2n ** 63n - 1n)).toEqual(
      hex('7fff ffff ffff ffff'),
    );
    // A safe-integer number is an INT64 value too in Sluice's data model.
    expect(new LongConverter().fromConnectData('t', null, 42)).toEqual(hex('0000 0000 0000 002a'));
    expect(new LongConverter().toConnectData('t', hex('0000 0000 0000 002a')).value).toBe(42n);
  });

  it('uses the names Kafka messages give FloatDeserializer and DoubleDeserializer', () => {
    expect(() => new FloatConverter().toConnectData('t', hex('00'))).toThrow(
      'Failed to deserialize float: Size of data received by Deserializer is not 4',
    );
    expect(() => new LongConverter().toConnectData('t', hex('00'))).toThrow(
      'Failed to deserialize long: Size of data received by LongDeserializer is not 8',
    );
  });
});

describe('BooleanConverter', () => {
  const c = new BooleanConverter();

  it('reads and writes one byte, 0 or 1', () => {
    expect(c.toConnectData('t', hex('01'))).toEqual({ schema: Schema.OPTIONAL_BOOLEAN_SCHEMA, value: true });
    expect(c.toConnectData('t', hex('00'))).toEqual({ schema: Schema.OPTIONAL_BOOLEAN_SCHEMA, value: false });
    expect(c.toConnectData('t', null)).toEqual({ schema: Schema.OPTIONAL_BOOLEAN_SCHEMA, value: null });
    expect(c.fromConnectData('t', Schema.BOOLEAN_SCHEMA, true)).toEqual(hex('01'));
    expect(c.fromConnectHeader('t', 'h', null, false)).toEqual(hex('00'));
    expect(c.fromConnectData('t', null, null)).toBeNull();
  });

  it("rejects other bytes, schemas and values with Kafka's messages", () => {
    expect(() => c.toConnectData('t', hex('ff'))).toThrow(
      'Failed to deserialize boolean: Unexpected byte received by BooleanDeserializer: -1',
    );
    expect(() => c.toConnectData('t', hex('0101'))).toThrow(
      'Failed to deserialize boolean: Size of data received by BooleanDeserializer is not 1',
    );
    expect(() => c.fromConnectData('t', Schema.STRING_SCHEMA, true)).toThrow(
      'Invalid schema type for BooleanConverter: STRING',
    );
    expect(() => c.fromConnectData('t', null, 1)).toThrow(
      'BooleanConverter is not compatible with objects of type number 1',
    );
  });
});

describe('primitive converters by class name', () => {
  it('resolve from worker and connector files, as key, value and header converters', async () => {
    const expected = {
      BooleanConverter,
      ShortConverter,
      IntegerConverter,
      LongConverter,
      FloatConverter,
      DoubleConverter,
    };
    for (const [name, cls] of Object.entries(expected)) {
      const className = `org.apache.kafka.connect.converters.${name}`;
      expect(await createConverter(className)).toBeInstanceOf(cls);
      expect(await createConverter(name)).toBeInstanceOf(cls);
      expect(await createHeaderConverter(className)).toBeInstanceOf(cls);
      expect(KNOWN_CONVERTER_CLASSES).toContain(className);
    }
  });
});
