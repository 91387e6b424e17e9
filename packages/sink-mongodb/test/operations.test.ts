import { Binary, Decimal128, Long } from 'mongodb';
import { DataException, Schema } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { toOperation } from '../src/operations.js';
import { kcql, readingAt, readingJson, readingSchema, readingStruct, record } from './records.js';

const options = { connectorName: 'mongo-sink', deleteOnNull: false, jsonDatetimeFields: [] as string[][] };

describe('toOperation: INSERT', () => {
  it('maps a Struct to BSON types: Long, Decimal128, Date, Binary, sub-documents, arrays, maps', () => {
    const op = toOperation(
      record(readingStruct(), { valueSchema: readingSchema }),
      kcql('INSERT INTO readings SELECT * FROM sensors'),
      options,
    );
    expect(op.kind).toBe('insert');
    const doc = (op as { document: Record<string, unknown> }).document;
    expect(doc.sensorID).toBe('s-1');
    expect(doc.count).toEqual(Long.fromBigInt(9007199254740993n));
    expect(doc.price).toEqual(Decimal128.fromString('19.99'));
    expect(doc.at).toEqual(readingAt);
    expect(doc.raw).toEqual(new Binary(Buffer.from([1, 2, 3])));
    expect(doc.location).toEqual({ lat: 51.5, lon: -0.12 });
    expect(doc.tags).toEqual(['a', 'b']);
    expect(doc.attrs).toEqual({ x: 1 });
  });

  it.each([
    ['schemaless Map', new Map(Object.entries(readingJson)), null],
    ['JSON text', JSON.stringify(readingJson), Schema.STRING_SCHEMA],
    ['plain object', readingJson, null],
  ])('maps %s input with selection and aliases', (_shape, value, valueSchema) => {
    const op = toOperation(
      record(value, { valueSchema }),
      kcql('INSERT INTO c SELECT sensorID AS id, location.lat, count FROM sensors'),
      options,
    );
    expect(op).toEqual({
      kind: 'insert',
      document: { id: 's-1', lat: 51.5, count: Long.fromNumber(5_000_000_000) },
    });
  });

  it('json_datetime_fields turns ISO strings and epoch millis into dates, through arrays of sub-documents', () => {
    const op = toOperation(
      record(JSON.stringify(readingJson), { valueSchema: Schema.STRING_SCHEMA }),
      kcql('INSERT INTO c SELECT * FROM sensors'),
      {
        ...options,
        jsonDatetimeFields: [['at'], ['events', 'when'], ['sensorID']],
      },
    );
    const doc = (op as { document: Record<string, unknown> }).document;
    expect(doc.at).toEqual(new Date('2024-03-04T05:06:07.089Z'));
    expect(doc.events).toEqual([
      { when: new Date(1_700_000_000_000) },
      { when: new Date('2023-12-31T23:00:00Z') },
    ]);
    expect(doc.sensorID).toBe('s-1');
  });

  it('IGNORE removes fields', () => {
    const op = toOperation(
      record(readingJson),
      kcql('INSERT INTO c SELECT * FROM sensors IGNORE events, location.lon'),
      options,
    );
    expect(op).toEqual({
      kind: 'insert',
      document: {
        sensorID: 's-1',
        count: Long.fromNumber(5_000_000_000),
        at: readingJson.at,
        location: { lat: 51.5 },
      },
    });
  });

  it('PK on INSERT is accepted and does not set _id', () => {
    const op = toOperation(
      record(readingJson),
      kcql('INSERT INTO c SELECT sensorID FROM sensors PK sensorID'),
      options,
    );
    expect(op).toEqual({ kind: 'insert', document: { sensorID: 's-1' } });
  });
});

describe('toOperation: UPSERT', () => {
  it('one PK gives a scalar _id', () => {
    const op = toOperation(
      record(readingJson),
      kcql('UPSERT INTO c SELECT sensorID, location.lon AS lon FROM sensors PK location.lon'),
      options,
    );
    expect(op).toEqual({ kind: 'replace', id: -0.12, document: { _id: -0.12, sensorID: 's-1', lon: -0.12 } });
  });

  it('several PKs give a sub-document keyed by leaf names in PK order (Struct input)', () => {
    const op = toOperation(
      record(readingStruct('s-9'), { valueSchema: readingSchema }),
      kcql('UPSERT INTO c SELECT sensorID FROM sensors PK location.lat, sensorID, count'),
      options,
    );
    expect(op).toEqual({
      kind: 'replace',
      id: { lat: 51.5, sensorID: 's-9', count: Long.fromBigInt(9007199254740993n) },
      document: {
        _id: { lat: 51.5, sensorID: 's-9', count: Long.fromBigInt(9007199254740993n) },
        sensorID: 's-9',
      },
    });
    expect(Object.keys((op as { id: object }).id)).toEqual(['lat', 'sensorID', 'count']);
  });

  it('reads PK fields from the key with _key.', () => {
    const op = toOperation(
      record({ v: 1 }, { key: '{"id":"k-1"}' }),
      kcql('UPSERT INTO c SELECT * FROM sensors PK _key.id'),
      options,
    );
    expect(op).toEqual({ kind: 'replace', id: 'k-1', document: { _id: 'k-1', v: 1 } });
  });

  it('a PK that is a sub-document or missing is a DataException naming the field', () => {
    expect(() =>
      toOperation(record(readingJson), kcql('UPSERT INTO c SELECT * FROM sensors PK location'), options),
    ).toThrow(
      /field 'location': a PK field is object; _id parts must be a string, number, boolean, date or decimal/,
    );
    expect(() =>
      toOperation(record(readingJson), kcql('UPSERT INTO c SELECT * FROM sensors PK nope'), options),
    ).toThrow(DataException);
  });
});

describe('toOperation: tombstones', () => {
  const upsert = kcql('UPSERT INTO c SELECT * FROM sensors PK sensorID');

  it('are a record error by default, saying how to delete instead', () => {
    expect(() => toOperation(record(null, { key: 's-1' }), upsert, options)).toThrow(
      /Connector mongo-sink: record at topic sensors partition 0 offset 17: the value is null \(a tombstone\)\. Set connect\.mongo\.delete\.on\.null=true/,
    );
  });

  it('delete by the _id the key gives when delete.on.null is on', () => {
    const on = { ...options, deleteOnNull: true };
    expect(toOperation(record(null, { key: 's-1' }), upsert, on)).toEqual({ kind: 'delete', id: 's-1' });
    expect(toOperation(record(null, { key: { sensorID: 's-2' } }), upsert, on)).toEqual({
      kind: 'delete',
      id: 's-2',
    });
    expect(() =>
      toOperation(record(null, { key: 's-1' }), kcql('INSERT INTO c SELECT * FROM sensors'), on),
    ).toThrow(/needs an UPSERT statement with PK fields/);
  });
});
