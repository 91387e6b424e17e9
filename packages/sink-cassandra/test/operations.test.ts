import { Schema, SchemaBuilder, Struct } from '@sluice/core/sink';
import { describe, expect, it } from 'vitest';
import { prepareRow, type RowOperation } from '../src/operations.js';
import { order, orderSchema, record, route } from './records.js';

const options = { connectorName: 'cass' };
const columns = (op: RowOperation | null) =>
  op && op.kind !== 'statement' ? Object.fromEntries(op.columns.map((c) => [c.column, c.value])) : null;

describe('record → row', () => {
  it('Struct: selected paths, aliases and `*` keep Connect values (INT64 as bigint)', () => {
    const r = route('INSERT INTO ks.t SELECT id, amount, customer.name AS buyer FROM orders');
    const op = prepareRow(record(order(1), { valueSchema: orderSchema }), r, options);
    expect(columns(op)).toEqual({ id: 1, amount: 1000n, buyer: 'c1' });
    const all = prepareRow(
      record(order(2), { valueSchema: orderSchema }),
      route('INSERT INTO ks.t SELECT * FROM orders'),
      options,
    );
    expect(Object.keys(columns(all)!)).toEqual(['id', 'amount', 'note', 'customer']);
    expect(all?.kind === 'upsert' && all.columns.every((c) => c.expanded)).toBe(true);
  });

  it('schemaless Map and JSON text alike; a missing JSON field is null', () => {
    const r = route('INSERT INTO ks.t SELECT id, customer.city AS city, note FROM orders');
    const fromMap = prepareRow(
      record(
        new Map<string, unknown>([
          ['id', 1],
          ['customer', new Map([['city', 'Oslo']])],
        ]),
      ),
      r,
      options,
    );
    const fromText = prepareRow(record(JSON.stringify({ id: 1, customer: { city: 'Oslo' } })), r, options);
    expect(columns(fromMap)).toEqual({ id: 1, city: 'Oslo', note: null });
    expect(columns(fromText)).toEqual({ id: 1, city: 'Oslo', note: null });
  });

  it('a field missing from a Struct schema is an error naming the field and the record', () => {
    const r = route('INSERT INTO ks.t SELECT id, colour FROM orders');
    expect(() => prepareRow(record(order(1), { valueSchema: orderSchema }), r, options)).toThrow(
      /Connector cass: record at topic orders partition 0 offset 17: field 'colour':.*no field 'colour'/,
    );
  });

  it('reads the key, headers and record metadata', () => {
    const r = route(
      'INSERT INTO ks.t SELECT _key.id AS id, _header.trace AS trace, _.offset AS off, _.topic AS topic FROM orders',
    );
    const op = prepareRow(
      record(
        { x: 1 },
        { key: JSON.stringify({ id: 'k1' }), headers: [{ key: 'trace', schema: null, value: 't-9' }] },
      ),
      r,
      options,
    );
    expect(columns(op)).toEqual({ id: 'k1', trace: 't-9', off: 17n, topic: 'orders' });
  });

  it('`_key AS column` takes the whole key (a plain string or number key)', () => {
    const r = route('INSERT INTO ks.t SELECT _key AS id, v FROM orders');
    expect(columns(prepareRow(record({ v: 1 }, { key: 'k-7' }), r, options))).toEqual({ id: 'k-7', v: 1 });
    expect(columns(prepareRow(record(null, { key: 'k-7' }), r, options))).toEqual({ id: 'k-7' });
  });

  it('WITHSTRUCTURE keeps the nesting of a selection (for UDT and map columns)', () => {
    const r = route('INSERT INTO ks.t SELECT id, customer.name, customer.city FROM orders WITHSTRUCTURE');
    expect(
      columns(prepareRow(record({ id: 1, customer: { name: 'a', city: 'b', zip: 1 } }), r, options)),
    ).toEqual({
      id: 1,
      customer: { name: 'a', city: 'b' },
    });
  });

  it('TTL and write time from fields, in their units', () => {
    const r = route(
      "INSERT INTO ks.t SELECT id, ttlms AS message_internal_ttl, at AS message_internal_timestamp FROM orders PROPERTIES('ttlTimeUnit'='MILLISECONDS','timestampTimeUnit'='MILLISECONDS')",
    );
    const op = prepareRow(record({ id: 1, ttlms: 90_000, at: 1_700_000_000_123 }), r, options);
    expect(op).toMatchObject({ kind: 'upsert', ttl: 90, timestamp: 1_700_000_000_123_000n });
    expect(columns(op)).toEqual({ id: 1 });
    const fromDate = prepareRow(
      record({ id: 1, at: new Date(1_700_000_000_123) }),
      route('INSERT INTO ks.t SELECT id, at AS message_internal_timestamp FROM orders'),
      options,
    );
    expect(fromDate).toMatchObject({ timestamp: 1_700_000_000_123_000n });
    expect(
      prepareRow(record({ id: 1 }), route('INSERT INTO ks.t SELECT id FROM orders TTL = 60'), options),
    ).toMatchObject({ ttl: 60 });
  });

  it('a tombstone becomes a delete with the columns its key gives', () => {
    const r = route('INSERT INTO ks.t SELECT _key.id AS id, _key.line AS line, qty FROM orders');
    const op = prepareRow(record(null, { key: JSON.stringify({ id: 7, line: 2 }) }), r, options);
    expect(op!.kind).toBe('delete');
    expect(columns(op)).toEqual({ id: 7, line: 2 });
  });

  it('tombstones: IGNORE skips, FAIL and deletesEnabled=false are record errors', () => {
    const key = { key: JSON.stringify({ id: 7 }) };
    expect(
      prepareRow(
        record(null, key),
        route(
          "INSERT INTO ks.t SELECT _key.id AS id FROM orders PROPERTIES('behavior.on.null.values'='IGNORE')",
        ),
        options,
      ),
    ).toBeNull();
    expect(() =>
      prepareRow(
        record(null, key),
        route("INSERT INTO ks.t SELECT _key.id AS id FROM orders PROPERTIES('deletesEnabled'='false')"),
        options,
      ),
    ).toThrow(/offset 17.*tombstone.*deletes are off/);
  });

  it('legacy delete.statement binds the key fields in order (Struct key)', () => {
    const keySchema = SchemaBuilder.struct()
      .field('id', Schema.INT32_SCHEMA)
      .field('product', Schema.STRING_SCHEMA)
      .build();
    const key = new Struct(keySchema).put('id', 3).put('product', 'p');
    const op = prepareRow(record(null, { key, keySchema }), route('INSERT INTO ks.t SELECT * FROM orders'), {
      ...options,
      legacyDelete: {
        statement: 'DELETE FROM t WHERE id = ? AND product = ?',
        keyFields: [['product'], ['id']],
      },
    });
    expect(op).toMatchObject({ kind: 'statement', values: ['p', 3] });
    const primitive = prepareRow(
      record(null, { key: 'abc' }),
      route('INSERT INTO ks.t SELECT * FROM orders'),
      {
        ...options,
        legacyDelete: { statement: 'DELETE FROM t WHERE id = ?', keyFields: [] },
      },
    );
    expect(primitive).toMatchObject({ kind: 'statement', values: ['abc'] });
  });
});
