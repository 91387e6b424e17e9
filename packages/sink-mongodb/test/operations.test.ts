import { BSON, Binary, Decimal128, Double, Int32, Long, UUID } from 'mongodb';
import {
  ConnectDecimal,
  DataException,
  Decimal,
  LogicalDate,
  Schema,
  SchemaBuilder,
  Struct,
  Time,
  type SinkRecord,
} from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { compileRoute, toOperation as toOp } from '../src/operations.js';
import { kcql, readingAt, readingJson, readingSchema, readingStruct, record } from './records.js';

const options = { deleteOnNull: false, jsonDatetimeFields: [] as string[][], uuidFields: [] as string[][] };
const toOperation = (r: SinkRecord, statement: ReturnType<typeof kcql>, o: typeof options) =>
  toOp(r, compileRoute(statement), o, 'mongo-sink');

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
    expect(doc.location).toEqual({ lat: new Double(51.5), lon: new Double(-0.12) });
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
      collection: 'c',
      document: { id: 's-1', lat: new Double(51.5), count: Long.fromNumber(5_000_000_000) },
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
      collection: 'c',
      document: {
        sensorID: 's-1',
        count: Long.fromNumber(5_000_000_000),
        at: readingJson.at,
        location: { lat: new Double(51.5) },
      },
    });
  });

  it('PK on INSERT is accepted and does not set _id', () => {
    const op = toOperation(
      record(readingJson),
      kcql('INSERT INTO c SELECT sensorID FROM sensors PK sensorID'),
      options,
    );
    expect(op).toEqual({ kind: 'insert', collection: 'c', document: { sensorID: 's-1' } });
  });
});

describe('toOperation: UPSERT', () => {
  it('one PK gives a scalar _id', () => {
    const op = toOperation(
      record(readingJson),
      kcql('UPSERT INTO c SELECT sensorID, location.lon AS lon FROM sensors PK location.lon'),
      options,
    );
    expect(op).toEqual({
      kind: 'replace',
      collection: 'c',
      id: -0.12,
      document: { _id: -0.12, sensorID: 's-1', lon: new Double(-0.12) },
    });
  });

  it('several PKs give a sub-document keyed by leaf names in PK order (Struct input)', () => {
    const op = toOperation(
      record(readingStruct('s-9'), { valueSchema: readingSchema }),
      kcql('UPSERT INTO c SELECT sensorID FROM sensors PK location.lat, sensorID, count'),
      options,
    );
    expect(op).toEqual({
      kind: 'replace',
      collection: 'c',
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
    expect(op).toEqual({ kind: 'replace', collection: 'c', id: 'k-1', document: { _id: 'k-1', v: 1 } });
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
    expect(toOperation(record(null, { key: 's-1' }), upsert, on)).toEqual({
      kind: 'delete',
      collection: 'c',
      id: 's-1',
    });
    expect(toOperation(record(null, { key: { sensorID: 's-2' } }), upsert, on)).toEqual({
      kind: 'delete',
      collection: 'c',
      id: 's-2',
    });
    expect(() =>
      toOperation(record(null, { key: 's-1' }), kcql('INSERT INTO c SELECT * FROM sensors'), on),
    ).toThrow(/needs an UPSERT statement with PK fields/);
  });
});

describe('toOperation: Connect types → BSON', () => {
  const typed = SchemaBuilder.struct()
    .field('whole', Schema.FLOAT64_SCHEMA)
    .field('f32', Schema.FLOAT32_SCHEMA)
    .field('small', Schema.INT16_SCHEMA)
    .field('at', Time.schema())
    .field('day', LogicalDate.schema())
    .field('price', Decimal.schema(3))
    .build();
  const value = new Struct(typed)
    .put('whole', 3)
    .put('f32', 1.5)
    .put('small', 7)
    .put('at', new Date(Date.UTC(1970, 0, 1, 13, 45, 30, 250)))
    .put('day', new Date(Date.UTC(2024, 1, 29)))
    .put('price', new ConnectDecimal(-1234567n, 3));
  const doc = () =>
    (
      toOperation(
        record(value, { valueSchema: typed }),
        kcql('INSERT INTO c SELECT * FROM sensors'),
        options,
      ) as {
        document: Record<string, unknown>;
      }
    ).document;

  it('a whole FLOAT64 stays a BSON double, INT16 an int32, Time is millis of day, Date a BSON date', () => {
    const bytes = BSON.serialize(doc());
    const back = BSON.deserialize(bytes, { promoteValues: false });
    expect(back.whole).toBeInstanceOf(Double);
    expect(back.f32).toBeInstanceOf(Double);
    expect(back.small).toBeInstanceOf(Int32);
    expect(back.at).toEqual(new Int32(((13 * 60 + 45) * 60 + 30) * 1000 + 250));
    expect(back.day).toEqual(new Date(Date.UTC(2024, 1, 29)));
  });

  it('a Decimal is the driver’s Decimal128 encoding of the exact value (FerretDB has no Decimal128: unit-tested here)', () => {
    const bytes = BSON.serialize(doc());
    const reference = BSON.serialize({ price: Decimal128.fromString('-1234.567') });
    const back = BSON.deserialize(bytes, { promoteValues: false });
    expect(back.price).toBeInstanceOf(Decimal128);
    expect((back.price as Decimal128).toString()).toBe('-1234.567');
    expect(Buffer.from((back.price as Decimal128).bytes)).toEqual(
      Buffer.from((BSON.deserialize(reference).price as Decimal128).bytes),
    );
  });

  it('uuid.fields stores UUID strings at those paths as BSON UUID, and leaves others as strings', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const op = toOperation(
      record({ ref: id, other: id, list: [{ u: id }, { u: 'not-a-uuid' }] }),
      kcql('INSERT INTO c SELECT * FROM sensors'),
      { ...options, uuidFields: [['ref'], ['list', 'u']] },
    ) as { document: Record<string, unknown> };
    expect(op.document.ref).toEqual(new UUID(id));
    expect((op.document.ref as Binary).sub_type).toBe(Binary.SUBTYPE_UUID);
    expect(op.document.other).toBe(id);
    expect(op.document.list).toEqual([{ u: new UUID(id) }, { u: 'not-a-uuid' }]);
  });
});

describe("UPSERT with PROPERTIES('update.mode'='set')", () => {
  it('is a $set of the selected fields by _id', () => {
    const op = toOperation(
      record(readingJson),
      kcql("UPSERT INTO c SELECT sensorID, count FROM sensors PK sensorID PROPERTIES('update.mode'='set')"),
      options,
    );
    expect(op).toEqual({
      kind: 'set',
      collection: 'c',
      id: 's-1',
      document: { sensorID: 's-1', count: Long.fromNumber(5_000_000_000) },
    });
  });

  it('is refused on INSERT, with an unknown mode or an unknown property, naming the KCQL key', () => {
    const compile = (text: string) => () => compileRoute(kcql(text));
    expect(compile("INSERT INTO c SELECT * FROM t PROPERTIES('update.mode'='set')")).toThrow(
      /connect\.mongo\.kcql: \[c\] sets 'update\.mode'='set', which only UPSERT statements use/,
    );
    expect(compile("UPSERT INTO c SELECT * FROM t PK a PROPERTIES('update.mode'='merge')")).toThrow(
      /use 'replace' \(default\) or 'set'/,
    );
    expect(compile("UPSERT INTO c SELECT * FROM t PK a PROPERTIES('mode'='set')")).toThrow(
      /PROPERTIES key 'mode', which the MongoDB sink does not know/,
    );
  });
});
