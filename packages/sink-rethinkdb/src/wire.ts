import r from 'rethinkdb';
import { DataException } from '@sluice/core/sink';

// Documents in the form the ReQL JSON protocol carries them, built once per record instead of through
// `r.expr`, which turns every field of every document into a term object (and the batch into a tree of
// them) only for `build()` to turn it back into JSON: that was a third of the worker's CPU per record.
// The output is exactly what the driver's `r.expr(document).build()` gives — test/wire.test.ts checks
// it against the driver — so the server receives the same query either way:
// - an array is the term MAKE_ARRAY (`[2, [items]]`), since a bare JSON array in a query is a term;
// - a Date is `r.ISO8601(date.toISOString())` (`[99, [text]]`), as the driver sends it;
// - a Buffer is the BINARY pseudo-type with base64 data;
// - an object keeps its keys, its values converted; numbers, strings, booleans and null are themselves.
// A value with nothing to convert is returned as it is (no copy).

const MAKE_ARRAY = 2;
const ISO8601 = 99;
/** r.expr's default nesting limit; a document inside the batch's array starts one level down. */
const DRIVER_NESTING_LIMIT = 20;

/** The driver's own datum term: its build() returns the value it holds unchanged. */
const DatumTerm = (r.expr(null) as unknown as { constructor: new (value: unknown) => r.Expression<unknown> })
  .constructor;

/** The ReQL wire form of a document, or a DataException naming what the driver would refuse. */
export function toWire(document: Record<string, unknown>): Record<string, unknown> {
  return wireValue(document, DRIVER_NESTING_LIMIT - 1, '') as Record<string, unknown>;
}

/** A term the driver sends as it is: documents already in wire form, e.g. `table.insert(wireTerm(docs))`. */
export function wireTerm(value: unknown): r.Expression<unknown> {
  return new DatumTerm(value);
}

/** An array of wire-form documents as the MAKE_ARRAY term the driver would build. */
export function wireArray(items: unknown[]): r.Expression<unknown> {
  return wireTerm([MAKE_ARRAY, items]);
}

function wireValue(value: unknown, depth: number, path: string): unknown {
  if (depth <= 0) {
    throw new DataException(
      `field ${path} is nested deeper than the ${DRIVER_NESTING_LIMIT} levels the RethinkDB driver allows`,
    );
  }
  if (value === null || typeof value !== 'object') {
    if (value === undefined)
      throw new DataException(`field ${path} is undefined, which RethinkDB cannot store`);
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new DataException(`field ${path} is the number ${value}, which RethinkDB cannot store`);
    return value;
  }
  if (Array.isArray(value)) {
    const items = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) items[i] = wireValue(value[i], depth - 1, `${path}[${i}]`);
    return [MAKE_ARRAY, items];
  }
  if (value instanceof Date) return [ISO8601, [value.toISOString()]];
  if (Buffer.isBuffer(value)) return { $reql_type$: 'BINARY', data: value.toString('base64') };
  const object = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    const field = object[key];
    const wire = wireValue(field, depth - 1, path === '' ? key : `${path}.${key}`);
    if (wire !== field && out === undefined) {
      // The first field that changes: copy the object, then write the converted fields into the copy.
      out = {};
      for (const k in object) if (Object.hasOwn(object, k)) put(out, k, object[k]);
    }
    if (out !== undefined) put(out, key, wire);
  }
  return out ?? object;
}

/** Sets a plain data property, `__proto__` included (an assignment would set the prototype instead). */
export function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
