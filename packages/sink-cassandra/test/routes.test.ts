import { describe, expect, it } from 'vitest';
import { route } from './records.js';

describe('KCQL → table route', () => {
  it('maps value, _key and _header paths to columns, keeping the column case', () => {
    const r = route(
      'INSERT INTO ks.orders SELECT _key.id AS OrderId, _header.trace AS trace_id, customer.name AS buyer, amount FROM orders',
    );
    expect(r).toMatchObject({ keyspace: 'ks', table: 'orders', topic: 'orders', wildcards: [] });
    expect(r.mappings).toEqual([
      { column: 'buyer', source: { kind: 'value', path: ['customer', 'name'], label: 'customer.name' } },
      { column: 'amount', source: { kind: 'value', path: ['amount'], label: 'amount' } },
      { column: 'OrderId', source: { kind: 'key', path: ['id'], label: '_key.id' } },
      { column: 'trace_id', source: { kind: 'header', path: ['trace'], label: '_header.trace' } },
    ]);
  });

  it('takes the keyspace from connect.cassandra.key.space for a bare table (legacy form)', () => {
    expect(
      route('INSERT INTO orders SELECT * FROM orders', { 'connect.cassandra.key.space': 'shop' }),
    ).toMatchObject({
      keyspace: 'shop',
      table: 'orders',
      wildcards: [[]],
    });
  });

  it('reads `_value.x` as x and `parent.*` as a wildcard under parent', () => {
    const r = route('INSERT INTO ks.t SELECT _value.id AS id, customer.* FROM orders');
    expect(r.mappings[0]!.source.path).toEqual(['id']);
    expect(r.wildcards).toEqual([['customer']]);
  });

  it('turns KCQL TTL and PROPERTIES into per-table settings', () => {
    expect(route('INSERT INTO ks.t SELECT * FROM orders TTL = 300').ttl).toEqual({ seconds: 300 });
    const r = route(
      "INSERT INTO ks.t SELECT * FROM orders PROPERTIES('consistencyLevel'='QUORUM','ttl'='120','nullToUnset'='false','deletesEnabled'='false')",
    );
    expect(r).toMatchObject({
      consistency: 'QUORUM',
      ttl: { seconds: 120 },
      nullToUnset: false,
      deletesEnabled: false,
    });
    expect(
      route(
        "INSERT INTO ks.t SELECT * FROM orders PROPERTIES('behavior.on.null.values'='IGNORE', 'consistency.level'='ONE')",
      ),
    ).toMatchObject({ onNullValue: 'IGNORE', consistency: 'ONE' });
  });

  it('takes TTL and write time from fields mapped to the special columns', () => {
    const r = route(
      "INSERT INTO ks.t SELECT id, ttlcol AS message_internal_ttl, ts AS message_internal_timestamp FROM orders PROPERTIES('timestampTimeUnit'='MILLISECONDS')",
    );
    expect(r.mappings.map((m) => m.column)).toEqual(['id']);
    expect(r.ttl).toEqual({ source: expect.objectContaining({ path: ['ttlcol'] }), unit: 'SECONDS' });
    expect(r.timestamp).toEqual({ source: expect.objectContaining({ path: ['ts'] }), unit: 'MILLISECONDS' });
  });

  it('refuses what it cannot run, saying why', () => {
    expect(() => route('INSERT INTO orders SELECT * FROM orders')).toThrow(/names no keyspace/);
    expect(() => route('INSERT INTO a.b.c SELECT * FROM orders')).toThrow(/<keyspace>\.<table>/);
    expect(() => route("INSERT INTO ks.t SELECT * FROM orders PROPERTIES('query'='INSERT INTO x')")).toThrow(
      /custom CQL/,
    );
    expect(() => route("INSERT INTO ks.t SELECT * FROM orders PROPERTIES('colour'='red')")).toThrow(
      /unknown PROPERTIES key 'colour'/,
    );
    expect(() =>
      route("INSERT INTO ks.t SELECT * FROM orders PROPERTIES('consistencyLevel'='MOST')"),
    ).toThrow(/consistency level/);
    expect(() => route('INSERT INTO ks.t SELECT a AS x, b AS x FROM orders')).toThrow(
      /mapped twice|already been defined/,
    );
    expect(() => route('INSERT INTO ks.t SELECT * FROM orders AUTOCREATE')).toThrow(
      /AUTOCREATE needs the primary key/,
    );
  });

  it('keeps the AUTOCREATE primary key in order', () => {
    expect(route('INSERT INTO ks.t SELECT * FROM orders AUTOCREATE PK id, at').primaryKeys).toEqual([
      'id',
      'at',
    ]);
  });
});
