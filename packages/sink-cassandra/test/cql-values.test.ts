import cassandra from 'cassandra-driver';
import { ConnectDecimal } from '@sluice/core/sink';
import { describe, expect, it } from 'vitest';
import { CqlConversionError, cqlTypeName, matchName, toCqlValue, type CqlType } from '../src/cql-values.js';

const { dataTypes, Uuid } = cassandra.types;
type Text = { toString(): string };
const t = (code: number, info?: unknown): CqlType => ({ code, info });

describe('Connect / JSON value → CQL value by column type', () => {
  it('integers to each integer column, range-checked', () => {
    expect(toCqlValue(7, t(dataTypes.tinyint))).toBe(7);
    expect(toCqlValue(300n, t(dataTypes.smallint))).toBe(300);
    expect(toCqlValue('42', t(dataTypes.int))).toBe(42);
    expect(toCqlValue(9007199254740993n, t(dataTypes.bigint))).toBe(9007199254740993n);
    expect(toCqlValue(5, t(dataTypes.bigint))).toBe(5n);
    expect(toCqlValue(123456789012345678901234567890n, t(dataTypes.varint))).toBe(
      123456789012345678901234567890n,
    );
    expect(toCqlValue('-12345678901234567890', t(dataTypes.varint))).toBe(-12345678901234567890n);
    expect(() => toCqlValue(128, t(dataTypes.tinyint))).toThrow(
      /number 128 into a tinyint column: out of range \[-128, 127\]/,
    );
    expect(() => toCqlValue(1.5, t(dataTypes.int))).toThrow(/not an integer/);
  });

  it('floats, decimals (exact)', () => {
    expect(toCqlValue(3, t(dataTypes.double))).toBe(3);
    expect(toCqlValue(1.5, t(dataTypes.float))).toBe(1.5);
    const d = toCqlValue(new ConnectDecimal(12345n, 2), t(dataTypes.decimal)) as InstanceType<
      typeof cassandra.types.BigDecimal
    >;
    expect(d.toString()).toBe('123.45');
    expect((toCqlValue('0.1', t(dataTypes.decimal)) as Text).toString()).toBe('0.1');
    expect(() => toCqlValue('abc', t(dataTypes.decimal))).toThrow(CqlConversionError);
  });

  it('timestamp, date and time from Connect logical values, epoch numbers and ISO text', () => {
    const at = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6));
    expect(toCqlValue(at, t(dataTypes.timestamp))).toEqual(at);
    expect(toCqlValue(at.getTime(), t(dataTypes.timestamp))).toEqual(at);
    expect(toCqlValue('2024-01-02T03:04:05.006Z', t(dataTypes.timestamp))).toEqual(at);
    expect((toCqlValue(new Date(Date.UTC(2024, 0, 2)), t(dataTypes.date)) as Text).toString()).toBe(
      '2024-01-02',
    );
    expect((toCqlValue('2024-01-02', t(dataTypes.date)) as Text).toString()).toBe('2024-01-02');
    expect((toCqlValue(19724, t(dataTypes.date)) as Text).toString()).toBe('2024-01-02');
    expect((toCqlValue(new Date(3_723_004), t(dataTypes.time)) as Text).toString()).toBe('01:02:03.004');
    expect((toCqlValue('01:02:03.5', t(dataTypes.time)) as Text).toString()).toBe('01:02:03.5');
    expect(() => toCqlValue('yesterday', t(dataTypes.timestamp))).toThrow(/ISO-8601/);
  });

  it('strings into uuid, timeuuid, inet; bytes and base64 into blob', () => {
    expect(toCqlValue('123e4567-e89b-12d3-a456-426614174000', t(dataTypes.uuid))).toBeInstanceOf(Uuid);
    expect(toCqlValue('50554d6e-29bb-11e5-b345-feff819cdc9f', t(dataTypes.timeuuid))).toBeInstanceOf(Uuid);
    expect(() => toCqlValue('123e4567-e89b-42d3-a456-426614174000', t(dataTypes.timeuuid))).toThrow(
      /version 1/,
    );
    expect(() => toCqlValue('not-a-uuid', t(dataTypes.uuid))).toThrow(/into a uuid column/);
    expect((toCqlValue('10.0.0.1', t(dataTypes.inet)) as Text).toString()).toBe('10.0.0.1');
    expect(toCqlValue(Buffer.from([1, 2]), t(dataTypes.blob))).toEqual(Buffer.from([1, 2]));
    expect(toCqlValue('AQI=', t(dataTypes.blob))).toEqual(Buffer.from([1, 2]));
  });

  it('arrays into list and set, maps and objects into map, Structs/objects into UDTs', () => {
    expect(toCqlValue([1, '2'], t(dataTypes.list, t(dataTypes.int)))).toEqual([1, 2]);
    expect(toCqlValue(['a'], t(dataTypes.set, t(dataTypes.text)))).toEqual(['a']);
    expect(toCqlValue({ a: 1 }, t(dataTypes.map, [t(dataTypes.text), t(dataTypes.bigint)]))).toEqual(
      new Map([['a', 1n]]),
    );
    const udt = t(dataTypes.udt, {
      name: 'addr',
      fields: [
        { name: 'street', type: t(dataTypes.text) },
        { name: 'zip', type: t(dataTypes.int) },
      ],
    });
    expect(toCqlValue({ Street: 'x', zip: '1' }, udt)).toEqual({ street: 'x', zip: 1 });
    expect(() => toCqlValue({ city: 'x' }, udt)).toThrow(/no field 'city'/);
    expect(() => toCqlValue([1, 'x'], t(dataTypes.list, t(dataTypes.int)))).toThrow(
      /element 1: cannot write string 'x' into a int column/,
    );
  });

  it('names CQL types as CQL does', () => {
    expect(cqlTypeName(t(dataTypes.map, [t(dataTypes.text), t(dataTypes.list, t(dataTypes.int))]))).toBe(
      'map<text, list<int>>',
    );
  });

  it('matches names exactly, else by case when that is unambiguous', () => {
    expect(matchName('MyCol', ['mycol', 'MyCol'])).toBe('MyCol');
    expect(matchName('firstName', ['firstname'])).toBe('firstname');
    expect(matchName('a', ['A', 'a_'])).toBe('A');
    expect(matchName('x', ['X', 'x '.trim().toUpperCase()])).toBeUndefined();
  });
});
