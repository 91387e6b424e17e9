import { describe, expect, it } from 'vitest';
import { ConnectDecimal, Decimal, Schema, SchemaBuilder, Struct, Values } from '../../src/data/index.js';

function parse(text: string) {
  const r = Values.parseString(text);
  return { type: r.schema?.type ?? null, name: r.schema?.name ?? null, value: r.value };
}

describe('Values.parseString', () => {
  it('infers booleans, null and the smallest integer type', () => {
    expect(parse(' true ')).toEqual({ type: 'BOOLEAN', name: null, value: true });
    expect(parse('false')).toEqual({ type: 'BOOLEAN', name: null, value: false });
    expect(parse('null')).toEqual({ type: null, name: null, value: null });
    expect(parse('-128').type).toBe('INT8');
    expect(parse('128').type).toBe('INT16');
    expect(parse('40000').type).toBe('INT32');
    expect(parse('9223372036854775807')).toEqual({ type: 'INT64', name: null, value: 9223372036854775807n });
  });

  it('makes larger integers a Decimal with scale 0 and fractions a FLOAT32', () => {
    const big = Values.parseString('92233720368547758070');
    expect(big.schema?.name).toBe(Decimal.LOGICAL_NAME);
    expect((big.value as ConnectDecimal).toString()).toBe('92233720368547758070');
    expect(parse('1.5')).toEqual({ type: 'FLOAT32', name: null, value: 1.5 });
    expect(parse('0.1').value).toBe(Math.fround(0.1));
    expect(parse('1e300').type).toBe('FLOAT64');
  });

  it('parses lists and maps, unifying numeric element types', () => {
    const list = Values.parseString('[1, 2, 300]');
    expect(list.schema?.valueSchema().type).toBe('INT16');
    expect(list.value).toEqual([1, 2, 300]);
    const widened = Values.parseString('[1, 2.5]');
    expect(widened.schema?.valueSchema().type).toBe('FLOAT32');
    const longs = Values.parseString('[1, 10000000000]');
    expect(longs.value).toEqual([1n, 10000000000n]);
    const map = Values.parseString('{"a":1,"b":2}');
    expect(map.schema?.keySchema().type).toBe('STRING');
    expect(map.value).toEqual(
      new Map([
        ['a', 1],
        ['b', 2],
      ]),
    );
    const mixed = Values.parseString('[1,"x"]');
    expect(mixed.schema?.type).toBe('ARRAY');
    expect(mixed.schema?.valueSchema()).toBeNull();
    expect(mixed.value).toEqual([1, 'x']);
  });

  it('keeps malformed structures and trailing content as strings', () => {
    for (const text of ['[1,2', '[1,,2]', '{a:1}', '{"a" 1}', '12,13', 'true}', 'null=', 'hello world']) {
      expect(Values.parseString(text)).toMatchObject({ schema: Schema.STRING_SCHEMA, value: text });
    }
  });

  it('parses ISO dates, times and timestamps in UTC, and rejects impossible ones', () => {
    expect(parse('2019-08-23')).toMatchObject({ name: 'org.apache.kafka.connect.data.Date' });
    expect((Values.parseString('2019-08-23').value as Date).toISOString()).toBe('2019-08-23T00:00:00.000Z');
    expect(parse('2019-02-30').type).toBe('STRING');
    expect(parse('25:00:00.000Z').type).toBe('STRING');
    const ts = Values.parseString('["2019-08-23T14:34:54.346Z"]');
    expect(ts.schema?.valueSchema().name).toBe('org.apache.kafka.connect.data.Timestamp');
  });
});

describe('Values.convertToString', () => {
  it('renders like Kafka', () => {
    expect(Values.convertToString(Schema.FLOAT64_SCHEMA, 12)).toBe('12.0');
    expect(Values.convertToString(Schema.FLOAT32_SCHEMA, 0.1)).toBe('0.1');
    expect(Values.convertToString(null, 12n)).toBe('12');
    expect(Values.convertToString(null, ['a', 1, null])).toBe('["a",1,null]');
    expect(
      Values.convertToString(
        null,
        new Map<unknown, unknown>([
          ['k', 'v'],
          [2, true],
        ]),
      ),
    ).toBe('{"k":"v",2:true}');
    expect(Values.convertToString(null, Buffer.from('hi'))).toBe('aGk=');
    expect(Values.convertToString(null, new Date(Date.UTC(2019, 7, 23)))).toBe('2019-08-23');
    expect(Values.convertToString(null, new Date(52494346))).toBe('14:34:54.346Z');
    expect(Values.convertToString(null, new Date(1566570894346))).toBe('2019-08-23T14:34:54.346Z');
    expect(Values.convertToString(null, 'say "hi"')).toBe('say "hi"');
    expect(Values.convertToString(null, ['say "hi"'])).toBe('["say \\"hi\\""]');
    const s = SchemaBuilder.struct().field('a', Schema.INT32_SCHEMA).build();
    expect(Values.convertToString(s, new Struct(s).put('a', 1))).toBe('{"a":1}');
  });

  it('round-trips rendered values through parseString', () => {
    for (const value of [['x', 'y "q"'], new Map([['k', 1]]), [1.5, 2.5], true, 'plain']) {
      const text = Values.convertToString(null, value) as string;
      expect(Values.parseString(text).value).toEqual(value);
    }
  });
});
