import { describe, expect, it } from 'vitest';
import {
  ConnectDecimal,
  Date as ConnectDate,
  Decimal,
  Schema,
  SchemaBuilder,
  Time,
  Timestamp,
} from '../../src/data/index.js';

describe('Decimal', () => {
  it('builds a named BYTES schema with version 1 and the scale parameter', () => {
    const s = Decimal.builder(2).optional().build();
    expect(s).toMatchObject({ type: 'BYTES', name: Decimal.LOGICAL_NAME, version: 1, optional: true });
    expect(s.parameters?.get('scale')).toBe('2');
  });

  it("encodes minimal big-endian two's complement", () => {
    const s = Decimal.schema(2);
    expect(Decimal.fromLogical(s, ConnectDecimal.parse('1.56')).toString('base64')).toBe('AJw=');
    expect([...Decimal.fromLogical(s, new ConnectDecimal(-1n, 2))]).toEqual([0xff]);
    expect([...Decimal.fromLogical(s, new ConnectDecimal(128n, 2))]).toEqual([0x00, 0x80]);
    expect([...Decimal.fromLogical(s, new ConnectDecimal(-129n, 2))]).toEqual([0xff, 0x7f]);
    expect([...Decimal.fromLogical(s, new ConnectDecimal(0n, 2))]).toEqual([0]);
  });

  it('round-trips large values exactly', () => {
    const s = Decimal.schema(17);
    const v = ConnectDecimal.parse('123456789012345678901234567890.12345678901234567');
    expect(Decimal.toLogical(s, Decimal.fromLogical(s, v)).equals(v)).toBe(true);
  });

  it('rejects a scale mismatch and bad schemas', () => {
    expect(() => Decimal.fromLogical(Decimal.schema(4), ConnectDecimal.parse('1.56'))).toThrow(
      'Decimal value has mismatching scale for given Decimal schema. Schema has scale 4, value has scale 2.',
    );
    expect(() => Decimal.toLogical(Schema.BYTES_SCHEMA, Buffer.from([1]))).toThrow(
      'Requested conversion of Decimal object but the schema does not match.',
    );
    const noScale = SchemaBuilder.bytes().name(Decimal.LOGICAL_NAME).build();
    expect(() => Decimal.toLogical(noScale, Buffer.from([1]))).toThrow(
      'Invalid Decimal schema: scale parameter not found.',
    );
    const badScale = SchemaBuilder.bytes().name(Decimal.LOGICAL_NAME).parameter('scale', 'x').build();
    expect(() => Decimal.scale(badScale)).toThrow('Invalid scale parameter found in Decimal schema');
  });
});

describe('Date, Time, Timestamp', () => {
  it('converts days since epoch', () => {
    const s = ConnectDate.schema();
    expect(s).toMatchObject({ type: 'INT32', name: 'org.apache.kafka.connect.data.Date', version: 1 });
    expect(ConnectDate.toLogical(s, 10000).toISOString()).toBe('1997-05-19T00:00:00.000Z');
    expect(ConnectDate.fromLogical(s, new globalThis.Date('1997-05-19T00:00:00Z'))).toBe(10000);
    expect(ConnectDate.fromLogical(s, new globalThis.Date('1969-12-31T00:00:00Z'))).toBe(-1);
    expect(() => ConnectDate.fromLogical(s, new globalThis.Date(1))).toThrow(
      'Kafka Connect Date type should not have any time fields set to non-zero values.',
    );
  });

  it('converts milliseconds of the day', () => {
    const s = Time.schema();
    expect(Time.toLogical(s, 14400000).toISOString()).toBe('1970-01-01T04:00:00.000Z');
    expect(Time.fromLogical(s, new globalThis.Date(14400000))).toBe(14400000);
    expect(() => Time.fromLogical(s, new globalThis.Date('2000-01-01T00:00:00Z'))).toThrow(
      'Kafka Connect Time type should not have any date fields set to non-zero values.',
    );
    expect(() => Time.toLogical(s, -1)).toThrow('Time values must use number of milliseconds');
  });

  it('converts epoch milliseconds as int64', () => {
    const s = Timestamp.schema();
    expect(s.type).toBe('INT64');
    expect(Timestamp.fromLogical(s, new globalThis.Date(-5))).toBe(-5n);
    expect(Timestamp.toLogical(s, 4000000000n).toISOString()).toBe('1970-02-16T07:06:40.000Z');
    expect(() => Timestamp.toLogical(Schema.INT64_SCHEMA, 1n)).toThrow(
      'Requested conversion of Timestamp object but the schema does not match.',
    );
  });
});
