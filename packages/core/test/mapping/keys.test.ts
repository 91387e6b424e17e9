import { describe, expect, it } from 'vitest';
import { DataException } from '../../src/errors.js';
import { extractPrimaryKeys, extractPrimaryKeysFromKey } from '../../src/mapping/keys.js';
import { field, record, struct } from './fixtures.js';

describe('extractPrimaryKeys', () => {
  const value = { B: 1, C: { M: 'x', N: { Y: 2.5 } }, skip: 1 };

  it.each([
    ['object', value],
    ['Struct', struct({ ...value, C: struct({ M: 'x', N: struct({ Y: 2.5 }) }) })],
    ['JSON text', JSON.stringify(value)],
  ])('reads nested PK paths in order, named by leaf (%s)', (_shape, v) => {
    const keys = extractPrimaryKeys(record(v), [field('B'), field('C.M'), field('C.N.Y')]);
    expect(keys.map((k) => [k.name, k.value])).toEqual([
      ['B', 1],
      ['M', 'x'],
      ['Y', 2.5],
    ]);
  });

  it('reads _key paths and the whole key', () => {
    const r = record(value, { key: struct({ id: 'k1' }) });
    expect(extractPrimaryKeys(r, [field('_key.id')])[0]).toMatchObject({ name: 'id', value: 'k1' });
    const plainKey = record(value, { key: 'abc' });
    expect(extractPrimaryKeys(plainKey, [field('_key')])[0]).toMatchObject({ name: '_key', value: 'abc' });
  });

  it('a missing or null PK is a DataException naming the field', () => {
    expect(() => extractPrimaryKeys(record(value), [field('nope')])).toThrow(DataException);
    expect(() => extractPrimaryKeys(record({ id: null }), [field('id')], { connectorName: 'c' })).toThrow(
      /Connector c: record at topic orders partition 2 offset 41: field 'id': the primary key is null/,
    );
  });
});

describe('extractPrimaryKeysFromKey (tombstones)', () => {
  it('reads PK paths from a structured key, with or without _key.', () => {
    const r = record(null, { key: { id: 5, region: 'eu' } });
    expect(extractPrimaryKeysFromKey(r, [field('id'), field('_key.region')]).map((k) => k.value)).toEqual([
      5,
      'eu',
    ]);
  });

  it('uses a single-value key for a single PK and refuses it for several', () => {
    expect(extractPrimaryKeysFromKey(record(null, { key: 'k-9' }), [field('id')])[0]!.value).toBe('k-9');
    expect(() => extractPrimaryKeysFromKey(record(null, { key: 'k-9' }), [field('a'), field('b')])).toThrow(
      /single value, so it cannot provide 2 primary key fields/,
    );
    expect(() => extractPrimaryKeysFromKey(record(null), [field('id')])).toThrow(/neither a value nor a key/);
  });
});
