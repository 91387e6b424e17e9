import {
  ConfigException,
  ConnectDecimal,
  DataException,
  Decimal,
  LogicalDate,
  Schema,
  SchemaBuilder,
  Struct,
  Time,
  Timestamp,
  type KcqlStatement,
} from '@sluice/core/sink';
import { parseKcqlList } from '@sluice/kcql';
import { mapRecord, sinkRecord, structRecord, tombstone } from '@sluice/test-utils';
import { describe, expect, it } from 'vitest';
import { compileRoute, toOperation, type RethinkOperation } from '../src/documents.js';

const kcql = (text: string): KcqlStatement => parseKcqlList(text)[0]!;
const route = (text: string) => compileRoute(kcql(text));
const insertOf = (op: RethinkOperation) => {
  if (op.kind !== 'insert') throw new Error(`expected an insert, got ${op.kind}`);
  return op;
};

const point = SchemaBuilder.struct().name('Point').field('x', Schema.INT32_SCHEMA).build();
const reading = SchemaBuilder.struct()
  .name('Reading')
  .field('string_id', Schema.STRING_SCHEMA)
  .field('int_field', Schema.INT32_SCHEMA)
  .field('big', Schema.INT64_SCHEMA)
  .field('huge', Schema.INT64_SCHEMA)
  .field('ratio', Schema.FLOAT64_SCHEMA)
  .field('price', Decimal.schema(2))
  .field('at', Timestamp.schema())
  .field('day', LogicalDate.schema())
  .field('tod', Time.schema())
  .field('raw', Schema.BYTES_SCHEMA)
  .field('point', point)
  .field('tags', SchemaBuilder.array(Schema.STRING_SCHEMA).build())
  .field('counts', SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).build())
  .field('note', Schema.OPTIONAL_STRING_SCHEMA)
  .build();

function readingStruct(): Struct {
  return new Struct(reading)
    .put('string_id', 'a1')
    .put('int_field', 7)
    .put('big', 5_000_000_000n)
    .put('huge', 2n ** 60n + 1n)
    .put('ratio', 3)
    .put('price', ConnectDecimal.parse('12345678901234567.89'))
    .put('at', new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)))
    .put('day', new Date(Date.UTC(2024, 0, 2)))
    .put('tod', new Date(3_723_004))
    .put('raw', Buffer.from([1, 2, 255]))
    .put('point', new Struct(point).put('x', 1))
    .put('tags', ['a', 'b'])
    .put('counts', new Map([[1, 'one']]))
    .put('note', null);
}

describe('compileRoute', () => {
  it('INSERT refuses conflicts, UPSERT replaces, and PROPERTIES conflict=update updates', () => {
    expect(route('INSERT INTO t SELECT * FROM topic').conflict).toBe('error');
    expect(route('UPSERT INTO t SELECT * FROM topic PK id').conflict).toBe('replace');
    expect(route("UPSERT INTO t SELECT * FROM topic PK id PROPERTIES('conflict'='update')").conflict).toBe(
      'update',
    );
  });

  it('the primary-key field is the single PK, else id', () => {
    expect(route('UPSERT INTO t SELECT * FROM topic PK string_id').primaryKey).toBe('string_id');
    expect(route('UPSERT INTO t SELECT * FROM topic PK a, b').primaryKey).toBe('id');
    expect(route('INSERT INTO t SELECT * FROM topic').primaryKey).toBe('id');
    expect(route('INSERT INTO t SELECT * FROM topic AUTOCREATE').autoCreate).toBe(true);
  });

  it('refuses a conflict property on INSERT, an unknown conflict, unknown properties and bad table names, on the KCQL key', () => {
    for (const text of [
      "INSERT INTO t SELECT * FROM topic PROPERTIES('conflict'='update')",
      "UPSERT INTO t SELECT * FROM topic PK id PROPERTIES('conflict'='error')",
      "UPSERT INTO t SELECT * FROM topic PK id PROPERTIES('durability'='soft')",
      'INSERT INTO `a.b` SELECT * FROM topic',
    ]) {
      let error: unknown;
      try {
        route(text);
      } catch (e) {
        error = e;
      }
      expect(error, text).toBeInstanceOf(ConfigException);
      expect((error as ConfigException).key).toBe('connect.rethink.kcql');
    }
  });
});

describe('toOperation', () => {
  it('Struct: Connect types map to what RethinkDB stores, id from the coordinates without PK', () => {
    const op = insertOf(
      toOperation(
        structRecord(readingStruct(), { topic: 'readings', partition: 2, offset: 40 }),
        route('INSERT INTO t SELECT * FROM readings'),
        'c',
      ),
    );
    expect(op.id).toBe('readings-2-40');
    expect(op.document).toEqual({
      string_id: 'a1',
      int_field: 7,
      big: 5_000_000_000,
      huge: '1152921504606846977',
      ratio: 3,
      price: '12345678901234567.89',
      at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)),
      day: new Date(Date.UTC(2024, 0, 2)),
      tod: 3_723_004,
      raw: Buffer.from([1, 2, 255]),
      point: { x: 1 },
      tags: ['a', 'b'],
      counts: { '1': 'one' },
      note: null,
      id: 'readings-2-40',
    });
  });

  it('a single PK keeps its field, holding the value as text (as Stream Reactor wrote it)', () => {
    const op = insertOf(
      toOperation(
        structRecord(readingStruct()),
        route('UPSERT INTO t SELECT string_id, int_field FROM topic PK int_field'),
        'c',
      ),
    );
    expect(op.document).toEqual({ string_id: 'a1', int_field: '7' });
    expect(op.id).toBe('7');
  });

  it('several PK fields are joined with `.` into id, read from paths that need not be selected', () => {
    const op = insertOf(
      toOperation(
        mapRecord({ a: 'x', b: { c: 2 }, v: 1 }),
        route('UPSERT INTO t SELECT v FROM topic PK a, b.c'),
        'c',
      ),
    );
    expect(op.document).toEqual({ v: 1, id: 'x.2' });
  });

  it('schemaless JSON and JSON text keep integers beyond 2^53 exactly, as text', () => {
    const text = '{"n": 9007199254740993, "f": 1.5}';
    const op = insertOf(
      toOperation(
        sinkRecord(text, Schema.STRING_SCHEMA, { offset: 3, topic: 'j' }),
        route('INSERT INTO t SELECT * FROM j'),
        'c',
      ),
    );
    expect(op.document).toEqual({ n: '9007199254740993', f: 1.5, id: 'j-0-3' });
  });

  it('a missing PK field is a DataException naming connector, coordinates and field', () => {
    let error: unknown;
    try {
      toOperation(
        sinkRecord({ v: 1 }, null, { topic: 'p', partition: 1, offset: 9 }),
        route('UPSERT INTO t SELECT * FROM p PK id'),
        'conn-x',
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DataException);
    expect((error as Error).message).toMatch(/conn-x/);
    expect((error as Error).message).toMatch(/p/);
    expect((error as Error).message).toMatch(/offset 9/);
    expect((error as Error).message).toMatch(/id/);
  });

  it('a non-finite float is a DataException', () => {
    const s = SchemaBuilder.struct().field('f', Schema.FLOAT64_SCHEMA).build();
    expect(() =>
      toOperation(
        structRecord(new Struct(s).put('f', Number.NaN)),
        route('INSERT INTO t SELECT * FROM topic'),
        'c',
      ),
    ).toThrow(DataException);
  });

  it('each insert carries its document in wire form; one too deep for the driver is a DataException naming the record', () => {
    const op = insertOf(
      toOperation(
        sinkRecord({ v: 1, list: ['a'], at: new Date(0) }, null, { topic: 'w', offset: 4 }),
        route('INSERT INTO t SELECT * FROM w'),
        'c',
      ),
    );
    expect(op.wire).toEqual({
      v: 1,
      list: [2, ['a']],
      at: [99, ['1970-01-01T00:00:00.000Z']],
      id: 'w-0-4',
    });
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 20; i++) deep = { a: deep };
    let error: unknown;
    try {
      toOperation(
        sinkRecord(deep, null, { topic: 'w', offset: 5 }),
        route('INSERT INTO t SELECT * FROM w'),
        'conn-d',
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DataException);
    expect((error as Error).message).toMatch(/conn-d/);
    expect((error as Error).message).toMatch(/offset 5/);
    expect((error as Error).message).toMatch(/nested deeper than the 20 levels/);
  });

  it('a tombstone deletes by the PK read from the key, or by the key itself without PK', () => {
    const withPk = toOperation(
      tombstone('{"id": 42}'),
      route('UPSERT INTO t SELECT * FROM topic PK id'),
      'c',
    );
    expect(withPk).toMatchObject({ kind: 'delete', id: '42' });
    const plainKey = toOperation(tombstone('k-1'), route('INSERT INTO t SELECT * FROM topic'), 'c');
    expect(plainKey).toMatchObject({ kind: 'delete', id: 'k-1' });
    expect(() => toOperation(tombstone(null), route('INSERT INTO t SELECT * FROM topic'), 'c')).toThrow(
      /without a key/,
    );
  });
});
