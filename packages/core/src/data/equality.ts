import type { Schema } from './schema.js';

// Deep equality of Connect values and schemas (Java's Objects.deepEquals / ConnectSchema.equals / Struct.equals).

interface WithEquals {
  equals(other: unknown): boolean;
}

function hasEquals(value: object): value is WithEquals {
  return typeof (value as Partial<WithEquals>).equals === 'function';
}

export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  // INT64 slots may hold a safe-integer number or a bigint; both denote the same Java Long.
  if (typeof a === 'bigint' && typeof b === 'number') return Number.isInteger(b) && a === BigInt(b);
  if (typeof a === 'number' && typeof b === 'bigint') return Number.isInteger(a) && BigInt(a) === b;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof Uint8Array) return b instanceof Uint8Array && Buffer.compare(a, b) === 0;
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime();
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => valuesEqual(v, b[i]));
  }
  if (a instanceof Map) return b instanceof Map && mapsEqual(a, b);
  if (hasEquals(a)) return a.equals(b);
  return false;
}

function mapsEqual(a: Map<unknown, unknown>, b: Map<unknown, unknown>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    if (b.has(k)) {
      if (!valuesEqual(v, b.get(k))) return false;
      continue;
    }
    // Keys that are objects (Buffers, Structs…) are equal by value, not by identity.
    let found = false;
    for (const [k2, v2] of b) {
      if (valuesEqual(k, k2) && valuesEqual(v, v2)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

/** Parameter order does not matter; field order does. */
export function schemasEqual(a: Schema | null, b: Schema | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (
    a.type !== b.type ||
    a.optional !== b.optional ||
    a.name !== b.name ||
    a.version !== b.version ||
    a.doc !== b.doc ||
    !parametersEqual(a.parameters, b.parameters) ||
    !valuesEqual(a.defaultValue, b.defaultValue)
  ) {
    return false;
  }
  switch (a.type) {
    case 'STRUCT': {
      const fa = a.fields();
      const fb = b.fields();
      return (
        fa.length === fb.length &&
        fa.every(
          (f, i) => f.name === fb[i].name && f.index === fb[i].index && schemasEqual(f.schema, fb[i].schema),
        )
      );
    }
    case 'MAP':
      return schemasEqual(a.keySchema(), b.keySchema()) && schemasEqual(a.valueSchema(), b.valueSchema());
    case 'ARRAY':
      return schemasEqual(a.valueSchema(), b.valueSchema());
    default:
      return true;
  }
}

function parametersEqual(
  a: ReadonlyMap<string, string> | null,
  b: ReadonlyMap<string, string> | null,
): boolean {
  if (a === b) return true;
  if (a === null || b === null || a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
