import { DataException, LogicalDate, Schema, SchemaBuilder, Struct, Timestamp } from '@sluice/core';
import { jsonTextRecord, mapRecord, sinkRecord, structRecord, tombstone } from '@sluice/test-utils';
import { describe, expect, it } from 'vitest';
import { toMessage, type MessageOptions } from '../src/messages.js';
import { reading, readingJsonText, readingObject, route } from './records.js';

const options: MessageOptions = {
  connectorName: 'mqtt-sink',
  qos: 1,
  retained: false,
  tombstoneClearsRetained: false,
};
const text = (m: { payload: Buffer | string } | null) =>
  typeof m!.payload === 'string' ? m!.payload : m!.payload.toString('utf8');
const json = (m: { payload: Buffer | string } | null) => JSON.parse(text(m)) as unknown;

describe('toMessage: pass-through (SELECT *, Stream Reactor ≥ 9)', () => {
  const all = route('INSERT INTO /lenses/orders SELECT * FROM orders');

  it('publishes bytes unchanged', () => {
    const bytes = Buffer.from([0, 0xff, 0x10, 0x80]);
    const m = toMessage(sinkRecord(bytes, Schema.BYTES_SCHEMA), all, options);
    expect(m).toEqual({ topic: '/lenses/orders', payload: bytes, qos: 1, retain: false });
  });

  it('publishes a string as its UTF-8 bytes, JSON text included, without reformatting', () => {
    expect(text(toMessage(sinkRecord('plain text: ü', Schema.STRING_SCHEMA), all, options))).toBe(
      'plain text: ü',
    );
    const jsonText = '{ "b": 1,  "a": [1, 2] }';
    expect(text(toMessage(sinkRecord(jsonText, Schema.STRING_SCHEMA), all, options))).toBe(jsonText);
    expect(text(toMessage(jsonTextRecord({ id: 1 }), all, options))).toBe('{"id":1}');
  });

  it('renders a Struct as JSON: INT64 and Decimal exact, Timestamp epoch milliseconds (as Stream Reactor), bytes base64, nested structs, arrays, maps, nulls', () => {
    const m = toMessage(structRecord(reading()), all, options);
    expect(text(m)).toBe(readingJsonText);
  });

  it('writes Timestamps at any depth as epoch milliseconds, Dates and Times as ISO-8601 text', () => {
    const at = new Date('2024-01-01T00:00:03.000Z');
    const schema = SchemaBuilder.struct()
      .field('day', LogicalDate.schema())
      .field('times', SchemaBuilder.array(Timestamp.schema()).build())
      .field('byName', SchemaBuilder.map(Schema.STRING_SCHEMA, Timestamp.schema()).build())
      .build();
    const value = new Struct(schema)
      .put('day', at)
      .put('times', [at])
      .put('byName', new Map([['a', at]]));
    expect(text(toMessage(structRecord(value), all, options))).toBe(
      '{"day":"2024-01-01T00:00:03.000Z","times":[1704067203000],"byName":{"a":1704067203000}}',
    );
    const projected = toMessage(
      structRecord(reading()),
      route('INSERT INTO x SELECT at FROM orders'),
      options,
    );
    expect(text(projected)).toBe('{"at":1709528767089}');
  });

  it('renders a schemaless Map as JSON, nested Maps and arrays included', () => {
    const m = toMessage(mapRecord({ id: 5_000_000_000n, site: { name: 'a' }, tags: ['x'] }), all, options);
    expect(text(m)).toBe('{"id":5000000000,"site":{"name":"a"},"tags":["x"]}');
  });

  it('renders other scalars as text', () => {
    expect(text(toMessage(sinkRecord(42n, Schema.INT64_SCHEMA), all, options))).toBe('42');
    expect(text(toMessage(sinkRecord(true, Schema.BOOLEAN_SCHEMA), all, options))).toBe('true');
  });

  it('takes QoS and the retained flag from the configuration', () => {
    const m = toMessage(sinkRecord('x', Schema.STRING_SCHEMA), all, { ...options, qos: 2, retained: true });
    expect(m).toMatchObject({ qos: 2, retain: true });
  });
});

describe('toMessage: projection (select lists, IGNORE, WITHSTRUCTURE, Stream Reactor ≤ 8)', () => {
  const select = route('INSERT INTO out SELECT sensor, site.line AS line, reading.value FROM orders');

  it.each([
    ['a Struct', () => structRecord(reading())],
    ['a schemaless Map', () => mapRecord({ ...readingObject, site: { name: 'plant/a', line: 7n } })],
    ['JSON text', () => jsonTextRecord(readingObject)],
    ['JSON bytes', () => sinkRecord(Buffer.from(JSON.stringify(readingObject)), null)],
  ])(
    'selects, renames and flattens fields of %s; a selected field the record lacks is left out',
    (_shape, make) => {
      const m = toMessage(make(), select, options);
      const expected: Record<string, unknown> = { sensor: 's-1', line: 7 };
      if (_shape !== 'a Struct') expected['value'] = 21.5;
      expect(json(m)).toEqual(expected);
      expect(m!.topic).toBe('out');
    },
  );

  it('keeps nested paths in place with WITHSTRUCTURE', () => {
    const m = toMessage(
      jsonTextRecord(readingObject),
      route('INSERT INTO out SELECT sensor, reading.value AS v FROM orders WITHSTRUCTURE'),
      options,
    );
    expect(json(m)).toEqual({ sensor: 's-1', reading: { v: 21.5 } });
  });

  it('honours IGNORE (the reference did not), with full paths', () => {
    const m = toMessage(
      structRecord(reading()),
      route('INSERT INTO out SELECT * FROM orders IGNORE raw, attrs, site.line'),
      options,
    );
    expect(text(m)).toBe(
      '{"sensor":"s-1","count":9007199254740993,"price":19.99,"at":1709528767089,' +
        '"site":{"name":"plant/a"},"tags":["a","b"],"note":null}',
    );
  });

  it('adds key, header and record metadata fields', () => {
    const m = toMessage(
      jsonTextRecord({ v: 1 }, { key: 'k-1', topic: 'orders', partition: 2, offset: 9 }),
      route('INSERT INTO out SELECT v, _key AS k, _.offset AS o, _.partition FROM orders'),
      options,
    );
    expect(json(m)).toEqual({ v: 1, k: 'k-1', o: 9, partition: 2 });
  });

  it('refuses a value that has no fields to project, naming the record', () => {
    expect(() =>
      toMessage(
        sinkRecord('not json', Schema.STRING_SCHEMA, { topic: 'orders', offset: 3 }),
        select,
        options,
      ),
    ).toThrow(
      /Connector mqtt-sink: record at topic orders partition 0 offset 3: the value is not valid JSON/,
    );
  });
});

describe('toMessage: targets', () => {
  it('_key publishes to the record key (string or bytes)', () => {
    const r = route('INSERT INTO _key SELECT * FROM orders');
    expect(toMessage(sinkRecord('v', null, { key: 'devices/1' }), r, options)!.topic).toBe('devices/1');
    expect(toMessage(sinkRecord('v', null, { key: Buffer.from('devices/2') }), r, options)!.topic).toBe(
      'devices/2',
    );
  });

  it('_topic publishes to the Kafka topic name', () => {
    const m = toMessage(
      sinkRecord('v', null, { topic: 'orders' }),
      route('INSERT INTO _topic SELECT * FROM orders'),
      options,
    );
    expect(m!.topic).toBe('orders');
  });

  it.each([
    ['a Struct', () => structRecord(reading())],
    ['a schemaless Map', () => mapRecord(readingObject)],
    ['JSON text', () => jsonTextRecord(readingObject)],
  ])(
    "PROPERTIES('mqtt.target.from.field'='true') reads the topic from a nested field of %s",
    (_shape, make) => {
      const r = route(
        "INSERT INTO site.name SELECT * FROM orders PROPERTIES('mqtt.target.from.field'='TRUE')",
      );
      expect(toMessage(make(), r, options)!.topic).toBe('plant/a');
    },
  );

  it('WITHTARGET = <field> (Stream Reactor ≤ 8) reads the topic from a field, whatever the select list keeps', () => {
    const r = route('INSERT INTO `$field` SELECT sensor FROM orders WITHTARGET = routing.target');
    const m = toMessage(jsonTextRecord(readingObject), r, options);
    expect(m!.topic).toBe('plants/a/line/7');
    expect(json(m)).toEqual({ sensor: 's-1' });
  });

  it('different records of one statement go to different topics', () => {
    const r = route("INSERT INTO device SELECT * FROM orders PROPERTIES('mqtt.target.from.field'='true')");
    const topics = ['d/1', 'd/2', 'd/1'].map((device) => toMessage(mapRecord({ device }), r, options)!.topic);
    expect(topics).toEqual(['d/1', 'd/2', 'd/1']);
  });

  it('a record without a usable target is a DataException naming the record (for the DLQ)', () => {
    const byKey = route('INSERT INTO _key SELECT * FROM orders');
    const byField = route(
      "INSERT INTO routing.target SELECT * FROM orders PROPERTIES('mqtt.target.from.field'='true')",
    );
    const at = { topic: 'orders', offset: 12 };
    expect(() => toMessage(sinkRecord('v', null, at), byKey, options)).toThrow(
      /record at topic orders partition 0 offset 12: field '_key': the record key is null, so there is no MQTT topic/,
    );
    expect(() => toMessage(mapRecord({ routing: { target: 'a/+/b' } }, at), byField, options)).toThrow(
      /the target MQTT topic 'a\/\+\/b' cannot be published to: it contains a wildcard/,
    );
    expect(() => toMessage(mapRecord({ routing: {} }, at), byField, options)).toThrow(
      /field 'routing.target': 'target' does not exist; available fields are \[\]/,
    );
    expect(() => toMessage(mapRecord({ routing: { target: { x: 1 } } }, at), byField, options)).toThrow(
      /field 'routing.target' is object; an MQTT topic needs a string/,
    );
    expect(() => toMessage(structRecord(reading(), { ...at, key: reading() }), byKey, options)).toThrow(
      DataException,
    );
  });
});

describe('toMessage: tombstones', () => {
  const byKey = route('INSERT INTO _key SELECT * FROM orders');

  it('are skipped by default (the reference crashed on them)', () => {
    expect(toMessage(tombstone('devices/1'), byKey, options)).toBeNull();
  });

  it('clear the retained message of their target when tombstone.clears.retained is on', () => {
    const on = { ...options, tombstoneClearsRetained: true };
    expect(toMessage(tombstone('devices/1'), byKey, on)).toEqual({
      topic: 'devices/1',
      payload: Buffer.alloc(0),
      qos: 1,
      retain: true,
    });
    expect(toMessage(tombstone('k'), route('INSERT INTO fixed/topic SELECT * FROM orders'), on)!.topic).toBe(
      'fixed/topic',
    );
  });

  it('cannot clear a target that comes from a field of the (null) value', () => {
    const r = route(
      "INSERT INTO routing.target SELECT * FROM orders PROPERTIES('mqtt.target.from.field'='true')",
    );
    expect(() => toMessage(tombstone('k'), r, { ...options, tombstoneClearsRetained: true })).toThrow(
      /the value is null \(a tombstone\), so the target topic cannot be read from its field 'routing.target'/,
    );
  });
});
