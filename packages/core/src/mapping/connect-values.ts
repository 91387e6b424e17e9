// Reading Connect values without caring how they arrived: a Struct (Avro / JSON with schemas), a Map
// (schemaless JSON converter) or a plain object (parsed JSON text). Structs and decimals are recognised
// by shape rather than by class so that a plugin bundling another copy of @sluice/core still works.

export interface StructLike {
  readonly schema: {
    readonly type: string;
    fields(): readonly { readonly name: string; readonly schema?: { readonly type: string } }[];
  };
  get(field: string): unknown;
}

export function isStruct(value: unknown): value is StructLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as StructLike).get === 'function' &&
    (value as StructLike).schema?.type === 'STRUCT'
  );
}

/** Connect's Decimal value: an exact unscaled integer and a scale. */
export interface DecimalLike {
  readonly unscaled: bigint;
  readonly scale: number;
  toString(): string;
}

export function isDecimal(value: unknown): value is DecimalLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as DecimalLike).unscaled === 'bigint' &&
    typeof (value as DecimalLike).scale === 'number'
  );
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Values that have named children a field path can walk through. */
export function isContainer(value: unknown): boolean {
  return isStruct(value) || value instanceof Map || isPlainObject(value);
}

/** The names of a container's children, in their natural order (schema order for a Struct). */
export function childNames(container: unknown): string[] {
  if (isStruct(container)) return container.schema.fields().map((f) => f.name);
  if (container instanceof Map) return [...container.keys()].map(String);
  if (isPlainObject(container)) return Object.keys(container);
  return [];
}

export type Lookup = { found: true; value: unknown } | { found: false };

/** One step of a path. A Struct has exactly its schema's fields; a Map or object its own keys. */
export function child(container: unknown, name: string): Lookup {
  if (isStruct(container)) {
    const field = container.schema.fields().find((f) => f.name === name);
    if (!field) return { found: false };
    const value = container.get(name);
    // Connect's INT64 is a bigint; a Struct slot may hold a safe-integer number instead.
    return {
      found: true,
      value: field.schema?.type === 'INT64' && typeof value === 'number' ? BigInt(value) : value,
    };
  }
  if (container instanceof Map) {
    return container.has(name) ? { found: true, value: container.get(name) } : { found: false };
  }
  if (isPlainObject(container) && Object.prototype.hasOwnProperty.call(container, name)) {
    return { found: true, value: container[name] };
  }
  return { found: false };
}

/**
 * A Connect value as a plain JS value a sink can map to its store: Struct → object, Map with string
 * keys → object (other keys stay a Map), arrays element-wise. Leaves keep Connect's representations
 * (bigint, decimal value, Date, Buffer, string, number, boolean, null). `skip` drops children by
 * dotted path relative to `value` (IGNORE).
 */
export function toPlain(value: unknown, skip?: ReadonlySet<string>, prefix = ''): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((v) => toPlain(v));
  if (isStruct(value) || isPlainObject(value) || (value instanceof Map && hasOnlyStringKeys(value))) {
    const out: Record<string, unknown> = {};
    for (const name of childNames(value)) {
      const path = prefix === '' ? name : `${prefix}.${name}`;
      if (skip?.has(path)) continue;
      out[name] = toPlain((child(value, name) as { value: unknown }).value, skip, path);
    }
    return out;
  }
  if (value instanceof Map) {
    return new Map([...value.entries()].map(([k, v]) => [toPlain(k), toPlain(v)]));
  }
  return value;
}

function hasOnlyStringKeys(map: Map<unknown, unknown>): boolean {
  for (const k of map.keys()) if (typeof k !== 'string') return false;
  return true;
}

/** A short type name for error messages. */
export function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (isStruct(value)) return 'Struct';
  if (isDecimal(value)) return 'Decimal';
  if (Buffer.isBuffer(value)) return 'bytes';
  if (value instanceof Map) return 'Map';
  if (value instanceof Date) return 'Date';
  if (Array.isArray(value)) return 'array';
  if (isPlainObject(value)) return 'object';
  return typeof value;
}
