import { isDecimal, isStruct, type Schema } from '@sluice/core';

// Connect values → Elasticsearch JSON. A Struct value is first turned into plain objects whose leaves
// keep their Connect schema (`Typed`), so that the KCQL projection (which renames and moves fields)
// can run on it and the document written afterwards still knows each leaf's type: a FLOAT64 3.0 stays
// `3.0` (Elasticsearch's dynamic mapping then picks a floating type, not long), INT64 is written
// exactly, Decimal as its exact digits, Timestamp / Date / Time as ISO-8601 text (Elasticsearch's
// dates), bytes as base64 (its `binary`). The same typed leaves give AUTOCREATE its explicit mapping.

const DECIMAL = 'org.apache.kafka.connect.data.Decimal';
const DATE = 'org.apache.kafka.connect.data.Date';
const TIME = 'org.apache.kafka.connect.data.Time';
const TIMESTAMP = 'org.apache.kafka.connect.data.Timestamp';

/** A leaf with its Connect schema. */
export class Typed {
  constructor(
    readonly value: unknown,
    readonly schema: Schema,
  ) {}
}

/** A Struct (recursively) as plain objects with Typed leaves; other values are returned as they are. */
export function typedTree(value: unknown, schema: Schema | null): unknown {
  if (schema === null) return value;
  if (value === null || value === undefined) {
    return schema.type === 'STRUCT' || schema.type === 'ARRAY' || schema.type === 'MAP'
      ? null
      : new Typed(null, schema);
  }
  switch (schema.type) {
    case 'STRUCT': {
      if (!isStruct(value)) return value;
      const out: Record<string, unknown> = {};
      for (const f of schema.fields()) out[f.name] = typedTree(value.get(f.name), f.schema);
      return out;
    }
    case 'ARRAY':
      return Array.isArray(value) ? value.map((v) => typedTree(v, schema.valueSchema())) : value;
    case 'MAP': {
      if (!(value instanceof Map)) return value;
      for (const k of value.keys()) if (typeof k !== 'string') return new Typed(value, schema);
      const out: Record<string, unknown> = {};
      for (const [k, v] of value) out[k as string] = typedTree(v, schema.valueSchema());
      return out;
    }
    default:
      return new Typed(value, schema);
  }
}

/** The document as JSON text (JSON.stringify cannot write bigint, exact decimals or `3.0`). */
export function documentJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return 'null';
  }
  if (value instanceof Typed) return typedJson(value);
  if (Array.isArray(value)) return `[${value.map(documentJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Buffer.isBuffer(value)) return JSON.stringify(value.toString('base64'));
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  if (isDecimal(value)) return value.toString();
  if (value instanceof Map) {
    const entries = [...value.entries()];
    if (entries.every(([k]) => typeof k === 'string')) {
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${documentJson(v)}`).join(',')}}`;
    }
    return `[${entries.map(([k, v]) => `[${documentJson(k)},${documentJson(v)}]`).join(',')}]`;
  }
  if (isStruct(value)) return documentJson(typedTree(value, value.schema as unknown as Schema));
  let out = '{';
  let first = true;
  for (const k in value as Record<string, unknown>) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${documentJson(v)}`;
    first = false;
  }
  return `${out}}`;
}

function typedJson(t: Typed): string {
  const { value, schema } = t;
  if (value === null || value === undefined) return 'null';
  switch (schema.name) {
    case DECIMAL:
      return isDecimal(value) ? value.toString() : documentJson(value);
    case TIMESTAMP:
      return value instanceof Date ? JSON.stringify(value.toISOString()) : documentJson(value);
    case DATE:
      return value instanceof Date ? JSON.stringify(value.toISOString().slice(0, 10)) : documentJson(value);
    case TIME:
      return value instanceof Date ? JSON.stringify(value.toISOString().slice(11, 23)) : documentJson(value);
  }
  switch (schema.type) {
    case 'FLOAT32':
    case 'FLOAT64': {
      if (typeof value !== 'number') return documentJson(value);
      if (!Number.isFinite(value)) return 'null';
      const text = String(value);
      return Number.isInteger(value) && !text.includes('e') ? `${text}.0` : text;
    }
    case 'INT64':
      return typeof value === 'bigint' || typeof value === 'number' ? String(value) : documentJson(value);
    default:
      return documentJson(value);
  }
}

/** Elasticsearch field mapping of one leaf schema (AUTOCREATE with a Connect schema). */
export function fieldMapping(schema: Schema): Record<string, unknown> | null {
  switch (schema.name) {
    case DECIMAL:
      // `double`, not `scaled_float`: scaled_float lives in the mapper-extras module (absent from
      // minimal distributions) and holds a long, so it overflows where a decimal does not; the
      // document's _source keeps the exact digits either way.
      return { type: 'double' };
    case TIMESTAMP:
    case DATE:
      return { type: 'date' };
    case TIME:
      return { type: 'date', format: 'strict_hour_minute_second_fraction' };
  }
  switch (schema.type) {
    case 'INT8':
      return { type: 'byte' };
    case 'INT16':
      return { type: 'short' };
    case 'INT32':
      return { type: 'integer' };
    case 'INT64':
      return { type: 'long' };
    case 'FLOAT32':
      return { type: 'float' };
    case 'FLOAT64':
      return { type: 'double' };
    case 'BOOLEAN':
      return { type: 'boolean' };
    case 'BYTES':
      return { type: 'binary' };
    case 'STRING':
      // What Elasticsearch's dynamic mapping gives a string: full text plus an exact-match subfield.
      return { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };
    case 'ARRAY':
      return fieldMapping(schema.valueSchema());
    case 'MAP':
      return { type: 'object' };
    case 'STRUCT': {
      const properties: Record<string, unknown> = {};
      for (const f of schema.fields()) {
        const m = fieldMapping(f.schema);
        if (m) properties[f.name] = m;
      }
      return { properties };
    }
    default:
      return null;
  }
}

/**
 * The `properties` of an index mapping for a projected document built from a typed tree: every leaf
 * that kept its schema is mapped; untyped values are left to dynamic mapping.
 */
export function documentMapping(doc: Record<string, unknown>): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(doc)) {
    const m = valueMapping(value);
    if (m) properties[name] = m;
  }
  return properties;
}

function valueMapping(value: unknown): Record<string, unknown> | null {
  if (value instanceof Typed) return fieldMapping(value.schema);
  if (Array.isArray(value)) {
    for (const v of value) {
      const m = valueMapping(v);
      if (m) return m;
    }
    return null;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return { properties: documentMapping(value as Record<string, unknown>) };
  }
  return null;
}
