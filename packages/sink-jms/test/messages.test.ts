import avro from 'avsc';
import { DataException, RawAvroEncoder } from '@sluice/core/sink';
import { header, jsonTextRecord, mapRecord, sinkRecord, structRecord } from '@sluice/test-utils';
import { describe, expect, it } from 'vitest';
import { toStompMessage } from '../src/messages.js';
import { AT, reading, readingSchema, route } from './records.js';

const options = { connectorName: 'jms-sink', persistent: true };
const queue = (kcql: string) => route(`INSERT INTO q SELECT ${kcql} FROM t WITHTYPE QUEUE`);
const withFormat = (format: string, select = '*') =>
  route(`INSERT INTO q SELECT ${select} FROM t WITHFORMAT ${format} WITHTYPE QUEUE`);

describe('record → STOMP frame', () => {
  it('JSON (default) from a Struct: a TextMessage (no content-length) of the whole value, types exact', () => {
    const m = toStompMessage(structRecord(reading()), queue('*'), options);
    expect(m.destination).toBe('/queue/q');
    expect(m.headers['content-length']).toBeUndefined();
    expect(m.body).toBe(
      '{"sensor":"s-1","count":9007199254740993,"small":-3,"level":3,"ratio":0.5,"ok":true,"price":19.99,' +
        `"at":${AT.getTime()},"day":"2024-03-04T00:00:00.000Z","time":3600000,"raw":"AQID",` +
        '"site":{"name":"plant/a","line":7},"tags":["a","b"],"attrs":{"x":1},"note":null}',
    );
  });

  it('JSON projection is the same for a Struct, a schemaless Map and JSON text', () => {
    const select = queue('sensor AS id, site.line, count');
    const value = { sensor: 's-1', count: 9007199254740993n, site: { name: 'plant/a', line: 7 } };
    const expected = '{"id":"s-1","line":7,"count":9007199254740993}';
    expect(toStompMessage(structRecord(reading()), select, options).body).toBe(expected);
    expect(toStompMessage(mapRecord(value), select, options).body).toBe(expected);
    expect(toStompMessage(jsonTextRecord({ ...value, count: 1 }), select, options).body).toBe(
      '{"id":"s-1","line":7,"count":1}',
    );
    expect(
      toStompMessage(sinkRecord('{"sensor":"x","count":9007199254740993}', null), select, options).body,
    ).toBe('{"id":"x","count":9007199254740993}');
  });

  it('JSON text with SELECT * is sent as written once checked to be a JSON object', () => {
    const text = '{ "id" : 9007199254740993,\n "name": "kept as written" }';
    expect(toStompMessage(sinkRecord(text, null), queue('*'), options).body).toBe(text);
    expect(toStompMessage(sinkRecord(Buffer.from(text), null), queue('*'), options).body).toBe(text);
    expect(() => toStompMessage(sinkRecord('[1,2]', null, { offset: 3 }), queue('*'), options)).toThrow(
      /offset 3: the value is JSON array, not a JSON object/,
    );
    expect(() => toStompMessage(sinkRecord('{"a":', null), queue('*'), options)).toThrow(
      /the value is not valid JSON/,
    );
  });

  it('TEXT sends a string as it is; one holding a NUL goes with content-length and amq-msg-type:text (still a TextMessage)', () => {
    expect(toStompMessage(sinkRecord('<a>x</a>', null), withFormat('TEXT'), options)).toMatchObject({
      body: '<a>x</a>',
    });
    expect(
      toStompMessage(sinkRecord(Buffer.from('bytes as text'), null), withFormat('TEXT'), options).body,
    ).toBe('bytes as text');
    const nul = toStompMessage(sinkRecord('a\u0000b', null), withFormat('TEXT'), options);
    expect(nul.headers).toMatchObject({ 'content-length': '3', 'amq-msg-type': 'text' });
    expect(() => toStompMessage(structRecord(reading(), { offset: 7 }), withFormat('TEXT'), options)).toThrow(
      /offset 7: WITHFORMAT TEXT sends the value as it is, and this value is a Struct/,
    );
  });

  it('BINARY sends the bytes with content-length (a BytesMessage); a Struct is a data error naming the record', () => {
    const m = toStompMessage(sinkRecord(Buffer.from([0, 1, 0]), null), withFormat('BINARY'), options);
    expect(m.body).toEqual(Buffer.from([0, 1, 0]));
    expect(m.headers['content-length']).toBe('3');
    const e = (() => {
      try {
        toStompMessage(
          structRecord(reading(), { topic: 'readings', offset: 9 }),
          withFormat('BINARY'),
          options,
        );
      } catch (error) {
        return error;
      }
    })();
    expect(e).toBeInstanceOf(DataException);
    expect((e as Error).message).toMatch(
      /topic readings partition 0 offset 9: WITHFORMAT BINARY sends the value's bytes.*ByteArrayConverter/,
    );
  });

  it('AVRO writes raw Avro (no registry header) of the projected Struct, with content-length', () => {
    const encoder = new RawAvroEncoder();
    // (A count within 2^53: avsc's default long type reads JS numbers.)
    const whole = toStompMessage(structRecord(reading().put('count', 5n)), withFormat('AVRO'), options);
    expect(whole.headers['content-length']).toBe(String((whole.body as Buffer).length));
    const type = avro.Type.forSchema(encoder.avroSchema(readingSchema) as avro.Schema);
    expect(type.fromBuffer(whole.body as Buffer)).toMatchObject({
      sensor: 's-1',
      count: 5,
      small: -3,
      level: 3,
      ok: true,
      note: null,
    });

    const projected = toStompMessage(
      structRecord(reading()),
      withFormat('AVRO', 'sensor, level AS value'),
      options,
    );
    const record = avro.Type.forSchema({
      type: 'record',
      name: 'Reading',
      fields: [
        { name: 'sensor', type: 'string' },
        { name: 'value', type: 'double' },
      ],
    });
    expect(record.fromBuffer(projected.body as Buffer)).toMatchObject({ sensor: 's-1', value: 3 });
    expect(() => toStompMessage(mapRecord({ a: 1 }), withFormat('AVRO'), options)).toThrow(
      /WITHFORMAT AVRO needs a Struct value/,
    );
  });

  it('MAP gives each entry its Java type by the Connect schema, through jms-map-json', () => {
    const m = toStompMessage(structRecord(reading()), withFormat('MAP'), options);
    expect(m.headers['transformation']).toBe('jms-map-json');
    const entries = (JSON.parse(m.body as string) as { map: { entry: object[] } }).map.entry;
    expect(entries).toEqual([
      { string: ['sensor', 's-1'] },
      { string: 'count', long: '9007199254740993' },
      { string: 'small', byte: '-3' },
      { string: 'level', double: '3' },
      { string: 'ratio', float: '0.5' },
      { string: 'ok', boolean: true },
      { string: ['price', '19.99'] },
      { string: 'at', long: String(AT.getTime()) },
      { string: 'day', long: String(Date.UTC(2024, 2, 4)) },
      { string: 'time', int: '3600000' },
      { string: ['raw', 'AQID'] },
      { string: 'site', map: { entry: [{ string: ['name', 'plant/a'] }, { string: 'line', short: '7' }] } },
      { string: 'tags', list: { string: ['a', 'b'] } },
      { string: 'attrs', map: { entry: [{ string: 'x', int: '1' }] } },
      { string: 'note', null: '' },
    ]);
    // A projection keeps the schema's types (a whole FLOAT64 stays a double).
    const projected = toStompMessage(
      structRecord(reading()),
      withFormat('MAP', 'level AS l, count'),
      options,
    );
    expect(JSON.parse(projected.body as string)).toEqual({
      map: {
        entry: [
          { string: 'l', double: '3' },
          { string: 'count', long: '9007199254740993' },
        ],
      },
    });
    // Schemaless JSON: types by value.
    expect(
      JSON.parse(
        toStompMessage(mapRecord({ a: 1, b: 2.5, c: 'x' }), withFormat('MAP'), options).body as string,
      ),
    ).toEqual({
      map: { entry: [{ string: 'a', int: '1' }, { string: 'b', double: '2.5' }, { string: ['c', 'x'] }] },
    });
  });

  it('properties: Kafka headers as strings, JMSXGroupID = partition, the key as KafkaKey and JMSCorrelationID, then connect.jms.headers', () => {
    const record = sinkRecord('{"a":1}', null, {
      partition: 4,
      key: 'order-17',
      headers: [
        header('origin', 'plant-a'),
        header('attempt', 2),
        header('raw', Buffer.from('ü')),
        header('empty', null),
        header('destination', 'evil'),
      ],
    });
    const m = toStompMessage(
      record,
      route('INSERT INTO orders SELECT * FROM t WITHTYPE QUEUE', 'orders=JMSType:Order,origin:kafka'),
      options,
    );
    expect(m.headers).toEqual({
      persistent: 'true',
      origin: 'kafka',
      attempt: '2',
      raw: 'ü',
      JMSXGroupID: '4',
      KafkaKey: 'order-17',
      'correlation-id': 'order-17',
      type: 'Order',
    });
    expect(m.destination).toBe('/queue/orders');
    expect(m.skippedHeaders).toEqual(['destination']);
    expect(
      toStompMessage(sinkRecord('{}', null), queue('*'), { ...options, persistent: false }).headers,
    ).toEqual({ JMSXGroupID: '0' });
  });
});
