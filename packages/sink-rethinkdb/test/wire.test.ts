import r from 'rethinkdb';
import { DataException } from '@sluice/core/sink';
import { describe, expect, it } from 'vitest';
import { toWire, wireArray, wireTerm } from '../src/wire.js';

// The sink builds the ReQL wire form of documents itself; the server must receive exactly what the
// driver's r.expr would have sent, so every case is checked against the driver's own build().

type Doc = Record<string, unknown>;
const built = (term: unknown) => (term as { build(): unknown }).build();
const driver = (value: unknown) => built(r.expr(value as never));

function everyType(): Doc {
  return {
    id: 'topic-0-42',
    text: 'héllo "quoted"',
    int: 7,
    float: 2.5,
    negative: -1e300,
    yes: true,
    nothing: null,
    at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)),
    raw: Buffer.from([0, 1, 2, 255]),
    tags: ['a', 1, null, ['nested', new Date(0)]],
    empty: [],
    point: { x: 1, y: { z: [Buffer.from('b')] }, when: new Date(86_400_000) },
    emptyObject: {},
  };
}

describe('toWire', () => {
  it('gives what the driver builds for a document of every type', () => {
    const doc = everyType();
    expect(toWire(doc)).toEqual(driver(doc));
  });

  it('gives the insert query the driver builds for the same documents', () => {
    const docs = [everyType(), { id: 'b', n: 1 }, { id: 'c', list: [1, 2] }];
    const options = { conflict: 'error', durability: 'hard', returnChanges: false } as never;
    const table = r.db('d').table('t');
    expect(built(table.insert(wireArray(docs.map(toWire)) as never, options))).toEqual(
      built(table.insert(docs, options)),
    );
    expect(built(table.insert(wireTerm(toWire(docs[0]!)) as never, options))).toEqual(
      built(table.insert(docs[0]!, options)),
    );
  });

  it('returns a document with nothing to convert as it is, and copies only the objects that change', () => {
    const flat = { id: 'a', n: 1, nested: { ok: true, s: 'x' } };
    expect(toWire(flat)).toBe(flat);
    const doc = { id: 'a', nested: { ok: true }, list: [1] };
    const wire = toWire(doc);
    expect(wire).not.toBe(doc);
    expect(wire['nested']).toBe(doc.nested);
    expect(doc.list).toEqual([1]);
  });

  // The driver assigns fields to a plain object, where `__proto__` sets the prototype: it silently left
  // the field out. The sink writes it (a JSON record may well have one).
  it('keeps a __proto__ field as a field (the driver dropped it)', () => {
    const doc: Doc = { id: 'a', list: [1] };
    Object.defineProperty(doc, '__proto__', {
      value: { x: [2] },
      enumerable: true,
      writable: true,
      configurable: true,
    });
    const wire = toWire(doc);
    expect(Object.keys(wire)).toEqual(['id', 'list', '__proto__']);
    expect(Object.getPrototypeOf(wire)).toBe(Object.prototype);
    expect(JSON.stringify(wire)).toBe('{"id":"a","list":[2,[1]],"__proto__":{"x":[2,[2]]}}');
    expect(JSON.stringify(driver(doc))).toBe('{"id":"a","list":[2,[1]]}');
  });

  it('refuses what the driver refuses (nesting limit, undefined, non-finite numbers) with the field named', () => {
    const nest = (levels: number): Doc => {
      let doc: Doc = { leaf: 1 };
      for (let i = 0; i < levels; i++) doc = { a: doc };
      return { id: 'x', ...doc };
    };
    // Inside the batch's array a document has the driver's limit less one level.
    const deepest = nest(17);
    expect(toWire(deepest)).toEqual((driver([deepest]) as [number, unknown[]])[1][0]);
    expect(() => driver([nest(18)])).toThrow(/Nesting depth limit exceeded/);
    expect(() => toWire(nest(18))).toThrow(DataException);
    expect(() => toWire(nest(18))).toThrow(/field a\.a\.a.*\.leaf is nested deeper than the 20 levels/);
    expect(() => toWire({ id: 'x', list: [1, undefined] })).toThrow(/field list\[1\] is undefined/);
    expect(() => toWire({ id: 'x', n: { v: Number.NaN } })).toThrow(/field n\.v is the number NaN/);
  });
});
