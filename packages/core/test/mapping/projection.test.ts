import { describe, expect, it } from 'vitest';
import { DataException } from '../../src/errors.js';
import { projectRecord } from '../../src/mapping/projection.js';
import { field, record, statement, struct } from './fixtures.js';

// The same logical value in each input shape a sink receives.
const plain = { id: 7, name: 'pump', location: { lat: 51.5, lon: -0.12 }, tags: ['a', 'b'], extra: null };
const shapes: Record<string, unknown> = {
  Struct: struct({ ...plain, location: struct(plain.location) }),
  Map: new Map<string, unknown>(
    [...Object.entries(plain)].map(([k, v]) => [
      k,
      k === 'location' ? new Map(Object.entries(v as object)) : v,
    ]),
  ),
  object: plain,
  'JSON text': JSON.stringify(plain),
  'JSON bytes': Buffer.from(JSON.stringify(plain)),
};

describe.each(Object.entries(shapes))('projectRecord on a %s value', (_shape, value) => {
  it('SELECT * keeps the whole value as plain objects', () => {
    expect(projectRecord(record(value), statement())).toEqual(plain);
  });

  it('an explicit list keeps only the selected fields, under their aliases', () => {
    const s = statement({ fields: [field('id', 'sensorId'), field('name')] });
    expect(projectRecord(record(value), s)).toEqual({ sensorId: 7, name: 'pump' });
  });

  it('nested paths are flattened to their alias or leaf name', () => {
    const s = statement({ fields: [field('location.lat'), field('location.lon', 'longitude')] });
    expect(projectRecord(record(value), s)).toEqual({ lat: 51.5, longitude: -0.12 });
  });

  it('WITHSTRUCTURE keeps nested paths at their place', () => {
    const s = statement({ fields: [field('id'), field('location.lon', 'lng')], retainStructure: true });
    expect(projectRecord(record(value), s)).toEqual({ id: 7, location: { lng: -0.12 } });
  });

  it('* with IGNORE removes top-level and nested paths', () => {
    const s = statement({ ignoredFields: [field('tags'), field('location.lat')] });
    expect(projectRecord(record(value), s)).toEqual({
      id: 7,
      name: 'pump',
      location: { lon: -0.12 },
      extra: null,
    });
  });

  it('*, a AS b renames a and keeps the rest', () => {
    const s = statement({ fields: [field('*'), field('name', 'label')] });
    expect(projectRecord(record(value), s)).toEqual({
      id: 7,
      label: 'pump',
      location: plain.location,
      tags: ['a', 'b'],
      extra: null,
    });
  });

  it('a.* copies the children of a', () => {
    const s = statement({ fields: [field('id'), field('location.*')] });
    expect(projectRecord(record(value), s)).toEqual({ id: 7, lat: 51.5, lon: -0.12 });
  });

  it('a missing path is a DataException naming topic, partition, offset and field', () => {
    const s = statement({ fields: [field('location.alt')] });
    expect(() => projectRecord(record(value), s, { connectorName: 'mongo-sink' })).toThrow(DataException);
    expect(() => projectRecord(record(value), s, { connectorName: 'mongo-sink' })).toThrow(
      /Connector mongo-sink: record at topic orders partition 2 offset 41: field 'location.alt': 'alt' does not exist; available fields are \[lat, lon\]/,
    );
  });

  it('a missing path is left out when missingFields is omit', () => {
    const s = statement({ fields: [field('id'), field('location.alt')] });
    expect(projectRecord(record(value), s, { missingFields: 'omit' })).toEqual({ id: 7 });
  });

  it('a path through a non-container is a DataException', () => {
    const s = statement({ fields: [field('name.first')] });
    expect(() => projectRecord(record(value), s)).toThrow(
      /field 'name.first': 'name' is string, not a Struct, Map or object/,
    );
  });
});

describe('projectRecord', () => {
  it('reads _key fields, headers and record metadata', () => {
    const s = statement({
      fields: [field('id'), field('topic', 'src', 'TOPIC'), field('offset', 'off', 'OFFSET')],
      keyFields: [field('region'), field('*')],
      headerFields: [field('trace')],
    });
    const r = record(plain, {
      key: struct({ region: 'eu', shard: 3 }),
      headers: [{ key: 'trace', schema: null, value: 'abc' }],
    });
    expect(projectRecord(r, s)).toEqual({
      id: 7,
      src: 'orders',
      off: 41,
      region: 'eu',
      region_1: 'eu',
      shard: 3,
      trace: 'abc',
    });
  });

  it('_header.* copies every header', () => {
    const s = statement({ fields: [field('id')], headerFields: [field('*')] });
    const headers = [
      { key: 'a', schema: null, value: 1 },
      { key: 'b', schema: null, value: 'x' },
    ];
    expect(projectRecord(record(plain, { headers }), s)).toEqual({ id: 7, a: 1, b: 'x' });
  });

  it('parses a JSON text key for _key fields', () => {
    const s = statement({ fields: [field('id')], keyFields: [field('tenant')] });
    expect(projectRecord(record(plain, { key: '{"tenant":"acme"}' }), s)).toEqual({ id: 7, tenant: 'acme' });
  });

  it('keeps Connect leaf representations', () => {
    const when = new Date('2024-01-02T03:04:05.006Z');
    const decimal = { unscaled: 12345n, scale: 2, toString: () => '123.45' };
    const value = struct({
      big: 9007199254740993n,
      when,
      decimal,
      raw: Buffer.from([1, 2]),
      m: new Map([[1, 'x']]),
    });
    const doc = projectRecord(record(value), statement());
    expect(doc).toEqual({
      big: 9007199254740993n,
      when,
      decimal,
      raw: Buffer.from([1, 2]),
      m: new Map([[1, 'x']]),
    });
  });

  it('rejects a tombstone, a JSON array and invalid JSON with DataException', () => {
    expect(() => projectRecord(record(null), statement())).toThrow(/null \(a tombstone\)/);
    expect(() => projectRecord(record('[1,2]'), statement())).toThrow(/JSON array, not a JSON object/);
    expect(() => projectRecord(record('{"a":'), statement())).toThrow(/not valid JSON/);
    expect(() => projectRecord(record(42), statement())).toThrow(/a value of type number cannot be mapped/);
  });

  it('suffixes a flattened name that is already taken', () => {
    const s = statement({ fields: [field('location.lat', 'x'), field('location.lon', 'x')] });
    expect(projectRecord(record(plain), s)).toEqual({ x: 51.5, x_1: -0.12 });
  });

  it('a null optional parent yields null for the nested field', () => {
    const s = statement({ fields: [field('location.lat')] });
    expect(projectRecord(record({ location: null }), s)).toEqual({ lat: null });
  });

  it('strips a leading _value segment', () => {
    const s = statement({ fields: [field('_value.name')] });
    expect(projectRecord(record(plain), s)).toEqual({ name: 'pump' });
  });
});

describe('projectRecord on a real Connect Struct', () => {
  it('reads nested Structs, logical types and INT64 slots as Connect values', async () => {
    const { SchemaBuilder, Struct, Decimal, Timestamp, Schema, ConnectDecimal } =
      await import('../../src/data/index.js');
    const location = SchemaBuilder.struct()
      .name('Location')
      .field('lat', Schema.FLOAT64_SCHEMA)
      .field('lon', Schema.FLOAT64_SCHEMA)
      .build();
    const schema = SchemaBuilder.struct()
      .name('Reading')
      .field('id', Schema.INT64_SCHEMA)
      .field('price', Decimal.schema(2))
      .field('at', Timestamp.schema())
      .field('location', location)
      .field('note', Schema.OPTIONAL_STRING_SCHEMA)
      .build();
    const at = new Date('2024-03-04T05:06:07.089Z');
    const value = new Struct(schema)
      .put('id', 5)
      .put('price', new ConnectDecimal(1999n, 2))
      .put('at', at)
      .put('location', new Struct(location).put('lat', 1.5).put('lon', 2.5));
    const r = record(value, { valueSchema: schema });
    expect(projectRecord(r, statement())).toEqual({
      id: 5n,
      price: new ConnectDecimal(1999n, 2),
      at,
      location: { lat: 1.5, lon: 2.5 },
      note: null,
    });
    const s = statement({ fields: [field('location.lon', 'lng'), field('price')] });
    expect(projectRecord(r, s)).toEqual({ lng: 2.5, price: new ConnectDecimal(1999n, 2) });
    expect(() => projectRecord(r, statement({ fields: [field('location.alt')] }))).toThrow(
      /available fields are \[lat, lon\]/,
    );
  });
});
